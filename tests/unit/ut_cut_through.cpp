// feed.commit = "cut_through" (docs/pipeline.md "Cut-through commit"): a late-failing packet the
// arbiter would have taken at once is applied up to its first bad message, published, then undone
// and corrected. Each case runs the same frames under "verdict" too, so what differs is only what
// the specification says may differ.
#include <catch2/catch.hpp>

#include <vector>

#include "test_support.hpp"
#include "ttq/config.hpp"
#include "ttq/fast_path.hpp"

using namespace ttq;
using test::Bytes;

namespace {

constexpr std::int32_t kId = 100001;
constexpr std::int32_t kOther = 200002;
constexpr std::int64_t kTick = 5'000'000'000;      // 5.0 in PRICE9
constexpr std::int64_t kPx = 90'000'000'000'000;   // 90000.0

PipelineConfig card_config(bool cut_through) {
  PipelineConfig cfg;
  cfg.fixed_instruments = true;
  cfg.cut_through = cut_through;
  InstrumentConfig a;
  a.security_id = kId;
  a.tick = kTick;
  InstrumentConfig b;
  b.security_id = kOther;
  b.tick = kTick;
  cfg.instruments = {a, b};
  return cfg;
}

test::BookEntrySpec entry(char type, std::int64_t px, std::int32_t sz, std::uint32_t rpt,
                          std::uint8_t level = 1, std::uint8_t action = mdp3::kNew,
                          std::int32_t id = kId) {
  return {px, sz, id, rpt, 1, level, action, type};
}

struct Run {
  FastPath fp;
  explicit Run(bool cut_through) : fp(card_config(cut_through)) {}
  void send(const Bytes& payload, bool bad_fcs = false, std::uint32_t cut = 0) {
    const Bytes f = test::udp_frame(payload);
    Frame fr = test::as_frame(f);
    fr.bad_fcs = bad_fcs;
    if (cut != 0) fr.len = static_cast<std::uint32_t>(f.size()) - cut;  // truncated capture
    fp.process(fr);
  }
  std::vector<QuoteRecord> quotes() {
    std::vector<QuoteRecord> out(64);
    out.resize(fp.collect(out));
    return out;
  }
  const Instrument& inst(std::int32_t id = kId) { return *fp.find(id); }
};

// Seq 1: book 90000 x 90005 for kId (RptSeq 1, 2), quoted 90000 x 90005.
Bytes opening() {
  return test::packet(1, {test::book_message({entry('0', kPx, 3, 1), entry('1', kPx + kTick, 4, 2)},
                                             0x84)});
}
// A message that moves kId's best bid down a tick (RptSeq 3) and publishes (LastQuoteMsg).
Bytes bid_down() { return test::book_message({entry('0', kPx - kTick, 2, 3)}, 0x84); }
// A message whose entry has an illegal MDUpdateAction: malformed (kBadAction).
Bytes bad_action() { return test::book_message({entry('1', kPx + 2 * kTick, 1, 4, 1, 9)}, 0x84); }

void same_state(const Instrument& a, const Instrument& b) {
  CHECK(a.book.top() == b.book.top());
  CHECK(a.book.top_version() == b.book.top_version());
  CHECK(a.last_rpt == b.last_rpt);
  CHECK(a.rpt_known == b.rpt_known);
  CHECK(a.stale == b.stale);
  CHECK(a.suspect == b.suspect);
  CHECK(a.halted == b.halted);
  CHECK(a.last_sent[0].bid_px == b.last_sent[0].bid_px);
  CHECK(a.last_sent[0].ask_px == b.last_sent[0].ask_px);
  CHECK(a.last_sent[0].flags == b.last_sent[0].flags);
}

}  // namespace

