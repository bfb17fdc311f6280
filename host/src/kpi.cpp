// KPI recorder: integrates each instrument's piecewise-constant state over exchange time, keeps
// PnL at average cost, and writes the deterministic KPI JSON. Definitions: docs/backtest.md.
#include "ttq/kpi.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <string>

namespace ttq {

namespace {

__extension__ typedef __int128 i128;

constexpr double kNano = 1e-9;

double px_units(std::int64_t px9) { return static_cast<double>(px9) * kNano; }

// A side is "up" when it rests within max_bps of mid: |mid - px| * 1e4 <= bps * mid, exactly
// (mid2 = 2 x mid).
bool within(std::int64_t mid2, std::int64_t px, std::int32_t bps) {
  const i128 d = static_cast<i128>(mid2) - 2 * static_cast<i128>(px);
  const i128 ad = d < 0 ? -d : d;
  return ad * 10000 <= static_cast<i128>(bps) * static_cast<i128>(mid2);
}

// Time-weighted quantile: the smallest value whose cumulative time reaches p of the total.
double quantile(const std::map<std::int64_t, std::uint64_t>& h, int pct, double scale) {
  i128 total = 0;
  for (const auto& [v, ns] : h) total += ns;
  if (total == 0) return 0;
  i128 cum = 0;
  for (const auto& [v, ns] : h) {
    cum += ns;
    if (cum * 100 >= total * pct) return static_cast<double>(v) * scale;
  }
  return static_cast<double>(h.rbegin()->first) * scale;
}

double ratio(double a, double b) { return b > 0 ? a / b : 0.0; }

template <typename... T>
void put(fmt::memory_buffer& b, fmt::format_string<T...> f, T&&... a) {
  fmt::format_to(std::back_inserter(b), f, std::forward<T>(a)...);
}

}  // namespace

void KpiRecorder::add_instrument(std::int32_t security_id, const std::string& symbol,
                                 std::int64_t tick, std::int64_t multiplier,
                                 std::int64_t start_position) {
  if (find(security_id)) return;
  Inst in;
  in.k.security_id = security_id;
  in.k.symbol = symbol;
  in.k.tick = tick > 0 ? tick : 1;
  in.k.multiplier = multiplier > 0 ? multiplier : 1;
  in.k.position_start = start_position;
  in.k.position_max = in.k.position_min = start_position;
  in.position = start_position;
  insts_.push_back(std::move(in));
}

KpiRecorder::Inst* KpiRecorder::find(std::int32_t security_id) {
  for (Inst& in : insts_) {
    if (in.k.security_id == security_id) return &in;
  }
  return nullptr;
}

bool KpiRecorder::known(std::int32_t security_id) const {
  for (const Inst& in : insts_) {
    if (in.k.security_id == security_id) return true;
  }
  return false;
}

std::int64_t KpiRecorder::position(std::int32_t security_id) const {
  for (const Inst& in : insts_) {
    if (in.k.security_id == security_id) return in.position;
  }
  return 0;
}

void KpiRecorder::integrate(Inst& in, std::uint64_t from, std::uint64_t to) {
  if (to <= from) return;
  const std::uint64_t dt = to - from;
  const KpiState& s = in.s;
  if (!s.has_mid || s.mid2 <= 0) return;
  in.k.observed_ns += dt;
  in.bucket_obs += dt;
  const std::int32_t bps = cfg_.uptime_max_distance_bps;
  const bool bid_up = s.bid_live && within(s.mid2, s.our_bid, bps);
  const bool ask_up = s.ask_live && within(s.mid2, s.our_ask, bps);
  if (bid_up) in.bid_ns += dt;
  if (ask_up) in.ask_ns += dt;
  if (bid_up && ask_up) {
    in.two_ns += dt;
    in.bucket_two += dt;
  }
  if (s.bid_live && s.ask_live) {
    const std::int64_t spread = s.our_ask - s.our_bid;
    in.k.spread.two_sided_ns += dt;
    in.spread_px_ns += static_cast<i128>(spread) * dt;
    in.k.spread_ticks_ns[spread / in.k.tick] += dt;
    const double sbps = static_cast<double>(spread) * 2e4 / static_cast<double>(s.mid2);
    in.spread_bps_ns += sbps * static_cast<double>(dt);
    in.spread_bps_ns_hist[std::llround(sbps * 100.0)] += dt;
  }
  for (std::size_t b = 0; b < kDepthBandsBps.size(); ++b) {
    in.our_depth_ns[b] += static_cast<i128>(s.our_depth[b]) * dt;
    in.mkt_depth_ns[b] += static_cast<i128>(s.mkt_depth[b]) * dt;
  }
  in.abs_pos_ns += static_cast<i128>(in.position < 0 ? -in.position : in.position) * dt;
}

void KpiRecorder::advance(Inst& in, std::uint64_t t) {
  if (!in.started) return;
  if (t < in.last_t) t = in.last_t;
  while (in.next_sample <= t) {
    integrate(in, in.last_t, in.next_sample);
    in.last_t = in.next_sample;
    KpiSample smp;
    smp.t_ns = in.next_sample;
    smp.observed = in.s.has_mid;
    smp.mid = static_cast<double>(in.s.mid2) * 0.5 * kNano;
    smp.our_bid = in.s.bid_live ? px_units(in.s.our_bid) : 0;
    smp.our_ask = in.s.ask_live ? px_units(in.s.our_ask) : 0;
    smp.position = in.position;
    smp.net_pnl = net(in);
    smp.two_sided_share = ratio(static_cast<double>(in.bucket_two), static_cast<double>(in.bucket_obs));
    in.k.samples.push_back(smp);
    in.bucket_obs = in.bucket_two = 0;
    in.next_sample += cfg_.chart_interval_ns;
  }
  integrate(in, in.last_t, t);
  in.last_t = t;
}

double KpiRecorder::net(const Inst& in) const {
  double unreal = 0;
  if (in.mark_mid2 > 0 && in.position != 0) {
    unreal = static_cast<double>(in.position) *
             (static_cast<double>(in.mark_mid2) * 0.5 - in.avg_cost) * kNano *
             static_cast<double>(in.k.multiplier);
  }
  return in.realised + unreal - in.fees;
}

void KpiRecorder::mark_pnl(Inst& in) {
  const double before = in.k.net_pnl;
  const double now = net(in);
  in.k.net_pnl = now;
  in.peak = std::max(in.peak, now);
  in.max_dd = std::max(in.max_dd, in.peak - now);
  total_net_ += now - before;
  total_peak_ = std::max(total_peak_, total_net_);
  total_dd_ = std::max(total_dd_, total_peak_ - total_net_);
}

void KpiRecorder::update(std::uint64_t t, std::int32_t security_id, const KpiState& s) {
  Inst* in = find(security_id);
  if (!in) return;
  if (!t0_set_) {
    t0_ = t;
    t0_set_ = true;
  }
  if (!in->started) {
    in->started = true;
    in->last_t = t;
    in->next_sample = t0_ + cfg_.chart_interval_ns;
    while (in->next_sample <= t) in->next_sample += cfg_.chart_interval_ns;
  }
  advance(*in, t);
  in->s = s;
  if (s.has_mid && s.mid2 > 0) in->mark_mid2 = s.mid2;
  mark_pnl(*in);
}

void KpiRecorder::on_market_trade(std::int32_t security_id, std::int32_t qty) {
  if (Inst* in = find(security_id); in && qty > 0) in->k.market_volume_lots += qty;
}

void KpiRecorder::on_exec(const ExecReport& r) {
  Inst* in = find(r.security_id);
  if (!in) return;
  switch (r.kind) {
    case ExecKind::kAccepted:
      if (r.version == 1) ++in->k.orders_accepted;
      return;
    case ExecKind::kReject:
      ++in->k.exchange_rejects[static_cast<std::size_t>(r.reason)];
      return;
    case ExecKind::kCancelled:
      return;
    case ExecKind::kFill:
      break;
  }
  if (r.qty <= 0) return;
  advance(*in, r.exch_ns);
  InstrumentKpis& k = in->k;
  ++k.fills;
  if (in->filled_ids.insert(r.order_id).second) ++k.orders_filled;
  k.volume_lots += r.qty;
  const double mult = static_cast<double>(k.multiplier);
  k.volume_notional += px_units(r.px) * r.qty * mult;
  (r.maker ? k.maker_lots : k.taker_lots) += r.qty;
  (r.side == Side::kBuy ? k.buy_lots : k.sell_lots) += r.qty;
  in->fees += static_cast<double>(r.fee_nano) * kNano;
  if (k.fill_points.size() < cfg_.max_chart_fills) {
    k.fill_points.push_back(KpiFillPoint{r.exch_ns, px_units(r.px), r.qty, r.side});
  }
  // Average cost: a fill that adds to |position| moves the average; one that reduces it realises
  // (px - average) on the closed lots; the part that flips the sign opens at px.
  const std::int64_t q = r.side == Side::kBuy ? r.qty : -static_cast<std::int64_t>(r.qty);
  const std::int64_t pos = in->position;
  const double px = static_cast<double>(r.px);
  if (pos == 0 || (pos > 0) == (q > 0)) {
    const double a = static_cast<double>(pos < 0 ? -pos : pos);
    in->avg_cost = (in->avg_cost * a + px * static_cast<double>(r.qty)) / (a + r.qty);
  } else {
    const std::int64_t apos = pos < 0 ? -pos : pos;
    const std::int64_t closed = std::min<std::int64_t>(r.qty, apos);
    const double sign = pos > 0 ? 1.0 : -1.0;
    in->realised += (px - in->avg_cost) * static_cast<double>(closed) * sign * kNano * mult;
    if (r.qty > apos) in->avg_cost = px;
    else if (r.qty == apos) in->avg_cost = 0;
  }
  in->position = pos + q;
  k.position_max = std::max(k.position_max, in->position);
  k.position_min = std::min(k.position_min, in->position);
  mark_pnl(*in);
}

KpiReport KpiRecorder::finish(std::uint64_t t_end, const RiskCounters& risk) {
  KpiReport rep;
  InstrumentKpis& all = rep.overall;
  all.symbol = "overall";
  std::map<std::int64_t, std::uint64_t> all_bps;
  double all_spread_ticks_ns = 0, all_spread_bps_ns = 0;
  std::uint64_t all_two = 0, all_bid = 0, all_ask = 0;
  for (Inst& in : insts_) {
    advance(in, t_end);
    if (in.started && (in.k.samples.empty() || in.k.samples.back().t_ns < t_end)) {
      KpiSample smp;  // the last, partial interval
      smp.t_ns = t_end;
      smp.observed = in.s.has_mid;
      smp.mid = static_cast<double>(in.s.mid2) * 0.5 * kNano;
      smp.our_bid = in.s.bid_live ? px_units(in.s.our_bid) : 0;
      smp.our_ask = in.s.ask_live ? px_units(in.s.our_ask) : 0;
      smp.position = in.position;
      smp.net_pnl = net(in);
      smp.two_sided_share =
          ratio(static_cast<double>(in.bucket_two), static_cast<double>(in.bucket_obs));
      in.k.samples.push_back(smp);
    }
    InstrumentKpis& k = in.k;
    const double obs = static_cast<double>(k.observed_ns);
    k.uptime_two_sided = ratio(static_cast<double>(in.two_ns), obs);
    k.uptime_bid = ratio(static_cast<double>(in.bid_ns), obs);
    k.uptime_ask = ratio(static_cast<double>(in.ask_ns), obs);
    const double two = static_cast<double>(k.spread.two_sided_ns);
    const double tick = static_cast<double>(k.tick);
    const double ticks_ns = static_cast<double>(in.spread_px_ns) / tick;
    k.spread.mean_ticks = ratio(ticks_ns, two);
    k.spread.p50_ticks = quantile(k.spread_ticks_ns, 50, 1.0);
    k.spread.p90_ticks = quantile(k.spread_ticks_ns, 90, 1.0);
    k.spread.mean_bps = ratio(in.spread_bps_ns, two);
    k.spread.p50_bps = quantile(in.spread_bps_ns_hist, 50, 0.01);
    k.spread.p90_bps = quantile(in.spread_bps_ns_hist, 90, 0.01);
    for (std::size_t b = 0; b < kDepthBandsBps.size(); ++b) {
      k.our_depth[b] = ratio(static_cast<double>(in.our_depth_ns[b]), obs);
      k.mkt_depth[b] = ratio(static_cast<double>(in.mkt_depth_ns[b]), obs);
      k.depth_share[b] = ratio(k.our_depth[b], k.our_depth[b] + k.mkt_depth[b]);
      all.our_depth[b] += k.our_depth[b];
      all.mkt_depth[b] += k.mkt_depth[b];
    }
    k.volume_share = ratio(static_cast<double>(k.volume_lots),
                           static_cast<double>(k.market_volume_lots));
    k.fill_rate = ratio(static_cast<double>(k.orders_filled),
                        static_cast<double>(k.orders_accepted));
    k.fees = in.fees;
    k.realised_pnl = in.realised;
    k.net_pnl = net(in);
    k.unrealised_pnl = k.net_pnl - k.realised_pnl + k.fees;
    k.max_drawdown = in.max_dd;
    k.position_final = in.position;
    k.position_mean_abs = ratio(static_cast<double>(in.abs_pos_ns), obs);

    all.observed_ns += k.observed_ns;
    all_two += in.two_ns;
    all_bid += in.bid_ns;
    all_ask += in.ask_ns;
    all.spread.two_sided_ns += k.spread.two_sided_ns;
    all_spread_ticks_ns += ticks_ns;
    all_spread_bps_ns += in.spread_bps_ns;
    for (const auto& [v, ns] : k.spread_ticks_ns) all.spread_ticks_ns[v] += ns;
    for (const auto& [v, ns] : in.spread_bps_ns_hist) all_bps[v] += ns;
    all.volume_lots += k.volume_lots;
    all.market_volume_lots += k.market_volume_lots;
    all.volume_notional += k.volume_notional;
    all.fills += k.fills;
    all.orders_accepted += k.orders_accepted;
    all.orders_filled += k.orders_filled;
    all.maker_lots += k.maker_lots;
    all.taker_lots += k.taker_lots;
    all.buy_lots += k.buy_lots;
    all.sell_lots += k.sell_lots;
    all.realised_pnl += k.realised_pnl;
    all.unrealised_pnl += k.unrealised_pnl;
    all.fees += k.fees;
    all.net_pnl += k.net_pnl;
    for (std::size_t i = 0; i < k.exchange_rejects.size(); ++i) {
      all.exchange_rejects[i] += k.exchange_rejects[i];
    }
    rep.instruments.push_back(k);
  }
  const double obs = static_cast<double>(all.observed_ns);
  all.uptime_two_sided = ratio(static_cast<double>(all_two), obs);
  all.uptime_bid = ratio(static_cast<double>(all_bid), obs);
  all.uptime_ask = ratio(static_cast<double>(all_ask), obs);
  const double two = static_cast<double>(all.spread.two_sided_ns);
  all.spread.mean_ticks = ratio(all_spread_ticks_ns, two);
  all.spread.p50_ticks = quantile(all.spread_ticks_ns, 50, 1.0);
  all.spread.p90_ticks = quantile(all.spread_ticks_ns, 90, 1.0);
  all.spread.mean_bps = ratio(all_spread_bps_ns, two);
  all.spread.p50_bps = quantile(all_bps, 50, 0.01);
  all.spread.p90_bps = quantile(all_bps, 90, 0.01);
  for (std::size_t b = 0; b < kDepthBandsBps.size(); ++b) {
    all.depth_share[b] = ratio(all.our_depth[b], all.our_depth[b] + all.mkt_depth[b]);
  }
  all.volume_share = ratio(static_cast<double>(all.volume_lots),
                           static_cast<double>(all.market_volume_lots));
  all.fill_rate = ratio(static_cast<double>(all.orders_filled),
                        static_cast<double>(all.orders_accepted));
  all.max_drawdown = total_dd_;
  rep.risk_rejects = risk.rejected;
  rep.risk_rejected_total = risk.rejected_total;
  return rep;
}

// --- JSON ---------------------------------------------------------------------------------------

namespace {

std::string num(double v) {
  if (!std::isfinite(v)) return "null";
  std::string s = fmt::format("{:.6f}", v);
  if (s == "-0.000000") s = "0.000000";
  return s;
}

std::string json_str(const std::string& s) {
  std::string o = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      o += '\\';
      o += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      o += fmt::format("\\u{:04x}", static_cast<unsigned>(static_cast<unsigned char>(c)));
    } else {
      o += c;
    }
  }
  return o + "\"";
}

