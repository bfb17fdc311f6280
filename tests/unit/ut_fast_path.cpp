// Fast-path model tests: hand-built frames through every stage, checking quote records, book
// publication, staleness and recovery, arbitration and counters.
#include <catch2/catch.hpp>

#include <random>
#include <vector>

#include "instrument_state.hpp"
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

// ---------------------------------------------------------------------------------------------
// One-pass apply of an in-order Incremental packet (FastPath::apply_one_pass; no observer set, as
// in `replay` and `run`): a packet whose later message is malformed after earlier messages were
// applied and published must leave no trace -- state and quote records as if it never came --
// and the other line's good copy is then applied as usual.

namespace {

constexpr std::int32_t kIdA = 100001, kIdB = 100002, kIdC = 100003;
constexpr std::int64_t kT = kTick;

test::BookEntrySpec ent(std::int32_t id, char type, std::uint8_t action, std::uint8_t level,
                        std::int64_t px, std::int32_t sz, std::uint32_t rpt) {
  return {px, sz, id, rpt, 1, level, action, type};
}

// A frame on line A (224.0.31.1) or B (224.0.32.1): both lines carry the same packets; no lines
// are configured, so both are channel 0.
Bytes frame_on(char line, const Bytes& payload) {
  return test::udp_frame(payload, {line == 'A' ? 0xE0001F01u : 0xE0002001u, 14310});
}

struct Run {
  FastPath fp;
  std::vector<QuoteRecord> records;
  explicit Run(const PipelineConfig& cfg = {}) : fp(cfg) {}
  void send(const Bytes& payload, char line = 'A') {
    const Bytes f = frame_on(line, payload);
    fp.process(test::as_frame(f));
    std::vector<QuoteRecord> out(256);
    out.resize(fp.collect(out));
    records.insert(records.end(), out.begin(), out.end());
  }
};

// Everything a packet can change in an instrument and in the counters, field by field (not the
// malformed counters or frame counts, which the damaged copy legitimately moves).
void same_state(const FastPath& a, const FastPath& b) {
  REQUIRE(a.instruments().size() == b.instruments().size());
  for (std::size_t k = 0; k < a.instruments().size(); ++k) {
    test::same_instrument(a.instruments()[k], b.instruments()[k]);
  }
  const PipelineCounters& c = a.counters();
  const PipelineCounters& d = b.counters();
  CHECK(c.packets == d.packets);
  CHECK(c.messages_by_template == d.messages_by_template);
  CHECK(c.messages_other == d.messages_other);
  CHECK(c.book_entries == d.book_entries);
  CHECK(c.entries_beyond_depth == d.entries_beyond_depth);
  CHECK(c.entries_old_rpt == d.entries_old_rpt);
  CHECK(c.rpt_gaps == d.rpt_gaps);
  CHECK(c.book_corrupt == d.book_corrupt);
  CHECK(c.stale_events == d.stale_events);
  CHECK(c.suspect_events == d.suspect_events);
  CHECK(c.halts == d.halts);
  CHECK(c.status_msgs == d.status_msgs);
  CHECK(c.tob_changes == d.tob_changes);
  CHECK(c.quotes == d.quotes);
  CHECK(c.quote_overflow == d.quote_overflow);
  CHECK(c.unknown_instruments == d.unknown_instruments);
  CHECK(c.arb.applied == d.arb.applied);
  CHECK(c.arb.gaps == d.arb.gaps);
  CHECK(c.arb.lost == d.arb.lost);
  CHECK(c.arb.held == d.arb.held);
}

void same_records(const std::vector<QuoteRecord>& x, const std::vector<QuoteRecord>& y) {
  REQUIRE(x.size() == y.size());
  for (std::size_t k = 0; k < x.size(); ++k) {
    INFO("record " << k);
    CHECK(x[k].security_id == y[k].security_id);
    CHECK(x[k].seq == y[k].seq);
    CHECK(x[k].slot == y[k].slot);
    CHECK(x[k].level == y[k].level);
    CHECK(x[k].bid_px == y[k].bid_px);
    CHECK(x[k].ask_px == y[k].ask_px);
    CHECK(x[k].bid_sz == y[k].bid_sz);
    CHECK(x[k].ask_sz == y[k].ask_sz);
    CHECK(x[k].flags == y[k].flags);
  }
}

// Three instruments of depth 3 (a New at level 1 pushes level 3 off the side), each with bids at
// levels 1-3 and asks at 1-2, published: seq 1 and 2.
std::vector<Bytes> three_books() {
  using mdp3::kNew;
  std::vector<Bytes> p;
  p.push_back(test::packet(1, {test::definition_message(kIdA, "AZ6", kT, 3, 2),
                               test::definition_message(kIdB, "BZ6", kT, 3, 2),
                               test::definition_message(kIdC, "CZ6", kT, 3, 2)}));
  std::vector<test::BookEntrySpec> es;
  for (std::int32_t id : {kIdA, kIdB, kIdC}) {
    const std::int64_t px = kPx + (id - kIdA) * 100 * kT;
    es.push_back(ent(id, '0', kNew, 1, px, 31, 1));
    es.push_back(ent(id, '0', kNew, 2, px - kT, 32, 2));
    es.push_back(ent(id, '0', kNew, 3, px - 2 * kT, 33, 3));
    es.push_back(ent(id, '1', kNew, 1, px + 4 * kT, 41, 4));
    es.push_back(ent(id, '1', kNew, 2, px + 5 * kT, 42, 5));
  }
  p.push_back(test::packet(2, {test::book_message(es, 0x84)}));
  return p;
}

std::int64_t px_of(std::int32_t id) { return kPx + (id - kIdA) * 100 * kT; }

}  // namespace

