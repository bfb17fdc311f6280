#!/usr/bin/env bash
# Instructions per book entry of the software pipeline, counted by callgrind (immune to the noise
# of a shared machine, unlike time): `ttq replay CAPTURE` once under valgrind, then the inclusive
# instruction counts of the fast path (FastPath::process + finish), the host loop per burst
# (HostLoop::on_burst: Driver submit + quote records -> order manager -> risk gate -> venue) and the
# whole replay, each divided by the book entries the replay applied.
#
# Usage: bench/ir_count.sh TTQ CAPTURE [extra ttq replay args...]
set -euo pipefail
ttq=$1
cap=$2
shift 2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
valgrind --tool=callgrind --callgrind-out-file="$out/cg.out" "$ttq" replay "$cap" --no-progress \
  "$@" > "$out/summary.txt" 2> "$out/valgrind.txt"
entries=$(awk '$1 == "book" && $2 == "entries" && NF == 3 {print $3}' "$out/summary.txt")
callgrind_annotate --inclusive=yes --threshold=100 "$out/cg.out" 2>/dev/null > "$out/incl.txt"
ir() {  # ir PATTERN: inclusive Ir of the first function whose name matches
  grep -m1 -E "$1" "$out/incl.txt" | awk '{gsub(",", "", $1); print $1}'
}
total=$(ir 'ttq::run_replay')
burst=$(ir 'ttq::HostLoop::on_burst')
process=$(ir 'ttq::FastPath::process\(')
printf 'capture %s: %s book entries\n' "$cap" "$entries"
for row in "run_replay|$total" "HostLoop::on_burst|$burst" "FastPath::process|$process"; do
  name=${row%%|*}
  v=${row##*|}
  awk -v n="$name" -v v="$v" -v e="$entries" \
    'BEGIN {printf "  %-22s %14d Ir  %8.1f Ir/entry\n", n, v, v / e}'
done
