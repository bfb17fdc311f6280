// Fast-path model tests: hand-built frames through every stage, checking quote records, book
// publication, staleness and recovery, arbitration and counters.
#include <catch2/catch.hpp>

#include <vector>

#include "test_support.hpp"
#include "ttq/fast_path.hpp"

using namespace ttq;
using test::Bytes;

namespace {

constexpr std::int32_t kId = 100001;
constexpr std::int64_t kTick = 5'000'000'000;  // 5.0 in PRICE9
constexpr std::int64_t kPx = 90'000'000'000'000;  // 90000.0

struct Tops final : PipelineObserver {
  std::vector<std::pair<std::uint32_t, PublishedTop>> tops;
  std::vector<std::uint32_t> entry_seqs;
  void on_top(std::uint32_t seq, const Instrument&, const PublishedTop& t) override {
    tops.emplace_back(seq, t);
  }
  void on_book_entry(const mdp3::MsgCtx& m, std::uint32_t, const mdp3::BookEntry&) override {
    entry_seqs.push_back(m.seq);
  }
};

struct Harness {
  FastPath fp;
  Tops obs;
  explicit Harness(const PipelineConfig& cfg = {}) : fp(cfg) { fp.set_observer(&obs); }
  void send(const Bytes& payload, const test::FrameSpec& spec = {}, std::uint64_t ts = 0) {
    const Bytes f = test::udp_frame(payload, spec);
    fp.process(test::as_frame(f, ts));
  }
  std::vector<QuoteRecord> quotes() {
    std::vector<QuoteRecord> out(64);
    out.resize(fp.collect(out));
    return out;
  }
};

test::BookEntrySpec bid(std::int64_t px, std::int32_t sz, std::uint32_t rpt, std::uint8_t level = 1,
                        std::uint8_t action = mdp3::kNew) {
  return {px, sz, kId, rpt, 1, level, action, '0'};
}
test::BookEntrySpec ask(std::int64_t px, std::int32_t sz, std::uint32_t rpt, std::uint8_t level = 1,
                        std::uint8_t action = mdp3::kNew) {
  return {px, sz, kId, rpt, 1, level, action, '1'};
}

// Definition (seq 1) then a two-sided book 90000 x 90005 (seq 2), published by LastQuoteMsg.
void start(Harness& h) {
  h.send(test::packet(1, {test::definition_message(kId, "BTCZ6", kTick, 10, 2)}));
  h.send(test::packet(2, {test::book_message({bid(kPx, 3, 1), ask(kPx + kTick, 4, 2)}, 0x84)}));
}

}  // namespace

TEST_CASE("a two-sided book produces a joining quote at the publication point", "[fast_path]") {
  Harness h;
  start(h);
  const auto q = h.quotes();
  REQUIRE(q.size() == 1);
  // Defaults: join, offsets 0, min spread 1 tick, size 1: spread is 1 tick so bid = B, ask = A.
  CHECK(q[0].security_id == kId);
  CHECK(q[0].seq == 2);
  CHECK(q[0].bid_px == kPx);
  CHECK(q[0].ask_px == kPx + kTick);
  CHECK(q[0].bid_sz == 1);
  CHECK(q[0].ask_sz == 1);
  CHECK(q[0].flags == (kQuoteBidLive | kQuoteAskLive));
  REQUIRE(h.obs.tops.size() == 1);
  CHECK(h.obs.tops[0].second.tob.bid_sz == 3);
  CHECK(h.obs.tops[0].second.tob.ask_sz == 4);
  CHECK_FALSE(h.obs.tops[0].second.stale);
}

TEST_CASE("nothing is published until a publication flag, even across packets", "[fast_path]") {
  Harness h;
  h.send(test::packet(1, {test::definition_message(kId, "BTCZ6", kTick, 10, 2)}));
  h.send(test::packet(2, {test::book_message({bid(kPx, 3, 1)}, 0x00)}));
  h.send(test::packet(3, {test::book_message({ask(kPx + 2 * kTick, 4, 2)}, 0x00)}));
  CHECK(h.obs.tops.empty());
  CHECK(h.quotes().empty());
  h.send(test::packet(4, {test::book_message({}, 0x80)}));  // empty message: EndOfEvent only
  REQUIRE(h.obs.tops.size() == 1);
  CHECK(h.obs.tops[0].first == 4);
  const auto q = h.quotes();
  REQUIRE(q.size() == 1);
  CHECK(q[0].seq == 4);
}

