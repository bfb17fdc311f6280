#!/usr/bin/env bash
# Benchmark driver: builds build-bench (Release), runs the allocation check and the micro/end-to-end
# benchmarks (JSON in build-bench/bench.json), measures peak RSS of `ttq replay` on a ~10 MB and a
# ~1 GB generated capture, and prints the figures docs/performance.md reports.
#
# Repetitions of all benchmarks are interleaved at random, so a burst of load on this shared VM
# hits the raw scan and the replay alike and their ratio stays meaningful.
#
# Environment (all optional):
#   REPS=10               benchmark repetitions (medians are reported)
#   MIN_TIME=0.5          --benchmark_min_time per repetition, seconds
#   BENCH_EVENTS=200000   events of the capture the benchmarks generate (4 instruments, seed 1)
#   SMALL_EVENTS=32000    ~10 MB capture for the RSS comparison
#   LARGE_EVENTS=3300000  ~1 GB capture (needs ~1.1 GB free; deleted at the end)
#   SKIP_LARGE=1          skip the 1 GB capture
#   LARGE_REPS=3          repetitions of raw scan vs replay on the 1 GB capture (0 = skip)
#   BUILD_DIR=build-bench
set -euo pipefail
cd "$(dirname "$0")/.."

REPS=${REPS:-10}
MIN_TIME=${MIN_TIME:-0.5}
BENCH_EVENTS=${BENCH_EVENTS:-200000}
SMALL_EVENTS=${SMALL_EVENTS:-32000}
LARGE_EVENTS=${LARGE_EVENTS:-3300000}
SKIP_LARGE=${SKIP_LARGE:-0}
LARGE_REPS=${LARGE_REPS:-3}
BUILD_DIR=${BUILD_DIR:-build-bench}
CAPS="$BUILD_DIR/bench-captures"

echo "== build ($BUILD_DIR, Release)"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C "$BUILD_DIR" -j2 ttq ttq_bench ttq_alloc_check >/dev/null
TTQ="$BUILD_DIR/ttq"
mkdir -p "$CAPS"
rm -f "$BUILD_DIR/bench.json" "$BUILD_DIR/bench-large.json"
cleanup() { rm -f "$CAPS"/small.pcap "$CAPS"/large.pcap; }
trap cleanup EXIT

echo "== machine"
lscpu | grep -E '^(Model name|CPU\(s\)|Thread|Core|Hypervisor)' | sed 's/  */ /g'
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  kernel: $(uname -r)  load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo ' (+ local changes)')"

echo "== allocation check"
"$BUILD_DIR/bench/ttq_alloc_check"

echo "== benchmarks (repetitions $REPS, medians)"
"$BUILD_DIR/bench/ttq_bench" --events="$BENCH_EVENTS" --instruments=4 --seed=1 \
  --benchmark_repetitions="$REPS" --benchmark_min_time="$MIN_TIME" \
  --benchmark_enable_random_interleaving=true --benchmark_display_aggregates_only=true \
  --benchmark_out="$BUILD_DIR/bench.json" --benchmark_out_format=json

# peak_rss FILE -> "max_rss_kib seconds frames_per_s entries_per_s" from /usr/bin/time -v when
# installed (Debian package `time`), else from the VmHWM line ttq replay prints itself.
peak_rss() {
  local out="$CAPS/replay.txt" rss
  if [[ -x /usr/bin/time ]]; then
    /usr/bin/time -v "$TTQ" replay "$1" --no-progress >"$out" 2>"$CAPS/time.txt"
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$CAPS/time.txt")
  else
    "$TTQ" replay "$1" --no-progress >"$out"
    rss=$(awk '/peak RSS/ {print $3}' "$out")
  fi
  awk -v rss="$rss" '
    /^ +seconds/ {s=$2} /^ +frames +[0-9.]+ M\/s/ {f=$2} /^ +book entries +[0-9.]+ M\/s/ {e=$3}
    /^ +peak RSS/ {own=$3}
    END {print rss, own, s, f, e}' "$out"
}

need_mb() {  # need_mb MB: free space on the capture directory's filesystem
  local avail
  avail=$(df -Pm "$CAPS" | awk 'NR==2 {print $4}')
  echo "free space on $(df -P "$CAPS" | awk 'NR==2 {print $6}'): ${avail} MB (need $1 MB)"
  (( avail >= $1 ))
}

