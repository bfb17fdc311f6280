// Liquidity KPIs of a backtest: what token issuers, exchanges and funds judge a market maker by
// (uptime, spread, depth, volume, fills, PnL, inventory, rejections). Time-weighted over exchange
// time from the piecewise-constant state the backtest feeds in; every definition is in
// docs/backtest.md and in the HTML report.
#pragma once

#include <array>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <unordered_set>
#include <vector>

#include "ttq/risk.hpp"
#include "ttq/sim_exchange.hpp"

namespace ttq {

struct KpiConfig {
  std::int32_t uptime_max_distance_bps = 100;  // a side is "up" within this distance of mid
  std::uint64_t chart_interval_ns = 1'000'000'000;  // one chart sample per interval
  std::size_t max_chart_fills = 5000;               // fills kept per instrument for the chart
};

// The bands of the depth KPIs, in basis points of mid (+-1 %, +-2 %).
inline constexpr std::array<std::int32_t, 2> kDepthBandsBps = {100, 200};

// State of one instrument from a time on, until the next update (exchange time).
struct KpiState {
  bool has_mid = false;      // the replayed market has both sides (time counts as observed)
  std::int64_t mid2 = 0;     // best bid + best ask (PRICE9): twice the mid, exact
  bool bid_live = false;     // we rest a bid (best price our_bid)
  bool ask_live = false;
  std::int64_t our_bid = 0;
  std::int64_t our_ask = 0;
  std::array<std::int64_t, 2> our_depth{};  // our lots within each band, both sides
  std::array<std::int64_t, 2> mkt_depth{};  // replayed displayed lots within each band
};

struct KpiSample {  // one chart point (end of an interval)
  std::uint64_t t_ns = 0;
  double mid = 0;        // price units
  double our_bid = 0;    // 0 = none
  double our_ask = 0;
  std::int64_t position = 0;
  double net_pnl = 0;
  double two_sided_share = 0;  // of the interval's observed time
  bool observed = false;
};

struct KpiFillPoint {
  std::uint64_t t_ns;
  double px;
  std::int32_t qty;
  Side side;
};

struct SpreadStats {
  std::uint64_t two_sided_ns = 0;  // time both sides rested (any distance): the weights
  double mean_ticks = 0, p50_ticks = 0, p90_ticks = 0;
  double mean_bps = 0, p50_bps = 0, p90_bps = 0;
};

struct InstrumentKpis {
  std::int32_t security_id = 0;
  std::string symbol;
  std::int64_t tick = 0;
  std::int64_t multiplier = 1;
  std::uint64_t observed_ns = 0;
  double uptime_two_sided = 0, uptime_bid = 0, uptime_ask = 0;  // shares of observed time
  SpreadStats spread;
  std::array<double, 2> our_depth{}, mkt_depth{}, depth_share{};  // time-weighted mean lots
  std::int64_t volume_lots = 0, market_volume_lots = 0;
  double volume_notional = 0, volume_share = 0;
  std::uint64_t fills = 0, orders_accepted = 0, orders_filled = 0;
  double fill_rate = 0;
  std::int64_t maker_lots = 0, taker_lots = 0, buy_lots = 0, sell_lots = 0;
  double realised_pnl = 0, unrealised_pnl = 0, fees = 0, net_pnl = 0, max_drawdown = 0;
  std::int64_t position_start = 0, position_final = 0, position_max = 0, position_min = 0;
  double position_mean_abs = 0;
  std::array<std::uint64_t, static_cast<std::size_t>(ExchReject::kCount)> exchange_rejects{};
  // Chart data (HTML only).
  std::vector<KpiSample> samples;
  std::vector<KpiFillPoint> fill_points;
  std::map<std::int64_t, std::uint64_t> spread_ticks_ns;  // spread in ticks -> time
};

struct KpiReport {
  std::vector<InstrumentKpis> instruments;  // in order of first sight
  InstrumentKpis overall;  // sums / time-weighted over all instruments (no inventory figures)
  std::array<std::uint64_t, kRiskRejectCount> risk_rejects{};
  std::uint64_t risk_rejected_total = 0;
};

class KpiRecorder {
 public:
  explicit KpiRecorder(const KpiConfig& cfg) : cfg_(cfg) {}

