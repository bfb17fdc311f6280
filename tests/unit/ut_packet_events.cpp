// feed.max_packet_events (docs/pipeline.md "Packet event limit"): the card's packet store holds a
// packet's first 128 framer events (ttq_core's EV_PER_PKT) and drops a packet with more whole, as
// malformed; the model does the same, counts every kind of event as the framer emits it, and in
// cut-through mode applies (then undoes) the messages that end within the first 128 events.
#include <catch2/catch.hpp>

#include <initializer_list>
#include <vector>

#include "instrument_state.hpp"
#include "test_support.hpp"
#include "ttq/config.hpp"
#include "ttq/fast_path.hpp"

using namespace ttq;
using test::Bytes;

namespace {

constexpr std::int32_t kId = 100001;
constexpr std::int64_t kTick = 5'000'000'000;     // 5.0 in PRICE9
constexpr std::int64_t kPx = 90'000'000'000'000;  // 90000.0

PipelineConfig card_config(bool cut_through, std::uint32_t limit = kCardPacketEvents) {
  PipelineConfig cfg;
  cfg.fixed_instruments = true;
  cfg.cut_through = cut_through;
  cfg.reorder_window = 0;  // a hole is a gap at once
  cfg.max_packet_events = limit;
  InstrumentConfig a;
  a.security_id = kId;
  a.tick = kTick;
  cfg.instruments = {a};
  return cfg;
}

test::BookEntrySpec entry(char type, std::int64_t px, std::int32_t sz, std::uint32_t rpt,
                          std::uint8_t level = 1, std::uint8_t action = mdp3::kNew) {
  return {px, sz, kId, rpt, 1, level, action, type};
}

// A message of a group template (42/48, 37, 33-35, 49-51) with `count` zero entries of `block`
// bytes (SecurityID 0: names no instrument) after a 11-byte root (TransactTime, MEI, pad).
// (root 9: TransactTime and MEI only, the minimum.)
Bytes group_message(std::uint16_t tid, std::uint16_t block, std::uint8_t count,
                    std::uint16_t root = 11) {
  test::Writer w;
  const std::size_t size = 10 + std::size_t{root} + 3 + std::size_t{block} * count;
  w.u16(size).u16(root).u16(tid).u16(1).u16(9);
  w.u64(1).u8(0x01);
  if (root == 11) w.u16(0);
  w.u16(block).u8(count).zeros(std::size_t{block} * count);
  return w.b;
}

// `n` entries for kId from RptSeq `rpt` on: an offer at kPx + kTick, then n - 1 bids at level 1
// rising to `top` (the last one), in a message that publishes.
Bytes bids(std::uint32_t n, std::uint32_t rpt, std::int64_t top = kPx - kTick) {
  std::vector<test::BookEntrySpec> es{entry('1', kPx + kTick, 4, rpt)};
  for (std::uint32_t i = 1; i < n; ++i) {
    es.push_back(entry('0', top - static_cast<std::int64_t>(n - 1 - i) * kTick, 2, rpt + i));
  }
  return test::book_message(es, 0x84);
}

Bytes opening() {
  return test::packet(1, {test::book_message({entry('0', kPx - 10 * kTick, 3, 1),
                                              entry('1', kPx + kTick, 4, 2)},
                                             0x84)});
}

// Packet 2 with every kind of event: a channel reset (RESET + MSG_END), a TradeSummary with 2
// entries (2 SEQ + MSG_END), a Volume with 3 (3 SEQ + MSG_END), a SecurityStatus (STATUS +
// MSG_END), a heartbeat (MSG_END) and `n` BOOK + MSG_END: with PKT_HDR, 14 + n events. Only the
// book message publishes.
Bytes mixed(std::uint32_t n) {
  return test::packet(2, {test::channel_reset_message(0x00), group_message(48, 32, 2),
                          group_message(37, 16, 3), test::security_status_message(kId, 17, "", 0x00),
                          test::heartbeat_message(),
                          // the book message last: after the reset, RptSeq starts from 1
                          bids(n, 1)});
}

struct Run {
  FastPath fp;
  explicit Run(const PipelineConfig& cfg) : fp(cfg) {}
  void send(const Bytes& payload, bool bad_fcs = false, test::FrameSpec spec = {}) {
    const Bytes f = test::udp_frame(payload, spec);
    Frame fr = test::as_frame(f);
    fr.bad_fcs = bad_fcs;
    fp.process(fr);
  }
  std::vector<QuoteRecord> quotes() {
    std::vector<QuoteRecord> out(64);
    out.resize(fp.collect(out));
    return out;
  }
  const PipelineCounters& c() { return fp.counters(); }
};

std::uint32_t events(const Bytes& p, std::uint32_t limit = 0, std::uint32_t* fit = nullptr) {
  return FastPath::packet_events(p.data(), static_cast<std::uint32_t>(p.size()), limit, fit);
}

void put16(Bytes& b, std::size_t at, std::uint32_t v) {
  b[at] = static_cast<std::uint8_t>(v);
  b[at + 1] = static_cast<std::uint8_t>(v >> 8);
}

// A message header's fields (message offsets): MsgSize 0, blockLength 2, templateId 4, schemaId 6.
Bytes with16(Bytes m, std::size_t at, std::uint32_t v) {
  put16(m, at, v);
  return m;
}

std::vector<Bytes> heartbeats(std::size_t n) {
  return std::vector<Bytes>(n, test::heartbeat_message());
}

// Messages `first`, then `rest`.
std::vector<Bytes> then(Bytes first, std::vector<Bytes> rest) {
  rest.insert(rest.begin(), std::move(first));
  return rest;
}

}  // namespace