echo "== peak RSS of ttq replay"
"$TTQ" gen --out "$CAPS/small.pcap" --events "$SMALL_EVENTS" --instruments 4 --seed 1
read -r small_rss small_own small_s small_f small_e < <(peak_rss "$CAPS/small.pcap")
small_size=$(stat -c %s "$CAPS/small.pcap")
large_size=0 large_rss=- large_own=- large_s=- large_f=- large_e=-
if [[ "$SKIP_LARGE" != 1 ]] && need_mb 1400; then
  "$TTQ" gen --out "$CAPS/large.pcap" --events "$LARGE_EVENTS" --instruments 4 --seed 1
  large_size=$(stat -c %s "$CAPS/large.pcap")
  read -r large_rss large_own large_s large_f large_e < <(peak_rss "$CAPS/large.pcap")
  if (( LARGE_REPS > 0 )); then
    echo "== raw scan vs replay on the large capture (repetitions $LARGE_REPS)"
    "$BUILD_DIR/bench/ttq_bench" --capture="$CAPS/large.pcap" \
      --benchmark_filter='BM_(RawScan|Replay)' --benchmark_repetitions="$LARGE_REPS" \
      --benchmark_min_time=0.01 --benchmark_display_aggregates_only=true \
      --benchmark_out="$BUILD_DIR/bench-large.json" --benchmark_out_format=json
  fi
  rm -f "$CAPS/large.pcap"
fi

echo
echo "== summary"
python3 - "$BUILD_DIR/bench.json" "$BUILD_DIR/bench-large.json" "$SKIP_LARGE" "$LARGE_REPS" <<'EOF'
import json, os, sys

def medians(path):
    with open(path) as f:
        doc = json.load(f)
    return doc["context"], {b["run_name"]: b for b in doc["benchmarks"]
                            if b.get("aggregate_name") == "median"}

def ns(b, key):  # time per iteration in ns
    scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[b["time_unit"]]
    return b[key] * scale

ctx, m = medians(sys.argv[1])
print(f"capture: {int(ctx['capture_bytes'])/1e6:.1f} MB, {ctx['frames']} frames, "
      f"{ctx['book_entries']} book entries; medians of {m['BM_Decode']['repetitions']} repetitions")
print(f"{'benchmark':<14}{'ms/pass wall':>13}{'ms/pass cpu':>12}{'ns/entry wall':>14}"
      f"{'ns/entry cpu':>13}   per unit (wall / cpu), rates (wall)")
units = {"BM_Decode": "packets", "BM_Quote": "tops", "BM_FastPath": "frames",
         "BM_RawScan": "frames", "BM_Replay": "frames"}
for name in ["BM_Decode", "BM_Book", "BM_Quote", "BM_FastPath", "BM_RawScan", "BM_Replay"]:
    key = name + ("/real_time" if name in ("BM_RawScan", "BM_Replay") else "")
    b = m[key]
    e, wall, cpu = b["entries"], ns(b, "real_time"), ns(b, "cpu_time")
    other = ""
    u = units.get(name)
    if u:
        n = b[u]
        other = f"ns/{u[:-1]} {wall/n:.1f} / {cpu/n:.1f}"
        if u == "frames":
            other += f"; {n/wall*1e3:.2f} M frames/s, {e/wall*1e3:.2f} M entries/s"
    print(f"{name:<14}{wall/1e6:>13.2f}{cpu/1e6:>12.2f}{wall/e:>14.1f}{cpu/e:>13.1f}   {other}")
raw, rep = m["BM_RawScan/real_time"], m["BM_Replay/real_time"]
print(f"replay / raw scan (same run): wall {ns(rep,'real_time')/ns(raw,'real_time'):.2f}x, "
      f"cpu {ns(rep,'cpu_time')/ns(raw,'cpu_time'):.2f}x   (target <= 3x)")
fp = m["BM_FastPath"]
print(f"decode+book+quote (BM_FastPath): {ns(fp,'cpu_time')/fp['entries']:.1f} ns/entry cpu, "
      f"{ns(fp,'real_time')/fp['entries']:.1f} wall   (target <= 30)")
if sys.argv[3] != "1" and sys.argv[4] != "0" and os.path.exists(sys.argv[2]):
    ctx2, m2 = medians(sys.argv[2])
    raw, rep = m2["BM_RawScan/real_time"], m2["BM_Replay/real_time"]
    print(f"large capture ({int(ctx2['capture_bytes'])/1e6:.0f} MB): raw scan "
          f"{ns(raw,'real_time')/1e6:.0f} ms, replay {ns(rep,'real_time')/1e6:.0f} ms, "
          f"ratio wall {ns(rep,'real_time')/ns(raw,'real_time'):.2f}x, "
          f"cpu {ns(rep,'cpu_time')/ns(raw,'cpu_time'):.2f}x")
EOF
printf '%-8s %12s %16s %16s %10s %10s %12s\n' capture "file MB" "peak RSS KiB" "VmHWM KiB" seconds "frames M/s" "entries M/s"
mb() { awk -v b="$1" 'BEGIN {printf "%.1f", b / 1e6}'; }
printf '%-8s %12s %16s %16s %10s %10s %12s\n' small "$(mb "$small_size")" \
  "$small_rss" "$small_own" "$small_s" "$small_f" "$small_e"
if [[ "$large_size" != 0 ]]; then
  printf '%-8s %12s %16s %16s %10s %10s %12s\n' large "$(mb "$large_size")" \
    "$large_rss" "$large_own" "$large_s" "$large_f" "$large_e"
fi
