// Testbench of hw/rtl/ttq_book.sv against ttq::MbpBook (one per slot): every result record
// (result code, complete, presence bits, consolidated top) is compared field by field with the
// model. Random op streams (every action and type, levels 0..DEPTH+3, colliding prices, clears,
// configures, illegal ops the card refuses), hot slots so the same side is hit back to back,
// random input idles and output back-pressure; in the no-stall phases every result must come out
// exactly kLatency cycles after its op and the block must take one op per cycle. CONFIG ops go on
// tdata or on the block's CONFIG port (s_axis_op_cfg, as ttq_core sends them), tdata then holding
// a decoy op (often a side entry on the same slot and side as the op before) that must have no
// effect; the CONFIG port's inputs hold garbage, and s_axis_op_cfg toggles, while nothing is
// offered. Directed cases from docs/book.md run first (a second time with every CONFIG on the
// port). `--seed=N` and `--ops=N` (per phase) change the run.
#include <verilated.h>

#include <array>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <iterator>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "Vttq_book.h"
#include "ttq/book.hpp"
#include "ttq/mdp3.hpp"

namespace {

// Parameters of the module under test (its defaults) and its documented latency.
constexpr int kNInstr = 16;
constexpr int kDepth = 10;
constexpr int kImplDepth = 2;
constexpr std::uint64_t kLatency = 1;  // LATENCY in hw/rtl/ttq_book.sv, docs/rtl_book.md

constexpr std::int32_t kI32Max = std::numeric_limits<std::int32_t>::max();

// ttq_pkg: BOOK_OP_*, BOOK_T_*, BOOK_RES_*.
enum : std::uint8_t { kOpEntry = 0, kOpClear = 1, kOpConfig = 2 };
enum : std::uint8_t { kTBid = 0, kTAsk = 1, kTImpBid = 2, kTImpAsk = 3, kTReset = 4 };
enum : std::uint8_t { kResApplied = 0, kResBeyond = 1, kResCorrupt = 2, kResRefused = 3 };
constexpr char kTypeChar[] = {ttq::mdp3::kBid, ttq::mdp3::kOffer, ttq::mdp3::kImpliedBid,
                              ttq::mdp3::kImpliedOffer, ttq::mdp3::kBookReset};
const char* const kResName[] = {"applied", "beyond_depth", "corrupt", "refused"};

struct Op {
  std::uint8_t kind = kOpEntry;
  std::uint16_t slot = 0;
  std::uint8_t etype = 0, action = 0, level = 0;
  std::int64_t px = 0;
  std::int32_t size = 0;
  bool known = false;
  std::uint8_t depth = 0, implied_depth = 0;
  bool port = false;  // a CONFIG sent on the CONFIG port (s_axis_op_cfg), not on tdata
};

struct Res {
  std::uint16_t slot = 0;
  std::uint8_t result = 0;
  bool complete = false, bid_present = false, ask_present = false;
  std::int64_t bid_px = 0, ask_px = 0;
  std::int32_t bid_sz = 0, ask_sz = 0;
  bool top_valid = true;  // false: refused op on a slot >= N_INSTR, only slot/result are defined
};

// Packed-struct layout (first member most significant), as in hw/rtl/ttq_pkg.sv.
struct Field {
  const char* name;
  int width;
};
constexpr Field kOpFields[] = {{"kind", 2},  {"slot", 16},  {"etype", 3}, {"action", 3},
                               {"level", 8}, {"px", 64},    {"size", 32}, {"known", 1},
                               {"depth", 8}, {"idepth", 8}};
constexpr Field kResFields[] = {{"slot", 16},       {"result", 2},      {"complete", 1},
                                {"bid_present", 1}, {"ask_present", 1}, {"bid_px", 64},
                                {"bid_sz", 32},     {"ask_px", 64},     {"ask_sz", 32}};
template <std::size_t N>
constexpr int total_width(const Field (&f)[N]) {
  int w = 0;
  for (const Field& x : f) w += x.width;
  return w;
}
static_assert(total_width(kOpFields) == 145 && total_width(kResFields) == 213);

class Packer {
 public:
  explicit Packer(std::uint32_t* w, int nbits) : w_(w), pos_(nbits) {}
  void put(int width, std::uint64_t v) {
    pos_ -= width;
    for (int b = 0; b < width; ++b) {
      const int i = pos_ + b;
      const std::uint32_t bit = static_cast<std::uint32_t>((v >> b) & 1u);
      w_[i / 32] = (w_[i / 32] & ~(1u << (i % 32))) | (bit << (i % 32));
    }
  }
  std::uint64_t get(int width) {
    pos_ -= width;
    std::uint64_t v = 0;
    for (int b = 0; b < width; ++b) {
      const int i = pos_ + b;
      v |= static_cast<std::uint64_t>((w_[i / 32] >> (i % 32)) & 1u) << b;
    }
    return v;
  }