TEST_CASE("cut_through: a bad-FCS packet is published, undone and corrected; B's copy applies",
          "[fast_path][cut_through]") {
  Run v(false), c(true);
  for (Run* r : {&v, &c}) {
    r->send(opening());
    REQUIRE(r->quotes().size() == 1);
    r->send(test::packet(2, {bid_down()}), /*bad_fcs=*/true);
  }
  CHECK(v.quotes().empty());  // verdict: the bad frame changes nothing
  CHECK(v.inst().last_rpt == 2);

  const auto q = c.quotes();
  REQUIRE(q.size() == 2);
  CHECK(q[0].seq == 2);  // the speculative quote: the packet's own number
  CHECK(q[0].bid_px == kPx - kTick);
  CHECK(q[1].seq == 1);  // the correction: the channel's last applied number
  CHECK(q[1].bid_px == kPx);
  CHECK(q[1].ask_px == kPx + kTick);
  CHECK(c.fp.counters().spec_undone == 1);
  CHECK(c.fp.counters().frame_drops[static_cast<int>(FrameDrop::kBadFcs)] == 1);
  same_state(c.inst(), v.inst());  // restored: book, RptSeq, flags; last sent = the correction

  // The other line's good copy of 2 is applied in both (the arbiter still expected it).
  for (Run* r : {&v, &c}) r->send(test::packet(2, {bid_down()}));
  const auto qv = v.quotes(), qc = c.quotes();
  REQUIRE(qv.size() == 1);
  REQUIRE(qc.size() == 1);
  CHECK(qc[0].seq == 2);
  CHECK(qc[0].bid_px == kPx - kTick);
  CHECK(qv[0].bid_px == qc[0].bid_px);
  same_state(c.inst(), v.inst());
  CHECK(c.fp.counters().arb.duplicates == v.fp.counters().arb.duplicates);
  CHECK(c.fp.counters().arb.gaps == 0);
}

TEST_CASE("cut_through: messages before the first malformed one are applied, then undone",
          "[fast_path][cut_through]") {
  Run v(false), c(true);
  for (Run* r : {&v, &c}) {
    r->send(opening());
    r->quotes();
    r->send(test::packet(2, {bid_down(), bad_action()}));
  }
  CHECK(v.quotes().empty());
  const auto q = c.quotes();
  REQUIRE(q.size() == 2);
  CHECK(q[0].bid_px == kPx - kTick);
  CHECK(q[1].bid_px == kPx);
  for (Run* r : {&v, &c}) {
    CHECK(r->fp.counters().malformed[static_cast<int>(mdp3::MsgError::kBadAction)] == 1);
  }
  CHECK(c.fp.counters().spec_undone == 1);
  CHECK(v.fp.counters().spec_undone == 0);
  same_state(c.inst(), v.inst());

  // A first message that does not publish: applied and undone without a record.
  for (Run* r : {&v, &c}) {
    r->send(test::packet(2, {test::book_message({entry('0', kPx - kTick, 2, 3)}, 0x00),
                             bad_action()}));
  }
  CHECK(c.quotes().empty());
  CHECK(c.fp.counters().spec_undone == 2);
  same_state(c.inst(), v.inst());
}

TEST_CASE("cut_through: a truncated frame applies its complete messages only",
          "[fast_path][cut_through]") {
  Run v(false), c(true);
  const Bytes second = test::book_message({entry('1', kPx + 2 * kTick, 5, 4)}, 0x84);
  for (Run* r : {&v, &c}) {
    r->send(opening());
    r->quotes();
    // Cut 5 bytes into the second message's last entry: the first message is complete.
    r->send(test::packet(2, {bid_down(), second}), false, 10);
  }
  CHECK(v.quotes().empty());
  CHECK(v.fp.counters().frame_drops[static_cast<int>(FrameDrop::kTruncated)] == 1);
  const auto q = c.quotes();
  REQUIRE(q.size() == 2);
  CHECK(q[0].bid_px == kPx - kTick);
  CHECK(q[0].ask_px == kPx + kTick);  // the second message never reached the book
  CHECK(q[1].bid_px == kPx);
  CHECK(c.fp.counters().spec_undone == 1);
  same_state(c.inst(), v.inst());

  // Cut inside the UDP header: no MsgSeqNum, nothing a card could have decided on.
  const Bytes whole = test::udp_frame(test::packet(2, {bid_down()}));
  c.send(test::packet(2, {bid_down()}), false, static_cast<std::uint32_t>(whole.size()) - 40);
  CHECK(c.quotes().empty());
  CHECK(c.fp.counters().spec_undone == 1);
}

