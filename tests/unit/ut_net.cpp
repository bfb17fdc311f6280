// Unit tests of the L2-L4 header check (host/src/net.cpp): every FrameDrop reason, VLAN tags,
// IPv4 options, lengths and truncation. Frames come from test::udp_frame (or are written byte by
// byte) and are then damaged on purpose; the IPv4 checksum is re-sealed or left broken as each case
// needs, so that every case fails for the reason it names and no other.

#include <catch2/catch.hpp>
#include <cstddef>
#include <cstdint>
#include <string>

#include "test_support.hpp"
#include "ttq/net.hpp"

using ttq::Frame;
using ttq::FrameDrop;
using ttq::parse_udp;
using ttq::UdpView;
using ttq::test::Bytes;
using ttq::test::FrameSpec;
using ttq::test::get16;
using ttq::test::put16;
using ttq::test::reseal;
using ttq::test::udp_frame;

namespace {

constexpr std::size_t kIp = 14;  // IPv4 header offset in an untagged frame

// A payload whose bytes are easy to recognise: 0xA0, 0xA1, ...
Bytes payload(std::size_t n) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(0xA0 + i);
  return b;
}

Frame frame_of(const Bytes& b, std::uint32_t wire_len = 0) {
  const auto n = static_cast<std::uint32_t>(b.size());
  return Frame{b.data(), n, wire_len == 0 ? n : wire_len, 0, false};
}

// Results are compared as reason names ("ok" for a good frame) so failures print readably
// without a Catch::StringMaker specialization that another test file might also define.
std::string name(FrameDrop d) { return d == FrameDrop::kCount ? "ok" : ttq::to_string(d); }

std::string parse(const Bytes& b, std::uint32_t wire_len = 0) {
  UdpView u{};
  return name(parse_udp(frame_of(b, wire_len), u));
}

}  // namespace

TEST_CASE("net: untagged UDP frame gives payload, addresses and ports", "[net]") {
  FrameSpec s;
  s.src_ip = 0xCDD1D447;  // 205.209.212.71, the spec's worked example
  s.dst_ip = 0xE0002040;  // 224.0.32.64
  s.src_port = 15340;
  s.dst_port = 14340;
  const Bytes f = udp_frame(payload(124), s);
  REQUIRE(f.size() == 14 + 20 + 8 + 124);
  // The builder's length fields, as the spec's example has them: IP total 152, UDP length 132.
  CHECK(get16(f, kIp + 2) == 152);
  CHECK(get16(f, kIp + 20 + 4) == 132);

  UdpView u{};
  REQUIRE(name(parse_udp(frame_of(f), u)) == "ok");
  CHECK(u.payload == f.data() + 42);  // spec section 1: the UDP payload starts at frame byte 42
  CHECK(u.len == 124);
  CHECK(u.payload[0] == 0xA0);
  CHECK(u.payload[123] == static_cast<std::uint8_t>(0xA0 + 123));
  CHECK(u.src_ip == 0xCDD1D447u);
  CHECK(u.dst_ip == 0xE0002040u);
  CHECK(u.src_port == 15340);
  CHECK(u.dst_port == 14340);
}

TEST_CASE("net: a hand-written frame with a published IPv4 checksum", "[net]") {
  // IPv4 header 4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7: the RFC 1071 textbook example
  // (192.168.0.1 -> 192.168.0.199, total length 115, DF, TTL 64, UDP, checksum 0xb861).
  Bytes f = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x08, 0x00,
             0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xb8, 0x61,
             0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
             0x30, 0x39, 0x3b, 0xeb, 0x00, 0x5f, 0x00, 0x00};  // UDP 12345 -> 15339, length 95
  f.resize(14 + 115, 0x5A);                                  // 87 payload bytes
  UdpView u{};
  REQUIRE(name(parse_udp(frame_of(f), u)) == "ok");
  CHECK(u.src_ip == 0xC0A80001u);
  CHECK(u.dst_ip == 0xC0A800C7u);
  CHECK(u.src_port == 12345);
  CHECK(u.dst_port == 15339);
  CHECK(u.len == 87);
  CHECK(u.payload == f.data() + 42);

  // The test-side reseal() gives the same checksum as the textbook.
  Bytes g = f;
  reseal(g, kIp);
  CHECK(g[kIp + 10] == 0xb8);
  CHECK(g[kIp + 11] == 0x61);

  SECTION("checksum off by one") {
    f[kIp + 11] = 0x62;
    CHECK(parse(f) == "bad_ip_checksum");
  }
  SECTION("a header byte flipped, checksum left alone") {
    f[kIp + 8] = 0x3F;  // TTL 63
    CHECK(parse(f) == "bad_ip_checksum");
  }
  SECTION("an address bit flipped") {
    f[kIp + 19] ^= 0x01;
    CHECK(parse(f) == "bad_ip_checksum");
  }
}