 private:
  std::uint32_t* w_;
  int pos_;
};

void pack_op(const Op& o, std::uint32_t* w) {
  Packer p(w, 145);
  p.put(2, o.kind);
  p.put(16, o.slot);
  p.put(3, o.etype);
  p.put(3, o.action);
  p.put(8, o.level);
  p.put(64, static_cast<std::uint64_t>(o.px));
  p.put(32, static_cast<std::uint32_t>(o.size));
  p.put(1, o.known);
  p.put(8, o.depth);
  p.put(8, o.implied_depth);
}

Res unpack_res(const std::uint32_t* w) {
  Packer p(const_cast<std::uint32_t*>(w), 213);
  Res r;
  r.slot = static_cast<std::uint16_t>(p.get(16));
  r.result = static_cast<std::uint8_t>(p.get(2));
  r.complete = p.get(1);
  r.bid_present = p.get(1);
  r.ask_present = p.get(1);
  r.bid_px = static_cast<std::int64_t>(p.get(64));
  r.bid_sz = static_cast<std::int32_t>(p.get(32));
  r.ask_px = static_cast<std::int64_t>(p.get(64));
  r.ask_sz = static_cast<std::int32_t>(p.get(32));
  return r;
}

std::string to_string(const Op& o) {
  char b[200];
  if (o.kind == kOpEntry)
    std::snprintf(b, sizeof b, "ENTRY slot %u type %u action %u level %u px %" PRId64 " size %d",
                  o.slot, o.etype, o.action, o.level, o.px, o.size);
  else if (o.kind == kOpClear)
    std::snprintf(b, sizeof b, "CLEAR slot %u known %d", o.slot, o.known);
  else
    std::snprintf(b, sizeof b, "CONFIG(kind %u%s) slot %u depth %u implied %u", o.kind,
                  o.port ? ", CONFIG port" : "", o.slot, o.depth, o.implied_depth);
  return b;
}

std::string to_string(const Res& r) {
  char b[200];
  std::snprintf(b, sizeof b,
                "slot %u %s complete %d bid(%d) %" PRId64 " x %d ask(%d) %" PRId64 " x %d",
                r.slot, kResName[r.result & 3], r.complete, r.bid_present, r.bid_px, r.bid_sz,
                r.ask_present, r.ask_px, r.ask_sz);
  return b;
}

// Coverage of the cases the RTL handles specially.
struct Stats {
  std::uint64_t ops = 0, res[4] = {}, same_side_b2b = 0, fwd_applied_b2b = 0, chg_mismatch = 0,
                chg_refresh = 0, del_empty_corrupt = 0, eq_consolidated = 0, saturated = 0,
                implied_better = 0, clears = 0, configs = 0, resets = 0, delete_from = 0,
                fall_off = 0, port_configs = 0, port_decoy_fwd = 0;
  void add(const Stats& o) {
    ops += o.ops;
    for (int i = 0; i < 4; ++i) res[i] += o.res[i];
    same_side_b2b += o.same_side_b2b;
    fwd_applied_b2b += o.fwd_applied_b2b;
    chg_mismatch += o.chg_mismatch;
    chg_refresh += o.chg_refresh;
    del_empty_corrupt += o.del_empty_corrupt;
    eq_consolidated += o.eq_consolidated;
    saturated += o.saturated;
    implied_better += o.implied_better;
    clears += o.clears;
    configs += o.configs;
    resets += o.resets;
    delete_from += o.delete_from;
    fall_off += o.fall_off;
    port_configs += o.port_configs;
    port_decoy_fwd += o.port_decoy_fwd;
  }
};

// The reference: one MbpBook per slot, and the card's documented refusals (docs/rtl_book.md)
// in front of it. Refused ops never reach the model.
class Reference {
 public:
  Reference() : books_(kNInstr) {
    for (ttq::MbpBook& b : books_) b.configure(kDepth, kImplDepth);
  }

