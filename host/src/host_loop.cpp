// The host loop: the per-burst work shared by `ttq replay` and `ttq run` (and the summary both
// print). Allocation-free per burst: every buffer is sized at create().
#include "ttq/host_loop.hpp"

#include <cstring>

#include "ttq/jsonl.hpp"

namespace ttq {

long peak_rss_kb() {
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

std::unique_ptr<HostLoop> HostLoop::create(const HostLoopOptions& opt, std::string& error) {
  PipelineConfig pc = opt.config.pipeline;
  for (InstrumentConfig& ic : pc.instruments) ic.skew = compute_skew(ic.position, opt.config.skew);
  auto driver = make_driver(opt.backend, pc, error);
  if (!driver) return nullptr;
  return std::unique_ptr<HostLoop>(new HostLoop(opt, std::move(driver)));
}

HostLoop::HostLoop(const HostLoopOptions& opt, std::unique_ptr<Driver> d)
    : opt_(opt),
      driver_(std::move(d)),
      slots_(opt_.config.pipeline.max_instruments),
      gate_(opt_.config.risk, slots_),
      venue_(opt_.orders_out),
      om_(gate_, venue_, slots_),
      ready_(slots_, 0),
      recs_(4096),
      t0_(std::chrono::steady_clock::now()),
      last_status_(t0_),
      engine_{*driver_,
              gate_,
              om_,
              venue_,
              opt_.config,
              opt_.backend,
              std::chrono::system_clock::now(),
              std::span<const LineConfig>(opt_.config.pipeline.lines),
              loop_,
              source_,
              now_ns_} {
  gate_.set_kill(opt_.config.kill);
  qbuf_.reserve(1u << 17);
}

HostLoop::~HostLoop() = default;

void HostLoop::on_burst(std::span<const Frame> frames, std::uint64_t now_ns) {
  if (frames.empty()) return;
  now_ns_ = now_ns;
  ++loop_.bursts;
  loop_.frames += frames.size();
  driver_->submit(frames);
  drain();
}

void HostLoop::drain() {
  std::FILE* qout = opt_.quotes_out;
  for (;;) {
    const std::size_t n = driver_->collect(recs_);
    if (n == 0) break;
    loop_.records += n;
    for (std::size_t i = 0; i < n; ++i) {
      const QuoteRecord& q = recs_[i];
      if (qout) append_quote_json(qbuf_, q);
      if (q.slot >= slots_) continue;
      if (!ready_[q.slot]) {  // first quote of this instrument: register it with the gate
        ready_[q.slot] = 1;
        Driver::InstrumentInfo ii;
        driver_->instrument_info(q.security_id, ii);
        gate_.set_instrument(q.slot, InstrumentRiskInfo{q.security_id, ii.tick, ii.multiplier});
        gate_.set_position(q.slot, ii.position);
      }
      PublishedTop top;
      MarketRef ref;
      if (driver_->top_of_book(q.security_id, top)) {
        ref.stale = top.stale;
        if (top.bid && top.ask) {
          ref.has_ref = true;
          ref.ref_px = top.tob.bid_px + (top.tob.ask_px - top.tob.bid_px) / 2;
        }
      }
      om_.on_quote(q, ref, now_ns_);
    }
    if (qout && qbuf_.size() > (1u << 16)) {
      std::fwrite(qbuf_.data(), 1, qbuf_.size(), qout);
      qbuf_.clear();
    }
  }
}

void HostLoop::finish() {
  driver_->finish();
  drain();
  if (opt_.control) opt_.control->service(engine_);
  if (opt_.quotes_out) {
    std::fwrite(qbuf_.data(), 1, qbuf_.size(), opt_.quotes_out);
    qbuf_.clear();
    std::fflush(opt_.quotes_out);
  }
  if (opt_.orders_out) std::fflush(opt_.orders_out);
}

void HostLoop::maybe_status() {
  const auto now = std::chrono::steady_clock::now();
  if (now - last_status_ < opt_.status_every) return;
  status_line(opt_.status_out);
}

void HostLoop::status_line(std::FILE* f) {
  const auto now = std::chrono::steady_clock::now();
  const double dt = std::chrono::duration<double>(now - last_status_).count();
  const double up = std::chrono::duration<double>(now - t0_).count();
  const PipelineCounters& c = driver_->counters();
  const double rate = dt > 0 ? static_cast<double>(c.frames - last_frames_) / dt : 0.0;
  const double qrate = dt > 0 ? static_cast<double>(c.quotes - last_quotes_) / dt : 0.0;
  std::uint64_t dropped = 0;
  for (std::uint64_t d : c.frame_drops) dropped += d;
  std::fprintf(f,
               "ttq %.1fs: %.3f Mfr/s %.0f q/s | frames %llu bad %llu | gaps %llu lost %llu | "
               "stale %llu | quotes %llu | orders %llu rejected %llu | kill %s | missed %llu\n",
               up, rate / 1e6, qrate, static_cast<unsigned long long>(c.frames),
               static_cast<unsigned long long>(dropped),
               static_cast<unsigned long long>(c.arb.gaps),
               static_cast<unsigned long long>(c.arb.lost),
               static_cast<unsigned long long>(c.stale_events),
               static_cast<unsigned long long>(c.quotes),
               static_cast<unsigned long long>(venue_.sent()),
               static_cast<unsigned long long>(gate_.rejected_total()), to_string(gate_.kill()),
               static_cast<unsigned long long>(source_.rx_missed));
  std::fflush(f);
  ++loop_.status_lines;
  last_status_ = now;
  last_frames_ = c.frames;
  last_quotes_ = c.quotes;
}

LoopResult HostLoop::result() {
  LoopResult r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
  r.pipeline = driver_->counters();
  r.risk = gate_.counters();
  r.orders = om_.counters();
  r.loop = loop_;
  if (opt_.control) r.loop.control_tasks = opt_.control->executed();
  r.source = source_;
  r.venue_sent = venue_.sent();
  r.peak_rss_kb = peak_rss_kb();
  r.cut_through = opt_.config.pipeline.cut_through;
  r.commit_auto = opt_.config.pipeline.commit_auto;
  return r;
}

namespace {

const char* template_name(std::size_t t) {
  switch (t) {
    case 4: return "ChannelReset";
    case 12: return "AdminHeartbeat";
    case 27: return "InstrumentDefinitionFuture(27)";
    case 30: return "SecurityStatus";
    case 32: return "IncrementalRefreshBook(32)";
    case 33: return "DailyStatistics(33)";
    case 34: return "LimitsBanding(34)";
    case 35: return "SessionStatistics(35)";
    case 37: return "Volume";
    case 38: return "SnapshotFullRefresh(38)";
    case 42: return "TradeSummary(42)";
    case 46: return "IncrementalRefreshBook";
    case 47: return "OrderBook(MBO)";
    case 48: return "TradeSummary";
    case 49: return "DailyStatistics";
    case 50: return "LimitsBanding";
    case 51: return "SessionStatistics";
    case 52: return "SnapshotFullRefresh";
    case 54: return "InstrumentDefinitionFuture";
    default: return "other";
  }
}

void line(std::FILE* f, const char* name, std::uint64_t v) {
  std::fprintf(f, "  %-28s %llu\n", name, static_cast<unsigned long long>(v));
}

}  // namespace

void print_loop_summary(std::FILE* f, const char* title, const std::string& backend,
                        const LoopResult& r, bool with_source) {
  const PipelineCounters& c = r.pipeline;
  std::fprintf(f, "ttq %s summary (backend %s)\n", title, backend.c_str());
  std::fprintf(f, "  %-28s %s%s\n", "commit", r.cut_through ? "cut_through" : "verdict",
               r.commit_auto ? " (feed.commit = auto)" : "");
  if (with_source) {
    const SourceCounters& s = r.source;
    std::fprintf(f, "receive\n");
    line(f, "rx packets", s.rx_packets);
    line(f, "rx bytes", s.rx_bytes);
    line(f, "rx missed (no descriptor)", s.rx_missed);
    line(f, "rx errors", s.rx_errors);
    line(f, "rx oversize (not taken)", s.oversize);
    if (s.ring_full) line(f, "split ring full", s.ring_full);
    line(f, "bursts", r.loop.bursts);
    line(f, "control tasks", r.loop.control_tasks);
  }
  std::fprintf(f, "frames\n");
  line(f, "frames", c.frames);
  line(f, "bytes", c.bytes);
  for (std::size_t i = 0; i < c.frame_drops.size(); ++i) {
    if (c.frame_drops[i]) {
      line(f, fmt::format("dropped.{}", to_string(static_cast<FrameDrop>(i))).c_str(),
           c.frame_drops[i]);
    }
  }
  std::fprintf(f, "packets\n");
  line(f, "packets validated", c.packets);
  for (std::size_t i = 1; i < c.malformed.size(); ++i) {
    if (c.malformed[i]) {
      line(f, fmt::format("malformed.{}", mdp3::to_string(static_cast<mdp3::MsgError>(i))).c_str(),
           c.malformed[i]);
    }
  }
  if (c.malformed_oversize) line(f, "malformed.too many events", c.malformed_oversize);
  if (c.oversize_packets) line(f, "oversize packets", c.oversize_packets);
  line(f, "applied (in sequence)", c.arb.applied);
  line(f, "duplicates dropped (A/B)", c.arb.duplicates);
  line(f, "held for reordering", c.arb.held);
  line(f, "gaps", c.arb.gaps);
  line(f, "packets lost", c.arb.lost);
  if (c.arb.oversize) line(f, "too large to hold", c.arb.oversize);
  line(f, "snapshot packets", c.snapshot_packets);
  if (c.definition_packets) line(f, "definition packets", c.definition_packets);
  std::fprintf(f, "messages by template\n");
  for (std::size_t t = 0; t < c.messages_by_template.size(); ++t) {
    if (c.messages_by_template[t]) {
      line(f, fmt::format("{:>3} {}", t, template_name(t)).c_str(), c.messages_by_template[t]);
    }
  }
  if (c.messages_other) line(f, "other (id >= 64)", c.messages_other);
  std::fprintf(f, "book\n");
  line(f, "book entries", c.book_entries);
  line(f, "entries beyond depth", c.entries_beyond_depth);
  line(f, "entries already in book", c.entries_old_rpt);
  line(f, "rpt_seq gaps", c.rpt_gaps);
  line(f, "book corrupt", c.book_corrupt);
  line(f, "stale events", c.stale_events);
  line(f, "suspect events", c.suspect_events);
  line(f, "snapshot recoveries", c.recoveries);
  line(f, "snapshots ignored", c.snapshots_ignored);
  line(f, "channel resets", c.channel_resets);
  if (c.seq_restarts) line(f, "MsgSeqNum restarts", c.seq_restarts);
  line(f, "definitions", c.definitions);
  line(f, "halts", c.halts);
  line(f, "top-of-book changes", c.tob_changes);
  if (c.instrument_table_full) line(f, "instrument table full", c.instrument_table_full);
  if (c.unknown_instruments) line(f, "unknown instruments", c.unknown_instruments);
  if (c.tick_mismatches) line(f, "tick != definition's", c.tick_mismatches);
  if (c.spec_undone) line(f, "packets undone (cut-through)", c.spec_undone);
  std::fprintf(f, "quotes and orders\n");
  line(f, "quotes", c.quotes);
  if (c.quote_overflow) line(f, "quote queue overflow", c.quote_overflow);
  const OrderManagerCounters& o = r.orders;
  line(f, "order intents new", o.intents[0]);
  line(f, "order intents replace", o.intents[1]);
  line(f, "order intents cancel", o.intents[2]);
  line(f, "orders sent to venue", r.venue_sent);
  line(f, "risk rejections", r.risk.rejected_total);
  for (std::size_t i = 0; i < r.risk.rejected.size(); ++i) {
    if (r.risk.rejected[i]) {
      line(f, fmt::format("rejected.{}", to_string(static_cast<RiskReject>(i))).c_str(),
           r.risk.rejected[i]);
    }
  }
  std::fprintf(f, "throughput\n");
  const double s = r.seconds > 0 ? r.seconds : 1e-9;
  std::fprintf(f, "  %-28s %.3f\n", "seconds", r.seconds);
  std::fprintf(f, "  %-28s %.2f M/s\n", "frames", static_cast<double>(c.frames) / s / 1e6);
  std::fprintf(f, "  %-28s %.2f M/s\n", "book entries", static_cast<double>(c.book_entries) / s / 1e6);
  if (!with_source) {
    std::fprintf(f, "  %-28s %.1f MB/s\n", "capture bytes",
                 static_cast<double>(r.file_bytes) / s / 1e6);
  }
  std::fprintf(f, "  %-28s %ld KiB\n", "peak RSS", r.peak_rss_kb);
}

}  // namespace ttq