TEST_CASE("RptSeq gap marks stale, pulls quotes, and a snapshot recovers", "[fast_path]") {
  Harness h;
  start(h);
  REQUIRE(h.quotes().size() == 1);
  // RptSeq 3 expected; 5 arrives: gap -> stale, applied anyway (natural refresh).
  h.send(test::packet(3, {test::book_message({bid(kPx - kTick, 2, 5, 2)}, 0x84)}));
  auto q = h.quotes();
  REQUIRE(q.size() == 1);
  CHECK(q[0].flags == kQuotePullStale);
  CHECK(q[0].bid_sz == 0);
  CHECK(h.fp.counters().rpt_gaps == 1);
  CHECK(h.fp.counters().stale_events == 1);
  CHECK(h.obs.tops.back().second.stale);
  // More updates while stale: book printed (flagged) but no quote.
  h.send(test::packet(4, {test::book_message({bid(kPx + kTick * 0, 7, 6, 1, mdp3::kChange)}, 0x84)}));
  CHECK(h.quotes().empty());
  CHECK(h.obs.tops.back().second.tob.bid_sz == 7);
  CHECK(h.obs.tops.back().second.stale);
  // An older snapshot (RptSeq 4 < 6 seen) cannot recover it.
  h.send(test::packet(1, {test::snapshot_message(kId, 4, 3, {{'0', 1, kPx, 1}})}),
         {0xE0001F02, 14311});
  CHECK(h.fp.counters().snapshots_ignored == 1);
  CHECK(h.quotes().empty());
  // A snapshot at RptSeq 6 rebuilds the book: 89990 x 90010, quote again.
  h.send(test::packet(2, {test::snapshot_message(kId, 6, 4,
                                                 {{'0', 1, kPx - 2 * kTick, 5}, {'1', 1, kPx + 2 * kTick, 6}})}),
         {0xE0001F02, 14311});
  CHECK(h.fp.counters().recoveries == 1);
  q = h.quotes();
  REQUIRE(q.size() == 1);
  CHECK(q[0].flags == (kQuoteBidLive | kQuoteAskLive));
  CHECK(q[0].bid_px == kPx - 2 * kTick);
  CHECK(q[0].ask_px == kPx + 2 * kTick);
  CHECK_FALSE(h.obs.tops.back().second.stale);
  // Entries the snapshot already holds (RptSeq <= 6) are skipped; 7 applies.
  h.send(test::packet(5, {test::book_message({bid(kPx - kTick, 9, 6, 1)}, 0x84)}));
  CHECK(h.fp.counters().entries_old_rpt == 1);
  h.send(test::packet(6, {test::book_message({bid(kPx - kTick, 9, 7, 1)}, 0x84)}));
  q = h.quotes();
  REQUIRE(q.size() == 1);
  CHECK(q[0].bid_px == kPx - kTick);
}

TEST_CASE("a damaged copy on A is dropped and B's copy is applied: no gap", "[fast_path]") {
  Harness h;
  start(h);
  h.quotes();
  Bytes good = test::packet(3, {test::book_message({bid(kPx - kTick, 2, 3, 2)}, 0x84)});
  Bytes bad = good;
  bad[12 + 10 + 11 + 3 + 25] = 7;  // MDUpdateAction 7
  h.send(bad, {0xE0001F01, 14310});
  CHECK(h.fp.counters().malformed[static_cast<int>(mdp3::MsgError::kBadAction)] == 1);
  h.send(good, {0xE0002001, 15310});
  h.send(good, {0xE0001F01, 14310});  // a late good copy on A: duplicate
  const auto& c = h.fp.counters();
  CHECK(c.arb.gaps == 0);
  CHECK(c.arb.duplicates == 1);
  CHECK(c.stale_events == 0);
  CHECK(h.fp.find(kId)->book.bids().level[1].sz == 2);
}

TEST_CASE("loss on both lines: channel suspect, quotes pulled, RptSeq then clears it", "[fast_path]") {
  PipelineConfig cfg;
  cfg.reorder_window = 2;  // one packet may wait for the other line
  Harness h(cfg);
  start(h);
  h.quotes();
  // Packet 3 never arrives. 4 is held (window 2 holds 1), then released as the window is full.
  h.send(test::packet(4, {test::book_message({bid(kPx, 8, 3, 1, mdp3::kChange)}, 0x84)}));
  const auto& c = h.fp.counters();
  CHECK(c.arb.gaps == 1);
  CHECK(c.arb.lost == 1);
  CHECK(c.suspect_events == 1);
  // Pull at the gap, then packet 4's RptSeq 3 is contiguous: clean, requoted at its publication.
  const auto q = h.quotes();
  REQUIRE(q.size() == 2);
  CHECK(q[0].flags == kQuotePullStale);
  CHECK(q[0].seq == 4);
  CHECK(q[1].flags == (kQuoteBidLive | kQuoteAskLive));
  CHECK_FALSE(h.fp.find(kId)->suspect);
}

