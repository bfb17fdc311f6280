// The backtest's HTML report: one self-contained file (inline CSS and SVG, no script, no font or
// image from anywhere), readable offline. Summary table first, then charts, then definitions.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "ttq/kpi.hpp"

namespace ttq {

namespace {

template <typename... T>
void put(fmt::memory_buffer& b, fmt::format_string<T...> f, T&&... a) {
  fmt::format_to(std::back_inserter(b), f, std::forward<T>(a)...);
}

std::string esc(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '&': o += "&amp;"; break;
      case '"': o += "&quot;"; break;
      default: o += c;
    }
  }
  return o;
}

std::string pct(double v) { return fmt::format("{:.2f} %", 100.0 * v); }
std::string f2(double v) { return fmt::format("{:.2f}", v); }
std::string f4(double v) { return fmt::format("{:.4f}", v); }

struct Series {
  std::vector<std::pair<double, double>> pts;  // (x, y)
  const char* color;
  bool step = false;
};
struct Marker {
  double x, y;
  const char* color;
};

constexpr double kW = 860, kH = 220, kL = 70, kR = 10, kT = 24, kB = 28;

std::string num_label(double v) {
  const double a = std::fabs(v);
  if (a >= 1e6 || (a > 0 && a < 1e-3)) return fmt::format("{:.3g}", v);
  return fmt::format("{:.2f}", v);
}

// A line chart with a time axis in seconds from the run's start.
void line_chart(fmt::memory_buffer& b, const std::string& title, const std::vector<Series>& ss,
                const std::vector<Marker>& ms, const char* yunit) {
  double x0 = 1e300, x1 = -1e300, y0 = 1e300, y1 = -1e300;
  auto widen = [&](double x, double y) {
    x0 = std::min(x0, x);
    x1 = std::max(x1, x);
    y0 = std::min(y0, y);
    y1 = std::max(y1, y);
  };
  for (const Series& s : ss) for (const auto& [x, y] : s.pts) widen(x, y);
  for (const Marker& m : ms) widen(m.x, m.y);
  put(b, "<figure><figcaption>{}</figcaption>\n<svg "
         "width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" role=\"img\">\n",
      esc(title), kW, kH, kW, kH);
  put(b, "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#fafafa\" stroke=\"#ccc\"/>\n",
      kL, kT, kW - kL - kR, kH - kT - kB);
  if (x0 > x1) {
    put(b, "<text x=\"{}\" y=\"{}\" class=\"t\">no data</text></svg></figure>\n", kL + 10, kH / 2);
    return;
  }
  if (x1 == x0) x1 = x0 + 1;
  if (y1 == y0) {
    y1 += 0.5;
    y0 -= 0.5;
  }
  const double pad = (y1 - y0) * 0.05;
  y0 -= pad;
  y1 += pad;
  auto X = [&](double x) { return kL + (x - x0) / (x1 - x0) * (kW - kL - kR); };
  auto Y = [&](double y) { return kT + (y1 - y) / (y1 - y0) * (kH - kT - kB); };
  put(b, "<text x=\"{}\" y=\"{}\" class=\"t\" text-anchor=\"end\">{}</text>\n", kL - 4, kT + 10,
      num_label(y1));
  put(b, "<text x=\"{}\" y=\"{}\" class=\"t\" text-anchor=\"end\">{}</text>\n", kL - 4, kH - kB,
      num_label(y0));
  put(b, "<text x=\"{}\" y=\"{}\" class=\"t\" text-anchor=\"end\">{}</text>\n", kL - 4,
      (kT + kH - kB) / 2, yunit);
  put(b, "<text x=\"{}\" y=\"{}\" class=\"t\">{:.1f} s</text>\n", kL, kH - 8, x0);
  put(b, "<text x=\"{}\" y=\"{}\" class=\"t\" text-anchor=\"end\">{:.1f} s</text>\n", kW - kR,
      kH - 8, x1);
  if (y0 < 0 && y1 > 0) {
    put(b, "<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#999\" "
           "stroke-dasharray=\"3,3\"/>\n",
        kL, kW - kR, Y(0), Y(0));
  }
  for (const Series& s : ss) {
    if (s.pts.empty()) continue;
    put(b, "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"1.2\" points=\"", s.color);
    double py = 0;
    bool first = true;
    for (const auto& [x, y] : s.pts) {
      if (s.step && !first) put(b, "{:.1f},{:.1f} ", X(x), Y(py));
      put(b, "{:.1f},{:.1f} ", X(x), Y(y));
      py = y;
      first = false;
    }
    put(b, "\"/>\n");
  }
  for (const Marker& m : ms) {
    put(b, "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"2.5\" fill=\"{}\"/>\n", X(m.x), Y(m.y), m.color);
  }
  put(b, "</svg></figure>\n");
}

