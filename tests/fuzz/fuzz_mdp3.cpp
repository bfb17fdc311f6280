// libFuzzer target for the MDP3-framing and entry-decode stages: the input is one UDP payload.
// Every field the decoder hands out is read (so ASan checks each load behind it) and the decoder's
// contract is checked: validation and a real decode agree (an accepted packet decodes to the end);
// and FastPath::packet_events' walks agree with each other (check_packet_events).
// TTQ_FUZZ_SEED_DIR=<dir> writes the seed corpus (spec example, spec byte builders) and exits.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "test_support.hpp"
#include "ttq/fast_path.hpp"
#include "ttq/mdp3.hpp"

namespace {

using namespace ttq::mdp3;
using ttq::test::Bytes;

volatile std::uint64_t g_sink;  // keeps the reads from being optimised away

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_mdp3: contract broken: %s\n", what);
  std::abort();
}

bool nul_terminated(const char* s, std::size_t n) {
  return std::memchr(s, 0, n) != nullptr;
}

// Reads every field of every callback and checks what the header promises about them.
struct TouchHandler {
  std::uint64_t acc = 0;
  std::uint32_t messages = 0;
  std::uint32_t ends = 0;
  std::uint16_t first_template = 0;

  void mix(std::uint64_t v) { acc = (acc ^ v) * 0x100000001B3ull; }
  void mix_chars(const char* s, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) mix(static_cast<std::uint8_t>(s[i]));
  }

  void on_message(const MsgCtx& m) {
    if (m.index != static_cast<std::uint16_t>(messages)) fail("MsgCtx.index out of order");
    if (messages == 0) first_template = m.template_id;
    ++messages;
    mix(m.seq);
    mix(m.sending_time);
    mix(m.template_id);
    mix(m.version);
    mix(m.mei);
  }
  void on_message_end(const MsgCtx& m) {
    ++ends;
    if (ends != messages) fail("on_message_end without on_message");
    mix(m.index);
  }
  void on_book_entry(const MsgCtx& m, std::uint32_t i, const BookEntry& e) {
    mix(i);
    mix(static_cast<std::uint64_t>(e.price));
    mix(static_cast<std::uint32_t>(e.size));
    mix(static_cast<std::uint32_t>(e.security_id));
    mix(e.rpt_seq);
    mix(static_cast<std::uint32_t>(e.orders));
    mix(e.level);
    mix(e.action);
    mix(static_cast<std::uint8_t>(e.type));
    if (e.action > kOverlay) fail("book entry with MDUpdateAction > 5 reached the handler");
    if (e.type != kBid && e.type != kOffer && e.type != kImpliedBid && e.type != kImpliedOffer &&
        e.type != kBookReset) {
      fail("book entry with an unknown MDEntryType reached the handler");
    }
    // The conversion the fast path applies to every non-null book price.
    if (e.price != kNullPrice) mix(static_cast<std::uint64_t>(to_price9(e.price, m.template_id)));
  }
  void on_trade(const MsgCtx&, const TradeEntry& t) {
    mix(static_cast<std::uint64_t>(t.price));
    mix(static_cast<std::uint32_t>(t.size));
    mix(static_cast<std::uint32_t>(t.security_id));
    mix(t.rpt_seq);
    mix(t.aggressor);
  }
  void on_seq_entry(const MsgCtx&, const SeqEntry& s) {
    mix(static_cast<std::uint32_t>(s.security_id));
    mix(s.rpt_seq);
  }
  void on_channel_reset(const MsgCtx& m) { mix(m.mei); }
  void on_security_status(const MsgCtx&, const SecurityStatus& s) {
    mix(static_cast<std::uint32_t>(s.security_id));
    mix(s.trading_status);
    if (!nul_terminated(s.security_group, sizeof s.security_group) ||
        !nul_terminated(s.asset, sizeof s.asset)) {
      fail("SecurityStatus string not NUL-terminated");
    }
    mix_chars(s.security_group, sizeof s.security_group);
    mix_chars(s.asset, sizeof s.asset);
  }
  void on_snapshot(const MsgCtx& m, const SnapshotHeader& h, const SnapshotEntries& es) {
    mix(h.last_msg_seq_processed);
    mix(h.tot_num_reports);
    mix(static_cast<std::uint32_t>(h.security_id));
    mix(h.rpt_seq);
    if (es.count > 0 && es.block_length < kSnapshotEntryMin) fail("snapshot entry too short");
    for (std::uint32_t i = 0; i < es.count; ++i) {  // entries are read lazily: read them all
      const SnapshotEntry e = es[i];
      mix(static_cast<std::uint64_t>(e.price));
      mix(static_cast<std::uint32_t>(e.size));
      mix(static_cast<std::uint32_t>(e.orders));
      mix(static_cast<std::uint8_t>(e.level));
      mix(static_cast<std::uint8_t>(e.type));
      if (e.price != kNullPrice) mix(static_cast<std::uint64_t>(to_price9(e.price, m.template_id)));
    }
  }
  void on_definition(const MsgCtx& m, const Definition& d) {
    mix(static_cast<std::uint32_t>(d.security_id));
    mix(static_cast<std::uint64_t>(d.tick));
    mix(static_cast<std::uint64_t>(d.display_factor));
    mix(d.appl_id);
    mix(d.depth);
    mix(d.implied_depth);
    mix(static_cast<std::uint8_t>(d.update_action));
    if (!nul_terminated(d.symbol, sizeof d.symbol) ||
        !nul_terminated(d.security_group, sizeof d.security_group)) {
      fail("Definition string not NUL-terminated");
    }
    mix_chars(d.symbol, sizeof d.symbol);
    mix_chars(d.security_group, sizeof d.security_group);
    if (d.tick > 0 && d.tick != kNullPrice) {
      mix(static_cast<std::uint64_t>(to_price9(d.tick, m.template_id)));
    }
  }
};

