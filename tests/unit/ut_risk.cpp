// Unit tests of the pre-trade risk gate (host/src/risk.cpp). Every limit is probed just inside and
// just past its edge with hand-computed values; docs/risk.md holds the formulas.

#include <catch2/catch.hpp>
#include <cstdint>
#include <iterator>
#include <limits>
#include <optional>
#include <string>

#include "ttq/risk.hpp"

// Failures print the reason name instead of {?}.
namespace Catch {
template <>
struct StringMaker<std::optional<ttq::RiskReject>> {
  static std::string convert(const std::optional<ttq::RiskReject>& r) {
    return r ? ttq::to_string(*r) : "accepted";
  }
};
}  // namespace Catch

using ttq::InstrumentRiskInfo;
using ttq::KillState;
using ttq::MarketRef;
using ttq::OrderIntent;
using ttq::RiskGate;
using ttq::RiskLimits;
using ttq::RiskReject;
using ttq::Side;

namespace {

constexpr std::int64_t kP9 = 1'000'000'000;  // PRICE9 scale
constexpr std::int64_t kTick = 250'000'000;  // 0.25
constexpr std::int32_t kSec = 1001;
constexpr std::uint64_t kT0 = 1'700'000'000'000'000'000ULL;  // a realistic epoch in ns
const MarketRef kRef{5000 * kP9, true, false};

// Every rule wide open so that one test probes one rule.
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

RiskGate make_gate(const RiskLimits& l, std::int64_t multiplier = 1) {
  RiskGate g(l, 4);
  REQUIRE(g.set_instrument(0, InstrumentRiskInfo{kSec, kTick, multiplier}));
  REQUIRE(g.set_instrument(1, InstrumentRiskInfo{kSec + 1, kTick, multiplier}));
  return g;
}

OrderIntent intent(Side side, std::int64_t px, std::int32_t qty, std::uint64_t ts = kT0,
                   std::uint16_t slot = 0, OrderIntent::Kind kind = OrderIntent::Kind::kNew) {
  return OrderIntent{kind, 1, static_cast<std::int32_t>(kSec + slot), slot, 0, side, px, qty, ts};
}

const std::optional<RiskReject> kOk = std::nullopt;

}  // namespace

TEST_CASE("risk: reason names are the snake_case summary keys", "[risk]") {
  CHECK(std::string(to_string(RiskReject::kMaxOrderQty)) == "max_order_qty");
  CHECK(std::string(to_string(RiskReject::kMaxNotional)) == "max_notional");
  CHECK(std::string(to_string(RiskReject::kMaxPosition)) == "max_position");
  CHECK(std::string(to_string(RiskReject::kPriceCollar)) == "price_collar");
  CHECK(std::string(to_string(RiskReject::kRateInstrument)) == "rate_instrument");
  CHECK(std::string(to_string(RiskReject::kRateGlobal)) == "rate_global");
  CHECK(std::string(to_string(RiskReject::kKillHalted)) == "kill_halted");
  CHECK(std::string(to_string(RiskReject::kKillReducing)) == "kill_reducing");
  CHECK(std::string(to_string(RiskReject::kStaleFeed)) == "stale_feed");
  CHECK(std::string(to_string(RiskReject::kNoReference)) == "no_reference");
  CHECK(std::string(to_string(RiskReject::kUnknownInstrument)) == "unknown_instrument");
  CHECK(std::string(to_string(KillState::kReducing)) == "reducing");
  CHECK(std::string(to_string(Side::kSell)) == "sell");
  CHECK(std::string(to_string(OrderIntent::Kind::kReplace)) == "replace");
}

TEST_CASE("risk: default limits are valid and validate names the bad field", "[risk]") {
  CHECK(validate(RiskLimits{}) == nullptr);
  CHECK(validate(open_limits()) == nullptr);
  RiskLimits l;
  l.burst_global = 0;
  REQUIRE(validate(l) != nullptr);
  CHECK(std::string(validate(l)).find("burst_global") != std::string::npos);
  l = RiskLimits{};
  l.collar_bps = -1;
  REQUIRE(validate(l) != nullptr);
  CHECK(std::string(validate(l)).find("collar_bps") != std::string::npos);
  l = RiskLimits{};
  l.max_order_qty = 0;
  CHECK(validate(l) != nullptr);
}

