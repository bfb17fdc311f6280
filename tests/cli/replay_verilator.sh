#!/usr/bin/env bash
# The verilator backend (the card's RTL top, Verilated) against the C++ model in card mode
# (feed.fixed_instruments = true): generated captures with loss on one and both lines,
# duplicates, reordering, garbage frames, VLAN tags, IP options, halts, implied levels, schema 9
# and 8, more than 8 instruments (some not in the slot table), two channels and injected
# runts / jumbo / wrong-port frames must give byte-identical quote JSONL and the same values of
# every counter the card keeps (order intents: tests/cli/replay_orders_verilator.sh); then the
# same under cut-through commit (feed.commit's default in card mode; A-C set commit = "verdict") on
# captures with late failures. Then the start-up refusals and the snapshot notice.
# Exit 77 (skipped) when ttq was built without the verilator backend.
set -euo pipefail
ttq=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
lib="$(dirname "$0")/lib"

source "$lib/verilator_common.sh"
skip_without_verilator

compare() {  # tag capture config
  local quotes t0
  replay_both "$1" "$2" "$3"
  [[ $(card_counters "$dir/s_v_$1.txt" | wc -l) -ge 12 ]] || { echo "$1: counters missing"; exit 1; }
  echo "$1: $quotes quotes and the card's counters identical" \
       "($(grep -E '^  (gaps|stale events|unknown instruments|halts) ' "$dir/s_sw_$1.txt" \
           | awk '{$1=$1; print}' | paste -sd, -)); verilator $((SECONDS - t0)) s"
}

# A: schema 9, 12 instruments (10 in the slot table: 2 unknown), every impairment, halts.
"$ttq" gen --out "$dir/a.pcap" --seed 21 --events 20000 --instruments 12 --schema 9 --depth 10 \
  --implied true --loss-a 0.02 --loss-b 0.02 --loss-both 0.0005 --dup 0.03 --reorder 0.02 \
  --jitter 4 --garbage 0.05 --vlan 0.1 --ip-options 0.05 --halt 0.003 > /dev/null
card_config "$dir/a.toml" 8 10 2 10 '[quoter]
bid_offset_ticks = 1
ask_offset_ticks = 2
order_size = 2
[skew]
price_skew_q8 = 64
size_skew_q8 = 32'
compare a "$dir/a.pcap" "$dir/a.toml"

# B: schema 8 (templates 32/42/27), depth 5, no implied book, heavy loss on both lines, window 3,
# mid quoting; a second channel (its own lines, no traffic) holds instruments 8 and 9, so the
# gaps of channel 310 must not touch them; snapshot lines are configured but carry nothing.
"$ttq" gen --out "$dir/b.pcap" --seed 22 --events 6000 --instruments 9 --schema 8 --depth 5 \
  --implied false --loss-a 0.03 --loss-b 0.03 --loss-both 0.003 --dup 0.05 --reorder 0.03 \
  --jitter 8 --garbage 0.05 --halt 0.002 > /dev/null
card_config "$dir/b.toml" 3 5 0 9 '[quoter]
ref_mode = "mid"
min_spread_ticks = 2
order_size = 3
requote_tolerance_ticks = 1
[[channel]]
id = 320
incremental_a = "224.0.33.1:16310"
incremental_b = "224.0.34.1:17310"'
python3 - "$dir/b.toml" <<'PY'
import re, sys
p = sys.argv[1]
s = open(p).read()
s = s.replace('incremental_b = "224.0.32.1:15310"\n', 'incremental_b = "224.0.32.1:15310"\n'
              'snapshot_a = "224.0.31.2:14311"\nsnapshot_b = "224.0.32.2:15311"\n', 1)
for sid in (100008, 100009):
    s = s.replace(f"security_id = {sid}\n", f"security_id = {sid}\nchannel = 320\n")
open(p, "w").write(s)
PY
compare b "$dir/b.pcap" "$dir/b.toml"

# C: runts, 9000-byte jumbo frames and wrong-port datagrams injected; window 0 (a jump is a gap).
"$ttq" gen --out "$dir/c0.pcap" --seed 23 --events 2500 --instruments 4 --loss-a 0.02 \
  --loss-b 0.02 --dup 0.02 --jitter 2 --garbage 0.02 > /dev/null
python3 "$lib/pcaptool.py" inject "$dir/c0.pcap" "$dir/c.pcap" > /dev/null
card_config "$dir/c.toml" 0 10 2 4
compare c "$dir/c.pcap" "$dir/c.toml"
grep -qE '^  dropped.runt +[1-9]' "$dir/s_v_c.txt" || { echo "c: no runts counted"; exit 1; }

