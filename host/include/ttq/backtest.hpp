// `ttq backtest`: a capture replayed against the simulated exchange while a strategy sets the
// quoter's registers through the Driver; the quote records go through the order manager and risk
// gate to the exchange, fills come back into positions and the strategy. One discrete-event
// clock (capture time); docs/backtest.md describes the event order and every model.
#pragma once

#include <cstdio>
#include <string>

#include "ttq/config.hpp"
#include "ttq/kpi.hpp"
#include "ttq/order_manager.hpp"
#include "ttq/sim_exchange.hpp"
#include "ttq/strategy.hpp"

namespace ttq {

// [backtest] and [strategy.*] of ttq.toml.
struct BacktestConfig {
  StrategyKind strategy = StrategyKind::kFixed;
  std::uint64_t cadence_ns = 100'000'000;  // strategy loop period
  LatencyModel feed_latency{20'000, {}};   // exchange -> host market data
  SimExchangeParams exchange;              // order/response latency, queue model, fees
  KpiConfig kpi;
  FixedSpreadParams fixed;
  AvellanedaStoikovParams avellaneda_stoikov;
  GlftParams glft;
  BacktestConfig() {
    exchange.order_latency.constant_ns = 50'000;
    exchange.response_latency.constant_ns = 50'000;
  }
};

// Reads [backtest] and [strategy.*] (the rest of the file is AppConfig's); strict like
// load_config: unknown key, wrong type or out-of-range value -> ConfigError naming the key.
BacktestConfig parse_backtest_config(const std::string& text, const std::string& origin);
BacktestConfig load_backtest_config(const std::string& path);

struct BacktestOptions {
  std::string capture;
  std::string backend = "sw";
  AppConfig app;
  BacktestConfig bt;
};

struct BacktestResult {
  BacktestRunInfo run;
  KpiReport kpis;
  LatencyHistogram latency;  // wall clock: not part of the deterministic JSON
  PipelineCounters pipeline;  // the Driver's (the quoting core)
  RiskCounters risk;
  OrderManagerCounters orders;
  SimExchangeCounters exchange;
  std::uint64_t market_book_entries = 0;
  std::uint64_t market_trades = 0;
  std::uint64_t strategy_ticks = 0;
  double seconds = 0;
  long peak_rss_kb = 0;
  bool cut_through = false;  // the commit mode in force (feed.commit, "auto" resolved)
  bool commit_auto = false;  // feed.commit = "auto" chose it
};

bool run_backtest(const BacktestOptions& opt, BacktestResult& out, std::string& error);
void print_backtest_summary(std::FILE* f, const BacktestResult& r);

}  // namespace ttq