TEST_CASE("risk: instrument configuration is validated, unknown instruments are rejected",
          "[risk]") {
  RiskGate g(open_limits(), 2);
  CHECK_FALSE(g.set_instrument(2, InstrumentRiskInfo{kSec, kTick, 1}));  // out of range
  CHECK_FALSE(g.set_instrument(0, InstrumentRiskInfo{kSec, 0, 1}));      // tick 0
  CHECK_FALSE(g.set_instrument(0, InstrumentRiskInfo{kSec, kTick, 0}));  // multiplier 0
  CHECK_FALSE(g.set_instrument(0, InstrumentRiskInfo{kSec, kTick, ttq::kMaxMultiplier + 1}));
  // Slot 0 was never configured.
  CHECK(g.check(intent(Side::kBuy, kRef.ref_px, 1), kRef, 0) == RiskReject::kUnknownInstrument);
  REQUIRE(g.set_instrument(0, InstrumentRiskInfo{kSec, kTick, 50}));
  CHECK(g.check(intent(Side::kBuy, kRef.ref_px, 1), kRef, 0) == kOk);
  OrderIntent wrong_sec = intent(Side::kBuy, kRef.ref_px, 1);
  wrong_sec.security_id = kSec + 7;
  CHECK(g.check(wrong_sec, kRef, 0) == RiskReject::kUnknownInstrument);
  OrderIntent far_slot = intent(Side::kBuy, kRef.ref_px, 1);
  far_slot.slot = 9;
  CHECK(g.check(far_slot, kRef, 0) == RiskReject::kUnknownInstrument);
  CHECK(g.rejected(RiskReject::kUnknownInstrument) == 3);
}

TEST_CASE("risk: max order qty accepts 1..max and rejects the rest", "[risk]") {
  RiskLimits l = open_limits();
  l.max_order_qty = 10;
  RiskGate g = make_gate(l);
  CHECK(g.check(intent(Side::kBuy, kRef.ref_px, 10), kRef, 0) == kOk);
  CHECK(g.check(intent(Side::kBuy, kRef.ref_px, 1), kRef, 0) == kOk);
  CHECK(g.check(intent(Side::kBuy, kRef.ref_px, 11), kRef, 0) == RiskReject::kMaxOrderQty);
  CHECK(g.check(intent(Side::kSell, kRef.ref_px, 0), kRef, 0) == RiskReject::kMaxOrderQty);
  CHECK(g.check(intent(Side::kSell, kRef.ref_px, -1), kRef, 0) == RiskReject::kMaxOrderQty);
  OrderIntent rep = intent(Side::kSell, kRef.ref_px, 11, kT0, 0, OrderIntent::Kind::kReplace);
  CHECK(g.check(rep, kRef, 0) == RiskReject::kMaxOrderQty);
  CHECK(g.rejected(RiskReject::kMaxOrderQty) == 4);
  CHECK(g.accepted() == 2);
}

TEST_CASE("risk: notional is |px| x qty x multiplier against a PRICE9 limit", "[risk]") {
  RiskLimits l = open_limits();
  // 2 lots at 5000.00 with multiplier 50 = 500'000.00 currency = 5e14 as PRICE9.
  l.max_notional = 500'000 * kP9;
  RiskGate g = make_gate(l, 50);
  CHECK(g.check(intent(Side::kBuy, 5000 * kP9, 2), kRef, 0) == kOk);
  // One mantissa unit more is 100 units (2 x 50) over.
  CHECK(g.check(intent(Side::kBuy, 5000 * kP9 + 1, 2), kRef, 0) == RiskReject::kMaxNotional);
  CHECK(g.check(intent(Side::kBuy, 5000 * kP9, 3), kRef, 0) == RiskReject::kMaxNotional);
  // Negative prices count by magnitude.
  CHECK(g.check(intent(Side::kSell, -5000 * kP9, 2), kRef, 0) == kOk);
  CHECK(g.check(intent(Side::kSell, -5000 * kP9 - 1, 2), kRef, 0) == RiskReject::kMaxNotional);
  CHECK(g.rejected(RiskReject::kMaxNotional) == 3);

  // A product far past 64 bits must not wrap around into an acceptance.
  RiskLimits big = open_limits();
  RiskGate g2(big, 1);
  REQUIRE(g2.set_instrument(0, InstrumentRiskInfo{kSec, kTick, ttq::kMaxMultiplier}));
  CHECK(g2.check(intent(Side::kBuy, std::numeric_limits<std::int64_t>::min(), 1000), kRef, 0) ==
        RiskReject::kMaxNotional);
  // 2^33 x (2^31 - 1) is past INT64_MAX: 64-bit arithmetic would wrap it negative and pass.
  const std::int64_t px = std::int64_t{1} << 33;
  CHECK(g2.check(intent(Side::kBuy, px, 1), kRef, 0) == RiskReject::kMaxNotional);
}

