// Throughput of each software pipeline stage and of the whole replay, per MDP3 book entry, on one
// generated capture: decode, book, quote, the fast path (all of them plus L2-L4 and A/B
// arbitration), the raw libpcap byte scan (the floor) and `ttq replay` end to end.
// docs/performance.md has the commands and the figures; scripts/bench.sh runs it.
//
// Extra flags (after Google Benchmark's own): --events=N --instruments=K --seed=S (generated
// capture, default 200000 / 4 / 1) or --capture=PATH (an existing capture, not deleted);
// --max-packet-events=N: feed.max_packet_events of BM_FastPath's path (default the card's 128;
// 0 = no limit), to measure what the limit costs (bench/ab_bench.sh, AB_BASE_ARGS / AB_NEW_ARGS).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "ttq/book.hpp"
#include "ttq/capgen.hpp"
#include "ttq/fast_path.hpp"
#include "ttq/mdp3.hpp"
#include "ttq/net.hpp"
#include "ttq/pcap_source.hpp"
#include "ttq/quoter.hpp"
#include "ttq/replay.hpp"

namespace {

using namespace ttq;

// One 46/32 entry as the book stage sees it: instrument slot, PRICE9 price, the wire entry.
struct BookOp {
  std::uint16_t slot;
  std::int64_t px9;
  mdp3::BookEntry e;
};

// One publication of an instrument's top of book (what the quoter stage is fed).
struct TopEvent {
  std::uint16_t slot;
  TopOfBook tob;
};

// Everything the benchmarks need, built once before any of them runs.
struct Corpus {
  std::string path;
  bool owned = false;  // generated here: deleted at exit
  std::uint64_t file_bytes = 0;
  std::vector<std::uint8_t> arena;                     // frame bytes, back to back
  std::vector<Frame> frames;                           // A and B lines, capture order
  std::vector<std::span<const std::uint8_t>> packets;  // unique incremental UDP payloads, by seq
  std::vector<BookOp> ops;
  std::vector<TopEvent> tops;
  std::vector<MbpBook> books;       // configured from the definitions (depths)
  std::vector<std::int64_t> ticks;  // per slot, PRICE9
  std::uint64_t entries = 0;        // book entries one FastPath pass applies
  std::uint64_t decoded_entries = 0;
};

Corpus g;
PipelineConfig g_cfg;  // BM_FastPath's configuration (--max-packet-events)

// Pre-pass over the unique packets: the entry stream, and the tops at every publication point
// (same rule as FastPath::publish: every instrument touched since the last one).
struct PrepHandler : mdp3::NullHandler {
  Corpus& c;
  std::unordered_map<std::int32_t, std::uint16_t> slots;
  std::vector<std::uint8_t> dirty_flag;
  std::vector<std::uint16_t> dirty;
  explicit PrepHandler(Corpus& corpus) : c(corpus) {}

