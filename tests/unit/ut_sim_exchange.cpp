// Simulated exchange on hand-built books: latency, queue position (conservative and
// probabilistic), partial fills, trade-through and crossed-book fills, post-only, cancel/replace
// in flight, fees, and the reports flowing back into the order manager's positions. Every
// expected value is worked out by hand in the comments.
#include <catch2/catch.hpp>

#include <map>
#include <vector>

#include "ttq/mdp3.hpp"
#include "ttq/order_manager.hpp"
#include "ttq/sim_exchange.hpp"

using namespace ttq;

namespace {

constexpr std::int32_t kSid = 7;

struct Books final : MarketBooks {
  std::map<std::int32_t, MbpBook> m;
  Books() { m[kSid].configure(10, 0); }
  const MbpBook* book(std::int32_t id) const override {
    auto it = m.find(id);
    return it == m.end() ? nullptr : &it->second;
  }
  // Level `lvl` of a side now holds (px, sz) (MBP Overlay: in place).
  void set(char type, std::uint8_t lvl, std::int64_t px, std::int32_t sz) {
    mdp3::BookEntry e{px, sz, kSid, 0, 1, lvl, mdp3::kOverlay, type};
    m[kSid].apply(e, px);
  }
  void del(char type, std::uint8_t lvl) {
    mdp3::BookEntry e{0, 0, kSid, 0, 0, lvl, mdp3::kDelete, type};
    m[kSid].apply(e, 0);
  }
};

OrderIntent intent(OrderIntent::Kind k, std::uint64_t id, Side side, std::int64_t px,
                   std::int32_t qty, std::uint64_t ts, std::uint8_t level = 0) {
  return OrderIntent{k, id, kSid, 3, level, side, px, qty, ts};
}

SimExchangeParams params(std::uint64_t order_ns, std::uint64_t resp_ns) {
  SimExchangeParams p;
  p.order_latency.constant_ns = order_ns;
  p.response_latency.constant_ns = resp_ns;
  return p;
}

std::vector<ExecReport> drain(SimExchange& x, std::uint64_t t) {
  std::vector<ExecReport> v;
  ExecReport r;
  while (x.pop_report(t, r)) v.push_back(r);
  return v;
}

// Bids 100 x10, 99 x5; asks 101 x8, 102 x5.
void standard_book(Books& b) {
  b.set(mdp3::kBid, 1, 100, 10);
  b.set(mdp3::kBid, 2, 99, 5);
  b.set(mdp3::kOffer, 1, 101, 8);
  b.set(mdp3::kOffer, 2, 102, 5);
}

}  // namespace

TEST_CASE("latency table interpolates linearly and holds its ends") {
  LatencyModel m;
  m.constant_ns = 42;
  CHECK(m.at(123) == 42);
  m.table = {{0, 100}, {1000, 300}, {2000, 300}};
  CHECK(m.at(0) == 100);
  CHECK(m.at(250) == 150);   // 100 + 250 * 200 / 1000
  CHECK(m.at(500) == 200);
  CHECK(m.at(1500) == 300);
  CHECK(m.at(99999) == 300);
}

TEST_CASE("an order reaches the exchange after the order latency, reports after the response latency") {
  Books b;
  standard_book(b);
  SimExchange x(params(1000, 500), b);
  x.send(intent(OrderIntent::Kind::kNew, 1, Side::kBuy, 100, 3, 0));
  CHECK(x.next_arrival() == 1000);
  x.advance_to(999);
  CHECK(x.resting().empty());
  x.advance_to(1000);
  REQUIRE(x.resting().size() == 1);
  CHECK(x.resting()[0].ahead == 10.0);  // everything displayed at 100 was there first
  CHECK(x.next_report() == 1500);
  CHECK(drain(x, 1499).empty());
  const auto r = drain(x, 1500);
  REQUIRE(r.size() == 1);
  CHECK(r[0].kind == ExecKind::kAccepted);
  CHECK(r[0].exch_ns == 1000);
  CHECK(r[0].version == 1);
}

