// Testbench of hw/rtl/ttq_arbiter.sv against the model's arbitration: SeqArbiter (arbiter.hpp)
// plus FastPath::process's duplicate pre-check and weekly-restart rule, for timeout 0. Random A/B
// traffic per channel (loss on one line or both, jitter, reordering, duplicates, damaged copies,
// implausible headers, weekly restarts, end-of-input flushes) under random input idles and output
// back-pressure; every command is compared in order (op, channel, seq, count, handle, spec). A
// no-stall mode checks the documented latency (docs/rtl_arbiter.md) of an in-order packet.
// Pre-decision runs ask the cut-through port about every packet before its record (at random
// delays within the documented guarantee) and compare each answer with SeqArbiter::in_order at
// the same point of the sequence; packets answered yes send their record flagged spec, and some
// of them fail (a malformed record, or none at all: a bad FCS).

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
// A query waiting behind a record decided as taken (its APPLY the only command, taken at once)
// is taken this many cycles after the record (S_START, S_DRAIN, then idle): docs/rtl_arbiter.md.
constexpr std::uint64_t kQueryAfterRecord = 3;

enum Op : std::uint8_t { kApply = 0, kGap, kHold, kEarlyDup, kDup, kMalformed, kRestart };
const char* const kOpName[] = {"APPLY", "GAP", "HOLD", "EARLY_DUP", "DUP", "MALFORMED", "RESTART"};

struct Cmd {
  std::uint8_t op = 0;
  std::uint8_t channel = 0;
  std::uint32_t seq = 0;
  std::uint32_t count = 0;
  std::uint8_t handle = 0;
  bool spec = false;  // m_axis_cmd_spec
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

  // What the card's pre-decision must answer: FastPath::speculate asks exactly this.
  bool in_order(std::uint8_t ch, std::uint32_t seq) const { return arb_[ch]->in_order(seq); }
  // in_order's own inputs, only to count which case an answer exercised.
  std::uint32_t held_now(std::uint8_t ch) const { return arb_[ch]->held_now(); }
  std::uint32_t expected(std::uint8_t ch) const { return arb_[ch]->expected(); }

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
  // Pre-decision runs.
  std::uint64_t queries = 0, yes = 0;
  std::uint64_t no_held = 0;     // answered no although seq == expected: something held
  std::uint64_t no_seq = 0;      // answered no: seq != expected, nothing held
  std::uint64_t first = 0;       // answered yes: the channel had not started
  std::uint64_t waited = 0;      // queries offered while s_axis_spec_tready was low
  std::uint64_t waited_rec = 0;  // ... in a cycle an earlier record was offered too
  std::uint64_t spec_apply = 0, spec_malformed = 0, spec_none = 0, no_record = 0;
  std::uint64_t qa_min = ~0ull, qa_max = 0, qa_n = 0;  // record taken -> query taken behind it
};

