// Fixed-spread market making with Hummingbot's "pure market making" controls, expressed as the
// quoter's registers: spreads and level spacing in bps of mid become tick offsets at each cadence,
// inventory skew becomes SkewRegs (compute_skew), ping-pong and the price band become the
// price_ceiling / price_floor registers. Refresh time, max order age and filled-order delay act
// between the quote records and the order manager (OrderControls, applied by the backtest).
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "ttq/strategy.hpp"

namespace ttq {

namespace {

constexpr std::int32_t kOffsetLimit = 1 << 20;
constexpr std::int64_t kI64Min = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kI64Max = std::numeric_limits<std::int64_t>::max();

std::uint64_t ms_to_ns(double ms) {
  return ms > 0 ? static_cast<std::uint64_t>(std::llround(ms * 1e6)) : 0;
}

class FixedSpread final : public Strategy {
 public:
  FixedSpread(const FixedSpreadParams& p, const QuoterParams& base, const SkewParams& skew)
      : p_(p), base_(base), skew_(skew) {
    skew_.target_position = p.inventory_target;
    if (p.inventory_range > 0) {
      // At |position - target| = range the smaller side's size reaches 0 (and the other doubles).
      skew_.size_skew_q8 = static_cast<std::int32_t>(
          std::llround(256.0 * p.order_amount / static_cast<double>(p.inventory_range)));
    }
  }
  const char* name() const override { return "fixed"; }

  void on_timer(std::uint64_t, std::span<const std::int32_t> ids, StrategyHost& host) override {
    for (std::int32_t id : ids) apply(id, host);
  }

  void on_fill(const StrategyFill& f, StrategyHost& host) override {
    State& s = state_[f.security_id];
    if (p_.ping_pong) {
      s.block_bid = f.side == Side::kBuy;
      s.block_ask = f.side == Side::kSell;
    }
    apply(f.security_id, host);  // new position: skew (and ping-pong) at once
  }

  OrderControls controls() const override {
    return OrderControls{ms_to_ns(p_.order_refresh_time_ms), ms_to_ns(p_.max_order_age_ms),
                         ms_to_ns(p_.filled_order_delay_ms)};
  }

 private:
  struct State {
    QuoterParams last;
    SkewRegs skew;
    bool written = false;
    bool block_bid = false, block_ask = false;
  };

  void apply(std::int32_t id, StrategyHost& host) {
    PublishedTop top;
    const std::int64_t tick = host.tick(id);
    if (tick <= 0 || !host.top(id, top) || top.tob.bid_sz <= 0 || top.tob.ask_sz <= 0) return;
    const double mid = 0.5 * (static_cast<double>(top.tob.bid_px) + static_cast<double>(top.tob.ask_px));
    const double ticks_per_bps = mid / 1e4 / static_cast<double>(tick);
    State& s = state_[id];
    QuoterParams q = base_;
    q.ref_mode = RefMode::kMid;
    // The card's mid reference is the mid rounded down to the tick grid: half a tick below the
    // true mid when the spread is an odd number of ticks (always, for a one-tick market).
    q.bid_offset_ticks = std::max(0, to_ticks(p_.bid_spread_bps * ticks_per_bps - 0.5, kOffsetLimit));
    q.ask_offset_ticks = std::max(0, to_ticks(p_.ask_spread_bps * ticks_per_bps - 0.5, kOffsetLimit));
    q.levels = static_cast<std::uint8_t>(std::clamp<std::int32_t>(p_.order_levels, 1, kMaxLevels));
    q.level_spacing_ticks = std::max(1, to_ticks(p_.level_spacing_bps * ticks_per_bps, kOffsetLimit));
    q.order_size = p_.order_amount;
    q.size_step = p_.order_level_amount;
    q.requote_tolerance_ticks =
        std::max(0, to_ticks(p_.order_refresh_tolerance_bps * ticks_per_bps, kOffsetLimit));
    if (s.block_bid) q.price_floor = q.price_ceiling = kI64Min;  // no bid; asks unrestricted
    if (s.block_ask) q.price_floor = q.price_ceiling = kI64Max;  // no ask; bids unrestricted
    const SkewRegs sk =
        p_.inventory_skew ? compute_skew(host.position(id), skew_) : SkewRegs{};
    const bool skew_changed =
        !s.written || sk.shift_ticks != s.skew.shift_ticks || sk.size_adj != s.skew.size_adj;
    if (skew_changed) host.set_skew(id, sk);
    // set_params also commits: the quoter re-evaluates at once (a new skew included).
    if (skew_changed || !s.written || !same_params(q, s.last)) {
      if (host.set_params(id, q) == nullptr) {
        s.last = q;
        s.skew = sk;
        s.written = true;
      }
    }
  }

  FixedSpreadParams p_;
  QuoterParams base_;
  SkewParams skew_;
  std::map<std::int32_t, State> state_;
};

}  // namespace

std::unique_ptr<Strategy> make_fixed_spread(const FixedSpreadParams& p, const QuoterParams& base,
                                            const SkewParams& skew) {
  return std::make_unique<FixedSpread>(p, base, skew);
}

}  // namespace ttq