TEST_CASE("risk: position counts the position, same-side working qty and the new qty", "[risk]") {
  RiskLimits l = open_limits();
  l.max_position = 10;
  RiskGate g = make_gate(l);
  const std::int64_t px = kRef.ref_px;
  // Flat: 10 is the edge.
  CHECK(g.check(intent(Side::kBuy, px, 10), kRef, 0) == kOk);
  CHECK(g.check(intent(Side::kBuy, px, 11), kRef, 0) == RiskReject::kMaxPosition);
  CHECK(g.check(intent(Side::kSell, px, 10), kRef, 0) == kOk);
  CHECK(g.check(intent(Side::kSell, px, 11), kRef, 0) == RiskReject::kMaxPosition);
  // Long 4 with 3 buys working: 4 + 3 + 3 = 10 in, 4 + 3 + 4 = 11 out.
  g.set_position(0, 4);
  CHECK(g.check(intent(Side::kBuy, px, 3), kRef, 3) == kOk);
  CHECK(g.check(intent(Side::kBuy, px, 4), kRef, 3) == RiskReject::kMaxPosition);
  // Long 4, selling: 4 - 14 = -10 in, 4 - 15 = -11 out; working sells count too.
  CHECK(g.check(intent(Side::kSell, px, 14), kRef, 0) == kOk);
  CHECK(g.check(intent(Side::kSell, px, 15), kRef, 0) == RiskReject::kMaxPosition);
  CHECK(g.check(intent(Side::kSell, px, 10), kRef, 4) == kOk);
  CHECK(g.check(intent(Side::kSell, px, 11), kRef, 4) == RiskReject::kMaxPosition);
  // Short 4 with 3 sells working: -4 - 3 - 3 = -10 in, -11 out.
  g.set_position(0, -4);
  CHECK(g.check(intent(Side::kSell, px, 3), kRef, 3) == kOk);
  CHECK(g.check(intent(Side::kSell, px, 4), kRef, 3) == RiskReject::kMaxPosition);
  // Position is per instrument: slot 1 is flat.
  CHECK(g.check(intent(Side::kSell, px, 10, kT0, 1), kRef, 0) == kOk);
  // Breached (long 15): an order whose worst case stays <= 15 may work the position back.
  g.set_position(0, 15);
  CHECK(g.check(intent(Side::kSell, px, 1), kRef, 0) == kOk);   // 14
  CHECK(g.check(intent(Side::kSell, px, 30), kRef, 0) == kOk);  // -15, not worse
  CHECK(g.check(intent(Side::kSell, px, 31), kRef, 0) == RiskReject::kMaxPosition);  // -16
  CHECK(g.check(intent(Side::kBuy, px, 1), kRef, 0) == RiskReject::kMaxPosition);    // 16
  CHECK(g.rejected(RiskReject::kMaxPosition) == 8);
}

TEST_CASE("risk: collar in ticks, positive and negative prices", "[risk]") {
  RiskLimits l = open_limits();
  l.collar_ticks = 4;  // 4 x 0.25 = 1.00 = 1e9 mantissa
  RiskGate g = make_gate(l);
  const std::int64_t ref = kRef.ref_px;
  CHECK(g.check(intent(Side::kBuy, ref + kP9, 1), kRef, 0) == kOk);
  CHECK(g.check(intent(Side::kBuy, ref + kP9 + 1, 1), kRef, 0) == RiskReject::kPriceCollar);
  CHECK(g.check(intent(Side::kSell, ref - kP9, 1), kRef, 0) == kOk);
  CHECK(g.check(intent(Side::kSell, ref - kP9 - 1, 1), kRef, 0) == RiskReject::kPriceCollar);
  // A calendar spread trading at -2.00.
  const MarketRef neg{-2 * kP9, true, false};
  CHECK(g.check(intent(Side::kBuy, -3 * kP9, 1), neg, 0) == kOk);
  CHECK(g.check(intent(Side::kBuy, -3 * kP9 - 1, 1), neg, 0) == RiskReject::kPriceCollar);
  CHECK(g.check(intent(Side::kSell, -kP9, 1), neg, 0) == kOk);
  CHECK(g.check(intent(Side::kSell, -kP9 + 1, 1), neg, 0) == RiskReject::kPriceCollar);
  // Crossing zero: reference -0.50, price +0.50 is exactly 4 ticks away.
  const MarketRef near0{-kP9 / 2, true, false};
  CHECK(g.check(intent(Side::kSell, kP9 / 2, 1), near0, 0) == kOk);
  CHECK(g.check(intent(Side::kSell, kP9 / 2 + 1, 1), near0, 0) == RiskReject::kPriceCollar);
  CHECK(g.rejected(RiskReject::kPriceCollar) == 5);
}

