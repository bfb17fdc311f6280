// Unit tests of ttq::header_verdict (host/src/net.cpp): the decision a cut-through card makes at a
// packet's MsgSeqNum beat (docs/pipeline.md "Cut-through commit"). Frames are built with
// test::udp_frame and damaged on purpose; every expected value follows from how the frame was
// built (where its payload starts, which check its damage breaks), and a last case compares the
// function with the rule as FastPath::speculate_frame states it (parse_udp_full on the frame
// padded with zeros, FCS ignored, MsgSeqNum present) over many random frames.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

#include "test_support.hpp"
#include "ttq/net.hpp"

using ttq::Frame;
using ttq::FrameDrop;
using ttq::UdpView;
using ttq::test::Bytes;
using ttq::test::FrameSpec;
using ttq::test::get16;
using ttq::test::put16;
using ttq::test::reseal;
using ttq::test::udp_frame;

namespace {

// A payload whose first 4 bytes are the MsgSeqNum 0x04030201 (little-endian), then 0xA4, ...
Bytes payload(std::size_t n) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(i < 4 ? i + 1 : 0xA0 + i);
  return b;
}

Frame frame_of(const Bytes& b, bool bad_fcs = false) {
  const auto n = static_cast<std::uint32_t>(b.size());
  return Frame{b.data(), n, n, 0, bad_fcs};
}

bool verdict(const Bytes& b, bool bad_fcs = false) {
  UdpView u{};
  return ttq::header_verdict(frame_of(b, bad_fcs), u);
}

Bytes cut(const Bytes& b, std::size_t n) {
  return Bytes(b.begin(), b.begin() + n);
}

}  // namespace

TEST_CASE("header_verdict: a good frame passes, with the view parse_udp gives", "[net][cut]") {
  FrameSpec s;
  s.dst_ip = 0xE0002040;
  s.dst_port = 14340;
  s.src_ip = 0x0A000002;
  s.src_port = 15340;
  const Bytes f = udp_frame(payload(40), s);
  UdpView u{};
  REQUIRE(ttq::header_verdict(frame_of(f), u));
  CHECK(u.payload == f.data() + 42);  // 14 + 20 + 8
  CHECK(u.len == 40);
  CHECK(ttq::load_le<std::uint32_t>(u.payload) == 0x04030201u);
  CHECK(u.dst_ip == 0xE0002040u);
  CHECK(u.dst_port == 14340);
  CHECK(u.src_ip == 0x0A000002u);
  CHECK(u.src_port == 15340);
}

TEST_CASE("header_verdict: the FCS and the frame's tail are not header checks", "[net][cut]") {
  const Bytes f = udp_frame(payload(40));  // P = 42, 82 bytes
  CHECK(verdict(f, true));                 // bad FCS: decided at tlast only
  // Truncated after the MsgSeqNum (bytes 42..45): still passes; the view keeps the header's
  // length, not what is present.
  for (std::size_t n : {46u, 47u, 60u, 81u}) {
    UdpView u{};
    CHECK(ttq::header_verdict(frame_of(cut(f, n)), u));
    CHECK(u.len == 40);
  }
  // Truncated before it, inside it, in the UDP header, in the IP header: fails.
  for (std::size_t n : {45u, 44u, 42u, 41u, 34u, 33u, 20u, 14u, 13u, 1u}) {
    INFO("length " << n);
    CHECK_FALSE(verdict(cut(f, n)));
  }
  // Ethernet padding after the datagram changes nothing.
  Bytes padded = f;
  padded.resize(f.size() + 7, 0xEE);
  CHECK(verdict(padded));
}

TEST_CASE("header_verdict: MsgSeqNum must be payload bytes", "[net][cut]") {
  for (std::size_t plen = 0; plen <= 6; ++plen) {
    INFO("payload " << plen);
    Bytes f = udp_frame(payload(plen));
    f.resize(f.size() + 10, 0);  // bytes after the datagram are there, but they are padding
    CHECK(verdict(f) == (plen >= 4));
  }
  // UDP length shorter than the IP payload: only the UDP length counts.
  Bytes f = udp_frame(payload(20));
  put16(f, 14 + 20 + 4, 8 + 3);
  CHECK_FALSE(verdict(f));
  put16(f, 14 + 20 + 4, 8 + 4);
  CHECK(verdict(f));
}

