#!/usr/bin/env bash
# Builds ttq.xclbin for an Alveo platform. UNTRIED here: needs Vivado + Vitis (v++) and the
# platform, none of which are on the development machines (docs/card.md, "What was tried").
# Usage: hw/syn/vitis/build_xclbin.sh <platform, e.g. xilinx_u250_gen3x16_xdma_4_1_202210_1> [out]
set -euo pipefail
platform=$1
out=${2:-ttq.xclbin}
cd "$(dirname "$0")/../.."     # hw/
part=$(platforminfo -p "$platform" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["hardwarePlatform"]["board"]["part"])')
vivado -mode batch -source syn/vitis/package_kernel.tcl -tclargs "$part" build_xo/ttq_kernel.xo
v++ -c -t hw --platform "$platform" -k ttq_mm2s -o build_xo/ttq_mm2s.xo syn/vitis/movers.cpp
v++ -c -t hw --platform "$platform" -k ttq_s2mm -o build_xo/ttq_s2mm.xo syn/vitis/movers.cpp
v++ -l -t hw --platform "$platform" --config syn/vitis/link.cfg -o "$out" \
  build_xo/ttq_kernel.xo build_xo/ttq_mm2s.xo build_xo/ttq_s2mm.xo
echo "wrote $out: set [card] xclbin in ttq.toml, then ttq run --backend xrt"
