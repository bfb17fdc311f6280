#!/usr/bin/env bash
# Synthesis report of the card: runs yosys on every block script in hw/syn/*.ys and on the whole
# core (hw/syn/core.ys), extracts the resources (FF / LUT / LUT RAM / SRL / CARRY / MUXF / BRAM /
# DSP), yosys' `ltp` and syn/lut_depth.py's logic levels, and regenerates docs/synthesis.md.
# Too slow for CI on 2 cores (tens of minutes): run it by hand after an RTL change.
#
# usage: scripts/syn_report.sh [-j JOBS] [-t TIMEOUT_S] [-o OUT_DIR] [--no-core] [--render-only]
#                              [NAME ...]
#   NAME      only these scripts (e.g. apply core); the others keep their last results in OUT_DIR
#   -j JOBS   yosys runs in parallel (default 1: each takes a core and up to a few GB)
#   -t SEC    stop a run after SEC seconds and report it as timed out (default 3600)
#   -o DIR    logs, netlists and per-run results (default build-syn)
#   --render-only  no yosys: rewrite docs/synthesis.md from the results in OUT_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
CMDLINE="scripts/syn_report.sh${*:+ $*}"

JOBS=1
TIMEOUT=3600
OUT=build-syn
CORE=1
RENDER_ONLY=0
NAMES=()
while (($#)); do
  case "$1" in
    -j) JOBS=$2; shift 2 ;;
    -t) TIMEOUT=$2; shift 2 ;;
    -o) OUT=$2; shift 2 ;;
    --no-core) CORE=0; shift ;;
    --render-only) RENDER_ONLY=1; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    -*) echo "syn_report: unknown option $1" >&2; exit 2 ;;
    *) NAMES+=("${1%.ys}"); shift ;;
  esac
done
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
if ! command -v yosys > /dev/null; then
  echo "syn_report: yosys not found (scripts/deps.sh installs it)" >&2
  exit 1
fi

# The core is synthesised only once ttq_core.sv is in hw/ttq.f, from the same file list.
core_ready() {
  grep -qx 'rtl/ttq_core.sv' hw/ttq.f && [[ -f hw/rtl/ttq_core.sv ]]
}
core_files_match() {
  local f y
  f=$(grep -E '^rtl/.*\.sv$' hw/ttq.f | tr '\n' ' ')
  y=$(sed -n 's/^read_verilog -sv //p' hw/syn/core.ys | tr '\n' ' ' | tr -s ' ')
  [[ "${f% }" == "${y% }" ]]
}