TEST_CASE("risk: collar in basis points, positive and negative references", "[risk]") {
  RiskLimits l = open_limits();
  l.collar_bps = 10;  // 10 bp of 5000.00 = 5.00 = 5e9
  RiskGate g = make_gate(l);
  const std::int64_t ref = kRef.ref_px;
  CHECK(g.check(intent(Side::kBuy, ref + 5 * kP9, 1), kRef, 0) == kOk);
  CHECK(g.check(intent(Side::kBuy, ref + 5 * kP9 + 1, 1), kRef, 0) == RiskReject::kPriceCollar);
  CHECK(g.check(intent(Side::kSell, ref - 5 * kP9, 1), kRef, 0) == kOk);
  CHECK(g.check(intent(Side::kSell, ref - 5 * kP9 - 1, 1), kRef, 0) == RiskReject::kPriceCollar);

  RiskLimits l2 = open_limits();
  l2.collar_bps = 100;  // 1% of |-2.00| = 0.02 = 2e7
  RiskGate g2 = make_gate(l2);
  const MarketRef neg{-2 * kP9, true, false};
  CHECK(g2.check(intent(Side::kBuy, -2 * kP9 - 20'000'000, 1), neg, 0) == kOk);
  CHECK(g2.check(intent(Side::kBuy, -2 * kP9 - 20'000'001, 1), neg, 0) == RiskReject::kPriceCollar);
  CHECK(g2.check(intent(Side::kSell, -2 * kP9 + 20'000'000, 1), neg, 0) == kOk);
  CHECK(g2.check(intent(Side::kSell, -2 * kP9 + 20'000'001, 1), neg, 0) ==
        RiskReject::kPriceCollar);
  // A zero reference leaves a zero-wide band.
  const MarketRef zero{0, true, false};
  CHECK(g2.check(intent(Side::kSell, 0, 1), zero, 0) == kOk);
  CHECK(g2.check(intent(Side::kSell, 1, 1), zero, 0) == RiskReject::kPriceCollar);
}

TEST_CASE("risk: with both collars on, the tighter band decides", "[risk]") {
  RiskLimits l = open_limits();
  l.collar_ticks = 4;  // 1.00
  l.collar_bps = 1;    // 0.50 at 5000.00
  RiskGate g = make_gate(l);
  const std::int64_t ref = kRef.ref_px;
  CHECK(g.check(intent(Side::kBuy, ref + kP9 / 2, 1), kRef, 0) == kOk);
  CHECK(g.check(intent(Side::kBuy, ref + kP9 / 2 + 1, 1), kRef, 0) == RiskReject::kPriceCollar);
  // Ticks tighter than bps at this price: 4 ticks = 1.00, 10 bp = 5.00.
  l.collar_bps = 10;
  RiskGate g2 = make_gate(l);
  CHECK(g2.check(intent(Side::kBuy, ref + kP9, 1), kRef, 0) == kOk);
  CHECK(g2.check(intent(Side::kBuy, ref + kP9 + 1, 1), kRef, 0) == RiskReject::kPriceCollar);
}

TEST_CASE("risk: no reference rejects only when a collar is on", "[risk]") {
  const MarketRef none{0, false, false};
  RiskGate open = make_gate(open_limits());
  CHECK(open.check(intent(Side::kBuy, 123, 1), none, 0) == kOk);
  RiskLimits l = open_limits();
  l.collar_ticks = 4;
  RiskGate g = make_gate(l);
  CHECK(g.check(intent(Side::kBuy, kRef.ref_px, 1), none, 0) == RiskReject::kNoReference);
  l.collar_ticks = 0;
  l.collar_bps = 5;
  RiskGate g2 = make_gate(l);
  CHECK(g2.check(intent(Side::kBuy, kRef.ref_px, 1), none, 0) == RiskReject::kNoReference);
  CHECK(g2.rejected(RiskReject::kNoReference) == 1);
}

