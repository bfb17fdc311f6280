// Unit tests of the order manager (host/src/order_manager.cpp) and of LogVenue
// (host/src/venue_log.cpp): quote records in, exact intents out, through a real RiskGate.

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "ttq/order_manager.hpp"
#include "ttq/quote.hpp"
#include "ttq/risk.hpp"
#include "ttq/venue.hpp"

using ttq::InstrumentRiskInfo;
using ttq::KillState;
using ttq::MarketRef;
using ttq::OrderIntent;
using ttq::OrderManager;
using ttq::QuoteRecord;
using ttq::RiskLimits;
using ttq::RiskReject;
using ttq::Side;
using Kind = ttq::OrderIntent::Kind;

namespace {

constexpr std::int64_t kP9 = 1'000'000'000;
constexpr std::int64_t kTick = 250'000'000;
constexpr std::int32_t kSec = 2001;
constexpr std::int64_t kBid = 4999 * kP9 + 750'000'000;  // 4999.75
constexpr std::int64_t kAsk = 5000 * kP9 + 250'000'000;  // 5000.25
constexpr std::uint8_t kBoth = ttq::kQuoteBidLive | ttq::kQuoteAskLive;
const MarketRef kRef{5000 * kP9, true, false};

struct RecordingVenue final : ttq::Venue {
  std::vector<OrderIntent> sent;
  void send(const OrderIntent& i) override { sent.push_back(i); }
};

RiskLimits open_limits() {
  RiskLimits l;
  l.max_order_qty = 1000;
  l.max_notional = std::numeric_limits<std::int64_t>::max();
  l.max_position = 1'000'000;
  l.collar_ticks = 0;
  l.collar_bps = 0;
  l.rate_per_sec_instrument = 1'000'000'000;
  l.burst_instrument = 1'000'000;
  l.rate_per_sec_global = 1'000'000'000;
  l.burst_global = 1'000'000;
  return l;
}

struct Rig {
  explicit Rig(const RiskLimits& l) : gate(l, 4), om(gate, venue, 4) {
    REQUIRE(gate.set_instrument(0, InstrumentRiskInfo{kSec, kTick, 1}));
    REQUIRE(gate.set_instrument(1, InstrumentRiskInfo{kSec + 1, kTick, 1}));
  }
  ttq::RiskGate gate;
  RecordingVenue venue;
  OrderManager om;
};

QuoteRecord quote(std::int64_t bid, std::int32_t bid_sz, std::int64_t ask, std::int32_t ask_sz,
                  std::uint8_t flags = kBoth, std::uint16_t slot = 0, std::uint8_t level = 0) {
  return QuoteRecord{bid, ask,  bid_sz, ask_sz, static_cast<std::int32_t>(kSec + slot),
                     7,   slot, level,  flags,  0};
}

void check_intent(const OrderIntent& i, Kind kind, std::uint64_t id, Side side, std::int64_t px,
                  std::int32_t qty, std::uint64_t ts, std::uint16_t slot = 0,
                  std::uint8_t level = 0) {
  CHECK(i.kind == kind);
  CHECK(i.order_id == id);
  CHECK(i.side == side);
  CHECK(i.px == px);
  CHECK(i.qty == qty);
  CHECK(i.ts_ns == ts);
  CHECK(i.slot == slot);
  CHECK(i.level == level);
  CHECK(i.security_id == kSec + slot);
}

}  // namespace

