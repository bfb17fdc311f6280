#!/usr/bin/env python3
"""Logic levels between registers in a yosys synth_xilinx netlist (write_json), the way the
card's timing proxy counts them: every LUT, MUXF7/F8/F9 and LUT RAM read (address -> data) is one
level; a block RAM is a register (its read is synchronous: paths end at its inputs, start at its
outputs); a shift-register LUT (SRL16E/SRLC32E) ends paths at D/CE and its output is one level
from its address; carry chains (CARRY4/CARRY8) and inverters are transparent (on UltraScale+ a carry chain
is a few hundred ps, and Vivado folds inverters into LUTs). Paths start at FF outputs and module
inputs and end at FF D/CE/R/S pins, LUT RAM write pins (data, write enable, write address) and
module outputs. `ltp` cannot do this: it counts every CARRY4 and does not know FDRE or RAM32M16.

usage: lut_depth.py netlist.json [top] [--paths=N] [--luts-only]
  --luts-only: count LUTs and LUT RAM reads only (MUXF7/F8/F9 transparent too)
"""
import json
import sys
from collections import defaultdict

SEQ = ("FDRE", "FDSE", "FDCE", "FDPE")
# Block RAM reads are synchronous (the address is registered inside the primitive): its outputs
# start paths and its inputs end them, like a flip-flop's.
BRAM = ("RAMB18E2", "RAMB36E2", "RAMB18E1", "RAMB36E1")
# Shift-register LUTs: D shifts in on the clock (an endpoint); Q is a LUT read at address A (one
# level from A, like a LUT RAM read).
SRL = ("SRL16E", "SRLC16E", "SRLC32E")
TRANSPARENT = ("CARRY4", "CARRY8", "INV", "BUFG", "IBUF")


def ram_read_address(c, port):
    """The address pins a LUT RAM output is read at: DOx at ADDRx (RAM32M/RAM32M16/RAM64M/RAM64M8;
    ADDRH/ADDRD is also the write address, read by DOH/DOD only), DPO at DPRA, SPO at A. A path
    from another port's address (e.g. the write address) into DOx does not exist."""
    addr = [p for p in c["connections"] if p.startswith("ADDR")]
    if port.startswith("DO") and len(port) == 3 and ("ADDR" + port[2]) in c["connections"]:
        return ["ADDR" + port[2]]
    if port == "DPO":
        return [p for p in c["connections"] if p.startswith("DPRA")] or addr
    if port == "SPO" or port == "O":
        a = [p for p in c["connections"] if p == "A" or (p[0] == "A" and p[1:].isdigit())]
        return a or addr
    return addr


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n_paths = 5
    transparent = TRANSPARENT
    if "--luts-only" in sys.argv:
        transparent = TRANSPARENT + ("MUXF7", "MUXF8", "MUXF9")
    for a in sys.argv[1:]:
        if a.startswith("--paths="):
            n_paths = int(a.split("=", 1)[1])
    net = json.load(open(args[0]))
    mods = net["modules"]
    top = args[1] if len(args) > 1 else next(
        m for m, v in mods.items() if v.get("attributes", {}).get("top"))
    cells = mods[top]["cells"]
    names = {}  # bit -> a net name, public names first
    for nname, n in sorted(mods[top]["netnames"].items(), key=lambda x: x[1].get("hide_name", 0)):
        for i, b in enumerate(n["bits"]):
            if isinstance(b, int) and b not in names:
                names[b] = nname if len(n["bits"]) == 1 else f"{nname}[{i}]"

    driver = {}  # bit -> (cell, port)
    for cname, c in cells.items():
        for port, bits in c["connections"].items():
            if c["port_directions"].get(port) == "output":
                for b in bits:
                    if isinstance(b, int):
                        driver[b] = (cname, port)

    sys.setrecursionlimit(100000)
    memo = {}

    def depth(bit):
        """Levels from the nearest start point to `bit`, and the cell path."""
        if not isinstance(bit, int) or bit not in driver:
            return 0, (("IN", names.get(bit, str(bit))),)
        if bit in memo:
            return memo[bit]
        memo[bit] = (0, ())  # cycle guard (there are none in a synchronous netlist)
        cname, port = driver[bit]
        c = cells[cname]
        t = c["type"]
        if t in SEQ:
            r = (0, (("FD", names.get(bit, cname)),))
        elif t in BRAM:
            r = (0, ((t, cname),))
        else:
            if t.startswith("RAM"):
                ins = ram_read_address(c, port)
                w = 1
            elif t in SRL:
                ins = [p for p in c["connections"] if p.startswith("A")]
                w = 1
            else:
                ins = [p for p, d in c["port_directions"].items() if d == "input"]
                w = 0 if t in transparent else 1
            best = None
            for p in ins:
                for b in c["connections"][p]:
                    d = depth(b)
                    if best is None or d[0] > best[0]:
                        best = d
            best = best or (0, ())
            r = (best[0] + w, best[1] + ((t, cname),))
        memo[bit] = r
        return r

    ends = []  # (levels, end description, path)
    for cname, c in cells.items():
        t = c["type"]
        if t in SEQ:
            pins = [p for p in ("D", "CE", "R", "S", "CLR", "PRE") if p in c["connections"]]
        elif t in BRAM:
            pins = [p for p, d in c["port_directions"].items()
                    if d == "input" and not p.startswith("CLK")]
        elif t in SRL:
            pins = [p for p in ("D", "CE") if p in c["connections"]]
        elif t.startswith("RAM"):
            pins = [p for p in c["connections"] if p.startswith("DI") or p == "WE"
                    or p == "ADDRH" or p == "WADR"]
        elif t == "OBUF":
            pins = ["I"]
        else:
            continue
        for p in pins:
            for b in c["connections"][p]:
                d, path = depth(b)
                q = c["connections"].get("Q", [None])[0] if t in SEQ else b
                ends.append((d, f"{t} {names.get(q, cname)} ({p})", path))
    ends.sort(key=lambda e: -e[0])
    hist = defaultdict(int)
    for e in ends:
        hist[e[0]] += 1
    print(f"{top}: {len(ends)} register/RAM/output endpoint pins")
    what = "LUT + LUT RAM read" if transparent != TRANSPARENT else "LUT + MUXF + LUT RAM read"
    print(f"levels histogram ({what}; carry chains transparent):")
    for k in sorted(hist):
        print(f"  {k:2d} levels: {hist[k]} pins")
    print(f"deepest {n_paths}:")
    for d, end, path in ends[:n_paths]:
        kinds = " > ".join(t for t, _ in path[1:] if t not in ("INV", "BUFG", "IBUF"))
        print(f"  {d} levels to {end[:90]}")
        print(f"      {kinds}")
        if path:
            print(f"      from {path[0][0]} {path[0][1][:100]}")


if __name__ == "__main__":
    main()