TEST_CASE("packet events: as the framer emits them, per kind", "[fast_path][oversize]") {
  CHECK(events(test::packet(1, {})) == 1);  // PKT_HDR
  CHECK(events(test::packet(1, {test::heartbeat_message()})) == 2);
  CHECK(events(test::packet(1, {bids(5, 1)})) == 1 + 6);
  CHECK(events(test::packet(1, {test::channel_reset_message()})) == 1 + 2);
  CHECK(events(test::packet(1, {test::security_status_message(kId, 2)})) == 1 + 2);
  for (const std::uint16_t tid :
       std::initializer_list<std::uint16_t>{42, 48, 37, 33, 34, 35, 49, 50, 51}) {
    INFO("template " << tid);
    CHECK(events(test::packet(1, {group_message(tid, 40, 7)})) == 1 + 8);
  }
  // Snapshots, definitions and other templates: the MSG_END only.
  CHECK(events(test::packet(1, {test::snapshot_message(kId, 1, 1, {{'0', 1, kPx, 1},
                                                                    {'1', 1, kPx + kTick, 1}})})) ==
        2);
  CHECK(events(test::packet(1, {test::definition_message(kId, "BTCZ6", kTick, 10, 2)})) == 2);
  CHECK(events(test::packet(1, {test::opaque_message(47, 20, 60)})) == 2);
  CHECK(events(mixed(10)) == 14 + 10);
  // A message cut by the end of the payload (its last byte): the framer walked its 4 entries
  // before it knew the end (their BOOK events), not its MSG_END; nothing after it.
  Bytes cut = test::packet(1, {bids(3, 1), bids(4, 4)});
  cut.resize(cut.size() - 1);
  CHECK(events(cut) == 1 + 4 + 4);
  // The limit: the walk stops past it; fit = the end of the last message within it.
  const Bytes p = test::packet(1, {bids(3, 1), bids(3, 4), test::heartbeat_message()});
  const std::uint32_t m = static_cast<std::uint32_t>(bids(3, 1).size());
  std::uint32_t fit = 0;
  CHECK(events(p, 10, &fit) == 10);  // 1 + 4 + 4 + 1: all within
  CHECK(fit == p.size());
  CHECK(events(p, 9, &fit) == 10);
  CHECK(fit == 12 + 2 * m);
  CHECK(events(p, 8, &fit) == 9);
  CHECK(fit == 12 + m);
  CHECK(events(p, 4, &fit) == 5);
  CHECK(fit == 12);
}