TEST_CASE("header_verdict: VLAN tags and IP options move the payload", "[net][cut]") {
  for (int tags = 0; tags <= 2; ++tags) {
    for (int opt = 0; opt <= 10; ++opt) {
      INFO("tags " << tags << " option words " << opt);
      FrameSpec s;
      s.vlan_tags = tags;
      s.ip_option_words = opt;
      const Bytes f = udp_frame(payload(16), s);
      const std::size_t p =
          14 + 4u * static_cast<std::size_t>(tags) + 20 + 4u * static_cast<std::size_t>(opt) + 8;
      UdpView u{};
      REQUIRE(ttq::header_verdict(frame_of(f), u));
      CHECK(u.payload == f.data() + p);
      CHECK(u.len == 16);
      CHECK(verdict(cut(f, p + 4)));
      CHECK_FALSE(verdict(cut(f, p + 3)));
    }
  }
  // A third tag: the EtherType after two tags is not IPv4.
  Bytes f = udp_frame(payload(16));
  Bytes t(f.begin(), f.begin() + 12);
  for (int i = 0; i < 3; ++i) t.insert(t.end(), {0x81, 0x00, 0x00, 0x05});
  t.insert(t.end(), f.begin() + 12, f.end());
  CHECK_FALSE(verdict(t));
  // QinQ outer tag 0x88A8 counts as a tag.
  FrameSpec s;
  s.vlan_tags = 1;
  Bytes q = udp_frame(payload(16), s);
  put16(q, 12, 0x88A8);
  CHECK(verdict(q));
}

TEST_CASE("header_verdict: every header check fails it", "[net][cut]") {
  const std::size_t ip = 14, udp = 34;
  const Bytes good = udp_frame(payload(24));  // total 52, UDP length 32
  REQUIRE(verdict(good));
  const auto damaged = [&](auto edit, bool seal) {
    Bytes b = good;
    edit(b);
    if (seal) reseal(b, ip);
    return verdict(b);
  };
  CHECK_FALSE(damaged([&](Bytes& b) { put16(b, 12, 0x86DD); }, true));      // not IPv4
  CHECK_FALSE(damaged([&](Bytes& b) { b[ip] = 0x65; }, true));              // version 6
  CHECK_FALSE(damaged([&](Bytes& b) { b[ip] = 0x44; }, true));              // IHL 4
  CHECK_FALSE(damaged([&](Bytes& b) { b[ip] = 0x40; }, true));              // IHL 0
  CHECK_FALSE(damaged([&](Bytes& b) { put16(b, ip + 2, 19); }, true));      // total < header
  CHECK_FALSE(damaged([&](Bytes& b) { put16(b, ip + 2, 27); }, true));      // no room for UDP
  CHECK_FALSE(damaged([&](Bytes& b) { b[ip + 11] ^= 1; }, false));          // checksum
  CHECK_FALSE(damaged([&](Bytes& b) { b[ip + 8] ^= 1; }, false));           // header bit, unsealed
  CHECK_FALSE(damaged([&](Bytes& b) { put16(b, ip + 6, 0x2000); }, true));  // MF
  CHECK_FALSE(damaged([&](Bytes& b) { put16(b, ip + 6, 0x0001); }, true));  // fragment offset
  CHECK_FALSE(damaged([&](Bytes& b) { b[ip + 9] = 6; }, true));             // TCP
  CHECK_FALSE(damaged([&](Bytes& b) { put16(b, udp + 4, 7); }, true));      // UDP length < 8
  CHECK_FALSE(damaged([&](Bytes& b) { put16(b, udp + 4, 33); }, true));     // beyond IP payload
  // Not header checks: DF, TTL, ID, the UDP checksum, the source: still passes.
  CHECK(damaged([&](Bytes& b) { put16(b, ip + 6, 0x4000); }, true));
  CHECK(damaged([&](Bytes& b) { b[ip + 8] = 1; }, true));
  CHECK(damaged([&](Bytes& b) { put16(b, udp + 6, 0x1234); }, true));
  // IP total length beyond the frame (truncated at tlast): the header decides nothing from it.
  CHECK(damaged([&](Bytes& b) { put16(b, ip + 2, 1500); }, true));
  CHECK(damaged(
      [&](Bytes& b) {
        put16(b, ip + 2, 0xFFFF);
        put16(b, udp + 4, 0xFFFF - 20);
      },
      true));
}

