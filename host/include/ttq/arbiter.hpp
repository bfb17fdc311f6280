// A/B line arbitration for one channel's sequenced (Incremental) feed, by packet MsgSeqNum.
// Both lines carry the same packets; the first copy of each sequence number is applied, later
// copies are dropped before they can touch state. A packet that arrives ahead of a missing one is
// held (up to `window - 1` packets, or `timeout_ns` of capture time) so the other line can fill
// the hole; only then is a gap declared. docs/arbitration.md has the exact rules.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <memory>

namespace ttq {

struct ArbiterCounters {
  std::uint64_t applied = 0;     // packets released for processing, in sequence order
  std::uint64_t duplicates = 0;  // copies of a sequence number already applied or held
  std::uint64_t held = 0;        // packets that arrived early and waited for a missing one
  std::uint64_t gaps = 0;        // gap events (a run of missing sequence numbers)
  std::uint64_t lost = 0;        // sequence numbers never received on either line
  std::uint64_t oversize = 0;    // early packets too large to hold (forced an early gap)
};

class SeqArbiter {
 public:
  static constexpr std::uint32_t kMaxWindow = 64;
  static constexpr std::uint32_t kSlotBytes = 9216;

  // window: 0 or 1 = no reordering wait (a jump is a gap at once); timeout_ns 0 = no time limit.
  SeqArbiter(std::uint32_t window, std::uint64_t timeout_ns)
      : window_(window > kMaxWindow ? kMaxWindow : window), timeout_ns_(timeout_ns) {
    // A power-of-two ring, so that seq mod ring size stays continuous across the 2^32 wrap
    // (held numbers are within `window` of each other, hence never share a slot).
    if (window_ > 1) {
      const std::uint32_t ring = std::bit_ceil(window_);
      slots_ = std::make_unique<Slot[]>(ring);
      slot_mask_ = ring - 1;
    }
  }

  // Offers one well-formed packet. Calls sink.apply(data, len, seq) for every packet that becomes
  // next in sequence (this one and/or held ones) and sink.gap(first_missing, count) for every run
  // declared lost, in sequence order.
  template <class Sink>
  void offer(std::uint32_t seq, const std::uint8_t* data, std::uint32_t len, std::uint64_t ts_ns,
             Sink& sink) {
    if (!started_) {
      started_ = true;
      expected_ = seq;
    }
    while (held_count_ > 0 && timeout_ns_ != 0 && ts_ns >= oldest_held_ts_ + timeout_ns_) {
      release_to_lowest(sink);
    }
    if (seq_before(seq, expected_)) {
      ++c_.duplicates;
      return;
    }
    if (seq == expected_) {
      apply(sink, data, len, seq);
      drain(sink);
      return;
    }
    if (window_ <= 1) {
      declare_gap(sink, seq - expected_);
      apply(sink, data, len, seq);
      return;
    }
    // Ahead of the expected number: make room until seq fits the window, then hold it.
    while (seq - expected_ >= window_) {
      if (held_count_ == 0) {
        declare_gap(sink, seq - expected_ - (window_ - 1));
      } else {
        release_to_lowest(sink);
      }
    }
    if (seq == expected_) {  // the window moved up to it
      apply(sink, data, len, seq);
      drain(sink);
      return;
    }
    Slot& s = slots_[seq & slot_mask_];
    if (s.used && s.seq == seq) {
      ++c_.duplicates;
      return;
    }
    if (len > kSlotBytes) {  // cannot wait for it: give up on the holes before it now
      ++c_.oversize;
      // Held packets below it go first (with the holes before them), so none is skipped.
      while (held_count_ > 0 && lowest_held() < seq - expected_) release_to_lowest(sink);
      if (seq != expected_) declare_gap(sink, seq - expected_);
      apply(sink, data, len, seq);
      drain(sink);
      return;
    }
    s.used = true;
    s.seq = seq;
    s.len = len;
    s.ts_ns = ts_ns;
    std::memcpy(s.bytes, data, len);
    if (held_count_ == 0 || ts_ns < oldest_held_ts_) oldest_held_ts_ = ts_ns;
    ++held_count_;
    ++c_.held;
    if (held_count_ >= window_ - 1) release_to_lowest(sink);
  }