TEST_CASE("ChannelReset empties the books; halt and resume; kill pulls at once", "[fast_path]") {
  Harness h;
  start(h);
  h.quotes();
  SECTION("channel reset") {
    h.send(test::packet(3, {test::channel_reset_message(0x80)}));
    auto q = h.quotes();
    REQUIRE(q.size() == 1);
    CHECK(q[0].flags == kQuotePullBook);
    CHECK(h.fp.counters().channel_resets == 1);
    // RptSeq restarts at 1.
    h.send(test::packet(4, {test::book_message({bid(kPx, 1, 1), ask(kPx + kTick, 1, 2)}, 0x84)}));
    q = h.quotes();
    REQUIRE(q.size() == 1);
    CHECK(q[0].flags == (kQuoteBidLive | kQuoteAskLive));
    CHECK(h.fp.counters().rpt_gaps == 0);
  }
  SECTION("halt then ready to trade") {
    h.send(test::packet(3, {test::security_status_message(kId, 2)}));
    auto q = h.quotes();
    REQUIRE(q.size() == 1);
    CHECK(q[0].flags == kQuotePullHalt);
    h.send(test::packet(4, {test::security_status_message(kId, 17)}));
    q = h.quotes();
    REQUIRE(q.size() == 1);
    CHECK(q[0].flags == (kQuoteBidLive | kQuoteAskLive));
  }
  SECTION("group-wide halt (SecurityID null)") {
    h.send(test::packet(3, {test::security_status_message(test::kNull32, 2, "BTC")}));
    REQUIRE(h.quotes().size() == 1);
    CHECK(h.fp.find(kId)->halted);
    h.send(test::packet(4, {test::security_status_message(test::kNull32, 17, "ETH")}));
    CHECK(h.fp.find(kId)->halted);  // another group: unchanged
  }
  SECTION("kill") {
    h.fp.set_kill(true);
    auto q = h.quotes();
    REQUIRE(q.size() == 1);
    CHECK(q[0].flags == kQuotePullKill);
    h.send(test::packet(3, {test::book_message({bid(kPx, 9, 3, 1, mdp3::kChange)}, 0x84)}));
    CHECK(h.quotes().empty());
    h.fp.set_kill(false);
    q = h.quotes();
    REQUIRE(q.size() == 1);
    CHECK(q[0].flags == (kQuoteBidLive | kQuoteAskLive));
  }
}

TEST_CASE("a Change at a different price corrupts the book: stale", "[fast_path]") {
  Harness h;
  start(h);
  h.quotes();
  h.send(test::packet(3, {test::book_message({bid(kPx - kTick, 9, 3, 1, mdp3::kChange)}, 0x84)}));
  CHECK(h.fp.counters().book_corrupt == 1);
  CHECK(h.fp.find(kId)->stale);
  CHECK(h.fp.find(kId)->book.bids().level[0].sz == 3);  // unchanged
  const auto q = h.quotes();
  REQUIRE(q.size() == 1);
  CHECK(q[0].flags == kQuotePullStale);
}

TEST_CASE("decode observer sees each packet once, after arbitration", "[fast_path]") {
  Harness h;
  const Bytes p1 = test::packet(1, {test::book_message({bid(kPx, 1, 1)}, 0x84)});
  const Bytes p2 = test::packet(2, {test::book_message({bid(kPx, 2, 2, 1, mdp3::kChange)}, 0x84)});
  h.send(p1, {0xE0001F01, 14310});
  h.send(p1, {0xE0002001, 15310});
  h.send(p2, {0xE0002001, 15310});
  h.send(p2, {0xE0001F01, 14310});
  CHECK(h.obs.entry_seqs == std::vector<std::uint32_t>{1, 2});
  CHECK(h.fp.counters().arb.duplicates == 2);
}