TEST_CASE("net: 802.1Q and 802.1ad tags", "[net]") {
  FrameSpec s;
  s.dst_port = 15340;

  SECTION("one 802.1Q tag: payload at byte 46") {
    s.vlan_tags = 1;
    const Bytes f = udp_frame(payload(20), s);
    CHECK(get16(f, 12) == 0x8100);
    UdpView u{};
    REQUIRE(name(parse_udp(frame_of(f), u)) == "ok");
    CHECK(u.payload == f.data() + 46);
    CHECK(u.len == 20);
    CHECK(u.dst_port == 15340);
  }
  SECTION("one 802.1ad (0x88A8) tag") {
    s.vlan_tags = 1;
    Bytes f = udp_frame(payload(20), s);
    put16(f, 12, 0x88A8);
    UdpView u{};
    REQUIRE(name(parse_udp(frame_of(f), u)) == "ok");
    CHECK(u.payload == f.data() + 46);
  }
  SECTION("two 802.1Q tags: payload at byte 50") {
    s.vlan_tags = 2;
    const Bytes f = udp_frame(payload(20), s);
    CHECK(get16(f, 16) == 0x8100);
    UdpView u{};
    REQUIRE(name(parse_udp(frame_of(f), u)) == "ok");
    CHECK(u.payload == f.data() + 50);
    CHECK(u.len == 20);
  }
  SECTION("QinQ: 802.1ad outer, 802.1Q inner") {
    s.vlan_tags = 2;
    Bytes f = udp_frame(payload(20), s);
    put16(f, 12, 0x88A8);
    UdpView u{};
    REQUIRE(name(parse_udp(frame_of(f), u)) == "ok");
    CHECK(u.payload == f.data() + 50);
  }
  SECTION("a third tag is not looked through: not IPv4") {
    s.vlan_tags = 3;
    const Bytes f = udp_frame(payload(20), s);
    CHECK(get16(f, 20) == 0x8100);
    CHECK(parse(f) == "not_ipv4");
  }
  SECTION("a tagged ARP frame") {
    s.vlan_tags = 1;
    Bytes f = udp_frame(payload(20), s);
    put16(f, 16, 0x0806);
    CHECK(parse(f) == "not_ipv4");
  }
  SECTION("tagged IP with options") {
    s.vlan_tags = 2;
    s.ip_option_words = 3;
    const Bytes f = udp_frame(payload(9), s);
    UdpView u{};
    REQUIRE(name(parse_udp(frame_of(f), u)) == "ok");
    CHECK(u.payload == f.data() + 50 + 12);
    CHECK(u.len == 9);
  }
}

TEST_CASE("net: IPv4 options, IHL 6 to 15", "[net]") {
  for (int words = 1; words <= 10; ++words) {
    FrameSpec s;
    s.ip_option_words = words;
    s.src_port = 1000;
    s.dst_port = 2000;
    const Bytes f = udp_frame(payload(33), s);
    INFO("option words " << words);
    REQUIRE(f[kIp] == 0x45 + words);  // IHL 5 + words
    UdpView u{};
    REQUIRE(name(parse_udp(frame_of(f), u)) == "ok");
    CHECK(u.payload == f.data() + 42 + 4 * words);
    CHECK(u.len == 33);
    CHECK(u.src_port == 1000);  // UDP header found after the options, not at IP + 20
    CHECK(u.dst_port == 2000);
  }
  SECTION("the checksum covers the options") {
    FrameSpec s;
    s.ip_option_words = 10;
    Bytes f = udp_frame(payload(33), s);
    f[kIp + 59] = 0x00;  // last option byte: NOP -> EOL
    CHECK(parse(f) == "bad_ip_checksum");
    reseal(f, kIp);
    CHECK(parse(f) == "ok");
  }
}