TEST_CASE("conservative queue: cancels are behind us, trades eat the queue ahead, partial fills") {
  Books b;
  standard_book(b);
  SimExchange x(params(1000, 500), b);
  x.send(intent(OrderIntent::Kind::kNew, 1, Side::kBuy, 100, 3, 0));
  x.advance_to(1000);
  const RestingOrder& o = x.resting()[0];
  // 10 -> 6: nobody is behind us (level 10, ahead 10), so the 4 cancelled were ahead: 6.
  b.set(mdp3::kBid, 1, 100, 6);
  x.on_book(2000, kSid);
  CHECK(o.ahead == 6.0);
  // 6 -> 11: 5 joined behind us: still 6 ahead.
  b.set(mdp3::kBid, 1, 100, 11);
  x.on_book(2100, kSid);
  CHECK(o.ahead == 6.0);
  // 11 -> 8: 3 cancelled, 5 are behind us: conservative says they were behind: still 6.
  b.set(mdp3::kBid, 1, 100, 8);
  x.on_book(2200, kSid);
  CHECK(o.ahead == 6.0);
  // A sell of 4 at 100 trades 4 of the 6 ahead: 2 ahead, no fill.
  x.on_trade(3000, kSid, 100, 4, 2);
  CHECK(o.ahead == 2.0);
  CHECK(o.leaves == 3);
  b.set(mdp3::kBid, 1, 100, 4);  // the book shows the trade: 8 - 4 = 4, no cancel implied
  x.on_book(3000, kSid);
  CHECK(o.ahead == 2.0);
  // A sell of 4 more: 2 to the queue ahead, 2 to us: partial fill, 1 left.
  x.on_trade(4000, kSid, 100, 4, 2);
  REQUIRE(x.resting().size() == 1);
  CHECK(x.resting()[0].leaves == 1);
  CHECK(x.resting()[0].ahead == 0.0);
  // A buy aggressor at 100 cannot hit our bid.
  x.on_trade(4500, kSid, 100, 9, 1);
  CHECK(x.resting()[0].leaves == 1);
  // A sell of 5: our last lot, the order is done.
  x.on_trade(5000, kSid, 100, 5, 2);
  CHECK(x.resting().empty());
  const auto r = drain(x, 10000);
  REQUIRE(r.size() == 3);  // accepted, fill 2, fill 1
  CHECK(r[1].kind == ExecKind::kFill);
  CHECK(r[1].qty == 2);
  CHECK(r[1].leaves == 1);
  CHECK(r[1].px == 100);
  CHECK(r[1].exch_ns == 4000);
  CHECK(r[1].host_ns == 4500);
  CHECK(r[2].qty == 1);
  CHECK(r[2].leaves == 0);
  CHECK(x.counters().queue_fills == 2);
}

TEST_CASE("probabilistic queue splits a cancel by f(ahead) / (f(ahead) + f(behind))") {
  Books b;
  standard_book(b);
  SimExchangeParams p = params(0, 0);
  p.queue = QueueModel::kProbabilistic;
  p.queue_power = 2.0;
  SimExchange x(p, b);
  x.send(intent(OrderIntent::Kind::kNew, 1, Side::kBuy, 100, 1, 0));
  x.advance_to(0);
  b.set(mdp3::kBid, 1, 100, 20);  // 10 ahead, 10 behind
  x.on_book(1, kSid);
  CHECK(x.resting()[0].ahead == 10.0);
  // 20 -> 16: 4 cancelled; f(10) = f(10) = 100, so half of it was ahead: 10 - 4 x 0.5 = 8.
  b.set(mdp3::kBid, 1, 100, 16);
  x.on_book(2, kSid);
  CHECK(x.resting()[0].ahead == Approx(8.0));
  // Now 8 ahead, 8 behind (16 shown): 16 -> 12, again half: 8 - 2 = 6.
  b.set(mdp3::kBid, 1, 100, 12);
  x.on_book(3, kSid);
  CHECK(x.resting()[0].ahead == Approx(6.0));

  // The conservative model on the same book changes keeps all 10 ahead (cancels behind us).
  Books b2;
  standard_book(b2);
  SimExchange y(params(0, 0), b2);
  y.send(intent(OrderIntent::Kind::kNew, 1, Side::kBuy, 100, 1, 0));
  y.advance_to(0);
  for (std::int32_t sz : {20, 16, 12}) {
    b2.set(mdp3::kBid, 1, 100, sz);
    y.on_book(1, kSid);
  }
  CHECK(y.resting()[0].ahead == 10.0);
}

