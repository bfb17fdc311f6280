// `ttq decode --jsonl` and `ttq book --jsonl`: what the model decodes and publishes, one JSON
// object per book entry or top-of-book change (docs/formats.md).
#include <cstdio>
#include <string>

#include "command.hpp"
#include "ttq/config.hpp"
#include "ttq/fast_path.hpp"
#include "ttq/jsonl.hpp"
#include "ttq/pcap_source.hpp"

namespace {

using namespace ttq;

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

struct InspectOpts {
  std::string capture, config_path;
  bool jsonl = false;
};

cli::AddCommand add_inspect(bool entries) {
  return [entries](CLI::App& app) -> std::function<int()> {
    auto o = std::make_shared<InspectOpts>();
    auto* sub = entries
        ? app.add_subcommand("decode", "Print every book entry (46/32) after A/B arbitration")
        : app.add_subcommand("book", "Print each top-of-book change at publication points");
    sub->add_option("capture", o->capture, "pcap or pcapng file")->required();
    sub->add_option("--config", o->config_path, "ttq.toml (lines/channels)");
    sub->add_flag("--jsonl", o->jsonl, entries ? "one JSON object per entry (the only format)"
                                               : "one JSON object per change (the only format)")
        ->required();
    return [o, entries] {
      return run_inspect(o->capture, cli::load_app_config(o->config_path, 0), entries);
    };
  };
}

const cli::Registrar decode_cmd({"decode", 20, add_inspect(true)});
const cli::Registrar book_cmd({"book", 30, add_inspect(false)});

}  // namespace