TEST_CASE("net: bad IPv4 headers", "[net]") {
  Bytes f = udp_frame(payload(20));
  REQUIRE(parse(f) == "ok");

  SECTION("version 6 in an IPv4 EtherType") {
    f[kIp] = 0x65;
    reseal(f, kIp);
    CHECK(parse(f) == "bad_ip_header");
  }
  SECTION("version 0") {
    f[kIp] = 0x05;
    reseal(f, kIp);
    CHECK(parse(f) == "bad_ip_header");
  }
  SECTION("IHL 4") {
    f[kIp] = 0x44;
    CHECK(parse(f) == "bad_ip_header");
  }
  SECTION("IHL 0") {
    f[kIp] = 0x40;
    CHECK(parse(f) == "bad_ip_header");
  }
  SECTION("total length below the header length") {
    put16(f, kIp + 2, 19);
    reseal(f, kIp);
    CHECK(parse(f) == "bad_ip_header");
  }
  SECTION("total length 0") {
    put16(f, kIp + 2, 0);
    reseal(f, kIp);
    CHECK(parse(f) == "bad_ip_header");
  }
  SECTION("fewer than 20 bytes after the EtherType, not a capture cut") {
    f.resize(14 + 19);
    CHECK(parse(f) == "bad_ip_header");
  }
}

TEST_CASE("net: IPv4 fragments are refused", "[net]") {
  Bytes f = udp_frame(payload(100));
  REQUIRE(get16(f, kIp + 6) == 0x4000);  // DF only: not a fragment

  SECTION("first fragment: MF set, offset 0") {
    put16(f, kIp + 6, 0x2000);
    reseal(f, kIp);
    CHECK(parse(f) == "ip_fragment");
  }
  SECTION("last fragment: MF clear, offset 1 (8 bytes)") {
    put16(f, kIp + 6, 0x0001);
    reseal(f, kIp);
    CHECK(parse(f) == "ip_fragment");
  }
  SECTION("middle fragment: MF and a large offset") {
    put16(f, kIp + 6, 0x2000 | 0x1FFF);
    reseal(f, kIp);
    CHECK(parse(f) == "ip_fragment");
  }
  SECTION("DF and the largest offset") {
    put16(f, kIp + 6, 0x4000 | 0x1FFF);
    reseal(f, kIp);
    CHECK(parse(f) == "ip_fragment");
  }
  SECTION("a last fragment too short to hold a UDP header is still a fragment") {
    // A non-first fragment carries no UDP header, so its 4 data bytes are not a bad UDP length.
    put16(f, kIp + 6, 0x0003);
    put16(f, kIp + 2, 24);
    reseal(f, kIp);
    CHECK(parse(f) == "ip_fragment");
  }
}

TEST_CASE("net: protocols other than UDP", "[net]") {
  Bytes f = udp_frame(payload(40));
  SECTION("TCP") {
    f[kIp + 9] = 6;
    reseal(f, kIp);
    CHECK(parse(f) == "not_udp");
  }
  SECTION("IGMP") {
    f[kIp + 9] = 2;
    reseal(f, kIp);
    CHECK(parse(f) == "not_udp");
  }
  SECTION("a short non-UDP datagram (4 data bytes) is not UDP, not a bad UDP length") {
    f[kIp + 9] = 1;
    put16(f, kIp + 2, 24);
    reseal(f, kIp);
    CHECK(parse(f) == "not_udp");
  }
  SECTION("protocol byte changed without resealing: the checksum is checked first") {
    f[kIp + 9] = 6;
    CHECK(parse(f) == "bad_ip_checksum");
  }
}