void write_kpis(fmt::memory_buffer& b, const InstrumentKpis& k, bool with_inventory,
                const char* indent) {
  put(b, "{}\"observed_s\": {},\n", indent, num(static_cast<double>(k.observed_ns) * kNano));
  put(b, "{}\"uptime\": {{\"two_sided\": {}, \"bid\": {}, \"ask\": {}}},\n", indent,
      num(k.uptime_two_sided), num(k.uptime_bid), num(k.uptime_ask));
  put(b, "{}\"quoted_spread\": {{\"two_sided_s\": {}, \"mean_ticks\": {}, \"p50_ticks\": {}, "
      "\"p90_ticks\": {}, \"mean_bps\": {}, \"p50_bps\": {}, \"p90_bps\": {}}},\n",
      indent, num(static_cast<double>(k.spread.two_sided_ns) * kNano), num(k.spread.mean_ticks),
      num(k.spread.p50_ticks), num(k.spread.p90_ticks), num(k.spread.mean_bps),
      num(k.spread.p50_bps), num(k.spread.p90_bps));
  put(b, "{}\"depth\": {{", indent);
  for (std::size_t i = 0; i < kDepthBandsBps.size(); ++i) {
    put(b, "{}\"within_{}pct\": {{\"ours\": {}, \"market\": {}, \"share\": {}}}", i ? ", " : "",
        kDepthBandsBps[i] / 100, num(k.our_depth[i]), num(k.mkt_depth[i]),
        num(k.depth_share[i]));
  }
  put(b, "}},\n");
  put(b, "{}\"volume\": {{\"lots\": {}, \"notional\": {}, \"market_lots\": {}, \"share\": {}}},\n",
      indent, k.volume_lots, num(k.volume_notional), k.market_volume_lots, num(k.volume_share));
  put(b, "{}\"fills\": {{\"count\": {}, \"orders_accepted\": {}, \"orders_filled\": {}, "
      "\"fill_rate\": {}, \"maker_lots\": {}, \"taker_lots\": {}, \"buy_lots\": {}, "
      "\"sell_lots\": {}}},\n",
      indent, k.fills, k.orders_accepted, k.orders_filled, num(k.fill_rate), k.maker_lots,
      k.taker_lots, k.buy_lots, k.sell_lots);
  put(b, "{}\"pnl\": {{\"realised\": {}, \"unrealised\": {}, \"fees\": {}, \"net\": {}, "
      "\"max_drawdown\": {}}},\n",
      indent, num(k.realised_pnl), num(k.unrealised_pnl), num(k.fees), num(k.net_pnl),
      num(k.max_drawdown));
  if (with_inventory) {
    put(b, "{}\"inventory\": {{\"start\": {}, \"final\": {}, \"max\": {}, \"min\": {}, "
        "\"mean_abs\": {}}},\n",
        indent, k.position_start, k.position_final, k.position_max, k.position_min,
        num(k.position_mean_abs));
  }
  put(b, "{}\"exchange_rejects\": {{", indent);
  for (std::size_t i = 1; i < k.exchange_rejects.size(); ++i) {
    put(b, "{}\"{}\": {}", i > 1 ? ", " : "", to_string(static_cast<ExchReject>(i)),
        k.exchange_rejects[i]);
  }
  put(b, "}}\n");
}

