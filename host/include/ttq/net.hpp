// L2-L4 stage: Ethernet (802.1Q tags) -> IPv4 (options) -> UDP. Finds the UDP payload of a frame
// or says exactly why the frame is not one we take. The card's header-check stage does the same.
#pragma once

#include <cstdint>

#include "ttq/wire.hpp"

namespace ttq {

// A frame as it comes from a capture, a NIC or the card's MAC.
struct Frame {
  const std::uint8_t* data;
  std::uint32_t len;       // bytes present (captured)
  std::uint32_t wire_len;  // bytes on the wire (> len when the capture truncated it)
  std::uint64_t ts_ns;     // capture / NIC timestamp
  bool bad_fcs = false;    // the MAC flagged a bad frame check sequence
};

enum class FrameDrop : std::uint8_t {
  kRunt = 0,         // shorter than an Ethernet header
  kNotIpv4,          // EtherType is not IPv4 (ARP, IPv6, ...)
  kBadIpHeader,      // IPv4 version != 4, IHL < 5, total length < header
  kBadIpChecksum,    // IPv4 header checksum does not verify
  kIpFragment,       // MF set or fragment offset != 0
  kNotUdp,           // IP protocol is not UDP
  kBadUdpLength,     // UDP length < 8 or beyond the IP payload
  kTruncated,        // fewer bytes present than the IP total length says (or capture snaplen)
  kBadFcs,           // the MAC flagged the frame bad
  kUnknownLine,      // UDP to an address/port that is not a configured line
  kCount
};
const char* to_string(FrameDrop d);

struct UdpView {
  const std::uint8_t* payload;
  std::uint32_t len;
  std::uint32_t src_ip;  // host byte order
  std::uint32_t dst_ip;
  std::uint16_t src_port;
  std::uint16_t dst_port;
};

// Returns FrameDrop::kCount when the frame holds a well-formed UDP datagram (written to out).
// Every frame of the feed goes through this, so the common shape (no VLAN tag, IPv4 without
// options, every check passing) is tried inline first; anything else -- a tag, options, any check
// that fails -- is decided by parse_udp_full, which makes every check in the documented order and
// names the first that fails. Both accept exactly the same frames with the same result.
FrameDrop parse_udp_full(const Frame& f, UdpView& out);

// The datagram's view once every check has passed (ip: the IPv4 header, udp: the UDP header).
inline void fill_udp_view(UdpView& out, const std::uint8_t* ip, const std::uint8_t* udp,
                     std::uint32_t udp_len) {
  out.payload = udp + 8;
  out.len = udp_len - 8;
  out.src_ip = load_be32(ip + 12);
  out.dst_ip = load_be32(ip + 16);
  out.src_port = load_be16(udp);
  out.dst_port = load_be16(udp + 2);
}


inline FrameDrop parse_udp(const Frame& f, UdpView& out) {
  const std::uint8_t* p = f.data;
  // 14 (Ethernet) + 20 (IPv4, IHL 5) + 8 (UDP); EtherType 0x0800 and version/IHL 0x45 in one
  // load (its fourth byte is the TOS, not checked).
  if (!f.bad_fcs && f.len >= 42 && (load_le<std::uint32_t>(p + 12) & 0x00FFFFFFu) == 0x00450008u)
      [[likely]] {
    const std::uint8_t* ip = p + 14;
    // One's-complement sum of the five header words read little-endian: byte order only swaps
    // the two bytes of the folded sum (RFC 1071), and a correct header folds to 0xFFFF either way.
    std::uint64_t sum = std::uint64_t{load_le<std::uint32_t>(ip)} + load_le<std::uint32_t>(ip + 4) +
                        load_le<std::uint32_t>(ip + 8) + load_le<std::uint32_t>(ip + 12) +
                        load_le<std::uint32_t>(ip + 16);
    sum = (sum & 0xFFFFFFFFu) + (sum >> 32);
    sum = (sum & 0xFFFFu) + (sum >> 16);
    sum = (sum & 0xFFFFu) + (sum >> 16);
    sum = (sum & 0xFFFFu) + (sum >> 16);
    const std::uint32_t total = load_be16(ip + 2);
    const std::uint8_t* udp = ip + 20;
    const std::uint32_t udp_len = load_be16(udp + 4);
    if (sum == 0xFFFFu && (load_be16(ip + 6) & 0x3FFFu) == 0 && ip[9] == 17 && total >= 28 &&
        f.len >= 14 + total && udp_len >= 8 && udp_len <= total - 20) [[likely]] {
      fill_udp_view(out, ip, udp, udp_len);
      return FrameDrop::kCount;
    }
  }
  // Through a copy: `out` never has its address taken here, so a caller's fields that are never
  // read (the source address and port, mostly) need not be computed and stored on the fast path.
  // Written only on success, like parse_udp_full writes it.
  UdpView full;
  const FrameDrop d = parse_udp_full(f, full);
  if (d == FrameDrop::kCount) out = full;
  return d;
}

// The header verdict of cut-through commit (docs/pipeline.md "Cut-through commit"): what a card
// that applies a packet as it streams knows at the packet's MsgSeqNum (its first 4 payload bytes),
// long before the frame's end. True when
//  - every check of parse_udp_full that the headers decide passes: the frame is checked as if it
//    were padded with zeros to the length its IPv4 header claims, and its FCS is ignored (so a
//    frame dropped later as bad_fcs or truncated can pass), and
//  - the MsgSeqNum is there: the UDP length is >= 12 (4 payload bytes) and the frame's first
//    P + 4 bytes are present, P being the payload's offset (h + 4*IHL + 8).
// Then out is filled as parse_udp_full fills it (out.len is the UDP header's length - 8, which a
// truncated frame may not hold); otherwise out is untouched. Pure; reads at most the first
// P + 4 <= 94 bytes of the frame. Which line the datagram is on (FastPath::find_line) and the
// arbiter's order are not part of it. The card's copy: ttq_l2l4's m_hdr_ok (docs/rtl_l2l4.md).
bool header_verdict(const Frame& f, UdpView& out);

// "a.b.c.d" -> host-order address; false on a malformed string.
bool parse_ipv4(const char* s, std::uint32_t& out);

}  // namespace ttq
