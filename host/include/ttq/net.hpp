// L2-L4 stage: Ethernet (802.1Q tags) -> IPv4 (options) -> UDP. Finds the UDP payload of a frame
// or says exactly why the frame is not one we take. The card's header-check stage does the same.
#pragma once

#include <cstdint>

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
FrameDrop parse_udp(const Frame& f, UdpView& out);

// "a.b.c.d" -> host-order address; false on a malformed string.
bool parse_ipv4(const char* s, std::uint32_t& out);

}  // namespace ttq
