#!/usr/bin/env bash
# A/B of two ttq_bench_dpdk binaries (a baseline and a candidate built from the same
# bench/bench_dpdk.cpp) in the same run: alternately, ROUNDS times each, on the same capture;
# prints the median wall and CPU ns per packet of every configuration, the candidate/baseline
# ratios and each process's peak RSS.
#
# Usage: bench/dpdk_ab.sh BASE NEW [ROUNDS] [EVENTS]
set -euo pipefail
base=$1
new=$2
rounds=${3:-5}
events=${4:-300000}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
eal=(--no-huge --no-pci -m 512 --no-shconf --no-telemetry '--log-level=*:error' -l 0-1)
run() {  # run BIN TAG ROUND
  /usr/bin/time -f '%M' -o "$out/$2.$3.rss" "$1" --events "$events" --keep "$out/cap.pcap" -- \
    "${eal[@]}" > "$out/$2.$3.txt" 2>&1
}
source "$(dirname "$0")/ab_common.sh"
ab_alternate "$rounds"
python3 - "$out" "$rounds" <<'EOF'
import re, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
def collect(tag):
    rows, rss = {}, []
    for r in range(rounds):
        for line in open(f"{out}/{tag}.{r}.txt"):
            f = line.split()
            if len(f) == 8 and re.match(r"^[0-9]+$", f[1]):
                rows.setdefault(f[0], []).append((float(f[2]), float(f[5])))
        rss.append(int(open(f"{out}/{tag}.{r}.rss").read().split()[-1]))
    return rows, rss
b, brss = collect("base")
n, nrss = collect("new")
print(f"medians of {rounds} alternating runs, ns per packet (wall / cpu); Mpps from cpu; then the")
print("minimum cpu ns of each (other work on the machine only ever adds time: the steadier estimate)")
print(f"{'config':<12}{'baseline':>18}{'candidate':>18}{'ratio wall':>12}{'ratio cpu':>11}"
      f"{'Mpps base':>11}{'Mpps new':>10}{'min base':>10}{'min new':>9}{'ratio':>8}")
for name in b:
    bw = statistics.median(x[0] for x in b[name]); bc = statistics.median(x[1] for x in b[name])
    nw = statistics.median(x[0] for x in n[name]); nc = statistics.median(x[1] for x in n[name])
    bm = min(x[1] for x in b[name]); nm = min(x[1] for x in n[name])
    print(f"{name:<12}{bw:>9.1f} /{bc:>7.1f}{nw:>10.1f} /{nc:>7.1f}{nw/bw:>11.3f}x{nc/bc:>10.3f}x"
          f"{1e3/bc:>11.2f}{1e3/nc:>10.2f}{bm:>10.1f}{nm:>9.1f}{nm/bm:>7.3f}x")
print(f"peak RSS (max over runs): baseline {max(brss)} KiB, candidate {max(nrss)} KiB")
EOF