  std::uint16_t slot(std::int32_t id) {
    auto [it, inserted] = slots.try_emplace(id, static_cast<std::uint16_t>(slots.size()));
    if (inserted) {
      c.books.emplace_back();
      c.books.back().configure(kDefaultDepth, kDefaultImpliedDepth);
      c.ticks.push_back(0);
      dirty_flag.push_back(0);
    }
    return it->second;
  }
  void on_definition(const mdp3::MsgCtx& m, const mdp3::Definition& d) {
    const std::uint16_t s = slot(d.security_id);
    c.books[s].configure(d.depth, d.implied_depth);
    if (d.tick > 0 && d.tick != mdp3::kNullPrice)
      c.ticks[s] = mdp3::to_price9(d.tick, m.template_id);
  }
  void on_book_entry(const mdp3::MsgCtx& m, std::uint32_t, const mdp3::BookEntry& e) {
    const std::uint16_t s = slot(e.security_id);
    const std::int64_t px9 =
        e.price == mdp3::kNullPrice ? 0 : mdp3::to_price9(e.price, m.template_id);
    c.ops.push_back(BookOp{s, px9, e});
    c.books[s].apply(e, px9);
    if (!dirty_flag[s]) {
      dirty_flag[s] = 1;
      dirty.push_back(s);
    }
  }
  void on_message_end(const mdp3::MsgCtx& m) {
    if (!(m.mei & mdp3::kPublishMask)) return;
    for (std::uint16_t s : dirty) {
      c.tops.push_back(TopEvent{s, c.books[s].top()});
      dirty_flag[s] = 0;
    }
    dirty.clear();
  }
};

bool load(Corpus& c, std::string& err) {
  auto src = PcapSource::open(c.path, err);
  if (!src) return false;
  c.file_bytes = src->file_size();
  std::vector<std::pair<std::size_t, Frame>> tmp;  // arena offset, frame
  Frame f{};
  while (src->next(f)) {
    const std::size_t off = c.arena.size();
    c.arena.insert(c.arena.end(), f.data, f.data + f.len);
    tmp.emplace_back(off, f);
  }
  if (!src->error().empty()) {
    err = src->error();
    return false;
  }
  for (auto& [off, fr] : tmp) {
    fr.data = c.arena.data() + off;
    c.frames.push_back(fr);
  }
  // Unique incremental packets: the first copy of each MsgSeqNum on the incremental lines
  // (A and B carry the same packets), in the order the arbiter applies them.
  std::unordered_map<std::uint32_t, bool> seen;
  for (const Frame& fr : c.frames) {
    UdpView u{};
    if (parse_udp(fr, u) != FrameDrop::kCount) continue;
    if (u.dst_port != capgen::kIncrementalPortA && u.dst_port != capgen::kIncrementalPortB)
      continue;
    if (u.len < mdp3::kPacketHeaderSize ||
        mdp3::validate_packet(u.payload, u.len) != mdp3::MsgError::kOk) {
      continue;
    }
    if (!seen.try_emplace(load_le<std::uint32_t>(u.payload), true).second) continue;
    c.packets.emplace_back(u.payload, u.len);
  }
  PrepHandler h(c);
  for (auto p : c.packets) mdp3::decode_packet(p.data(), static_cast<std::uint32_t>(p.size()), h);
  // Reference pass: how many entries the fast path applies (the unit of every benchmark).
  FastPath fp{g_cfg};
  for (const Frame& fr : c.frames) fp.process(fr);
  fp.finish();
  c.entries = fp.counters().book_entries;
  if (c.entries == 0) {
    err = "capture '" + c.path + "' has no book entries";
    return false;
  }
  return true;
}

// items = book entries, so items_per_second and time/entries give the cost per entry; the
// per-pass count is also a counter for scripts (time per iteration / entries = ns per entry).
void set_entries(benchmark::State& state, std::uint64_t per_pass) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * per_pass));
  state.counters["entries"] = static_cast<double>(per_pass);
}