std::string base_name(const std::string& p) {
  const auto s = p.find_last_of('/');
  return s == std::string::npos ? p : p.substr(s + 1);
}

}  // namespace

void write_kpi_json(std::FILE* f, const BacktestRunInfo& run, const KpiReport& r,
                    const KpiConfig& cfg) {
  fmt::memory_buffer b;
  put(b, "{{\n  \"format\": \"ttq-backtest-kpis/1\",\n");
  put(b, "  \"run\": {{\"capture\": {}, \"strategy\": {}, \"queue_model\": {}, \"frames\": {}, "
      "\"quote_records\": {}, \"orders_sent\": {}, \"start_ns\": {}, \"end_ns\": {}, "
      "\"duration_s\": {}}},\n",
      json_str(base_name(run.capture)), json_str(run.strategy), json_str(run.queue_model),
      run.frames, run.quotes, run.orders_sent, run.start_ns, run.end_ns,
      num(static_cast<double>(run.end_ns - std::min(run.start_ns, run.end_ns)) * kNano));
  put(b, "  \"definitions\": {{\"uptime_max_distance_bps\": {}, \"depth_bands_bps\": [{}, {}]}},\n",
      cfg.uptime_max_distance_bps, kDepthBandsBps[0], kDepthBandsBps[1]);
  put(b, "  \"overall\": {{\n");
  write_kpis(b, r.overall, false, "    ");
  put(b, "  }},\n  \"instruments\": [");
  for (std::size_t i = 0; i < r.instruments.size(); ++i) {
    const InstrumentKpis& k = r.instruments[i];
    put(b, "{}\n    {{\n      \"security_id\": {},\n      \"symbol\": {},\n      \"tick\": {},\n",
        i ? "," : "", k.security_id, json_str(k.symbol), k.tick);
    write_kpis(b, k, true, "      ");
    put(b, "    }}");
  }
  put(b, "\n  ],\n  \"risk_rejections\": {{\"total\": {}, \"by_reason\": {{", r.risk_rejected_total);
  for (std::size_t i = 0; i < kRiskRejectCount; ++i) {
    put(b, "{}\"{}\": {}", i ? ", " : "", to_string(static_cast<RiskReject>(i)), r.risk_rejects[i]);
  }
  put(b, "}}}}\n}}\n");
  std::fwrite(b.data(), 1, b.size(), f);
}