TEST_CASE("max_packet_events: 128 events are applied, 129 dropped whole and counted",
          "[fast_path][oversize]") {
  for (const bool ct : {false, true}) {
    INFO("cut_through " << ct);
    for (const std::uint32_t n : {114u, 115u}) {
      INFO("book entries " << n);
      Run r(card_config(ct));
      r.send(opening());
      REQUIRE(r.quotes().size() == 1);
      const Bytes p = mixed(n);
      REQUIRE(events(p) == 14 + n);
      r.send(p);
      const auto q = r.quotes();
      if (n == 114) {  // 128 events: applied
        CHECK(r.c().packets == 2);
        CHECK(r.c().oversize_packets == 0);
        CHECK(r.c().malformed_oversize == 0);
        REQUIRE(q.size() == 1);
        CHECK(q[0].seq == 2);
        CHECK(q[0].bid_px == kPx - kTick);
        CHECK(r.fp.find(kId)->last_rpt == 114);
      } else {  // 129: dropped whole, as malformed; the next packet finds a hole
        CHECK(r.c().packets == 1);
        CHECK(r.c().oversize_packets == 1);
        CHECK(r.c().malformed_oversize == 1);
        CHECK(r.c().channel_resets == (ct ? 1 : 0));  // speculated (and undone) under cut-through
        CHECK(r.c().spec_undone == (ct ? 1 : 0));
        // Cut-through: the messages that end within the first 128 events were applied and
        // published, then undone and corrected; the book message (its MSG_END is event 129) never
        // ended. So no record here at all: the reset's message does not publish (MEI 0).
        CHECK(q.empty());
        CHECK(r.fp.find(kId)->last_rpt == 2);
        r.send(test::packet(3, {test::heartbeat_message()}));
        CHECK(r.c().arb.gaps == 1);
        CHECK(r.c().arb.lost == 1);
        CHECK(r.fp.find(kId)->suspect);
      }
    }
  }
}

TEST_CASE("max_packet_events: cut-through applies the messages that end within the limit",
          "[fast_path][oversize][cut_through]") {
  // PKT_HDR, A = 2 entries + MSG_END (events 2-4), B = n entries + MSG_END, a heartbeat. With
  // n = 123, B's MSG_END is event 128: A and B are applied and publish, then undone (the heartbeat
  // is event 129); with n = 124, B's MSG_END is event 129: only A.
  for (const std::uint32_t n : {123u, 124u}) {
    INFO("B's entries " << n);
    Run v(card_config(false)), c(card_config(true));
    for (Run* r : {&v, &c}) {
      r->send(opening());
      r->quotes();
      r->send(test::packet(2, {bids(2, 3, kPx - 2 * kTick), bids(n, 5, kPx - kTick),
                               test::heartbeat_message()}));
      CHECK(r->c().oversize_packets == 1);
      CHECK(r->c().malformed_oversize == 1);
      CHECK(r->c().packets == 1);
    }
    CHECK(v.quotes().empty());
    const auto q = c.quotes();
    REQUIRE(q.size() == (n == 123 ? 3 : 2));
    CHECK(q[0].bid_px == kPx - 2 * kTick);  // A's
    if (n == 123) CHECK(q[1].bid_px == kPx - kTick);  // B's
    CHECK(q.front().seq == 2);
    CHECK(q.back().seq == 1);  // the correction: back to the opening's quote
    CHECK(q.back().bid_px == kPx - 10 * kTick);
    CHECK(c.c().book_entries == v.c().book_entries + 2 + (n == 123 ? n : 0));
    test::same_instrument(*c.fp.find(kId), *v.fp.find(kId));
  }
}

