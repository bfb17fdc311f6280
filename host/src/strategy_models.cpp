// Avellaneda-Stoikov and GLFT market making: at each cadence the model's reservation shift becomes
// the quoter's skew shift register and its half spread the bid/ask offsets around mid (ticks).
// sigma, kappa and A are estimated online (MarketEstimator). docs/backtest.md: where and why this
// differs from the papers.
#include <algorithm>
#include <cmath>
#include <map>

#include "ttq/strategy.hpp"

namespace ttq {

namespace {

constexpr std::int32_t kOffsetLimit = 1 << 20;

class ModelStrategy : public Strategy {
 public:
  ModelStrategy(const EstimatorParams& est, const QuoterParams& base, std::int32_t amount)
      : est_params_(est), base_(base), amount_(amount) {}

  void on_timer(std::uint64_t now_ns, std::span<const std::int32_t> ids,
                StrategyHost& host) override {
    const double t_s = static_cast<double>(now_ns) * 1e-9;
    for (std::int32_t id : ids) {
      PublishedTop top;
      const std::int64_t tick = host.tick(id);
      if (tick <= 0 || !host.top(id, top) || top.tob.bid_sz <= 0 || top.tob.ask_sz <= 0) continue;
      State& s = state(id);
      const double mid_ticks =
          0.5 * (static_cast<double>(top.tob.bid_px) + static_cast<double>(top.tob.ask_px)) /
          static_cast<double>(tick);
      s.est.on_mid(t_s, mid_ticks);
      s.est.refit(t_s);
      const ModelQuote m = quote(static_cast<double>(host.position(id)), s.est);
      if (!std::isfinite(m.half_spread_ticks) || !std::isfinite(m.shift_ticks)) continue;
      QuoterParams q = base_;
      q.ref_mode = RefMode::kMid;
      // Mid reference = mid rounded down to the grid (half a tick low on an odd spread).
      const std::int32_t off = to_ticks(m.half_spread_ticks - 0.5, kOffsetLimit);
      q.bid_offset_ticks = off;
      q.ask_offset_ticks = off;
      q.order_size = amount_;
      const SkewRegs sk{to_ticks(m.shift_ticks, kOffsetLimit), 0};
      const bool skew_changed =
          !s.written || sk.shift_ticks != s.skew.shift_ticks || sk.size_adj != s.skew.size_adj;
      if (skew_changed) host.set_skew(id, sk);
      if (skew_changed || !s.written || !same_params(q, s.last)) {
        if (host.set_params(id, q) == nullptr) {
          s.last = q;
          s.skew = sk;
          s.written = true;
        }
      }
    }
  }

  void on_trade(std::uint64_t t_ns, std::int32_t id, std::int64_t px, std::int32_t,
                StrategyHost& host) override {
    PublishedTop top;
    const std::int64_t tick = host.tick(id);
    if (tick <= 0 || !host.top(id, top) || top.tob.bid_sz <= 0 || top.tob.ask_sz <= 0) return;
    const double mid = 0.5 * (static_cast<double>(top.tob.bid_px) + static_cast<double>(top.tob.ask_px));
    state(id).est.on_trade(static_cast<double>(t_ns) * 1e-9,
                           std::fabs(static_cast<double>(px) - mid) / static_cast<double>(tick));
  }

 protected:
  virtual ModelQuote quote(double q, const MarketEstimator& e) const = 0;

 private:
  struct State {
    explicit State(const EstimatorParams& p) : est(p) {}
    MarketEstimator est;
    QuoterParams last;
    SkewRegs skew;
    bool written = false;
  };
  State& state(std::int32_t id) {
    auto it = states_.find(id);
    if (it == states_.end()) it = states_.emplace(id, State(est_params_)).first;
    return it->second;
  }

  EstimatorParams est_params_;
  QuoterParams base_;
  std::int32_t amount_;
  std::map<std::int32_t, State> states_;
};

class AvellanedaStoikov final : public ModelStrategy {
 public:
  AvellanedaStoikov(const AvellanedaStoikovParams& p, const QuoterParams& base)
      : ModelStrategy(p.est, base, p.order_amount), p_(p) {}
  const char* name() const override { return "avellaneda_stoikov"; }

 protected:
  ModelQuote quote(double q, const MarketEstimator& e) const override {
    return avellaneda_stoikov_quote(q, p_.gamma, e.sigma(), p_.horizon_s, e.kappa());
  }

 private:
  AvellanedaStoikovParams p_;
};

class Glft final : public ModelStrategy {
 public:
  Glft(const GlftParams& p, const QuoterParams& base)
      : ModelStrategy(p.est, base, p.order_amount), p_(p) {}
  const char* name() const override { return "glft"; }

 protected:
  ModelQuote quote(double q, const MarketEstimator& e) const override {
    return glft_quote(q, p_.gamma, p_.delta, e.sigma(), e.a(), e.kappa(), p_.adj1, p_.adj2);
  }

 private:
  GlftParams p_;
};

}  // namespace

std::unique_ptr<Strategy> make_avellaneda_stoikov(const AvellanedaStoikovParams& p,
                                                  const QuoterParams& base) {
  return std::make_unique<AvellanedaStoikov>(p, base);
}

std::unique_ptr<Strategy> make_glft(const GlftParams& p, const QuoterParams& base) {
  return std::make_unique<Glft>(p, base);
}

}  // namespace ttq