TEST_CASE("configured lines: unknown destinations are dropped and counted", "[fast_path]") {
  PipelineConfig cfg;
  cfg.channels.push_back({310});
  cfg.lines.push_back({0xE0001F01, 14310, 0, FeedKind::kIncremental, 'A'});
  Harness h(cfg);
  h.send(test::packet(1, {test::book_message({bid(kPx, 1, 1)}, 0x84)}), {0xE0001F01, 9999});
  CHECK(h.fp.counters().frame_drops[static_cast<int>(FrameDrop::kUnknownLine)] == 1);
  CHECK(h.fp.counters().packets == 0);
  h.send(test::packet(1, {test::book_message({bid(kPx, 1, 1)}, 0x84)}), {0xE0001F01, 14310});
  CHECK(h.fp.counters().arb.applied == 1);
}

TEST_CASE("quoting needs a tick: default tick or config; unlisted instruments are not quoted",
          "[fast_path]") {
  SECTION("no definition, no tick: book kept, no quote") {
    Harness h;
    h.send(test::packet(1, {test::book_message({bid(kPx, 3, 1), ask(kPx + kTick, 4, 2)}, 0x84)}));
    CHECK(h.obs.tops.size() == 1);
    CHECK(h.quotes().empty());
  }
  SECTION("default tick") {
    PipelineConfig cfg;
    cfg.default_tick = kTick;
    Harness h(cfg);
    h.send(test::packet(1, {test::book_message({bid(kPx, 3, 1), ask(kPx + kTick, 4, 2)}, 0x84)}));
    CHECK(h.quotes().size() == 1);
  }
  SECTION("quote_all false and not listed") {
    PipelineConfig cfg;
    cfg.quote_all = false;
    Harness h(cfg);
    start(h);
    CHECK(h.quotes().empty());
  }
  SECTION("listed by symbol") {
    PipelineConfig cfg;
    cfg.quote_all = false;
    InstrumentConfig ic;
    ic.symbol = "BTCZ6";
    ic.multiplier = 5;
    ic.position = -3;
    ic.skew = SkewRegs{-2, 0};
    cfg.instruments.push_back(ic);
    Harness h(cfg);
    start(h);
    const auto q = h.quotes();
    REQUIRE(q.size() == 1);
    // Short 3 with skew registers {shift -2}: both sides move up 2 ticks, then post-only keeps the
    // bid below the ask (n = 1: bid <= B + 0 ticks) -> bid B, ask B + 3 ticks.
    CHECK(q[0].bid_px == kPx);
    CHECK(q[0].ask_px == kPx + 3 * kTick);
    const Instrument* in = h.fp.find(kId);
    REQUIRE(in != nullptr);
    CHECK(in->multiplier == 5);
    CHECK(in->start_position == -3);
  }
}

TEST_CASE("instrument table full: entries for new instruments are counted and ignored",
          "[fast_path]") {
  PipelineConfig cfg;
  cfg.max_instruments = 1;
  Harness h(cfg);
  h.send(test::packet(1, {test::book_message({bid(kPx, 3, 1), {kPx, 1, 7, 1, 1, 1, 0, '0'}}, 0x84)}));
  CHECK(h.fp.counters().instrument_table_full == 1);
  CHECK(h.fp.find(7) == nullptr);
  CHECK(h.fp.find(kId) != nullptr);
}

TEST_CASE("skew registers are clamped to the card's ranges", "[fast_path]") {
  Harness h;
  start(h);
  h.fp.set_skew(kId, SkewRegs{1 << 24, -2147483647});
  const Instrument* in = h.fp.find(kId);
  REQUIRE(in != nullptr);
  CHECK(in->skew.shift_ticks == (1 << 20));
  CHECK(in->skew.size_adj == -(1 << 30));
}