TEST_CASE("one pass: a 3rd message malformed after two messages touched 3 instruments and "
          "published leaves no trace; the B copy is applied",
          "[fast_path][one_pass]") {
  using namespace mdp3;
  // Message 1 (published): A New bid at level 1 (level 3 pushed off), B Delete bid level 1,
  // C Change ask level 1. Message 2 (published): A Overlay ask 2, B DeleteThru bids, C a RptSeq
  // gap (stale). Message 3: a good entry for C, then MDUpdateAction 7.
  const Bytes m1 = test::book_message({ent(kIdA, '0', kNew, 1, px_of(kIdA) + kT, 5, 6),
                                       ent(kIdB, '0', kDelete, 1, px_of(kIdB), 0, 6),
                                       ent(kIdC, '1', kChange, 1, px_of(kIdC) + 4 * kT, 9, 6)},
                                      0x84);
  const Bytes m2 = test::book_message({ent(kIdA, '1', kOverlay, 2, px_of(kIdA) + 6 * kT, 7, 7),
                                       ent(kIdB, '0', kDeleteThru, 0, 0, 0, 7),
                                       ent(kIdC, '0', kNew, 1, px_of(kIdC) + kT, 1, 9)},
                                      0x84);
  Bytes m3 = test::book_message({ent(kIdC, '1', kDelete, 2, px_of(kIdC) + 5 * kT, 0, 10),
                                 ent(kIdA, '0', kNew, 2, px_of(kIdA), 3, 8)},
                                0x84);
  m3[10 + 11 + 3 + 32 + 25] = 7;  // the second entry's MDUpdateAction
  const Bytes bad = test::packet(3, {m1, m2, m3});
  // The other line's copy of 3: different content, so that what is applied is visible.
  const Bytes good = test::packet(3, {test::book_message(
                                         {ent(kIdB, '1', kNew, 1, px_of(kIdB) + 3 * kT, 8, 6)},
                                         0x84)});
  const Bytes next = test::packet(4, {test::book_message(
                                         {ent(kIdA, '0', kChange, 1, px_of(kIdA), 11, 6),
                                          ent(kIdC, '1', kDelete, 1, px_of(kIdC) + 4 * kT, 0, 7)},
                                         0x84)});

  Run with, without;
  for (const Bytes& p : three_books()) {
    with.send(p);
    without.send(p);
  }
  const std::size_t before = with.records.size();
  REQUIRE(before == 3);  // one quote per instrument
  with.send(bad, 'A');
  CHECK(with.fp.counters().malformed[static_cast<int>(MsgError::kBadAction)] == 1);
  CHECK(with.records.size() == before);  // messages 1 and 2 published nothing that left
  same_state(with.fp, without.fp);
  // From the frames of seq 2: A's bids are 90000 / -1 / -2 ticks with 31 / 32 / 33 lots again.
  const Instrument& a = *with.fp.find(kIdA);
  CHECK(a.book.bids().occupied == 0b111);
  CHECK(a.book.bids().level[0].px == px_of(kIdA));
  CHECK(a.book.bids().level[0].sz == 31);
  CHECK(a.book.bids().level[2].px == px_of(kIdA) - 2 * kT);
  CHECK(a.book.bids().level[2].sz == 33);
  CHECK(a.book.asks().level[1].sz == 42);
  CHECK(with.fp.find(kIdB)->book.bids().level[0].sz == 31);
  CHECK_FALSE(with.fp.find(kIdC)->stale);
  CHECK(with.fp.counters().stale_events == 0);
  CHECK(with.fp.counters().packets == 2);

  with.send(good, 'B');
  without.send(good, 'B');
  with.send(next, 'A');
  without.send(next, 'A');
  same_state(with.fp, without.fp);
  same_records(with.records, without.records);
  CHECK(with.fp.counters().arb.gaps == 0);
  CHECK(with.fp.find(kIdB)->book.asks().level[0].px == px_of(kIdB) + 3 * kT);  // from `good`
  CHECK(with.fp.find(kIdA)->book.bids().level[0].sz == 11);                     // from `next`
}

