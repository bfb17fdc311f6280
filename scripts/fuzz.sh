#!/usr/bin/env bash
# Bounded libFuzzer run of the feed parsers (docs/fuzzing.md), as CI runs it:
#   scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 60)
# Configures build-fuzz with clang (ASan + UBSan + libFuzzer), builds fuzz_mdp3, fuzz_frame and
# fuzz_api_headers (operator API request parsing),
# writes their seed corpora into build-fuzz/corpus/<target>/ and fuzzes each target in turn.
# Exits non-zero when a target crashes, leaks, times out or reports undefined behaviour; the
# reproducer is build-fuzz/artifacts/<target>/crash-* (or leak-*, timeout-*, oom-*).
set -euo pipefail

secs="${1:-60}"
if ! [[ "$secs" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 [SECONDS_PER_TARGET]" >&2
  exit 2
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-fuzz"
targets=(fuzz_mdp3 fuzz_frame fuzz_api_headers)
declare -A max_len=([fuzz_mdp3]=4096 [fuzz_frame]=8192 [fuzz_api_headers]=4096)

CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DTTQ_BUILD_FUZZ=ON -DTTQ_BUILD_TESTS=OFF -DTTQ_BUILD_BENCH=OFF >/dev/null
ninja -C "$build" -j2 "${targets[@]}"

# A UBSan report aborts (the targets build with -fno-sanitize-recover=undefined); print its stack.
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

status=0
summary=()
for t in "${targets[@]}"; do
  bin="$build/tests/fuzz/$t"
  corpus="$build/corpus/$t"
  artifacts="$build/artifacts/$t"
  log="$build/fuzz-$t.log"
  mkdir -p "$corpus" "$artifacts"
  # Seeds come from the target itself (spec byte builders, capgen): regenerated on every run,
  # next to whatever the previous runs added to the corpus.
  TTQ_FUZZ_SEED_DIR="$corpus" "$bin"
  echo "== $t: ${secs}s, corpus $(find "$corpus" -type f | wc -l) files"
  rc=0
  "$bin" -max_total_time="$secs" -rss_limit_mb=2048 -print_final_stats=1 -timeout=10 \
    -max_len="${max_len[$t]}" -artifact_prefix="$artifacts/" "$corpus" >"$log" 2>&1 || rc=$?
  # Belt and braces: a sanitizer report that did not end the run still fails it.
  if grep -qE "runtime error:|ERROR: (Address|Leak|UndefinedBehavior)Sanitizer|contract broken" \
    "$log"; then
    if [[ $rc -eq 0 ]]; then rc=1; fi
  fi
  # Coverage as of the last status line (DONE when the run ended normally).
  status_re='s/.*cov: ([0-9]+) ft: ([0-9]+) corp: ([0-9]+)\/([^ ]+).*/'
  status_re+='cov \1  ft \2  corpus \3 (\4)/p'
  cov="$(grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE|INITED)' "$log" | tail -1 |
    sed -nE "$status_re" || true)"
  execs="$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$log")"
  rate="$(sed -nE 's/^stat::average_exec_per_sec: *([0-9]+)/\1/p' "$log")"
  rss="$(sed -nE 's/^stat::peak_rss_mb: *([0-9]+)/\1/p' "$log")"
  line="$t: rc $rc  execs ${execs:-?}  execs/s ${rate:-?}  $cov  peak rss ${rss:-?} MB"
  summary+=("$line")
  echo "$line"
  if [[ $rc -ne 0 ]]; then
    status=1
    echo "== $t FAILED (log: $log); reproducers:" >&2
    ls -1 "$artifacts" >&2 || true
    grep -E -A25 "runtime error:|ERROR: .*Sanitizer|contract broken|deadly signal" "$log" |
      head -60 >&2 || true
  fi
done

echo "== summary (${secs}s per target)"
printf '%s\n' "${summary[@]}"
exit "$status"