// Vertical bars: labels under, heights as given (shares or counts).
void bar_chart(fmt::memory_buffer& b, const std::string& title,
               const std::vector<std::pair<std::string, double>>& bars, const char* color) {
  put(b, "<figure><figcaption>{}</figcaption>\n<svg "
         "width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" role=\"img\">\n",
      esc(title), kW, kH, kW, kH);
  put(b, "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#fafafa\" stroke=\"#ccc\"/>\n",
      kL, kT, kW - kL - kR, kH - kT - kB);
  double mx = 0;
  for (const auto& [l, v] : bars) mx = std::max(mx, v);
  if (bars.empty() || mx <= 0) {
    put(b, "<text x=\"{}\" y=\"{}\" class=\"t\">no data</text></svg></figure>\n", kL + 10, kH / 2);
    return;
  }
  const double w = (kW - kL - kR) / static_cast<double>(bars.size());
  put(b, "<text x=\"{}\" y=\"{}\" class=\"t\" text-anchor=\"end\">{}</text>\n", kL - 4, kT + 10,
      num_label(mx));
  const std::size_t every = std::max<std::size_t>(1, bars.size() / 20);
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const double h = bars[i].second / mx * (kH - kT - kB);
    const double x = kL + static_cast<double>(i) * w;
    put(b, "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\"/>\n",
        x + 1, kH - kB - h, std::max(1.0, w - 2), h, color);
    if (i % every == 0) {
      put(b, "<text x=\"{:.1f}\" y=\"{}\" class=\"t\" text-anchor=\"middle\">{}</text>\n",
          x + w / 2, kH - 10, esc(bars[i].first));
    }
  }
  put(b, "</svg></figure>\n");
}

template <typename T>
std::vector<T> thin(const std::vector<T>& v, std::size_t max_n) {
  if (v.size() <= max_n) return v;
  std::vector<T> o;
  const double step = static_cast<double>(v.size()) / static_cast<double>(max_n);
  for (std::size_t i = 0; i < max_n; ++i) o.push_back(v[static_cast<std::size_t>(static_cast<double>(i) * step)]);
  o.push_back(v.back());
  return o;
}

struct Row {
  const char* name;
  std::string (*get)(const InstrumentKpis&);
};