  Res apply(const Op& o, Stats& st) {
    Res r;
    r.slot = o.slot;
    const bool side = o.kind == kOpEntry && o.etype < kTReset;
    const bool refused =
        o.slot >= kNInstr || o.kind > kOpConfig || (o.kind == kOpEntry && o.etype > kTReset) ||
        (side && (o.action > ttq::mdp3::kOverlay ||
                  (o.level == 0 && o.action != ttq::mdp3::kDeleteThru))) ||
        (o.kind == kOpConfig &&
         (o.depth < 1 || o.depth > kDepth || o.implied_depth > kImplDepth));
    if (refused) {
      r.result = kResRefused;
      if (o.slot >= kNInstr) {
        r.top_valid = false;
        return r;
      }
    } else {
      ttq::MbpBook& b = books_[o.slot];
      if (o.kind == kOpClear) {
        b.clear(o.known);
        ++st.clears;
      } else if (o.kind == kOpConfig) {
        b.configure(o.depth, o.implied_depth);
        ++st.configs;
      } else {
        ttq::mdp3::BookEntry e{};
        e.price = o.px;
        e.size = o.size;
        e.orders = 1;
        e.level = o.level;
        e.action = o.action;
        e.type = kTypeChar[o.etype];
        classify(b, o, st);
        r.result = static_cast<std::uint8_t>(b.apply(e, o.px));
        st.resets += o.etype == kTReset;
      }
    }
    fill_top(books_[o.slot], r, st);
    return r;
  }

  const ttq::MbpBook& book(int s) const { return books_[s]; }

 private:
  static const ttq::BookSide& side_of(const ttq::MbpBook& b, std::uint8_t t) {
    switch (t) {
      case kTBid: return b.bids();
      case kTAsk: return b.asks();
      case kTImpBid: return b.implied_bids();
      default: return b.implied_asks();
    }
  }
  // Counts which rule an entry exercises (before it is applied).
  static void classify(const ttq::MbpBook& b, const Op& o, Stats& st) {
    if (o.etype >= kTReset) return;
    const ttq::BookSide& s = side_of(b, o.etype);
    const unsigned d = o.etype < kTImpBid ? b.depth() : b.implied_depth();
    if (o.level < 1 || o.level > d) return;
    const bool has = s.has(o.level);
    if (o.action == ttq::mdp3::kChange) {
      if (has && s.level[o.level - 1].px != o.px) ++st.chg_mismatch;
      if (!has && !b.complete()) ++st.chg_refresh;
    }
    if (o.action == ttq::mdp3::kDelete && !has && b.complete()) ++st.del_empty_corrupt;
    if (o.action == ttq::mdp3::kDeleteFrom) ++st.delete_from;
    if (o.action == ttq::mdp3::kNew && s.has(d)) ++st.fall_off;
  }
  static void fill_top(const ttq::MbpBook& b, Res& r, Stats& st) {
    const ttq::TopOfBook t = b.top();
    r.complete = b.complete();
    r.bid_present = b.bids().has(1) || b.implied_bids().has(1);
    r.ask_present = b.asks().has(1) || b.implied_asks().has(1);
    r.bid_px = t.bid_px;
    r.ask_px = t.ask_px;
    r.bid_sz = t.bid_sz;
    r.ask_sz = t.ask_sz;
    auto both = [&](const ttq::BookSide& a, const ttq::BookSide& i, bool bid) {
      if (!a.has(1) || !i.has(1)) return;
      const std::int64_t pa = a.level[0].px, pi = i.level[0].px;
      if (pa == pi) {
        ++st.eq_consolidated;
        if (std::int64_t{a.level[0].sz} + i.level[0].sz > kI32Max) ++st.saturated;
      } else if (bid ? pi > pa : pi < pa) {
        ++st.implied_better;
      }
    };
    both(b.bids(), b.implied_bids(), true);
    both(b.asks(), b.implied_asks(), false);
  }

  std::vector<ttq::MbpBook> books_;
};

int g_errors = 0;
void fail(const std::string& what) {
  if (++g_errors <= 10) std::printf("FAIL %s\n", what.c_str());
}

bool same(const Res& e, const Res& g) {
  if (e.slot != g.slot || e.result != g.result) return false;
  if (!e.top_valid) return true;
  return e.complete == g.complete && e.bid_present == g.bid_present &&
         e.ask_present == g.ask_present && e.bid_px == g.bid_px && e.bid_sz == g.bid_sz &&
         e.ask_px == g.ask_px && e.ask_sz == g.ask_sz;
}

// Random op generator: a few hot slots, a small price pool per run so prices collide.
class OpGen {
 public:
  explicit OpGen(std::uint64_t seed, double p_hot) : g_(seed), p_hot_(p_hot) {
    const std::int64_t base = static_cast<std::int64_t>(g_() % 2000000) - 1000000;
    for (int i = 0; i < 6; ++i) pool_[i] = (base + static_cast<std::int64_t>(i) * 25) * 10000000;
    pool_[6] = 0;
    pool_[7] = -pool_[1];
    hot_[0] = static_cast<std::uint16_t>(g_() % kNInstr);
    hot_[1] = static_cast<std::uint16_t>(g_() % kNInstr);
  }
  bool chance(double p) { return static_cast<double>(g_() >> 11) * 0x1.0p-53 < p; }
  std::uint64_t raw() { return g_(); }

