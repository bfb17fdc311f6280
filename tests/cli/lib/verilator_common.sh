# Shared by the tests that compare `ttq replay --backend verilator` with `--backend sw`
# (replay_verilator.sh, replay_orders_verilator.sh, oversize_verilator.sh). Source it after
# setting $ttq and $dir.

# Exit 77 (skipped) when ttq was built without the verilator backend.
skip_without_verilator() {
  "$ttq" gen --out "$dir/tiny.pcap" --events 10 > /dev/null
  set +e
  "$ttq" replay "$dir/tiny.pcap" --backend verilator > /dev/null 2> "$dir/probe.txt"
  set -e
  if grep -q "not built" "$dir/probe.txt"; then echo "SKIP: $(cat "$dir/probe.txt")"; exit 77; fi
}

# Tick of capgen's instrument 100000+i (products cycle BTC, ETH, MBT, MET).
tick() {
  case $(( ($1 - 1) % 4 )) in 0|2) echo 5000000000;; 1) echo 250000000;; 3) echo 500000000;; esac
}

# card_config FILE WINDOW DEPTH IMPLIED_DEPTH N_INSTR [extra TOML appended]: card mode (fixed
# instruments 100001.., capgen's channel 310 lines) with commit = "verdict" (a cut-through run
# deletes that line: feed.commit's default in card mode; see ct_default), no [risk] section (the
# defaults, collar included); instruments 3 and 4 start with positions 7 and -12.
card_config() {
  cat > "$1" <<TOML
[feed]
fixed_instruments = true
commit = "verdict"
reorder_window = $2
[[channel]]
id = 310
incremental_a = "224.0.31.1:14310"
incremental_b = "224.0.32.1:15310"
TOML
  printf '%s\n' "${6:-}" >> "$1"
  for i in $(seq 1 "$5"); do
    printf '[[instrument]]\nsecurity_id = %d\ntick = %d\ndepth = %d\nimplied_depth = %d\n' \
      $((100000 + i)) "$(tick "$i")" "$3" "$4" >> "$1"
    if [[ $i -eq 3 ]]; then printf 'position = 7\n' >> "$1"; fi
    if [[ $i -eq 4 ]]; then printf 'position = -12\n' >> "$1"; fi
  done
}

# ct_default FILE: a card_config file left to feed.commit's default, "auto" = cut_through in card
# mode (the card's shipping mode, docs/pipeline.md "Cut-through commit").
ct_default() {
  sed -i '/^commit = "verdict"$/d' "$1"
  ! grep -q '^commit' "$1" || { echo "$1: a commit key is left"; exit 1; }
}

# The counters the card keeps, "key=value", from a summary (docs/card.md lists them).
card_keys='frames|bytes|dropped\..*|packets validated|duplicates dropped \(A/B\)|held for reordering'
card_keys+='|gaps|packets lost|book entries|stale events|unknown instruments|MsgSeqNum restarts'
card_keys+='|snapshot packets|quotes|quote queue overflow|oversize packets'
card_counters() {
  sed -n '/^frames$/,/^throughput$/p' "$1" | sed -nE 's/^  (.{28}) ([0-9]+)$/\1=\2/p' \
    | sed -E 's/ +=/=/' | grep -E "^($card_keys)="
}

# replay_both TAG CAPTURE CONFIG: `ttq replay` with --backend sw and verilator; fails unless the
# quote JSONL is byte-identical, holds more than 100 quotes, and the card's counters are equal.
# Leaves $dir/{q,s}_{sw,v}_TAG.*, sets $quotes, and $t0 to the verilator run's start ($SECONDS).
replay_both() {
  "$ttq" replay "$2" --config "$3" --quotes-jsonl "$dir/q_sw_$1.jsonl" --no-progress \
    > "$dir/s_sw_$1.txt"
  t0=$SECONDS
  "$ttq" replay "$2" --config "$3" --backend verilator --quotes-jsonl "$dir/q_v_$1.jsonl" \
    --no-progress > "$dir/s_v_$1.txt" 2> "$dir/e_v_$1.txt" \
    || { echo "$1: verilator replay failed:"; cat "$dir/e_v_$1.txt"; exit 1; }
  quotes=$(wc -l < "$dir/q_sw_$1.jsonl")
  [[ $quotes -gt 100 ]] || { echo "$1: too few quotes ($quotes)"; exit 1; }
  if ! cmp "$dir/q_sw_$1.jsonl" "$dir/q_v_$1.jsonl"; then
    echo "$1: quotes differ; first differing record:"
    diff <(cat -n "$dir/q_sw_$1.jsonl") <(cat -n "$dir/q_v_$1.jsonl") | head -6
    exit 1
  fi
  diff <(card_counters "$dir/s_sw_$1.txt") <(card_counters "$dir/s_v_$1.txt") \
    || { echo "$1: card counters differ"; exit 1; }
}
