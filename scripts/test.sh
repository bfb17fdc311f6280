#!/usr/bin/env bash
# README's test command, and what CI runs: install, build with warnings as errors, run every test
# (unit, round trip, CLI, allocation check), then fuzz each parser for a bounded time.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake --preset ci
cmake --build --preset ci
ctest --preset ci
scripts/fuzz.sh "${TTQ_FUZZ_SECONDS:-30}"
