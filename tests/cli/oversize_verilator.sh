#!/usr/bin/env bash
# feed.max_packet_events (docs/pipeline.md "Packet event limit"): captures with jumbo packets of
# hundreds of framer events (`ttq gen --jumbo`), more than the card's packet store holds (128),
# through the verilator backend (the card's RTL) and the model (--backend sw, the default limit):
# byte-identical quote JSONL and the same value of every counter the card keeps, OVERSIZE_PACKETS
# included, under commit on verdict and cut-through (with damaged first copies). Then: the model
# without the limit (max_packet_events = 0) applies those packets and quotes otherwise, and the
# card refuses that configuration.
# Exit 77 (skipped) when ttq was built without the verilator backend.
set -euo pipefail
ttq=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
lib="$(dirname "$0")/lib"

source "$lib/verilator_common.sh"
skip_without_verilator

value() {  # summary key
  sed -nE "s/^  $2 +([0-9]+)\$/\\1/p" "$1"
}

compare() {  # tag capture config
  local quotes over t0
  replay_both "$1" "$2" "$3"
  over=$(value "$dir/s_v_$1.txt" "oversize packets")
  [[ ${over:-0} -ge 20 ]] || { echo "$1: too few oversize packets (${over:-0})"; exit 1; }
  echo "$1: $quotes quotes and the card's counters identical, $over oversize packets" \
       "($(grep -E '^  (malformed.too many events|gaps|packets lost) ' "$dir/s_sw_$1.txt" \
           | awk '{$1=$1; print}' | paste -sd, -)); verilator $((SECONDS - t0)) s"
}

# J: commit on verdict (card_config's); 1 % jumbo packets (1,401-8,972 bytes of whole events:
# ~45-280 events), loss on one line, duplicates, reordering, VLAN tags, IP options, halts
# (SecurityStatus), heartbeats inside.
"$ttq" gen --out "$dir/j.pcap" --seed 31 --events 20000 --instruments 6 --schema 9 --depth 10 \
  --implied true --loss-a 0.01 --loss-b 0.01 --dup 0.03 --reorder 0.02 --jitter 4 \
  --vlan 0.1 --ip-options 0.05 --halt 0.003 --jumbo 0.01 > "$dir/gen_j.txt"
grep -q "jumbo packets" "$dir/gen_j.txt" || { echo "j: no jumbo packets"; cat "$dir/gen_j.txt"; exit 1; }
card_config "$dir/j.toml" 8 10 2 6 '[quoter]
bid_offset_ticks = 1
ask_offset_ticks = 2
order_size = 2'
compare j "$dir/j.pcap" "$dir/j.toml"

# K: cut-through (feed.commit's default in card mode), schema 8, window 3; garbage frames, and 5 %
# of first copies damaged (cut or a message made malformed), jumbo ones too.
"$ttq" gen --out "$dir/k0.pcap" --seed 32 --events 20000 --instruments 5 --schema 8 --depth 5 \
  --implied false --loss-a 0.01 --loss-b 0.01 --dup 0.03 --reorder 0.02 --jitter 3 \
  --garbage 0.03 --halt 0.002 --jumbo 0.01 > /dev/null
python3 "$lib/pcaptool.py" damage "$dir/k0.pcap" "$dir/k.pcap" 7 0.05 > /dev/null
card_config "$dir/k.toml" 3 5 0 5 '[quoter]
ref_mode = "mid"
min_spread_ticks = 2
order_size = 3'
ct_default "$dir/k.toml"
compare k "$dir/k.pcap" "$dir/k.toml"

# Without the limit the model applies the jumbo packets: another run (so the limit is what made
# the two equal), and the card refuses the key.
sed 's/^fixed_instruments = true$/&\nmax_packet_events = 0/' "$dir/j.toml" > "$dir/j0.toml"
"$ttq" replay "$dir/j.pcap" --config "$dir/j0.toml" --quotes-jsonl "$dir/q_sw_j0.jsonl" \
  --no-progress > "$dir/s_sw_j0.txt"
if cmp -s "$dir/q_sw_j.jsonl" "$dir/q_sw_j0.jsonl"; then
  echo "j0: no limit, yet the same quotes"; exit 1
fi
[[ -z $(value "$dir/s_sw_j0.txt" "oversize packets") ]] || { echo "j0: oversize counted"; exit 1; }
if "$ttq" replay "$dir/j.pcap" --config "$dir/j0.toml" --backend verilator > /dev/null \
     2> "$dir/err.txt"; then
  echo "j0: the card accepted max_packet_events = 0"; exit 1
fi
grep -qF "feed.max_packet_events = 0" "$dir/err.txt" \
  || { echo "j0: unexpected message:"; cat "$dir/err.txt"; exit 1; }
echo ok