// One run. With `query`, every packet record is preceded by a pre-decision on the port, within
// the guarantee of docs/rtl_arbiter.md: a packet's query is offered only once every earlier
// record has been offered (it may still be waiting), and its record only from the cycle its
// answer is valid. The record carries spec = the answer. Expected commands: the model's, with
// `spec` set on the first command of a spec record, which the model must decide as an APPLY of
// it (valid) or a DROP_MALFORMED (not valid).
Result run(const Mode& m, std::uint64_t seed, std::uint32_t window, std::size_t n_packets,
           bool query) {
  std::mt19937_64 g(seed);
  auto chance = [&](double p) { return static_cast<double>(g() >> 11) * 0x1.0p-53 < p; };
  std::vector<Rec> traffic = make_traffic(g, n_packets);
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
  top->s_axis_pkt_spec = 0;
  top->s_axis_spec_tvalid = 0;
  top->s_axis_spec_channel = 0;
  top->s_axis_spec_seq = 0;
  top->m_axis_cmd_tready = 0;
  for (int i = 0; i < 4; ++i) tick();
  top->rst = 0;
  top->eval();

  Result res;
  // Records: `next` is the next one to offer (all before it were taken or never sent).
  // Queries: `qnext` the next record to ask about; answered[i] / spec[i] / withhold[i] per record.
  std::size_t next = 0, qnext = 0;
  std::vector<std::uint8_t> answered(traffic.size(), 0), spec(traffic.size(), 0),
      withhold(traffic.size(), 0);
  bool rec_on = false, q_on = false;  // offered and not yet taken
  bool q_fired = false;               // a query was taken in the last cycle
  std::size_t q_idx = 0;              // its record
  bool check_pending = false;         // an answer waits for the model to reach its record
  std::size_t check_idx = 0;
  bool check_ans = false;
  auto skip_flushes = [&] {
    while (qnext < traffic.size() && traffic[qnext].flush) ++qnext;
  };
  if (query) skip_flushes();
  // The answer for record i is compared once every record before i was offered to the model
  // (then the model's state is the one the answer must reflect).
  auto check_answer = [&] {
    if (!check_pending || next != check_idx) return;
    check_pending = false;
    const Rec& r = traffic[check_idx];
    const bool want = ref.in_order(r.channel, r.seq);
    if (check_ans != want) {
      std::printf("FAIL %s seed %llu record %zu: pre-decision ch %u seq %u answered %d, model's "
                  "in_order %d (expected %u, held %u)\n", m.name, (unsigned long long)seed,
                  check_idx, r.channel, r.seq, check_ans, want, ref.expected(r.channel),
                  ref.held_now(r.channel));
      ++g_errors;
    }
    if (want) {
      ++res.yes;
      if (ref.held_now(r.channel) == 0 && r.seq != ref.expected(r.channel)) ++res.first;
    } else if (r.seq == ref.expected(r.channel)) {
      ++res.no_held;
    } else {
      ++res.no_seq;
    }
  };

  std::uint64_t cycle = 0, accepted_at = 0;
  bool waiting_first = false, prev_fire = false, spec_fast_due = false;
  bool q_behind = false;  // the offered query waits behind a record decided as taken
  std::uint64_t q_behind_at = 0;
  std::uint64_t last_fire = 0;
  Rec last_rec{};
  const std::uint64_t limit = traffic.size() * 64 + 10000;
  while ((next < traffic.size() || !expect.empty()) && cycle < limit && g_errors == 0) {
    // The answer of the query taken last cycle (a register: valid before this cycle's inputs).
    if (top->m_spec_valid != q_fired) {
      std::printf("FAIL %s seed %llu cycle %llu: m_spec_valid %d, a query taken last cycle %d\n",
                  m.name, (unsigned long long)seed, (unsigned long long)cycle, top->m_spec_valid,
                  q_fired);
      ++g_errors;
      break;
    }
    if (q_fired) {
      const bool yes = top->m_spec_in_order;
      answered[q_idx] = 1;
      spec[q_idx] = yes;
      check_pending = true;
      check_idx = q_idx;
      check_ans = yes;
      check_answer();
      // A speculated packet may still fail late: malformed, or a bad FCS (no record at all).
      if (yes && chance(0.05)) {
        withhold[q_idx] = 1;
      } else if (yes && chance(0.05)) {
        traffic[q_idx].valid = false;
      } else if (!yes && chance(0.01)) {
        withhold[q_idx] = 1;
      }
    }
    q_fired = false;

    // Records, in order; in query runs a packet's only after its answer.
    while (!rec_on && next < traffic.size() && chance(m.p_in)) {
      const Rec& r = traffic[next];
      if (query && !r.flush && !answered[next]) break;
      if (query && !r.flush && withhold[next]) {  // dropped before the arbiter: no record
        ++res.no_record;
        if (spec[next]) ++res.spec_none;
        ++next;
        check_answer();
        continue;
      }
      rec_on = true;
    }
    if (rec_on) {
      const Rec& r = traffic[next];
      top->s_axis_pkt_tvalid = 1;
      top->s_axis_pkt_flush = r.flush;
      top->s_axis_pkt_channel = r.channel;
      top->s_axis_pkt_seq = r.seq;
      top->s_axis_pkt_handle = r.handle;
      top->s_axis_pkt_plausible = r.plausible;
      top->s_axis_pkt_valid = r.valid;
      top->s_axis_pkt_spec = query && spec[next];
    } else {
      top->s_axis_pkt_tvalid = 0;
      top->s_axis_pkt_spec = 0;
    }
    // Queries: record qnext's once every earlier record was offered (it may still wait).
    if (query && !q_on && qnext < traffic.size() &&
        (next == qnext || (next + 1 == qnext && rec_on)) && chance(m.p_in)) {
      q_on = true;
    }
    if (q_on) {
      top->s_axis_spec_tvalid = 1;
      top->s_axis_spec_channel = traffic[qnext].channel;
      top->s_axis_spec_seq = traffic[qnext].seq;
    } else {
      top->s_axis_spec_tvalid = 0;
    }
    top->m_axis_cmd_tready = chance(m.p_ready);
    top->eval();
    const bool in_fire = top->s_axis_pkt_tvalid && top->s_axis_pkt_tready;
    const bool q_fire = top->s_axis_spec_tvalid && top->s_axis_spec_tready;
    if (top->s_axis_spec_tvalid && !top->s_axis_spec_tready) {
      ++res.waited;
      if (top->s_axis_pkt_tvalid) ++res.waited_rec;
    }
    if (q_fire && top->s_axis_pkt_tvalid) {
      std::printf("FAIL %s seed %llu cycle %llu: a query taken while a record is offered\n",
                  m.name, (unsigned long long)seed, (unsigned long long)cycle);
      ++g_errors;
    }
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
    } else if (spec_fast_due) {
      // The port's guarantee: nothing waits on the output when a speculated record comes.
      std::printf("FAIL %s seed %llu cycle %llu: a speculated good record not decided as "
                  "taken\n", m.name, (unsigned long long)seed, (unsigned long long)cycle);
      ++g_errors;
    }
    spec_fast_due = false;
    prev_fire = in_fire;
    if (in_fire) {
      last_fire = cycle;
      last_rec = traffic[next];
    }
    const bool out_fire = top->m_axis_cmd_tvalid && top->m_axis_cmd_tready;
    if (out_fire) {
      const Cmd got{top->m_axis_cmd_op, top->m_axis_cmd_channel, top->m_axis_cmd_seq,
                    top->m_axis_cmd_count, top->m_axis_cmd_handle, top->m_axis_cmd_spec != 0};
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
          std::printf("FAIL %s seed %llu cycle %llu cmd %llu: want %s ch %u seq %u count %u h %u "
                      "spec %d, got %s ch %u seq %u count %u h %u spec %d\n",
                      m.name, (unsigned long long)seed, (unsigned long long)cycle,
                      (unsigned long long)res.cmds, kOpName[want.op], want.channel, want.seq,
                      want.count, want.handle, want.spec, kOpName[got.op & 7], got.channel,
                      got.seq, got.count, got.handle, got.spec);
          ++g_errors;
        }
        ++res.by_op[want.op];
      }
      ++res.cmds;
    }
    if (in_fire) {
      const bool r_spec = query && spec[next];
      const Rec& r = traffic[next++];
      rec_on = false;
      tmp.clear();
      ref.offer(r, tmp);
      if (r_spec) {
        // The model's decision for a packet it found in order: its own APPLY, or MALFORMED.
        if (tmp.empty() || tmp[0].op != (r.valid ? kApply : kMalformed) || tmp[0].seq != r.seq ||
            tmp[0].handle != r.handle) {
          std::printf("FAIL %s seed %llu: the model does not apply speculated ch %u seq %u at "
                      "once\n", m.name, (unsigned long long)seed, r.channel, r.seq);
          ++g_errors;
        } else {
          tmp[0].spec = true;
          ++(r.valid ? res.spec_apply : res.spec_malformed);
          spec_fast_due = r.valid;
        }
      }
      for (const Cmd& c : tmp) expect.push_back(c);
      check_answer();
      // Latency of an in-order packet whose first command is an APPLY of itself.
      if (!tmp.empty() && tmp[0].op == kApply && tmp[0].seq == r.seq && !r.flush &&
          expect.size() == tmp.size() && !top->m_axis_cmd_tvalid) {
        waiting_first = true;
        accepted_at = cycle;
      }
      // A query offered behind a record whose only command is its APPLY, decided as taken.
      q_behind = q_on && tmp.size() == 1 && tmp[0].op == kApply && expect.size() == 1 &&
                 !top->m_axis_cmd_tvalid;
      q_behind_at = cycle;
    }
    if (q_fire) {
      if (q_behind) {
        const std::uint64_t d = cycle - q_behind_at;
        res.qa_min = std::min(res.qa_min, d);
        res.qa_max = std::max(res.qa_max, d);
        ++res.qa_n;
        q_behind = false;
      }
      ++res.queries;
      q_on = false;
      q_fired = true;
      q_idx = qnext++;
      skip_flushes();
    }
    tick();
    ++cycle;
  }
  if (cycle >= limit) {
    std::printf("FAIL %s seed %llu: stuck, %zu records left, %zu commands expected\n", m.name,
                (unsigned long long)seed, traffic.size() - next, expect.size());
    ++g_errors;
  }
  if (query && g_errors == 0 && (qnext != traffic.size() || check_pending)) {
    std::printf("FAIL %s seed %llu: %zu of %zu records queried, answer check pending %d\n",
                m.name, (unsigned long long)seed, qnext, traffic.size(), check_pending);
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
  Result q;  // pre-decision totals
  std::uint64_t seed = 1;
  // First without the pre-decision port (its inputs and s_axis_pkt_spec at 0: the arbiter as
  // before it existed), then with it.
  for (const bool query : {false, true}) {
    for (const Mode& m : modes) {
      for (std::uint32_t w : windows) {
        const Result r = run(m, seed++, w, 100000, query);
        total += r.cmds;
        for (int i = 0; i < 7; ++i) by_op[i] += r.by_op[i];
        if (query) {
          q.queries += r.queries;
          q.yes += r.yes;
          q.no_held += r.no_held;
          q.no_seq += r.no_seq;
          q.first += r.first;
          q.waited += r.waited;
          q.waited_rec += r.waited_rec;
          q.spec_apply += r.spec_apply;
          q.spec_malformed += r.spec_malformed;
          q.spec_none += r.spec_none;
          q.no_record += r.no_record;
        }
        if (std::string_view(m.name) == "nostall") {
          std::printf("nostall window %u%s: %llu in-order packets, latency record->APPLY "
                      "%llu..%llu cycles (%llu decided as taken)\n",
                      w, query ? " pre-decided" : "", (unsigned long long)r.lat_n,
                      (unsigned long long)r.lat_min, (unsigned long long)r.lat_max,
                      (unsigned long long)r.fast);
          if (query) {
            std::printf("nostall window %u pre-decided: %llu queries behind a record decided as "
                        "taken, taken %llu..%llu cycles after it\n", w,
                        (unsigned long long)r.qa_n, (unsigned long long)r.qa_min,
                        (unsigned long long)r.qa_max);
            if (r.qa_n == 0 || r.qa_min != kQueryAfterRecord || r.qa_max != kQueryAfterRecord) {
              std::printf("FAIL: a query behind a record is not taken %llu cycles after it\n",
                          (unsigned long long)kQueryAfterRecord);
              ++g_errors;
            }
          }
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
    if (g_errors) break;
  }
  std::printf("%llu commands compared:", (unsigned long long)total);
  for (int i = 0; i < 7; ++i) std::printf(" %s %llu", kOpName[i], (unsigned long long)by_op[i]);
  std::printf("\n");
  std::printf("pre-decision: %llu answers compared with in_order: yes %llu (first packet %llu), "
              "no with seq == expected but held %llu, no otherwise %llu; %llu queries waited "
              "(%llu behind an offered record); speculated records: APPLY %llu, MALFORMED %llu, "
              "none %llu; records not sent %llu\n",
              (unsigned long long)q.queries, (unsigned long long)q.yes,
              (unsigned long long)q.first, (unsigned long long)q.no_held,
              (unsigned long long)q.no_seq, (unsigned long long)q.waited,
              (unsigned long long)q.waited_rec, (unsigned long long)q.spec_apply,
              (unsigned long long)q.spec_malformed, (unsigned long long)q.spec_none,
              (unsigned long long)q.no_record);
  for (int i = 0; i < 7; ++i) {
    if (by_op[i] == 0 && g_errors == 0) {
      std::printf("FAIL: no %s command was exercised\n", kOpName[i]);
      ++g_errors;
    }
  }
  // Every case the answer depends on, and every way a speculated packet ends, must occur.
  if (g_errors == 0 && (q.yes == 0 || q.first == 0 || q.no_held == 0 || q.no_seq == 0 ||
                        q.waited_rec == 0 || q.spec_apply == 0 || q.spec_malformed == 0 ||
                        q.spec_none == 0 || q.queries != q.yes + q.no_held + q.no_seq)) {
    std::printf("FAIL: a pre-decision case was never exercised\n");
    ++g_errors;
  }
  std::printf(g_errors ? "FAILED\n" : "PASSED\n");
  return g_errors ? 1 : 0;
}