TEST_CASE("net: UDP length", "[net]") {
  Bytes f = udp_frame(payload(40));  // IP total 68, UDP length 48
  const std::size_t udp = kIp + 20;
  REQUIRE(get16(f, udp + 4) == 48);

  SECTION("UDP length 7") {
    put16(f, udp + 4, 7);
    CHECK(parse(f) == "bad_udp_length");
  }
  SECTION("UDP length 0") {
    put16(f, udp + 4, 0);
    CHECK(parse(f) == "bad_udp_length");
  }
  SECTION("UDP length 8: an empty datagram is well-formed") {
    put16(f, udp + 4, 8);
    UdpView u{};
    REQUIRE(name(parse_udp(frame_of(f), u)) == "ok");
    CHECK(u.len == 0);
    CHECK(u.payload == f.data() + 42);
  }
  SECTION("UDP length one past the IP payload") {
    put16(f, udp + 4, 49);
    CHECK(parse(f) == "bad_udp_length");
  }
  SECTION("UDP length past the IP payload but within the captured bytes") {
    f.resize(f.size() + 16, 0);  // Ethernet padding/trailer is not part of the datagram
    put16(f, udp + 4, 60);
    CHECK(parse(f) == "bad_udp_length");
  }
  SECTION("UDP length shorter than the IP payload: the UDP length decides") {
    put16(f, udp + 4, 8 + 25);
    UdpView u{};
    REQUIRE(name(parse_udp(frame_of(f), u)) == "ok");
    CHECK(u.len == 25);
  }
  SECTION("IP total length too small for a UDP header") {
    put16(f, kIp + 2, 20 + 7);
    reseal(f, kIp);
    CHECK(parse(f) == "bad_udp_length");
  }
  SECTION("IP total length damaged to below a UDP header, checksum not resealed") {
    // The damage is reported as what it is, a header that fails its checksum.
    put16(f, kIp + 2, 20 + 4);
    CHECK(parse(f) == "bad_ip_checksum");
  }
  SECTION("IP total length just holds a UDP header") {
    put16(f, kIp + 2, 20 + 8);
    put16(f, udp + 4, 8);
    reseal(f, kIp);
    UdpView u{};
    REQUIRE(name(parse_udp(frame_of(f), u)) == "ok");
    CHECK(u.len == 0);
  }
}

TEST_CASE("net: truncated captures", "[net]") {
  const Bytes full = udp_frame(payload(40));  // 82 bytes, IP total 68
  REQUIRE(full.size() == 82);
  const auto wire = static_cast<std::uint32_t>(full.size());

  SECTION("one byte short of the IP total length (snaplen)") {
    const Bytes f(full.begin(), full.end() - 1);
    CHECK(parse(f, wire) == "truncated");
  }
  SECTION("one byte short of the IP total length, no wire length to tell") {
    // Fewer bytes than the IP header says: truncated whatever the reason.
    const Bytes f(full.begin(), full.end() - 1);
    CHECK(parse(f) == "truncated");
  }
  SECTION("cut inside the UDP header") {
    const Bytes f(full.begin(), full.begin() + 14 + 20 + 4);
    CHECK(parse(f, wire) == "truncated");
  }
  SECTION("cut inside the IPv4 header") {
    const Bytes f(full.begin(), full.begin() + 14 + 10);
    CHECK(parse(f, wire) == "truncated");
  }
  SECTION("cut inside the IPv4 options") {
    FrameSpec s;
    s.ip_option_words = 10;  // 60-byte IP header
    const Bytes opt = udp_frame(payload(40), s);
    const Bytes f(opt.begin(), opt.begin() + 14 + 40);
    CHECK(parse(f, static_cast<std::uint32_t>(opt.size())) == "truncated");
  }
  SECTION("cut inside the Ethernet header") {
    const Bytes f(full.begin(), full.begin() + 10);
    CHECK(parse(f, wire) == "truncated");
  }
  SECTION("cut inside a VLAN tag") {
    FrameSpec s;
    s.vlan_tags = 2;
    const Bytes tagged = udp_frame(payload(40), s);
    const Bytes f(tagged.begin(), tagged.begin() + 20);  // second tag, no inner EtherType
    CHECK(parse(f, static_cast<std::uint32_t>(tagged.size())) == "truncated");
  }
  SECTION("wire length larger but the whole datagram was captured: OK") {
    // The capture dropped the Ethernet padding/FCS only.
    UdpView u{};
    CHECK(name(parse_udp(frame_of(full, wire + 4), u)) == "ok");
    CHECK(u.len == 40);
  }
  SECTION("padded frame cut inside the padding: OK") {
    Bytes padded = full;
    padded.resize(120, 0xEE);
    const Bytes f(padded.begin(), padded.begin() + 90);
    UdpView u{};
    CHECK(name(parse_udp(frame_of(f, 120), u)) == "ok");
    CHECK(u.len == 40);
  }
}

