// Market-making strategies: host-side loops that, at a cadence, set the quoter's per-instrument
// registers (QuoterParams, SkewRegs) through the Driver, exactly what the card takes. They never
// compute quotes: quotes are the fast path's records. Floating point is allowed here (the slow
// path); every value is turned into integer ticks/lots before it is written.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ttq/fast_path.hpp"
#include "ttq/quoter.hpp"
#include "ttq/risk.hpp"

namespace ttq {

// What a strategy may read and write.
class StrategyHost {
 public:
  virtual ~StrategyHost() = default;
  virtual bool top(std::int32_t security_id, PublishedTop& out) = 0;  // Driver top of book
  virtual std::int64_t tick(std::int32_t security_id) = 0;            // PRICE9, 0 if unknown
  virtual std::int64_t position(std::int32_t security_id) = 0;        // lots, as the host knows
  virtual const char* set_params(std::int32_t security_id, const QuoterParams& p) = 0;
  virtual void set_skew(std::int32_t security_id, const SkewRegs& s) = 0;
};

// Host-side order controls applied between the quote records and the order manager (the
// fixed-spread strategy's refresh time, max order age and filled-order delay). 0 = off.
struct OrderControls {
  std::uint64_t refresh_ns = 0;       // quote changes reach the order manager at most this often
  std::uint64_t max_order_age_ns = 0; // an order older than this is cancelled and sent again
  std::uint64_t filled_delay_ns = 0;  // after a fill, the instrument's changes wait this long
};

struct FixedSpreadParams {
  double bid_spread_bps = 10;     // distance of the level-0 bid below mid
  double ask_spread_bps = 10;
  std::int32_t order_levels = 1;  // 1..8
  double level_spacing_bps = 10;  // extra distance per level (at least one tick)
  std::int32_t order_amount = 1;  // lots at level 0
  std::int32_t order_level_amount = 0;  // extra lots per level
  bool inventory_skew = false;    // size (and price, [skew].price_skew_q8) skew toward the target
  std::int64_t inventory_target = 0;    // lots
  std::int64_t inventory_range = 0;     // lots from the target at which one side's size is 0
                                        // (0: [skew].size_skew_q8 as given)
  double order_refresh_time_ms = 0;     // OrderControls::refresh_ns
  double order_refresh_tolerance_bps = 0;  // -> quoter requote_tolerance_ticks
  double max_order_age_ms = 0;
  double filled_order_delay_ms = 0;
  bool ping_pong = false;  // after a buy fill quote only the ask until a sell fill, and back
  // Price ceiling/floor: [quoter].price_ceiling / price_floor (the card's registers).
};

struct EstimatorParams {
  double sigma_halflife_s = 30;   // EWMA half-life of the variance of mid changes
  double sigma_init_ticks = 1.0;  // sigma (ticks per sqrt(second)) before any mid change
  double arrival_halflife_s = 60; // decay of the trade-arrival counts
  double kappa_init = 1.0;        // per tick, until the fit has two depths
  double a_init = 1.0;            // arrivals per second at depth 0, until the fit works
  std::int32_t max_depth_ticks = 20;  // depths fitted: 0.5, 1.5, ... ticks from mid
};

struct AvellanedaStoikovParams {
  double gamma = 0.1;      // risk aversion (per tick per lot: prices are in ticks)
  double horizon_s = 60;   // T - t, held constant (rolling horizon; docs/backtest.md)
  std::int32_t order_amount = 1;
  EstimatorParams est;
};

struct GlftParams {
  double gamma = 0.1;   // risk aversion; xi = gamma as in hftbacktest's example
  double delta = 1.0;   // Delta: lots per order in the model's units
  double adj1 = 1.0;    // half-spread multiplier
  double adj2 = 1.0;    // skew multiplier
  std::int32_t order_amount = 1;
  EstimatorParams est;
};

enum class StrategyKind : std::uint8_t { kFixed = 0, kAvellanedaStoikov = 1, kGlft = 2 };
const char* to_string(StrategyKind k);  // "fixed", "avellaneda_stoikov", "glft"

// A fill as the host learns it (after the response latency).
struct StrategyFill {
  std::uint64_t t_ns = 0;
  std::int32_t security_id = 0;
  Side side = Side::kBuy;
  std::int32_t qty = 0;
  std::int64_t px = 0;
};

class Strategy {
 public:
  virtual ~Strategy() = default;
  virtual const char* name() const = 0;
  // The cadence: read the market, write each instrument's registers.
  virtual void on_timer(std::uint64_t now_ns, std::span<const std::int32_t> instruments,
                        StrategyHost& host) = 0;
  virtual void on_fill(const StrategyFill&, StrategyHost&) {}
  // A trade summary entry as the host sees it on the feed (before the frame's book changes).
  virtual void on_trade(std::uint64_t, std::int32_t, std::int64_t /*px*/, std::int32_t /*qty*/,
                        StrategyHost&) {}
  virtual OrderControls controls() const { return {}; }
};

// Online sigma (EWMA of squared mid changes per second) and trade-arrival intensity
// lambda(d) = A exp(-kappa d) fitted by least squares on log tail counts. Prices in ticks.
class MarketEstimator {
 public:
  explicit MarketEstimator(const EstimatorParams& p);
  void on_mid(double t_s, double mid_ticks);
  void on_trade(double t_s, double depth_ticks);  // |trade px - mid| in ticks
  double sigma() const;       // ticks per sqrt(second)
  double kappa() const { return kappa_; }  // per tick
  double a() const { return a_; }          // arrivals per second at depth 0
  std::uint64_t mid_samples() const { return mid_samples_; }
  bool fitted() const { return fitted_; }
  // Decays the counts to t and refits kappa and A (called at the strategy's cadence).
  void refit(double t_s);

 private:
  EstimatorParams p_;
  double var_;
  double last_mid_ = 0, last_mid_t_ = 0;
  bool have_mid_ = false;
  std::uint64_t mid_samples_ = 0;
  std::vector<double> tail_;  // decayed count of trades at least (i + 0.5) ticks from mid
  double weight_time_ = 0;    // decayed elapsed time (seconds) the counts cover
  double last_decay_t_ = 0;
  bool started_ = false;
  double kappa_, a_;
  bool fitted_ = false;
};

std::unique_ptr<Strategy> make_fixed_spread(const FixedSpreadParams& p, const QuoterParams& base,
                                            const SkewParams& skew);
std::unique_ptr<Strategy> make_avellaneda_stoikov(const AvellanedaStoikovParams& p,
                                                  const QuoterParams& base);
std::unique_ptr<Strategy> make_glft(const GlftParams& p, const QuoterParams& base);

// Whole ticks for a register: rounds, clamps to +-limit, NaN -> 0.
std::int32_t to_ticks(double v, std::int32_t limit);
bool same_params(const QuoterParams& a, const QuoterParams& b);

// The A-S and GLFT formulas, in ticks (tested against hand-computed values).
struct ModelQuote {
  double half_spread_ticks = 0;  // distance of each side from the reservation price
  double shift_ticks = 0;        // mid - reservation price (long => positive)
};
ModelQuote avellaneda_stoikov_quote(double q, double gamma, double sigma, double tau_s,
                                    double kappa);
ModelQuote glft_quote(double q, double gamma, double delta, double sigma, double a, double kappa,
                      double adj1, double adj2);

}  // namespace ttq
