// The replay loop: frames in batches -> Driver -> quote records -> OrderManager (risk) -> venue.
#include "ttq/replay.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <vector>

#include "ttq/driver.hpp"
#include "ttq/jsonl.hpp"
#include "ttq/pcap_source.hpp"
#include "ttq/venue.hpp"

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

bool run_replay(const ReplayOptions& opt, ReplayResult& out, std::string& error) {
  auto src = PcapSource::open(opt.capture, error);
  if (!src) return false;
  PipelineConfig pc = opt.config.pipeline;
  for (InstrumentConfig& ic : pc.instruments) ic.skew = compute_skew(ic.position, opt.config.skew);
  auto driver = make_driver(opt.backend, pc, error);
  if (!driver) return false;
  const std::size_t slots = pc.max_instruments;
  RiskGate gate(opt.config.risk, slots);
  gate.set_kill(opt.config.kill);
  LogVenue venue(opt.orders_out);
  OrderManager om(gate, venue, slots);
  std::vector<std::uint8_t> ready(slots, 0);

  std::vector<Frame> frames(std::max<std::size_t>(opt.batch, 1));
  std::vector<QuoteRecord> recs(4096);
  fmt::memory_buffer qbuf;
  const auto t0 = std::chrono::steady_clock::now();
  auto last_progress = t0;
  std::uint64_t now_ns = 0;

  auto drain = [&]() {
    for (;;) {
      const std::size_t n = driver->collect(recs);
      if (n == 0) break;
      for (std::size_t i = 0; i < n; ++i) {
        const QuoteRecord& q = recs[i];
        if (opt.quotes_out) append_quote_json(qbuf, q);
        if (q.slot >= slots) continue;
        if (!ready[q.slot]) {  // first quote of this instrument: register it with the gate
          ready[q.slot] = 1;
          Driver::InstrumentInfo ii;
          driver->instrument_info(q.security_id, ii);
          InstrumentRiskInfo info{q.security_id, ii.tick, ii.multiplier};
          const std::int64_t position = ii.position;
          gate.set_instrument(q.slot, info);
          gate.set_position(q.slot, position);
        }
        PublishedTop top;
        MarketRef ref;
        if (driver->top_of_book(q.security_id, top)) {
          ref.stale = top.stale;
          if (top.bid && top.ask) {
            ref.has_ref = true;
            ref.ref_px = top.tob.bid_px + (top.tob.ask_px - top.tob.bid_px) / 2;
          }
        }
        om.on_quote(q, ref, now_ns);
      }
      if (opt.quotes_out && qbuf.size() > (1u << 16)) {
        std::fwrite(qbuf.data(), 1, qbuf.size(), opt.quotes_out);
        qbuf.clear();
      }
    }
  };

  for (;;) {
    const std::size_t n = src->next_batch(frames);
    if (n == 0) break;
    now_ns = frames[n - 1].ts_ns;
    driver->submit(std::span<const Frame>(frames.data(), n));
    drain();
    if (opt.progress) {
      const auto now = std::chrono::steady_clock::now();
      if (now - last_progress > std::chrono::milliseconds(250)) {
        last_progress = now;
        const double pct = src->file_size() ? 100.0 * static_cast<double>(src->file_offset()) /
                                                  static_cast<double>(src->file_size())
                                            : 0.0;
        const auto& c = driver->counters();
        std::fprintf(stderr, "\r  %5.1f%%  %llu frames  %llu quotes  ", pct,
                     static_cast<unsigned long long>(c.frames),
                     static_cast<unsigned long long>(c.quotes));
      }
    }
  }
  if (!src->error().empty()) {
    error = "reading '" + opt.capture + "': " + src->error();
    return false;
  }
  driver->finish();
  drain();
  if (opt.quotes_out) std::fwrite(qbuf.data(), 1, qbuf.size(), opt.quotes_out);
  if (opt.progress) std::fprintf(stderr, "\r%60s\r", "");
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  out.pipeline = driver->counters();
  out.risk = gate.counters();
  out.orders = om.counters();
  out.venue_sent = venue.sent();
  out.file_bytes = src->file_size();
  out.peak_rss_kb = peak_rss_kb();
  return true;
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

void print_summary(std::FILE* f, const std::string& backend, const ReplayResult& r) {
  const PipelineCounters& c = r.pipeline;
  std::fprintf(f, "ttq replay summary (backend %s)\n", backend.c_str());
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
  std::fprintf(f, "  %-28s %.1f MB/s\n", "capture bytes", static_cast<double>(r.file_bytes) / s / 1e6);
  std::fprintf(f, "  %-28s %ld KiB\n", "peak RSS", r.peak_rss_kb);
}

}  // namespace ttq