TEST_CASE("risk: a stale feed rejects New and Replace, never Cancel", "[risk]") {
  RiskGate g = make_gate(open_limits());
  const MarketRef stale{kRef.ref_px, true, true};
  CHECK(g.check(intent(Side::kBuy, kRef.ref_px, 1), stale, 0) == RiskReject::kStaleFeed);
  CHECK(g.check(intent(Side::kBuy, kRef.ref_px, 1, kT0, 0, OrderIntent::Kind::kReplace), stale,
                0) == RiskReject::kStaleFeed);
  CHECK(g.check(intent(Side::kBuy, kRef.ref_px, 1, kT0, 0, OrderIntent::Kind::kCancel), stale, 0) ==
        kOk);
  CHECK(g.rejected(RiskReject::kStaleFeed) == 2);
  CHECK(g.counters().accepted_cancels == 1);
}

TEST_CASE("risk: kill states ACTIVE, HALTED and REDUCING", "[risk]") {
  RiskGate g = make_gate(open_limits());
  const std::int64_t px = kRef.ref_px;
  CHECK(g.kill() == KillState::kActive);
  CHECK(g.check(intent(Side::kBuy, px, 1), kRef, 0) == kOk);

  g.set_kill(KillState::kHalted);
  CHECK(g.kill() == KillState::kHalted);
  CHECK(g.check(intent(Side::kBuy, px, 1), kRef, 0) == RiskReject::kKillHalted);
  CHECK(g.check(intent(Side::kSell, px, 1, kT0, 0, OrderIntent::Kind::kReplace), kRef, 0) ==
        RiskReject::kKillHalted);
  CHECK(g.check(intent(Side::kSell, px, 1, kT0, 0, OrderIntent::Kind::kCancel), kRef, 0) == kOk);
  // Kill is checked before the stale feed.
  CHECK(g.check(intent(Side::kBuy, px, 1), MarketRef{px, true, true}, 0) ==
        RiskReject::kKillHalted);

  g.set_kill(KillState::kReducing);
  // Flat: nothing reduces.
  CHECK(g.check(intent(Side::kBuy, px, 1), kRef, 0) == RiskReject::kKillReducing);
  CHECK(g.check(intent(Side::kSell, px, 1), kRef, 0) == RiskReject::kKillReducing);
  // Long 5: sells up to 5 (with what already works on the sell side), never a buy.
  g.set_position(0, 5);
  CHECK(g.check(intent(Side::kSell, px, 5), kRef, 0) == kOk);
  CHECK(g.check(intent(Side::kSell, px, 6), kRef, 0) == RiskReject::kKillReducing);
  CHECK(g.check(intent(Side::kSell, px, 3), kRef, 2) == kOk);
  CHECK(g.check(intent(Side::kSell, px, 3), kRef, 3) == RiskReject::kKillReducing);
  CHECK(g.check(intent(Side::kBuy, px, 1), kRef, 0) == RiskReject::kKillReducing);
  // Short 5: buys up to 5, never a sell.
  g.set_position(0, -5);
  CHECK(g.check(intent(Side::kBuy, px, 5), kRef, 0) == kOk);
  CHECK(g.check(intent(Side::kBuy, px, 6), kRef, 0) == RiskReject::kKillReducing);
  CHECK(g.check(intent(Side::kBuy, px, 4), kRef, 1) == kOk);
  CHECK(g.check(intent(Side::kBuy, px, 4), kRef, 2) == RiskReject::kKillReducing);
  CHECK(g.check(intent(Side::kSell, px, 1), kRef, 0) == RiskReject::kKillReducing);
  // Reducing still applies the other rules after the kill check.
  CHECK(g.check(intent(Side::kBuy, px, 1), MarketRef{px, true, true}, 0) == RiskReject::kStaleFeed);

  g.set_kill(KillState::kActive);
  CHECK(g.check(intent(Side::kSell, px, 1), kRef, 0) == kOk);
  CHECK(g.rejected(RiskReject::kKillHalted) == 3);
  CHECK(g.rejected(RiskReject::kKillReducing) == 8);
}