// Counter shown as time per unit (e.g. ns per frame) — rate, then inverted.
benchmark::Counter per_unit(double units) {
  return benchmark::Counter(
      units, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

// Decode handler that touches every field it is given, so nothing is optimised away.
struct SumHandler : mdp3::NullHandler {
  std::uint64_t sum = 0;
  std::uint64_t entries = 0;
  void on_message(const mdp3::MsgCtx& m) { sum += m.template_id + m.mei; }
  void on_book_entry(const mdp3::MsgCtx&, std::uint32_t, const mdp3::BookEntry& e) {
    sum += static_cast<std::uint64_t>(e.price) + static_cast<std::uint32_t>(e.size) +
           static_cast<std::uint32_t>(e.security_id) + e.rpt_seq +
           static_cast<std::uint32_t>(e.orders) + e.level + e.action +
           static_cast<std::uint8_t>(e.type);
    ++entries;
  }
  void on_trade(const mdp3::MsgCtx&, const mdp3::TradeEntry& t) {
    sum += static_cast<std::uint64_t>(t.price) + static_cast<std::uint32_t>(t.size) + t.rpt_seq;
  }
  void on_seq_entry(const mdp3::MsgCtx&, const mdp3::SeqEntry& s) { sum += s.rpt_seq; }
};

// a) validate + decode of every unique incremental packet (the fast path does both per packet).
void BM_Decode(benchmark::State& state) {
  std::uint64_t entries = 0;
  for (auto _ : state) {
    SumHandler h;
    for (auto p : g.packets) {
      const auto len = static_cast<std::uint32_t>(p.size());
      if (mdp3::validate_packet(p.data(), len) != mdp3::MsgError::kOk) continue;
      mdp3::decode_packet(p.data(), len, h);
    }
    benchmark::DoNotOptimize(h.sum);
    entries = h.entries;
  }
  set_entries(state, entries);
  state.counters["packets"] = static_cast<double>(g.packets.size());
  state.counters["ns_per_packet"] = per_unit(static_cast<double>(g.packets.size()));
}

// b) MbpBook::apply over the decoded entry stream, one book per instrument.
void BM_Book(benchmark::State& state) {
  std::vector<MbpBook> books = g.books;
  for (auto _ : state) {
    for (MbpBook& b : books) b.clear(false);  // as at start-up: no snapshot
    std::uint32_t bad = 0;
    for (const BookOp& op : g.ops) {
      bad += static_cast<std::uint32_t>(books[op.slot].apply(op.e, op.px9));
    }
    benchmark::DoNotOptimize(bad);
    benchmark::DoNotOptimize(books.data());
    benchmark::ClobberMemory();
  }
  set_entries(state, g.ops.size());
}

// c) compute_quotes + needs_requote for every published top (default quoter parameters).
void BM_Quote(benchmark::State& state) {
  const QuoterParams p{};
  const SkewRegs skew{};
  std::vector<std::array<QuoteLevel, kMaxLevels>> last(g.books.size());
  std::uint64_t sent = 0;
  for (auto _ : state) {
    for (auto& l : last) l = {};
    sent = 0;
    for (const TopEvent& t : g.tops) {
      std::array<QuoteLevel, kMaxLevels> next;
      const std::int64_t tick = g.ticks[t.slot];
      compute_quotes(t.tob, tick, p, skew, 0, std::span(next.data(), p.levels));
      for (std::uint8_t l = 0; l < p.levels; ++l) {
        if (!needs_requote(last[t.slot][l], next[l], tick, p.requote_tolerance_ticks)) continue;
        last[t.slot][l] = next[l];
        ++sent;
      }
    }
    benchmark::DoNotOptimize(sent);
  }
  // Per entry (the quote cost each book entry carries) and per top.
  set_entries(state, g.ops.size());
  state.counters["tops"] = static_cast<double>(g.tops.size());
  state.counters["ns_per_top"] = per_unit(static_cast<double>(g.tops.size()));
  state.counters["requotes"] = static_cast<double>(sent);
}

// d) FastPath::process over every frame (A and B: L2-L4, validation, arbitration, decode, book,
// publication, quoter) and collect(), in bursts of 32 like the replay loop. Each pass needs a
// fresh path (a second pass would be all duplicates); its construction is not timed.
void BM_FastPath(benchmark::State& state) {
  const PipelineConfig& cfg = g_cfg;
  std::vector<QuoteRecord> recs(4096);
  std::uint64_t entries = 0, quotes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto fp = std::make_unique<FastPath>(cfg);
    state.ResumeTiming();
    std::uint64_t sum = 0;
    const std::size_t n = g.frames.size();
    for (std::size_t i = 0; i < n; i += 32) {
      const std::size_t end = std::min(n, i + 32);
      for (std::size_t k = i; k < end; ++k) fp->process(g.frames[k]);
      while (const std::size_t got = fp->collect(recs)) {
        for (std::size_t k = 0; k < got; ++k) sum += static_cast<std::uint64_t>(recs[k].bid_px);
      }
    }
    fp->finish();
    while (const std::size_t got = fp->collect(recs)) sum += got;
    benchmark::DoNotOptimize(sum);
    state.PauseTiming();
    entries = fp->counters().book_entries;
    quotes = fp->counters().quotes;
    fp.reset();
    state.ResumeTiming();
  }
  set_entries(state, entries);
  state.counters["frames"] = static_cast<double>(g.frames.size());
  state.counters["ns_per_frame"] = per_unit(static_cast<double>(g.frames.size()));
  state.counters["quotes"] = static_cast<double>(quotes);
}

// e) The floor: libpcap reads the file frame by frame and every byte is summed.
void BM_RawScan(benchmark::State& state) {
  std::uint64_t frames = 0;
  for (auto _ : state) {
    std::string err;
    auto src = PcapSource::open(g.path, err);
    if (!src) {
      state.SkipWithError(err.c_str());
      return;
    }
    std::uint64_t acc = 0;
    frames = 0;
    Frame f{};
    while (src->next(f)) {
      ++frames;
      std::uint32_t i = 0;
      for (; i + 8 <= f.len; i += 8) acc += load_le<std::uint64_t>(f.data + i);
      for (; i < f.len; ++i) acc += f.data[i];
    }
    benchmark::DoNotOptimize(acc);
  }
  set_entries(state, g.entries);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * g.file_bytes));
  state.counters["frames"] = static_cast<double>(frames);
  state.counters["ns_per_frame"] = per_unit(static_cast<double>(frames));
}

