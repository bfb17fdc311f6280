#!/usr/bin/env bash
# ttq gen -> ttq replay end to end through the real binary: summary, quote and order files,
# determinism, and the error paths (bad capture, bad config, bad option).
set -euo pipefail
ttq=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
src=$(cd "$(dirname "$0")/../.." && pwd)

"$ttq" gen --out "$dir/c.pcap" --events 3000 --seed 3 --loss-a 0.02 --loss-b 0.02 --dup 0.02 \
  --garbage 0.05 --snapshot-every 200 > "$dir/gen.txt"
grep -q "wrote $dir/c.pcap" "$dir/gen.txt"

"$ttq" replay "$dir/c.pcap" --config "$src/ttq.toml" --quotes-jsonl "$dir/q1.jsonl" \
  --orders-jsonl "$dir/o1.jsonl" > "$dir/summary.txt"
for key in "frames" "duplicates dropped (A/B)" "gaps" "book entries" "stale events" "quotes" \
           "risk rejections" "peak RSS" "46 IncrementalRefreshBook"; do
  grep -qF "$key" "$dir/summary.txt" || { echo "summary lacks '$key'"; cat "$dir/summary.txt"; exit 1; }
done
# feed.commit's default ("auto") without the card's instrument table: verdict.
grep -Eq '^  commit +verdict \(feed.commit = auto\)$' "$dir/summary.txt" \
  || { echo "summary: commit mode"; cat "$dir/summary.txt"; exit 1; }
quotes=$(awk '$1 == "quotes" && NF == 2 {print $2}' "$dir/summary.txt")
[[ $quotes -gt 0 ]] || { echo "no quotes"; exit 1; }
[[ $(wc -l < "$dir/q1.jsonl") -eq $quotes ]] || { echo "quote file has $(wc -l < "$dir/q1.jsonl") lines, summary $quotes"; exit 1; }
head -1 "$dir/q1.jsonl" | grep -Eq '^\{"seq":[0-9]+,"security_id":[0-9]+,"level":0,"bid_px":-?[0-9]+,"bid_sz":[0-9]+,"ask_px":-?[0-9]+,"ask_sz":[0-9]+,"flags":[0-9]+\}$'
sent=$(awk '/orders sent to venue/ {print $5}' "$dir/summary.txt")
[[ $(wc -l < "$dir/o1.jsonl") -eq $sent ]] || { echo "order file lines != orders sent ($sent)"; exit 1; }

# Same capture, same config: byte-identical quotes.
"$ttq" replay "$dir/c.pcap" --config "$src/ttq.toml" --quotes-jsonl "$dir/q2.jsonl" > /dev/null
cmp "$dir/q1.jsonl" "$dir/q2.jsonl"

# Fixed instrument table (card mode): only the listed instrument is quoted, the others
# are counted as unknown, never created.
printf '[feed]\nfixed_instruments = true\n[[instrument]]\nsecurity_id = 100001\ntick = 5000000000\n' \
  > "$dir/fixed.toml"
"$ttq" replay "$dir/c.pcap" --config "$dir/fixed.toml" --quotes-jsonl "$dir/qf.jsonl" > "$dir/fixed.txt"
grep -Eq '^  unknown instruments +[1-9]' "$dir/fixed.txt"
# Card mode: feed.commit's default is the card's shipping mode, cut-through.
grep -Eq '^  commit +cut_through \(feed.commit = auto\)$' "$dir/fixed.txt" \
  || { echo "fixed table: commit mode"; cat "$dir/fixed.txt"; exit 1; }
[[ -s "$dir/qf.jsonl" ]] || { echo "fixed table: no quotes"; exit 1; }
if grep -v '"security_id":100001,' "$dir/qf.jsonl" | grep -q .; then
  echo "fixed table: a quote for an unlisted instrument"; exit 1
fi

# Errors: clear message, non-zero exit, no crash.
if "$ttq" replay "$dir/missing.pcap" 2> "$dir/err.txt"; then echo "missing capture accepted"; exit 1; fi
grep -q "cannot read capture '$dir/missing.pcap'" "$dir/err.txt"
printf '[quoter]\nlevles = 2\n' > "$dir/bad.toml"
set +e
"$ttq" replay "$dir/c.pcap" --config "$dir/bad.toml" 2> "$dir/err.txt"; rc=$?
set -e
[[ $rc -eq 2 ]] || { echo "bad config exit $rc"; exit 1; }
grep -q "unknown config key 'quoter.levles'" "$dir/err.txt"
if "$ttq" replay "$dir/c.pcap" --backend fpga 2> "$dir/err.txt"; then echo "bad backend accepted"; exit 1; fi
grep -q "unknown backend 'fpga'" "$dir/err.txt"
echo "not a capture" > "$dir/junk.pcap"
if "$ttq" replay "$dir/junk.pcap" 2> "$dir/err.txt"; then echo "junk capture accepted"; exit 1; fi
grep -q "cannot read capture" "$dir/err.txt"
echo ok