TEST_CASE("risk: check order is kill, stale, qty, notional, position, collar, rates", "[risk]") {
  RiskLimits l = open_limits();
  l.max_order_qty = 10;
  l.max_notional = 10 * 5000 * kP9;  // 10 lots at 5000.00
  l.max_position = 5;
  l.collar_ticks = 4;
  l.burst_instrument = 1;
  l.rate_per_sec_instrument = 1;
  RiskGate g = make_gate(l);
  const std::int64_t far = kRef.ref_px + 100 * kP9;  // outside the collar, raises notional
  const MarketRef stale{kRef.ref_px, true, true};
  g.set_kill(KillState::kHalted);
  CHECK(g.check(intent(Side::kBuy, far, 11), stale, 0) == RiskReject::kKillHalted);
  g.set_kill(KillState::kActive);
  CHECK(g.check(intent(Side::kBuy, far, 11), stale, 0) == RiskReject::kStaleFeed);
  CHECK(g.check(intent(Side::kBuy, far, 11), kRef, 0) == RiskReject::kMaxOrderQty);
  CHECK(g.check(intent(Side::kBuy, far, 10), kRef, 0) == RiskReject::kMaxNotional);
  CHECK(g.check(intent(Side::kBuy, far, 6), kRef, 0) == RiskReject::kMaxPosition);
  CHECK(g.check(intent(Side::kBuy, far, 5), kRef, 0) == RiskReject::kPriceCollar);
  // None of the rejections above spent the single token.
  CHECK(g.check(intent(Side::kBuy, kRef.ref_px, 5), kRef, 0) == kOk);
  CHECK(g.check(intent(Side::kBuy, kRef.ref_px, 5), kRef, 0) == RiskReject::kRateInstrument);
}