const Row kRows[] = {
    {"Two-sided uptime", [](const InstrumentKpis& k) { return pct(k.uptime_two_sided); }},
    {"Bid uptime", [](const InstrumentKpis& k) { return pct(k.uptime_bid); }},
    {"Ask uptime", [](const InstrumentKpis& k) { return pct(k.uptime_ask); }},
    {"Observed time (s)", [](const InstrumentKpis& k) { return f2(static_cast<double>(k.observed_ns) * 1e-9); }},
    {"Quoted spread mean (ticks)", [](const InstrumentKpis& k) { return f2(k.spread.mean_ticks); }},
    {"Quoted spread p50 / p90 (ticks)", [](const InstrumentKpis& k) { return f2(k.spread.p50_ticks) + " / " + f2(k.spread.p90_ticks); }},
    {"Quoted spread mean (bps)", [](const InstrumentKpis& k) { return f2(k.spread.mean_bps); }},
    {"Quoted spread p50 / p90 (bps)", [](const InstrumentKpis& k) { return f2(k.spread.p50_bps) + " / " + f2(k.spread.p90_bps); }},
    {"Depth +-1 % ours / market (lots)", [](const InstrumentKpis& k) { return f2(k.our_depth[0]) + " / " + f2(k.mkt_depth[0]); }},
    {"Depth +-1 % our share", [](const InstrumentKpis& k) { return pct(k.depth_share[0]); }},
    {"Depth +-2 % ours / market (lots)", [](const InstrumentKpis& k) { return f2(k.our_depth[1]) + " / " + f2(k.mkt_depth[1]); }},
    {"Depth +-2 % our share", [](const InstrumentKpis& k) { return pct(k.depth_share[1]); }},
    {"Volume traded (lots)", [](const InstrumentKpis& k) { return fmt::format("{}", k.volume_lots); }},
    {"Volume traded (notional)", [](const InstrumentKpis& k) { return f2(k.volume_notional); }},
    {"Market volume (lots)", [](const InstrumentKpis& k) { return fmt::format("{}", k.market_volume_lots); }},
    {"Share of market volume", [](const InstrumentKpis& k) { return pct(k.volume_share); }},
    {"Fills", [](const InstrumentKpis& k) { return fmt::format("{}", k.fills); }},
    {"Fill rate (orders filled / accepted)", [](const InstrumentKpis& k) { return pct(k.fill_rate) + fmt::format(" ({}/{})", k.orders_filled, k.orders_accepted); }},
    {"Maker / taker lots", [](const InstrumentKpis& k) { return fmt::format("{} / {}", k.maker_lots, k.taker_lots); }},
    {"Realised PnL", [](const InstrumentKpis& k) { return f2(k.realised_pnl); }},
    {"Unrealised PnL (marked to mid)", [](const InstrumentKpis& k) { return f2(k.unrealised_pnl); }},
    {"Fees", [](const InstrumentKpis& k) { return f4(k.fees); }},
    {"Net PnL", [](const InstrumentKpis& k) { return f2(k.net_pnl); }},
    {"Max drawdown", [](const InstrumentKpis& k) { return f2(k.max_drawdown); }},
    {"Inventory final (max / min)", [](const InstrumentKpis& k) { return fmt::format("{} ({} / {})", k.position_final, k.position_max, k.position_min); }},
    {"Inventory mean |position|", [](const InstrumentKpis& k) { return f2(k.position_mean_abs); }},
    {"Post-only rejects", [](const InstrumentKpis& k) { return fmt::format("{}", k.exchange_rejects[static_cast<std::size_t>(ExchReject::kPostOnly)]); }},
};

const char* kDefinitions = R"(<dl>
<dt>Observed time</dt><dd>Exchange (capture) time during which the replayed book of the instrument had both sides, ask above bid. Every time-weighted figure below is weighted over it.</dd>
<dt>Two-sided uptime</dt><dd>Share of observed time during which we had a bid and an ask resting at the simulated exchange, each within the configured distance of mid (<code>uptime_max_distance_bps</code>, exactly: |mid - price| x 10000 &le; bps x mid).</dd>
<dt>Bid / ask uptime</dt><dd>The same for one side alone.</dd>
<dt>Quoted spread</dt><dd>Our best resting ask minus our best resting bid, while both rest (any distance), in ticks and in basis points of mid; time-weighted mean, and time-weighted p50 / p90 (the smallest value whose cumulative time reaches 50 % / 90 %; bps values are binned to 0.01 bps).</dd>
<dt>Depth within +-1 % / +-2 %</dt><dd>Time-weighted mean of the lots resting within 1 % (2 %) of mid, both sides together: ours (orders at the simulated exchange) and the market's (the replayed displayed outright book; implied levels and levels past the feed's depth are not counted). Our share = ours / (ours + market).</dd>
<dt>Volume traded, share of market volume</dt><dd>Lots we were filled (and their notional: price x lots x multiplier), and that divided by the lots of the capture's trade summaries (42/48) for the instrument. Our fills are simulated and do not remove the market's own trades.</dd>
<dt>Fills, fill rate</dt><dd>Fill reports from the simulated exchange (a partial fill counts once); fill rate = orders with at least one fill / orders the exchange accepted (Replaces of an order count as the same order).</dd>
<dt>Realised and unrealised PnL, fees, net PnL</dt><dd>Average-cost accounting in currency (price x multiplier): a fill that reduces |position| realises (fill price - average cost) on the closed lots; unrealised = position x (mid - average cost), at the last mid of a two-sided book. Fees = maker/taker fee per lot x lots (negative = rebate). Net = realised + unrealised - fees. Overall figures are sums over instruments.</dd>
<dt>Max drawdown</dt><dd>Largest fall of net PnL from its running peak, evaluated at every fill and every market change (overall: of the sum over instruments).</dd>
<dt>Inventory</dt><dd>Position in lots at the exchange (fills at exchange time), from the configured start position: final, extremes, and time-weighted mean of |position| over observed time.</dd>
<dt>Risk rejections</dt><dd>Order intents refused by the pre-trade risk gate, by reason (docs/risk.md). Post-only rejects are the simulated exchange's: a New/Replace that would have crossed the book on arrival.</dd>
<dt>Tick-to-quote latency (software model)</dt><dd>Wall-clock time from submitting one frame to the Driver to collecting its first quote record, for frames that produced records. Measured on this machine in this run: it is not deterministic and is kept out of the KPI JSON (see <code>--latency-json</code>).</dd>
</dl>
)";

}  // namespace