TEST_CASE("cut_through: only a packet the arbiter would take at once is speculated",
          "[fast_path][cut_through]") {
  Run c(true);
  c.send(opening());
  c.quotes();
  // 3 while 2 is expected: out of order, so the card would have stored it, not applied it.
  c.send(test::packet(3, {bid_down()}), /*bad_fcs=*/true);
  CHECK(c.quotes().empty());
  CHECK(c.fp.counters().spec_undone == 0);
  // A good 3 is held (waiting for 2); a bad-FCS 2 now finds a packet held: not speculated.
  c.send(test::packet(3, {test::book_message({entry('1', kPx + kTick, 9, 3)}, 0x84)}));
  CHECK(c.fp.counters().arb.held == 1);
  c.send(test::packet(2, {bid_down()}), /*bad_fcs=*/true);
  CHECK(c.quotes().empty());
  CHECK(c.fp.counters().spec_undone == 0);
  // An already-applied number (the other line's late copy, damaged): not speculated either.
  c.send(test::packet(1, {bid_down()}), /*bad_fcs=*/true);
  CHECK(c.fp.counters().spec_undone == 0);
}

TEST_CASE("cut_through: the undo restores staleness and other instruments, and republishes all",
          "[fast_path][cut_through]") {
  Run v(false), c(true);
  for (Run* r : {&v, &c}) {
    r->send(opening());
    r->send(test::packet(2, {test::book_message({entry('0', kPx, 1, 1, 1, mdp3::kNew, kOther),
                                                 entry('1', kPx + kTick, 1, 2, 1, mdp3::kNew,
                                                       kOther)},
                                                0x84)}));
    REQUIRE(r->quotes().size() == 2);
    // Packet 3: kOther's RptSeq jumps (stale: its quote is pulled), then kId moves; then bad FCS.
    r->send(test::packet(3, {test::book_message({entry('0', kPx, 2, 9, 1, mdp3::kChange, kOther)},
                                                0x00),
                             bid_down()}),
            /*bad_fcs=*/true);
  }
  CHECK(v.quotes().empty());
  const auto q = c.quotes();
  // Speculative: kOther pulled (stale), kId moved -- in first-touched order; then the undo's
  // corrections in slot order (kId is slot 0, kOther slot 1).
  REQUIRE(q.size() == 4);
  CHECK(q[0].security_id == kOther);
  CHECK((q[0].flags & kQuotePullStale) != 0);
  CHECK(q[1].security_id == kId);
  CHECK(q[1].bid_px == kPx - kTick);
  CHECK(q[2].security_id == kId);
  CHECK(q[2].bid_px == kPx);
  CHECK(q[3].security_id == kOther);
  CHECK(q[3].flags == (kQuoteBidLive | kQuoteAskLive));
  CHECK(q[2].seq == 2);
  CHECK(q[3].seq == 2);
  same_state(c.inst(kId), v.inst(kId));
  same_state(c.inst(kOther), v.inst(kOther));
  CHECK(c.fp.counters().stale_events == 1);  // what happened is still counted
  CHECK(v.fp.counters().stale_events == 0);
}

TEST_CASE("feed.commit: values, and cut_through needs the card's fixed table", "[config]") {
  CHECK_FALSE(parse_config("[feed]\ncommit = \"verdict\"\n", "t").pipeline.cut_through);
  CHECK(parse_config("[feed]\nfixed_instruments = true\ncommit = \"cut_through\"\n", "t")
            .pipeline.cut_through);
  CHECK_THROWS_WITH(parse_config("[feed]\ncommit = \"cut_through\"\n", "t"),
                    Catch::Contains("feed.commit") && Catch::Contains("fixed_instruments"));
  CHECK_THROWS_WITH(parse_config("[feed]\ncommit = \"late\"\n", "t"),
                    Catch::Contains("feed.commit"));
  CHECK_THROWS_WITH(parse_config("[feed]\ncommit = 1\n", "t"), Catch::Contains("feed.commit"));
}