TEST_CASE("one pass: a malformed entry part-way through a message, after a message touched one "
          "instrument",
          "[fast_path][one_pass]") {
  using namespace mdp3;
  // Message 1 (not published): A New bid 1 and Delete ask 1. Message 2: A Change bid 2, then a
  // New with a null price.
  const Bytes m1 = test::book_message({ent(kIdA, '0', kNew, 1, px_of(kIdA) + kT, 5, 6),
                                       ent(kIdA, '1', kDelete, 1, px_of(kIdA) + 4 * kT, 0, 7)},
                                      0x00);
  const Bytes m2 = test::book_message({ent(kIdA, '0', kChange, 2, px_of(kIdA) - kT, 2, 8),
                                       ent(kIdA, '1', kNew, 1, test::kNullPx, 3, 9)},
                                      0x84);
  const Bytes bad = test::packet(3, {m1, m2});
  const Bytes good = test::packet(3, {m1, test::book_message({}, 0x84)});
  Run with, without;
  for (const Bytes& p : three_books()) {
    with.send(p);
    without.send(p);
  }
  with.send(bad, 'A');
  CHECK(with.fp.counters().malformed[static_cast<int>(MsgError::kNullPriceOrSize)] == 1);
  same_state(with.fp, without.fp);
  same_records(with.records, without.records);
  CHECK(with.fp.find(kIdA)->book.asks().level[0].px == px_of(kIdA) + 4 * kT);  // seq 2's ask
  CHECK(with.fp.find(kIdA)->book.bids().level[1].sz == 32);
  CHECK_FALSE(with.fp.find(kIdA)->dirty);
  with.send(good, 'B');
  without.send(good, 'B');
  same_state(with.fp, without.fp);
  same_records(with.records, without.records);
  // `good` moved the top: bid 1 tick up, ask one level out: one requote.
  REQUIRE(with.records.size() == 4);
  CHECK(with.records[3].bid_px == px_of(kIdA) + kT);
  CHECK(with.records[3].ask_px == px_of(kIdA) + 5 * kT);
}

