// Testbench of hw/rtl/ttq_line_filter.sv against the line rule of FastPath::process
// (host/src/fast_path.cpp): with lines configured, the first entry whose ip:port equals the
// datagram's destination gives channel, kind and line, no match is FrameDrop::kUnknownLine
// (hit = 0); with no line configured every datagram is channel 0, incremental. Random tables
// (duplicates, near misses, invalid entries that would match, empty tables) rewritten while
// records are in flight, random input idles and output back-pressure, the AXI-Stream hold rule,
// and the documented latency (2 cycles) and throughput (1/cycle) with the output never stalled.
// The header-lookup port (cut-through): random pulses in every mode, each answered by the same
// rule with its side-band exactly 2 cycles later whatever the stream port does, and no answer in
// any other cycle.

#include <verilated.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <memory>
#include <random>

#include "Vttq_line_filter.h"

namespace {

constexpr int kLines = 8;               // the module's default N_LINES
constexpr std::uint64_t kLatency = 2;   // input handshake -> output handshake, tready high

struct Entry {
  bool valid = false;
  std::uint32_t ip = 0;
  std::uint16_t port = 0;
  std::uint8_t channel = 0;
  std::uint8_t kind = 0;  // FeedKind
  bool b = false;         // line 'B'
};
using Table = std::array<Entry, kLines>;

struct Result {
  bool hit = false;
  std::uint8_t channel = 0, kind = 0;
  bool b = false;
  bool operator==(const Result&) const = default;
};

// The model's rule, written from fast_path.cpp: cfg_.lines holds the valid entries in order.
Result reference(const Table& t, std::uint32_t ip, std::uint16_t port) {
  bool any = false;
  for (const Entry& e : t) any |= e.valid;
  if (!any) return {true, 0, 0, false};  // no configuration: channel 0, incremental
  for (const Entry& e : t)
    if (e.valid && e.ip == ip && e.port == port) return {true, e.channel, e.kind, e.b};
  return {};  // unknown line (the RTL drives zero fields with hit = 0)
}

struct Mode {
  const char* name;
  double p_in;      // a new record is presented in a free cycle
  double p_ready;   // tready
  double p_table;   // table rewritten in a cycle
  double p_valid;   // entry valid (per table: sometimes 0 for empty tables)
};

int g_errors = 0;
void fail(const char* what, std::uint64_t cycle) {
  if (++g_errors <= 10) std::printf("FAIL cycle %llu: %s\n", (unsigned long long)cycle, what);
}

struct Stats {
  std::uint64_t n = 0, hits = 0, misses = 0, unconfigured = 0, dup_first = 0;
  std::uint64_t h_n = 0, h_hits = 0, h_misses = 0, h_unconfigured = 0;
};

constexpr int kHdrUserW = 33;  // the module's default HDR_USER_W: {ok, MsgSeqNum} in ttq_core

Stats run(const Mode& m, std::uint64_t seed, std::uint64_t cycles) {
  auto ctx = std::make_unique<VerilatedContext>();
  ctx->randReset(2);
  auto top = std::make_unique<Vttq_line_filter>(ctx.get());
  std::mt19937_64 g(seed);
  auto chance = [&](double p) { return static_cast<double>(g() >> 11) * 0x1.0p-53 < p; };

  // A small pool of destinations so entries collide (duplicates) and queries match often; some
  // pairs share the ip or the port (near misses).
  std::array<std::pair<std::uint32_t, std::uint16_t>, 6> pool;
  for (std::size_t i = 0; i < pool.size(); ++i)
    pool[i] = {static_cast<std::uint32_t>(g()), static_cast<std::uint16_t>(g())};
  pool[1].first = pool[0].first;
  pool[2].second = pool[0].second;
  auto pick = [&](std::uint32_t& ip, std::uint16_t& port) {
    const auto& p = pool[g() % pool.size()];
    ip = p.first;
    port = p.second;
    if (chance(0.1)) ip ^= 1u << (g() % 32);
    if (chance(0.1)) port ^= static_cast<std::uint16_t>(1u << (g() % 16));
  };

  Table t{};
  auto new_table = [&]() {
    const double pv = chance(0.15) ? 0.0 : m.p_valid;
    for (Entry& e : t) {
      e.valid = chance(pv);
      pick(e.ip, e.port);
      e.channel = static_cast<std::uint8_t>(g());
      e.kind = static_cast<std::uint8_t>(g() % 3);
      e.b = chance(0.5);
    }
  };
  auto drive_table = [&]() {
    top->line_valid = 0;
    top->line_b = 0;
    top->line_channel = 0;
    top->line_kind = 0;
    for (int i = 0; i < kLines; ++i) {
      const Entry& e = t[i];
      top->line_valid |= static_cast<std::uint32_t>(e.valid) << i;
      top->line_b |= static_cast<std::uint32_t>(e.b) << i;
      top->line_channel |= static_cast<std::uint64_t>(e.channel) << (8 * i);
      top->line_kind |= static_cast<std::uint32_t>(e.kind) << (2 * i);
      top->line_ip[i] = e.ip;
      top->line_port[i / 2] = (top->line_port[i / 2] & ~(0xFFFFu << (16 * (i % 2)))) |
                              (static_cast<std::uint32_t>(e.port) << (16 * (i % 2)));
    }
  };

  new_table();
  drive_table();
  top->clk = 0;
  top->rst = 1;
  top->s_axis_dst_tvalid = 0;
  top->m_axis_line_tready = 0;
  for (int i = 0; i < 4; ++i) {
    top->clk = 1;
    top->eval();
    top->clk = 0;
    top->eval();
  }
  top->rst = 0;
  top->eval();

  Stats st;
  std::deque<std::pair<Result, std::uint64_t>> exp;  // expected result, input handshake cycle
  struct HdrExp {
    Result r;
    std::uint64_t user = 0;
    std::uint64_t cycle = 0;
  };
  std::deque<HdrExp> hexp;
  bool presenting = false, prev_valid = false, prev_ready = false;
  Result prev{};
  std::uint32_t ip = 0;
  std::uint16_t port = 0;
  const bool no_stall = m.p_ready >= 1.0;
  for (std::uint64_t c = 0; c < cycles; ++c) {
    if (chance(m.p_table)) {
      new_table();
      drive_table();
    }
    if (!presenting && chance(m.p_in)) {
      presenting = true;
      if (chance(0.05)) {
        ip = static_cast<std::uint32_t>(g());
        port = static_cast<std::uint16_t>(g());
      } else {
        pick(ip, port);
      }
    }
    const bool ready = chance(m.p_ready);
    top->s_axis_dst_tvalid = presenting;
    top->s_axis_dst_ip = presenting ? ip : static_cast<std::uint32_t>(g());
    top->s_axis_dst_port = presenting ? port : static_cast<std::uint16_t>(g());
    top->m_axis_line_tready = ready;
    // A header lookup in 40 % of cycles (back to back too), random inputs otherwise.
    const bool hv = chance(0.4);
    std::uint32_t hip = 0;
    std::uint16_t hport = 0;
    if (hv && !chance(0.05)) {
      pick(hip, hport);
    } else {
      hip = static_cast<std::uint32_t>(g());
      hport = static_cast<std::uint16_t>(g());
    }
    const std::uint64_t huser = g() & ((std::uint64_t{1} << kHdrUserW) - 1);
    top->s_hdr_valid = hv;
    top->s_hdr_dst_ip = hip;
    top->s_hdr_dst_port = hport;
    top->s_hdr_user = huser;
    top->eval();

    // Header port: an answer in this cycle exactly when a lookup went in 2 cycles ago.
    const bool hdue = !hexp.empty() && hexp.front().cycle + kLatency == c;
    if (top->m_hdr_line_valid != hdue)
      fail(hdue ? "header answer missing" : "header answer without lookup", c);
    if (hdue) {
      const Result hgot{static_cast<bool>(top->m_hdr_line_hit), top->m_hdr_line_channel,
                        top->m_hdr_line_kind, static_cast<bool>(top->m_hdr_line_b)};
      if (!(hgot == hexp.front().r)) fail("header result differs from the model", c);
      if (top->m_hdr_line_user != hexp.front().user) fail("header side-band differs", c);
      hexp.pop_front();
    }
    if (hv) {
      const Result r = reference(t, hip, hport);
      hexp.push_back(HdrExp{r, huser, c});
      bool any = false;
      for (const Entry& e : t) any |= e.valid;
      ++st.h_n;
      st.h_unconfigured += !any;
      st.h_hits += any && r.hit;
      st.h_misses += !r.hit;
    }

    const bool tvalid = top->m_axis_line_tvalid;
    const Result got{static_cast<bool>(top->m_axis_line_hit), top->m_axis_line_channel,
                     top->m_axis_line_kind, static_cast<bool>(top->m_axis_line_b)};
    if (prev_valid && !prev_ready && (!tvalid || !(got == prev)))
      fail("output changed before the handshake", c);
    prev_valid = tvalid;
    prev_ready = ready;
    prev = got;
    if (tvalid && ready) {
      if (exp.empty()) {
        fail("output without input", c);
      } else {
        if (!(got == exp.front().first)) fail("result differs from the model", c);
        if (no_stall && c - exp.front().second != kLatency) fail("latency", c);
        exp.pop_front();
      }
    }
    if (no_stall && presenting && !top->s_axis_dst_tready) fail("tready low with no stall", c);
    if (presenting && top->s_axis_dst_tready) {
      const Result r = reference(t, ip, port);
      exp.emplace_back(r, c);
      ++st.n;
      bool any = false;
      int matches = 0;
      for (const Entry& e : t) {
        any |= e.valid;
        matches += e.valid && e.ip == ip && e.port == port;
      }
      st.unconfigured += !any;
      st.hits += any && r.hit;
      st.misses += !r.hit;
      st.dup_first += matches > 1;
      presenting = false;
    }
    top->clk = 1;
    top->eval();
    top->clk = 0;
    top->eval();
  }
  top->final();
  if (exp.size() > kLatency) fail("records lost in the pipeline", cycles);
  if (hexp.size() > kLatency) fail("header lookups lost", cycles);
  return st;
}

}  // namespace

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  const Mode modes[] = {
      {"no-stall full rate", 1.0, 1.0, 0.01, 0.6},
      {"no-stall idles", 0.5, 1.0, 0.01, 0.6},
      {"random idles/ready", 0.6, 0.6, 0.01, 0.6},
      {"heavy back-pressure", 0.9, 0.2, 0.02, 0.4},
      {"table churn", 0.8, 0.7, 0.3, 0.8},
  };
  Stats all;
  for (std::size_t i = 0; i < std::size(modes); ++i) {
    for (std::uint64_t s = 0; s < 2; ++s) {
      const Stats st = run(modes[i], 0x11F7 + i * 16 + s, 200000);
      std::printf("%-20s seed %llu: %llu records, %llu hits, %llu misses, %llu unconfigured, "
                  "%llu with duplicate matches\n",
                  modes[i].name, (unsigned long long)s, (unsigned long long)st.n,
                  (unsigned long long)st.hits, (unsigned long long)st.misses,
                  (unsigned long long)st.unconfigured, (unsigned long long)st.dup_first);
      if (modes[i].p_ready >= 1.0 && modes[i].p_in >= 1.0 && st.n != 200000)
        fail("not 1 record/cycle", 0);
      all.n += st.n;
      all.hits += st.hits;
      all.misses += st.misses;
      all.unconfigured += st.unconfigured;
      all.dup_first += st.dup_first;
      all.h_n += st.h_n;
      all.h_hits += st.h_hits;
      all.h_misses += st.h_misses;
      all.h_unconfigured += st.h_unconfigured;
    }
  }
  if (all.hits < 10000 || all.misses < 10000 || all.unconfigured < 10000 || all.dup_first < 10000)
    fail("coverage: every case must be exercised", 0);
  std::printf("header lookups: %llu (%llu hits, %llu misses, %llu unconfigured)\n",
              (unsigned long long)all.h_n, (unsigned long long)all.h_hits,
              (unsigned long long)all.h_misses, (unsigned long long)all.h_unconfigured);
  if (all.h_hits < 10000 || all.h_misses < 10000 || all.h_unconfigured < 10000)
    fail("coverage: every header-lookup case must be exercised", 0);
  if (g_errors) {
    std::printf("tb_line_filter: %d errors\n", g_errors);
    return 1;
  }
  std::printf("tb_line_filter: PASS\n");
  return 0;
}
