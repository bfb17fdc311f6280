// Testbench of hw/rtl/ttq_arbiter.sv against the model's arbitration: SeqArbiter (arbiter.hpp)
// plus FastPath::process's duplicate pre-check and weekly-restart rule, for timeout 0. Random A/B
// traffic per channel (loss on one line or both, jitter, reordering, duplicates, damaged copies,
// implausible headers, weekly restarts, end-of-input flushes) under random input idles and output
// back-pressure; every command is compared in order (op, channel, seq, count, handle). A no-stall
// mode checks the documented latency (docs/rtl_arbiter.md) of an in-order packet.

#include <verilated.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <memory>
#include <random>
#include <string_view>
#include <vector>

#include "Vttq_arbiter.h"
#include "ttq/arbiter.hpp"
#include "ttq/fast_path.hpp"

namespace {

constexpr int kChannels = 4;   // the module's default N_CH
constexpr int kRing = 8;       // default RING
constexpr std::uint64_t kLatency = 1;  // record accepted -> first command valid (in order)

enum Op : std::uint8_t { kApply = 0, kGap, kHold, kEarlyDup, kDup, kMalformed, kRestart };
const char* const kOpName[] = {"APPLY", "GAP", "HOLD", "EARLY_DUP", "DUP", "MALFORMED", "RESTART"};

struct Cmd {
  std::uint8_t op = 0;
  std::uint8_t channel = 0;
  std::uint32_t seq = 0;
  std::uint32_t count = 0;
  std::uint8_t handle = 0;
  bool operator==(const Cmd&) const = default;
};

struct Rec {
  bool flush = false;
  std::uint8_t channel = 0;
  std::uint32_t seq = 0;
  std::uint8_t handle = 0;
  bool plausible = true;
  bool valid = true;
};

// The model, as FastPath::process drives it, producing the command stream the RTL must produce.
class Reference {
 public:
  explicit Reference(std::uint32_t window) {
    for (auto& a : arb_) a = std::make_unique<ttq::SeqArbiter>(window, 0);
  }

  void offer(const Rec& r, std::vector<Cmd>& out) {
    ttq::SeqArbiter& a = *arb_[r.channel];
    Sink sink{this, &a, r.channel, &out, a.counters().held, false};
    if (r.flush) {
      a.flush(sink);
      return;
    }
    const bool restart = r.seq == 1 && a.expected() > ttq::kSeqRestartMin;
    if (!restart && r.plausible && a.already_applied(r.seq)) {
      out.push_back({kEarlyDup, r.channel, r.seq, 0, r.handle});
      return;
    }
    if (!r.valid) {
      out.push_back({kMalformed, r.channel, r.seq, 0, r.handle});
      return;
    }
    if (restart) {
      a.flush(sink);
      a.reset();
      out.push_back({kRestart, r.channel, r.seq, 0, r.handle});
    }
    const std::uint64_t dups = a.counters().duplicates;
    sink.held_before = a.counters().held;
    sink.current = r;
    sink.hold_seen = false;
    a.offer(r.seq, &r.handle, 1, 0, sink);
    if (a.counters().held != sink.held_before && !sink.hold_seen) {
      out.push_back({kHold, r.channel, r.seq, 0, r.handle});
    }
    if (a.counters().duplicates != dups) out.push_back({kDup, r.channel, r.seq, 0, r.handle});
  }

