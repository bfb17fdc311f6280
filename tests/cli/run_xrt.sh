#!/usr/bin/env bash
# `ttq run --backend xrt` on a machine without a card: exits non-zero within one second (measured
# here, EAL never started) with one message naming the missing piece -- with XILINX_XRT unset, and
# with it set but no card/core library. Exit 77 (skipped) when ttq has neither run nor XRT.
set -euo pipefail
ttq=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
eal=(--no-huge --no-pci -m 256 --no-shconf --no-telemetry "--log-level=*:error" -l 0 --vdev=net_null0)

try() {  # label, env assignments...
  local label=$1; shift
  local t0 t1 rc
  t0=$(date +%s%N)
  set +e
  env "$@" "$ttq" run --backend xrt --idle-exit 100 -- "${eal[@]}" > "$dir/out.txt" 2> "$dir/err.txt"
  rc=$?
  set -e
  t1=$(date +%s%N)
  ms=$(( (t1 - t0) / 1000000 ))
  echo "$label: exit $rc in $ms ms: $(cat "$dir/err.txt")"
  [[ $rc -ne 0 ]] || { echo "$label: xrt without a card succeeded"; exit 1; }
  [[ $ms -lt 1000 ]] || { echo "$label: took $ms ms (limit 1000)"; exit 1; }
  [[ $(wc -l < "$dir/err.txt") -eq 1 ]] || { echo "$label: not one message"; exit 1; }
}

if ! "$ttq" run --help > /dev/null 2>&1; then echo "ttq has no run command"; exit 1; fi
try probe -u XILINX_XRT
if grep -q "not built into this ttq" "$dir/err.txt"; then
  echo "SKIP: $(cat "$dir/err.txt")"; exit 77
fi
grep -q "xrt backend: the XRT runtime is not set up (XILINX_XRT is not set)" "$dir/err.txt"

# XILINX_XRT set, but no card (and Debian ships no card runtime): names the library or the device.
try no-card XILINX_XRT=/usr
grep -Eq "xrt backend: (the XRT core library \(libxrt_core\) cannot be loaded|no card at XRT device index 0)" \
  "$dir/err.txt"

# A card cannot be reached before the config is: an xclbin path is only looked at after the device.
printf '[card]\nxclbin = "/nonexistent/ttq.xclbin"\ndevice = 0\nkernel = "ttq_kernel"\n' > "$dir/c.toml"
t0=$(date +%s%N)
set +e
XILINX_XRT=/usr "$ttq" run --backend xrt --config "$dir/c.toml" -- "${eal[@]}" 2> "$dir/err.txt"
rc=$?
set -e
[[ $rc -ne 0 ]] && [[ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 1000 ]]
grep -q "xrt backend:" "$dir/err.txt"
printf '[card]\nxclbn = "x"\n' > "$dir/bad.toml"
set +e
"$ttq" run --backend xrt --config "$dir/bad.toml" -- "${eal[@]}" 2> "$dir/err.txt"; rc=$?
set -e
[[ $rc -eq 2 ]] && grep -q "unknown config key 'card.xclbn'" "$dir/err.txt"
echo ok