void write_html_report(std::FILE* f, const BacktestRunInfo& run, const KpiReport& r,
                       const KpiConfig& cfg, const LatencyHistogram& lat) {
  fmt::memory_buffer b;
  put(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
         "<title>ttq backtest report</title>\n<style>\n"
         "body{{font-family:sans-serif;margin:1.5em;color:#222;max-width:1100px}}\n"
         "table{{border-collapse:collapse;font-size:13px}}td,th{{border:1px solid #ccc;"
         "padding:3px 8px;text-align:right}}th:first-child,td:first-child{{text-align:left}}\n"
         "figure{{margin:1em 0}}figcaption{{font-weight:bold;font-size:13px}}"
         ".t{{font-size:11px;fill:#444}}\n"
         "dt{{font-weight:bold;margin-top:.5em}}code{{background:#eee}}\n"
         ".key span{{display:inline-block;width:12px;height:4px;margin:0 4px 2px 12px}}\n"
         "</style></head><body>\n");
  put(b, "<h1>ttq backtest report</h1>\n<p>Capture <code>{}</code>, strategy <b>{}</b>, queue "
         "model <b>{}</b>; {} frames, {} quote records, {} orders sent; {:.1f} s of capture "
         "time. Uptime distance {} bps.</p>\n",
      esc(run.capture), esc(run.strategy), esc(run.queue_model), run.frames, run.quotes,
      run.orders_sent,
      static_cast<double>(run.end_ns - std::min(run.start_ns, run.end_ns)) * 1e-9,
      cfg.uptime_max_distance_bps);

  put(b, "<h2>Summary</h2>\n<table><tr><th>KPI</th><th>overall</th>");
  for (const InstrumentKpis& k : r.instruments) put(b, "<th>{}</th>", esc(k.symbol));
  put(b, "</tr>\n");
  for (const Row& row : kRows) {
    put(b, "<tr><td>{}</td><td>{}</td>", row.name, esc(row.get(r.overall)));
    for (const InstrumentKpis& k : r.instruments) put(b, "<td>{}</td>", esc(row.get(k)));
    put(b, "</tr>\n");
  }
  put(b, "</table>\n<h3>Risk rejections by reason</h3>\n<table><tr><th>reason</th><th>count</th></tr>\n");
  for (std::size_t i = 0; i < kRiskRejectCount; ++i) {
    put(b, "<tr><td>{}</td><td>{}</td></tr>\n", to_string(static_cast<RiskReject>(i)),
        r.risk_rejects[i]);
  }
  put(b, "<tr><td>total</td><td>{}</td></tr></table>\n", r.risk_rejected_total);

  const double t0 = static_cast<double>(run.start_ns);
  auto secs = [t0](std::uint64_t t) { return (static_cast<double>(t) - t0) * 1e-9; };
  put(b, "<h2>Charts</h2>\n");
  std::size_t shown = 0;
  for (const InstrumentKpis& k : r.instruments) {
    if (k.observed_ns == 0) continue;
    if (++shown > 8) {
      put(b, "<p>Charts of further instruments omitted (figures are in the table).</p>\n");
      break;
    }
    put(b, "<h3>{} ({})</h3>\n<p class=\"key\"><span style=\"background:#333\"></span>mid"
           "<span style=\"background:#1a7f37\"></span>our best bid"
           "<span style=\"background:#c62828\"></span>our best ask; dots: fills (green buy, red "
           "sell)</p>\n",
        esc(k.symbol), k.security_id);
    const auto smp = thin(k.samples, 1200);
    Series mid{{}, "#333", false}, bid{{}, "#1a7f37", true}, ask{{}, "#c62828", true};
    Series inv{{}, "#1f4e9c", true}, pnl{{}, "#6a1b9a", false};
    std::vector<std::pair<std::string, double>> up;
    for (const KpiSample& s : smp) {
      const double x = secs(s.t_ns);
      if (s.observed) mid.pts.emplace_back(x, s.mid);
      if (s.our_bid > 0) bid.pts.emplace_back(x, s.our_bid);
      if (s.our_ask > 0) ask.pts.emplace_back(x, s.our_ask);
      inv.pts.emplace_back(x, static_cast<double>(s.position));
      pnl.pts.emplace_back(x, s.net_pnl);
    }
    for (const KpiSample& s : thin(k.samples, 200)) {
      up.emplace_back(fmt::format("{:.0f}", secs(s.t_ns)), s.two_sided_share);
    }
    std::vector<Marker> fills;
    for (const KpiFillPoint& p : thin(k.fill_points, 1500)) {
      fills.push_back(Marker{secs(p.t_ns), p.px, p.side == Side::kBuy ? "#1a7f37" : "#c62828"});
    }
    line_chart(b, "Mid, our best bid/ask (sampled each chart interval) and fills", {mid, bid, ask},
               fills, "price");
    line_chart(b, "Inventory (lots)", {inv}, {}, "lots");
    line_chart(b, "Net PnL (marked to mid)", {pnl}, {}, "ccy");
    std::vector<std::pair<std::string, double>> spread;
    const double two = static_cast<double>(k.spread.two_sided_ns);
    std::size_t n = 0;
    for (const auto& [ticks, ns] : k.spread_ticks_ns) {
      if (++n > 60) break;
      spread.emplace_back(fmt::format("{}", ticks), two > 0 ? static_cast<double>(ns) / two : 0);
    }
    bar_chart(b, "Quoted spread distribution (ticks; share of two-sided time)", spread, "#1f4e9c");
    bar_chart(b, "Two-sided uptime timeline (share of each interval; x: seconds)", up, "#1a7f37");
  }

  put(b, "<h3>Tick-to-quote latency of the software model (wall clock, not deterministic)</h3>\n");
  std::vector<std::pair<std::string, double>> lb;
  std::size_t lo = LatencyHistogram::kBuckets, hi = 0;
  for (std::size_t i = 0; i < LatencyHistogram::kBuckets; ++i) {
    if (lat.count[i]) {
      lo = std::min(lo, i);
      hi = std::max(hi, i);
    }
  }
  for (std::size_t i = lo; i <= hi && lo < LatencyHistogram::kBuckets; ++i) {
    lb.emplace_back(fmt::format("<{}ns", std::uint64_t{2} << i), static_cast<double>(lat.count[i]));
  }
  put(b, "<p>{} frames with quote records; mean {} ns, p50 &le; {} ns, p99 &le; {} ns, max {} ns."
         "</p>\n",
      lat.n, lat.n ? lat.sum_ns / lat.n : 0, lat.percentile(0.5), lat.percentile(0.99),
      lat.max_ns);
  bar_chart(b, "Frames per latency bucket (powers of two)", lb, "#555");

  put(b, "<h2>Definitions</h2>\n{}", kDefinitions);
  put(b, "<p>Models and their limits: docs/backtest.md in the ttq source tree.</p>\n"
         "</body></html>\n");
  std::fwrite(b.data(), 1, b.size(), f);
}

}  // namespace ttq