TEST_CASE("net: runts", "[net]") {
  const Bytes full = udp_frame(payload(40));
  for (std::size_t n = 0; n < 14; ++n) {
    INFO("frame of " << n << " bytes");
    const Bytes f(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
    CHECK(parse(f, static_cast<std::uint32_t>(n)) == "runt");
  }
  SECTION("a tagged frame shorter than its tagged header is a runt too") {
    FrameSpec s;
    s.vlan_tags = 1;
    const Bytes tagged = udp_frame(payload(40), s);
    const Bytes f(tagged.begin(), tagged.begin() + 16);
    CHECK(parse(f) == "runt");
  }
}

TEST_CASE("net: not IPv4", "[net]") {
  SECTION("an ARP request (EtherType 0x0806), padded to 60 bytes") {
    Bytes f = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x08, 0x06,
               0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01};  // Ethernet/IPv4, request
    f.resize(60, 0);
    CHECK(parse(f) == "not_ipv4");
  }
  SECTION("IPv6") {
    Bytes f = udp_frame(payload(40));
    put16(f, 12, 0x86DD);
    CHECK(parse(f) == "not_ipv4");
  }
  SECTION("a bare Ethernet header with IPv4 type and nothing after") {
    Bytes f = udp_frame(payload(40));
    f.resize(14);
    CHECK(parse(f) == "bad_ip_header");
    CHECK(parse(f, 82) == "truncated");
  }
}

TEST_CASE("net: the MAC's bad-FCS flag wins over everything", "[net]") {
  const Bytes f = udp_frame(payload(40));
  Frame fr = frame_of(f);
  UdpView u{};
  REQUIRE(name(parse_udp(fr, u)) == "ok");
  fr.bad_fcs = true;
  CHECK(name(parse_udp(fr, u)) == "bad_fcs");
  const Bytes runt(f.begin(), f.begin() + 5);
  Frame fr2 = frame_of(runt);
  fr2.bad_fcs = true;
  CHECK(name(parse_udp(fr2, u)) == "bad_fcs");
}

TEST_CASE("net: Ethernet padding after a short datagram", "[net]") {
  // A 2-byte payload makes a 44-byte frame; the MAC pads it to the 60-byte minimum with bytes that
  // belong to no header. The lengths come from IP and UDP, never from the frame length.
  FrameSpec s;
  s.dst_port = 14310;
  Bytes f = udp_frame(payload(2), s);
  REQUIRE(f.size() == 44);
  f.resize(60, 0xCC);
  UdpView u{};
  REQUIRE(name(parse_udp(frame_of(f), u)) == "ok");
  CHECK(u.len == 2);
  CHECK(u.payload == f.data() + 42);
  CHECK(u.payload[0] == 0xA0);
  CHECK(u.payload[1] == 0xA1);
  CHECK(u.dst_port == 14310);

  SECTION("padding on a tagged frame") {
    s.vlan_tags = 1;
    Bytes t = udp_frame(payload(1), s);
    t.resize(64, 0xCC);
    REQUIRE(name(parse_udp(frame_of(t), u)) == "ok");
    CHECK(u.len == 1);
    CHECK(u.payload == t.data() + 46);
  }
}

