#!/usr/bin/env python3
"""Small pcap helper for the `ttq run` tests (standard library only, no scapy).

  pcaptool.py inject IN OUT        copy IN, adding bad wire input every 50 frames: runts (1 and 13
                                   bytes), a 9000-byte jumbo frame (IPv4 TCP), a jumbo IPv6
                                   frame, and UDP to a port no line uses. Each added frame has
                                   its predecessor's timestamp. Prints the counts as key=value.
  pcaptool.py damage IN OUT SEED P copy IN, damaging with probability P the first copy of each
                                   MsgSeqNum on the incremental lines (UDP ports 14310 / 15310):
                                   truncated inside the MDP payload after the MsgSeqNum (the IP
                                   and UDP headers still claim the whole packet), or one message
                                   made malformed (its size field overruns the packet). The
                                   other line's copy stays good. Prints the counts as key=value.
  pcaptool.py usec IN OUT          copy IN as a microsecond pcap (timestamps floored): DPDK's
                                   net_pcap hands microseconds, so a run and a replay of OUT see
                                   the very same times.
  pcaptool.py send IN IFACE        send every frame of IN out of IFACE (AF_PACKET, needs
                                   CAP_NET_RAW), pacing 1 in 64 frames with a short sleep.
"""
import socket
import struct
import sys
import time


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack_from("<I", data, 0)[0]
    if magic not in (0xA1B2C3D4, 0xA1B23C4D):
        raise SystemExit(f"{path}: not a little-endian pcap (magic {magic:#x})")
    hdr = data[:24]
    off, frames = 24, []
    while off + 16 <= len(data):
        sec, frac, caplen, wirelen = struct.unpack_from("<IIII", data, off)
        off += 16
        frames.append((sec, frac, wirelen, data[off:off + caplen]))
        off += caplen
    return hdr, frames


def write_pcap(path, hdr, frames):
    # Raise snaplen so the jumbo frames are kept whole.
    hdr = hdr[:16] + struct.pack("<I", 65535) + hdr[20:]
    with open(path, "wb") as f:
        f.write(hdr)
        for sec, frac, wirelen, b in frames:
            f.write(struct.pack("<IIII", sec, frac, len(b), max(wirelen, len(b))))
            f.write(b)


def ipv4(proto, payload, dst=bytes([224, 0, 31, 1])):
    total = 20 + len(payload)
    h = bytearray(struct.pack(">BBHHHBBH4s4s", 0x45, 0, total, 0, 0, 64, proto, 0,
                              bytes([10, 0, 0, 1]), dst))
    s = sum(struct.unpack(">10H", bytes(h)))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    struct.pack_into(">H", h, 10, ~s & 0xFFFF)
    return bytes(h) + payload


def eth(ethertype, payload):
    return bytes([1, 0, 0x5E, 0, 31, 1, 0, 0x1C, 0x73, 0, 0, 1]) + struct.pack(">H", ethertype) + payload


def bad_frames():
    tcp = struct.pack(">HHIIBBHHH", 40000, 14310, 1, 1, 5 << 4, 0x18, 65535, 0, 0)
    udp_wrong_port = struct.pack(">HHHH", 9999, 9999, 8 + 40, 0) + bytes(range(40))
    return {
        "runt": [bytes(1), bytes(13)],
        "jumbo": [eth(0x0800, ipv4(6, tcp + bytes(9000 - 14 - 20 - len(tcp)))),
                  eth(0x86DD, bytes(9000 - 14))],
        "wrong_port": [eth(0x0800, ipv4(17, udp_wrong_port))],
    }


def inject(src, dst):
    hdr, frames = read_pcap(src)
    out, counts = [], {"runt": 0, "jumbo": 0, "wrong_port": 0}
    bad = bad_frames()
    for i, fr in enumerate(frames):
        out.append(fr)
        if i % 50 == 49:
            for kind, lst in bad.items():
                for b in lst:
                    out.append((fr[0], fr[1], len(b), b))
                    counts[kind] += 1
    write_pcap(dst, hdr, out)
    print(" ".join(f"{k}={v}" for k, v in counts.items()), f"frames={len(out)}")


def udp_payload(b):
    """Offset of the UDP payload and the destination port of an IPv4 UDP frame, else None."""
    off = 12
    while len(b) >= off + 2 and b[off:off + 2] == b"\x81\x00":
        off += 4
    if len(b) < off + 2 or b[off:off + 2] != b"\x08\x00":
        return None
    ip = off + 2
    if len(b) < ip + 20 or b[ip] >> 4 != 4 or b[ip + 9] != 17:
        return None
    udp = ip + (b[ip] & 15) * 4
    if len(b) < udp + 8:
        return None
    return udp + 8, struct.unpack_from(">H", b, udp + 2)[0]


def damage(src, dst, seed, p):
    import random
    rng = random.Random(int(seed))
    p = float(p)
    hdr, frames = read_pcap(src)
    out, seen, counts = [], set(), {"truncated": 0, "malformed": 0}
    for sec, frac, wirelen, b in frames:
        u = udp_payload(b)
        if u is None or u[1] not in (14310, 15310) or len(b) < u[0] + 12:
            out.append((sec, frac, wirelen, b))
            continue
        at = u[0]
        seq = struct.unpack_from("<I", b, at)[0]
        first = seq not in seen
        seen.add(seq)
        if not first or rng.random() >= p:
            out.append((sec, frac, wirelen, b))
            continue
        msgs, off = [], at + 12
        while off + 2 <= len(b):
            size = struct.unpack_from("<H", b, off)[0]
            if size < 2:
                break
            msgs.append(off)
            off += size
        if rng.random() < 0.5 or not msgs:
            cut = rng.randint(at + 4, len(b) - 1)  # the MsgSeqNum present, some payload missing
            out.append((sec, frac, wirelen, b[:cut]))
            counts["truncated"] += 1
        else:
            m = rng.choice(msgs)
            bb = bytearray(b)
            struct.pack_into("<H", bb, m, 0xFFFF)  # overruns the packet: malformed from here
            out.append((sec, frac, wirelen, bytes(bb)))
            counts["malformed"] += 1
    write_pcap(dst, hdr, out)
    print(" ".join(f"{k}={v}" for k, v in counts.items()), f"frames={len(out)}")


def usec(src, dst):
    hdr, frames = read_pcap(src)
    nano = struct.unpack_from("<I", hdr, 0)[0] == 0xA1B23C4D
    hdr = struct.pack("<I", 0xA1B2C3D4) + hdr[4:]
    write_pcap(dst, hdr, [(s, f // 1000 if nano else f, w, b) for s, f, w, b in frames])


def send(src, iface):
    _, frames = read_pcap(src)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    sent = 0
    for i, (_, _, _, b) in enumerate(frames):
        if len(b) < 14:
            continue  # the kernel refuses frames shorter than an Ethernet header
        s.send(b)
        sent += 1
        if i % 64 == 63:
            time.sleep(0.002)  # let the receiver's ring drain: the test checks content, not speed
    print(f"sent={sent}")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "inject":
        inject(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 6 and sys.argv[1] == "damage":
        damage(*sys.argv[2:6])
    elif len(sys.argv) == 4 and sys.argv[1] == "usec":
        usec(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "send":
        send(sys.argv[2], sys.argv[3])
    else:
        raise SystemExit(__doc__)
