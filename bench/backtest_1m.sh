#!/usr/bin/env bash
# End-to-end backtest benchmark (docs/performance.md, "Backtest"): generates a ~1M-entry capture,
# then times `ttq replay` (the baseline: same frames through the same Driver, risk gate and order
# manager into the log venue) and `ttq backtest` for each strategy on it, in the same run.
# Usage: bench/backtest_1m.sh BUILD_DIR [EVENTS]   (default 470000 events ~ 1M book entries)
set -euo pipefail
build=${1:?usage: backtest_1m.sh BUILD_DIR [EVENTS]}
events=${2:-470000}
ttq=$build/ttq
src=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

"$ttq" gen --out "$dir/c.pcap" --events "$events" --seed 1 | tail -1
ls -l "$dir/c.pcap" | awk '{printf "capture: %.1f MB\n", $5 / 1e6}'

run() {  # label, command...: wall seconds and peak RSS from GNU time, plus the tool's own lines
  local label=$1; shift
  /usr/bin/time -f "$label: %e s wall, %M KiB peak RSS" "$@" > "$dir/out.txt" 2> "$dir/time.txt"
  grep -E "book entries|seconds|peak RSS|fills|quote records" "$dir/out.txt" | sed "s/^/  $label /"
  tail -1 "$dir/time.txt"
}
run replay "$ttq" replay "$dir/c.pcap" --config "$src/ttq.toml" --no-progress
for s in fixed avellaneda_stoikov glft; do
  run "backtest-$s" "$ttq" backtest "$dir/c.pcap" --config "$src/ttq.toml" --strategy "$s" \
    --report "$dir/r.html" --json "$dir/k.json"
done