TEST_CASE("one pass: a packet left unpublished by the previous one, then a malformed one",
          "[fast_path][one_pass]") {
  using namespace mdp3;
  // Seq 3 touches A and B without a publication flag: they are dirty when the bad seq 4 (which
  // publishes in its first message) comes; the undo must leave them dirty and unpublished.
  const Bytes open = test::packet(3, {test::book_message(
                                         {ent(kIdA, '0', kNew, 1, px_of(kIdA) + kT, 5, 6),
                                          ent(kIdB, '1', kNew, 1, px_of(kIdB) + 3 * kT, 5, 6)},
                                         0x00)});
  Bytes m2 = test::book_message({ent(kIdC, '0', kNew, 1, px_of(kIdC) + kT, 5, 6)}, 0x84);
  m2[10 + 11 + 3 + 26] = 'X';  // MDEntryType
  const Bytes bad = test::packet(4, {test::book_message({}, 0x84), m2});
  const Bytes close = test::packet(4, {test::book_message({}, 0x84)});
  Run with, without;
  for (const Bytes& p : three_books()) {
    with.send(p);
    without.send(p);
  }
  with.send(open);
  without.send(open);
  REQUIRE(with.fp.find(kIdA)->dirty);
  with.send(bad, 'A');
  CHECK(with.fp.counters().malformed[static_cast<int>(MsgError::kBadEntryType)] == 1);
  same_state(with.fp, without.fp);
  same_records(with.records, without.records);
  CHECK(with.fp.find(kIdA)->dirty);
  CHECK(with.fp.find(kIdB)->dirty);
  CHECK(with.records.size() == 3);  // nothing published since seq 2
  with.send(close, 'B');
  without.send(close, 'B');
  same_state(with.fp, without.fp);
  same_records(with.records, without.records);
  CHECK(with.records.size() == 5);  // A and B requoted at seq 4
  CHECK(with.records.back().seq == 4);
}

TEST_CASE("one pass: DeleteFrom and Book Reset entries before a malformed message are taken back",
          "[fast_path][one_pass]") {
  using namespace mdp3;
  // Message 1 (published): C DeleteFrom bids 2 (levels 1-2 gone, 3 moves up), A Book Reset, then
  // A New ask 1 on the empty book. Message 2: a MsgSize running past the packet.
  const Bytes m1 = test::book_message({ent(kIdC, '0', kDeleteFrom, 2, 0, 0, 6),
                                       ent(kIdA, 'J', kNew, 0, 0, 0, 6),
                                       ent(kIdA, '1', kNew, 1, px_of(kIdA) + 2 * kT, 1, 7)},
                                      0x84);
  Bytes m2 = test::book_message({ent(kIdB, '0', kChange, 1, px_of(kIdB), 1, 6)}, 0x84);
  m2[0] = static_cast<std::uint8_t>(m2.size() + 1);  // MsgSize one past the end
  const Bytes bad = test::packet(3, {m1, m2});
  Run with, without;
  for (const Bytes& p : three_books()) {
    with.send(p);
    without.send(p);
  }
  with.send(bad, 'A');
  CHECK(with.fp.counters().malformed[static_cast<int>(MsgError::kMsgSizeOverrun)] == 1);
  same_state(with.fp, without.fp);
  same_records(with.records, without.records);
  // Seq 2's books, from its frame.
  CHECK(with.fp.find(kIdC)->book.bids().occupied == 0b111);
  CHECK(with.fp.find(kIdC)->book.bids().level[0].sz == 31);
  CHECK(with.fp.find(kIdA)->book.asks().occupied == 0b11);
  CHECK_FALSE(with.fp.find(kIdA)->book.complete());
  // The good copy (m1 alone) then applies all three entries.
  const Bytes good = test::packet(3, {m1});
  with.send(good, 'B');
  without.send(good, 'B');
  same_state(with.fp, without.fp);
  same_records(with.records, without.records);
  CHECK(with.fp.find(kIdC)->book.bids().occupied == 0b1);
  CHECK(with.fp.find(kIdC)->book.bids().level[0].sz == 33);
  CHECK(with.fp.find(kIdA)->book.complete());
  CHECK(with.fp.find(kIdA)->book.bids().occupied == 0);
}