ALL=()
for f in hw/syn/*.ys; do
  b=$(basename "$f" .ys)
  [[ $b == core ]] || ALL+=("$b")
done
ALL+=(core)
if ((${#NAMES[@]} == 0)); then NAMES=("${ALL[@]}"); fi

# One yosys run: the block's own script, then the same three reports for every block.
LTP_SEL='w:* t:* %u t:FD* %d t:SRL* %d t:RAM* %d t:IBUF %d t:OBUF %d t:BUFG %d'
run_one() {
  local b=$1 t0 t1 rc load
  rm -f "$OUT/$b".{stat,ltp,json,levels,levels_luts,time,rc,skip}
  t0=$(date +%s)
  load=$(cut -d' ' -f1 /proc/loadavg 2> /dev/null || echo '?')
  set +e
  local reports="tee -q -o $OUT/$b.stat stat -tech xilinx;"
  reports+=" tee -q -o $OUT/$b.ltp ltp -noff $LTP_SEL; write_json $OUT/$b.json"
  (cd hw && /usr/bin/time -f '%e %U %M' -o "$OUT/$b.time" timeout "$TIMEOUT" \
    yosys -q -l "$OUT/$b.log" -s "syn/$b.ys" -p "$reports" > /dev/null 2>&1)
  rc=$?
  set -e
  t1=$(date +%s)
  echo "$rc $t0 $t1 $load" > "$OUT/$b.rc"
  if ((rc == 0)); then
    python3 hw/syn/lut_depth.py "$OUT/$b.json" --paths=1 > "$OUT/$b.levels"
    python3 hw/syn/lut_depth.py "$OUT/$b.json" --paths=1 --luts-only > "$OUT/$b.levels_luts"
    rm -f "$OUT/$b.json"  # up to hundreds of MB
    echo "syn_report: $b done in $((t1 - t0)) s"
  elif ((rc == 124)); then
    echo "syn_report: $b timed out after $TIMEOUT s (log: $OUT/$b.log)"
  else
    echo "syn_report: $b failed, exit $rc (log: $OUT/$b.log):"
    grep -m3 -E 'ERROR|error' "$OUT/$b.log" | sed 's/^/    /' || true
  fi
}

if ((RENDER_ONLY)); then
  NAMES=()
  CMDLINE=$(cat "$OUT/last_cmd" 2> /dev/null || echo "$CMDLINE")
else
  echo "$CMDLINE" > "$OUT/last_cmd"
fi
echo "syn_report: $(yosys -V), ${#NAMES[@]} run(s), $JOBS at a time, timeout $TIMEOUT s, out $OUT"
for b in ${NAMES[@]+"${NAMES[@]}"}; do
  if [[ ! -f hw/syn/$b.ys ]]; then echo "syn_report: no hw/syn/$b.ys" >&2; exit 2; fi
  if [[ $b == core ]]; then
    if ((CORE == 0)); then continue; fi
    if ! core_ready; then
      echo "syn_report: note: rtl/ttq_core.sv is not in hw/ttq.f yet: the core is skipped"
      echo "not in hw/ttq.f" > "$OUT/core.skip"
      continue
    fi
    if ! core_files_match; then
      echo "syn_report: note: hw/syn/core.ys does not read hw/ttq.f's RTL files (in order):" \
           "update its read_verilog lines"
    fi
  fi
  run_one "$b" &
  while (($(jobs -rp | wc -l) >= JOBS)); do wait -n || true; done
done
wait

# docs/synthesis.md from every result in OUT (this run's and earlier ones).
python3 - "$OUT" "$CMDLINE" "$TIMEOUT" "${ALL[@]}" > docs/synthesis.md <<'PY'
import os, re, subprocess, sys, time
out, cmdline, timeout, names = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
rel = os.path.relpath(out)  # the log paths as seen from the repository root

def sh(c):
    try:
        return subprocess.run(c, shell=True, capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""

def read(p):
    try:
        return open(p).read()
    except OSError:
        return None

def cells(stat):
    c = {}
    for m in re.finditer(r"^\s+(\w+)\s+(\d+)\s*$", stat, re.M):
        if not m.group(1).startswith("Number"):
            c[m.group(1)] = int(m.group(2))
    return c

def total(c, pred):
    return sum(v for k, v in c.items() if pred(k))

def levels(txt):
    m = re.search(r"deepest \d+:\n\s+(\d+) levels to (.*)\n\s+(.*)\n\s+from (.*)", txt or "")
    return (int(m.group(1)), m.group(2).strip(), m.group(4).strip()) if m else None

cpu = sh("lscpu | sed -n 's/^Model name: *//p'") or "?"
mem = sh("free -g | awk '/^Mem:/ {print $2}'")
host = f"{os.cpu_count()} x {cpu}, {mem} GB RAM, {sh('uname -sr')}"
yv = sh("yosys -V")
rows, details = [], []
total_wall, total_cpu = 0, 0
for b in names:
    rc = read(f"{out}/{b}.rc")
    skip = read(f"{out}/{b}.skip")
    if rc is None:
        why = f"skipped: ttq_core.sv {skip.strip()}" if skip else "not run yet"
        rows.append(f"| {b} | {why} |" + " |" * 11)
        continue
    f = rc.split()
    code, t0, t1 = int(f[0]), int(f[1]), int(f[2])
    load = f[3] if len(f) > 3 else "?"
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(t1))
    tm = (read(f"{out}/{b}.time") or "").split()
    wall = f"{t1 - t0} s"
    cpu_s = f"{float(tm[-2]):.0f} s" if len(tm) >= 3 and code == 0 else "?"
    total_wall += t1 - t0
    total_cpu += int(float(tm[-2])) if len(tm) >= 3 and code == 0 else 0
    rss = f"{int(tm[-1]) / 1e6:.1f} GB" if len(tm) >= 3 and code == 0 else "?"
    if code != 0:
        what = f"timed out after {timeout} s" if code == 124 else f"failed (exit {code})"
        err = re.search(r"^.*ERROR.*$", read(f"{out}/{b}.log") or "", re.M)
        if err and code != 124:
            what += ": `" + err.group(0).strip().replace("|", "/")[:120] + "`"
        rows.append(f"| {b} | {what}, see {rel}/{b}.log |" + " |" * 9
                    + f" {wall} (load {load}) | {when} |")
        continue
    c = cells(read(f"{out}/{b}.stat") or "")
    ff = total(c, lambda k: k.startswith("FD"))
    lut = total(c, lambda k: re.fullmatch(r"LUT[1-6]", k) is not None)
    lutram = total(c, lambda k: re.match(r"RAM(16|32|64|128|256|512)", k) is not None)
    srl = total(c, lambda k: k.startswith("SRL"))
    carry = total(c, lambda k: k.startswith("CARRY"))
    muxf = total(c, lambda k: k.startswith("MUXF"))
    b36, b18 = c.get("RAMB36E2", 0), c.get("RAMB18E2", 0)
    bram = f"{b36 + b18 / 2:g}"
    dsp = total(c, lambda k: k.startswith("DSP"))
    uram = c.get("URAM288", 0)
    m = re.search(r"length=(\d+)", read(f"{out}/{b}.ltp") or "")
    ltp = m.group(1) if m else "?"
    lv = levels(read(f"{out}/{b}.levels"))
    lvl = levels(read(f"{out}/{b}.levels_luts"))
    rows.append(f"| {b} | {ff:,} | {lut:,} | {lutram} | {srl} | {carry:,} | {muxf:,} | {bram}"
                f"{f' + {uram} URAM' if uram else ''} | {dsp} | {ltp} | "
                f"{lv[0] if lv else '?'} / {lvl[0] if lvl else '?'} | {wall} ({cpu_s} CPU, "
                f"{rss}; load {load}) | {when} |")
    det = [f"### {b}", "", f"`hw/syn/{b}.ys`; log `{rel}/{b}.log`.", "",
           "| cell | count |", "|---|---|"]
    det += [f"| {k} | {v:,} |" for k, v in sorted(c.items()) if k not in ("IBUF", "OBUF", "BUFG")]
    det.append(f"| I/O buffers (IBUF / OBUF) | {c.get('IBUF', 0):,} / {c.get('OBUF', 0):,} |")
    det.append("")
    if lv:
        det.append(f"Deepest path, LUT + MUXF levels: {lv[0]}, to {lv[1]}, from {lv[2]}.")
    if lvl:
        det.append(f"Deepest path, LUT levels only: {lvl[0]}, to {lvl[1]}, from {lvl[2]}.")
    details += det + [""]

