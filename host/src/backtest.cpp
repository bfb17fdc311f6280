// The backtest's discrete-event loop. Two views of the same capture: the exchange's (a FastPath
// used only for its books and trades, at capture time) and the host's (the Driver, the quoting
// core, fed each frame after the feed latency). Between them: the strategy's cadence, the order
// manager and risk gate, and the simulated exchange with its order and response latencies.
#include "ttq/backtest.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <deque>
#include <limits>
#include <unordered_map>
#include <vector>

#include "ttq/driver.hpp"
#include "ttq/pcap_source.hpp"

namespace ttq {

namespace {

__extension__ typedef __int128 i128;

constexpr std::uint64_t kNever = std::numeric_limits<std::uint64_t>::max();
constexpr std::uint8_t kPullMask =
    kQuotePullStale | kQuotePullHalt | kQuotePullKill | kQuotePullBook;

long read_peak_rss_kb() {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (!f) return 0;
  char line[256];
  long kb = 0;
  while (std::fgets(line, sizeof line, f)) {
    if (std::strncmp(line, "VmHWM:", 6) == 0) kb = std::strtol(line + 6, nullptr, 10);
  }
  std::fclose(f);
  return kb;
}

struct TradeNote {
  std::int32_t security_id;
  std::int64_t px;  // PRICE9
  std::int32_t qty;
};

struct PendingFrame {
  std::uint64_t deliver_ns = 0;
  std::vector<std::uint8_t> bytes;
  std::uint32_t wire_len = 0;
  std::uint64_t ts_ns = 0;
  bool bad_fcs = false;
  std::size_t trades = 0;  // trade notes (front of the trade queue) that belong to this frame
};

class Engine final : public MarketBooks, public ExchangeListener, public PipelineObserver,
                     public StrategyHost {
 public:
  Engine(const BacktestOptions& opt, std::unique_ptr<Driver> driver, const PipelineConfig& pc,
         const PipelineConfig& market_pc)
      : opt_(opt),
        driver_(std::move(driver)),
        market_(market_pc),
        slots_(pc.max_instruments),
        gate_(opt.app.risk, slots_),
        exchange_(opt.bt.exchange, *this),
        om_(gate_, exchange_, slots_),
        kpi_(opt.bt.kpi),
        ready_(slots_, 0),
        last_rec_(slots_ * kMaxLevels),
        has_rec_(slots_ * kMaxLevels, 0),
        held_(slots_ * kMaxLevels, 0),
        last_pass_(slots_, 0),
        fill_block_until_(slots_, 0),
        recs_(4096) {
    gate_.set_kill(opt.app.kill);
    market_.set_observer(this);
    exchange_.set_listener(this);
    switch (opt.bt.strategy) {
      case StrategyKind::kFixed:
        strategy_ = make_fixed_spread(opt.bt.fixed, pc.quoter, opt.app.skew);
        break;
      case StrategyKind::kAvellanedaStoikov:
        strategy_ = make_avellaneda_stoikov(opt.bt.avellaneda_stoikov, pc.quoter);
        break;
      case StrategyKind::kGlft:
        strategy_ = make_glft(opt.bt.glft, pc.quoter);
        break;
    }
    controls_ = strategy_->controls();
  }

  bool run(PcapSource& src, BacktestResult& out, std::string& error);

  // MarketBooks
  const MbpBook* book(std::int32_t id) const override {
    const Instrument* in = market_.find(id);
    return in ? &in->book : nullptr;
  }

  // ExchangeListener: exchange-time reports go to the KPIs at once.
  void on_exec(const ExecReport& r) override {
    kpi_.on_exec(r);
    mark(r.security_id);
  }

  // PipelineObserver (the exchange's view of the capture).
  void on_book_entry(const mdp3::MsgCtx&, std::uint32_t, const mdp3::BookEntry& e) override {
    mark(e.security_id);
  }
  void on_trade(const mdp3::MsgCtx& m, const Instrument& in, const mdp3::TradeEntry& t) override {
    const std::int64_t px = mdp3::to_price9(t.price, m.template_id);
    ensure_kpi(in);
    exchange_.on_trade(ex_now_, in.security_id, px, t.size, t.aggressor);
    kpi_.on_market_trade(in.security_id, t.size);
    trades_.push_back(TradeNote{in.security_id, px, t.size});
    ++frame_trades_;
    ++market_trades_;
    mark(in.security_id);
  }

  // StrategyHost (the host's view: the Driver and the order manager's positions).
  bool top(std::int32_t id, PublishedTop& out) override { return driver_->top_of_book(id, out); }
  std::int64_t tick(std::int32_t id) override {
    Driver::InstrumentInfo ii;
    return driver_->instrument_info(id, ii) ? ii.tick : 0;
  }
  std::int64_t position(std::int32_t id) override {
    const auto it = slot_of_.find(id);
    if (it != slot_of_.end() && ready_[it->second]) return gate_.position(it->second);
    Driver::InstrumentInfo ii;
    return driver_->instrument_info(id, ii) ? ii.position : 0;
  }
  const char* set_params(std::int32_t id, const QuoterParams& p) override {
    return driver_->set_params(id, p);
  }
  void set_skew(std::int32_t id, const SkewRegs& s) override { driver_->set_skew(id, s); }

 private:
  void mark(std::int32_t id) {
    if (std::find(dirty_.begin(), dirty_.end(), id) == dirty_.end()) dirty_.push_back(id);
  }
  void ensure_kpi(const Instrument& in) {
    if (!kpi_.known(in.security_id)) {
      kpi_.add_instrument(in.security_id, in.symbol, in.tick, in.multiplier, in.start_position);
    }
  }
  void update_kpis(std::uint64_t t);
  void run_until(std::uint64_t t);
  void deliver_frame();
  void on_reports(std::uint64_t t);
  void on_timer(std::uint64_t t);
  void drain(bool timed, std::chrono::steady_clock::time_point t0);
  void handle_record(const QuoteRecord& q);
  void pass(const QuoteRecord& q);
  MarketRef ref(std::int32_t id);
  bool gate_open(std::uint16_t slot) const {
    if (now_ < fill_block_until_[slot]) return false;
    return controls_.refresh_ns == 0 || now_ >= last_pass_[slot] + controls_.refresh_ns;
  }

  const BacktestOptions& opt_;
  std::unique_ptr<Driver> driver_;
  FastPath market_;
  std::size_t slots_;
  RiskGate gate_;
  SimExchange exchange_;
  OrderManager om_;
  KpiRecorder kpi_;
  std::unique_ptr<Strategy> strategy_;
  OrderControls controls_;

  std::vector<std::uint8_t> ready_;
  std::unordered_map<std::int32_t, std::uint16_t> slot_of_;
  std::vector<std::int32_t> strategy_ids_;  // instruments the Driver knows (strategy's list)
  std::vector<QuoteRecord> last_rec_;       // latest record per (slot, level)
  std::vector<std::uint8_t> has_rec_, held_;
  std::vector<std::uint64_t> last_pass_, fill_block_until_;
  std::unordered_map<std::uint64_t, std::uint64_t> born_;  // order id -> first seen (max age)
  std::vector<QuoteRecord> recs_;

  std::deque<PendingFrame> pending_;
  std::vector<std::vector<std::uint8_t>> spare_;  // recycled frame buffers
  std::deque<TradeNote> trades_;
  std::size_t frame_trades_ = 0;
  std::vector<std::int32_t> dirty_;

  std::uint64_t ex_now_ = 0;  // exchange time of the frame being processed
  std::uint64_t now_ = 0;     // host time of the event being handled
  std::uint64_t start_ns_ = 0;
  std::uint64_t next_timer_ = kNever;
  std::uint64_t last_deliver_ = 0;
  std::uint64_t market_trades_ = 0, timer_ticks_ = 0;
  LatencyHistogram lat_;
};

MarketRef Engine::ref(std::int32_t id) {
  PublishedTop top;
  MarketRef r;
  if (driver_->top_of_book(id, top)) {
    r.stale = top.stale;
    if (top.bid && top.ask) {
      r.has_ref = true;
      r.ref_px = top.tob.bid_px + (top.tob.ask_px - top.tob.bid_px) / 2;
    }
  }
  return r;
}

void Engine::update_kpis(std::uint64_t t) {
  for (std::int32_t id : dirty_) {
    const Instrument* in = market_.find(id);
    if (!in) continue;
    ensure_kpi(*in);
    KpiState s;
    const TopOfBook top = in->book.top();
    s.has_mid = top.bid_sz > 0 && top.ask_sz > 0 && top.ask_px > top.bid_px;
    s.mid2 = s.has_mid ? top.bid_px + top.ask_px : 0;
    for (const RestingOrder& o : exchange_.resting()) {
      if (o.security_id != id || o.leaves <= 0) continue;
      if (o.side == Side::kBuy) {
        if (!s.bid_live || o.px > s.our_bid) s.our_bid = o.px;
        s.bid_live = true;
      } else {
        if (!s.ask_live || o.px < s.our_ask) s.our_ask = o.px;
        s.ask_live = true;
      }
      if (s.has_mid) {
        for (std::size_t b = 0; b < kDepthBandsBps.size(); ++b) {
          const i128 d = static_cast<i128>(s.mid2) - 2 * static_cast<i128>(o.px);
          if ((d < 0 ? -d : d) * 10000 <= static_cast<i128>(kDepthBandsBps[b]) * s.mid2) {
            s.our_depth[b] += o.leaves;
          }
        }
      }
    }
    if (s.has_mid) {
      for (const BookSide* side : {&in->book.bids(), &in->book.asks()}) {
        for (std::uint32_t n = 1; n <= in->book.depth(); ++n) {
          if (!side->has(n)) continue;
          const Level& l = side->level[n - 1];
          const i128 d = static_cast<i128>(s.mid2) - 2 * static_cast<i128>(l.px);
          for (std::size_t b = 0; b < kDepthBandsBps.size(); ++b) {
            if ((d < 0 ? -d : d) * 10000 <= static_cast<i128>(kDepthBandsBps[b]) * s.mid2) {
              s.mkt_depth[b] += l.sz;
            }
          }
        }
      }
    }
    kpi_.update(t, id, s);
  }
  dirty_.clear();
}

void Engine::pass(const QuoteRecord& q) {
  om_.on_quote(q, ref(q.security_id), now_);
}

void Engine::handle_record(const QuoteRecord& q) {
  if (q.slot >= slots_ || q.level >= kMaxLevels) {
    pass(q);  // counted as dropped by the order manager
    return;
  }
  if (!ready_[q.slot]) {  // first record of this instrument: register it with the gate
    ready_[q.slot] = 1;
    Driver::InstrumentInfo ii;
    driver_->instrument_info(q.security_id, ii);
    gate_.set_instrument(q.slot, InstrumentRiskInfo{q.security_id, ii.tick, ii.multiplier});
    gate_.set_position(q.slot, ii.position);
    slot_of_[q.security_id] = q.slot;
  }
  const std::size_t k = std::size_t{q.slot} * kMaxLevels + q.level;
  last_rec_[k] = q;
  has_rec_[k] = 1;
  const bool pull_or_cancel =
      (q.flags & kPullMask) != 0 || (q.flags & (kQuoteBidLive | kQuoteAskLive)) == 0;
  if (pull_or_cancel || gate_open(q.slot)) {
    pass(q);
    held_[k] = 0;
    if (!pull_or_cancel && controls_.refresh_ns) last_pass_[q.slot] = now_;
  } else {
    held_[k] = 1;  // sent at the next cadence tick where the slot's gate is open
  }
}

void Engine::drain(bool timed, std::chrono::steady_clock::time_point t0) {
  bool first = true;
  for (;;) {
    const std::size_t n = driver_->collect(recs_);
    if (first && timed && n > 0) {
      const auto dt = std::chrono::steady_clock::now() - t0;
      lat_.add(static_cast<std::uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(dt).count()));
    }
    first = false;
    if (n == 0) break;
    for (std::size_t i = 0; i < n; ++i) handle_record(recs_[i]);
  }
}

void Engine::deliver_frame() {
  PendingFrame pf = std::move(pending_.front());
  pending_.pop_front();
  now_ = pf.deliver_ns;
  // The frame's trades reach the strategy with the frame, before its book changes.
  for (std::size_t i = 0; i < pf.trades; ++i) {
    const TradeNote t = trades_.front();
    trades_.pop_front();
    strategy_->on_trade(now_, t.security_id, t.px, t.qty, *this);
  }
  const Frame f{pf.bytes.data(), static_cast<std::uint32_t>(pf.bytes.size()), pf.wire_len,
                pf.ts_ns, pf.bad_fcs};
  const auto t0 = std::chrono::steady_clock::now();
  driver_->submit(std::span<const Frame>(&f, 1));
  drain(true, t0);
  spare_.push_back(std::move(pf.bytes));
}

void Engine::on_reports(std::uint64_t t) {
  now_ = t;
  ExecReport r;
  while (exchange_.pop_report(t, r)) {
    switch (r.kind) {
      case ExecKind::kFill: {
        om_.on_execution(r.slot, r.level, r.side, r.order_id, r.version, r.qty, r.px, r.leaves);
        if (controls_.filled_delay_ns && r.slot < slots_) {
          fill_block_until_[r.slot] = now_ + controls_.filled_delay_ns;
        }
        strategy_->on_fill(StrategyFill{now_, r.security_id, r.side, r.qty, r.px}, *this);
        break;
      }
      case ExecKind::kReject:
        om_.on_venue_reject(r.slot, r.level, r.side, r.order_id, r.version);
        break;
      case ExecKind::kAccepted:
      case ExecKind::kCancelled:
        break;
    }
  }
  drain(false, {});
}

void Engine::on_timer(std::uint64_t t) {
  now_ = t;
  ++timer_ticks_;
  // The strategy's list: every instrument the Driver knows by now.
  for (const Instrument& in : market_.instruments()) {
    if (std::find(strategy_ids_.begin(), strategy_ids_.end(), in.security_id) !=
        strategy_ids_.end()) {
      continue;
    }
    Driver::InstrumentInfo ii;
    if (driver_->instrument_info(in.security_id, ii)) strategy_ids_.push_back(in.security_id);
  }
  strategy_->on_timer(t, strategy_ids_, *this);
  drain(false, {});
  // Held changes, orders a fill or a venue reject removed, orders past their age: the latest
  // record of each level goes (again) to the order manager, which sends only what is missing.
  for (std::size_t k = 0; k < has_rec_.size(); ++k) {
    if (!has_rec_[k]) continue;
    const QuoteRecord& q = last_rec_[k];
    if (!gate_open(q.slot)) continue;
    if (controls_.max_order_age_ns) {
      bool old = false;
      for (Side side : {Side::kBuy, Side::kSell}) {
        if (const auto* wo = om_.working(q.slot, q.level, side)) {
          const auto [it, fresh] = born_.try_emplace(wo->order_id, t);
          if (!fresh && t - it->second >= controls_.max_order_age_ns) old = true;
        }
      }
      if (old) {
        for (Side side : {Side::kBuy, Side::kSell}) {
          if (const auto* wo = om_.working(q.slot, q.level, side)) born_.erase(wo->order_id);
        }
        pass(QuoteRecord{0, 0, 0, 0, q.security_id, q.seq, q.slot, q.level, 0, 0});
      }
    }
    const bool changed = held_[k] != 0;
    pass(q);
    held_[k] = 0;
    if (changed && controls_.refresh_ns) last_pass_[q.slot] = t;
  }
}

void Engine::run_until(std::uint64_t t_limit) {
  for (;;) {
    const std::uint64_t ta = exchange_.next_arrival();
    const std::uint64_t tr = exchange_.next_report();
    const std::uint64_t tf = pending_.empty() ? kNever : pending_.front().deliver_ns;
    const std::uint64_t tt = next_timer_;
    const std::uint64_t t = std::min({ta, tr, tf, tt});
    if (t == kNever || t > t_limit) return;
    // Same time: orders reach the exchange, then reports the host, then the cadence, then data.
    if (ta == t) {
      exchange_.advance_to(t);
      update_kpis(t);
    } else if (tr == t) {
      on_reports(t);
    } else if (tt == t) {
      on_timer(t);
      next_timer_ = t + opt_.bt.cadence_ns;
    } else {
      deliver_frame();
    }
  }
}

bool Engine::run(PcapSource& src, BacktestResult& out, std::string& error) {
  const auto wall0 = std::chrono::steady_clock::now();
  Frame f{};
  bool started = false;
  while (src.next(f)) {
    const std::uint64_t t = std::max(f.ts_ns, ex_now_);
    if (!started) {
      started = true;
      start_ns_ = t;
      exchange_.set_start_ns(t);
      next_timer_ = t + opt_.bt.cadence_ns;
    }
    run_until(t);
    ex_now_ = t;
    frame_trades_ = 0;
    market_.process(f);
    for (std::int32_t id : dirty_) exchange_.on_book(t, id);
    update_kpis(t);

    PendingFrame pf;
    if (!spare_.empty()) {
      pf.bytes = std::move(spare_.back());
      spare_.pop_back();
    }
    pf.bytes.assign(f.data, f.data + f.len);
    pf.wire_len = f.wire_len;
    pf.ts_ns = f.ts_ns;
    pf.bad_fcs = f.bad_fcs;
    pf.trades = frame_trades_;
    // One feed: frames reach the host in capture order.
    pf.deliver_ns = std::max(t + opt_.bt.feed_latency.at(t - start_ns_), last_deliver_);
    last_deliver_ = pf.deliver_ns;
    pending_.push_back(std::move(pf));
  }
  if (!src.error().empty()) {
    error = src.error();
    return false;
  }
  // End of the capture: held packets are released at the last frame's time.
  frame_trades_ = 0;
  market_.finish();
  for (std::int32_t id : dirty_) exchange_.on_book(ex_now_, id);
  update_kpis(ex_now_);
  if (frame_trades_ && !pending_.empty()) pending_.back().trades += frame_trades_;
  const std::uint64_t t_end = std::max(last_deliver_, ex_now_);
  run_until(t_end);
  now_ = t_end;
  driver_->finish();
  drain(false, {});
  exchange_.advance_to(t_end);
  update_kpis(t_end);

  for (const Instrument& in : market_.instruments()) ensure_kpi(in);
  out.kpis = kpi_.finish(t_end, gate_.counters());
  for (InstrumentKpis& k : out.kpis.instruments) {  // definitions may have come after first sight
    if (const Instrument* in = market_.find(k.security_id); in && in->symbol[0]) k.symbol = in->symbol;
  }
  out.latency = lat_;
  out.pipeline = driver_->counters();
  out.risk = gate_.counters();
  out.orders = om_.counters();
  out.exchange = exchange_.counters();
  out.market_book_entries = market_.counters().book_entries;
  out.market_trades = market_trades_;
  out.strategy_ticks = timer_ticks_;
  out.run.strategy = strategy_->name();
  out.run.queue_model =
      opt_.bt.exchange.queue == QueueModel::kProbabilistic ? "probabilistic" : "conservative";
  out.run.frames = out.pipeline.frames;
  out.run.quotes = out.pipeline.quotes;
  out.run.orders_sent = out.orders.accepted[0] + out.orders.accepted[1] + out.orders.accepted[2];
  out.run.start_ns = start_ns_;
  out.run.end_ns = t_end;
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  out.peak_rss_kb = read_peak_rss_kb();
  return true;
}

}  // namespace

