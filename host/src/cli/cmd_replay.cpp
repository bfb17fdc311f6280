// `ttq replay`: a capture through the chosen backend, risk gate and log venue; prints the summary
// (docs/formats.md) and optionally the quote records and order intents as JSON lines.
#include <unistd.h>

#include <string>

#include "command.hpp"
#include "ttq/replay.hpp"

namespace {

using namespace ttq;

struct ReplayOpts {
  std::string capture, config_path, quotes_path, orders_path, backend = "sw";
  std::int64_t default_tick = 0;
  bool no_progress = false;
};

std::function<int()> add_replay(CLI::App& app) {
  auto o = std::make_shared<ReplayOpts>();
  auto* sub = app.add_subcommand("replay", "Replay a capture through the pipeline, print a summary");
  sub->add_option("capture", o->capture, "pcap or pcapng file")->required();
  sub->add_option("--config", o->config_path, "ttq.toml");
  sub->add_option("--quotes-jsonl", o->quotes_path,
                  "write quote records as JSON lines ('-' = stdout)");
  sub->add_option("--orders-jsonl", o->orders_path,
                  "write order intents (log venue) as JSON lines");
  sub->add_option("--backend", o->backend, "sw (verilator, xrt: when built)");
  sub->add_option("--default-tick", o->default_tick,
                  "tick as a PRICE9 mantissa for instruments without a definition");
  sub->add_flag("--no-progress", o->no_progress, "no progress line even on a terminal");
  return [o] {
    ReplayOptions opt;
    opt.capture = o->capture;
    opt.backend = o->backend;
    opt.config = cli::load_app_config(o->config_path, o->default_tick);
    cli::FilePtr q = cli::open_out(o->quotes_path), ord = cli::open_out(o->orders_path);
    opt.quotes_out = q.get();
    opt.orders_out = ord.get();
    opt.progress = !o->no_progress && ::isatty(STDERR_FILENO);
    ReplayResult r;
    std::string err;
    if (!run_replay(opt, r, err)) {
      std::fprintf(stderr, "ttq: %s\n", err.c_str());
      return 1;
    }
    print_summary(o->quotes_path == "-" ? stderr : stdout, o->backend, r);
    return 0;
  };
}

const cli::Registrar replay_cmd({"replay", 10, add_replay});

}  // namespace
