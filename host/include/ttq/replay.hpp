// `ttq replay`: a capture through a Driver, its quote records through the order manager and the
// risk gate into a venue, with a summary of every counter at the end.
#pragma once

#include <cstdio>
#include <string>

#include "ttq/config.hpp"
#include "ttq/fast_path.hpp"
#include "ttq/order_manager.hpp"
#include "ttq/risk.hpp"

namespace ttq {

struct ReplayOptions {
  std::string capture;
  std::string backend = "sw";
  AppConfig config;
  std::FILE* quotes_out = nullptr;  // --quotes-jsonl
  std::FILE* orders_out = nullptr;  // --orders-jsonl (the log venue)
  bool progress = false;            // progress line on stderr
  std::size_t batch = 32;
};

struct ReplayResult {
  PipelineCounters pipeline;
  RiskCounters risk;
  OrderManagerCounters orders;
  std::uint64_t venue_sent = 0;
  std::uint64_t file_bytes = 0;
  double seconds = 0;
  long peak_rss_kb = 0;
};

bool run_replay(const ReplayOptions& opt, ReplayResult& out, std::string& error);
void print_summary(std::FILE* f, const std::string& backend, const ReplayResult& r);
// Peak resident set size of this process in KiB (from /proc/self/status VmHWM).
long peak_rss_kb();

}  // namespace ttq
