#!/usr/bin/env bash
# The risk gate's price reference on a card backend: `ttq replay --backend verilator` must give
# byte-identical order intents (--orders-jsonl, the log venue) and quotes to `--backend sw`, with
# the default risk limits (collar_ticks 50: every order needs the instrument's top of book, which a
# card backend reads from the card's published-top registers, TOP_*, docs/card.md). Two generated
# captures: a clean one and one with loss on both lines, reordering, duplicates and halts, so
# that stale / suspect books (stale_feed rejections) and gaps appear. Fails if the card answered
# no reference (every order rejected as no_reference) or if the orders differ in any byte.
# Exit 77 (skipped) when ttq was built without the verilator backend.
set -euo pipefail
ttq=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

source "$(dirname "$0")/lib/verilator_common.sh"
skip_without_verilator

compare() {  # tag capture config
  "$ttq" replay "$2" --config "$3" --orders-jsonl "$dir/o_sw_$1.jsonl" \
    --quotes-jsonl "$dir/q_sw_$1.jsonl" --no-progress > "$dir/s_sw_$1.txt"
  "$ttq" replay "$2" --config "$3" --backend verilator --orders-jsonl "$dir/o_v_$1.jsonl" \
    --quotes-jsonl "$dir/q_v_$1.jsonl" --no-progress > "$dir/s_v_$1.txt" 2> "$dir/e_v_$1.txt" \
    || { echo "$1: verilator replay failed:"; cat "$dir/e_v_$1.txt"; exit 1; }
  cmp -s "$dir/q_sw_$1.jsonl" "$dir/q_v_$1.jsonl" || { echo "$1: quotes differ"; exit 1; }
  local orders
  orders=$(wc -l < "$dir/o_sw_$1.jsonl")
  [[ $orders -gt 50 ]] || { echo "$1: too few order intents from sw ($orders)"; exit 1; }
  if ! cmp "$dir/o_sw_$1.jsonl" "$dir/o_v_$1.jsonl"; then
    echo "$1: order intents differ (sw $orders lines, verilator $(wc -l < "$dir/o_v_$1.jsonl"));" \
         "first difference:"
    diff <(cat -n "$dir/o_sw_$1.jsonl") <(cat -n "$dir/o_v_$1.jsonl") | head -6 || true
    echo "risk decisions, sw then verilator:"
    grep -iE 'accepted|reject|no_reference|stale_feed|collar' "$dir/s_sw_$1.txt" || true
    echo "--"
    grep -iE 'accepted|reject|no_reference|stale_feed|collar' "$dir/s_v_$1.txt" || true
    exit 1
  fi
  echo "$1: $orders order intents and $(wc -l < "$dir/q_sw_$1.jsonl") quotes identical" \
       "($(grep -E '^  (order intents|risk rejections|rejected\.)' "$dir/s_v_$1.txt" \
           | awk '{$1=$1; print}' | paste -sd, -))"
}

# A: clean, 4 instruments.
"$ttq" gen --out "$dir/a.pcap" --seed 31 --events 4000 --instruments 4 > /dev/null
card_config "$dir/a.toml" 8 10 2 4
compare a "$dir/a.pcap" "$dir/a.toml"

# B: loss on A, B and both lines (gaps: suspect books, RptSeq jumps: stale ones), reordering,
# duplicates, halts; 6 instruments.
"$ttq" gen --out "$dir/b.pcap" --seed 32 --events 8000 --instruments 6 --loss-a 0.03 \
  --loss-b 0.03 --loss-both 0.01 --dup 0.02 --reorder 0.02 --jitter 4 --halt 0.002 > /dev/null
card_config "$dir/b.toml" 8 10 2 6
compare b "$dir/b.pcap" "$dir/b.toml"
grep -qE '^  gaps +[1-9]' "$dir/s_sw_b.txt" || { echo "b: no gap in the capture"; exit 1; }
grep -qE '^  stale events +[1-9]' "$dir/s_sw_b.txt" || { echo "b: no stale book"; exit 1; }
grep -qE '^  rejected\.stale_feed +[1-9]' "$dir/s_sw_b.txt" \
  || { echo "b: the stale-feed check never fired"; exit 1; }
echo ok
