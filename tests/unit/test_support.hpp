// Byte builders for hand-made MDP 3.0 packets and Ethernet/IPv4/UDP frames, written from the
// spec's byte tables (not from the decoder), so tests check the decoder against the spec.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ttq/net.hpp"

namespace ttq::test {

using Bytes = std::vector<std::uint8_t>;

struct Writer {
  Bytes b;
  Writer& u8(std::uint64_t v) { b.push_back(static_cast<std::uint8_t>(v)); return *this; }
  Writer& u16(std::uint64_t v) { return le(v, 2); }
  Writer& u32(std::uint64_t v) { return le(v, 4); }
  Writer& u64(std::uint64_t v) { return le(v, 8); }
  Writer& i32(std::int64_t v) { return le(static_cast<std::uint64_t>(v), 4); }
  Writer& i64(std::int64_t v) { return le(static_cast<std::uint64_t>(v), 8); }
  Writer& chars(const std::string& s, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) u8(i < s.size() ? static_cast<std::uint8_t>(s[i]) : 0);
    return *this;
  }
  Writer& zeros(std::size_t n) { b.insert(b.end(), n, 0); return *this; }
  Writer& bytes(const Bytes& x) { b.insert(b.end(), x.begin(), x.end()); return *this; }
  Writer& le(std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    return *this;
  }
};

inline constexpr std::int64_t kNullPx = 0x7FFFFFFFFFFFFFFFLL;
inline constexpr std::int32_t kNull32 = 0x7FFFFFFF;

// One NoMDEntries entry of template 46/32 (32 bytes on the wire).
struct BookEntrySpec {
  std::int64_t px;
  std::int32_t size;
  std::int32_t security_id;
  std::uint32_t rpt_seq;
  std::int32_t orders;
  std::uint8_t level;
  std::uint8_t action;
  char type;
};

// A whole template 46 (or 32) message: header, root (TransactTime, MEI, 2 pad), NoMDEntries and,
// when order_group, an empty NoOrderIDEntries (groupSize8Byte, blockLength 24).
Bytes book_message(const std::vector<BookEntrySpec>& entries, std::uint8_t mei,
                   std::uint16_t template_id = 46, std::uint16_t version = 9,
                   bool order_group = true, std::uint64_t transact_time = 1);
// Template 52 snapshot with entries (type, level, px, size).
struct SnapEntrySpec {
  char type;
  std::int8_t level;
  std::int64_t px;
  std::int32_t size;
};
Bytes snapshot_message(std::int32_t security_id, std::uint32_t rpt_seq,
                       std::uint32_t last_seq_processed, const std::vector<SnapEntrySpec>& es);
// Template 54 definition with GBX depth (and GBI implied depth when > 0).
Bytes definition_message(std::int32_t security_id, const std::string& symbol, std::int64_t tick9,
                         std::uint8_t depth, std::uint8_t implied_depth,
                         const std::string& group = "BTC");
Bytes channel_reset_message(std::uint8_t mei = 0x80);
Bytes security_status_message(std::int32_t security_id, std::uint8_t status,
                              const std::string& group = "", std::uint8_t mei = 0x80);
Bytes heartbeat_message();
// A message of an arbitrary template with a root of `root_len` zero bytes (skip-by-MsgSize tests).
Bytes opaque_message(std::uint16_t template_id, std::uint16_t root_len, std::uint16_t extra = 0);

Bytes packet(std::uint32_t seq, const std::vector<Bytes>& messages, std::uint64_t sending_time = 0);

struct FrameSpec {
  std::uint32_t dst_ip = 0xE0001F01;  // 224.0.31.1
  std::uint16_t dst_port = 14310;
  std::uint32_t src_ip = 0x0A000001;
  std::uint16_t src_port = 14310;
  int vlan_tags = 0;
  int ip_option_words = 0;  // 4-byte words of IPv4 options
};
Bytes udp_frame(const Bytes& payload, const FrameSpec& spec = {});

inline Frame as_frame(const Bytes& b, std::uint64_t ts_ns = 0) {
  return Frame{b.data(), static_cast<std::uint32_t>(b.size()), static_cast<std::uint32_t>(b.size()),
               ts_ns, false};
}

// Big-endian (network order) 16-bit field access in a hand-made frame.
inline void put16(Bytes& b, std::size_t off, std::uint16_t v) {
  b[off] = static_cast<std::uint8_t>(v >> 8);
  b[off + 1] = static_cast<std::uint8_t>(v);
}
inline std::uint16_t get16(const Bytes& b, std::size_t off) {
  return static_cast<std::uint16_t>((b[off] << 8) | b[off + 1]);
}

// Recomputes the IPv4 header checksum (RFC 1071) of the header at `ip` after a deliberate edit,
// so that the edit, not the checksum, is what the parser sees. Test-side code, checked against a
// published header in ut_net.cpp "a hand-written frame with a published IPv4 checksum".
inline void reseal(Bytes& b, std::size_t ip) {
  const std::size_t ihl = 4u * (b[ip] & 0x0Fu);
  b[ip + 10] = b[ip + 11] = 0;
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i < ihl; i += 2) sum += get16(b, ip + i);
  while (sum >> 16) sum = (sum & 0xFFFFu) + (sum >> 16);
  put16(b, ip + 10, static_cast<std::uint16_t>(~sum));
}

}  // namespace ttq::test
