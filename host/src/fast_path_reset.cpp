// FastPath::soft_reset, the model of the card's CONTROL.SOFT_RESET (fast_path.hpp). In a file of
// its own: it is never on the replay's path, and fast_path.cpp's code (the hot path's inlining)
// stays exactly as it was without it.
#include <algorithm>
#include <cstring>
#include <memory>

#include "ttq/fast_path.hpp"

namespace ttq {

void FastPath::soft_reset() {
  for (std::size_t k = 0; k < n_insts_; ++k) {
    Instrument& in = insts_[k];
    Instrument fresh;
    fresh.security_id = in.security_id;
    fresh.slot = in.slot;
    fresh.channel = in.channel;
    std::memcpy(fresh.symbol, in.symbol, sizeof(fresh.symbol));
    std::memcpy(fresh.group, in.group, sizeof(fresh.group));
    fresh.book.configure(in.book.depth(), in.book.implied_depth());
    fresh.quoted = in.quoted;
    fresh.tick_from_config = in.tick_from_config;
    fresh.tick = in.tick;
    fresh.multiplier = in.multiplier;
    fresh.start_position = in.start_position;
    fresh.params = in.params;
    fresh.skew = in.skew;
    in = fresh;  // last_sent all zero, no last quoter inputs: the card's prev after a reset
  }
  dirty_.clear();
  for (auto& a : arbiters_) {
    a = std::make_unique<SeqArbiter>(cfg_.reorder_window, cfg_.reorder_timeout_ns);
  }
  std::fill(last_seq_.begin(), last_seq_.end(), 0u);
  q_head_ = q_count_ = 0;
  c_ = PipelineCounters{};
  // KILL is kept; the card sends its kill marker down the new pipeline again (ttq_apply's last
  // sent kill value resets to 0): with KILL set every slot is requoted under the kill pull.
  if (killed_) set_kill(true);
}

}  // namespace ttq
