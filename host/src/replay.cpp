// The replay loop: a capture's frames in bursts through the host loop (Driver -> quote records ->
// OrderManager (risk) -> venue), with a progress line on a terminal.
#include "ttq/replay.hpp"

#include <chrono>
#include <vector>

#include "ttq/pcap_source.hpp"

namespace ttq {

bool run_replay(const ReplayOptions& opt, ReplayResult& out, std::string& error) {
  auto src = PcapSource::open(opt.capture, error);
  if (!src) return false;
  HostLoopOptions lo;
  lo.backend = opt.backend;
  lo.config = opt.config;
  lo.quotes_out = opt.quotes_out;
  lo.orders_out = opt.orders_out;
  lo.control = opt.control;
  auto loop = HostLoop::create(lo, error);
  if (!loop) return false;

  std::vector<Frame> frames(std::max<std::size_t>(opt.batch, 1));
  auto last_progress = std::chrono::steady_clock::now();
  for (;;) {
    const std::size_t n = src->next_batch(frames);
    if (n == 0) break;
    loop->on_burst(std::span<const Frame>(frames.data(), n), frames[n - 1].ts_ns);
    loop->between_bursts();
    if (opt.progress) {
      const auto now = std::chrono::steady_clock::now();
      if (now - last_progress > std::chrono::milliseconds(250)) {
        last_progress = now;
        const double pct = src->file_size() ? 100.0 * static_cast<double>(src->file_offset()) /
                                                  static_cast<double>(src->file_size())
                                            : 0.0;
        const auto& c = loop->driver().counters();
        std::fprintf(stderr, "\r  %5.1f%%  %llu frames  %llu quotes  ", pct,
                     static_cast<unsigned long long>(c.frames),
                     static_cast<unsigned long long>(c.quotes));
      }
    }
  }
  if (!src->error().empty()) {
    error = "reading '" + opt.capture + "': " + src->error();
    return false;
  }
  loop->finish();
  if (opt.progress) std::fprintf(stderr, "\r%60s\r", "");
  out = loop->result();
  out.file_bytes = src->file_size();
  return true;
}

void print_summary(std::FILE* f, const std::string& backend, const ReplayResult& r) {
  print_loop_summary(f, "replay", backend, r, false);
}

}  // namespace ttq