TEST_CASE("order_manager: New on the first live record, nothing when unchanged",
          "[order_manager]") {
  Rig r(open_limits());
  r.om.on_quote(quote(kBid, 3, kAsk, 4), kRef, 100);
  REQUIRE(r.venue.sent.size() == 2);
  check_intent(r.venue.sent[0], Kind::kNew, 1, Side::kBuy, kBid, 3, 100);
  check_intent(r.venue.sent[1], Kind::kNew, 2, Side::kSell, kAsk, 4, 100);
  CHECK(r.om.working_qty(0, Side::kBuy) == 3);
  CHECK(r.om.working_qty(0, Side::kSell) == 4);
  CHECK(r.om.working_orders() == 2);
  CHECK(r.om.next_order_id() == 3);

  r.om.on_quote(quote(kBid, 3, kAsk, 4), kRef, 200);
  CHECK(r.venue.sent.size() == 2);
  CHECK(r.om.intents(Kind::kNew) == 2);
  CHECK(r.om.accepted(Kind::kNew) == 2);
  CHECK(r.om.counters().records == 2);
  CHECK(r.gate.accepted() == 2);
}

TEST_CASE("order_manager: Replace on a price or size change keeps the order id",
          "[order_manager]") {
  Rig r(open_limits());
  r.om.on_quote(quote(kBid, 3, kAsk, 4), kRef, 100);
  r.om.on_quote(quote(kBid - kTick, 3, kAsk, 4), kRef, 200);  // bid price moves
  REQUIRE(r.venue.sent.size() == 3);
  check_intent(r.venue.sent[2], Kind::kReplace, 1, Side::kBuy, kBid - kTick, 3, 200);
  r.om.on_quote(quote(kBid - kTick, 3, kAsk, 9), kRef, 300);  // ask size moves
  REQUIRE(r.venue.sent.size() == 4);
  check_intent(r.venue.sent[3], Kind::kReplace, 2, Side::kSell, kAsk, 9, 300);
  CHECK(r.om.working_qty(0, Side::kSell) == 9);
  const OrderManager::WorkingOrder* bid = r.om.working(0, 0, Side::kBuy);
  REQUIRE(bid != nullptr);
  CHECK(bid->order_id == 1);
  CHECK(bid->px == kBid - kTick);
  CHECK(r.om.intents(Kind::kReplace) == 2);
  CHECK(r.om.next_order_id() == 3);
}

TEST_CASE("order_manager: Cancel on a pull and on a side no longer live", "[order_manager]") {
  Rig r(open_limits());
  r.om.on_quote(quote(kBid, 3, kAsk, 4), kRef, 100);
  // Only the ask stays live: the bid is cancelled with its last px and qty.
  r.om.on_quote(quote(0, 0, kAsk, 4, ttq::kQuoteAskLive), kRef, 200);
  REQUIRE(r.venue.sent.size() == 3);
  check_intent(r.venue.sent[2], Kind::kCancel, 1, Side::kBuy, kBid, 3, 200);
  CHECK(r.om.working(0, 0, Side::kBuy) == nullptr);
  CHECK(r.om.working_qty(0, Side::kBuy) == 0);

  r.om.on_quote(quote(0, 0, 0, 0, ttq::kQuotePullStale), kRef, 300);
  REQUIRE(r.venue.sent.size() == 4);
  check_intent(r.venue.sent[3], Kind::kCancel, 2, Side::kSell, kAsk, 4, 300);
  CHECK(r.om.working_orders() == 0);
  // A pull with nothing working sends nothing.
  r.om.on_quote(quote(0, 0, 0, 0, ttq::kQuotePullHalt), kRef, 350);
  CHECK(r.venue.sent.size() == 4);

  // Quoting resumes with fresh ids.
  r.om.on_quote(quote(kBid, 3, kAsk, 4), kRef, 400);
  REQUIRE(r.venue.sent.size() == 6);
  check_intent(r.venue.sent[4], Kind::kNew, 3, Side::kBuy, kBid, 3, 400);
  check_intent(r.venue.sent[5], Kind::kNew, 4, Side::kSell, kAsk, 4, 400);
  CHECK(r.gate.counters().accepted_cancels == 2);
  CHECK(r.om.accepted(Kind::kCancel) == 2);
}

