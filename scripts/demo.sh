#!/usr/bin/env bash
# README's first command: install, build (Release), generate a small capture, replay it through
# the software backend and print the summary, quotes and orders to build-release/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake --preset release > /dev/null
cmake --build --preset release
out=build-release/demo
mkdir -p "$out"
build-release/ttq gen --out "$out/demo.pcap" --seed 7 --instruments 4 --events 20000 \
  --loss-a 0.01 --loss-b 0.01 --loss-both 0.001 --dup 0.01 --reorder 0.01 --garbage 0.01 \
  --snapshot-every 500
build-release/ttq replay "$out/demo.pcap" --config ttq.toml \
  --quotes-jsonl "$out/quotes.jsonl" --orders-jsonl "$out/orders.jsonl"
echo "quotes: $out/quotes.jsonl  orders: $out/orders.jsonl"