// ----- seed corpus -------------------------------------------------------------------------

namespace t = ttq::test;

// The worked example of the MDP 3.0 spec (template 32 v6, two entries, then an empty one).
Bytes spec_example() {
  return Bytes{0xc4, 0x16, 0x00, 0x00, 0x7b, 0x3c, 0x29, 0x6e, 0x77, 0x53, 0x86, 0x14, 0x58, 0x00,
               0x0b, 0x00, 0x20, 0x00, 0x01, 0x00, 0x06, 0x00, 0xd9, 0x6d, 0x18, 0x6e, 0x77, 0x53,
               0x86, 0x14, 0x04, 0x00, 0x00, 0x20, 0x00, 0x02, 0x20, 0xf2, 0x50, 0xf6, 0x00, 0x00,
               0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0xe1, 0x48, 0x06, 0x00, 0x97, 0x00, 0x00, 0x00,
               0x01, 0x00, 0x00, 0x00, 0x03, 0x00, 0x31, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0xae,
               0x0f, 0xf7, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0xe1, 0x48, 0x06, 0x00,
               0x98, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x01, 0x31, 0x00, 0x00, 0x00,
               0x00, 0x00, 0x18, 0x00, 0x0b, 0x00, 0x20, 0x00, 0x01, 0x00, 0x06, 0x00, 0xd9, 0x6d,
               0x18, 0x6e, 0x77, 0x53, 0x86, 0x14, 0x80, 0x00, 0x00, 0x20, 0x00, 0x00};
}

// Rewrites the template id of a message built for the schema-9 template (same layout).
Bytes retemplate(Bytes m, std::uint16_t template_id) {
  m[4] = static_cast<std::uint8_t>(template_id);
  m[5] = static_cast<std::uint8_t>(template_id >> 8);
  return m;
}