TEST_CASE("order_manager: a pull on one level cancels every level of the slot", "[order_manager]") {
  Rig r(open_limits());
  r.om.on_quote(quote(kBid, 1, kAsk, 1, kBoth, 0, 0), kRef, 100);
  r.om.on_quote(quote(kBid - kTick, 2, kAsk + kTick, 2, kBoth, 0, 1), kRef, 100);
  r.om.on_quote(quote(kBid, 1, kAsk, 1, kBoth, 1, 0), kRef, 100);  // other slot
  REQUIRE(r.venue.sent.size() == 6);
  r.om.on_quote(quote(0, 0, 0, 0, ttq::kQuotePullBook, 0, 0), kRef, 500);
  REQUIRE(r.venue.sent.size() == 10);
  check_intent(r.venue.sent[6], Kind::kCancel, 1, Side::kBuy, kBid, 1, 500, 0, 0);
  check_intent(r.venue.sent[7], Kind::kCancel, 2, Side::kSell, kAsk, 1, 500, 0, 0);
  check_intent(r.venue.sent[8], Kind::kCancel, 3, Side::kBuy, kBid - kTick, 2, 500, 0, 1);
  check_intent(r.venue.sent[9], Kind::kCancel, 4, Side::kSell, kAsk + kTick, 2, 500, 0, 1);
  CHECK(r.om.working_orders() == 2);  // slot 1 untouched
  CHECK(r.om.working(1, 0, Side::kBuy) != nullptr);
}

TEST_CASE("order_manager: a rejected New sends nothing and spends no order id", "[order_manager]") {
  RiskLimits l = open_limits();
  l.max_order_qty = 5;
  Rig r(l);
  r.om.on_quote(quote(kBid, 6, kAsk, 5), kRef, 100);
  REQUIRE(r.venue.sent.size() == 1);
  check_intent(r.venue.sent[0], Kind::kNew, 1, Side::kSell, kAsk, 5, 100);
  CHECK(r.om.working(0, 0, Side::kBuy) == nullptr);
  CHECK(r.om.rejected() == 1);
  CHECK(r.om.intents(Kind::kNew) == 2);
  CHECK(r.om.accepted(Kind::kNew) == 1);
  CHECK(r.gate.rejected(RiskReject::kMaxOrderQty) == 1);
  // The bid is tried again on the next record and now gets id 2.
  r.om.on_quote(quote(kBid, 5, kAsk, 5), kRef, 200);
  REQUIRE(r.venue.sent.size() == 2);
  check_intent(r.venue.sent[1], Kind::kNew, 2, Side::kBuy, kBid, 5, 200);
}

TEST_CASE("order_manager: a rejected Replace becomes a Cancel of the old order",
          "[order_manager]") {
  RiskLimits l = open_limits();
  l.collar_ticks = 4;  // 1.00 around 5000.00
  Rig r(l);
  r.om.on_quote(quote(kBid, 2, kAsk, 2), kRef, 100);
  REQUIRE(r.venue.sent.size() == 2);
  // The bid jumps outside the collar, the ask does not change.
  r.om.on_quote(quote(kRef.ref_px - kP9 - kTick, 2, kAsk, 2), kRef, 200);
  REQUIRE(r.venue.sent.size() == 3);
  check_intent(r.venue.sent[2], Kind::kCancel, 1, Side::kBuy, kBid, 2, 200);
  CHECK(r.om.working(0, 0, Side::kBuy) == nullptr);
  CHECK(r.om.working(0, 0, Side::kSell) != nullptr);
  CHECK(r.om.counters().replace_rejects_cancelled == 1);
  CHECK(r.om.intents(Kind::kReplace) == 1);
  CHECK(r.om.accepted(Kind::kReplace) == 0);
  CHECK(r.gate.rejected(RiskReject::kPriceCollar) == 1);
  // Back inside the collar: a New, not a Replace.
  r.om.on_quote(quote(kRef.ref_px - kP9, 2, kAsk, 2), kRef, 300);
  REQUIRE(r.venue.sent.size() == 4);
  check_intent(r.venue.sent[3], Kind::kNew, 3, Side::kBuy, kRef.ref_px - kP9, 2, 300);
}

