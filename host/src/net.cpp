// L2-L4 header checks for every frame the pipeline sees.
#include "ttq/net.hpp"

#include <cstdio>

#include "ttq/wire.hpp"

namespace ttq {

namespace {

// One's-complement sum of the IPv4 header at `ip` (`ihl` bytes, a multiple of 4), 32 bits at a
// time, folded to 16 bits: the same sum as 16-bit words, in a quarter of the additions. A good
// header sums to 0xFFFF.
inline bool ipv4_checksum_ok(const std::uint8_t* ip, std::uint32_t ihl) {
  std::uint64_t sum = 0;
  for (std::uint32_t i = 0; i < ihl; i += 4) sum += load_be32(ip + i);
  sum = (sum & 0xFFFFFFFFu) + (sum >> 32);
  sum = (sum & 0xFFFFu) + (sum >> 16);
  sum = (sum & 0xFFFFu) + (sum >> 16);
  sum = (sum & 0xFFFFu) + (sum >> 16);
  return sum == 0xFFFFu;
}

}  // namespace

const char* to_string(FrameDrop d) {
  switch (d) {
    case FrameDrop::kRunt: return "runt";
    case FrameDrop::kNotIpv4: return "not_ipv4";
    case FrameDrop::kBadIpHeader: return "bad_ip_header";
    case FrameDrop::kBadIpChecksum: return "bad_ip_checksum";
    case FrameDrop::kIpFragment: return "ip_fragment";
    case FrameDrop::kNotUdp: return "not_udp";
    case FrameDrop::kBadUdpLength: return "bad_udp_length";
    case FrameDrop::kTruncated: return "truncated";
    case FrameDrop::kBadFcs: return "bad_fcs";
    case FrameDrop::kUnknownLine: return "unknown_line";
    case FrameDrop::kCount: break;
  }
  return "unknown";
}

FrameDrop parse_udp_full(const Frame& f, UdpView& out) {
  if (f.bad_fcs) return FrameDrop::kBadFcs;
  const std::uint8_t* p = f.data;
  const std::uint32_t n = f.len;
  if (n < 14) return f.wire_len > n ? FrameDrop::kTruncated : FrameDrop::kRunt;
  std::uint32_t off = 12;
  std::uint16_t ether_type = load_be16(p + off);
  for (int tags = 0; (ether_type == 0x8100 || ether_type == 0x88A8) && tags < 2; ++tags) {
    if (n < off + 6) return f.wire_len > n ? FrameDrop::kTruncated : FrameDrop::kRunt;
    off += 4;
    ether_type = load_be16(p + off);
  }
  off += 2;
  if (ether_type != 0x0800) return FrameDrop::kNotIpv4;
  if (n < off + 20) return f.wire_len > n ? FrameDrop::kTruncated : FrameDrop::kBadIpHeader;
  const std::uint8_t* ip = p + off;
  const std::uint32_t ihl = (ip[0] & 0x0Fu) * 4u;
  if ((ip[0] >> 4) != 4 || ihl < 20) return FrameDrop::kBadIpHeader;
  const std::uint32_t total = load_be16(ip + 2);
  if (total < ihl) return FrameDrop::kBadIpHeader;
  if (n < off + ihl) return FrameDrop::kTruncated;
  if (!ipv4_checksum_ok(ip, ihl)) return FrameDrop::kBadIpChecksum;
  if ((load_be16(ip + 6) & 0x3FFFu) != 0) return FrameDrop::kIpFragment;
  if (ip[9] != 17) return FrameDrop::kNotUdp;
  // Only now is the datagram known to be an unfragmented, intact UDP one that needs a UDP header.
  if (total < ihl + 8) return FrameDrop::kBadUdpLength;
  if (n < off + total) return FrameDrop::kTruncated;
  const std::uint8_t* udp = ip + ihl;
  const std::uint32_t udp_len = load_be16(udp + 4);
  if (udp_len < 8 || udp_len > total - ihl) return FrameDrop::kBadUdpLength;
  fill_udp_view(out, ip, udp, udp_len);
  return FrameDrop::kCount;
}

bool header_verdict(const Frame& f, UdpView& out) {
  const std::uint8_t* p = f.data;
  const std::uint32_t n = f.len;
  // The length checks of parse_udp_full are all implied by the last one here (P + 4 bytes
  // present); the ones before it only keep every read inside the frame.
  if (n < 14) return false;
  std::uint32_t off = 12;
  std::uint16_t ether_type = load_be16(p + off);
  for (int tags = 0; (ether_type == 0x8100 || ether_type == 0x88A8) && tags < 2; ++tags) {
    if (n < off + 6) return false;
    off += 4;
    ether_type = load_be16(p + off);
  }
  off += 2;
  if (ether_type != 0x0800 || n < off + 20) return false;
  const std::uint8_t* ip = p + off;
  const std::uint32_t ihl = (ip[0] & 0x0Fu) * 4u;
  const std::uint32_t total = load_be16(ip + 2);
  if ((ip[0] >> 4) != 4 || ihl < 20 || total < ihl) return false;
  if (n < off + ihl + 8 + 4) return false;  // the UDP header and the MsgSeqNum
  if (!ipv4_checksum_ok(ip, ihl)) return false;
  if ((load_be16(ip + 6) & 0x3FFFu) != 0 || ip[9] != 17 || total < ihl + 8) return false;
  const std::uint8_t* udp = ip + ihl;
  const std::uint32_t udp_len = load_be16(udp + 4);
  if (udp_len < 8 + 4 || udp_len > total - ihl) return false;
  fill_udp_view(out, ip, udp, udp_len);
  return true;
}

bool parse_ipv4(const char* s, std::uint32_t& out) {
  unsigned a, b, c, d;
  char tail;
  if (std::sscanf(s, "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) != 4) return false;
  if (a > 255 || b > 255 || c > 255 || d > 255) return false;
  out = (a << 24) | (b << 16) | (c << 8) | d;
  return true;
}

}  // namespace ttq
