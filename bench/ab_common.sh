# Sourced by bench/ab_bench.sh and bench/dpdk_ab.sh: the alternating A/B loop both use.
# ab_alternate ROUNDS calls the caller's `run BIN TAG ROUND` for the baseline ($base, tag "base")
# and the candidate ($new, tag "new") ROUNDS times each, flipping the order every round so that a
# burst of load on this shared machine hits both alike, and prints the load average around it.
ab_alternate() {
  local rounds=$1 r
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  for ((r = 0; r < rounds; r++)); do
    if (( r % 2 == 0 )); then run "$base" base "$r"; run "$new" new "$r"
    else run "$new" new "$r"; run "$base" base "$r"; fi
  done
  echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
}
