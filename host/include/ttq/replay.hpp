// `ttq replay`: a capture through a Driver, its quote records through the order manager and the
// risk gate into a venue, with a summary of every counter at the end. The per-burst work is the
// host loop (host_loop.hpp) that `ttq run` shares.
#pragma once

#include <cstdio>
#include <string>

#include "ttq/config.hpp"
#include "ttq/fast_path.hpp"
#include "ttq/host_loop.hpp"
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
  ControlChannel* control = nullptr;  // serviced between bursts when set
};

using ReplayResult = LoopResult;

bool run_replay(const ReplayOptions& opt, ReplayResult& out, std::string& error);
void print_summary(std::FILE* f, const std::string& backend, const ReplayResult& r);

}  // namespace ttq