TEST_CASE("a trade through our price fills up to the trade's size, whatever the queue") {
  Books b;
  standard_book(b);
  SimExchange x(params(0, 0), b);
  x.send(intent(OrderIntent::Kind::kNew, 1, Side::kBuy, 100, 5, 0));
  x.advance_to(0);
  // A sell printed at 99 passed 100 first: 2 lots for us although 10 are ahead at 100.
  x.on_trade(10, kSid, 99, 2, 2);
  REQUIRE(x.resting().size() == 1);
  CHECK(x.resting()[0].leaves == 3);
  CHECK(x.counters().through_fills == 1);
  const auto r = drain(x, 10);
  REQUIRE(r.size() == 2);
  CHECK(r[1].px == 100);  // at our price
  CHECK(r[1].qty == 2);
}

TEST_CASE("the replayed book crossing our resting order fills it at our price") {
  Books b;
  standard_book(b);
  SimExchangeParams p = params(0, 0);
  p.maker_fee_nano = -250'000'000;  // 0.25 rebate per lot
  SimExchange x(p, b);
  x.send(intent(OrderIntent::Kind::kNew, 1, Side::kBuy, 100, 3, 0));
  x.advance_to(0);
  b.set(mdp3::kOffer, 1, 100, 2);  // a seller rests 2 at our bid price
  x.on_book(10, kSid);
  REQUIRE(x.resting().size() == 1);
  CHECK(x.resting()[0].leaves == 1);
  const auto r = drain(x, 10);
  REQUIRE(r.size() == 2);
  CHECK(r[1].kind == ExecKind::kFill);
  CHECK(r[1].qty == 2);
  CHECK(r[1].px == 100);
  CHECK(r[1].maker);
  CHECK(r[1].fee_nano == -500'000'000);  // 2 lots x -0.25
  CHECK(x.counters().cross_fills == 1);
}

TEST_CASE("post-only: judged against the book when the order arrives, not when it was sent") {
  Books b;
  standard_book(b);
  SimExchange x(params(1000, 0), b);
  // Sent when the best ask is 101: a bid at 100 would rest...
  x.send(intent(OrderIntent::Kind::kNew, 1, Side::kBuy, 100, 1, 0));
  // ...but before it arrives the ask comes down to 100: it would cross, so it is refused.
  b.set(mdp3::kOffer, 1, 100, 4);
  x.on_book(500, kSid);
  x.advance_to(1000);
  CHECK(x.resting().empty());
  auto r = drain(x, 1000);
  REQUIRE(r.size() == 1);
  CHECK(r[0].kind == ExecKind::kReject);
  CHECK(r[0].reason == ExchReject::kPostOnly);
  CHECK(x.counters().rejected[static_cast<std::size_t>(ExchReject::kPostOnly)] == 1);

  // The other way round: a bid at 101 crosses when sent (ask 101), but the ask has moved up to
  // 102 when it arrives: it rests.
  standard_book(b);
  x.send(intent(OrderIntent::Kind::kNew, 2, Side::kBuy, 101, 1, 2000));
  b.set(mdp3::kOffer, 1, 102, 5);
  b.set(mdp3::kOffer, 2, 103, 5);
  x.on_book(2500, kSid);
  x.advance_to(3000);
  REQUIRE(x.resting().size() == 1);
  CHECK(x.resting()[0].px == 101);
  CHECK(x.resting()[0].ahead == 0.0);  // no bid displayed at 101
}

