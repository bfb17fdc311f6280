#!/usr/bin/env bash
# Byte-identity check for performance work on the software pipeline: runs two ttq binaries (before
# and after a change) over the same generated captures and configurations and compares every output
# byte: `ttq replay` quotes and orders JSONL and its summary (minus the timing lines), `ttq book`,
# `ttq decode` and `ttq backtest --json`. Exit 0 only when everything is identical.
#
# Usage: bench/compare_outputs.sh BEFORE_TTQ AFTER_TTQ [WORKDIR]
#   EVENTS=60000   events per generated capture
set -euo pipefail
before=$1
after=$2
dir=${3:-$(mktemp -d)}
mkdir -p "$dir"
EVENTS=${EVENTS:-60000}

# Captures: clean, every impairment (schema 9 and 8), no implied levels / other depth, halts.
gen() { local name=$1; shift; "$before" gen --out "$dir/$name.pcap" --events "$EVENTS" "$@" >/dev/null; }
gen clean9 --seed 1 --instruments 4
gen rough9 --seed 2 --instruments 6 --loss-a 0.01 --loss-b 0.01 --loss-both 0.003 --dup 0.01 \
  --jitter 6 --reorder 0.01 --garbage 0.01 --snapshot-every 300 --vlan 0.1 --ip-options 0.1 \
  --halt 0.002
gen rough8 --seed 3 --instruments 5 --schema 8 --loss-a 0.005 --loss-b 0.02 --loss-both 0.002 \
  --dup 0.02 --reorder 0.02 --garbage 0.02 --snapshot-every 150 --halt 0.003
gen flat9 --seed 4 --instruments 9 --implied false --depth 5 --loss-both 0.001 --halt 0.001 \
  --snapshot-every 500
gen wide8 --seed 5 --instruments 3 --schema 8 --depth 20 --jitter 20 --loss-a 0.02 --dup 0.05 \
  --reorder 0.05

# Configurations: defaults, the shipped ttq.toml, a 3-level mid quoter with a reorder timeout,
# the fixed (card) instrument table on verdict (explicit: feed.commit's default in card mode is
# cut_through since 2026-11-30, so a binary from before would differ).
src=$(cd "$(dirname "$0")/.." && pwd)
cat > "$dir/ladder.toml" <<'EOF'
[feed]
reorder_window = 4
reorder_timeout_us = 40
[quoter]
ref_mode = "mid"
levels = 3
min_spread_ticks = 3
level_spacing_ticks = 2
size_step = 2
requote_tolerance_ticks = 0
[skew]
price_skew_q8 = 64
size_skew_q8 = 128
[[instrument]]
security_id = 100002
position = 7
EOF
cat > "$dir/fixed.toml" <<'EOF'
[feed]
fixed_instruments = true
commit = "verdict"
[[instrument]]
security_id = 100001
tick = 5000000000
[[instrument]]
security_id = 100003
tick = 250000000
depth = 5
EOF
configs=(none "$src/ttq.toml" "$dir/ladder.toml" "$dir/fixed.toml")

fail=0
check() {  # check LABEL FILE_BEFORE FILE_AFTER
  if cmp -s "$2" "$3"; then
    printf '  same  %-44s %10s bytes\n' "$1" "$(stat -c %s "$2")"
  else
    printf '  DIFF  %s\n' "$1"
    fail=1
  fi
}
# Summary without the lines that depend on time or memory.
strip() { grep -vE '^  (seconds|frames +[0-9.]+ M/s|book entries +[0-9.]+ M/s|capture bytes|peak RSS)' "$1"; }

for cap in clean9 rough9 rough8 flat9 wide8; do
  for ci in "${!configs[@]}"; do
    cfg=${configs[$ci]}
    args=()
    [[ $cfg != none ]] && args=(--config "$cfg")
    for v in before after; do
      bin=${!v}
      "$bin" replay "$dir/$cap.pcap" "${args[@]}" --no-progress --quotes-jsonl "$dir/q.$v" \
        --orders-jsonl "$dir/o.$v" > "$dir/s.raw.$v"
      strip "$dir/s.raw.$v" > "$dir/s.$v"
    done
    check "$cap cfg$ci replay quotes" "$dir/q.before" "$dir/q.after"
    check "$cap cfg$ci replay orders" "$dir/o.before" "$dir/o.after"
    check "$cap cfg$ci replay summary" "$dir/s.before" "$dir/s.after"
  done
  for cmd in book decode; do
    "$before" "$cmd" "$dir/$cap.pcap" --jsonl > "$dir/$cmd.before" 2> "$dir/$cmd.err.before"
    "$after" "$cmd" "$dir/$cap.pcap" --jsonl > "$dir/$cmd.after" 2> "$dir/$cmd.err.after"
    check "$cap $cmd" "$dir/$cmd.before" "$dir/$cmd.after"
    check "$cap $cmd (its summary line)" "$dir/$cmd.err.before" "$dir/$cmd.err.after"
  done
  for v in before after; do
    bin=${!v}
    "$bin" backtest "$dir/$cap.pcap" --config "$src/ttq.toml" --report "$dir/r.$v.html" \
      --json "$dir/bt.$v" > /dev/null
  done
  check "$cap backtest json" "$dir/bt.before" "$dir/bt.after"
done
rm -f "$dir"/*.pcap
if (( fail )); then echo "compare_outputs: DIFFERENCES (files in $dir)"; exit 1; fi
echo "compare_outputs: all identical"
