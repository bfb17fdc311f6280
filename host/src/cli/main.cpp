// The ttq command line: replay, decode, book and gen. Each command's summary or output format is
// documented in README.md and docs/formats.md.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <string>

#include "ttq/capgen.hpp"
#include "ttq/config.hpp"
#include "ttq/jsonl.hpp"
#include "ttq/pcap_source.hpp"
#include "ttq/replay.hpp"

namespace {

using namespace ttq;

struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f && f != stdout) std::fclose(f);
  }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

FilePtr open_out(const std::string& path) {
  if (path.empty()) return FilePtr(nullptr);
  if (path == "-") return FilePtr(stdout);
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) throw CLI::ValidationError("cannot write '" + path + "'");
  return FilePtr(f);
}

AppConfig load(const std::string& path, std::int64_t default_tick) {
  AppConfig c = path.empty() ? AppConfig{} : load_config(path);
  if (default_tick > 0) c.pipeline.default_tick = default_tick;
  return c;
}

// Prints what `ttq decode --jsonl` and `ttq book --jsonl` show, as the pipeline runs.
class Printer final : public PipelineObserver {
 public:
  Printer(bool entries, bool tops) : entries_(entries), tops_(tops) {}
  ~Printer() override { flush(); }
  void on_book_entry(const mdp3::MsgCtx& m, std::uint32_t i, const mdp3::BookEntry& e) override {
    if (!entries_) return;
    append_entry_json(buf_, m, i, e);
    maybe_flush();
  }
  void on_top(std::uint32_t seq, const Instrument& in, const PublishedTop& t) override {
    if (!tops_) return;
    append_top_json(buf_, seq, in.security_id, t);
    maybe_flush();
  }
  void flush() {
    std::fwrite(buf_.data(), 1, buf_.size(), stdout);
    buf_.clear();
    std::fflush(stdout);
  }

 private:
  void maybe_flush() {
    if (buf_.size() > (1u << 16)) flush();
  }
  bool entries_, tops_;
  fmt::memory_buffer buf_;
};