TEST_CASE("without post-only a crossing order takes the displayed liquidity and rests the rest") {
  Books b;
  standard_book(b);
  SimExchangeParams p = params(0, 0);
  p.post_only = false;
  p.taker_fee_nano = 1'000'000'000;  // 1.00 per lot
  SimExchange x(p, b);
  // Buy 10 at 101: 8 at 101 taken (asks 101 x8), 102 is beyond the limit; 2 rest at 101.
  x.send(intent(OrderIntent::Kind::kNew, 1, Side::kBuy, 101, 10, 0));
  x.advance_to(0);
  REQUIRE(x.resting().size() == 1);
  CHECK(x.resting()[0].leaves == 2);
  const auto r = drain(x, 0);
  REQUIRE(r.size() == 2);  // accepted, taker fill
  CHECK(r[1].qty == 8);
  CHECK_FALSE(r[1].maker);
  CHECK(r[1].fee_nano == 8'000'000'000);
  CHECK(x.counters().taker_lots == 8);
}

TEST_CASE("cancel and replace take effect only when they arrive") {
  Books b;
  standard_book(b);
  SimExchange x(params(1000, 0), b);
  x.send(intent(OrderIntent::Kind::kNew, 1, Side::kBuy, 100, 2, 0));
  x.advance_to(1000);
  b.set(mdp3::kBid, 1, 100, 0);  // queue ahead gone (size 0 still shown)
  x.on_book(1100, kSid);
  CHECK(x.resting()[0].ahead == 0.0);
  // Cancel sent at 2000 arrives at 3000; a trade at 2500 still fills the order.
  x.send(intent(OrderIntent::Kind::kCancel, 1, Side::kBuy, 100, 2, 2000));
  x.advance_to(2500);
  x.on_trade(2500, kSid, 100, 5, 2);
  CHECK(x.resting().empty());
  x.advance_to(3000);
  CHECK(x.counters().cancel_unknown == 1);  // nothing left to cancel
  auto r = drain(x, 3000);
  REQUIRE(r.size() == 2);
  CHECK(r[1].kind == ExecKind::kFill);
  CHECK(r[1].qty == 2);

  // Replace 100 -> 99 in flight: the old price still trades until it arrives; then the order
  // rests at 99 behind the 5 displayed there, as version 2.
  standard_book(b);
  x.send(intent(OrderIntent::Kind::kNew, 2, Side::kBuy, 100, 4, 4000));
  x.advance_to(5000);
  x.send(intent(OrderIntent::Kind::kReplace, 2, Side::kBuy, 99, 4, 6000));
  x.on_trade(6500, kSid, 99, 1, 2);  // through 100: 1 lot of the old version
  x.advance_to(7000);
  REQUIRE(x.resting().size() == 1);
  CHECK(x.resting()[0].px == 99);
  CHECK(x.resting()[0].leaves == 4);  // a replace restates the quantity
  CHECK(x.resting()[0].version == 2);
  CHECK(x.resting()[0].ahead == 5.0);
  r = drain(x, 7000);
  REQUIRE(r.size() == 3);  // accepted v1, fill v1, accepted v2
  CHECK(r[1].version == 1);
  CHECK(r[2].version == 2);

  // A replace of an order already gone is refused as unknown.
  x.send(intent(OrderIntent::Kind::kReplace, 1, Side::kBuy, 98, 1, 8000));
  x.advance_to(9000);
  r = drain(x, 9000);
  REQUIRE(r.size() == 1);
  CHECK(r[0].reason == ExchReject::kUnknownOrder);
}

TEST_CASE("a replace at the same price keeps priority only when it does not grow") {
  Books b;
  standard_book(b);
  SimExchange x(params(0, 0), b);
  x.send(intent(OrderIntent::Kind::kNew, 1, Side::kBuy, 100, 4, 0));
  x.advance_to(0);
  x.on_trade(1, kSid, 100, 6, 2);  // 10 ahead -> 4
  b.set(mdp3::kBid, 1, 100, 4);
  x.on_book(1, kSid);
  CHECK(x.resting()[0].ahead == 4.0);
  x.send(intent(OrderIntent::Kind::kReplace, 1, Side::kBuy, 100, 2, 2));  // smaller: keeps 4
  x.advance_to(2);
  CHECK(x.resting()[0].ahead == 4.0);
  x.send(intent(OrderIntent::Kind::kReplace, 1, Side::kBuy, 100, 3, 3));  // grows: back of queue
  x.advance_to(3);
  CHECK(x.resting()[0].ahead == 4.0);  // the 4 displayed are all ahead again
  b.set(mdp3::kBid, 1, 100, 9);        // 5 join behind
  x.on_book(4, kSid);
  x.send(intent(OrderIntent::Kind::kReplace, 1, Side::kBuy, 100, 5, 5));
  x.advance_to(5);
  CHECK(x.resting()[0].ahead == 9.0);  // re-queued behind all 9
}

TEST_CASE("reports flow back: positions in the risk gate, versions guard a replace in flight") {
  Books b;
  standard_book(b);
  SimExchange x(params(1000, 1000), b);
  RiskLimits lim;
  lim.collar_ticks = 0;
  RiskGate gate(lim, 8);
  gate.set_instrument(3, InstrumentRiskInfo{kSid, 1, 1});
  OrderManager om(gate, x, 8);
  MarketRef ref{100, true, false};
  auto quote = [&](std::int64_t bid, std::int32_t bsz, std::uint64_t t) {
    const QuoteRecord q{bid, 0, bsz, 0, kSid, 1, 3, 0, kQuoteBidLive, 0};
    om.on_quote(q, ref, t);
  };
  auto deliver = [&](std::uint64_t t) {
    ExecReport r;
    while (x.pop_report(t, r)) {
      if (r.kind == ExecKind::kFill) {
        om.on_execution(r.slot, r.level, r.side, r.order_id, r.version, r.qty, r.px, r.leaves);
      } else if (r.kind == ExecKind::kReject) {
        om.on_venue_reject(r.slot, r.level, r.side, r.order_id, r.version);
      }
    }
  };
  quote(100, 3, 0);  // New id 1, arrives 1000
  x.advance_to(1000);
  b.set(mdp3::kBid, 1, 100, 0);
  x.on_book(1000, kSid);
  quote(100, 5, 1500);  // Replace (v2) sent at 1500, arrives 2500
  x.on_trade(2000, kSid, 100, 2, 2);  // fills 2 of v1 (leaves 1) before the replace arrives
  x.advance_to(2500);                 // v2 restates: 5 lots
  deliver(3000);                      // the v1 fill reaches the host at 3000
  CHECK(gate.position(3) == 2);
  REQUIRE(om.working(3, 0, Side::kBuy) != nullptr);
  CHECK(om.working(3, 0, Side::kBuy)->leaves == 5);  // v1 report: the replace restates 5
  CHECK(om.counters().superseded_reports == 1);
  x.on_trade(4000, kSid, 100, 1, 2);  // 1 of v2: leaves 4
  deliver(5000);
  CHECK(gate.position(3) == 3);
  CHECK(om.working(3, 0, Side::kBuy)->leaves == 4);
  CHECK(om.working_qty(3, Side::kBuy) == 4);
  CHECK(x.resting()[0].leaves == 4);  // host and exchange agree

  // A post-only reject removes the order on both sides.
  b.set(mdp3::kOffer, 1, 101, 8);
  quote(101, 4, 6000);  // Replace to 101 = best ask: refused on arrival (7000)
  x.advance_to(7000);
  CHECK(x.resting().empty());
  deliver(8000);
  CHECK(om.working(3, 0, Side::kBuy) == nullptr);
  CHECK(om.working_qty(3, Side::kBuy) == 0);
  CHECK(om.counters().venue_rejects == 1);
}

TEST_CASE("a replace sent after the exchange filled the order is refused with the version the "
          "order manager expects, so the order does not linger") {
  Books b;
  standard_book(b);
  SimExchange x(params(1000, 1000), b);
  RiskLimits lim;
  lim.collar_ticks = 0;
  RiskGate gate(lim, 8);
  gate.set_instrument(3, InstrumentRiskInfo{kSid, 1, 1});
  OrderManager om(gate, x, 8);
  const MarketRef ref{100, true, false};
  auto quote = [&](std::int64_t bid, std::uint64_t t) {
    om.on_quote(QuoteRecord{bid, 0, 1, 0, kSid, 1, 3, 0, kQuoteBidLive, 0}, ref, t);
  };
  auto deliver = [&](std::uint64_t t) {
    ExecReport r;
    while (x.pop_report(t, r)) {
      if (r.kind == ExecKind::kFill) {
        om.on_execution(r.slot, r.level, r.side, r.order_id, r.version, r.qty, r.px, r.leaves);
      } else if (r.kind == ExecKind::kReject) {
        om.on_venue_reject(r.slot, r.level, r.side, r.order_id, r.version);
      }
    }
  };
  quote(100, 0);  // New v1, arrives 1000 behind 10 lots
  x.advance_to(1000);
  x.on_trade(1200, kSid, 99, 1, 2);  // through 100: filled, gone at the exchange (host: 2200)
  CHECK(x.resting().empty());
  quote(99, 1500);  // the host does not know yet: Replace v2, arrives 2500
  deliver(2200);    // the v1 fill: position 1, but the order manager waits for its v2
  CHECK(gate.position(3) == 1);
  CHECK(om.working(3, 0, Side::kBuy) != nullptr);
  x.advance_to(2500);  // unknown order: refused as v2
  deliver(3500);
  CHECK(om.working(3, 0, Side::kBuy) == nullptr);
  CHECK(om.working_qty(3, Side::kBuy) == 0);
}