  Op next() {
    Op o;
    o.slot = chance(p_hot_) ? hot_[g_() % 2] : static_cast<std::uint16_t>(g_() % kNInstr);
    if (chance(0.002)) o.slot = static_cast<std::uint16_t>(kNInstr + g_() % (65536 - kNInstr));
    // Fields an op does not use hold garbage: the block must ignore them.
    o.px = static_cast<std::int64_t>(g_());
    o.size = static_cast<std::int32_t>(g_());
    o.level = static_cast<std::uint8_t>(g_());
    o.action = static_cast<std::uint8_t>(g_() % 8);
    o.etype = static_cast<std::uint8_t>(g_() % 8);
    o.known = g_() & 1;
    o.depth = static_cast<std::uint8_t>(g_());
    o.implied_depth = static_cast<std::uint8_t>(g_());
    const unsigned k = static_cast<unsigned>(g_() % 1000);
    if (k < 8) {
      o.kind = kOpClear;
    } else if (k < 16) {
      o.kind = kOpConfig;
      // Mostly legal (including the defaults back), sometimes out of range (refused).
      o.depth = chance(0.85) ? static_cast<std::uint8_t>(1 + g_() % kDepth)
                             : static_cast<std::uint8_t>(chance(0.5) ? 0 : kDepth + 1 + g_() % 8);
      o.implied_depth = chance(0.85) ? static_cast<std::uint8_t>(g_() % (kImplDepth + 1))
                                     : static_cast<std::uint8_t>(kImplDepth + 1 + g_() % 4);
      if (chance(0.5)) {
        o.depth = kDepth;
        o.implied_depth = kImplDepth;
      }
    } else if (k < 17) {
      o.kind = 3;  // unknown kind: refused
    } else {
      o.kind = kOpEntry;
      const unsigned t = static_cast<unsigned>(g_() % 1000);
      o.etype = t < 330 ? kTBid : t < 660 ? kTAsk : t < 820 ? kTImpBid : t < 980 ? kTImpAsk
              : t < 995 ? kTReset : static_cast<std::uint8_t>(5 + g_() % 3);
      // Runs on one side of one slot: the block must forward between back-to-back ops.
      if (last_side_ && chance(0.45)) {
        o.slot = last_.slot;
        o.etype = last_.etype;
      }
      const unsigned a = static_cast<unsigned>(g_() % 1000);
      // New and Change dominate, like the feed; the rest often enough to matter.
      o.action = a < 300 ? 0 : a < 600 ? 1 : a < 780 ? 2 : a < 820 ? 3 : a < 890 ? 4
               : a < 995 ? 5 : static_cast<std::uint8_t>(6 + g_() % 2);
      const unsigned l = static_cast<unsigned>(g_() % 100);
      o.level = l < 40 ? static_cast<std::uint8_t>(1 + g_() % 3)
              : l < 97 ? static_cast<std::uint8_t>(g_() % (kDepth + 4))
                       : static_cast<std::uint8_t>(g_());
      if (o.level == 0 && o.etype < kTReset && o.action != 3 && chance(0.8))
        o.level = 1;  // level 0 is refused: keep it rare
      o.px = chance(0.97) ? pool_[g_() % 8] : static_cast<std::int64_t>(g_());
      const unsigned s = static_cast<unsigned>(g_() % 100);
      o.size = s < 85 ? static_cast<std::int32_t>(g_() % 500)
             : s < 95 ? kI32Max - static_cast<std::int32_t>(g_() % 1000)
                      : static_cast<std::int32_t>(g_());
    }
    last_ = o;
    last_side_ = o.kind == kOpEntry && o.etype < kTReset && o.slot < kNInstr;
    return o;
  }

 private:
  std::mt19937_64 g_;
  double p_hot_;
  std::int64_t pool_[8];
  std::uint16_t hot_[2];
  Op last_{};
  bool last_side_ = false;
};

struct Mode {
  const char* name;
  double p_in;     // an op is presented in a free cycle
  double p_ready;  // m_axis_res_tready
  double p_hot;    // op on one of two hot slots
  bool bursty;     // tready in long on/off runs instead of independent draws
  double p_port;   // a CONFIG op goes on the CONFIG port (else on tdata)
};

class Bench {
 public:
  Bench() : ctx_(std::make_unique<VerilatedContext>()) {
    ctx_->randReset(2);
    top_ = std::make_unique<Vttq_book>(ctx_.get());
    top_->clk = 0;
    top_->rst = 1;
    top_->s_axis_op_tvalid = 0;
    top_->s_axis_op_cfg = 0;
    // The undo journal (cut-through) is not exercised here: nothing speculated, never undone
    // (sim.tb_apply's cut-through runs test it against the model).
    top_->s_axis_op_tspec = 0;
    top_->j_commit = 0;
    top_->j_undo = 0;
    top_->m_axis_res_tready = 0;
    for (int i = 0; i < 4; ++i) tick();
    top_->rst = 0;
    top_->eval();
    tick();  // tready is a register: high one cycle after reset
  }
  ~Bench() { top_->final(); }