  // True, and counted as a duplicate, when `seq` was already applied: such a copy can be dropped
  // before anything else is done with it (the fast path skips its validation).
  bool already_applied(std::uint32_t seq) {
    if (!started_ || !seq_before(seq, expected_)) return false;
    ++c_.duplicates;
    return true;
  }

  // End of input: everything still held is released, with the holes before it declared lost.
  template <class Sink>
  void flush(Sink& sink) {
    while (held_count_ > 0) release_to_lowest(sink);
  }

  // Forgets the sequence: the next packet starts a new count (weekly restart of MsgSeqNum).
  void reset() {
    started_ = false;
    held_count_ = 0;
    for (std::uint32_t i = 0; slots_ && i <= slot_mask_; ++i) slots_[i].used = false;
  }

  const ArbiterCounters& counters() const { return c_; }
  std::uint32_t expected() const { return expected_; }
  std::uint32_t held_now() const { return held_count_; }
  // True when offer(seq) would apply the packet at once with nothing held before it: the
  // channel's next number, or its first packet. (A card applies such a packet as it streams:
  // feed.commit = cut_through.)
  bool in_order(std::uint32_t seq) const {
    return held_count_ == 0 && (!started_ || seq == expected_);
  }
  // The bookkeeping of offer(seq, ...) for a packet with in_order(seq) true, without the sink:
  // the caller has applied the packet itself (FastPath's one-pass apply). Counters and the
  // expected number end exactly as offer() leaves them.
  void accept_in_order(std::uint32_t seq) {
    started_ = true;
    ++c_.applied;
    expected_ = seq + 1;
  }

 private:
  struct Slot {
    bool used = false;
    std::uint32_t seq = 0;
    std::uint32_t len = 0;
    std::uint64_t ts_ns = 0;
    std::uint8_t bytes[kSlotBytes];
  };

  static bool seq_before(std::uint32_t a, std::uint32_t b) {
    return static_cast<std::int32_t>(a - b) < 0;
  }

  template <class Sink>
  void apply(Sink& sink, const std::uint8_t* data, std::uint32_t len, std::uint32_t seq) {
    ++c_.applied;
    expected_ = seq + 1;
    sink.apply(data, len, seq);
  }

  template <class Sink>
  void declare_gap(Sink& sink, std::uint32_t count) {
    ++c_.gaps;
    c_.lost += count;
    const std::uint32_t first = expected_;
    expected_ += count;
    sink.gap(first, count);
  }

  // Applies held packets that are next in sequence.
  template <class Sink>
  void drain(Sink& sink) {
    while (held_count_ > 0) {
      Slot& s = slots_[expected_ & slot_mask_];
      if (!s.used || s.seq != expected_) break;
      s.used = false;
      --held_count_;
      apply(sink, s.bytes, s.len, s.seq);
    }
    recompute_oldest();
  }

  // Distance from expected_ to the lowest held packet (window_ when nothing is held).
  std::uint32_t lowest_held() const {
    std::uint32_t d = 1;
    while (d < window_) {
      const Slot& s = slots_[(expected_ + d) & slot_mask_];
      if (s.used && s.seq == expected_ + d) break;
      ++d;
    }
    return d;
  }

  // Declares the hole before the lowest held packet lost, then applies what follows.
  template <class Sink>
  void release_to_lowest(Sink& sink) {
    declare_gap(sink, lowest_held());
    drain(sink);
  }

  void recompute_oldest() {
    if (held_count_ == 0) return;
    bool first = true;
    for (std::uint32_t i = 0; i <= slot_mask_; ++i) {
      if (slots_[i].used && (first || slots_[i].ts_ns < oldest_held_ts_)) {
        oldest_held_ts_ = slots_[i].ts_ns;
        first = false;
      }
    }
  }

  std::uint32_t window_;
  std::uint64_t timeout_ns_;
  std::unique_ptr<Slot[]> slots_;
  std::uint32_t slot_mask_ = 0;  // ring size - 1 (ring size: window rounded up to a power of 2)
  bool started_ = false;
  std::uint32_t expected_ = 0;
  std::uint32_t held_count_ = 0;
  std::uint64_t oldest_held_ts_ = 0;
  ArbiterCounters c_;
};

}  // namespace ttq
