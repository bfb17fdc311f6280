// Every KPI on one hand-made 40-second scenario whose values are worked out below by hand, plus
// the JSON's determinism and keys.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "ttq/kpi.hpp"

using namespace ttq;

namespace {

constexpr std::int32_t kSid = 11;
constexpr std::int64_t kOne = 1'000'000'000;  // 1.0 in PRICE9
constexpr std::uint64_t kS = 1'000'000'000;   // one second in ns

// Prices in PRICE9 from a value in hundredths (99.5 -> 9950).
constexpr std::int64_t px(std::int64_t hundredths) { return hundredths * (kOne / 100); }

KpiState state(bool has_mid, std::int64_t mid_h, bool bid, std::int64_t bid_h, bool ask,
               std::int64_t ask_h, std::array<std::int64_t, 2> ours,
               std::array<std::int64_t, 2> mkt) {
  KpiState s;
  s.has_mid = has_mid;
  s.mid2 = has_mid ? 2 * px(mid_h) : 0;
  s.bid_live = bid;
  s.our_bid = bid ? px(bid_h) : 0;
  s.ask_live = ask;
  s.our_ask = ask ? px(ask_h) : 0;
  s.our_depth = ours;
  s.mkt_depth = mkt;
  return s;
}

ExecReport fill(std::uint64_t t, std::uint64_t id, Side side, std::int64_t px_h, std::int32_t qty,
                bool maker, std::int64_t fee_per_lot_nano) {
  ExecReport r;
  r.kind = ExecKind::kFill;
  r.security_id = kSid;
  r.order_id = id;
  r.version = 1;
  r.side = side;
  r.px = px(px_h);
  r.qty = qty;
  r.maker = maker;
  r.fee_nano = fee_per_lot_nano * qty;
  r.exch_ns = t;
  return r;
}

ExecReport accepted(std::uint64_t id) {
  ExecReport r;
  r.kind = ExecKind::kAccepted;
  r.security_id = kSid;
  r.order_id = id;
  r.version = 1;
  return r;
}

// The scenario (tick 1.00, multiplier 2, uptime distance 100 bps = 1 %):
//   0-10 s  mid 100.00, our bid 99.50 and ask 100.50 (0.5 % away: both up), spread 1 tick =
//           100 bps; our depth +-1 % 3 lots, +-2 % 3; market 10 / 20
//   10-20 s mid 100.00, our bid 99.00 alone (exactly 1 %: up); ours 2 / 2
//   20-30 s the market is one-sided: not observed
//   30-40 s mid 99.00, bid 98.00 (1.01 %: not up), ask 102.00 (3.03 %: not up), spread 4 ticks
//           = 4 / 99 x 1e4 = 404.0404 bps; ours 0 / 1
// Fills (maker fee -0.10 per lot, taker +0.50): order 1 buys 1 + 1 at 99.50 (t 5 s), order 2
// buys 1 at 99.00 (15 s), order 3 sells 4 at 102.00 as taker (35 s); order 4 never fills.
// Market trades: 10 + 4 lots.
KpiReport scenario() {
  KpiConfig cfg;
  cfg.uptime_max_distance_bps = 100;
  cfg.chart_interval_ns = 5 * kS;
  KpiRecorder k(cfg);
  k.add_instrument(kSid, "TEST", kOne, 2, 0);
  k.update(0, kSid, state(true, 10000, true, 9950, true, 10050, {3, 3}, {10, 20}));
  for (std::uint64_t id : {1, 2, 3, 4}) k.on_exec(accepted(id));
  k.on_exec(fill(5 * kS, 1, Side::kBuy, 9950, 1, true, -100'000'000));
  k.on_exec(fill(5 * kS, 1, Side::kBuy, 9950, 1, true, -100'000'000));
  k.on_market_trade(kSid, 10);
  k.update(10 * kS, kSid, state(true, 10000, true, 9900, false, 0, {2, 2}, {10, 20}));
  k.on_exec(fill(15 * kS, 2, Side::kBuy, 9900, 1, true, -100'000'000));
  k.update(20 * kS, kSid, state(false, 0, true, 9900, false, 0, {0, 0}, {0, 0}));
  k.update(30 * kS, kSid, state(true, 9900, true, 9800, true, 10200, {0, 1}, {10, 20}));
  k.on_exec(fill(35 * kS, 3, Side::kSell, 10200, 4, false, 500'000'000));
  k.on_market_trade(kSid, 4);
  ExecReport rej;
  rej.kind = ExecKind::kReject;
  rej.reason = ExchReject::kPostOnly;
  rej.security_id = kSid;
  k.on_exec(rej);
  RiskCounters risk;
  risk.rejected[static_cast<std::size_t>(RiskReject::kMaxPosition)] = 3;
  risk.rejected_total = 3;
  return k.finish(40 * kS, risk);
}

}  // namespace