void LatencyHistogram::add(std::uint64_t ns) {
  const std::size_t bucket =
      ns == 0 ? 0 : std::min<std::size_t>(kBuckets - 1, static_cast<std::size_t>(std::bit_width(ns) - 1));
  ++count[bucket];
  ++n;
  sum_ns += ns;
  max_ns = std::max(max_ns, ns);
}

std::uint64_t LatencyHistogram::percentile(double p) const {
  if (n == 0) return 0;
  const double target = p * static_cast<double>(n);
  std::uint64_t cum = 0;
  for (std::size_t b = 0; b < kBuckets; ++b) {
    cum += count[b];
    if (static_cast<double>(cum) >= target) return std::uint64_t{2} << b;
  }
  return max_ns;
}

void write_latency_json(std::FILE* f, const LatencyHistogram& h) {
  fmt::memory_buffer b;
  put(b, "{{\n  \"format\": \"ttq-backtest-latency/1\",\n  \"note\": \"wall-clock tick-to-quote "
      "of the software model per frame that produced quote records; not deterministic\",\n");
  put(b, "  \"frames\": {}, \"mean_ns\": {}, \"p50_ns_le\": {}, \"p99_ns_le\": {}, \"max_ns\": {},\n",
      h.n, h.n ? h.sum_ns / h.n : 0, h.percentile(0.5), h.percentile(0.99), h.max_ns);
  put(b, "  \"buckets\": [");
  bool first = true;
  for (std::size_t i = 0; i < LatencyHistogram::kBuckets; ++i) {
    if (!h.count[i]) continue;
    put(b, "{}{{\"ge_ns\": {}, \"lt_ns\": {}, \"count\": {}}}", first ? "" : ", ",
        i == 0 ? 0 : (std::uint64_t{1} << i), std::uint64_t{2} << i, h.count[i]);
    first = false;
  }
  put(b, "]\n}}\n");
  std::fwrite(b.data(), 1, b.size(), f);
}

}  // namespace ttq
