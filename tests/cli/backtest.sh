#!/usr/bin/env bash
# ttq gen -> ttq backtest end to end through the real binary: a self-contained HTML report, KPI
# JSON that parses and holds every KPI key, byte-identical JSON on a re-run, every strategy, and
# the error paths (bad config key -> exit 2, missing capture -> exit 1).
set -euo pipefail
ttq=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
src=$(cd "$(dirname "$0")/../.." && pwd)

"$ttq" gen --out "$dir/c.pcap" --events 4000 --seed 11 > /dev/null

"$ttq" backtest "$dir/c.pcap" --config "$src/ttq.toml" --report "$dir/r.html" \
  --json "$dir/k1.json" --latency-json "$dir/lat.json" > "$dir/summary.txt"
grep -q "ttq backtest summary (strategy fixed" "$dir/summary.txt"
# ttq.toml has no fixed instrument table: feed.commit = "auto" resolves to verdict, and says so.
grep -Eq "^  commit +verdict \(feed.commit = auto\)$" "$dir/summary.txt"

# Self-contained: no scripts, nothing fetched from anywhere.
[[ -s "$dir/r.html" ]]
if grep -Eiq 'http|src=|<script|<link|@import|url\(' "$dir/r.html"; then
  echo "report references an external resource or a script"; grep -Eio '.{30}(http|src=|<script|<link|@import|url\().{30}' "$dir/r.html" | head; exit 1
fi
grep -q "<svg" "$dir/r.html"
# Summary table before the charts, and the definitions.
[[ $(grep -n "<h2>Summary" "$dir/r.html" | cut -d: -f1) -lt $(grep -n "<h2>Charts" "$dir/r.html" | cut -d: -f1) ]]
for d in "Two-sided uptime" "Quoted spread" "Depth within" "Max drawdown" "Tick-to-quote latency"; do
  grep -q "<dt>$d" "$dir/r.html" || { echo "report does not define '$d'"; exit 1; }
done

python3 -m json.tool "$dir/k1.json" > /dev/null
python3 -m json.tool "$dir/lat.json" > /dev/null
python3 - "$dir/k1.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
need = {"uptime": ["two_sided", "bid", "ask"],
        "quoted_spread": ["mean_ticks", "p50_ticks", "p90_ticks", "mean_bps", "p50_bps", "p90_bps"],
        "depth": ["within_1pct", "within_2pct"],
        "volume": ["lots", "notional", "market_lots", "share"],
        "fills": ["count", "orders_accepted", "orders_filled", "fill_rate"],
        "pnl": ["realised", "unrealised", "fees", "net", "max_drawdown"]}
for scope in [d["overall"]] + d["instruments"]:
    for k, sub in need.items():
        for s in sub:
            assert s in scope[k], (k, s)
for i in d["instruments"]:
    for s in ["start", "final", "max", "min", "mean_abs"]:
        assert s in i["inventory"], s
assert len(d["instruments"]) == 4, len(d["instruments"])
assert "by_reason" in d["risk_rejections"] and "price_collar" in d["risk_rejections"]["by_reason"]
assert d["run"]["orders_sent"] > 0
assert 0 <= d["overall"]["uptime"]["two_sided"] <= 1
assert "latency" not in json.dumps(d)
PY

# Same capture, same config: byte-identical JSON.
"$ttq" backtest "$dir/c.pcap" --config "$src/ttq.toml" --report "$dir/r2.html" \
  --json "$dir/k2.json" > /dev/null
cmp "$dir/k1.json" "$dir/k2.json"

for s in avellaneda_stoikov glft; do
  "$ttq" backtest "$dir/c.pcap" --config "$src/ttq.toml" --strategy $s --report "$dir/$s.html" \
    --json "$dir/$s.json" > /dev/null
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['run']['strategy']==sys.argv[2]" "$dir/$s.json" $s
done

# Errors: exit 2 naming the key; exit 1 for an unreadable capture.
printf '[backtest]\nqueue_modle = "conservative"\n' > "$dir/bad.toml"
set +e
"$ttq" backtest "$dir/c.pcap" --config "$dir/bad.toml" --report "$dir/x.html" 2> "$dir/err.txt"; rc=$?
set -e
[[ $rc -eq 2 ]] || { echo "bad config exit $rc"; exit 1; }
grep -q "unknown config key 'backtest.queue_modle'" "$dir/err.txt"
set +e
"$ttq" backtest "$dir/missing.pcap" --report "$dir/x.html" 2> "$dir/err.txt"; rc=$?
set -e
[[ $rc -eq 1 ]] || { echo "missing capture exit $rc"; exit 1; }
grep -q "missing.pcap" "$dir/err.txt"
echo ok