// f) `ttq replay` end to end: pcap read -> sw driver -> OrderManager/RiskGate -> LogVenue
// (counting only, no output files), default configuration.
void BM_Replay(benchmark::State& state) {
  ReplayOptions opt;
  opt.capture = g.path;
  opt.backend = "sw";
  ReplayResult r;
  for (auto _ : state) {
    std::string err;
    if (!run_replay(opt, r, err)) {
      state.SkipWithError(err.c_str());
      return;
    }
    benchmark::DoNotOptimize(r.venue_sent);
  }
  set_entries(state, r.pipeline.book_entries);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * g.file_bytes));
  state.counters["frames"] = static_cast<double>(r.pipeline.frames);
  state.counters["ns_per_frame"] = per_unit(static_cast<double>(r.pipeline.frames));
  state.counters["quotes"] = static_cast<double>(r.pipeline.quotes);
}

bool flag(const char* arg, const char* name, std::string& value) {
  const std::size_t n = std::strlen(name);
  if (std::strncmp(arg, name, n) != 0 || arg[n] != '=') return false;
  value = arg + n + 1;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  GenOptions gen;
  gen.events = 200000;
  gen.instruments = 4;
  gen.seed = 1;
  for (int i = 1; i < argc; ++i) {
    std::string v;
    if (flag(argv[i], "--events", v)) {
      gen.events = std::atoi(v.c_str());
    } else if (flag(argv[i], "--instruments", v)) {
      gen.instruments = std::atoi(v.c_str());
    } else if (flag(argv[i], "--seed", v)) {
      gen.seed = std::strtoull(v.c_str(), nullptr, 10);
    } else if (flag(argv[i], "--capture", v)) {
      g.path = v;
    } else if (flag(argv[i], "--max-packet-events", v)) {
      g_cfg.max_packet_events = static_cast<std::uint32_t>(std::strtoul(v.c_str(), nullptr, 10));
    } else {
      std::fprintf(stderr, "ttq_bench: unknown argument '%s'\n", argv[i]);
      return 2;
    }
  }
  if (g.path.empty()) {
    if (const char* bad = validate(gen)) {
      std::fprintf(stderr, "ttq_bench: %s\n", bad);
      return 2;
    }
    const char* tmp = std::getenv("TMPDIR");
    g.path = std::string(tmp && *tmp ? tmp : "/tmp") + "/ttq_bench_" + std::to_string(::getpid()) +
             ".pcap";
    g.owned = true;
    const GenStats s = generate_capture(gen, g.path, nullptr, nullptr);
    std::fprintf(
        stderr,
        "ttq_bench: generated %s (%d events, %d instruments, seed %llu): "
        "%llu frames, %llu packets, %llu book entries\n",
        g.path.c_str(), gen.events, gen.instruments, static_cast<unsigned long long>(gen.seed),
        static_cast<unsigned long long>(s.frames), static_cast<unsigned long long>(s.packets),
        static_cast<unsigned long long>(s.entries));
  }
  std::string err;
  if (!load(g, err)) {
    std::fprintf(stderr, "ttq_bench: %s\n", err.c_str());
    if (g.owned) std::remove(g.path.c_str());
    return 1;
  }
  std::fprintf(stderr,
               "ttq_bench: %s: %llu bytes, %zu frames, %zu unique packets, %llu entries "
               "applied by the fast path, %zu decoded, %zu published tops\n",
               g.path.c_str(), static_cast<unsigned long long>(g.file_bytes), g.frames.size(),
               g.packets.size(), static_cast<unsigned long long>(g.entries), g.ops.size(),
               g.tops.size());
  benchmark::AddCustomContext("capture", g.path);
  benchmark::AddCustomContext("capture_bytes", std::to_string(g.file_bytes));
  benchmark::AddCustomContext("frames", std::to_string(g.frames.size()));
  benchmark::AddCustomContext("book_entries", std::to_string(g.entries));
  benchmark::AddCustomContext("max_packet_events", std::to_string(g_cfg.max_packet_events));

  benchmark::RegisterBenchmark("BM_Decode", BM_Decode)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_Book", BM_Book)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_Quote", BM_Quote)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_FastPath", BM_FastPath)->Unit(benchmark::kMillisecond);
  // Read from the file: wall time is what the ratio is about.
  benchmark::RegisterBenchmark("BM_RawScan", BM_RawScan)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark("BM_Replay", BM_Replay)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  if (g.owned) std::remove(g.path.c_str());
  return 0;
}
