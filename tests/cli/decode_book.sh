#!/usr/bin/env bash
# `ttq decode --jsonl` and `ttq book --jsonl` through the real binary equal the generator's truth.
set -euo pipefail
ttq=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$ttq" gen --out "$dir/c.pcapng" --pcapng --events 2000 --seed 9 --reorder 0.05 --loss-a 0.03 \
  --vlan 0.2 --truth-decode "$dir/truth_decode.jsonl" --truth-book "$dir/truth_book.jsonl" > /dev/null
"$ttq" decode "$dir/c.pcapng" --jsonl > "$dir/decode.jsonl" 2> /dev/null
"$ttq" book "$dir/c.pcapng" --jsonl > "$dir/book.jsonl" 2> /dev/null
[[ -s "$dir/decode.jsonl" && -s "$dir/book.jsonl" ]]
cmp "$dir/decode.jsonl" "$dir/truth_decode.jsonl"
cmp "$dir/book.jsonl" "$dir/truth_book.jsonl"
# Exactly the documented keys, in order.
head -1 "$dir/decode.jsonl" | grep -Eq '^\{"seq":[0-9]+,"msg":[0-9]+,"entry":[0-9]+,"template":46,"security_id":[0-9]+,"rpt_seq":[0-9]+,"price":(-?[0-9]+|null),"price_exp":-9,"size":([0-9]+|null),"orders":([0-9]+|null),"level":[0-9]+,"action":[0-5],"type":"[01EFJ]"\}$'
head -1 "$dir/book.jsonl" | grep -Eq '^\{"seq":[0-9]+,"security_id":[0-9]+,"bid_px":(-?[0-9]+|null),"bid_sz":([0-9]+|null),"ask_px":(-?[0-9]+|null),"ask_sz":([0-9]+|null),"stale":(true|false)\}$'
if "$ttq" decode "$dir/c.pcapng" 2> /dev/null; then echo "decode without --jsonl accepted"; exit 1; fi
echo ok