 private:
  struct Sink {
    Reference* ref;
    ttq::SeqArbiter* a;
    std::uint8_t channel;
    std::vector<Cmd>* out;
    std::uint64_t held_before;
    bool hold_seen;
    Rec current{};
    // A hold happens inside offer() before the release it may trigger: place it before the
    // first sink call that follows it.
    void note_hold() {
      if (!hold_seen && a->counters().held != held_before) {
        hold_seen = true;
        out->push_back({kHold, channel, current.seq, 0, current.handle});
      }
    }
    void apply(const std::uint8_t* data, std::uint32_t, std::uint32_t seq) {
      note_hold();
      out->push_back({kApply, channel, seq, 0, data[0]});
    }
    void gap(std::uint32_t first, std::uint32_t count) {
      note_hold();
      out->push_back({kGap, channel, first, count, 0});
    }
  };
  std::unique_ptr<ttq::SeqArbiter> arb_[kChannels];
};

struct Mode {
  const char* name;
  double p_in;     // probability a record is offered on a cycle
  double p_ready;  // output tready probability
};

// Random traffic: per channel, A and B copies of a sequence with loss, jitter and damage.
std::vector<Rec> make_traffic(std::mt19937_64& g, std::size_t n_packets) {
  auto chance = [&](double p) { return static_cast<double>(g() >> 11) * 0x1.0p-53 < p; };
  std::vector<Rec> out;
  std::uint32_t next[kChannels];
  for (auto& s : next) s = chance(0.3) ? 4294967290u : (chance(0.3) ? 65530u : 1u);
  std::deque<Rec> lag[kChannels];  // line B copies waiting
  for (std::size_t i = 0; i < n_packets; ++i) {
    const auto ch = static_cast<std::uint8_t>(g() % kChannels);
    if (chance(0.002)) {  // end of input on that channel
      out.push_back({true, ch, 0, 0, true, true});
      continue;
    }
    if (chance(0.001) && next[ch] > 70000) next[ch] = 1;  // weekly restart
    if (next[ch] < 65530 && chance(0.0005)) next[ch] = 65530 + static_cast<std::uint32_t>(g() % 20);
    const std::uint32_t seq = next[ch]++;
    const auto handle = static_cast<std::uint8_t>(g() & 63);
    auto copy = [&](bool b) {
      Rec r{false, ch, seq, handle, true, true};
      if (chance(0.03)) r.valid = false;                       // damaged copy
      if (chance(0.01)) r.plausible = false;                   // header garbage too
      if (!r.plausible) r.valid = false;
      if (chance(0.0001)) r.seq = static_cast<std::uint32_t>(g());  // a valid packet, absurd number
      (void)b;
      return r;
    };
    const bool lose_a = chance(0.04), lose_b = chance(0.04), both = chance(0.01);
    if (!lose_a && !both) out.push_back(copy(false));
    if (!lose_b && !both) lag[ch].push_back(copy(true));
    if (chance(0.02)) out.push_back(copy(false));  // a duplicate on A
    // B lags A by 0..6 packets, sometimes leads (swap the last two records).
    while (lag[ch].size() > static_cast<std::size_t>(g() % 7)) {
      out.push_back(lag[ch].front());
      lag[ch].pop_front();
    }
    if (out.size() >= 2 && chance(0.05)) std::swap(out[out.size() - 1], out[out.size() - 2]);
  }
  for (auto& q : lag)
    for (const Rec& r : q) out.push_back(r);
  for (std::uint8_t ch = 0; ch < kChannels; ++ch) out.push_back({true, ch, 0, 0, true, true});
  return out;
}

int g_errors = 0;

struct Result {
  std::uint64_t cmds = 0, cycles = 0;
  std::uint64_t by_op[7] = {};
  std::uint64_t lat_min = ~0ull, lat_max = 0, lat_n = 0;
  std::uint64_t fast = 0;  // cycles with m_axis_cmd_fast
};

Result run(const Mode& m, std::uint64_t seed, std::uint32_t window, std::size_t n_packets) {
  std::mt19937_64 g(seed);
  auto chance = [&](double p) { return static_cast<double>(g() >> 11) * 0x1.0p-53 < p; };
  const std::vector<Rec> traffic = make_traffic(g, n_packets);
  Reference ref(window);
  std::deque<Cmd> expect;
  std::vector<Cmd> tmp;

  auto ctx = std::make_unique<VerilatedContext>();
  ctx->randReset(2);
  auto top = std::make_unique<Vttq_arbiter>(ctx.get());
  auto tick = [&] {
    top->clk = 1;
    top->eval();
    top->clk = 0;
    top->eval();
  };
  top->clk = 0;
  top->rst = 1;
  top->cfg_window = static_cast<std::uint8_t>(window);
  top->s_axis_pkt_tvalid = 0;
  top->m_axis_cmd_tready = 0;
  for (int i = 0; i < 4; ++i) tick();
  top->rst = 0;
  top->eval();

  Result res;
  std::size_t next = 0;
  std::uint64_t cycle = 0, accepted_at = 0;
  bool waiting_first = false, prev_fire = false;
  std::uint64_t last_fire = 0;
  Rec last_rec{};
  const std::uint64_t limit = traffic.size() * 64 + 10000;
  while ((next < traffic.size() || !expect.empty()) && cycle < limit && g_errors == 0) {
    const bool offer = next < traffic.size() && chance(m.p_in);
    if (offer) {
      const Rec& r = traffic[next];
      top->s_axis_pkt_tvalid = 1;
      top->s_axis_pkt_flush = r.flush;
      top->s_axis_pkt_channel = r.channel;
      top->s_axis_pkt_seq = r.seq;
      top->s_axis_pkt_handle = r.handle;
      top->s_axis_pkt_plausible = r.plausible;
      top->s_axis_pkt_valid = r.valid;
    } else {
      top->s_axis_pkt_tvalid = 0;
    }
    top->m_axis_cmd_tready = chance(m.p_ready);
    top->eval();
    const bool in_fire = top->s_axis_pkt_tvalid && top->s_axis_pkt_tready;
    // m_axis_cmd_fast: only in the cycle after a record was taken, with that record's APPLY
    // valid; and in no-stall mode for every in-order record whose first command is its APPLY.
    if (top->m_axis_cmd_fast) {
      ++res.fast;
      if (!(prev_fire && cycle == last_fire + 1 && top->m_axis_cmd_tvalid &&
            top->m_axis_cmd_op == kApply && top->m_axis_cmd_seq == last_rec.seq &&
            top->m_axis_cmd_handle == last_rec.handle && top->m_axis_cmd_channel ==
            last_rec.channel)) {
        std::printf("FAIL %s seed %llu cycle %llu: m_axis_cmd_fast without the APPLY of the "
                    "record taken the cycle before\n", m.name, (unsigned long long)seed,
                    (unsigned long long)cycle);
        ++g_errors;
      }
    } else if (waiting_first && cycle == accepted_at + 1) {
      std::printf("FAIL %s seed %llu cycle %llu: in-order record without m_axis_cmd_fast\n",
                  m.name, (unsigned long long)seed, (unsigned long long)cycle);
      ++g_errors;
    }
    prev_fire = in_fire;
    if (in_fire) {
      last_fire = cycle;
      last_rec = traffic[next];
    }
    const bool out_fire = top->m_axis_cmd_tvalid && top->m_axis_cmd_tready;
    if (out_fire) {
      const Cmd got{top->m_axis_cmd_op, top->m_axis_cmd_channel, top->m_axis_cmd_seq,
                    top->m_axis_cmd_count, top->m_axis_cmd_handle};
      if (waiting_first) {
        const std::uint64_t lat = cycle - accepted_at;
        res.lat_min = std::min(res.lat_min, lat);
        res.lat_max = std::max(res.lat_max, lat);
        ++res.lat_n;
        waiting_first = false;
      }
      if (expect.empty()) {
        std::printf("FAIL %s seed %llu cycle %llu: unexpected %s ch %u seq %u count %u h %u\n",
                    m.name, (unsigned long long)seed, (unsigned long long)cycle,
                    kOpName[got.op & 7], got.channel, got.seq, got.count, got.handle);
        ++g_errors;
      } else {
        Cmd want = expect.front();
        expect.pop_front();
        Cmd cmp = got;
        if (want.op == kGap) cmp.handle = 0;  // a GAP names no packet
        if (!(cmp == want)) {
          std::printf("FAIL %s seed %llu cycle %llu cmd %llu: want %s ch %u seq %u count %u h %u, "
                      "got %s ch %u seq %u count %u h %u\n",
                      m.name, (unsigned long long)seed, (unsigned long long)cycle,
                      (unsigned long long)res.cmds, kOpName[want.op], want.channel, want.seq,
                      want.count, want.handle, kOpName[got.op & 7], got.channel, got.seq,
                      got.count, got.handle);
          ++g_errors;
        }
        ++res.by_op[want.op];
      }
      ++res.cmds;
    }
    if (in_fire) {
      const Rec& r = traffic[next++];
      tmp.clear();
      ref.offer(r, tmp);
      for (const Cmd& c : tmp) expect.push_back(c);
      // Latency of an in-order packet whose first command is an APPLY of itself.
      if (!tmp.empty() && tmp[0].op == kApply && tmp[0].seq == r.seq && !r.flush &&
          expect.size() == tmp.size() && !top->m_axis_cmd_tvalid) {
        waiting_first = true;
        accepted_at = cycle;
      }
    }
    tick();
    ++cycle;
  }
  if (cycle >= limit) {
    std::printf("FAIL %s seed %llu: stuck, %zu records left, %zu commands expected\n", m.name,
                (unsigned long long)seed, traffic.size() - next, expect.size());
    ++g_errors;
  }
  res.cycles = cycle;
  return res;
}

}  // namespace

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  const Mode modes[] = {
      {"random", 0.5, 0.6},
      {"backpressure", 0.9, 0.2},
      {"nostall", 1.0, 1.0},
  };
  const std::uint32_t windows[] = {0, 1, 2, 3, 5, 8};
  std::uint64_t total = 0, by_op[7] = {};
  std::uint64_t seed = 1;
  for (const Mode& m : modes) {
    for (std::uint32_t w : windows) {
      const Result r = run(m, seed++, w, 100000);
      total += r.cmds;
      for (int i = 0; i < 7; ++i) by_op[i] += r.by_op[i];
      if (std::string_view(m.name) == "nostall") {
        std::printf("nostall window %u: %llu in-order packets, latency record->APPLY %llu..%llu "
                    "cycles (%llu decided as taken)\n",
                    w, (unsigned long long)r.lat_n, (unsigned long long)r.lat_min,
                    (unsigned long long)r.lat_max, (unsigned long long)r.fast);
        if (r.lat_n == 0 || r.lat_min != kLatency || r.lat_max != kLatency) {
          std::printf("FAIL: latency is not the documented %llu cycles\n",
                      (unsigned long long)kLatency);
          ++g_errors;
        }
      }
      if (g_errors) break;
    }
    if (g_errors) break;
  }
  std::printf("%llu commands compared:", (unsigned long long)total);
  for (int i = 0; i < 7; ++i) std::printf(" %s %llu", kOpName[i], (unsigned long long)by_op[i]);
  std::printf("\n");
  for (int i = 0; i < 7; ++i) {
    if (by_op[i] == 0 && g_errors == 0) {
      std::printf("FAIL: no %s command was exercised\n", kOpName[i]);
      ++g_errors;
    }
  }
  std::printf(g_errors ? "FAILED\n" : "PASSED\n");
  return g_errors ? 1 : 0;
}
