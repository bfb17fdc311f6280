// [backtest] and [strategy.*] of ttq.toml, as strict as config.cpp: every key known, typed and
// range-checked, with the key named in the error.
#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <toml++/toml.h>

#include "config_reader.hpp"
#include "ttq/backtest.hpp"

namespace ttq {

namespace {

struct Reader : detail::ConfigReader {
  std::string get_choice(const toml::table& t, const std::string& prefix, std::string_view key,
                         std::initializer_list<std::string_view> choices,
                         const std::string& dflt) const {
    const toml::node* n = t.get(key);
    if (!n) return dflt;
    const auto v = n->value_exact<std::string>();
    if (v) {
      for (std::string_view c : choices) {
        if (*v == c) return *v;
      }
    }
    fail(prefix + std::string(key), fmt::format("must be one of \"{}\"", fmt::join(choices, "\", \"")));
  }

  // [[offset_ns, latency_ns], ...] with strictly increasing offsets.
  void get_table(const toml::table& t, const std::string& prefix, std::string_view key,
                 LatencyModel& m) const {
    const toml::node* n = t.get(key);
    if (!n) return;
    const std::string full = prefix + std::string(key);
    const toml::array* arr = n->as_array();
    if (!arr) fail(full, "must be an array of [offset_ns, latency_ns] pairs");
    m.table.clear();
    for (std::size_t i = 0; i < arr->size(); ++i) {
      const toml::array* pair = arr->get(i)->as_array();
      if (!pair || pair->size() != 2) fail(full, "must be an array of [offset_ns, latency_ns] pairs");
      const auto a = pair->get(0)->value_exact<std::int64_t>();
      const auto b = pair->get(1)->value_exact<std::int64_t>();
      if (!a || !b || *a < 0 || *b < 0 || *b > 60'000'000'000LL) {
        fail(full, fmt::format("entry {}: needs two integers, offset >= 0, latency 0..60e9 ns", i));
      }
      if (!m.table.empty() && static_cast<std::uint64_t>(*a) <= m.table.back().first) {
        fail(full, fmt::format("entry {}: offsets must increase strictly", i));
      }
      m.table.emplace_back(static_cast<std::uint64_t>(*a), static_cast<std::uint64_t>(*b));
    }
  }

