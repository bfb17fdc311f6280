#!/usr/bin/env bash
# The operator API end to end through the real binaries: `ttq keys init` (0600 file, a group-
# readable one refused by `ttq run`), `ttq run --api` over a net_pcap capture, `ttq ctl` (key from
# a file and from the environment: create a key, status, params set, kill halted), a request
# signed by the docs/api.md shell recipe (openssl dgst + curl) served once and refused as a
# replay, then `ttq audit verify` on the log: ok, and naming the record after an edit.
# Exit 77 (skipped) when ttq was built without DPDK (no `ttq run`).
set -euo pipefail
ttq=$1
dir=$(mktemp -d)
pid=""
cleanup() { [[ -n "$pid" ]] && kill "$pid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
eal=(-l 0 --no-huge --no-pci -m 256 --no-shconf --no-telemetry "--log-level=*:error")

# Offline parts first: the key file.
"$ttq" keys init --file "$dir/keys" --credentials "$dir/admin.cred" > "$dir/init.txt"
[[ $(stat -c %a "$dir/keys") == 600 && $(stat -c %a "$dir/admin.cred") == 600 ]]
grep -q '^TTQ_KEY_ID=k_[0-9a-f]\{16\}$' "$dir/init.txt"
grep -q '^TTQ_KEY_SECRET=[A-Za-z0-9_-]\{43\}$' "$dir/init.txt"
if "$ttq" keys init --file "$dir/keys" > /dev/null 2>&1; then echo "init overwrote"; exit 1; fi
"$ttq" keys list --file "$dir/keys" | grep -q admin
if "$ttq" keys list --file "$dir/keys" | grep -qF -- "$(sed -n "s/^TTQ_KEY_SECRET=//p" "$dir/init.txt")"; then
  echo "secret listed"; exit 1
fi

"$ttq" gen --out "$dir/c.pcap" --events 500 --seed 3 > /dev/null
set +e
"$ttq" run --idle-exit 1 -- "${eal[@]}" "--vdev=net_pcap0,rx_pcap=$dir/c.pcap" > /dev/null \
  2> "$dir/probe.txt"
set -e
if grep -q "not built into this ttq" "$dir/probe.txt"; then
  echo "SKIP: $(cat "$dir/probe.txt")"; exit 77
fi
port=$(( 20000 + RANDOM % 20000 ))
# exec: a backgrounded call's $! is then ttq itself, not a subshell around it.
run_api() {
  exec "$ttq" run --api "127.0.0.1:$port" --keys "$dir/keys" --api-audit "$dir/audit.jsonl" \
    --idle-exit 60000 -- "${eal[@]}" "--vdev=net_pcap0,rx_pcap=$dir/c.pcap" "$@"
}

# A group-readable key file is refused.
chmod 640 "$dir/keys"
if (run_api > /dev/null 2> "$dir/refused.txt"); then echo "ran with a 0640 key file"; exit 1; fi
grep -q "group or others" "$dir/refused.txt"
chmod 600 "$dir/keys"

run_api > "$dir/run.out" 2> "$dir/run.err" &
pid=$!
for _ in $(seq 100); do grep -q "listening on" "$dir/run.err" && break; sleep 0.1; done
grep -q "listening on http://127.0.0.1:$port" "$dir/run.err"
export TTQ_API_URL="http://127.0.0.1:$port"

# Admin key from a file: create an operator key (secret shown once).
"$ttq" ctl --key-file "$dir/admin.cred" keys create --scope read,trade,risk > "$dir/op.json"
id=$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["id"])' "$dir/op.json")
secret=$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["secret"])' "$dir/op.json")
# The admin key has no read scope.
if "$ttq" ctl --key-file "$dir/admin.cred" status > /dev/null 2>&1; then echo "admin read"; exit 1; fi

# Operator key from the environment.
export TTQ_KEY_ID=$id TTQ_KEY_SECRET=$secret
"$ttq" ctl status | grep -q '"backend":"sw"'
"$ttq" ctl params set quoter.bid_offset_ticks=2 > "$dir/params.json"
grep -q '"quoter.bid_offset_ticks":{"from":0,"to":2}' "$dir/params.json"
"$ttq" ctl params get | grep -q '"quoter.bid_offset_ticks":2'
"$ttq" ctl kill halted | grep -q '"state":"HALTED"'
"$ttq" ctl status | grep -q '"kill_state":"HALTED"'
"$ttq" ctl metrics | grep -q '^ttq_kill_state{state="HALTED"} 1$'
if "$ttq" ctl keys list > /dev/null 2>&1; then echo "operator key reached admin"; exit 1; fi

# docs/api.md's shell recipe: openssl computes the signature, curl sends it; the same request
# twice is served once.
b64=$(printf '%s' "$secret" | tr '_-' '/+')
while (( ${#b64} % 4 )); do b64+='='; done
hexkey=$(printf '%s' "$b64" | base64 -d | od -An -v -tx1 | tr -d ' \n')
ts=$(date +%s%3N)
nonce=$(openssl rand -hex 16)
body='{"state":"REDUCING"}'
body_hash=$(printf '%s' "$body" | openssl dgst -sha256 | awk '{print $NF}')
sig=$(printf 'TTQ1\n%s\n%s\n%s\n%s\n%s\n%s' "$ts" "$nonce" POST /v1/kill "" "$body_hash" |
      openssl dgst -sha256 -mac HMAC -macopt "hexkey:$hexkey" | awk '{print $NF}')
send() {
  curl -sS -o "$dir/resp.json" -w '%{http_code}' -X POST "$TTQ_API_URL/v1/kill" \
    -H "TTQ-Key-Id: $id" -H "TTQ-Timestamp: $ts" -H "TTQ-Nonce: $nonce" \
    -H "TTQ-Signature: $sig" -H 'Content-Type: application/json' --data-binary "$body"
}
[[ $(send) == 200 ]]
grep -q '"state":"REDUCING"' "$dir/resp.json"
[[ $(send) == 401 ]]
grep -qx '{"error":"unauthorized","code":"unauthorized"}' "$dir/resp.json"

kill -TERM "$pid"
wait "$pid"
pid=""
grep -q "reason=replay" "$dir/run.err"

"$ttq" audit verify "$dir/audit.jsonl" | grep -q "ok, 7 records"
grep -q '"reason":"replay"' "$dir/audit.jsonl"
if grep -qF -- "$secret" "$dir/audit.jsonl" "$dir/run.err" "$dir/run.out"; then
  echo "secret leaked into a log"; exit 1
fi
# Edit the third record: verify names it.
sed -i '3s/"status":200/"status":201/' "$dir/audit.jsonl"
if "$ttq" audit verify "$dir/audit.jsonl" > "$dir/verify.txt"; then echo "edit not detected"; exit 1; fi
grep -q "BROKEN at record 3 (line 3)" "$dir/verify.txt"
echo "api: ok"