TEST_CASE("max_packet_events: every payload the card stores is counted in oversize_packets",
          "[fast_path][oversize]") {
  const Bytes big = test::packet(2, {bids(200, 3)});
  SECTION("an early duplicate (its number already applied)") {
    Run r(card_config(false));
    r.send(opening());
    r.send(test::packet(2, {bids(1, 3)}));
    r.send(big);
    CHECK(r.c().early_duplicates == 1);
    CHECK(r.c().oversize_packets == 1);
    CHECK(r.c().malformed_oversize == 0);
  }
  SECTION("a frame of an unknown line") {
    PipelineConfig cfg = card_config(false);
    cfg.channels = {ChannelConfig{310}};
    cfg.lines = {LineConfig{0xE0001F01, 14310, 0, FeedKind::kIncremental, 'A'}};
    Run r(cfg);
    test::FrameSpec other;
    other.dst_port = 9999;
    r.send(big, false, other);
    CHECK(r.c().frame_drops[static_cast<int>(FrameDrop::kUnknownLine)] == 1);
    CHECK(r.c().oversize_packets == 1);
    CHECK(r.c().malformed_oversize == 0);
  }
  SECTION("a frame with a bad FCS, in both commit modes") {
    for (const bool ct : {false, true}) {
      Run r(card_config(ct));
      r.send(opening());
      r.quotes();
      r.send(big, /*bad_fcs=*/true);
      CHECK(r.c().oversize_packets == 1);
      CHECK(r.c().malformed_oversize == 0);
      CHECK(r.quotes().empty());  // cut-through: the book message never ended
    }
  }
  SECTION("a malformed packet is counted by its reason") {
    Run r(card_config(false));
    r.send(opening());
    Bytes bad = big;
    bad.resize(bad.size() - 1);  // fix the UDP length: the payload is cut inside its message
    r.send(bad);
    CHECK(r.c().malformed[static_cast<int>(mdp3::MsgError::kMsgSizeOverrun)] == 1);
    // Its only message is cut by its last byte: the framer walked its 200 entries (BOOK each)
    // before it knew the payload's end, so the card counts it as well.
    CHECK(r.c().oversize_packets == 1);
    CHECK(r.c().malformed_oversize == 0);
  }
}

TEST_CASE("max_packet_events = 0: no limit (software only)", "[fast_path][oversize]") {
  Run r(card_config(false, 0));
  r.send(opening());
  r.quotes();
  r.send(test::packet(2, {bids(250, 3)}));
  CHECK(r.c().packets == 2);
  CHECK(r.c().oversize_packets == 0);
  CHECK(r.quotes().size() == 1);
  CHECK(r.fp.find(kId)->last_rpt == 252);
}

// FastPath::oversize decides without the walk below oversize_len_ (2 events per 19 bytes at most,
// and 1 for a cut header at the end) and stops the walk once the bytes left could not hold enough
// events (packet_events' `bounded`): both exact, at the densest packets (19-byte channel resets:
// exactly 2 events per 19 bytes; heartbeats: 1 per 10; resets and a cut header) and at mixed ones,
// for every limit around their counts.
TEST_CASE("max_packet_events: the length bound and the bounded walk are exact",
          "[fast_path][oversize]") {
  // The densest message the framer counts: a ChannelReset4 of its 19-byte root alone (RESET +
  // MSG_END; it does not validate, but the packet store counts it first).
  test::Writer w;
  w.u16(19).u16(9).u16(4).u16(1).u16(9).u64(1).u8(0x00);
  const Bytes reset19 = w.b;
  std::vector<Bytes> packets;
  for (std::size_t k = 0; k <= 24; ++k) {
    packets.push_back(test::packet(2, std::vector<Bytes>(k, reset19)));
    packets.push_back(test::packet(2, std::vector<Bytes>(k, test::channel_reset_message(0x00))));
    packets.push_back(test::packet(2, std::vector<Bytes>(k, test::heartbeat_message())));
    std::vector<Bytes> ms(k, test::channel_reset_message(0x00));
    ms.push_back(bids(1 + static_cast<std::uint32_t>(k), 1));
    for (std::size_t j = 0; j < k; ++j) ms.push_back(test::heartbeat_message());
    packets.push_back(test::packet(2, ms));
    // A header cut by the payload's end after them (1, 5 or 9 bytes): 1 event more (its header
    // item's MSG_END), in fewer than 10 bytes.
    for (const std::size_t cut : {1u, 5u, 9u}) {
      Bytes p = test::packet(2, std::vector<Bytes>(k, reset19));
      const Bytes tail = {10, 0, 0, 0, 12, 0, 1, 0, 9};
      p.insert(p.end(), tail.begin(), tail.begin() + static_cast<std::ptrdiff_t>(cut));
      packets.push_back(p);
    }
  }
  for (std::uint32_t limit = 1; limit <= 60; ++limit) {
    for (const Bytes& p : packets) {
      const std::uint32_t all = events(p);
      INFO("limit " << limit << ", " << p.size() << " bytes, " << all << " events");
      const std::uint32_t bounded = FastPath::packet_events(
          p.data(), static_cast<std::uint32_t>(p.size()), limit, nullptr, true);
      CHECK((bounded > limit) == (all > limit));
      Run r(card_config(false, limit));
      r.send(p);
      CHECK(r.c().oversize_packets == (all > limit ? 1u : 0u));
    }
  }
}