  const toml::table* table(const toml::table& root, std::string_view key,
                           const std::string& prefix) const {
    const toml::node* n = root.get(key);
    if (!n) return nullptr;
    if (!n->is_table()) fail(prefix + std::string(key), "must be a table");
    return n->as_table();
  }
};

constexpr std::int64_t kMaxLatencyNs = 60'000'000'000LL;
constexpr double kBig = 1e12;

void read_backtest(const Reader& r, const toml::table& t, BacktestConfig& c) {
  const std::string p = "backtest.";
  r.check_keys(t, p, {"strategy", "cadence_ms", "feed_latency_ns", "feed_latency_table",
                      "order_latency_ns", "order_latency_table", "response_latency_ns",
                      "response_latency_table", "queue_model", "queue_power", "post_only",
                      "maker_fee", "taker_fee", "uptime_max_distance_bps", "chart_interval_ms"});
  const std::string s = r.get_choice(t, p, "strategy", {"fixed", "avellaneda_stoikov", "glft"},
                                     to_string(c.strategy));
  c.strategy = s == "glft" ? StrategyKind::kGlft
               : s == "avellaneda_stoikov" ? StrategyKind::kAvellanedaStoikov
                                           : StrategyKind::kFixed;
  std::int64_t cadence_ms = static_cast<std::int64_t>(c.cadence_ns / 1'000'000);
  r.get_int(t, p, "cadence_ms", cadence_ms, 1, 3'600'000);
  c.cadence_ns = static_cast<std::uint64_t>(cadence_ms) * 1'000'000u;
  r.get_int(t, p, "feed_latency_ns", c.feed_latency.constant_ns, 0, kMaxLatencyNs);
  r.get_table(t, p, "feed_latency_table", c.feed_latency);
  r.get_int(t, p, "order_latency_ns", c.exchange.order_latency.constant_ns, 0, kMaxLatencyNs);
  r.get_table(t, p, "order_latency_table", c.exchange.order_latency);
  r.get_int(t, p, "response_latency_ns", c.exchange.response_latency.constant_ns, 0,
            kMaxLatencyNs);
  r.get_table(t, p, "response_latency_table", c.exchange.response_latency);
  const std::string q =
      r.get_choice(t, p, "queue_model", {"conservative", "probabilistic"}, "conservative");
  c.exchange.queue = q == "probabilistic" ? QueueModel::kProbabilistic : QueueModel::kConservative;
  r.get_num(t, p, "queue_power", c.exchange.queue_power, 0.01, 100);
  r.get_bool(t, p, "post_only", c.exchange.post_only);
  double maker = static_cast<double>(c.exchange.maker_fee_nano) * 1e-9;
  double taker = static_cast<double>(c.exchange.taker_fee_nano) * 1e-9;
  r.get_num(t, p, "maker_fee", maker, -1e6, 1e6);
  r.get_num(t, p, "taker_fee", taker, -1e6, 1e6);
  c.exchange.maker_fee_nano = std::llround(maker * 1e9);
  c.exchange.taker_fee_nano = std::llround(taker * 1e9);
  r.get_int(t, p, "uptime_max_distance_bps", c.kpi.uptime_max_distance_bps, 1, 10000);
  std::int64_t chart_ms = static_cast<std::int64_t>(c.kpi.chart_interval_ns / 1'000'000);
  r.get_int(t, p, "chart_interval_ms", chart_ms, 1, 86'400'000);
  c.kpi.chart_interval_ns = static_cast<std::uint64_t>(chart_ms) * 1'000'000u;
}

void read_fixed(const Reader& r, const toml::table& t, FixedSpreadParams& f) {
  const std::string p = "strategy.fixed.";
  r.check_keys(t, p, {"bid_spread_bps", "ask_spread_bps", "order_levels", "level_spacing_bps",
                      "order_amount", "order_level_amount", "inventory_skew", "inventory_target",
                      "inventory_range", "order_refresh_time_ms", "order_refresh_tolerance_bps",
                      "max_order_age_ms", "filled_order_delay_ms", "ping_pong"});
  r.get_num(t, p, "bid_spread_bps", f.bid_spread_bps, 0, 10000);
  r.get_num(t, p, "ask_spread_bps", f.ask_spread_bps, 0, 10000);
  r.get_int(t, p, "order_levels", f.order_levels, 1, kMaxLevels);
  r.get_num(t, p, "level_spacing_bps", f.level_spacing_bps, 0, 10000);
  r.get_int(t, p, "order_amount", f.order_amount, 1, 1 << 30);
  r.get_int(t, p, "order_level_amount", f.order_level_amount, 0, 1 << 20);
  r.get_bool(t, p, "inventory_skew", f.inventory_skew);
  r.get_int(t, p, "inventory_target", f.inventory_target, -(1LL << 40), 1LL << 40);
  r.get_int(t, p, "inventory_range", f.inventory_range, 0, 1LL << 40);
  r.get_num(t, p, "order_refresh_time_ms", f.order_refresh_time_ms, 0, 86'400'000);
  r.get_num(t, p, "order_refresh_tolerance_bps", f.order_refresh_tolerance_bps, 0, 10000);
  r.get_num(t, p, "max_order_age_ms", f.max_order_age_ms, 0, 86'400'000);
  r.get_num(t, p, "filled_order_delay_ms", f.filled_order_delay_ms, 0, 86'400'000);
  r.get_bool(t, p, "ping_pong", f.ping_pong);
}

void read_estimator(const Reader& r, const toml::table& t, const std::string& p,
                    EstimatorParams& e) {
  r.get_num(t, p, "sigma_halflife_s", e.sigma_halflife_s, 1e-3, 1e6);
  r.get_num(t, p, "sigma_init_ticks", e.sigma_init_ticks, 0, 1e6);
  r.get_num(t, p, "arrival_halflife_s", e.arrival_halflife_s, 1e-3, 1e6);
  r.get_num(t, p, "kappa_init", e.kappa_init, 1e-6, 1e6);
  r.get_num(t, p, "a_init", e.a_init, 1e-9, 1e9);
  r.get_int(t, p, "max_depth_ticks", e.max_depth_ticks, 2, 1000);
}

void read_as(const Reader& r, const toml::table& t, AvellanedaStoikovParams& a) {
  const std::string p = "strategy.avellaneda_stoikov.";
  r.check_keys(t, p, {"gamma", "horizon_s", "order_amount", "sigma_halflife_s", "sigma_init_ticks",
                      "arrival_halflife_s", "kappa_init", "a_init", "max_depth_ticks"});
  r.get_num(t, p, "gamma", a.gamma, 1e-9, 1e6);
  r.get_num(t, p, "horizon_s", a.horizon_s, 1e-6, 1e9);
  r.get_int(t, p, "order_amount", a.order_amount, 1, 1 << 30);
  read_estimator(r, t, p, a.est);
}

void read_glft(const Reader& r, const toml::table& t, GlftParams& g) {
  const std::string p = "strategy.glft.";
  r.check_keys(t, p, {"gamma", "delta", "adj1", "adj2", "order_amount", "sigma_halflife_s",
                      "sigma_init_ticks", "arrival_halflife_s", "kappa_init", "a_init",
                      "max_depth_ticks"});
  r.get_num(t, p, "gamma", g.gamma, 1e-9, 1e6);
  r.get_num(t, p, "delta", g.delta, 1e-6, 1e6);
  r.get_num(t, p, "adj1", g.adj1, 0, kBig);
  r.get_num(t, p, "adj2", g.adj2, 0, kBig);
  r.get_int(t, p, "order_amount", g.order_amount, 1, 1 << 30);
  read_estimator(r, t, p, g.est);
}

}  // namespace

BacktestConfig parse_backtest_config(const std::string& text, const std::string& origin) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    throw ConfigError(fmt::format("{}:{}:{}: {}", origin, where.line, where.column, e.description()));
  }
  Reader r{origin};
  BacktestConfig c;
  if (const toml::table* t = r.table(root, "backtest", "")) read_backtest(r, *t, c);
  if (const toml::table* s = r.table(root, "strategy", "")) {
    r.check_keys(*s, "strategy.", {"fixed", "avellaneda_stoikov", "glft"});
    if (const toml::table* t = r.table(*s, "fixed", "strategy.")) read_fixed(r, *t, c.fixed);
    if (const toml::table* t = r.table(*s, "avellaneda_stoikov", "strategy.")) {
      read_as(r, *t, c.avellaneda_stoikov);
    }
    if (const toml::table* t = r.table(*s, "glft", "strategy.")) read_glft(r, *t, c.glft);
  }
  return c;
}

BacktestConfig load_backtest_config(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw ConfigError(fmt::format("cannot open config file '{}'", path));
  std::string text;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  std::fclose(f);
  return parse_backtest_config(text, path);
}

}  // namespace ttq