print(f"""# Synthesis report (yosys, UltraScale+)

Generated from the repository root by `scripts/syn_report.sh` (do not edit: re-run it after an
RTL change). Last invocation:

    {cmdline}

A run of some of the scripts keeps the other rows' results (from {rel}/); each row says when
it ran. Each row is one yosys run of `hw/syn/<name>.ys` (`synth_xilinx -family xcup -flatten`,
the block's default parameters; `core` is the whole card, ttq_core, from hw/ttq.f's files)
followed by `stat -tech xilinx`, `ltp -noff` over the combinational cells and `write_json`
for hw/syn/lut_depth.py.

- yosys: {yv}
- machine: {host}
- report written: {time.strftime('%Y-%m-%d %H:%M %Z')}

These are yosys estimates, not Vivado results: no placement, no timing. Columns:
FF = FDRE/FDSE/FDCE/FDPE; LUT = LUT1..LUT6 (not counting LUT RAM or SRL); LUT RAM = RAM32M16 /
RAM64M8 / ... cells (8 LUTs each for RAM32M16); BRAM in 36 Kb blocks (RAMB18 = 0.5);
ltp = yosys' longest path in cells between registers, every CARRY4 counted (4 bits each);
levels = hw/syn/lut_depth.py, LUT + MUXF7/8/9 levels / LUT levels only, carry chains
transparent, a LUT RAM read counted as a level (the card's target is 6).

| block | FF | LUT | LUT RAM | SRL | CARRY | MUXF | BRAM | DSP | ltp | levels | yosys wall time | run |
|---|---|---|---|---|---|---|---|---|---|---|---|---|""")
print("\n".join(rows))
print(f"""
Time: the wall times above are this machine's, with whatever else ran on it at the time (the
load average when the run started is given; the CPU time is yosys' own). One run at a time,
the whole report takes the sum of the wall times:

- here: {total_wall // 60} min {total_wall % 60:02d} s wall, {total_cpu // 60} min \
{total_cpu % 60:02d} s of yosys CPU.

That is why the synthesis is not part of CI (.ci/run): run `scripts/syn_report.sh` by hand after
an RTL change (`-j 2` runs two at a time, worth it on an idle 2-core machine;
`scripts/syn_report.sh core` re-runs only the core and keeps the other rows).

## Per block
""")
print("\n".join(details).rstrip())
PY
echo "syn_report: wrote docs/synthesis.md"
