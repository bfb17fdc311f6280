// Testbench of hw/rtl/ttq_quote_fifo.sv (the output queue before m_axis_quote) against a C++
// reference queue of DEPTH records, cycle by cycle: tvalid, tdata (order and content), the
// overflow counter after every edge, the AXI-Stream hold rule, and the documented latency of
// docs/rtl_quote_fifo.md (0 cycles: an offered record is on the output at once when nothing is held) with the output never back-pressured.

#include <verilated.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <memory>
#include <random>

#include "Vttq_quote_fifo.h"
#include "Vttq_quote_fifo___024root.h"

namespace {

constexpr std::size_t kDepth = 16;        // the module's default DEPTH
constexpr std::uint64_t kLatency = 0;     // input cycle -> output handshake, tready high
using Rec = std::array<std::uint8_t, 40>;  // quote_rec_t, host layout

struct Mode {
  const char* name;
  double p_burst_on;   // idle -> burst switch probability per cycle
  double p_burst_off;  // burst -> idle
  double p_ready;      // tready probability (1 = never back-pressured)
  double p_stall_run;  // chance that tready low lasts a run of 1..64 cycles
};

int g_errors = 0;
void fail(const char* what, std::uint64_t cycle) {
  if (++g_errors <= 10) std::printf("FAIL cycle %llu: %s\n", (unsigned long long)cycle, what);
}

struct Stats {
  std::uint64_t in = 0, out = 0, dropped = 0, max_fill = 0;
  bool saturated = false;
};

Stats run(const Mode& m, std::uint64_t seed, std::uint64_t cycles, std::uint32_t ovf_start) {
  auto ctx = std::make_unique<VerilatedContext>();
  ctx->randReset(2);
  auto top = std::make_unique<Vttq_quote_fifo>(ctx.get());
  std::mt19937_64 g(seed);
  auto chance = [&](double p) { return static_cast<double>(g() >> 11) * 0x1.0p-53 < p; };

  top->clk = 0;
  top->rst = 1;
  top->in_valid = 0;
  top->m_axis_quote_tready = 0;
  for (int i = 0; i < 4; ++i) {
    top->clk = 1;
    top->eval();
    top->clk = 0;
    top->eval();
  }
  top->rst = 0;
  top->eval();
  // Start the saturating counter near its limit to see it stop there (2^32 drops take too long).
  top->rootp->ttq_quote_fifo__DOT__ovf_q = ovf_start;
  top->eval();

  Stats st;
  std::deque<std::pair<Rec, std::uint64_t>> ref;  // record, input cycle
  std::uint64_t ovf = ovf_start;
  bool burst = false, prev_valid = false, prev_ready = false;
  int stall_left = 0;
  Rec prev_data{};
  std::uint32_t seq = 0;
  for (std::uint64_t c = 0; c < cycles; ++c) {
    if (burst ? chance(m.p_burst_off) : chance(m.p_burst_on)) burst = !burst;
    const bool in_valid = burst;
    Rec rec;
    for (auto& b : rec) b = static_cast<std::uint8_t>(g());
    std::memcpy(rec.data() + 24, &seq, 4);  // seq field: every record distinct
    bool ready;
    if (stall_left > 0) {
      --stall_left;
      ready = false;
    } else if (m.p_stall_run > 0 && chance(m.p_stall_run)) {
      stall_left = static_cast<int>(g() % 64);
      ready = false;
    } else {
      ready = chance(m.p_ready);
    }
    top->in_valid = in_valid;
    std::memcpy(top->in_rec.data(), rec.data(), 40);
    top->m_axis_quote_tready = ready;
    top->eval();

    const bool tvalid = top->m_axis_quote_tvalid;
    Rec got;
    std::memcpy(got.data(), top->m_axis_quote_tdata.data(), 40);
    if (prev_valid && !prev_ready && (!tvalid || got != prev_data))
      fail("tvalid/tdata changed before the handshake", c);
    // in_ready: a record offered now is kept for sure (the queue is not full before the pop).
    if (top->in_ready != (ref.size() < kDepth)) fail("in_ready differs from the reference", c);
    // The record offered this cycle joins the queue before the edge: with nothing held it is
    // the output at once (pass-through).
    bool offered_kept = false;
    if (in_valid && ref.size() < kDepth) {
      ref.emplace_back(rec, c);
      ++st.in;
      ++seq;
      offered_kept = true;
    }
    if (tvalid != !ref.empty()) fail("tvalid differs from the reference queue", c);
    if (tvalid && !ref.empty() && got != ref.front().first) fail("tdata out of order", c);
    prev_valid = tvalid;
    prev_ready = ready;
    prev_data = got;

    // The edge, in the reference: a slot freed by the pop is usable at once.
    const bool pop = tvalid && ready && !ref.empty();
    if (pop) {
      if (m.p_ready >= 1.0 && c - ref.front().second != kLatency) fail("latency", c);
      ref.pop_front();
      ++st.out;
    }
    if (in_valid && !offered_kept) {
      if (pop) {  // full before the pop: the freed slot takes the record
        ref.emplace_back(rec, c);
        ++st.in;
        ++seq;
      } else {
        ++st.dropped;
        if (ovf < 0xFFFFFFFFull) ++ovf;
      }
    }
    st.max_fill = std::max<std::uint64_t>(st.max_fill, ref.size());
    top->clk = 1;
    top->eval();
    top->clk = 0;
    top->eval();
    if (top->overflow != ovf) fail("overflow counter", c);
  }
  st.saturated = ovf == 0xFFFFFFFFull;
  top->final();
  return st;
}

}  // namespace

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  const Mode modes[] = {
      {"no-stall full rate", 1.0, 0.0, 1.0, 0.0},
      {"no-stall bursts", 0.05, 0.1, 1.0, 0.0},
      {"random ready 50%", 0.05, 0.05, 0.5, 0.0},
      {"random ready 90%", 0.1, 0.02, 0.9, 0.0},
      {"long stalls", 0.05, 0.03, 0.8, 0.01},
      {"overloaded", 0.2, 0.01, 0.3, 0.02},
  };
  std::uint64_t drops = 0, full = 0, saturated = 0;
  for (std::size_t i = 0; i < std::size(modes); ++i) {
    for (std::uint64_t s = 0; s < 3; ++s) {
      const std::uint32_t ovf_start = (s == 2) ? 0xFFFFFF00u : 0u;
      const Stats st = run(modes[i], 0x51F0 + i * 16 + s, 200000, ovf_start);
      std::printf("%-20s seed %llu: in %llu out %llu dropped %llu max fill %llu\n", modes[i].name,
                  (unsigned long long)s, (unsigned long long)st.in, (unsigned long long)st.out,
                  (unsigned long long)st.dropped, (unsigned long long)st.max_fill);
      if (modes[i].p_ready >= 1.0 && st.dropped != 0) fail("drops with no back-pressure", 0);
      drops += st.dropped;
      full += st.max_fill == kDepth;
      saturated += st.saturated;
    }
  }
  // Coverage: the test must have filled the queue, dropped, and saturated the counter.
  if (drops < 1000 || full < 6 || saturated < 2) fail("coverage: too few overflows", 0);
  if (g_errors) {
    std::printf("tb_quote_fifo: %d errors\n", g_errors);
    return 1;
  }
  std::printf("tb_quote_fifo: PASS\n");
  return 0;
}