TEST_CASE("a weekly MsgSeqNum restart starts a new count; a late copy of 1 does not", "[fast_path]") {
  Harness h;
  start(h);  // seq 1 and 2
  // A late copy of 1 with the expected number low: a duplicate, not a restart.
  h.send(test::packet(1, {test::definition_message(kId, "BTCZ6", kTick, 10, 2)}));
  CHECK(h.fp.counters().seq_restarts == 0);
  CHECK(h.fp.counters().arb.duplicates == 1);
  h.quotes();
  // Jump far ahead (a gap), as after a long run, then the new week starts at 1.
  const std::uint32_t far = kSeqRestartMin + 10;
  h.send(test::packet(far, {test::book_message({bid(kPx, 5, 3, 1, mdp3::kChange)}, 0x84)}));
  h.quotes();
  h.send(test::packet(1, {test::book_message({bid(kPx, 2, 1), ask(kPx + kTick, 2, 2)}, 0x84)}));
  CHECK(h.fp.counters().seq_restarts == 1);
  // The new week's entries (RptSeq from 1) are applied to a book that starts unknown.
  const Instrument* in = h.fp.find(kId);
  REQUIRE(in != nullptr);
  CHECK(in->last_rpt == 2);
  CHECK(in->book.bids().level[0].sz == 2);
  CHECK_FALSE(in->stale);
  const auto q = h.quotes();
  REQUIRE_FALSE(q.empty());
  CHECK(q.back().flags == (kQuoteBidLive | kQuoteAskLive));
  CHECK(q.back().seq == 1);
  // And the next packet of the new count is in sequence: no new gap.
  const std::uint64_t gaps = h.fp.counters().arb.gaps;
  h.send(test::packet(2, {test::book_message({bid(kPx, 4, 3, 1, mdp3::kChange)}, 0x84)}));
  CHECK(h.fp.counters().arb.gaps == gaps);
  CHECK(h.fp.counters().arb.applied >= 4);
  CHECK(h.fp.find(kId)->book.bids().level[0].sz == 4);
}

TEST_CASE("a snapshot publishes only the instrument it rebuilds, not an event in progress",
          "[fast_path]") {
  constexpr std::int32_t kOther = 100002;
  Harness h;
  start(h);
  h.send(test::packet(3, {test::definition_message(kOther, "ETHZ6", kTick, 10, 2)}));
  // kId goes stale (RptSeq gap), published.
  h.send(test::packet(4, {test::book_message({bid(kPx, 9, 7, 1, mdp3::kChange)}, 0x84)}));
  REQUIRE(h.fp.find(kId)->stale);
  const std::size_t tops = h.obs.tops.size();
  // An event for kOther starts (no publication flag yet) ...
  h.send(test::packet(5, {test::book_message({{kPx, 1, kOther, 1, 1, 1, mdp3::kNew, '0'}}, 0x00)}));
  // ... a snapshot rebuilds kId: kId is published, kOther is not (its event is not over).
  h.send(test::packet(1, {test::snapshot_message(kId, 7, 4, {{'0', 1, kPx, 9}, {'1', 1, kPx + kTick, 4}})}),
         {0xE0001F02, 14311});
  REQUIRE(h.obs.tops.size() == tops + 1);
  CHECK_FALSE(h.obs.tops.back().second.stale);
  CHECK(h.obs.tops.back().second.tob.bid_sz == 9);
  // kOther is published at its event's end.
  h.send(test::packet(6, {test::book_message({}, 0x80)}));
  REQUIRE(h.obs.tops.size() == tops + 2);
  CHECK(h.obs.tops.back().first == 6);
  CHECK(h.obs.tops.back().second.tob.bid_sz == 1);
}

TEST_CASE("set_params: validated, applied at once per instrument, shrinking levels pulls",
          "[fast_path]") {
  PipelineConfig cfg;
  cfg.quoter.levels = 2;
  Harness h(cfg);
  start(h);
  auto q = h.quotes();
  REQUIRE(q.size() == 2);  // levels 0 and 1
  CHECK(q[1].level == 1);
  CHECK(q[1].bid_px == kPx - kTick);  // level spacing 1 tick

  SECTION("a bad value changes nothing") {
    QuoterParams bad = cfg.quoter;
    bad.levels = 0;
    CHECK(h.fp.set_params(kId, bad) != nullptr);
    CHECK(h.fp.find(kId)->params.levels == 2);
    CHECK(h.quotes().empty());
    CHECK(h.fp.set_params(424242, cfg.quoter) != nullptr);  // unknown instrument
  }
  SECTION("a wider bid offset requotes level 0 and 1 immediately") {
    QuoterParams p = cfg.quoter;
    p.bid_offset_ticks = 3;
    REQUIRE(h.fp.set_params(kId, p) == nullptr);
    q = h.quotes();
    REQUIRE(q.size() == 2);
    CHECK(q[0].level == 0);
    CHECK(q[0].bid_px == kPx - 3 * kTick);
    CHECK(q[0].ask_px == kPx + kTick);
    CHECK(q[1].bid_px == kPx - 4 * kTick);
    CHECK(q[0].seq == 2);  // the latest applied packet
  }
  SECTION("one level fewer: the removed level is pulled, level 0 is unchanged") {
    QuoterParams p = cfg.quoter;
    p.levels = 1;
    REQUIRE(h.fp.set_params(0, p) == nullptr);
    q = h.quotes();
    REQUIRE(q.size() == 1);
    CHECK(q[0].level == 1);
    CHECK(q[0].bid_sz == 0);
    CHECK(q[0].ask_sz == 0);
    CHECK((q[0].flags & (kQuoteBidLive | kQuoteAskLive)) == 0);
    CHECK(h.fp.find(kId)->params.levels == 1);
  }
}