bool run_backtest(const BacktestOptions& opt, BacktestResult& out, std::string& error) {
  auto src = PcapSource::open(opt.capture, error);
  if (!src) return false;
  PipelineConfig pc = opt.app.pipeline;
  for (InstrumentConfig& ic : pc.instruments) ic.skew = compute_skew(ic.position, opt.app.skew);
  auto driver = make_driver(opt.backend, pc, error);
  if (!driver) return false;
  // The exchange's view decodes the same lines but quotes nothing.
  PipelineConfig market = pc;
  market.quote_all = false;
  for (InstrumentConfig& ic : market.instruments) ic.quote = false;
  market.quote_queue = 16;
  auto engine = std::make_unique<Engine>(opt, std::move(driver), pc, market);
  out.run.capture = opt.capture;
  out.cut_through = pc.cut_through;
  out.commit_auto = pc.commit_auto;
  if (!engine->run(*src, out, error)) {
    error = "reading '" + opt.capture + "': " + error;
    return false;
  }
  return true;
}

void print_backtest_summary(std::FILE* f, const BacktestResult& r) {
  const InstrumentKpis& o = r.kpis.overall;
  auto line = [f](const char* name, const std::string& v) {
    std::fprintf(f, "  %-28s %s\n", name, v.c_str());
  };
  std::fprintf(f, "ttq backtest summary (strategy %s, queue %s)\n", r.run.strategy.c_str(),
               r.run.queue_model.c_str());
  line("commit", fmt::format("{}{}", r.cut_through ? "cut_through" : "verdict",
                             r.commit_auto ? " (feed.commit = auto)" : ""));
  line("frames", fmt::format("{}", r.pipeline.frames));
  line("book entries (exchange view)", fmt::format("{}", r.market_book_entries));
  line("trades replayed", fmt::format("{}", r.market_trades));
  line("strategy ticks", fmt::format("{}", r.strategy_ticks));
  line("quote records", fmt::format("{}", r.pipeline.quotes));
  line("orders new/replace/cancel",
       fmt::format("{}/{}/{}", r.orders.accepted[0], r.orders.accepted[1], r.orders.accepted[2]));
  line("risk rejections", fmt::format("{}", r.risk.rejected_total));
  line("post-only rejects", fmt::format("{}", r.exchange.rejected[1]));
  line("fills", fmt::format("{} ({} lots)", r.exchange.fills, r.exchange.filled_lots));
  line("two-sided uptime", fmt::format("{:.2f} %", 100 * o.uptime_two_sided));
  line("quoted spread mean", fmt::format("{:.2f} bps", o.spread.mean_bps));
  line("volume share", fmt::format("{:.2f} %", 100 * o.volume_share));
  line("net PnL", fmt::format("{:.2f}", o.net_pnl));
  line("max drawdown", fmt::format("{:.2f}", o.max_drawdown));
  line("tick-to-quote p50 (model)", fmt::format("<= {} ns", r.latency.percentile(0.5)));
  line("seconds", fmt::format("{:.3f}", r.seconds));
  line("book entries/s",
       fmt::format("{:.2f} M/s", r.seconds > 0 ? static_cast<double>(r.market_book_entries) /
                                                     r.seconds / 1e6
                                               : 0.0));
  line("peak RSS", fmt::format("{} KiB", r.peak_rss_kb));
}

}  // namespace ttq