TEST_CASE("feed.max_packet_events: default, range, type", "[config]") {
  CHECK(parse_config("", "t").pipeline.max_packet_events == 128);
  CHECK(parse_config("[feed]\nmax_packet_events = 0\n", "t").pipeline.max_packet_events == 0);
  CHECK(parse_config("[feed]\nmax_packet_events = 1000\n", "t").pipeline.max_packet_events ==
        1000);
  CHECK_THROWS_WITH(parse_config("[feed]\nmax_packet_events = -1\n", "t"),
                    Catch::Contains("feed.max_packet_events"));
  CHECK_THROWS_WITH(parse_config("[feed]\nmax_packet_events = 2000000\n", "t"),
                    Catch::Contains("feed.max_packet_events"));
  CHECK_THROWS_WITH(parse_config("[feed]\nmax_packet_events = \"128\"\n", "t"),
                    Catch::Contains("feed.max_packet_events"));
}

// The framer (hw/rtl/ttq_mdp_framer.sv; docs/rtl_mdp_framer.md) stops at the first message that
// fails a check, and the packet store counts what it wrote before: the expected counts below
// follow its items, not the model. Its message-header item writes a RESET (4) or a skipped
// template's MSG_END (12, 47, unknown ones) at once, before its checks act (a cycle late, they
// cancel the next item only); a group header's item writes nothing (its failure costs the
// message's entries); a 46/32's entries are all walked (BOOK each) before a bad entry's error
// is acted on, at the message end (no MSG_END). Nothing of a later message is written.
TEST_CASE("packet events stop where the framer stops: review cases",
          "[fast_path][oversize]") {
  // Review 2026-11-30: schemaId 2 in the first message (a heartbeat), 139 heartbeats after it:
  // PKT_HDR + the bad heartbeat's MSG_END (written by its header item) = 2 on the card.
  const Bytes bad_schema =
      test::packet(2, then(with16(test::heartbeat_message(), 6, 2), heartbeats(139)));
  CHECK(events(bad_schema) == 2);
  // 127 heartbeats and a header cut by the payload's end (5 bytes): its header item runs once the
  // length is known and writes the MSG_END of the template its bytes name (past the payload: not
  // a book / SeqNum / status / snapshot / definition one): 1 + 127 + 1 = 129 on the card.
  Bytes cut_header = test::packet(2, heartbeats(127));
  const Bytes cut_tail = {10, 0, 0, 0, 12};
  cut_header.insert(cut_header.end(), cut_tail.begin(), cut_tail.end());
  CHECK(events(cut_header) == 129);
  // The same through a bad book entry (action 9 in the 2nd of 3): 1 + 3 BOOK, no MSG_END, none
  // of the 139 heartbeats (FastPath::oversize checks the entries only when a walk without them
  // passes the limit, as here).
  Bytes bad_entry_msg = bids(3, 1);
  bad_entry_msg[24 + 32 + 25] = 9;
  const Bytes bad_entry = test::packet(2, then(bad_entry_msg, heartbeats(139)));
  CHECK(events(bad_entry) == 4);
  for (const bool ct : {false, true}) {
    INFO((ct ? "cut-through" : "verdict"));
    Run r(card_config(ct));
    r.send(bad_schema);
    CHECK(r.c().oversize_packets == 0);
    r.send(bad_entry);
    CHECK(r.c().oversize_packets == 0);
    r.send(cut_header);
    CHECK(r.c().oversize_packets == 1);
    CHECK(r.c().malformed_oversize == 0);  // malformed by its reason first
  }
}