  // Runs `ops` (generated on the fly when `gen` is set, else taken from `fixed`) through the
  // block and the reference. Returns false on any error.
  void run(const Mode& m, OpGen* gen, const std::vector<Op>* fixed, std::uint64_t n_ops,
           std::uint64_t seed, Stats& st, const std::vector<std::uint8_t>* want = nullptr) {
    std::mt19937_64 g(seed ^ 0x5EED);
    auto chance = [&](double p) { return static_cast<double>(g() >> 11) * 0x1.0p-53 < p; };
    const bool no_stall = m.p_ready >= 1.0;
    std::deque<Exp> exp;
    bool presenting = false;
    Op cur{};
    std::uint64_t issued = 0, accepted = 0, done = 0, first_acc = 0;
    bool ready_run = true;
    std::uint64_t cycle = 0;
    const std::uint64_t limit = n_ops * 40 + 1000;
    int prev_slot = -1, prev_type = -1;
    bool prev_applied = false;
    Op last_acc{};  // the op taken last: decoys often repeat its slot and side
    while (done < n_ops && cycle < limit) {
      if (!presenting && issued < n_ops && chance(m.p_in)) {
        cur = gen ? gen->next() : (*fixed)[issued];
        cur.port = cur.kind == kOpConfig && chance(m.p_port);
        presenting = true;
        ++issued;
      }
      bool ready;
      if (m.bursty) {
        if (chance(0.05)) ready_run = !ready_run;
        ready = ready_run;
      } else {
        ready = chance(m.p_ready);
      }
      top_->s_axis_op_tvalid = presenting;
      bool decoy_fwd = false;
      if (presenting && !cur.port) {
        pack_op(cur, top_->s_axis_op_tdata.data());
        top_->s_axis_op_cfg = 0;
      } else if (presenting) {
        // The CONFIG on its port; on tdata a new decoy every cycle: mostly a legal side entry,
        // on the CONFIG's slot or on the last op's slot and side (the block's forwarding from
        // the op in c1 would pick it up), levels within depth, prices from the last op.
        Op d;
        d.kind = chance(0.85) ? kOpEntry : static_cast<std::uint8_t>(g() % 4);
        d.slot = chance(0.5) ? cur.slot : last_acc.slot;
        d.etype = static_cast<std::uint8_t>(g() % 4);
        if (chance(0.5)) {
          d.slot = last_acc.slot;
          d.etype = last_acc.etype;
        }
        d.action = static_cast<std::uint8_t>(g() % 6);
        d.level = static_cast<std::uint8_t>(1 + g() % 3);
        d.px = chance(0.7) ? last_acc.px : static_cast<std::int64_t>(g());
        d.size = static_cast<std::int32_t>(g());
        d.known = g() & 1;
        d.depth = static_cast<std::uint8_t>(g());
        d.implied_depth = static_cast<std::uint8_t>(g());
        decoy_fwd = d.kind == kOpEntry && d.slot == last_acc.slot && d.etype == last_acc.etype;
        pack_op(d, top_->s_axis_op_tdata.data());
        top_->s_axis_op_cfg = 1;
        top_->s_axis_cfg_slot = cur.slot;
        top_->s_axis_cfg_depth = cur.depth;
        top_->s_axis_cfg_implied_depth = cur.implied_depth;
      } else {
        for (int w = 0; w < 5; ++w) top_->s_axis_op_tdata[w] = static_cast<std::uint32_t>(g());
      }
      if (!presenting) {  // nothing offered: the CONFIG port must be ignored too
        top_->s_axis_op_cfg = g() & 1;
        top_->s_axis_cfg_slot = static_cast<std::uint16_t>(g() % (kNInstr + 1));
        top_->s_axis_cfg_depth = static_cast<std::uint8_t>(g() % (kDepth + 1));
        top_->s_axis_cfg_implied_depth = static_cast<std::uint8_t>(g() % (kImplDepth + 1));
      }
      top_->m_axis_res_tready = ready;
      top_->eval();

      // Output: hold rule, then compare.
      const bool tvalid = top_->m_axis_res_tvalid;
      if (held_valid_ && !held_ready_ &&
          (!tvalid || std::memcmp(held_.data(), top_->m_axis_res_tdata.data(),
                                  sizeof(std::uint32_t) * held_.size()) != 0))
        fail(std::string(m.name) + ": output changed before its handshake");
      held_valid_ = tvalid;
      held_ready_ = ready;
      std::memcpy(held_.data(), top_->m_axis_res_tdata.data(),
                  sizeof(std::uint32_t) * held_.size());
      if (tvalid && ready) {
        if (exp.empty()) {
          fail(std::string(m.name) + ": result without an op");
        } else {
          const Exp& e = exp.front();
          const Res got = unpack_res(top_->m_axis_res_tdata.data());
          if (!same(e.res, got)) {
            char b[64];
            std::snprintf(b, sizeof b, ": op %" PRIu64 " (cycle %" PRIu64 ")\n  op       ",
                          e.index, cycle);
            fail(std::string(m.name) + b + to_string(e.op) + "\n  expected " +
                 to_string(e.res) + "\n  got      " + to_string(got));
          }
          if (no_stall && cycle - e.cycle != kLatency) {
            char b[96];
            std::snprintf(b, sizeof b, ": op %" PRIu64 " latency %" PRIu64 " != %" PRIu64,
                          e.index, cycle - e.cycle, kLatency);
            fail(std::string(m.name) + b);
          }
          exp.pop_front();
          ++done;
        }
      }

      // Input handshake: the reference applies the op now, in acceptance order.
      const bool tready = top_->s_axis_op_tready;
      if (no_stall && presenting && !tready) fail(std::string(m.name) + ": tready low, no stall");
      if (presenting && tready) {
        Exp e;
        e.op = cur;
        e.index = accepted;
        e.cycle = cycle;
        const bool side = cur.kind == kOpEntry && cur.etype < kTReset;
        if (side && prev_slot == cur.slot && prev_type == cur.etype) {
          ++st.same_side_b2b;
          st.fwd_applied_b2b += prev_applied;
        }
        e.res = ref_.apply(cur, st);
        st.port_configs += cur.port;
        st.port_decoy_fwd += cur.port && decoy_fwd;
        last_acc = cur;
        if (want && (*want)[accepted] != e.res.result) {
          char b[160];
          std::snprintf(b, sizeof b, "directed op %" PRIu64 ": docs/book.md says %s, MbpBook %s",
                        accepted, kResName[(*want)[accepted]], kResName[e.res.result]);
          fail(b);
        }
        ++st.res[e.res.result];
        prev_slot = side ? cur.slot : -1;
        prev_type = cur.etype;
        prev_applied = e.res.result == kResApplied;
        exp.push_back(e);
        if (accepted == 0) first_acc = cycle;
        ++accepted;
        ++st.ops;
        presenting = false;
      } else if (!presenting) {
        prev_slot = -1;  // an idle cycle breaks back-to-back
      }
      tick();
      ++cycle;
    }
    if (done != n_ops) fail(std::string(m.name) + ": not every op got its result");
    if (no_stall && m.p_in >= 1.0 && accepted == n_ops &&
        cycle - first_acc != n_ops + kLatency)  // one op per cycle, then the last result
      fail(std::string(m.name) + ": not one op per cycle");
  }

