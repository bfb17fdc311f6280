// `ttq run`: the market-data lines straight from DPDK ports through the host loop (host_loop.hpp)
// -- frames -> Driver -> quote records -> risk gate -> venue -- run to completion on one lcore, or
// split (RX lcore -> Boost.Lockfree ring -> pipeline lcore). Built when DPDK (libdpdk) is found.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "ttq/config.hpp"
#include "ttq/control.hpp"
#include "ttq/host_loop.hpp"

namespace ttq {

struct RunOptions {
  std::string backend = "sw";
  AppConfig config;                    // [run] gives ports, queues, mode, ring sizes
  std::FILE* quotes_out = nullptr;     // --quotes-jsonl
  std::FILE* orders_out = nullptr;     // --orders-jsonl (log venue)
  std::FILE* status_out = stderr;      // periodic status and start-up lines; nullptr = quiet
  std::uint32_t idle_exit_ms = 0;      // stop after this long without a packet; 0 = never
  std::vector<std::string> eal_args;   // after `--` on the command line
  ControlChannel* control = nullptr;   // serviced on the pipeline lcore between bursts
  const std::atomic<bool>* stop = nullptr;  // set by SIGINT/SIGTERM
  // Called once the loop has its Driver but before EAL init (so threads it starts are not pinned
  // to the polling lcore's CPU); false + error stops the run.
  std::function<bool(std::string& error)> before_eal;
};

// Initialises the EAL (once per process), the ports and the loop; runs until stop, idle exit or
// error. false + a message naming what is missing (backend, EAL, ports, mbufs).
bool run_dpdk(const RunOptions& opt, LoopResult& out, std::string& error);

}  // namespace ttq
