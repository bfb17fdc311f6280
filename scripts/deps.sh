#!/usr/bin/env bash
# Installs what ttq needs to build and test on Debian 12 (run as root, or with sudo available).
# Idempotent: a machine that has everything skips apt entirely.
set -euo pipefail
pkgs=(build-essential cmake ninja-build pkg-config libpcap-dev libfmt-dev libcli11-dev
      libtomlplusplus-dev catch2 libbenchmark-dev clang python3 verilator
      libdpdk-dev dpdk libxrt-dev libboost-dev libssl-dev python3-scapy iproute2
      nlohmann-json3-dev)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if (( ${#missing[@]} )); then
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "${missing[@]}"
fi