TEST_CASE("set_skew requotes at once from the current book with the latest seq", "[fast_path]") {
  PipelineConfig cfg;
  cfg.quoter.order_size = 5;
  Harness h(cfg);
  start(h);
  auto q = h.quotes();
  REQUIRE(q.size() == 1);
  REQUIRE(q[0].bid_sz == 5);
  const QuoteRecord before = q[0];
  h.fp.set_skew(kId, SkewRegs{0, 2});  // long of target: bid 5 - 2, ask 5 + 2 (docs/quoting.md)
  q = h.quotes();
  REQUIRE(q.size() == 1);
  CHECK(q[0].seq == 2);  // no market event since packet 2
  CHECK(q[0].bid_px == before.bid_px);
  CHECK(q[0].ask_px == before.ask_px);
  CHECK(q[0].bid_sz == 3);
  CHECK(q[0].ask_sz == 7);
  h.fp.set_skew(kId, SkewRegs{0, 2});  // the same registers: recomputed, nothing to send
  CHECK(h.quotes().empty());
}

TEST_CASE("fixed instrument table (card mode): config order, no creation, definitions ignored",
          "[fast_path]") {
  constexpr std::int32_t kOther = 200002, kUnknown = 300003;
  PipelineConfig cfg;
  cfg.fixed_instruments = true;
  InstrumentConfig a;
  a.security_id = kOther;
  a.tick = 2 * kTick;
  a.group = "BT";
  InstrumentConfig b;
  b.security_id = kId;
  b.tick = kTick;
  b.depth = 2;
  b.group = "BT";
  cfg.instruments = {a, b};
  Harness h(cfg);
  // Slots follow the config, before any market data.
  REQUIRE(h.fp.instruments().size() == 2);
  CHECK(h.fp.instruments()[0].security_id == kOther);
  CHECK(h.fp.instruments()[1].security_id == kId);
  CHECK(h.fp.find(kId)->book.depth() == 2);

  // A definition with another tick and depth changes nothing; an unknown instrument is counted.
  h.send(test::packet(1, {test::definition_message(kId, "BTCZ6", 3 * kTick, 10, 2),
                          test::definition_message(kUnknown, "ETHZ6", kTick, 10, 2)}));
  CHECK(h.fp.find(kId)->tick == kTick);
  CHECK(h.fp.find(kId)->book.depth() == 2);
  CHECK(h.fp.find(kUnknown) == nullptr);
  CHECK(h.fp.counters().tick_mismatches == 1);  // 3 x kTick defined, kTick configured
  h.send(test::packet(2, {test::definition_message(kId, "BTCZ6", kTick, 10, 2)}));
  CHECK(h.fp.counters().tick_mismatches == 1);  // the same tick: no mismatch
  h.send(test::packet(3, {test::book_message({bid(kPx, 3, 1), ask(kPx + kTick, 4, 2),
                                              bid(kPx - 3 * kTick, 1, 3, 3)}, 0x84)}));
  CHECK(h.fp.counters().entries_beyond_depth == 1);  // level 3 > configured depth 2
  auto q = h.quotes();
  REQUIRE(q.size() == 1);
  CHECK(q[0].slot == 1);
  CHECK(q[0].bid_px == kPx);
  test::BookEntrySpec stray = bid(kPx, 1, 1);
  stray.security_id = kUnknown;
  const std::uint64_t unknown_before = h.fp.counters().unknown_instruments;
  h.send(test::packet(4, {test::book_message({stray}, 0x84)}));
  CHECK(h.fp.counters().unknown_instruments == unknown_before + 1);
  CHECK(h.fp.instruments().size() == 2);

  // A group-wide halt uses the configured group.
  h.send(test::packet(5, {test::security_status_message(mdp3::kNullInt32, 18, "BT")}));
  CHECK(h.fp.find(kId)->halted);
  CHECK(h.fp.find(kOther)->halted);
}