TEST_CASE("KPIs of the hand-computed scenario") {
  const KpiReport r = scenario();
  REQUIRE(r.instruments.size() == 1);
  const InstrumentKpis& k = r.instruments[0];

  // Observed: 0-20 and 30-40 = 30 s.
  CHECK(k.observed_ns == 30 * kS);
  // Two-sided up 0-10 only: 10 / 30. Bid up 0-20: 20 / 30. Ask up 0-10: 10 / 30.
  CHECK(k.uptime_two_sided == Approx(1.0 / 3));
  CHECK(k.uptime_bid == Approx(2.0 / 3));
  CHECK(k.uptime_ask == Approx(1.0 / 3));

  // Spread while both rest (observed): 10 s at 1 tick / 100 bps, 10 s at 4 ticks / 404.0404 bps.
  CHECK(k.spread.two_sided_ns == 20 * kS);
  CHECK(k.spread.mean_ticks == Approx(2.5));            // (1 x 10 + 4 x 10) / 20
  CHECK(k.spread.mean_bps == Approx(252.0202).epsilon(1e-6));  // (100 + 404.0404) / 2
  CHECK(k.spread.p50_ticks == 1.0);  // 1 tick already holds 50 % of the time
  CHECK(k.spread.p90_ticks == 4.0);
  CHECK(k.spread.p50_bps == Approx(100.0));
  CHECK(k.spread.p90_bps == Approx(404.04));  // binned to 0.01 bps

  // Depth: +-1 % ours (3 x 10 + 2 x 10 + 0 x 10) / 30 = 5/3, market 10, share (5/3) / (35/3)
  // = 1/7; +-2 % ours (3 + 2 + 1) x 10 / 30 = 2, market 20, share 2 / 22 = 1/11.
  CHECK(k.our_depth[0] == Approx(5.0 / 3));
  CHECK(k.mkt_depth[0] == Approx(10.0));
  CHECK(k.depth_share[0] == Approx(1.0 / 7));
  CHECK(k.our_depth[1] == Approx(2.0));
  CHECK(k.mkt_depth[1] == Approx(20.0));
  CHECK(k.depth_share[1] == Approx(1.0 / 11));

  // Volume: 1 + 1 + 1 + 4 = 7 lots; notional (99.5 x 2 + 99 + 102 x 4) x 2 = 1412; market 14,
  // share 7 / 14.
  CHECK(k.volume_lots == 7);
  CHECK(k.volume_notional == Approx(1412.0));
  CHECK(k.market_volume_lots == 14);
  CHECK(k.volume_share == Approx(0.5));

  // Fills: 4 reports; orders accepted 4, with a fill 3 (order 1 counted once): 0.75.
  CHECK(k.fills == 4);
  CHECK(k.orders_accepted == 4);
  CHECK(k.orders_filled == 3);
  CHECK(k.fill_rate == Approx(0.75));
  CHECK(k.maker_lots == 3);
  CHECK(k.taker_lots == 4);
  CHECK(k.buy_lots == 3);
  CHECK(k.sell_lots == 4);

  // PnL (multiplier 2): after the buys position 3 at average (99.5 x 2 + 99) / 3 = 99.3333.
  // The sell of 4 at 102 closes 3: realised (102 x 3 - 298) x 2 = 16; position -1 at 102.
  // Unrealised at the last mid 99: -1 x (99 - 102) x 2 = 6. Fees -0.1 x 3 + 0.5 x 4 = 1.7.
  // Net 16 + 6 - 1.7 = 20.3.
  CHECK(k.realised_pnl == Approx(16.0));
  CHECK(k.unrealised_pnl == Approx(6.0));
  CHECK(k.fees == Approx(1.7));
  CHECK(k.net_pnl == Approx(20.3));
  // Net path: 0; 2.2 (5 s: 2 x 0.5 x 2 + 0.2); 4.3 (15 s: (300 - 298) x 2 + 0.3); one-sided
  // 20-30 s marks at the last mid (still 4.3); 30 s mid 99: (297 - 298) x 2 + 0.3 = -1.7;
  // 35 s: 20.3. Largest fall from a peak: 4.3 - (-1.7) = 6.
  CHECK(k.max_drawdown == Approx(6.0));

  // Inventory: start 0, max 3, min -1, final -1; |position| over observed time: 0 x 5 + 2 x 5
  // + 2 x 5 + 3 x 5 + (20-30 not observed) + 3 x 5 + 1 x 5 = 55 lot-seconds / 30 s.
  CHECK(k.position_start == 0);
  CHECK(k.position_final == -1);
  CHECK(k.position_max == 3);
  CHECK(k.position_min == -1);
  CHECK(k.position_mean_abs == Approx(55.0 / 30));

  CHECK(k.exchange_rejects[static_cast<std::size_t>(ExchReject::kPostOnly)] == 1);
  CHECK(r.risk_rejected_total == 3);
  CHECK(r.risk_rejects[static_cast<std::size_t>(RiskReject::kMaxPosition)] == 3);

  // One instrument: overall = the instrument (inventory aside).
  CHECK(r.overall.uptime_two_sided == Approx(k.uptime_two_sided));
  CHECK(r.overall.net_pnl == Approx(20.3));
  CHECK(r.overall.max_drawdown == Approx(6.0));
  CHECK(r.overall.spread.p90_bps == Approx(404.04));

  // Chart samples every 5 s up to 40 s: 8 of them; the one at 20 s sees position 3.
  REQUIRE(k.samples.size() == 8);
  CHECK(k.samples[3].t_ns == 20 * kS);
  CHECK(k.samples[3].position == 3);
}