TEST_CASE("net: parse_ipv4", "[net]") {
  std::uint32_t a = 0;
  CHECK(ttq::parse_ipv4("224.0.31.1", a));
  CHECK(a == 0xE0001F01u);
  CHECK(ttq::parse_ipv4("205.209.212.71", a));
  CHECK(a == 0xCDD1D447u);
  CHECK(ttq::parse_ipv4("0.0.0.0", a));
  CHECK(a == 0u);
  CHECK(ttq::parse_ipv4("255.255.255.255", a));
  CHECK(a == 0xFFFFFFFFu);
  a = 7;
  CHECK_FALSE(ttq::parse_ipv4("256.0.0.1", a));
  CHECK_FALSE(ttq::parse_ipv4("1.2.3", a));
  CHECK_FALSE(ttq::parse_ipv4("1.2.3.4x", a));
  CHECK_FALSE(ttq::parse_ipv4("1.2.3.4.5", a));
  CHECK_FALSE(ttq::parse_ipv4("", a));
  CHECK_FALSE(ttq::parse_ipv4("-1.2.3.4", a));
  CHECK(a == 7u);  // untouched on failure
}

TEST_CASE("net: every drop reason has a name", "[net]") {
  CHECK(std::string(ttq::to_string(FrameDrop::kRunt)) == "runt");
  CHECK(std::string(ttq::to_string(FrameDrop::kNotIpv4)) == "not_ipv4");
  CHECK(std::string(ttq::to_string(FrameDrop::kBadIpHeader)) == "bad_ip_header");
  CHECK(std::string(ttq::to_string(FrameDrop::kBadIpChecksum)) == "bad_ip_checksum");
  CHECK(std::string(ttq::to_string(FrameDrop::kIpFragment)) == "ip_fragment");
  CHECK(std::string(ttq::to_string(FrameDrop::kNotUdp)) == "not_udp");
  CHECK(std::string(ttq::to_string(FrameDrop::kBadUdpLength)) == "bad_udp_length");
  CHECK(std::string(ttq::to_string(FrameDrop::kTruncated)) == "truncated");
  CHECK(std::string(ttq::to_string(FrameDrop::kBadFcs)) == "bad_fcs");
  CHECK(std::string(ttq::to_string(FrameDrop::kUnknownLine)) == "unknown_line");
  CHECK(std::string(ttq::to_string(FrameDrop::kCount)) == "unknown");
}

// parse_udp first tries the common shape inline and hands everything else to parse_udp_full:
// both must give the same answer (reason, payload, length, addresses, ports) for every frame.
// Damage at random to the bytes both look at, with the checksum re-sealed half of the time so
// that the damage and not the checksum decides; and every length of the frame.
TEST_CASE("net: the inline common-shape check agrees with the full check", "[net]") {
  std::uint32_t x = 12345;
  auto rnd = [&x] {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return x;
  };
  int fast_ok = 0, checked = 0;
  for (int round = 0; round < 20000; ++round) {
    FrameSpec s;
    s.ip_option_words = (rnd() % 8 == 0) ? 1 : 0;
    Bytes b = udp_frame(payload(rnd() % 64), s);
    const int edits = static_cast<int>(rnd() % 3);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = 12 + rnd() % (b.size() - 12 < 40 ? b.size() - 12 : 40);
      b[at] = static_cast<std::uint8_t>(rnd() % 4 == 0 ? rnd() : b[at] ^ (1u << (rnd() % 8)));
    }
    if (rnd() % 2 == 0 && b[12] == 0x08 && b[13] == 0x00 && (b[kIp] & 0x0Fu) >= 5 &&
        kIp + 4u * (b[kIp] & 0x0Fu) <= b.size()) {
      reseal(b, kIp);
    }
    auto n = static_cast<std::uint32_t>(b.size());
    if (rnd() % 4 == 0) n = rnd() % (n + 1);  // truncated capture
    Frame f{b.data(), n, static_cast<std::uint32_t>(b.size()), 0, rnd() % 64 == 0};
    UdpView a{}, c{};
    const FrameDrop da = parse_udp(f, a);
    const FrameDrop dc = ttq::parse_udp_full(f, c);
    REQUIRE(name(da) == name(dc));
    ++checked;
    if (da != FrameDrop::kCount) continue;
    ++fast_ok;
    CHECK(a.payload == c.payload);
    CHECK(a.len == c.len);
    CHECK(a.src_ip == c.src_ip);
    CHECK(a.dst_ip == c.dst_ip);
    CHECK(a.src_port == c.src_port);
    CHECK(a.dst_port == c.dst_port);
  }
  CHECK(checked == 20000);
  CHECK(fast_ok > 1000);  // plenty of good frames, not only drops
}