Bytes trade_message(std::uint16_t template_id) {
  t::Writer w;  // one entry + NoOrderIDEntries with 2 entries of 16 B
  w.u16(10 + 11 + 3 + 32 + 8 + 32).u16(11).u16(template_id).u16(1).u16(9);
  w.u64(1).u8(0x01).zeros(2).u16(32).u8(1);
  w.i64(5000).i32(4).i32(42).u32(8).i32(2).u8(1).u8(0).u32(99).zeros(2);
  w.u16(16).zeros(5).u8(2).zeros(32);
  return w.b;
}

// Templates 37/49/50/51 with one entry whose SecurityID/RptSeq sit at the template's offsets.
Bytes seq_message(std::uint16_t template_id, std::uint16_t entry_len, std::size_t id_off) {
  t::Writer w;
  w.u16(10 + 11 + 3 + entry_len).u16(11).u16(template_id).u16(1).u16(9).u64(1).u8(0x08).zeros(2);
  w.u16(entry_len).u8(1);
  Bytes e(entry_len, 0);
  e[id_off] = 42;
  e[id_off + 4] = 9;
  w.bytes(e);
  return w.b;
}

std::vector<std::pair<std::string, Bytes>> seeds() {
  using ttq::mdp3::kChange;
  using ttq::mdp3::kDelete;
  using ttq::mdp3::kDeleteFrom;
  using ttq::mdp3::kDeleteThru;
  using ttq::mdp3::kNew;
  using ttq::mdp3::kOverlay;
  const Bytes book = t::book_message({{100, 1, 42, 1, 1, 1, kNew, '0'},
                                      {110, 2, 42, 2, 1, 1, kNew, '1'},
                                      {105, 3, 42, 3, t::kNull32, 1, kOverlay, 'E'},
                                      {111, 4, 42, 4, t::kNull32, 2, kChange, 'F'},
                                      {t::kNullPx, t::kNull32, 42, 5, 0, 2, kDelete, '0'},
                                      {0, 0, 42, 6, 0, 0, kDeleteThru, '1'},
                                      {0, 0, 42, 7, 0, 3, kDeleteFrom, '0'},
                                      {0, 0, 42, 8, 0, 0, kNew, 'J'}},
                                     0x84);
  const Bytes book32 =
      t::book_message({{4132500000, 2, 411873, 151, 1, 3, kNew, '1'}}, 0x80, 32, 6, false);
  const Bytes snap = t::snapshot_message(42, 77, 900, {{'0', 1, 100, 3}, {'F', 2, 300, 4}});
  const Bytes def = t::definition_message(42, "BTCZ6", 5000000000, 10, 2);
  const Bytes status = t::security_status_message(42, 2, "BT");
  // A 1e-7 price beyond INT64_MAX/100: to_price9 overflowed on it (docs/fuzzing.md, bug 1).
  const Bytes huge32 =
      t::book_message({{std::int64_t{1} << 57, 1, 1, 1, 1, 1, kNew, '0'}}, 0x84, 32, 6, false);
  std::vector<std::pair<std::string, Bytes>> out = {
      {"spec_example", spec_example()},
      {"regress-price9-overflow", t::packet(1, {huge32})},
      {"book46", t::packet(1, {book})},
      {"book32", t::packet(2, {book32})},
      {"snapshot52", t::packet(3, {snap})},
      {"snapshot38", t::packet(4, {retemplate(snap, 38)})},
      {"definition54", t::packet(5, {def})},
      {"definition27", t::packet(6, {retemplate(def, 27)})},
      {"status_reset_heartbeat",
       t::packet(7, {status, t::channel_reset_message(), t::heartbeat_message(),
                     t::security_status_message(t::kNull32, 17, "BT")})},
      {"trades", t::packet(8, {trade_message(48), trade_message(42)})},
      {"stats",
       t::packet(9, {seq_message(37, 16, 4), seq_message(33, 32, 12), seq_message(49, 32, 12),
                     seq_message(34, 32, 24), seq_message(50, 32, 24), seq_message(35, 24, 8),
                     seq_message(51, 24, 8)})},
      {"opaque", t::packet(10, {t::opaque_message(47, 11, 40), t::opaque_message(99, 3)})},
  };
  Bytes all =
      t::packet(11, {def, status, book, book32, snap, trade_message(48), seq_message(37, 16, 4),
                     t::channel_reset_message(), t::heartbeat_message()});
  out.emplace_back("everything", std::move(all));
  return out;
}