TEST_CASE("overall KPIs weight instruments by their observed time") {
  KpiConfig cfg;
  KpiRecorder k(cfg);
  k.add_instrument(1, "A", kOne, 1, 0);
  k.add_instrument(2, "B", kOne, 1, 0);
  // A: two-sided within distance for 10 s of 10; B: never quoted for 30 s.
  k.update(0, 1, state(true, 10000, true, 9990, true, 10010, {2, 2}, {8, 8}));
  k.update(0, 2, state(true, 10000, false, 0, false, 0, {0, 0}, {4, 4}));
  const KpiReport r = k.finish(10 * kS, RiskCounters{});
  // A 10 s observed, all up; B 10 s observed, none: 10 / 20.
  CHECK(r.overall.uptime_two_sided == Approx(0.5));
  // Depth: sums of the instruments' means: ours 2, market 8 + 4 = 12; share 2 / 14.
  CHECK(r.overall.our_depth[0] == Approx(2.0));
  CHECK(r.overall.mkt_depth[0] == Approx(12.0));
  CHECK(r.overall.depth_share[0] == Approx(1.0 / 7));
}

TEST_CASE("the KPI JSON is byte-identical for the same figures and holds every KPI key") {
  const KpiReport r = scenario();
  BacktestRunInfo run;
  run.capture = "/some/dir/c.pcap";
  run.strategy = "fixed";
  run.queue_model = "conservative";
  auto render = [&] {
    char* buf = nullptr;
    std::size_t len = 0;
    std::FILE* f = open_memstream(&buf, &len);
    write_kpi_json(f, run, r, KpiConfig{});
    std::fclose(f);
    std::string s(buf, len);
    std::free(buf);
    return s;
  };
  const std::string a = render();
  const std::string b = render();
  CHECK(a == b);
  for (const char* key : {"\"uptime\"", "\"two_sided\"", "\"quoted_spread\"", "\"p50_bps\"",
                          "\"p90_bps\"", "\"within_1pct\"", "\"within_2pct\"", "\"volume\"",
                          "\"share\"", "\"fills\"", "\"fill_rate\"", "\"pnl\"", "\"realised\"",
                          "\"unrealised\"", "\"fees\"", "\"max_drawdown\"", "\"inventory\"",
                          "\"risk_rejections\"", "\"max_position\": 3", "\"post_only\": 1",
                          "\"capture\": \"c.pcap\""}) {
    INFO(key);
    CHECK(a.find(key) != std::string::npos);
  }
  CHECK(a.find("latency") == std::string::npos);  // wall-clock figures stay out
}

TEST_CASE("latency histogram buckets by powers of two") {
  LatencyHistogram h;
  h.add(0);     // bucket 0
  h.add(1);     // [1, 2): bucket 0
  h.add(300);   // [256, 512): bucket 8
  h.add(1000);  // [512, 1024): bucket 9
  CHECK(h.count[0] == 2);
  CHECK(h.count[8] == 1);
  CHECK(h.count[9] == 1);
  CHECK(h.n == 4);
  CHECK(h.max_ns == 1000);
  CHECK(h.percentile(0.5) == 2);     // 2 of 4 in bucket 0, upper edge 2
  CHECK(h.percentile(1.0) == 1024);
}