  // First sight of an instrument; repeated calls are ignored.
  void add_instrument(std::int32_t security_id, const std::string& symbol, std::int64_t tick,
                      std::int64_t multiplier, std::int64_t start_position);
  bool known(std::int32_t security_id) const;
  // The instrument's state from t on (t never goes backwards).
  void update(std::uint64_t t, std::int32_t security_id, const KpiState& s);
  // Exchange reports at exchange time: fills, accepted Orders, rejects.
  void on_exec(const ExecReport& r);
  // A replayed trade summary entry (market volume).
  void on_market_trade(std::int32_t security_id, std::int32_t qty);
  std::int64_t position(std::int32_t security_id) const;

  // Closes every instrument's time at t_end and computes the figures.
  KpiReport finish(std::uint64_t t_end, const RiskCounters& risk);

  const KpiConfig& config() const { return cfg_; }

 private:
  __extension__ typedef __int128 wide;
  struct Inst {
    InstrumentKpis k;
    KpiState s;
    std::uint64_t last_t = 0;
    bool started = false;
    std::uint64_t next_sample = 0;
    std::uint64_t bucket_obs = 0, bucket_two = 0;
    // Integrals over observed time.
    std::uint64_t two_ns = 0, bid_ns = 0, ask_ns = 0;
    wide spread_px_ns = 0;  // sum spread (PRICE9) x ns
    double spread_bps_ns = 0;
    std::map<std::int64_t, std::uint64_t> spread_bps_ns_hist;  // 0.01 bps -> ns
    std::array<wide, 2> our_depth_ns{}, mkt_depth_ns{};
    wide abs_pos_ns = 0;
    // PnL (average cost).
    std::int64_t position = 0;
    std::int64_t mark_mid2 = 0;  // last known 2 x mid: marks PnL while the book is one-sided
    double avg_cost = 0;  // PRICE9
    double realised = 0, fees = 0;
    double peak = 0, max_dd = 0;
    std::unordered_set<std::uint64_t> filled_ids;
  };
  Inst* find(std::int32_t security_id);
  void integrate(Inst& in, std::uint64_t from, std::uint64_t to);
  void advance(Inst& in, std::uint64_t t);
  double net(const Inst& in) const;
  void mark_pnl(Inst& in);

  KpiConfig cfg_;
  std::vector<Inst> insts_;
  std::uint64_t t0_ = 0;
  bool t0_set_ = false;
  double total_net_ = 0, total_peak_ = 0, total_dd_ = 0;
};

// The run the figures come from (JSON "run" section; deterministic: no wall-clock values).
struct BacktestRunInfo {
  std::string capture;
  std::string strategy;
  std::string queue_model;
  std::uint64_t frames = 0, quotes = 0, orders_sent = 0;
  std::uint64_t start_ns = 0, end_ns = 0;  // capture (exchange) time
};

// Writes the KPI JSON: byte-identical for the same run (fixed key order and number formats).
void write_kpi_json(std::FILE* f, const BacktestRunInfo& run, const KpiReport& r,
                    const KpiConfig& cfg);

// Tick-to-quote latency of the software model, measured in wall-clock time (not deterministic:
// kept out of the KPI JSON; HTML report and --latency-json only).
struct LatencyHistogram {
  static constexpr std::size_t kBuckets = 40;  // bucket b: [2^b, 2^(b+1)) ns, b = 0..39
  std::array<std::uint64_t, kBuckets> count{};
  std::uint64_t n = 0, sum_ns = 0, max_ns = 0;
  void add(std::uint64_t ns);
  std::uint64_t percentile(double p) const;  // upper edge of the bucket holding the p-quantile
};
void write_latency_json(std::FILE* f, const LatencyHistogram& h);

// The self-contained HTML report (inline SVG, no scripts, no external resources).
void write_html_report(std::FILE* f, const BacktestRunInfo& run, const KpiReport& r,
                       const KpiConfig& cfg, const LatencyHistogram& lat);

}  // namespace ttq