  const Reference& ref() const { return ref_; }

 private:
  struct Exp {
    Op op;
    Res res;
    std::uint64_t index = 0, cycle = 0;
  };
  void tick() {
    top_->clk = 1;
    top_->eval();
    top_->clk = 0;
    top_->eval();
  }

  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Vttq_book> top_;
  Reference ref_;
  std::array<std::uint32_t, 7> held_{};  // m_axis_res_tdata, 213 bits
  bool held_valid_ = false, held_ready_ = false;
};

// ---- Directed cases (docs/book.md), each op with the result the doc states ----------------
struct Directed {
  std::vector<Op> ops;
  std::vector<std::uint8_t> want;
  void entry(std::uint16_t slot, std::uint8_t type, std::uint8_t action, std::uint8_t level,
             std::int64_t px, std::int32_t size, std::uint8_t res) {
    Op o;
    o.kind = kOpEntry;
    o.slot = slot;
    o.etype = type;
    o.action = action;
    o.level = level;
    o.px = px;
    o.size = size;
    ops.push_back(o);
    want.push_back(res);
  }
  void clear(std::uint16_t slot, bool known) {
    Op o;
    o.kind = kOpClear;
    o.slot = slot;
    o.known = known;
    ops.push_back(o);
    want.push_back(kResApplied);
  }
  void config(std::uint16_t slot, std::uint8_t d, std::uint8_t i, std::uint8_t res) {
    Op o;
    o.kind = kOpConfig;
    o.slot = slot;
    o.depth = d;
    o.implied_depth = i;
    ops.push_back(o);
    want.push_back(res);
  }
};

constexpr std::int64_t px9(double p) { return static_cast<std::int64_t>(p * 1000) * 1000000; }

Directed directed() {
  Directed d;
  // Worked example (spec section 5): a full 10-deep offer side, New 413.25 x 2 at 3, then
  // Change 6 to 414.50 x 3 (the post-shift level 6): applied. On slot 1 the Change comes first
  // and meets 414.75: corrupt.
  const double asks[] = {412.50, 413.00, 413.75, 414.00, 414.50,
                         414.75, 415.00, 415.25, 415.50, 416.00};
  for (std::uint16_t s : {0, 1}) {
    d.clear(s, true);
    for (int l = 0; l < 10; ++l) d.entry(s, kTAsk, 0, static_cast<std::uint8_t>(l + 1),
                                         px9(asks[l]), 10 + l, kResApplied);
  }
  d.entry(0, kTAsk, 0, 3, px9(413.25), 2, kResApplied);
  d.entry(0, kTAsk, 1, 6, px9(414.50), 3, kResApplied);
  d.entry(1, kTAsk, 1, 6, px9(414.50), 3, kResCorrupt);
  // Level 10 fell off: Change at 10 must name 415.50 now.
  d.entry(0, kTAsk, 1, 10, px9(416.00), 1, kResCorrupt);
  d.entry(0, kTAsk, 1, 10, px9(415.50), 1, kResApplied);
  // Beyond depth; Delete shifts up, level 10 then empty: Change/Delete there are corrupt.
  d.entry(0, kTAsk, 0, 11, px9(420.0), 1, kResBeyond);
  d.entry(0, kTAsk, 2, 1, 0, 0, kResApplied);
  d.entry(0, kTAsk, 1, 10, px9(415.50), 1, kResCorrupt);
  d.entry(0, kTAsk, 2, 10, 0, 0, kResCorrupt);
  // Natural refresh on slot 2 (never cleared: not complete): Change at an unknown level applies.
  d.entry(2, kTBid, 1, 1, px9(100.0), 5, kResApplied);
  d.entry(2, kTBid, 1, 1, px9(100.25), 5, kResCorrupt);  // known level: the price must match
  d.entry(2, kTBid, 2, 4, 0, 0, kResApplied);            // Delete at unknown: fine
  d.entry(2, kTAsk, 5, 1, px9(100.5), 7, kResApplied);   // Overlay
  // Consolidation on slot 2: implied bid better, equal (sizes add), equal and saturating.
  d.entry(2, kTImpBid, 5, 1, px9(100.125), 3, kResApplied);
  d.entry(2, kTImpBid, 5, 1, px9(100.0), 3, kResApplied);
  d.entry(2, kTImpBid, 5, 1, px9(100.0), kI32Max - 1, kResApplied);
  d.entry(2, kTImpAsk, 0, 1, px9(100.5), 4, kResApplied);
  d.entry(2, kTImpAsk, 0, 3, px9(101.0), 4, kResBeyond);  // implied depth 2
  // DeleteFrom N < D, N = D; DeleteThru with level 0; Book Reset.
  d.entry(2, kTBid, 0, 2, px9(99.75), 1, kResApplied);
  d.entry(2, kTBid, 4, 1, 0, 0, kResApplied);
  d.entry(2, kTBid, 4, 10, 0, 0, kResApplied);
  d.entry(2, kTImpBid, 3, 0, 0, 0, kResApplied);
  d.entry(2, kTBid, 1, 1, px9(1.0), 1, kResApplied);  // still not complete: a refresh
  d.entry(2, 4, 0, 0, 0, 0, kResApplied);            // 'J'
  d.entry(2, kTBid, 1, 1, px9(1.0), 1, kResCorrupt);  // complete now
  // Configure: masking, then growing back adds empty levels; illegal configs are refused.
  d.entry(0, kTAsk, 0, 1, px9(412.0), 1, kResApplied);
  d.config(0, 1, 0, kResApplied);
  d.entry(0, kTAsk, 1, 2, px9(412.5), 1, kResBeyond);
  d.entry(0, kTImpAsk, 0, 1, px9(412.5), 1, kResBeyond);
  d.config(0, 10, 2, kResApplied);
  d.entry(0, kTAsk, 2, 2, 0, 0, kResCorrupt);  // level 2 was forgotten: empty, book complete
  d.config(0, 0, 2, kResRefused);
  d.config(0, 11, 2, kResRefused);
  d.config(0, 10, 3, kResRefused);
  d.entry(0, kTAsk, 0, 0, px9(1.0), 1, kResRefused);  // level 0
  d.entry(0, kTAsk, 6, 1, px9(1.0), 1, kResRefused);  // action 6
  d.entry(0, 5, 0, 1, px9(1.0), 1, kResRefused);      // type 5
  d.entry(kNInstr, kTAsk, 0, 1, px9(1.0), 1, kResRefused);
  d.clear(0, false);
  d.entry(0, kTAsk, 2, 1, 0, 0, kResApplied);  // clear(false): not complete
  return d;
}

}  // namespace

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  std::uint64_t seed = 1, n = 500000;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--seed=", 0) == 0) seed = std::stoull(a.substr(7));
    if (a.rfind("--ops=", 0) == 0) n = std::stoull(a.substr(6));
  }

  Stats all;
  {
    // Directed: at full rate without stalls (so the dependent ops are back to back) and again
    // under back-pressure.
    const Directed d = directed();
    const Mode m1{"directed no-stall", 1.0, 1.0, 0, false, 0.0};
    const Mode m2{"directed stalls", 0.7, 0.4, 0, false, 0.0};
    const Mode m3{"directed CONFIG port", 1.0, 1.0, 0, false, 1.0};
    const Mode m4{"directed port stalls", 0.7, 0.4, 0, false, 1.0};
    for (const Mode* m : {&m1, &m2, &m3, &m4}) {
      Bench b;
      Stats st;
      b.run(*m, nullptr, &d.ops, d.ops.size(), seed, st, &d.want);
      std::printf("%-22s %zu ops\n", m->name, d.ops.size());
    }
  }

  const Mode modes[] = {
      {"no-stall full rate", 1.0, 1.0, 0.9, false, 0.5},
      {"no-stall full spread", 1.0, 1.0, 0.3, false, 0.5},
      {"no-stall idles", 0.6, 1.0, 0.8, false, 0.5},
      {"random idles/ready", 0.7, 0.6, 0.8, false, 0.5},
      {"heavy back-pressure", 0.95, 0.15, 0.8, false, 0.5},
      {"bursty ready", 1.0, 0.5, 0.9, true, 0.5},
  };
  for (std::size_t i = 0; i < std::size(modes); ++i) {
    const std::uint64_t s = seed * 1000003 + i;
    Bench b;
    OpGen gen(s, modes[i].p_hot);
    Stats st;
    b.run(modes[i], &gen, nullptr, n, s, st);
    std::printf("%-22s %" PRIu64 " ops: applied %" PRIu64 " beyond %" PRIu64 " corrupt %" PRIu64
                " refused %" PRIu64 ", same side back to back %" PRIu64 " (%" PRIu64
                " after an applied op)\n",
                modes[i].name, st.ops, st.res[0], st.res[1], st.res[2], st.res[3],
                st.same_side_b2b, st.fwd_applied_b2b);
    all.add(st);
  }
  std::printf("coverage: change mismatch %" PRIu64 ", change refresh %" PRIu64
              ", delete at empty (complete) %" PRIu64 ", equal-price consolidations %" PRIu64
              " (saturated %" PRIu64 "), implied better %" PRIu64 ", clears %" PRIu64
              ", configs %" PRIu64 ", resets %" PRIu64 ", DeleteFrom %" PRIu64
              ", fall-off %" PRIu64 ", CONFIG port %" PRIu64 " (decoy on the last op's side %" PRIu64
              ")\n",
              all.chg_mismatch, all.chg_refresh, all.del_empty_corrupt, all.eq_consolidated,
              all.saturated, all.implied_better, all.clears, all.configs, all.resets,
              all.delete_from, all.fall_off, all.port_configs, all.port_decoy_fwd);
  const std::uint64_t floor = n / 100;
  if (all.res[0] < floor || all.res[1] < floor || all.res[2] < floor || all.res[3] < floor / 10 ||
      all.fwd_applied_b2b < floor || all.chg_mismatch < floor || all.chg_refresh < floor / 10 ||
      all.del_empty_corrupt < floor / 10 || all.eq_consolidated < floor ||
      all.saturated < floor / 10 || all.implied_better < floor || all.clears < floor / 10 ||
      all.configs < floor / 10 || all.resets < floor / 10 || all.delete_from < floor ||
      all.fall_off < floor || all.port_configs < floor / 10 || all.port_decoy_fwd < floor / 40)
    fail("coverage: a case was not exercised enough");
  if (g_errors) {
    std::printf("tb_book: %d errors\n", g_errors);
    return 1;
  }
  std::printf("tb_book: PASS (%" PRIu64 " random ops)\n", all.ops);
  return 0;
}
