// `ttq backtest`: a capture against the simulated exchange with a strategy; writes the
// self-contained HTML report and, on request, the KPI JSON (deterministic) and the model's
// tick-to-quote latency histogram (wall clock, not deterministic).
#include <string>

#include "command.hpp"
#include "ttq/backtest.hpp"

namespace {

using namespace ttq;

struct BacktestOpts {
  std::string capture, config_path, report_path, json_path, latency_path, backend = "sw",
      strategy;
  std::int64_t default_tick = 0;
};

std::function<int()> add_backtest(CLI::App& app) {
  auto o = std::make_shared<BacktestOpts>();
  auto* sub = app.add_subcommand(
      "backtest", "Backtest a strategy on a capture against the simulated exchange; KPI report");
  sub->add_option("capture", o->capture, "pcap or pcapng file")->required();
  sub->add_option("--config", o->config_path, "ttq.toml ([backtest], [strategy.*], ...)");
  sub->add_option("--report", o->report_path, "HTML report to write")->required();
  sub->add_option("--json", o->json_path, "KPI figures as JSON (deterministic)");
  sub->add_option("--latency-json", o->latency_path,
                  "tick-to-quote latency histogram of the software model (wall clock)");
  sub->add_option("--strategy", o->strategy,
                  "override [backtest].strategy: fixed, avellaneda_stoikov, glft")
      ->check(CLI::IsMember({"fixed", "avellaneda_stoikov", "glft"}));
  sub->add_option("--backend", o->backend, "sw (verilator, xrt: when built)");
  sub->add_option("--default-tick", o->default_tick,
                  "tick as a PRICE9 mantissa for instruments without a definition");
  return [o] {
    BacktestOptions opt;
    opt.capture = o->capture;
    opt.backend = o->backend;
    opt.app = cli::load_app_config(o->config_path, o->default_tick);
    if (!o->config_path.empty()) opt.bt = load_backtest_config(o->config_path);
    if (o->strategy == "fixed") opt.bt.strategy = StrategyKind::kFixed;
    if (o->strategy == "avellaneda_stoikov") opt.bt.strategy = StrategyKind::kAvellanedaStoikov;
    if (o->strategy == "glft") opt.bt.strategy = StrategyKind::kGlft;
    // Open every output first: a bad path fails before a long run.
    cli::FilePtr report = cli::open_out(o->report_path);
    cli::FilePtr json = cli::open_out(o->json_path);
    cli::FilePtr lat = cli::open_out(o->latency_path);
    BacktestResult r;
    std::string err;
    if (!run_backtest(opt, r, err)) {
      std::fprintf(stderr, "ttq: %s\n", err.c_str());
      return 1;
    }
    write_html_report(report.get(), r.run, r.kpis, opt.bt.kpi, r.latency);
    if (json) write_kpi_json(json.get(), r.run, r.kpis, opt.bt.kpi);
    if (lat) write_latency_json(lat.get(), r.latency);
    const bool to_stdout = o->report_path == "-" || o->json_path == "-" || o->latency_path == "-";
    print_backtest_summary(to_stdout ? stderr : stdout, r);
    return 0;
  };
}

const cli::Registrar backtest_cmd({"backtest", 15, add_backtest});

}  // namespace