int run_inspect(const std::string& capture, const AppConfig& cfg, bool entries) {
  std::string err;
  auto src = PcapSource::open(capture, err);
  if (!src) {
    std::fprintf(stderr, "ttq: %s\n", err.c_str());
    return 1;
  }
  FastPath fp(cfg.pipeline);
  Printer p(entries, !entries);
  fp.set_observer(&p);
  Frame f{};
  while (src->next(f)) fp.process(f);
  fp.finish();
  p.flush();
  if (!src->error().empty()) {
    std::fprintf(stderr, "ttq: reading '%s': %s\n", capture.c_str(), src->error().c_str());
    return 1;
  }
  const PipelineCounters& c = fp.counters();
  std::fprintf(stderr, "ttq %s: %llu frames, %llu packets applied, %llu duplicates, %llu gaps, "
               "%llu book entries, %llu top-of-book changes\n",
               entries ? "decode" : "book", static_cast<unsigned long long>(c.frames),
               static_cast<unsigned long long>(c.arb.applied),
               static_cast<unsigned long long>(c.arb.duplicates),
               static_cast<unsigned long long>(c.arb.gaps),
               static_cast<unsigned long long>(c.book_entries),
               static_cast<unsigned long long>(c.tob_changes));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ttq: FPGA-accelerated tick-to-quote for CME MDP 3.0 (software backend)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "ttq 0.1.0");

  // replay
  std::string capture, config_path, quotes_path, orders_path, backend = "sw";
  std::int64_t default_tick = 0;
  bool no_progress = false;
  auto* replay = app.add_subcommand("replay", "Replay a capture through the pipeline, print a summary");
  replay->add_option("capture", capture, "pcap or pcapng file")->required();
  replay->add_option("--config", config_path, "ttq.toml");
  replay->add_option("--quotes-jsonl", quotes_path, "write quote records as JSON lines ('-' = stdout)");
  replay->add_option("--orders-jsonl", orders_path, "write order intents (log venue) as JSON lines");
  replay->add_option("--backend", backend, "sw (verilator, xrt: later)");
  replay->add_option("--default-tick", default_tick,
                     "tick as a PRICE9 mantissa for instruments without a definition");
  replay->add_flag("--no-progress", no_progress, "no progress line even on a terminal");

  // decode / book
  bool jsonl = false;
  auto* decode = app.add_subcommand("decode", "Print every book entry (46/32) after A/B arbitration");
  decode->add_option("capture", capture, "pcap or pcapng file")->required();
  decode->add_option("--config", config_path, "ttq.toml (lines/channels)");
  decode->add_flag("--jsonl", jsonl, "one JSON object per entry (the only format)")->required();
  auto* book = app.add_subcommand("book", "Print each top-of-book change at publication points");
  book->add_option("capture", capture, "pcap or pcapng file")->required();
  book->add_option("--config", config_path, "ttq.toml (lines/channels)");
  book->add_flag("--jsonl", jsonl, "one JSON object per change (the only format)")->required();

  // gen
  GenOptions g;
  std::string out_path, truth_decode_path, truth_book_path;
  auto* gen = app.add_subcommand("gen", "Write a deterministic synthetic MDP 3.0 capture");
  gen->add_option("--out", out_path, "output .pcap/.pcapng")->required();
  gen->add_option("--seed", g.seed, "random seed");
  gen->add_option("--instruments", g.instruments, "number of futures");
  gen->add_option("--events", g.events, "market events");
  gen->add_option("--schema", g.schema_version, "schema version: >=9 templates 46/48/52/54, 6-8: 32/42/38/27");
  gen->add_option("--depth", g.depth, "GBX market depth");
  gen->add_option("--implied", g.implied, "implied levels (true/false)");
  gen->add_option("--loss-a", g.loss_a, "probability a packet is lost on line A only");
  gen->add_option("--loss-b", g.loss_b, "probability a packet is lost on line B only");
  gen->add_option("--loss-both", g.loss_both, "probability a packet is lost on both lines");
  gen->add_option("--dup", g.dup, "probability a copy is duplicated");
  gen->add_option("--jitter", g.jitter_packets, "max packets B leads/lags A");
  gen->add_option("--reorder", g.reorder, "probability two adjacent packets swap within a line");
  gen->add_option("--garbage", g.garbage, "probability of a bad frame after a packet");
  gen->add_option("--snapshot-every", g.snapshot_every, "snapshot loop every N packets (0 = none)");
  gen->add_option("--vlan", g.vlan, "probability of an 802.1Q tag");
  gen->add_option("--ip-options", g.ip_options, "probability of IPv4 options");
  gen->add_option("--halt", g.halt, "probability per event of a halt");
  gen->add_flag("--pcapng", g.pcapng, "write pcapng");
  gen->add_option("--truth-decode", truth_decode_path, "write the generator's decode truth (JSONL)");
  gen->add_option("--truth-book", truth_book_path, "write the generator's top-of-book truth (JSONL)");

  CLI11_PARSE(app, argc, argv);

  try {
    if (*replay) {
      ReplayOptions opt;
      opt.capture = capture;
      opt.backend = backend;
      opt.config = load(config_path, default_tick);
      FilePtr q = open_out(quotes_path), o = open_out(orders_path);
      opt.quotes_out = q.get();
      opt.orders_out = o.get();
      opt.progress = !no_progress && ::isatty(STDERR_FILENO);
      ReplayResult r;
      std::string err;
      if (!run_replay(opt, r, err)) {
        std::fprintf(stderr, "ttq: %s\n", err.c_str());
        return 1;
      }
      print_summary(quotes_path == "-" ? stderr : stdout, backend, r);
      return 0;
    }
    if (*decode || *book) return run_inspect(capture, load(config_path, 0), decode->parsed());
    if (*gen) {
      if (const char* bad = validate(g)) {
        std::fprintf(stderr, "ttq gen: %s\n", bad);
        return 2;
      }
      FilePtr td = open_out(truth_decode_path), tb = open_out(truth_book_path);
      const GenStats s = generate_capture(g, out_path, td.get(), tb.get());
      std::printf("wrote %s: %llu frames, %llu packets, %llu book entries (lost A %llu, B %llu, "
                  "both %llu; duplicates %llu; bad frames %llu)\n",
                  out_path.c_str(), static_cast<unsigned long long>(s.frames),
                  static_cast<unsigned long long>(s.packets),
                  static_cast<unsigned long long>(s.entries),
                  static_cast<unsigned long long>(s.lost_a),
                  static_cast<unsigned long long>(s.lost_b),
                  static_cast<unsigned long long>(s.lost_both),
                  static_cast<unsigned long long>(s.dups),
                  static_cast<unsigned long long>(s.garbage));
      return 0;
    }
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "ttq: %s\n", e.what());
    return 2;
  } catch (const CLI::Error& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ttq: %s\n", e.what());
    return 1;
  }
  return 0;
}