void write_seeds(const char* dir) {
  for (const auto& [name, bytes] : seeds()) {
    const std::string path = std::string(dir) + "/seed-" + name;
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f || std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size()) {
      std::fprintf(stderr, "fuzz_mdp3: cannot write %s\n", path.c_str());
      std::exit(1);
    }
    std::fclose(f);
    if (validate_packet(bytes.data(), static_cast<std::uint32_t>(bytes.size())) != MsgError::kOk) {
      std::fprintf(stderr, "fuzz_mdp3: seed %s does not validate\n", name.c_str());
      std::exit(1);
    }
  }
  std::printf("fuzz_mdp3: wrote %zu seeds to %s\n", seeds().size(), dir);
}

// FastPath::packet_events (feed.max_packet_events, the card's packet-store limit) on any payload:
// the limited walk agrees with the unlimited one on "more than the limit", the bounded walk too;
// a payload shorter than 12 + ceil(19 * (limit - 1) / 2) bytes never passes the limit (the model's
// cheap test before the walk, FastPath::oversize); the cut of an oversize payload lies inside it.
void check_packet_events(const std::uint8_t* data, std::uint32_t len) {
  using ttq::FastPath;
  const std::uint32_t all = FastPath::packet_events(data, len, 0);
  if (all == 0) fail("packet_events counted no PKT_HDR");
  const std::uint32_t small = len == 0 ? 1 : 1u + data[len - 1] % 160u;
  for (const std::uint32_t limit : {small, ttq::kCardPacketEvents}) {
    std::uint32_t fit = 0;
    const std::uint32_t n = FastPath::packet_events(data, len, limit, &fit);
    const std::uint32_t b = FastPath::packet_events(data, len, limit, nullptr, true);
    if ((n > limit) != (all > limit)) fail("packet_events: the limited walk disagrees");
    if ((b > limit) != (all > limit)) fail("packet_events: the bounded walk disagrees");
    if (n <= limit && n != all) fail("packet_events: a count under the limit is not the total");
    if (len < kPacketHeaderSize + (19 * (limit - 1) + 1) / 2 && all > limit) {
      fail("packet_events: a payload under the length bound passes the limit");
    }
    if (n > limit && (fit < kPacketHeaderSize || fit > len)) {
      fail("packet_events: the cut lies outside the payload");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (const char* dir = std::getenv("TTQ_FUZZ_SEED_DIR")) {
    write_seeds(dir);
    std::exit(0);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 0xFFFFFFFFu) return 0;
  const auto len = static_cast<std::uint32_t>(size);
  const MsgError err = validate_packet(data, len);
  if (static_cast<std::uint8_t>(err) >= static_cast<std::uint8_t>(MsgError::kCount) ||
      to_string(err) == nullptr) {
    fail("validate_packet returned an error outside MsgError");
  }
  // Decoding for real must agree with validation on every input: for an accepted packet that is
  // the contract the fast path relies on (apply_packet ignores the result); for a refused one
  // the messages before the bad one have already been handed out, and their fields are read too.
  TouchHandler h;
  const MsgError again = decode_packet(data, len, h);
  if (again != err) {
    std::fprintf(stderr, "validate_packet=%s decode_packet=%s\n", to_string(err), to_string(again));
    fail(err == MsgError::kOk ? "validated packet failed to decode" : "decode disagrees");
  }
  if (err == MsgError::kOk) {
    if (h.messages == 0) fail("accepted packet without a message");
    if (h.ends != h.messages) fail("accepted packet with an unfinished message");
    if (first_template(data, len) != h.first_template) fail("first_template disagrees");
  }
  check_packet_events(data, len);
  g_sink = h.acc;
  return 0;
}