TEST_CASE("order_manager: HALTED pulls orders as quotes change; cancel_all pulls the rest",
          "[order_manager]") {
  Rig r(open_limits());
  r.om.on_quote(quote(kBid, 1, kAsk, 1, kBoth, 0), kRef, 100);
  r.om.on_quote(quote(kBid, 1, kAsk, 1, kBoth, 1), kRef, 100);
  REQUIRE(r.venue.sent.size() == 4);
  r.gate.set_kill(KillState::kHalted);
  r.om.on_quote(quote(kBid + kTick, 1, kAsk, 1, kBoth, 0), kRef, 200);
  REQUIRE(r.venue.sent.size() == 5);
  check_intent(r.venue.sent[4], Kind::kCancel, 1, Side::kBuy, kBid, 1, 200);
  CHECK(r.gate.rejected(RiskReject::kKillHalted) == 1);
  r.om.cancel_all(300);
  REQUIRE(r.venue.sent.size() == 8);
  check_intent(r.venue.sent[5], Kind::kCancel, 2, Side::kSell, kAsk, 1, 300, 0);
  check_intent(r.venue.sent[6], Kind::kCancel, 3, Side::kBuy, kBid, 1, 300, 1);
  check_intent(r.venue.sent[7], Kind::kCancel, 4, Side::kSell, kAsk, 1, 300, 1);
  CHECK(r.om.working_orders() == 0);
  CHECK(r.om.working_qty(1, Side::kSell) == 0);
  r.om.cancel_all(400);
  CHECK(r.venue.sent.size() == 8);
  // Halted: new quotes create nothing.
  r.om.on_quote(quote(kBid, 1, kAsk, 1, kBoth, 0), kRef, 500);
  CHECK(r.venue.sent.size() == 8);
  CHECK(r.gate.rejected(RiskReject::kKillHalted) == 3);
}

TEST_CASE("order_manager: the position limit counts working orders on every level",
          "[order_manager]") {
  RiskLimits l = open_limits();
  l.max_position = 10;
  Rig r(l);
  r.om.on_quote(quote(kBid, 6, 0, 0, ttq::kQuoteBidLive, 0, 0), kRef, 100);
  r.om.on_quote(quote(kBid - kTick, 5, 0, 0, ttq::kQuoteBidLive, 0, 1), kRef, 100);  // 6+5=11
  REQUIRE(r.venue.sent.size() == 1);
  CHECK(r.gate.rejected(RiskReject::kMaxPosition) == 1);
  r.om.on_quote(quote(kBid - kTick, 4, 0, 0, ttq::kQuoteBidLive, 0, 1), kRef, 100);  // 6+4=10
  REQUIRE(r.venue.sent.size() == 2);
  check_intent(r.venue.sent[1], Kind::kNew, 2, Side::kBuy, kBid - kTick, 4, 100, 0, 1);
  // Replacing level 0 at 6 lots counts the other 4, not its own old 6: 4 + 6 = 10.
  r.om.on_quote(quote(kBid + kTick, 6, 0, 0, ttq::kQuoteBidLive, 0, 0), kRef, 200);
  REQUIRE(r.venue.sent.size() == 3);
  check_intent(r.venue.sent[2], Kind::kReplace, 1, Side::kBuy, kBid + kTick, 6, 200);
  // Growing it to 7 would make 11: rejected, so the old order is cancelled.
  r.om.on_quote(quote(kBid + kTick, 7, 0, 0, ttq::kQuoteBidLive, 0, 0), kRef, 300);
  REQUIRE(r.venue.sent.size() == 4);
  check_intent(r.venue.sent[3], Kind::kCancel, 1, Side::kBuy, kBid + kTick, 6, 300);
  CHECK(r.om.working_qty(0, Side::kBuy) == 4);
  // The sell side is counted on its own: 10 lots of sells fit while 4 buys work.
  r.om.on_quote(quote(0, 0, kAsk, 10, ttq::kQuoteAskLive, 0, 2), kRef, 400);
  REQUIRE(r.venue.sent.size() == 5);
  check_intent(r.venue.sent[4], Kind::kNew, 3, Side::kSell, kAsk, 10, 400, 0, 2);
  CHECK(r.gate.rejected(RiskReject::kMaxPosition) == 2);
}