TEST_CASE("one pass: what it does not do is taken back and applied the validated way",
          "[fast_path][one_pass]") {
  using namespace mdp3;
  // A book message, then a status message (halt B): not done in one pass. The result must be
  // that of the validated path (an observer forces it) and what the frames say.
  struct Quiet final : PipelineObserver {};
  Quiet quiet;
  const Bytes mixed = test::packet(3, {test::book_message(
                                          {ent(kIdA, '0', kNew, 1, px_of(kIdA) + kT, 5, 6)}, 0x84),
                                      test::security_status_message(kIdB, 18)});
  // A DeleteFrom entry (done in one pass, the whole book saved), then a new instrument (not done:
  // it could not be taken back).
  const Bytes from = test::packet(4, {test::book_message(
                                         {ent(kIdC, '1', kDeleteFrom, 1, 0, 0, 6),
                                          ent(kIdA, '1', kNew, 1, px_of(kIdA) + 3 * kT, 2, 7)},
                                         0x84)});
  const Bytes fresh = test::packet(5, {test::book_message(
                                          {ent(kIdA, '1', kDelete, 1, px_of(kIdA) + 3 * kT, 0, 8),
                                           ent(200009, '0', kNew, 1, kPx, 1, 1)},
                                          0x84)});
  Run one, validated;
  validated.fp.set_observer(&quiet);
  for (const Bytes& p : three_books()) {
    one.send(p);
    validated.send(p);
  }
  for (const Bytes* p : {&mixed, &from, &fresh}) {
    one.send(*p);
    validated.send(*p);
    same_state(one.fp, validated.fp);
    same_records(one.records, validated.records);
  }
  CHECK(one.fp.find(kIdB)->halted);
  CHECK(one.fp.find(kIdA)->book.bids().level[0].px == px_of(kIdA) + kT);
  CHECK(one.fp.find(kIdC)->book.asks().occupied == 0b1);  // level 2 moved up to 1
  CHECK(one.fp.find(kIdC)->book.asks().level[0].px == px_of(kIdC) + 5 * kT);
  REQUIRE(one.fp.find(200009) != nullptr);
  CHECK(one.fp.counters().packets == 5);
}