TEST_CASE("packet events stop where the framer stops: every early stop",
          "[fast_path][oversize]") {
  const Bytes hb = test::heartbeat_message();
  const Bytes book3 = bids(3, 1);  // 10 + 11 + 3 + 3 x 32 + 8 = 128 bytes; entries at 24 + 32k
  const auto after_hb = [&](Bytes bad) {  // a heartbeat, the bad message, 139 heartbeats
    std::vector<Bytes> ms{hb, std::move(bad)};
    for (int i = 0; i < 139; ++i) ms.push_back(hb);
    return events(test::packet(2, ms));
  };
  // Header checks (MsgSizeTooSmall, schemaId, root past MsgSize, root below the minimum): the
  // header item's own event only -- a skipped template's MSG_END, a RESET -- else nothing.
  CHECK(after_hb(with16(hb, 0, 9)) == 1 + 1 + 1);                  // MsgSize 9 (10 bytes follow)
  CHECK(after_hb(with16(book3, 0, 9)) == 1 + 1);                   // ... of a book message
  CHECK(after_hb(with16(book3, 6, 2)) == 1 + 1);                   // schemaId 2, book
  CHECK(after_hb(with16(test::channel_reset_message(), 6, 0)) == 1 + 1 + 1);  // RESET, no MSG_END
  CHECK(after_hb(with16(test::security_status_message(kId, 2), 6, 3)) == 1 + 1);
  CHECK(after_hb(with16(book3, 2, 200)) == 1 + 1);                 // root past MsgSize
  CHECK(after_hb(with16(hb, 2, 1)) == 1 + 1 + 1);                  // ... of a heartbeat
  CHECK(after_hb(with16(test::channel_reset_message(), 2, 8)) == 1 + 1 + 1);  // root 8 < 9: RESET
  CHECK(after_hb(with16(test::security_status_message(kId, 2), 2, 27)) == 1 + 1);  // 27 < 28
  CHECK(after_hb(with16(group_message(48, 32, 2), 2, 8)) == 1 + 1);
  CHECK(after_hb(with16(test::snapshot_message(kId, 1, 1, {{'0', 1, kPx, 1}}), 2, 15)) == 1 + 1);
  CHECK(after_hb(with16(test::definition_message(kId, "BTCZ6", kTick, 10, 2), 2, 106)) == 1 + 1);
  // Group checks (blockLength below the minimum, the group past MsgSize): nothing of the message.
  CHECK(after_hb(with16(book3, 21, 26)) == 1 + 1);                 // blockLength 26 < 27
  {
    Bytes m = book3;
    m[23] = 4;  // 4 entries of 32 bytes past MsgSize
    CHECK(after_hb(m) == 1 + 1);
  }
  CHECK(after_hb(with16(group_message(48, 32, 2), 21, 24)) == 1 + 1);  // 24 < 25
  CHECK(after_hb(with16(group_message(37, 16, 3), 21, 40)) == 1 + 1);  // past MsgSize
  {
    Bytes m = test::snapshot_message(kId, 1, 1, {{'0', 1, kPx, 1}});
    put16(m, 10 + 59, 21);  // blockLength 21 < 22
    CHECK(after_hb(m) == 1 + 1);
  }
  // A book entry that fails its values (here the 2nd of 3: action 9, type 'X', level 0 on a New,
  // a null price on a New): every entry's BOOK, no MSG_END.
  for (const auto& [at, v] : std::initializer_list<std::pair<std::size_t, std::uint8_t>>{
           {24 + 32 + 25, 9}, {24 + 32 + 26, 'X'}, {24 + 32 + 24, 0}}) {
    Bytes m = book3;
    m[at] = v;
    INFO("byte " << at);
    CHECK(after_hb(m) == 1 + 1 + 3);
  }
  {
    Bytes m = book3;
    for (std::size_t i = 0; i < 8; ++i) m[24 + 32 + i] = i == 7 ? 0x7F : 0xFF;  // kNullPrice
    CHECK(after_hb(m) == 1 + 1 + 3);
  }
  // NoOrderIDEntries (8-byte header at 24 + 96) past MsgSize: the entries, no MSG_END.
  {
    Bytes m = book3;
    m[24 + 96 + 7] = 1;
    CHECK(after_hb(m) == 1 + 1 + 3);
  }
  // A message cut by the payload's end (MsgSizeOverrun). A skipped template's MSG_END is written
  // by its header item anyway; a book message's items run as the bytes stream in, before the
  // end is known: its group header and entries whose bytes were in before the payload's last
  // beat, and the entry whose 27 event bytes end in that beat (taken as it comes in, all 8 lanes
  // read): payload offsets, the group header ends at 12 + 24 + 8 = 44 (after a heartbeat: 22 +
  // 24), entry k's 27 bytes end at 22 + 24 + 32k + 27 = 73 + 32k.
  {
    Bytes p = test::packet(2, {hb, hb});
    p.resize(p.size() - 3);
    CHECK(events(p) == 1 + 1 + 1);
  }
  const Bytes whole = test::packet(2, {hb, book3});  // 150 bytes
  for (const auto& [len, want] : std::initializer_list<std::pair<std::size_t, std::uint32_t>>{
           {46, 2},    // the group header ends in the last beat (40..47): not run
           {57, 2},    // header in the ring (56 bytes before the last beat), entry 0's 73 > 64
           {70, 2},    // last beat 64..71: 73 > 72
           {73, 3},    // last beat 72..79: entry 0 (73 <= 80)
           {100, 3},   // last beat 96..103: entry 1's 105 > 104
           {105, 4},   // last beat 104..111: entry 1
           {149, 5}}) {  // entries 0-2 (137 <= 152), no MSG_END
    Bytes p = whole;
    p.resize(len);
    INFO(len << " bytes");
    CHECK(events(p) == want);
  }
  // The book message first: entry 0's 27 bytes end at 12 + 24 + 27 = 63, in the beat 56..63. A
  // payload of 60 bytes does not hold them all, yet the entry is taken as that beat comes in.
  {
    Bytes p = test::packet(2, {book3});
    p.resize(60);
    CHECK(events(p) == 1 + 1);
    p.resize(56);  // the last beat is 48..55: entry 0 never ready before the end is known
    CHECK(events(p) == 1);
  }
  // An 8-byte cut header whose templateId bytes are there: 46 (its header item writes nothing),
  // 12 (a skipped template's MSG_END), 4 (RESET).
  for (const auto& [tid, want] : std::initializer_list<std::pair<std::uint16_t, std::uint32_t>>{
           {46, 2}, {12, 3}, {4, 3}}) {
    Bytes p = test::packet(2, {hb});
    const Bytes tail = {10, 0, 0, 0, static_cast<std::uint8_t>(tid), 0, 1, 0};
    p.insert(p.end(), tail.begin(), tail.end());
    INFO("template " << tid);
    CHECK(events(p) == want);
  }
  // The payload shorter than a packet header and one message header: the PKT_HDR only.
  CHECK(events(Bytes(21, 0)) == 1);
}