TEST_CASE("order_manager: on_fill moves the position and the working quantity", "[order_manager]") {
  RiskLimits l = open_limits();
  l.max_position = 20;
  Rig r(l);
  const std::int64_t b1 = kBid - kTick;
  r.om.on_quote(quote(kBid, 5, 0, 0, ttq::kQuoteBidLive, 0, 0), kRef, 100);  // id 1
  r.om.on_quote(quote(b1, 5, 0, 0, ttq::kQuoteBidLive, 0, 1), kRef, 100);    // id 2
  REQUIRE(r.venue.sent.size() == 2);
  // 2 lots at the level-1 price come off level 1 first.
  r.om.on_fill(0, Side::kBuy, 2, b1);
  CHECK(r.gate.position(0) == 2);
  CHECK(r.om.working(0, 0, Side::kBuy)->leaves == 5);
  CHECK(r.om.working(0, 1, Side::kBuy)->leaves == 3);
  CHECK(r.om.working_qty(0, Side::kBuy) == 8);
  // 7 lots at no working price: level 0 (5, now gone), then level 1 (2 of 3).
  r.om.on_fill(0, Side::kBuy, 7, kBid - 5 * kTick);
  CHECK(r.gate.position(0) == 9);
  CHECK(r.om.working(0, 0, Side::kBuy) == nullptr);
  CHECK(r.om.working(0, 1, Side::kBuy)->leaves == 1);
  CHECK(r.om.working_qty(0, Side::kBuy) == 1);
  // 4 more: 1 absorbed, 3 unmatched but still part of the position.
  r.om.on_fill(0, Side::kBuy, 4, b1);
  CHECK(r.gate.position(0) == 13);
  CHECK(r.om.working_qty(0, Side::kBuy) == 0);
  CHECK(r.om.counters().unmatched_fill_lots == 3);
  // A sell fill lowers the position.
  r.om.on_fill(0, Side::kSell, 1, kAsk);
  CHECK(r.gate.position(0) == 12);
  CHECK(r.om.counters().fills == 4);
  // The filled-out level 0 is quoted again with a New; the position limit now sees 12 + qty.
  r.om.on_quote(quote(kBid, 8, 0, 0, ttq::kQuoteBidLive, 0, 0), kRef, 200);  // 20: in
  REQUIRE(r.venue.sent.size() == 3);
  check_intent(r.venue.sent[2], Kind::kNew, 3, Side::kBuy, kBid, 8, 200);
  r.om.on_quote(quote(b1, 1, 0, 0, ttq::kQuoteBidLive, 0, 1), kRef, 200);  // 21: out
  CHECK(r.venue.sent.size() == 3);
  CHECK(r.gate.rejected(RiskReject::kMaxPosition) == 1);
}

TEST_CASE("order_manager: bad records and fills are counted, never applied", "[order_manager]") {
  Rig r(open_limits());
  r.om.on_quote(quote(kBid, 1, kAsk, 1, kBoth, 4), kRef, 100);  // slot 4 of 4
  r.om.on_quote(quote(kBid, 1, kAsk, 1, kBoth, 0, ttq::kMaxLevels), kRef, 100);
  CHECK(r.venue.sent.empty());
  CHECK(r.om.counters().records == 2);
  CHECK(r.om.counters().dropped_records == 2);
  r.om.on_fill(4, Side::kBuy, 1, kBid);
  r.om.on_fill(0, Side::kBuy, 0, kBid);
  r.om.on_fill(0, Side::kSell, -3, kBid);
  CHECK(r.om.counters().dropped_fills == 3);
  CHECK(r.om.counters().fills == 0);
  CHECK(r.gate.position(0) == 0);
  CHECK(r.om.working(4, 0, Side::kBuy) == nullptr);
}

