// The host loop shared by `ttq replay` (frames from a capture) and `ttq run` (frames from DPDK
// ports): a burst of frames -> Driver -> quote records -> OrderManager (RiskGate) -> Venue, the
// run's counters, the periodic status line, and the control seam's safe point between bursts.
// Same frames in the same bursts -> same quote records, orders and counters, whatever the source.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "ttq/config.hpp"
#include "ttq/control.hpp"
#include "ttq/driver.hpp"
#include "ttq/order_manager.hpp"
#include "ttq/risk.hpp"
#include "ttq/venue.hpp"

namespace ttq {

// What the frame source itself saw (NIC / capture), beyond the Driver's pipeline counters.
struct SourceCounters {
  std::uint64_t rx_packets = 0;   // frames handed to the loop
  std::uint64_t rx_bytes = 0;
  std::uint64_t rx_missed = 0;    // NIC: dropped for lack of descriptors (rte_eth_stats.imissed)
  std::uint64_t rx_errors = 0;    // NIC: ierrors + rx_nombuf
  std::uint64_t oversize = 0;     // frames longer than a Frame may be (multi-segment mbufs, jumbo)
  std::uint64_t ring_full = 0;    // split mode: bursts the RX lcore could not hand over at once
  std::uint64_t polls = 0;        // bursts asked for (including empty ones)
  std::uint64_t empty_polls = 0;
};

// The host loop's own counters.
struct LoopCounters {
  std::uint64_t bursts = 0;        // non-empty bursts processed
  std::uint64_t frames = 0;        // frames submitted to the Driver
  std::uint64_t records = 0;       // quote records collected from the Driver
  std::uint64_t status_lines = 0;
  std::uint64_t control_tasks = 0; // control tasks run (ControlChannel::executed at the end)
};

// What an operator task (ControlTask) may see and change, on the loop thread, between bursts.
struct Engine {
  Driver& driver;
  RiskGate& risk;               // kill state: risk.set_kill(); limits, positions
  OrderManager& orders;         // orders.cancel_all(now_ns) pulls every working order
  Venue& venue;
  const AppConfig& config;      // as loaded at start-up
  std::string_view backend;     // "sw", "verilator", "xrt"
  std::chrono::system_clock::time_point started;  // wall clock at start-up
  std::span<const LineConfig> lines;              // the feed lines (config.pipeline.lines)
  const LoopCounters& loop;
  const SourceCounters& source;
  const std::uint64_t& now_ns;  // host time of the latest burst (packet time; order intents' ts)
};

// Everything a run reports at the end (`ttq replay` and `ttq run` summaries).
struct LoopResult {
  PipelineCounters pipeline;
  RiskCounters risk;
  OrderManagerCounters orders;
  LoopCounters loop;
  SourceCounters source;
  std::uint64_t venue_sent = 0;
  std::uint64_t file_bytes = 0;  // replay: capture size
  // The commit mode in force (feed.commit as resolved; a card was programmed to it or refused).
  bool cut_through = false;
  bool commit_auto = false;  // feed.commit = "auto" chose it
  double seconds = 0;
  long peak_rss_kb = 0;
};

struct HostLoopOptions {
  std::string backend = "sw";
  AppConfig config;
  std::FILE* quotes_out = nullptr;      // quote records as JSON lines (replay's format)
  std::FILE* orders_out = nullptr;      // the log venue's file (nullptr: count only)
  ControlChannel* control = nullptr;    // serviced between bursts when set
  std::FILE* status_out = nullptr;      // periodic one-line status; nullptr = none
  std::chrono::milliseconds status_every{1000};
};

class HostLoop {
 public:
  // Creates the Driver (by backend name), risk gate, order manager and log venue. nullptr with a
  // message naming what is missing (unknown backend, no card, ...).
  static std::unique_ptr<HostLoop> create(const HostLoopOptions& opt, std::string& error);
  ~HostLoop();
  HostLoop(const HostLoop&) = delete;
  HostLoop& operator=(const HostLoop&) = delete;

  // One burst: submit to the Driver, drain its quote records through the order manager. `now_ns`
  // is the host time of the decision (replay and run: the last frame's timestamp).
  void on_burst(std::span<const Frame> frames, std::uint64_t now_ns);

  // Between bursts (a safe point): control tasks, then the status line when it is due. Cheap when
  // nothing is due (one atomic load, one clock read every 1024 calls).
  void between_bursts() {
    if (opt_.control) opt_.control->service(engine_);
    if (opt_.status_out && (++tick_ & 1023u) == 0) maybe_status();
  }

  // End of input: releases held packets, drains, flushes the quote file.
  void finish();

  Engine& engine() { return engine_; }
  Driver& driver() { return *driver_; }
  SourceCounters& source() { return source_; }
  const LoopCounters& counters() const { return loop_; }
  LoopResult result();  // counters now; seconds since create()

  // The one-line status (rates since the last line, gaps, stale books, quotes, rejections).
  void status_line(std::FILE* f);

 private:
  HostLoop(const HostLoopOptions& opt, std::unique_ptr<Driver> d);
  void drain();
  void maybe_status();

  HostLoopOptions opt_;
  std::unique_ptr<Driver> driver_;
  std::size_t slots_;
  RiskGate gate_;
  LogVenue venue_;
  OrderManager om_;
  std::vector<std::uint8_t> ready_;
  std::vector<QuoteRecord> recs_;
  fmt::memory_buffer qbuf_;
  std::uint64_t now_ns_ = 0;
  LoopCounters loop_;
  SourceCounters source_;
  std::chrono::steady_clock::time_point t0_;
  std::chrono::steady_clock::time_point last_status_;
  std::uint64_t last_frames_ = 0, last_quotes_ = 0;
  std::uint32_t tick_ = 0;
  Engine engine_;
};

// Peak resident set size of this process in KiB (from /proc/self/status VmHWM).
long peak_rss_kb();

// The end-of-run summary (docs/formats.md): "ttq <title> summary (backend B)" then every counter.
// Source counters are printed only when `with_source` (ttq run).
void print_loop_summary(std::FILE* f, const char* title, const std::string& backend,
                        const LoopResult& r, bool with_source);

}  // namespace ttq