TEST_CASE("packet events: a cut SeqNum message at line rate, one walker item per cycle",
          "[fast_path][oversize]") {
  // The framer's walker (ttq_mdp_framer.sv) runs one item per cycle -- the packet header (bytes
  // 0-21), each message header (its 19 bytes), a group header (3 bytes), each entry -- an item
  // at the cycle after the one its last byte's beat came in (payload beat b comes in at cycle
  // b), an entry already as that beat comes in, and never two in one cycle. The payload's end is
  // known the cycle after its last beat: the items of a cut message run before that count. Short
  // entries (12 or 16 bytes) can be ready before the walker is past the group header.
  const Bytes hb = test::heartbeat_message();
  const auto cut = [](Bytes p, std::size_t len) {
    p.resize(len);
    return events(p);
  };
  // Volume (37, entries of 12 bytes) at offset 12, root 11: packet header item cycle 3, message
  // header (bytes 12-30) cycle 4, group header (33-35) cycle 5; entry 0 (36-47) comes in at
  // cycle 5, runs at 6; entry 1 (48-59) at 7, entry 2 (60-71) at 8.
  const Bytes vol = test::packet(2, {group_message(37, 12, 3)});
  CHECK(cut(vol, 45) == 1);  // last beat 40-47 at cycle 5, end known at 6: entry 0 not run
  CHECK(cut(vol, 48) == 1);
  CHECK(cut(vol, 49) == 2);  // last beat 48-55 at 6, known at 7: entry 0
  CHECK(cut(vol, 59) == 3);  // last beat 56-63 at 7, known at 8: entries 0, 1
  // SessionStats (35, entries of 16 bytes), root 9, after a heartbeat (offset 22): message
  // header (bytes 22-40) cycle 6 (after the heartbeat's at 4), group header (41-43) ready at 6,
  // runs at 7; entry 0 (44-59) comes in at 7, runs at 8; entry 1 (60-75) at 9.
  const Bytes ss35 = test::packet(2, {hb, group_message(35, 16, 3, 9)});
  CHECK(cut(ss35, 60) == 2);  // PKT_HDR, the heartbeat's MSG_END; last beat 56-63, known at 8
  CHECK(cut(ss35, 64) == 2);
  CHECK(cut(ss35, 65) == 3);  // known at 9: entry 0
  CHECK(cut(ss35, 72) == 3);
  CHECK(cut(ss35, 73) == 4);  // known at 10: entry 1 (76 <= 80)
  // SessionStats (51), root 9, after two heartbeats (offset 32): message header (32-50) cycle
  // 7, group header (51-53) ready at 7, runs at 8; entry 0 (54-69) comes in at 8, runs at 9;
  // entry 1 (70-85) at 10.
  const Bytes ss51 = test::packet(2, {hb, hb, group_message(51, 16, 3, 9)});
  CHECK(cut(ss51, 70) == 3);  // last beat 64-71 at 8, known at 9: the group header only
  CHECK(cut(ss51, 72) == 3);
  CHECK(cut(ss51, 73) == 4);  // known at 10: entry 0
  CHECK(cut(ss51, 80) == 4);
  CHECK(cut(ss51, 81) == 5);  // known at 11: entry 1
  // Volume (37), root 9, offset 22: message header (22-40) cycle 6, group header (41-43) 7,
  // entry 0 (44-55) comes in at 6, runs at 8; entry 1 (56-67) comes in at 8, runs at 9.
  const Bytes vol9 = test::packet(2, {hb, group_message(37, 12, 3, 9)});
  CHECK(cut(vol9, 56) == 2);  // last beat 48-55 at 6, known at 7
  CHECK(cut(vol9, 57) == 2);  // last beat 56-63 at 7, known at 8: entry 0 would run at 8
  CHECK(cut(vol9, 65) == 3);  // known at 9: entry 0
  CHECK(cut(vol9, 72) == 3);
  CHECK(cut(vol9, 73) == 4);  // known at 10: entry 1
}