TEST_CASE("order_manager: a slot that changes instrument cancels before quoting anew",
          "[order_manager]") {
  Rig r(open_limits());
  r.om.on_quote(quote(kBid, 1, 0, 0, ttq::kQuoteBidLive), kRef, 100);
  REQUIRE(r.gate.set_instrument(0, InstrumentRiskInfo{kSec + 50, kTick, 1}));
  QuoteRecord q = quote(kBid, 1, 0, 0, ttq::kQuoteBidLive);
  q.security_id = kSec + 50;
  r.om.on_quote(q, kRef, 200);
  REQUIRE(r.venue.sent.size() == 3);
  check_intent(r.venue.sent[1], Kind::kCancel, 1, Side::kBuy, kBid, 1, 200);
  CHECK(r.venue.sent[2].kind == Kind::kNew);
  CHECK(r.venue.sent[2].order_id == 2);
  CHECK(r.venue.sent[2].security_id == kSec + 50);
}

TEST_CASE("venue_log: one JSON line per intent, exact format", "[venue_log]") {
  std::FILE* f = std::tmpfile();
  REQUIRE(f != nullptr);
  ttq::LogVenue v(f);
  v.send(OrderIntent{Kind::kNew, 1, 2001, 3, 0, Side::kBuy, 4999750000000, 5, 1700000000000000123});
  v.send(OrderIntent{Kind::kReplace, 18446744073709551615ULL, -7, 65535, 7, Side::kSell,
                     -2500000000, 2147483647, 0});
  v.send(OrderIntent{Kind::kCancel, 2, 2001, 0, 1, Side::kSell, 0, 0, 42});
  REQUIRE(std::fflush(f) == 0);
  std::rewind(f);
  std::string text;
  char buf[512];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  std::fclose(f);
  CHECK(text ==
        "{\"ts\":1700000000000000123,\"kind\":\"new\",\"order_id\":1,\"security_id\":2001,"
        "\"slot\":3,\"level\":0,\"side\":\"buy\",\"px\":4999750000000,\"qty\":5}\n"
        "{\"ts\":0,\"kind\":\"replace\",\"order_id\":18446744073709551615,\"security_id\":-7,"
        "\"slot\":65535,\"level\":7,\"side\":\"sell\",\"px\":-2500000000,\"qty\":2147483647}\n"
        "{\"ts\":42,\"kind\":\"cancel\",\"order_id\":2,\"security_id\":2001,"
        "\"slot\":0,\"level\":1,\"side\":\"sell\",\"px\":0,\"qty\":0}\n");
  CHECK(v.sent() == 3);
  CHECK(v.sent(Kind::kReplace) == 1);
  CHECK(v.write_errors() == 0);
}

TEST_CASE("venue_log: without a file it only counts; format refuses a short buffer",
          "[venue_log]") {
  ttq::LogVenue v(nullptr);
  const OrderIntent in{Kind::kNew, 9, 1, 0, 0, Side::kBuy, 1, 1, 1};
  v.send(in);
  v.send(in);
  CHECK(v.sent() == 2);
  CHECK(v.sent(Kind::kNew) == 2);
  CHECK(v.sent(Kind::kCancel) == 0);
  char small[16];
  CHECK(ttq::LogVenue::format(in, small, sizeof small) == 0);
  char line[ttq::LogVenue::kLineMax];
  const std::size_t n = ttq::LogVenue::format(in, line, sizeof line);
  CHECK(std::string(line, n) ==
        "{\"ts\":1,\"kind\":\"new\",\"order_id\":9,\"security_id\":1,\"slot\":0,\"level\":0,"
        "\"side\":\"buy\",\"px\":1,\"qty\":1}\n");
}