TEST_CASE("one pass: random packets, damaged copies and losses give the validated path's records "
          "and state",
          "[fast_path][one_pass]") {
  using namespace mdp3;
  // The reference is the same model taking every packet the validated way (an observer set forces
  // it); the frames are random: 1-3 book messages of 1-4 entries over three instruments of depth
  // 3 (all actions, now and then a Book Reset, an unknown instrument, a RptSeq gap or repeat), a
  // damaged copy on line A before the good one on B for one packet in five (a bad action, entry
  // type, null price, or MsgSize), and now and then a packet lost on both lines.
  struct Quiet final : PipelineObserver {};
  Quiet quiet;
  Run one, validated;
  validated.fp.set_observer(&quiet);
  for (const Bytes& p : three_books()) {
    one.send(p);
    validated.send(p);
  }
  std::mt19937 rng(20261129);
  auto pick = [&](std::uint32_t n) { return static_cast<std::uint32_t>(rng() % n); };
  std::uint32_t rpt[3] = {6, 6, 6};
  std::uint64_t damaged = 0;
  for (std::uint32_t seq = 3; seq < 1500; ++seq) {
    std::vector<Bytes> msgs;
    const std::uint32_t n_msgs = 1 + pick(3);
    for (std::uint32_t m = 0; m < n_msgs; ++m) {
      std::vector<test::BookEntrySpec> es;
      const std::uint32_t n_entries = 1 + pick(4);
      for (std::uint32_t k = 0; k < n_entries; ++k) {
        const std::uint32_t i = pick(3);
        std::int32_t id = kIdA + static_cast<std::int32_t>(i);
        if (pick(200) == 0) id = 200000 + static_cast<std::int32_t>(pick(3));  // new instrument
        const char types[4] = {'0', '1', 'E', 'F'};
        char type = types[pick(4)];
        static constexpr std::uint8_t kActions[10] = {kNew,    kNew,     kNew,     kNew,
                                                      kChange, kDelete,  kDelete,  kOverlay,
                                                      kOverlay, kDeleteThru};
        std::uint8_t action = kActions[pick(10)];
        if (pick(40) == 0) action = kDeleteFrom;
        if (pick(100) == 0) type = 'J';
        const std::uint8_t level = static_cast<std::uint8_t>(1 + pick(4));
        const bool bid_side = type == '0' || type == 'E';
        const std::int64_t away = static_cast<std::int64_t>(pick(3)) * kT;
        const std::int64_t px = px_of(kIdA + static_cast<std::int32_t>(i)) +
                                (bid_side ? -kT - away : 4 * kT + away);
        std::uint32_t r = ++rpt[i];
        if (pick(100) == 0) r = ++rpt[i];     // a gap
        if (pick(50) == 0) r = rpt[i] - 2;    // already seen
        es.push_back(ent(id, type, action, level, px, static_cast<std::int32_t>(1 + pick(50)), r));
      }
      static constexpr std::uint8_t kMei[4] = {0x00, 0x04, 0x80, 0x84};
      msgs.push_back(test::book_message(es, kMei[pick(4)]));
    }
    if (seq % 10 == 0) {  // every instrument reset and two-sided again (stale ones recover)
      std::vector<test::BookEntrySpec> es;
      for (std::uint32_t i = 0; i < 3; ++i) {
        const std::int32_t id = kIdA + static_cast<std::int32_t>(i);
        es.push_back(ent(id, 'J', kNew, 0, 0, 0, ++rpt[i]));
        es.push_back(ent(id, '0', kNew, 1, px_of(id), 5, ++rpt[i]));
        es.push_back(ent(id, '1', kNew, 1, px_of(id) + 4 * kT, 5, ++rpt[i]));
      }
      msgs.insert(msgs.begin() + static_cast<std::ptrdiff_t>(pick(static_cast<std::uint32_t>(
                                      msgs.size() + 1))),
                  test::book_message(es, 0x84));
    }
    const Bytes good = test::packet(seq, msgs);
    if (pick(40) == 0) continue;  // lost on both lines
    if (pick(5) == 0) {
      Bytes bad = good;
      // A random entry of a random message: each message is 10 + 11 + 3 + 32 n + 8 bytes.
      std::size_t at = 12;
      const std::uint32_t target = pick(static_cast<std::uint32_t>(msgs.size()));
      for (std::uint32_t m = 0; m < target; ++m) at += msgs[m].size();
      const std::size_t entries = (msgs[target].size() - 32) / 32;
      const std::size_t e = at + 24 + 32 * pick(static_cast<std::uint32_t>(entries));
      switch (pick(4)) {
        case 0: bad[e + 25] = 6; break;                       // MDUpdateAction
        case 1: bad[e + 26] = '2'; break;                     // MDEntryType
        case 2:  // a New bid with a null price
          bad[e + 25] = kNew;
          bad[e + 26] = '0';
          for (int b = 0; b < 8; ++b) bad[e + b] = b == 7 ? 0x7F : 0xFF;
          break;
        default: bad[at] = static_cast<std::uint8_t>(bad[at] + 1); break;  // MsgSize
      }
      one.send(bad, 'A');
      validated.send(bad, 'A');
      ++damaged;
    }
    one.send(good, 'B');
    validated.send(good, 'B');
    one.send(good, 'A');  // the late copy: a duplicate
    validated.send(good, 'A');
    if (seq % 100 == 0) {
      same_state(one.fp, validated.fp);
      same_records(one.records, validated.records);
    }
  }
  same_state(one.fp, validated.fp);
  same_records(one.records, validated.records);
  // The run exercised what it is meant to: damaged packets refused, gaps, requotes.
  std::uint64_t malformed = 0;
  for (std::uint64_t m : one.fp.counters().malformed) malformed += m;
  CHECK(malformed == damaged);
  CHECK(damaged > 200);
  CHECK(one.fp.counters().arb.gaps > 10);
  CHECK(one.records.size() > 200);
  CHECK(one.fp.counters().rpt_gaps > 10);
}