TEST_CASE("packet events: a malformed payload at the limit, oversize or not, same records",
          "[fast_path][oversize][cut_through]") {
  // Where the card's count of a malformed payload can differ from packet_events' (timing, a cut
  // header's bytes past the payload: docs/pipeline.md "Packet event limit"), one side drops it as
  // oversize and the other as malformed only. The same payload run with the limit at its count
  // (not oversize) and one below (oversize): the records, the book and every counter but
  // oversize_packets are the same, in both commit modes. Payload: A (2 entries, publishes), then
  // a book message cut by the payload's end after some of its entries.
  Bytes p = test::packet(2, {bids(2, 3, kPx - 2 * kTick), bids(3, 5, kPx - kTick)});
  p.resize(p.size() - 40);
  const std::uint32_t n = events(p);
  REQUIRE(n > 1 + 3);  // some of the cut message's entries count
  for (const bool ct : {false, true}) {
    INFO((ct ? "cut-through" : "verdict"));
    Run a(card_config(ct, n)), b(card_config(ct, n - 1));
    for (Run* r : {&a, &b}) {
      r->send(opening());
      r->quotes();
      r->send(p);
    }
    CHECK(a.c().oversize_packets == 0);
    CHECK(b.c().oversize_packets == 1);
    const auto qa = a.quotes(), qb = b.quotes();
    REQUIRE(qa.size() == qb.size());
    if (ct) CHECK(qa.size() == 2);  // A's quote, then the correction
    for (std::size_t i = 0; i < qa.size(); ++i) {
      CHECK(qa[i].seq == qb[i].seq);
      CHECK(qa[i].bid_px == qb[i].bid_px);
      CHECK(qa[i].ask_px == qb[i].ask_px);
      CHECK(qa[i].bid_sz == qb[i].bid_sz);
      CHECK(qa[i].ask_sz == qb[i].ask_sz);
    }
    const PipelineCounters& ca = a.c();
    const PipelineCounters& cb = b.c();
    CHECK(ca.malformed == cb.malformed);
    CHECK(ca.malformed_oversize == cb.malformed_oversize);
    CHECK(ca.packets == cb.packets);
    CHECK(ca.book_entries == cb.book_entries);
    CHECK(ca.spec_undone == cb.spec_undone);
    test::same_instrument(*a.fp.find(kId), *b.fp.find(kId));
  }
}