TEST_CASE("risk: instrument token bucket exhausts and refills after the exact ns", "[risk]") {
  RiskLimits l = open_limits();
  l.rate_per_sec_instrument = 200;  // 1 token = 1e9 nanotokens / 200 per ns = 5'000'000 ns
  l.burst_instrument = 3;
  RiskGate g = make_gate(l);
  const std::int64_t px = kRef.ref_px;
  for (int i = 0; i < 3; ++i) CHECK(g.check(intent(Side::kBuy, px, 1, kT0), kRef, 0) == kOk);
  CHECK(g.check(intent(Side::kBuy, px, 1, kT0), kRef, 0) == RiskReject::kRateInstrument);
  // Slot 1 has its own bucket.
  CHECK(g.check(intent(Side::kBuy, px, 1, kT0, 1), kRef, 0) == kOk);
  // 4'999'999 ns refill 999'999'800 nanotokens: still short of one token.
  CHECK(g.check(intent(Side::kBuy, px, 1, kT0 + 4'999'999), kRef, 0) ==
        RiskReject::kRateInstrument);
  CHECK(g.check(intent(Side::kBuy, px, 1, kT0 + 5'000'000), kRef, 0) == kOk);
  CHECK(g.check(intent(Side::kBuy, px, 1, kT0 + 5'000'000), kRef, 0) ==
        RiskReject::kRateInstrument);
  // Time going backwards adds nothing and does not move the refill origin back: 5 ms after the
  // last refill exactly one token is back, not a full burst.
  CHECK(g.check(intent(Side::kBuy, px, 1, kT0 - 1'000'000'000), kRef, 0) ==
        RiskReject::kRateInstrument);
  CHECK(g.check(intent(Side::kBuy, px, 1, kT0 + 10'000'000), kRef, 0) == kOk);
  CHECK(g.check(intent(Side::kBuy, px, 1, kT0 + 10'000'000), kRef, 0) ==
        RiskReject::kRateInstrument);
  // A long pause refills only up to the burst.
  const std::uint64_t later = kT0 + 10'000'000'000ULL;
  for (int i = 0; i < 3; ++i) CHECK(g.check(intent(Side::kBuy, px, 1, later), kRef, 0) == kOk);
  CHECK(g.check(intent(Side::kBuy, px, 1, later), kRef, 0) == RiskReject::kRateInstrument);
  CHECK(g.rejected(RiskReject::kRateInstrument) == 6);
  CHECK(g.rejected(RiskReject::kRateGlobal) == 0);
}

TEST_CASE("risk: global token bucket is shared and independent of the instrument buckets",
          "[risk]") {
  RiskLimits l = open_limits();
  l.rate_per_sec_global = 1000;  // 1 token per 1'000'000 ns
  l.burst_global = 2;
  l.rate_per_sec_instrument = 1;  // 1 token per second: nothing refills within the test
  l.burst_instrument = 2;
  RiskGate g = make_gate(l);
  const std::int64_t px = kRef.ref_px;
  CHECK(g.check(intent(Side::kBuy, px, 1, kT0, 0), kRef, 0) == kOk);  // inst0 1, global 1
  CHECK(g.check(intent(Side::kBuy, px, 1, kT0, 1), kRef, 0) == kOk);  // inst1 1, global 0
  CHECK(g.check(intent(Side::kBuy, px, 1, kT0, 0), kRef, 0) == RiskReject::kRateGlobal);
  CHECK(g.check(intent(Side::kBuy, px, 1, kT0, 1), kRef, 0) == RiskReject::kRateGlobal);
  CHECK(g.check(intent(Side::kBuy, px, 1, kT0 + 999'999, 0), kRef, 0) == RiskReject::kRateGlobal);
  // The global rejections spent no instrument token: slot 0 still has its second one.
  CHECK(g.check(intent(Side::kBuy, px, 1, kT0 + 1'000'000, 0), kRef, 0) == kOk);
  // Slot 0 is now empty; the instrument bucket is checked first.
  CHECK(g.check(intent(Side::kBuy, px, 1, kT0 + 2'000'000, 0), kRef, 0) ==
        RiskReject::kRateInstrument);
  // ... and that rejection spent no global token: slot 1 takes it.
  CHECK(g.check(intent(Side::kBuy, px, 1, kT0 + 2'000'000, 1), kRef, 0) == kOk);
  CHECK(g.rejected(RiskReject::kRateGlobal) == 3);
  CHECK(g.rejected(RiskReject::kRateInstrument) == 1);
}

TEST_CASE("risk: cancels pass every state and spend no token", "[risk]") {
  RiskLimits l = open_limits();
  l.burst_instrument = 1;
  l.rate_per_sec_instrument = 1;
  l.collar_ticks = 1;
  RiskGate g = make_gate(l);
  g.set_kill(KillState::kHalted);
  const MarketRef bad{0, false, true};
  for (int i = 0; i < 3; ++i) {
    CHECK(g.check(intent(Side::kBuy, 0, 0, kT0, 3, OrderIntent::Kind::kCancel), bad, 0) == kOk);
  }
  g.set_kill(KillState::kActive);
  CHECK(g.check(intent(Side::kBuy, kRef.ref_px, 1), kRef, 0) == kOk);
}

TEST_CASE("risk: counters by reason add up", "[risk]") {
  RiskLimits l = open_limits();
  l.max_order_qty = 5;
  l.collar_ticks = 2;
  RiskGate g = make_gate(l);
  const std::int64_t px = kRef.ref_px;
  (void)g.check(intent(Side::kBuy, px, 1), kRef, 0);                       // ok
  (void)g.check(intent(Side::kBuy, px, 6), kRef, 0);                       // qty
  (void)g.check(intent(Side::kBuy, px, 7), kRef, 0);                       // qty
  (void)g.check(intent(Side::kBuy, px + kP9, 1), kRef, 0);                 // collar
  (void)g.check(intent(Side::kBuy, px, 1), MarketRef{px, true, true}, 0);  // stale
  (void)g.check(intent(Side::kBuy, px, 1, kT0, 0, OrderIntent::Kind::kCancel), kRef, 0);
  const ttq::RiskCounters& c = g.counters();
  CHECK(c.checked == 6);
  CHECK(c.accepted == 2);
  CHECK(c.accepted_cancels == 1);
  CHECK(c.rejected_total == 4);
  CHECK(g.rejected(RiskReject::kMaxOrderQty) == 2);
  CHECK(g.rejected(RiskReject::kPriceCollar) == 1);
  CHECK(g.rejected(RiskReject::kStaleFeed) == 1);
  CHECK(g.rejected(RiskReject::kMaxNotional) == 0);
  std::uint64_t sum = 0;
  for (std::uint64_t n : c.rejected) sum += n;
  CHECK(sum == c.rejected_total);
}

namespace {

__extension__ typedef __int128 i128;

i128 abs128(i128 v) { return v < 0 ? -v : v; }

// docs/risk.md's rules between the quantity and the rates, in 128 bits as written there: what the
// gate's 64-bit arithmetic with overflow checks must decide for every input.
std::optional<RiskReject> reference(const RiskLimits& l, const InstrumentRiskInfo& info,
                                    std::int64_t position, const OrderIntent& in,
                                    const MarketRef& ref, std::int64_t working_same_side_qty) {
  if (in.qty < 1 || in.qty > l.max_order_qty) return RiskReject::kMaxOrderQty;
  const i128 qty = in.qty, pos = position;
  const i128 working = working_same_side_qty > 0 ? working_same_side_qty : 0;
  if (abs128(in.px) * qty * info.multiplier > l.max_notional) return RiskReject::kMaxNotional;
  const i128 projected = in.side == Side::kBuy ? pos + working + qty : pos - working - qty;
  if (abs128(projected) > l.max_position && abs128(projected) > abs128(pos)) {
    return RiskReject::kMaxPosition;
  }
  if (l.collar_ticks > 0 || l.collar_bps > 0) {
    if (!ref.has_ref) return RiskReject::kNoReference;
    const i128 dist = abs128(i128{in.px} - ref.ref_px);
    if (l.collar_ticks > 0 && dist > i128{l.collar_ticks} * info.tick) {
      return RiskReject::kPriceCollar;
    }
    if (l.collar_bps > 0 && dist * 10000 > i128{l.collar_bps} * abs128(ref.ref_px)) {
      return RiskReject::kPriceCollar;
    }
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("risk: 64-bit checks decide as the 128-bit formulas at every edge", "[risk]") {
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  const std::int64_t edges64[] = {kMin,     kMin + 1, kMin / 2, -(std::int64_t{1} << 33),
                                  -kP9,     -1,       0,        1,
                                  kP9,      5000 * kP9, std::int64_t{1} << 33, kMax / 2,
                                  kMax - 1, kMax};
  const std::int64_t limits64[] = {-1, 0, 1, 10, 1'000'000, kMax / 3, kMax - 1, kMax};
  const std::int32_t qtys[] = {-1, 0, 1, 2, 1000, 0x7fffffff};
  const std::int64_t mults[] = {1, 50, ttq::kMaxMultiplier};
  const std::int64_t ticks[] = {1, kTick, kMax / 4, kMax};
  const std::int32_t collars[] = {0, 1, 4, 0x7fffffff};
  std::uint64_t s = 0x9E3779B97F4A7C15ULL;  // splitmix64: deterministic picks
  auto next = [&s] {
    std::uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  };
  auto pick = [&next](const auto& a) { return a[next() % std::size(a)]; };
  auto value = [&] { return next() % 4 == 0 ? static_cast<std::int64_t>(next()) : pick(edges64); };
  int mismatches = 0, rejected_by_rule = 0;
  for (int k = 0; k < 200'000; ++k) {
    RiskLimits l = open_limits();
    l.max_order_qty = next() % 2 ? 0x7fffffff : 1000;
    l.max_notional = pick(limits64);
    l.max_position = pick(limits64);
    l.collar_ticks = pick(collars);
    l.collar_bps = next() % 3 == 0 ? pick(collars) : 0;
    const InstrumentRiskInfo info{kSec, pick(ticks), pick(mults)};
    RiskGate g(l, 1);  // fresh: full buckets, so the rates never decide
    REQUIRE(g.set_instrument(0, info));
    const std::int64_t position = value();
    g.set_position(0, position);
    const OrderIntent in = intent(next() % 2 ? Side::kBuy : Side::kSell, value(), pick(qtys));
    const MarketRef ref{value(), next() % 8 != 0, false};
    const std::int64_t working = value();
    const std::optional<RiskReject> want = reference(l, info, position, in, ref, working);
    const std::optional<RiskReject> got = g.check(in, ref, working);
    if (got != want) {
      ++mismatches;
      UNSCOPED_INFO("px " << in.px << " qty " << in.qty << " pos " << position << " working "
                          << working << " ref " << ref.ref_px << " -> "
                          << Catch::StringMaker<std::optional<RiskReject>>::convert(got)
                          << ", 128-bit "
                          << Catch::StringMaker<std::optional<RiskReject>>::convert(want));
    }
    rejected_by_rule += want.has_value();
  }
  CHECK(mismatches == 0);
  CHECK(rejected_by_rule > 1000);  // the picks reach the rules, not just the acceptance
}

TEST_CASE("risk: a refill past 2^64 nanotokens fills the bucket to its cap", "[risk]") {
  RiskLimits l = open_limits();
  l.burst_instrument = 2;
  l.rate_per_sec_instrument = 2;
  RiskGate g = make_gate(l);
  CHECK(g.check(intent(Side::kBuy, kRef.ref_px, 1, 1), kRef, 0) == kOk);
  CHECK(g.check(intent(Side::kBuy, kRef.ref_px, 1, 1), kRef, 0) == kOk);
  CHECK(g.check(intent(Side::kBuy, kRef.ref_px, 1, 1), kRef, 0) == RiskReject::kRateInstrument);
  // 2^63 ns x 2 per second = 2^64 nanotokens: wrapped to 64 bits that would be 0 (a rejection);
  // it is past the cap, so the bucket holds exactly its 2 tokens again.
  const std::uint64_t late = (std::uint64_t{1} << 63) + 1;
  CHECK(g.check(intent(Side::kBuy, kRef.ref_px, 1, late), kRef, 0) == kOk);
  CHECK(g.check(intent(Side::kBuy, kRef.ref_px, 1, late), kRef, 0) == kOk);
  CHECK(g.check(intent(Side::kBuy, kRef.ref_px, 1, late), kRef, 0) == RiskReject::kRateInstrument);
}
