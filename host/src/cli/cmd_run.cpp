// `ttq run`: the lines from DPDK ports through the chosen backend, risk gate and log venue until
// SIGINT/SIGTERM or --idle-exit, with a status line while running and the summary at the end.
#include <signal.h>

#include <atomic>
#include <csignal>
#include <string>

#include "command.hpp"
#include "run_extension.hpp"
#include "ttq/host_loop.hpp"
#ifdef TTQ_WITH_DPDK
#include "ttq/run.hpp"
#endif

namespace ttq::cli {

std::vector<RunExtension>& run_extensions() {
  static std::vector<RunExtension> r;
  return r;
}

}  // namespace ttq::cli

namespace {

using namespace ttq;

#ifdef TTQ_WITH_DPDK
std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void on_signal(int) { g_stop.store(true, std::memory_order_relaxed); }
#endif

struct RunCliOpts {
  std::string config_path, quotes_path, orders_path, backend = "sw", mode;
  std::uint32_t idle_exit_ms = 0;
  std::int64_t default_tick = 0;
  std::vector<std::string> eal;
};

std::function<int()> add_run(CLI::App& app) {
  auto o = std::make_shared<RunCliOpts>();
  auto* sub = app.add_subcommand(
      "run", "Receive the lines with DPDK and quote them (-- EAL arguments follow)");
  sub->add_option("--backend", o->backend, "sw, verilator or xrt");
  sub->add_option("--config", o->config_path, "ttq.toml ([run] gives ports, queues, mode)");
  sub->add_option("--quotes-jsonl", o->quotes_path,
                  "write quote records as JSON lines ('-' = stdout)");
  sub->add_option("--orders-jsonl", o->orders_path,
                  "write order intents (log venue) as JSON lines");
  sub->add_option("--idle-exit", o->idle_exit_ms, "stop after MS ms without a packet (0 = never)");
  sub->add_option("--mode", o->mode, "rtc or split (overrides run.mode)")
      ->check(CLI::IsMember({"rtc", "split"}));
  sub->add_option("--default-tick", o->default_tick,
                  "tick as a PRICE9 mantissa for instruments without a definition");
  sub->add_option("eal", o->eal, "DPDK EAL arguments, after --");
  for (auto& ext : cli::run_extensions()) {
    if (ext.add_options) ext.add_options(*sub);
  }
  return [o]() -> int {
#ifndef TTQ_WITH_DPDK
    (void)o;
    std::fprintf(stderr,
                 "ttq: 'run' is not built into this ttq: DPDK (libdpdk-dev) was not found when it "
                 "was built (scripts/deps.sh installs it)\n");
    return 1;
#else
    RunOptions opt;
    opt.backend = o->backend;
    opt.config = cli::load_app_config(o->config_path, o->default_tick);
    if (!o->mode.empty()) opt.config.run.split = o->mode == "split";
    cli::FilePtr q = cli::open_out(o->quotes_path), ord = cli::open_out(o->orders_path);
    opt.quotes_out = q.get();
    opt.orders_out = ord.get();
    opt.idle_exit_ms = o->idle_exit_ms;
    opt.eal_args = o->eal;
    ControlChannel control;
    opt.control = &control;
    opt.stop = &g_stop;
    std::vector<cli::RunExtension*> started;
    opt.before_eal = [&](std::string& err) {
      for (auto& ext : cli::run_extensions()) {
        if (!ext.start) continue;
        if (!ext.start(control, err)) return false;
        started.push_back(&ext);
      }
      return true;
    };
    struct sigaction sa{};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    LoopResult r;
    std::string err;
    const bool ok = run_dpdk(opt, r, err);
    for (auto* ext : started) {
      if (ext->stop) ext->stop();
    }
    if (!ok) {
      std::fprintf(stderr, "ttq: %s\n", err.c_str());
      return 1;
    }
    if (g_stop.load()) std::fprintf(stderr, "ttq run: stopped by signal\n");
    print_loop_summary(o->quotes_path == "-" ? stderr : stdout, "run", o->backend, r, true);
    return 0;
#endif
  };
}

const cli::Registrar run_cmd({"run", 12, add_run});

}  // namespace
