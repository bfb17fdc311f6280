// Shared pieces of the strategies: register conversions, the online market estimator (sigma from
// mid changes, kappa and A from trade arrivals) and the A-S / GLFT formulas in ticks.
#include "ttq/strategy.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ttq {

const char* to_string(StrategyKind k) {
  switch (k) {
    case StrategyKind::kFixed: return "fixed";
    case StrategyKind::kAvellanedaStoikov: return "avellaneda_stoikov";
    case StrategyKind::kGlft: return "glft";
  }
  return "unknown";
}

std::int32_t to_ticks(double v, std::int32_t limit) {
  if (!std::isfinite(v)) return v > 0 ? limit : (v < 0 ? -limit : 0);
  const double r = std::nearbyint(v);
  return static_cast<std::int32_t>(std::clamp(r, -static_cast<double>(limit),
                                              static_cast<double>(limit)));
}

bool same_params(const QuoterParams& a, const QuoterParams& b) {
  return a.ref_mode == b.ref_mode && a.bid_offset_ticks == b.bid_offset_ticks &&
         a.ask_offset_ticks == b.ask_offset_ticks && a.min_spread_ticks == b.min_spread_ticks &&
         a.max_spread_ticks == b.max_spread_ticks && a.levels == b.levels &&
         a.level_spacing_ticks == b.level_spacing_ticks && a.order_size == b.order_size &&
         a.size_step == b.size_step && a.requote_tolerance_ticks == b.requote_tolerance_ticks &&
         a.price_floor == b.price_floor && a.price_ceiling == b.price_ceiling;
}

ModelQuote avellaneda_stoikov_quote(double q, double gamma, double sigma, double tau_s,
                                    double kappa) {
  // Avellaneda & Stoikov (2008): r = s - q gamma sigma^2 (T - t);
  // spread = gamma sigma^2 (T - t) + (2 / gamma) ln(1 + gamma / kappa).
  ModelQuote m;
  const double risk = gamma * sigma * sigma * tau_s;
  m.shift_ticks = q * risk;
  m.half_spread_ticks = 0.5 * (risk + (2.0 / gamma) * std::log1p(gamma / kappa));
  return m;
}

ModelQuote glft_quote(double q, double gamma, double delta, double sigma, double a, double kappa,
                      double adj1, double adj2) {
  // Gueant, Lehalle, Fernandez-Tapia (2013), approximations (4.6)/(4.7) with xi = gamma, as in
  // hftbacktest's GLFT tutorial: bid depth = c1 + (Delta/2 + q) sigma c2, ask depth =
  // c1 + (Delta/2 - q) sigma c2.
  const double xd = gamma * delta;
  const double c1 = std::log1p(xd / kappa) / xd;
  const double c2 = std::sqrt(gamma / (2.0 * a * delta * kappa) *
                              std::pow(1.0 + xd / kappa, kappa / xd + 1.0));
  ModelQuote m;
  m.half_spread_ticks = (c1 + 0.5 * delta * sigma * c2) * adj1;
  m.shift_ticks = q * sigma * c2 * adj2;
  return m;
}

MarketEstimator::MarketEstimator(const EstimatorParams& p)
    : p_(p),
      var_(p.sigma_init_ticks * p.sigma_init_ticks),
      tail_(static_cast<std::size_t>(std::max(1, p.max_depth_ticks)), 0.0),
      kappa_(p.kappa_init),
      a_(p.a_init) {}

double MarketEstimator::sigma() const { return std::sqrt(var_); }

void MarketEstimator::on_mid(double t_s, double mid_ticks) {
  if (have_mid_ && t_s > last_mid_t_) {
    const double dt = t_s - last_mid_t_;
    const double d = mid_ticks - last_mid_;
    const double alpha = 1.0 - std::exp(-dt * std::log(2.0) / p_.sigma_halflife_s);
    var_ = (1.0 - alpha) * var_ + alpha * (d * d / dt);
    ++mid_samples_;
  }
  if (!have_mid_ || t_s > last_mid_t_) {
    last_mid_ = mid_ticks;
    last_mid_t_ = t_s;
    have_mid_ = true;
  }
}

void MarketEstimator::on_trade(double, double depth_ticks) {
  // Tail counts: a trade at depth d reached every level up to d.
  for (std::size_t i = 0; i < tail_.size(); ++i) {
    if (static_cast<double>(i) + 0.5 > depth_ticks + 1e-9) break;
    tail_[i] += 1.0;
  }
}

void MarketEstimator::refit(double t_s) {
  if (!started_) {
    started_ = true;
    last_decay_t_ = t_s;
    return;
  }
  if (t_s <= last_decay_t_) return;
  const double dt = t_s - last_decay_t_;
  const double f = std::exp(-dt * std::log(2.0) / p_.arrival_halflife_s);
  for (double& c : tail_) c *= f;
  weight_time_ = weight_time_ * f + dt;
  last_decay_t_ = t_s;
  // ln(lambda(d)) = ln A - kappa d, least squares over the depths some trade reached.
  double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < tail_.size(); ++i) {
    if (tail_[i] < 1e-6) continue;
    const double x = static_cast<double>(i) + 0.5;
    const double y = std::log(tail_[i] / weight_time_);
    n += 1;
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  if (n < 2) return;
  const double den = n * sxx - sx * sx;
  if (den <= 0) return;
  const double slope = (n * sxy - sx * sy) / den;
  const double intercept = (sy - slope * sx) / n;
  if (!(slope < 0) || !std::isfinite(slope) || !std::isfinite(intercept)) return;
  kappa_ = -slope;
  a_ = std::exp(intercept);
  fitted_ = true;
}

}  // namespace ttq