# Cut-through commit, the card's shipping mode: feed.commit left at its default ("auto", which is
# cut_through in card mode; the card: MODE = 1 with a soft reset, checked in STATUS,
# drivers/card_program.cpp). pcaptool.py damage makes late failures of packets the card
# applies as they stream: the first copy of some MsgSeqNums truncated inside the MDP payload or
# with a malformed message (a pcap cannot carry a bad FCS: tests/unit/ut_verilator_driver.cpp
# has those). The records are those of "verdict" plus, per undone packet, its speculative
# records and the corrections: the run must undo packets and send such records.
compare_ct() {  # tag capture config(no commit key: the default)
  compare "$1" "$2" "$3"
  grep -qE '^  commit +cut_through \(feed.commit = auto\)$' "$dir/s_v_$1.txt" \
    || { echo "$1: the summary does not say cut_through (auto)"; exit 1; }
  sed 's/^fixed_instruments = true$/&\ncommit = "verdict"/' "$3" > "$dir/verdict_$1.toml"
  "$ttq" replay "$2" --config "$dir/verdict_$1.toml" --quotes-jsonl "$dir/q_vd_$1.jsonl" \
    --no-progress > /dev/null
  local undone ct vd
  # The model's count (the card has no counter of its undos).
  undone=$(sed -nE 's/^  packets undone \(cut-through\) +([0-9]+)$/\1/p' "$dir/s_sw_$1.txt")
  ct=$(wc -l < "$dir/q_v_$1.jsonl")
  vd=$(wc -l < "$dir/q_vd_$1.jsonl")
  # A correction carries the channel's last applied MsgSeqNum, below its speculative record's.
  corr=$(python3 -c '
import json, sys
prev = n = 0
for line in open(sys.argv[1]):
    s = json.loads(line)["seq"]
    n += s < prev
    prev = max(prev, s)
print(n)' "$dir/q_v_$1.jsonl")
  echo "$1: cut_through: ${undone:-0} packets undone (sw), $ct records, $vd under verdict:" \
       "$((ct - vd)) speculative records and corrections ($corr records going back in seq)"
  [[ ${undone:-0} -ge 50 ]] || { echo "$1: too few packets undone (${undone:-0})"; exit 1; }
  [[ $((ct - vd)) -ge 20 ]] || { echo "$1: too few speculative records / corrections"; exit 1; }
  [[ $corr -ge 10 ]] || { echo "$1: too few corrections ($corr)"; exit 1; }
}

# D: schema 9, implied levels, 10 instruments, loss on one line, reordering, duplicates,
# garbage, VLAN tags, IP options, halts; 4 % of first copies damaged.
"$ttq" gen --out "$dir/d0.pcap" --seed 25 --events 20000 --instruments 10 --schema 9 --depth 10 \
  --implied true --loss-a 0.01 --loss-b 0.01 --dup 0.03 --reorder 0.02 --jitter 4 \
  --garbage 0.03 --vlan 0.1 --ip-options 0.05 --halt 0.003 > /dev/null
python3 "$lib/pcaptool.py" damage "$dir/d0.pcap" "$dir/d.pcap" 5 0.04 > /dev/null
card_config "$dir/d.toml" 8 10 2 10 '[quoter]
bid_offset_ticks = 1
ask_offset_ticks = 2
order_size = 2'
ct_default "$dir/d.toml"
compare_ct d "$dir/d.pcap" "$dir/d.toml"

# E: schema 8, depth 5, no implied book, mid quoting with a tolerance, window 4; 6 %
# of first copies damaged.
"$ttq" gen --out "$dir/e0.pcap" --seed 26 --events 15000 --instruments 6 --schema 8 --depth 5 \
  --implied false --loss-a 0.01 --loss-b 0.01 --dup 0.05 --reorder 0.02 --jitter 3 \
  --garbage 0.05 --halt 0.002 > /dev/null
python3 "$lib/pcaptool.py" damage "$dir/e0.pcap" "$dir/e.pcap" 6 0.06 > /dev/null
card_config "$dir/e.toml" 4 5 0 6 '[quoter]
ref_mode = "mid"
min_spread_ticks = 2
order_size = 3
requote_tolerance_ticks = 1'
ct_default "$dir/e.toml"
compare_ct e "$dir/e.pcap" "$dir/e.toml"

# Start-up refusals: one message naming what to change, exit 1, before any frame.
refuse() {  # tag config expected-text
  if "$ttq" replay "$dir/c.pcap" --config "$2" --backend verilator > /dev/null 2> "$dir/err.txt"; then
    echo "$1: accepted"; exit 1
  fi
  grep -qF "$3" "$dir/err.txt" || { echo "$1: unexpected message:"; cat "$dir/err.txt"; exit 1; }
}
grep -v '^incremental_\|^\[\[channel\]\]\|^id = 310' "$dir/c.toml" > "$dir/nolines.toml"
refuse nolines "$dir/nolines.toml" "the config has no feed lines"
card_config "$dir/many.toml" 8 10 2 17
refuse many "$dir/many.toml" "instrument slots (CAPS0.N_INSTR)"
card_config "$dir/levels.toml" 8 10 2 4 '[quoter]
levels = 2'
refuse levels "$dir/levels.toml" "the card computes one level"
card_config "$dir/win.toml" 9 10 2 4
refuse window "$dir/win.toml" "holds at most 8 packets"

# Snapshots: counted, not applied by the card (docs/card.md); the run says so.
"$ttq" gen --out "$dir/s.pcap" --seed 24 --events 300 --instruments 2 --snapshot-every 50 > /dev/null
card_config "$dir/s.toml" 8 10 2 2
sed -i 's|^incremental_b = .*|&\nsnapshot_a = "224.0.31.2:14311"\nsnapshot_b = "224.0.32.2:15311"|' \
  "$dir/s.toml"
"$ttq" replay "$dir/s.pcap" --config "$dir/s.toml" --backend verilator > "$dir/s_v_s.txt" \
  2> "$dir/e_v_s.txt"
grep -q "do not recover from snapshots" "$dir/e_v_s.txt" \
  || { echo "no snapshot notice:"; cat "$dir/e_v_s.txt"; exit 1; }
echo ok
