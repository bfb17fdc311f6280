#!/usr/bin/env bash
# A/B timing of two ttq_bench binaries (a baseline and a candidate) in the same run: the two are
# run alternately, ROUNDS times each (the order flips every round, so a burst of load on this
# shared machine hits both alike), on the same capture, and the medians are compared. Reports ns
# per book entry (wall and CPU), the candidate/baseline ratio and each process's peak RSS.
#
# Usage: bench/ab_bench.sh BASE_TTQ_BENCH NEW_TTQ_BENCH CAPTURE [ROUNDS] [FILTER] [MIN_TIME]
#   e.g. bench/ab_bench.sh build-h3-before/bench/ttq_bench build-h3/bench/ttq_bench \
#          /tmp/c200.pcap 7 'BM_(Decode|Book|Quote|FastPath)'
# Extra arguments for one side only (e.g. the same binary twice, two configurations):
#   AB_BASE_ARGS='--max-packet-events=0' bench/ab_bench.sh b/bench/ttq_bench b/bench/ttq_bench ...
set -euo pipefail
base=$1
new=$2
cap=$3
rounds=${4:-7}
filter=${5:-'BM_(Decode|Book|Quote|FastPath|RawScan|Replay)'}
min_time=${6:-0.5}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

base_args=(${AB_BASE_ARGS:-})
new_args=(${AB_NEW_ARGS:-})
run() {  # run BIN TAG ROUND
  local -n extra=$2_args
  /usr/bin/time -f '%M' -o "$out/$2.$3.rss" "$1" "${extra[@]}" --capture="$cap" --benchmark_filter="$filter" \
    --benchmark_min_time="$min_time" --benchmark_format=json --benchmark_out_format=json \
    --benchmark_out="$out/$2.$3.json" > /dev/null 2>&1
}
source "$(dirname "$0")/ab_common.sh"
ab_alternate "$rounds"
python3 - "$out" "$rounds" <<'EOF'
import glob, json, os, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
def collect(tag):
    res, rss = {}, []
    for r in range(rounds):
        with open(f"{out}/{tag}.{r}.json") as f:
            doc = json.load(f)
        for b in doc["benchmarks"]:
            scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[b["time_unit"]]
            e = b["entries"]
            res.setdefault(b["run_name"], []).append(
                (b["real_time"] * scale / e, b["cpu_time"] * scale / e))
        with open(f"{out}/{tag}.{r}.rss") as f:
            rss.append(int(f.read().split()[-1]))
    return res, rss
base, brss = collect("base")
new, nrss = collect("new")
print(f"medians of {rounds} alternating runs, ns per book entry (wall / cpu); then the minimum")
print("cpu of each (on a loaded machine other work only ever adds time: the minimum is the")
print("steadier estimate)")
print(f"{'benchmark':<22}{'baseline':>18}{'candidate':>18}{'ratio wall':>12}{'ratio cpu':>11}"
      f"{'min cpu base':>14}{'new':>7}{'ratio':>8}")
for name in base:
    bw = statistics.median(x[0] for x in base[name]); bc = statistics.median(x[1] for x in base[name])
    nw = statistics.median(x[0] for x in new[name]); nc = statistics.median(x[1] for x in new[name])
    bm = min(x[1] for x in base[name]); nm = min(x[1] for x in new[name])
    print(f"{name:<22}{bw:>9.1f} /{bc:>6.1f}{nw:>11.1f} /{nc:>6.1f}{nw/bw:>11.3f}x{nc/bc:>10.3f}x"
          f"{bm:>14.1f}{nm:>7.1f}{nm/bm:>7.3f}x")
print(f"peak RSS (max over runs): baseline {max(brss)} KiB, candidate {max(nrss)} KiB "
      "(ttq_bench holds the whole capture in memory)")
EOF