TEST_CASE("header_verdict: IHL options are summed and skipped", "[net][cut]") {
  FrameSpec s;
  s.ip_option_words = 3;
  Bytes f = udp_frame(payload(16), s);
  REQUIRE(verdict(f));
  // A damaged option word breaks the checksum (the options are in the sum) ...
  Bytes d = f;
  d[14 + 20 + 5] ^= 0x10;
  CHECK_FALSE(verdict(d));
  // ... and a header that claims fewer option words than it has puts the "UDP header" on an option
  // word: NOP options as ports and length 0x0101 > IP payload.
  Bytes e = f;
  e[14] = 0x46;  // IHL 6 instead of 8
  reseal(e, 14);
  CHECK_FALSE(verdict(e));
}

// The rule as FastPath::speculate_frame states it (fast_path.cpp): parse_udp_full on the frame
// padded with zeros to the longest frame an IP header can claim, FCS ignored; the MsgSeqNum's 4
// bytes present in the frame and in the payload.
bool speculate_frame_rule(const Bytes& b, UdpView& out, std::uint32_t& at) {
  static std::vector<std::uint8_t> pad(14 + 8 + 65535);
  std::fill(pad.begin(), pad.end(), 0);
  std::copy(b.begin(), b.end(), pad.begin());
  const auto n = static_cast<std::uint32_t>(b.size());
  const auto np = static_cast<std::uint32_t>(pad.size());
  if (ttq::parse_udp_full(Frame{pad.data(), np, np, 0, false}, out) != FrameDrop::kCount)
    return false;
  at = static_cast<std::uint32_t>(out.payload - pad.data());
  return n >= at + 4 && out.len >= 4;
}

TEST_CASE("header_verdict: equals speculate_frame's rule on random frames", "[net][cut]") {
  std::mt19937_64 g(20261129);
  std::uint64_t pass = 0, fail = 0;
  for (int i = 0; i < 60000; ++i) {
    FrameSpec s;
    s.vlan_tags = static_cast<int>(g() % 3);
    s.ip_option_words = g() % 2 ? 0 : static_cast<int>(g() % 11);
    Bytes b = udp_frame(payload(g() % 40), s);
    const std::size_t ip = 14 + 4u * static_cast<std::size_t>(s.vlan_tags);
    const int damage = static_cast<int>(g() % 6);
    if (damage == 1) b[g() % b.size()] ^= static_cast<std::uint8_t>(1u << (g() % 8));
    if (damage == 2) {  // a header byte changed and the checksum resealed
      const std::size_t k = ip + g() % std::min<std::size_t>(b.size() - ip, 64);
      b[k] = static_cast<std::uint8_t>(g());
      if ((b[ip] & 0x0F) >= 5 && ip + 4u * (b[ip] & 0x0Fu) <= b.size()) reseal(b, ip);
    }
    if (damage == 3) {  // length fields
      put16(b, ip + 2, static_cast<std::uint16_t>(g()));
      reseal(b, ip);
    }
    if (g() % 3 == 0) b.resize(1 + g() % b.size());  // cut anywhere
    UdpView got{}, want{};
    std::uint32_t at = 0;
    const bool w = speculate_frame_rule(b, want, at);
    const bool v = ttq::header_verdict(frame_of(b, g() % 2), got);
    REQUIRE(v == w);
    if (w) {
      ++pass;
      CHECK(got.payload == b.data() + at);
      CHECK(got.len == want.len);
      CHECK(got.dst_ip == want.dst_ip);
      CHECK(got.dst_port == want.dst_port);
      CHECK(got.src_ip == want.src_ip);
      CHECK(got.src_port == want.src_port);
    } else {
      ++fail;
    }
  }
  CHECK(pass > 10000);
  CHECK(fail > 10000);
}
