// Testbench of hw/rtl/ttq_regs.sv, the card's AXI4-Lite register block, against the register map
// (ttq/card_regs.hpp, generated from hw/regmap/ttq_regs.toml) and a reference model written here
// from docs/registers.md. An AXI4-Lite master with random delays on every channel drives it; a
// monitor checks the protocol and the core's config read port every cycle. Exit 1 on a failure.
// Built twice (sim/tb_regs.cmake): with the package defaults, and with TB_PARAMS (every card
// parameter away from its default, as the -G options of that build set them).
#include <verilated.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "Vttq_regs.h"
#include "quoter_regs.hpp"
#include "ttq/card_regs.hpp"
#include "ttq/fast_path.hpp"

namespace card = ttq::card;
__extension__ typedef unsigned __int128 u128;  // exact products of the commit rules

namespace {

#ifdef TB_PARAMS
// The -G values of tb_regs_params (sim/tb_regs.cmake).
constexpr std::uint32_t kN = TB_N_INSTR;
constexpr std::uint32_t kDepth = TB_DEPTH;
constexpr std::uint32_t kDataW = TB_DATA_W;
constexpr std::uint32_t kNLines = TB_N_LINES;
constexpr std::uint32_t kNCh = TB_N_CH;
constexpr std::uint32_t kCutThrough = TB_CUT_THROUGH;
#else
// The instance under test uses the package defaults.
constexpr std::uint32_t kN = card::kCapNInstrDefault;
constexpr std::uint32_t kDepth = card::kCapDepthDefault;
constexpr std::uint32_t kDataW = card::kCapDataWDefault;
constexpr std::uint32_t kNLines = card::kCapNLinesDefault;
constexpr std::uint32_t kNCh = card::kCapNChDefault;
constexpr std::uint32_t kCutThrough = card::kCapCutThroughDefault;
#endif
constexpr unsigned kNCnt = static_cast<unsigned>(card::Counter::kCount);
constexpr std::uint32_t kOkay = 0, kSlvErr = 2;

int g_failures = 0;
std::uint64_t g_cycle = 0;

#define CHECK(cond, ...)                                                          \
  do {                                                                            \
    if (!(cond)) {                                                                \
      if (++g_failures <= 25) {                                                   \
        std::fprintf(stderr, "FAIL @%llu %s:%d: %s: ",                            \
                     static_cast<unsigned long long>(g_cycle), __FILE__, __LINE__, \
                     #cond);                                                      \
        std::fprintf(stderr, __VA_ARGS__);                                        \
        std::fprintf(stderr, "\n");                                               \
      }                                                                           \
    }                                                                             \
  } while (0)

// ------------------------------------------------------------------------------------------------
// The map as the testbench understands it (independently of the RTL's decoder).

std::uint32_t mask_w(unsigned w) { return w >= 32 ? 0xffffffffu : ((1u << w) - 1u); }

struct WordRef {
  const card::slot::RegInfo* reg = nullptr;
  bool hi = false;
};

// Shadow word index -> register and half.
std::array<WordRef, 32> build_words() {
  std::array<WordRef, 32> w{};
  for (const auto& r : card::slot::kRegs) {
    if (!r.shadowed) continue;
    w[r.offset / 4] = {&r, false};
    if (r.size == 64) w[r.offset / 4 + 1] = {&r, true};
  }
  return w;
}
const std::array<WordRef, 32> kWords = build_words();

// Shadow words 0 .. kShadowUsed-1 hold the slot's configuration (holes included).
std::uint32_t shadow_used() {
  std::uint32_t n = 0;
  for (std::uint32_t i = 0; i < 32; ++i) {
    if (kWords[i].reg != nullptr) n = i + 1;
  }
  return n;
}
const std::uint32_t kShadowUsed = shadow_used();

// Line window word index -> register (nullptr: a hole).
constexpr std::uint32_t kLineWordsN = card::line::kStride / 4;
std::array<const card::RegInfo*, kLineWordsN> build_line_words() {
  std::array<const card::RegInfo*, kLineWordsN> w{};
  for (const auto& r : card::line::kRegs) w[r.offset / 4] = &r;
  return w;
}
const std::array<const card::RegInfo*, kLineWordsN> kLineWords = build_line_words();

const card::slot::RegInfo& reg_named(const char* name) {
  for (const auto& r : card::slot::kRegs) {
    if (std::string(r.name) == name) return r;
  }
  std::fprintf(stderr, "no register %s\n", name);
  std::exit(2);
}

// The value of a card parameter in the instance under test.
std::int64_t cap_value(card::Cap c) {
  switch (c) {
    case card::Cap::kNInstr: return kN;
    case card::Cap::kDepth: return kDepth;
    case card::Cap::kDataW: return kDataW;
    case card::Cap::kNLines: return kNLines;
    case card::Cap::kNCh: return kNCh;
    default: break;
  }
  std::fprintf(stderr, "unknown card parameter\n");
  std::exit(2);
}

// A bound that names a card parameter is this instance's parameter (minus cap_sub).
std::int64_t reg_max(const card::RegInfo& r) {
  if (r.cap == card::Cap::kNone) return r.max;
  return std::min(r.max, cap_value(r.cap) - r.cap_sub);
}

std::uint32_t reset_word(const card::slot::RegInfo& r, bool hi) {
  std::int64_t v = r.reset;
  if (r.cap != card::Cap::kNone && v > reg_max(r)) v = reg_max(r);
  const auto u = static_cast<std::uint64_t>(v);
  return hi ? static_cast<std::uint32_t>(u >> 32) : static_cast<std::uint32_t>(u);
}

bool ascii_ok(std::uint32_t v, unsigned nbytes) {
  for (unsigned b = 0; b < nbytes; ++b) {
    const unsigned c = (v >> (8 * b)) & 0xffu;
    if (c != 0 && (c < 0x20 || c > 0x7e)) return false;
  }
  return true;
}

// Validation on write of a line register: unsigned, the whole word in [min, max].
bool line_word_ok(const card::RegInfo& r, std::uint32_t v) {
  return static_cast<std::int64_t>(v) >= r.min && static_cast<std::int64_t>(v) <= reg_max(r);
}

// Validation on write, from the RegInfo table (docs/registers.md, Validation).
bool word_ok(const WordRef& wr, std::uint32_t v) {
  const auto& r = *wr.reg;
  bool ok = true;
  if (r.size == 32) {
    const std::int64_t x = r.is_signed ? static_cast<std::int64_t>(static_cast<std::int32_t>(v))
                                       : static_cast<std::int64_t>(v);
    ok = x >= r.min && x <= reg_max(r);
  } else if (!r.is_signed && wr.hi) {
    ok = v <= static_cast<std::uint64_t>(r.max) >> 32;
  }
  if (r.ascii) ok = ok && ascii_ok(v, wr.hi ? (r.width - 32) / 8 : 4);
  return ok;
}

// ------------------------------------------------------------------------------------------------
// Slot configuration as words, the commit rules, and the port's expected bits.

using SlotWords = std::array<std::uint32_t, 32>;

std::uint64_t field64(const SlotWords& w, const card::slot::RegInfo& r) {
  std::uint64_t v = w[r.offset / 4];
  if (r.size == 64) v |= static_cast<std::uint64_t>(w[r.offset / 4 + 1]) << 32;
  return v;
}

// The quoter's per-slot registers as the host computes them (sim/quoter_regs.hpp defines them).
ttq::sim::QuoterCardRegs host_regs(std::uint64_t tick, std::uint64_t max_spread) {
  return ttq::sim::quoter_card_regs(static_cast<std::int64_t>(tick),
                                    static_cast<std::int32_t>(max_spread));
}

// ERR code of the first commit rule that fails (0: applied). RECIP_SH, RECIP and D_LIM must be
// exactly quoter_card_regs(TICK, MAX_SPREAD_TICKS).
std::uint32_t commit_result(const SlotWords& w) {
  using E = card::ErrCode;
  if ((field64(w, reg_named("VALID")) & 1) == 0) return 0;
  const std::uint64_t t = field64(w, reg_named("TICK"));
  const std::uint64_t sh = field64(w, reg_named("RECIP_SH"));
  const std::uint64_t r = field64(w, reg_named("RECIP"));
  const std::uint64_t dlim = field64(w, reg_named("D_LIM"));
  const std::uint64_t mx = field64(w, reg_named("MAX_SPREAD_TICKS"));
  const auto fl = static_cast<std::int64_t>(field64(w, reg_named("PRICE_FLOOR")));
  const auto ce = static_cast<std::int64_t>(field64(w, reg_named("PRICE_CEILING")));
  if (field64(w, reg_named("SECURITY_ID")) == 0) return static_cast<std::uint32_t>(E::kSecurityId);
  if (t == 0) return static_cast<std::uint32_t>(E::kTick);
  const ttq::sim::QuoterCardRegs q = host_regs(t, mx);
  // quoter_card_regs' out-of-range result (all zero) needs TICK = 0 (refused above), TICK >= 2^40
  // or MAX_SPREAD_TICKS outside 1..65535, which the write ranges keep out of the shadow.
  CHECK(q.valid, "shadow holds TICK %#llx / MAX_SPREAD_TICKS %llu outside the card's contract",
        static_cast<unsigned long long>(t), static_cast<unsigned long long>(mx));
  if (sh != q.recip_sh) return static_cast<std::uint32_t>(E::kRecipSh);
  if (fl > ce) return static_cast<std::uint32_t>(E::kFloorCeiling);
  if (r != q.recip) return static_cast<std::uint32_t>(E::kRecip);
  if (dlim != q.d_lim) return static_cast<std::uint32_t>(E::kDLim);
  return 0;
}

// Bits of the committed slot_cfg_t, in port order.
struct CfgField {
  card::rtl::CfgBits bits;
  const char* reg;
};
const CfgField kCfg[] = {
    {card::rtl::kCfgSecurityId, "SECURITY_ID"},
    {card::rtl::kCfgValid, "VALID"},
    {card::rtl::kCfgTick, "TICK"},
    {card::rtl::kCfgRecipSh, "RECIP_SH"},
    {card::rtl::kCfgRecip, "RECIP"},
    {card::rtl::kCfgDLim, "D_LIM"},
    {card::rtl::kCfgRefMode, "REF_MODE"},
    {card::rtl::kCfgBidOffsetTicks, "BID_OFFSET_TICKS"},
    {card::rtl::kCfgAskOffsetTicks, "ASK_OFFSET_TICKS"},
    {card::rtl::kCfgMinSpreadTicks, "MIN_SPREAD_TICKS"},
    {card::rtl::kCfgMaxSpreadTicks, "MAX_SPREAD_TICKS"},
    {card::rtl::kCfgOrderSize, "ORDER_SIZE"},
    {card::rtl::kCfgDepth, "DEPTH"},
    {card::rtl::kCfgImpliedDepth, "IMPLIED_DEPTH"},
    {card::rtl::kCfgPriceFloor, "PRICE_FLOOR"},
    {card::rtl::kCfgPriceCeiling, "PRICE_CEILING"},
    {card::rtl::kCfgGroup, "GROUP"},
    {card::rtl::kCfgRequoteToleranceTicks, "REQUOTE_TOLERANCE_TICKS"},
    {card::rtl::kCfgSkewShiftTicks, "SKEW_SHIFT_TICKS"},
    {card::rtl::kCfgSizeAdj, "SIZE_ADJ"},
    {card::rtl::kCfgChannel, "CHANNEL"},
};
static_assert(sizeof(kCfg) / sizeof(kCfg[0]) == 21);

template <class W>
std::uint64_t wide_bits(const W& w, unsigned lsb, unsigned width) {
  std::uint64_t v = 0;
  for (unsigned i = 0; i < width; ++i) {
    const unsigned b = lsb + i;
    v |= static_cast<std::uint64_t>((w[b / 32] >> (b % 32)) & 1u) << i;
  }
  return v;
}

std::uint64_t trunc(std::uint64_t v, unsigned width) {
  return width >= 64 ? v : (v & ((std::uint64_t{1} << width) - 1));
}

// Bits [lsb, lsb + width) of a Verilated output: an integer (<= 64 bits) or a VlWide.
template <class T>
std::uint64_t out_bits(const T& v, unsigned lsb, unsigned width) {
  if constexpr (std::is_integral_v<T>) {
    return trunc(static_cast<std::uint64_t>(v) >> lsb, width);
  } else {
    return wide_bits(v, lsb, width);
  }
}

// ------------------------------------------------------------------------------------------------
// AXI4-Lite master with random delays, and the cycle loop with its monitors.

struct Txn {
  bool write = false;
  std::uint32_t addr = 0, data = 0, strb = 0xF;
  int aw_delay = 0, w_delay = 0;
  bool aw_done = false, w_done = false, done = false;
  std::uint64_t aw_cycle = 0, w_cycle = 0, resp_cycle = 0;
  std::uint64_t valid_cycle = 0;  // edge that raised BVALID / RVALID for it
  std::uint32_t resp = 0, rdata = 0;
};

struct Chan {
  std::deque<Txn*> q;
  Txn* cur = nullptr;
  int wait = 0;
  bool valid = false;
  bool shown = false;  // cur has been presented (valid) at least once
  bool first = false;  // cur is presented for the first time this cycle
};

struct Coverage {
  unsigned valid_before_ready[3] = {};  // AW, W, AR
  unsigned ready_before_valid[3] = {};
  unsigned aw_first = 0, w_first = 0, same_cycle = 0;
  unsigned b_stalled = 0, r_stalled = 0;
};

class Bench {
 public:
  Bench() : ctx_(std::make_unique<VerilatedContext>()), top_(new Vttq_regs{ctx_.get()}) {}
  ~Bench() { top_->final(); }

  Vttq_regs& top() { return *top_; }
  std::mt19937_64 rng{0x7451'2024};
  Coverage cov;

  // Counter stimulus: per-cycle amounts (0 when disabled), tracked exactly.
  bool cnt_drive = false;
  std::array<std::uint64_t, kNCnt> cnt{};
  int track_idx = -1;                  // history of one counter while its LO read is in flight
  std::vector<std::uint64_t> history;

  // Config read port: slot driven each cycle (forced or random) and the committed model.
  int port_force = -1;
  std::vector<SlotWords> committed;
  std::vector<SlotWords>* shadow = nullptr;  // the model's shadow (for a commit's content)
  unsigned commit_pulses = 0;
  int last_pulse_slot = -1;
  std::uint64_t kill_rise_cycle = 0;
  unsigned soft_pulses = 0;
  unsigned flush_cycles = 0, flush_rises = 0;  // cycles flush_o was high; its rising edges
  bool busy = false;                           // driven on busy_i
  bool ct_mode = false;                        // driven on ct_mode_i (the core's mode in force)
  // Published-top port (top_we_i ...): one entry queued by publish() for the next step; else a
  // background publisher rewriting bg_slot with numbered versions (bg_slot >= 0); else, now and
  // then, a write to a slot at or beyond N_INSTR, which the block must ignore.
  struct TopIn {
    std::uint32_t slot = 0, flags = 0;
    std::array<std::uint32_t, 6> w{};  // TOP_BID_SZ, BID_PX LO/HI, ASK_PX LO/HI, ASK_SZ
  };
  bool top_pending = false;
  TopIn top_in;
  int bg_slot = -1;
  std::uint32_t bg_ver = 0;  // the version the background publisher wrote last
  static TopIn version_entry(std::uint32_t slot, std::uint32_t v) {
    TopIn t;
    t.slot = slot;
    t.flags = v & 7u;
    t.w[0] = v;
    for (std::uint32_t i = 1; i < 6; ++i) t.w[i] = v ^ (i * 0x11111111u);
    return t;
  }
  std::array<std::uint32_t, kNCnt> cnt_const{};  // per-cycle amounts when !cnt_drive
  bool port_fail_reported = false;

  int rnd(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }
  bool chance(double p) { return std::bernoulli_distribution(p)(rng); }
  int delay() {
    const int r = rnd(0, 99);
    return r < 40 ? 0 : r < 85 ? rnd(1, 4) : rnd(5, 20);
  }

  void reset() {
    top_->rst = 1;
    for (int i = 0; i < 4; ++i) step();
    top_->rst = 0;
    cnt.fill(0);
  }

  Txn* issue_write(std::uint32_t addr, std::uint32_t data, std::uint32_t strb = 0xF) {
    auto t = std::make_unique<Txn>();
    t->write = true;
    t->addr = addr;
    t->data = data;
    t->strb = strb;
    t->aw_delay = delay();
    t->w_delay = delay();
    aw_.q.push_back(t.get());
    w_.q.push_back(t.get());
    b_expect_.push_back(t.get());
    txns_.push_back(std::move(t));
    return txns_.back().get();
  }
  Txn* issue_read(std::uint32_t addr) {
    auto t = std::make_unique<Txn>();
    t->addr = addr;
    t->aw_delay = delay();
    ar_.q.push_back(t.get());
    r_expect_.push_back(t.get());
    txns_.push_back(std::move(t));
    return txns_.back().get();
  }
  void wait(const Txn* t, int limit = 20000) {
    for (int i = 0; i < limit && !t->done; ++i) step();
    CHECK(t->done, "transaction to %#x never completed", t->addr);
    if (!t->done) {  // the bench is out of step with the DUT from here on
      std::fprintf(stderr, "tb_regs: FAILED (transaction timeout), %d failure(s)\n", g_failures);
      std::exit(1);
    }
  }
  void idle(int n) {
    for (int i = 0; i < n; ++i) step();
  }

  void step() {
    Vttq_regs& d = *top_;
    // Drive this cycle's inputs.
    drive(aw_, &Txn::aw_delay);
    drive(w_, &Txn::w_delay);
    drive(ar_, &Txn::aw_delay);
    d.s_axil_awvalid = aw_.valid;
    d.s_axil_awaddr = aw_.valid ? aw_.cur->addr : static_cast<std::uint32_t>(rng()) & 0x7ffff;
    d.s_axil_wvalid = w_.valid;
    d.s_axil_wdata = w_.valid ? w_.cur->data : static_cast<std::uint32_t>(rng());
    d.s_axil_wstrb = static_cast<std::uint8_t>(w_.valid ? w_.cur->strb : rng() & 0xF);
    d.s_axil_arvalid = ar_.valid;
    d.s_axil_araddr = ar_.valid ? ar_.cur->addr : static_cast<std::uint32_t>(rng()) & 0x7ffff;
    d.s_axil_bready = chance(0.6);
    d.s_axil_rready = chance(0.6);
    std::array<std::uint64_t, kNCnt> inc{};
    for (unsigned i = 0; i < kNCnt; ++i) {
      if (cnt_drive) {
        const int r = rnd(0, 9);
        // Mostly small steps, sometimes ~2^31 so the low word wraps every few cycles.
        inc[i] = r < 4 ? 0 : r < 8 ? static_cast<std::uint64_t>(rnd(1, 3))
                                   : (rng() & 0xffffffffu) | 0x80000000u;
      } else {
        inc[i] = cnt_const[i];
      }
      d.cnt_inc_i[i] = static_cast<std::uint32_t>(inc[i]);
    }
    const std::uint32_t slot = port_force >= 0 ? static_cast<std::uint32_t>(port_force)
                               : chance(0.05)  ? static_cast<std::uint32_t>(rnd(kN, 0xffff))
                                               : static_cast<std::uint32_t>(rnd(0, kN - 1));
    d.cfg_rd_slot_i = static_cast<std::uint16_t>(slot);
    d.busy_i = busy;
    d.ct_mode_i = ct_mode;
    TopIn ti;
    bool top_we = false;
    if (top_pending) {
      ti = top_in;
      top_we = true;
      top_pending = false;
    } else if (bg_slot >= 0 && chance(0.5)) {
      ti = version_entry(static_cast<std::uint32_t>(bg_slot), ++bg_ver);
      top_we = true;
    } else if (chance(0.02)) {
      ti.slot = static_cast<std::uint32_t>(rnd(kN, 0xffff));
      ti.flags = static_cast<std::uint32_t>(rng()) & 7u;
      for (auto& x : ti.w) x = static_cast<std::uint32_t>(rng());
      top_we = true;
    }
    d.top_we_i = top_we;
    d.top_slot_i = static_cast<std::uint16_t>(ti.slot);
    d.top_flags_i = static_cast<std::uint8_t>(ti.flags);
    d.top_bid_sz_i = ti.w[0];
    d.top_bid_px_i = (static_cast<std::uint64_t>(ti.w[2]) << 32) | ti.w[1];
    d.top_ask_px_i = (static_cast<std::uint64_t>(ti.w[4]) << 32) | ti.w[3];
    d.top_ask_sz_i = ti.w[5];
    d.clk = 0;
    d.eval();

    // Sample the handshakes and check the slave's side of the protocol.
    const bool rst = d.rst;
    const bool aw_hs = aw_.valid && d.s_axil_awready;
    const bool w_hs = w_.valid && d.s_axil_wready;
    const bool ar_hs = ar_.valid && d.s_axil_arready;
    const bool b_hs = d.s_axil_bvalid && d.s_axil_bready;
    const bool r_hs = d.s_axil_rvalid && d.s_axil_rready;
    coverage(aw_, d.s_axil_awready, 0);
    coverage(w_, d.s_axil_wready, 1);
    coverage(ar_, d.s_axil_arready, 2);
    if (rst) CHECK(!d.s_axil_bvalid && !d.s_axil_rvalid, "response valid in reset");
    if (b_hold_) {
      CHECK(d.s_axil_bvalid && d.s_axil_bresp == b_resp_, "BVALID/BRESP changed before BREADY");
    }
    if (r_hold_) {
      CHECK(d.s_axil_rvalid && d.s_axil_rresp == r_resp_ && d.s_axil_rdata == r_data_,
            "RVALID/RRESP/RDATA changed before RREADY");
    }
    if (d.s_axil_bvalid && !b_expect_.empty() && b_expect_.front()->valid_cycle == 0) {
      b_expect_.front()->valid_cycle = g_cycle;
    }
    b_hold_ = d.s_axil_bvalid && !d.s_axil_bready;
    r_hold_ = d.s_axil_rvalid && !d.s_axil_rready;
    b_resp_ = d.s_axil_bresp;
    r_resp_ = d.s_axil_rresp;
    r_data_ = d.s_axil_rdata;
    if (b_hold_) ++cov.b_stalled;
    if (r_hold_) ++cov.r_stalled;
    if (b_hs) {
      CHECK(!b_expect_.empty(), "BVALID without an outstanding write");
      if (!b_expect_.empty()) {
        Txn* t = b_expect_.front();
        b_expect_.pop_front();
        CHECK(t->aw_done && t->w_done, "BRESP for %#x before its AW and W handshakes", t->addr);
        t->resp = d.s_axil_bresp;
        t->resp_cycle = g_cycle;
        t->done = true;
      }
    }
    if (r_hs) {
      CHECK(!r_expect_.empty(), "RVALID without an outstanding read");
      if (!r_expect_.empty()) {
        Txn* t = r_expect_.front();
        r_expect_.pop_front();
        CHECK(t->aw_done, "RDATA for %#x before its AR handshake", t->addr);
        t->resp = d.s_axil_rresp;
        t->rdata = d.s_axil_rdata;
        t->resp_cycle = g_cycle;
        t->done = true;
      }
    }
    const bool soft_before = d.soft_rst_o;
    const bool flush_before = d.flush_o;
    const bool ready_before = d.cfg_ready_o;
    const bool kill_before = d.kill_o;

    // Clock edge.
    d.clk = 1;
    d.eval();
    ++g_cycle;

    if (aw_hs) {
      aw_.cur->aw_done = true;
      aw_.cur->aw_cycle = g_cycle;
      order(aw_.cur);
      aw_.cur = nullptr;
    }
    if (w_hs) {
      w_.cur->w_done = true;
      w_.cur->w_cycle = g_cycle;
      order(w_.cur);
      w_.cur = nullptr;
    }
    if (ar_hs) {
      ar_.cur->aw_done = true;
      ar_.cur->aw_cycle = g_cycle;
      ar_.cur = nullptr;
    }
    if (soft_before) ++soft_pulses;
    if (flush_before) ++flush_cycles;
    if (!flush_before && d.flush_o) ++flush_rises;
    if (!kill_before && d.kill_o) kill_rise_cycle = g_cycle;

    // Counters: the model follows the RTL's rule (clear on reset or soft reset, else add).
    for (unsigned i = 0; i < kNCnt; ++i) cnt[i] = (rst || soft_before) ? 0 : cnt[i] + inc[i];
    if (track_idx >= 0) history.push_back(cnt[static_cast<unsigned>(track_idx)]);

    // Config read port: the slot driven before the edge, as committed before the edge.
    check_port(slot, ready_before);
    if (d.cfg_commit_o) {
      ++commit_pulses;
      last_pulse_slot = d.cfg_commit_slot_o;
      CHECK(d.cfg_commit_slot_o < kN, "commit pulse for slot %u", d.cfg_commit_slot_o);
      if (shadow != nullptr && d.cfg_commit_slot_o < kN) {
        committed[d.cfg_commit_slot_o] = (*shadow)[d.cfg_commit_slot_o];
      }
    }
  }

  bool idle_bus() const {
    return aw_.q.empty() && w_.q.empty() && ar_.q.empty() && !aw_.cur && !w_.cur && !ar_.cur &&
           b_expect_.empty() && r_expect_.empty();
  }

 private:
  void drive(Chan& c, int Txn::*delay_of) {
    c.first = false;
    if (c.cur == nullptr && !c.q.empty()) {
      c.cur = c.q.front();
      c.q.pop_front();
      c.wait = c.cur->*delay_of;
      c.shown = false;
    }
    if (c.cur != nullptr && c.wait > 0) {
      --c.wait;
      c.valid = false;
    } else {
      c.valid = c.cur != nullptr;
      c.first = c.valid && !c.shown;
      c.shown = c.shown || c.valid;
    }
  }
  void coverage(const Chan& c, bool ready, int i) {
    if (!c.first) return;
    if (ready) ++cov.ready_before_valid[i];
    else ++cov.valid_before_ready[i];
  }
  void order(const Txn* t) {
    if (!(t->aw_done && t->w_done)) return;
    if (t->aw_cycle < t->w_cycle) ++cov.aw_first;
    else if (t->w_cycle < t->aw_cycle) ++cov.w_first;
    else ++cov.same_cycle;
  }
  void check_port(std::uint32_t slot, bool ready_before) {
    const Vttq_regs& d = *top_;
    const bool in_range = slot < kN;
    const SlotWords* exp = in_range ? &committed[slot] : nullptr;
    const std::uint64_t valid = wide_bits(d.cfg_rd_o, card::rtl::kCfgValid.lsb, 1);
    const bool want_valid = exp && ready_before && ((*exp)[1] & 1u);
    bool ok = valid == (want_valid ? 1u : 0u);
    if (ok && exp && ready_before) {
      for (const auto& f : kCfg) {
        if (std::string(f.reg) == "VALID") continue;
        const std::uint64_t got = wide_bits(d.cfg_rd_o, f.bits.lsb, f.bits.width);
        const std::uint64_t want = trunc(field64(*exp, reg_named(f.reg)), f.bits.width);
        if (got != want) {
          ok = false;
          if (!port_fail_reported) {
            std::fprintf(stderr, "  port slot %u field %s: got %#llx want %#llx\n", slot, f.reg,
                         static_cast<unsigned long long>(got),
                         static_cast<unsigned long long>(want));
          }
        }
      }
    }
    if (!ok) port_fail_reported = true;
    CHECK(ok, "config read port, slot %u (valid %llu, want %d)", slot,
          static_cast<unsigned long long>(valid), want_valid ? 1 : 0);
  }

  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Vttq_regs> top_;
  Chan aw_, w_, ar_;
  std::deque<Txn*> b_expect_, r_expect_;
  std::vector<std::unique_ptr<Txn>> txns_;  // kept to the end: tests hold pointers to them
  bool b_hold_ = false, r_hold_ = false;
  std::uint32_t b_resp_ = 0, r_resp_ = 0, r_data_ = 0;
};

// ------------------------------------------------------------------------------------------------
// Reference model of the register semantics (docs/registers.md) and checked accessors.

struct Decoded {
  enum Kind { kUnmapped, kGlobal, kCounter, kLine, kShadow, kCommit, kTop } kind = kUnmapped;
  std::uint32_t slot = 0, word = 0, cidx = 0;  // kLine: slot is the line
  bool cnt_hi = false;
};

bool is_global(std::uint32_t a) {
  using namespace card::reg;
  for (std::uint32_t g : {kId, kVersion, kBuildHashLo, kBuildHashHi, kCaps0, kCaps1, kGitCommitLo,
                          kGitCommitHi, kControl, kStatus, kError, kErrCount, kErrAddr, kErrInfo,
                          kCommitStatus, kCommitCount, kCaps2, kArbWindow, kMode}) {
    if (a == g) return true;
  }
  return false;
}

Decoded decode(std::uint32_t a) {
  Decoded d;
  if (a % 4 != 0) return d;
  if (is_global(a)) {
    d.kind = Decoded::kGlobal;
  } else if (a >= card::kCounterBase && a < card::kCounterBase + 8 * kNCnt) {
    d.kind = Decoded::kCounter;
    d.cidx = (a - card::kCounterBase) / 8;
    d.cnt_hi = (a % 8) != 0;
  } else if (a >= card::line::kBase && a < card::line::kBase + kNLines * card::line::kStride) {
    const std::uint32_t off = (a - card::line::kBase) % card::line::kStride;
    if (kLineWords[off / 4] != nullptr) {
      d.kind = Decoded::kLine;
      d.slot = (a - card::line::kBase) / card::line::kStride;
      d.word = off / 4;
    }
  } else if (a >= card::slot::kBase) {
    const std::uint32_t s = (a - card::slot::kBase) / card::slot::kStride;
    const std::uint32_t off = (a - card::slot::kBase) % card::slot::kStride;
    if (s >= kN) return d;
    d.slot = s;
    if (off < card::slot::kShadowBytes && kWords[off / 4].reg != nullptr) {
      d.kind = Decoded::kShadow;
      d.word = off / 4;
    } else if (off == card::slot::kCommit) {
      d.kind = Decoded::kCommit;
    } else if (off >= card::slot::kTopFlags && off < card::slot::kTopAskSz + 4) {
      d.kind = Decoded::kTop;  // TOP_FLAGS .. TOP_ASK_SZ: seven consecutive words
      d.word = (off - card::slot::kTopFlags) / 4;
    }
  }
  return d;
}

using LineWords = std::array<std::uint32_t, kLineWordsN>;

struct Model {
  std::vector<SlotWords> shadow;
  std::vector<LineWords> lines;
  std::uint32_t arb_window = 0;
  std::uint32_t mode = 0;
  bool busy = false;      // what busy_i is driven to
  bool ct_mode = false;   // what ct_mode_i is driven to
  unsigned flushes = 0;   // flush_o pulses the writes so far must have produced
  bool kill = false;
  std::uint32_t err = 0, err_count = 0, err_addr = 0, err_code = 0, err_read = 0;
  std::uint32_t cmt_slot = 0, cmt_res = 0, cmt_count = 0;
  std::uint32_t snap = 0;
  // Published top: each slot's entry (0 until written), and the latch TOP_FLAGS reads fill.
  struct Top {
    std::uint32_t flags = 0;
    std::array<std::uint32_t, 6> w{};
  };
  std::vector<Top> top;
  std::array<std::uint32_t, 6> top_latch{};

  void reset() {
    top.assign(kN, Top{});
    top_latch.fill(0);
    SlotWords r{};
    for (const auto& r2 : card::slot::kRegs) {
      if (!r2.shadowed) continue;
      r[r2.offset / 4] = reset_word(r2, false);
      if (r2.size == 64) r[r2.offset / 4 + 1] = reset_word(r2, true);
    }
    shadow.assign(kN, r);
    LineWords l{};
    for (const auto& lr : card::line::kRegs) {
      l[lr.offset / 4] = static_cast<std::uint32_t>(lr.reset);
    }
    lines.assign(kNLines, l);
    arb_window = card::reg::kArbWindowReset;
    mode = card::reg::kModeReset;
    kill = false;
    err = err_count = err_addr = err_code = err_read = 0;
    cmt_slot = cmt_res = cmt_count = snap = 0;
  }
  void record(card::Field bit, card::ErrCode code, std::uint32_t addr, bool read) {
    err |= bit.put(1);
    if (err_count != 0xffffffffu) ++err_count;
    err_addr = addr;
    err_code = static_cast<std::uint32_t>(code);
    err_read = read ? 1 : 0;
  }
  std::uint32_t global(std::uint32_t a) const {
    using namespace card::reg;
    namespace f = card::field;
    if (a == kId) return card::kId;
    if (a == kVersion) return card::kVersion;
    if (a == kBuildHashLo) return static_cast<std::uint32_t>(card::kBuildHash);
    if (a == kBuildHashHi) return static_cast<std::uint32_t>(card::kBuildHash >> 32);
    if (a == kCaps0) return f::kCaps0NInstr.put(kN) | f::kCaps0Depth.put(kDepth);
    if (a == kCaps1) return f::kCaps1DataW.put(kDataW) | f::kCaps1CutThrough.put(kCutThrough);
    if (a == kCaps2) return f::kCaps2NLines.put(kNLines) | f::kCaps2NCh.put(kNCh);
    if (a == kArbWindow) return arb_window;
    if (a == kMode) return mode;
    if (a == kControl) return f::kControlKill.put(kill);  // SOFT_RESET and FLUSH read 0
    if (a == kStatus) {
      return f::kStatusKill.put(kill) | f::kStatusError.put(err != 0) | f::kStatusBusy.put(busy) |
             f::kStatusCutThrough.put(ct_mode);
    }
    if (a == kError) return err;
    if (a == kErrCount) return err_count;
    if (a == kErrAddr) return err_addr;
    if (a == kErrInfo) return f::kErrInfoCode.put(err_code) | f::kErrInfoRead.put(err_read);
    if (a == kCommitStatus) return f::kCommitStatusSlot.put(cmt_slot) |
                                   f::kCommitStatusResult.put(cmt_res);
    if (a == kCommitCount) return cmt_count;
    return 0;  // GIT_COMMIT: parameter left at 0
  }
};

class Checked {
 public:
  Checked(Bench& b, Model& m) : b_(b), m_(m) { b_.shadow = &m_.shadow; }

  // A write through the bus; the model predicts BRESP and every side effect.
  void wr(std::uint32_t a, std::uint32_t v, std::uint32_t strb = 0xF) {
    const Decoded d = decode(a);
    std::uint32_t want = kOkay;
    bool commit = false;
    std::uint32_t res = 0;
    using E = card::ErrCode;
    namespace f = card::field;
    if (d.kind == Decoded::kUnmapped) {
      want = kSlvErr;
      m_.record(f::kErrorUnmapped, E::kUnmapped, a, false);
    } else if (a == card::reg::kControl) {
      if (strb & 1u) m_.kill = f::kControlKill.get(v) != 0;
    } else if (strb != 0xF) {
      m_.record(f::kErrorPartialWrite, E::kPartialWrite, a, false);
    } else if (d.kind == Decoded::kCounter || d.kind == Decoded::kTop ||
               (d.kind == Decoded::kGlobal && a != card::reg::kError &&
                a != card::reg::kArbWindow && a != card::reg::kMode)) {
      m_.record(f::kErrorRoWrite, E::kRoWrite, a, false);
    } else if (a == card::reg::kError) {
      m_.err &= ~v;
    } else if (a == card::reg::kArbWindow) {
      if (v >= card::reg::kArbWindowMin && v <= card::reg::kArbWindowMax) m_.arb_window = v;
      else m_.record(f::kErrorFieldRange, E::kFieldRange, a, false);
    } else if (a == card::reg::kMode) {
      if (v <= card::reg::kModeMax) m_.mode = v;
      else m_.record(f::kErrorFieldRange, E::kFieldRange, a, false);
    } else if (d.kind == Decoded::kLine) {
      if (line_word_ok(*kLineWords[d.word], v)) m_.lines[d.slot][d.word] = v;
      else m_.record(f::kErrorFieldRange, E::kFieldRange, a, false);
    } else if (d.kind == Decoded::kShadow) {
      if (word_ok(kWords[d.word], v)) m_.shadow[d.slot][d.word] = v;
      else m_.record(f::kErrorFieldRange, E::kFieldRange, a, false);
    } else if (v == 1) {
      commit = true;
      res = commit_result(m_.shadow[d.slot]);
    } else {
      m_.record(f::kErrorFieldRange, E::kFieldRange, a, false);
    }
    const unsigned pulses = b_.commit_pulses;
    const unsigned soft = b_.soft_pulses;
    const unsigned flush = b_.flush_cycles, flush_rises = b_.flush_rises;
    const Txn* t = b_.issue_write(a, v, strb);
    b_.wait(t);
    CHECK(t->resp == want, "write %#x = %#x strb %#x: BRESP %u, want %u", a, v, strb, t->resp,
          want);
    if (commit) {
      m_.cmt_slot = d.slot;
      m_.cmt_res = res;
      if (res == 0) {
        ++m_.cmt_count;
        CHECK(b_.commit_pulses == pulses + 1 && b_.last_pulse_slot == static_cast<int>(d.slot),
              "commit of slot %u: no cfg_commit_o pulse before BRESP", d.slot);
        commit_cycles_max = std::max<std::uint64_t>(
            commit_cycles_max, t->valid_cycle - std::max(t->aw_cycle, t->w_cycle));
      } else {
        m_.record(f::kErrorCommitRefused, static_cast<E>(res), a, false);
        CHECK(b_.commit_pulses == pulses, "refused commit (code %u) pulsed cfg_commit_o", res);
      }
    } else {
      CHECK(b_.commit_pulses == pulses, "write %#x pulsed cfg_commit_o", a);
    }
    const bool want_soft = a == card::reg::kControl && (strb & 1u) &&
                           f::kControlSoftReset.get(v) != 0;
    b_.idle(2);
    CHECK(b_.soft_pulses == soft + (want_soft ? 1u : 0u), "soft_rst_o pulses: %u, want %u",
          b_.soft_pulses - soft, want_soft ? 1u : 0u);
    if (want_soft) {
      m_.snap = 0;
      m_.top.assign(kN, Model::Top{});  // the pipeline restarts: no top published yet
    }
    // FLUSH: exactly one pulse of one cycle per write of 1 through byte lane 0, none otherwise.
    const unsigned want_flush =
        a == card::reg::kControl && (strb & 1u) && f::kControlFlush.get(v) != 0 ? 1u : 0u;
    m_.flushes += want_flush;
    CHECK(b_.flush_cycles == flush + want_flush && b_.flush_rises == flush_rises + want_flush,
          "write %#x = %#x strb %#x: flush_o high %u cycles in %u pulses, want %u", a, v, strb,
          b_.flush_cycles - flush, b_.flush_rises - flush_rises, want_flush);
    CHECK(b_.top().kill_o == m_.kill, "kill_o %d, want %d", b_.top().kill_o, m_.kill);
    check_outputs();
  }

  // The feed-parameter outputs equal the model: ARB_WINDOW, and the line table flattened as
  // ttq_line_filter takes it (entry i at [i*W +: W], W = 1, 32, 16, 8, 2, 1; docs/registers.md).
  void check_outputs() {
    const Vttq_regs& d = b_.top();
    CHECK(d.arb_window_o == m_.arb_window, "arb_window_o %u, want %u", d.arb_window_o,
          m_.arb_window);
    CHECK(d.mode_ct_o == m_.mode, "mode_ct_o %u, want %u", d.mode_ct_o, m_.mode);
    namespace l = card::line;
    const std::uint32_t offs[] = {l::kLineValid, l::kLineIp,   l::kLinePort,
                                  l::kLineChannel, l::kLineKind, l::kLineB};
    const char* names[] = {"line_valid_o",   "line_ip_o",   "line_port_o",
                           "line_channel_o", "line_kind_o", "line_b_o"};
    for (std::uint32_t i = 0; i < kNLines; ++i) {
      const LineWords& e = m_.lines[i];
      const std::uint64_t got[] = {
          out_bits(d.line_valid_o, i, 1),      out_bits(d.line_ip_o, 32 * i, 32),
          out_bits(d.line_port_o, 16 * i, 16), out_bits(d.line_channel_o, 8 * i, 8),
          out_bits(d.line_kind_o, 2 * i, 2),   out_bits(d.line_b_o, i, 1)};
      for (std::size_t k = 0; k < 6; ++k) {
        const std::uint64_t want = e[offs[k] / 4];
        CHECK(got[k] == want, "%s entry %u: %#llx, want %#llx", names[k], i,
              static_cast<unsigned long long>(got[k]), static_cast<unsigned long long>(want));
      }
    }
  }

  void set_busy(bool on) {
    b_.busy = on;
    m_.busy = on;
  }
  void set_ct_mode(bool on) {
    b_.ct_mode = on;
    m_.ct_mode = on;
  }

  // A read through the bus, checked against the model. Counter LO reads accept any value the
  // counter held while the read was in flight; HI reads must return the snapshot.
  std::uint32_t rd(std::uint32_t a) {
    const Decoded d = decode(a);
    std::uint32_t want = 0, want_resp = kOkay;
    bool exact = true;
    if (d.kind == Decoded::kUnmapped) {
      want_resp = kSlvErr;
      m_.record(card::field::kErrorUnmapped, card::ErrCode::kUnmapped, a, true);
    } else if (d.kind == Decoded::kGlobal) {
      want = m_.global(a);
    } else if (d.kind == Decoded::kShadow) {
      want = m_.shadow[d.slot][d.word];
    } else if (d.kind == Decoded::kLine) {
      want = m_.lines[d.slot][d.word];
    } else if (d.kind == Decoded::kTop && d.word == 0) {
      want = m_.top[d.slot].flags;
      m_.top_latch = m_.top[d.slot].w;
    } else if (d.kind == Decoded::kTop) {
      want = m_.top_latch[d.word - 1];
    } else if (d.kind == Decoded::kCounter && d.cnt_hi) {
      want = m_.snap;
    } else if (d.kind == Decoded::kCounter) {
      exact = false;
      b_.track_idx = static_cast<int>(d.cidx);
      b_.history.assign(1, b_.cnt[d.cidx]);
    }
    const Txn* t = b_.issue_read(a);
    b_.wait(t);
    b_.track_idx = -1;
    CHECK(t->resp == want_resp, "read %#x: RRESP %u, want %u", a, t->resp, want_resp);
    if (exact) {
      CHECK(t->rdata == want, "read %#x: %#x, want %#x", a, t->rdata, want);
    } else {
      bool found = false;
      for (std::uint64_t h : b_.history) {
        if (static_cast<std::uint32_t>(h) == t->rdata) {
          m_.snap = static_cast<std::uint32_t>(h >> 32);
          found = true;
          break;
        }
      }
      CHECK(found, "counter %u LO %#x is no value the counter held during the read", d.cidx,
            t->rdata);
      lo_history = b_.history;
    }
    check_outputs();
    return t->rdata;
  }

  // Whole-slot helpers.
  void write_slot(std::uint32_t s, const SlotWords& w, bool shuffle = true) {
    std::vector<std::uint32_t> idx;
    for (std::uint32_t i = 0; i < 32; ++i) {
      if (kWords[i].reg != nullptr) idx.push_back(i);
    }
    if (shuffle) std::shuffle(idx.begin(), idx.end(), b_.rng);
    for (std::uint32_t i : idx) wr(card::slot::addr(s, 4 * i), w[i]);
  }
  void commit(std::uint32_t s) { wr(card::slot::addr(s, card::slot::kCommit), 1); }
  // One write on the published-top port (as ttq_apply makes it), then the model's entry.
  void publish(std::uint32_t slot, std::uint32_t flags, const std::array<std::uint32_t, 6>& w) {
    b_.top_in.slot = slot;
    b_.top_in.flags = flags;
    b_.top_in.w = w;
    b_.top_pending = true;
    b_.step();
    if (slot < kN) m_.top[slot] = Model::Top{flags & 7u, w};
  }
  void expect_error(card::Field bit, card::ErrCode code, std::uint32_t addr) {
    CHECK(bit.get(rd(card::reg::kError)) == 1, "ERROR bit %u not set", bit.lsb);
    CHECK(card::field::kErrInfoCode.get(rd(card::reg::kErrInfo)) ==
              static_cast<std::uint32_t>(code),
          "ERR_INFO.CODE, want %u", static_cast<unsigned>(code));
    CHECK(rd(card::reg::kErrAddr) == addr, "ERR_ADDR, want %#x", addr);
    wr(card::reg::kError, 0x1f);  // W1C
    CHECK(rd(card::reg::kError) == 0, "ERROR not cleared by W1C");
  }

  std::uint64_t commit_cycles_max = 0;
  std::vector<std::uint64_t> lo_history;

 private:
  Bench& b_;
  Model& m_;
};

// ------------------------------------------------------------------------------------------------
// Stimulus helpers.

std::uint32_t random_word(std::mt19937_64& rng, const WordRef& wr) {
  const auto& r = *wr.reg;
  std::uniform_int_distribution<int> pick(0, 9);
  if (r.size == 64) {
    std::uint64_t v = rng();
    if (!r.is_signed) v = trunc(v, r.width);
    if (r.ascii) {
      v = 0;
      for (unsigned b = 0; b < r.width / 8; ++b) {
        const std::uint64_t c = pick(rng) == 0 ? 0 : 0x20 + rng() % 95;
        v |= c << (8 * b);
      }
    }
    return wr.hi ? static_cast<std::uint32_t>(v >> 32) : static_cast<std::uint32_t>(v);
  }
  const std::int64_t lo = r.min, hi = reg_max(r);
  const int p = pick(rng);
  std::int64_t x = p == 0 ? lo : p == 1 ? hi
                                        : std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
  return static_cast<std::uint32_t>(x);
}

// A valid slot configuration (VALID=1) with the host-computed quoter registers.
SlotWords valid_config(std::mt19937_64& rng, std::uint64_t tick, std::uint64_t max_spread) {
  SlotWords w{};
  for (std::uint32_t i = 0; i < 32; ++i) {
    if (kWords[i].reg != nullptr) w[i] = random_word(rng, kWords[i]);
  }
  auto set = [&](const char* n, std::uint64_t v) {
    const auto& r = reg_named(n);
    w[r.offset / 4] = static_cast<std::uint32_t>(v);
    if (r.size == 64) w[r.offset / 4 + 1] = static_cast<std::uint32_t>(v >> 32);
  };
  const ttq::sim::QuoterCardRegs q = host_regs(tick, max_spread);
  CHECK(q.valid, "test tick %#llx / max spread %llu outside the card's contract",
        static_cast<unsigned long long>(tick), static_cast<unsigned long long>(max_spread));
  set("VALID", 1);
  set("SECURITY_ID", 1 + rng() % 0x7ffffffe);
  set("TICK", tick);
  set("MAX_SPREAD_TICKS", max_spread);
  set("RECIP_SH", q.recip_sh);
  set("RECIP", q.recip);
  set("D_LIM", q.d_lim);
  auto fl = static_cast<std::int64_t>(rng()), ce = static_cast<std::int64_t>(rng());
  if (fl > ce) std::swap(fl, ce);
  set("PRICE_FLOOR", static_cast<std::uint64_t>(fl));
  set("PRICE_CEILING", static_cast<std::uint64_t>(ce));
  return w;
}

std::uint64_t random_tick(std::mt19937_64& rng) {
  switch (rng() % 6) {
    case 0: return 1 + rng() % 4;
    case 1: return std::uint64_t{1} << (rng() % 40);                     // power of two
    case 2: return (std::uint64_t{1} << 40) - 1 - rng() % 3;             // largest
    case 3: return 250'000'000;                                          // ES 0.25
    case 4: return (std::uint64_t{1} << (1 + rng() % 39)) + 1;           // just past 2^l
    default: return 1 + rng() % ((std::uint64_t{1} << 40) - 1);
  }
}

// ------------------------------------------------------------------------------------------------

void test_identity_and_reset(Bench& b, Model& m, Checked& c) {
  // The first read waits for the reset sweep of the slot RAMs.
  const std::uint64_t t0 = g_cycle;
  const Txn* t = b.issue_read(card::reg::kId);
  b.wait(t);
  CHECK(t->rdata == card::kId && t->resp == kOkay, "ID %#x", t->rdata);
  CHECK(t->resp_cycle - t0 >= kN * 32, "ID answered after %llu cycles, before the sweep",
        static_cast<unsigned long long>(t->resp_cycle - t0));
  CHECK(b.top().cfg_ready_o, "cfg_ready_o low after the sweep");
  using namespace card::reg;
  CHECK(c.rd(kVersion) == card::kVersion, "VERSION");
  CHECK(card::field::kVersionMajor.get(c.rd(kVersion)) == card::kVersionMajor, "VERSION.MAJOR");
  const std::uint64_t hash = c.rd(kBuildHashLo) | (std::uint64_t{c.rd(kBuildHashHi)} << 32);
  CHECK(hash == card::kBuildHash, "BUILD_HASH %#llx", static_cast<unsigned long long>(hash));
  for (std::uint32_t a : {kCaps0, kCaps1, kGitCommitLo, kGitCommitHi, kControl, kStatus, kError,
                          kErrCount, kErrAddr, kErrInfo, kCommitStatus, kCommitCount, kCaps2,
                          kArbWindow, kMode}) {
    c.rd(a);
  }
  CHECK(card::field::kCaps1CutThrough.get(c.rd(kCaps1)) == kCutThrough, "CAPS1.CUT_THROUGH");
  CHECK(c.rd(kMode) == 0 && !b.top().mode_ct_o, "MODE after reset: commit on verdict");
  CHECK(card::field::kCaps0NInstr.get(c.rd(kCaps0)) == kN, "CAPS0.N_INSTR");
  CHECK(card::field::kCaps2NLines.get(c.rd(kCaps2)) == kNLines, "CAPS2.N_LINES");
  CHECK(card::field::kCaps2NCh.get(c.rd(kCaps2)) == kNCh, "CAPS2.N_CH");
  // Feed parameters after reset (the map's spec, not the header): ARB_WINDOW 8, the model's
  // reorder_window default; every line register 0 (c.rd/check_outputs compare with the model).
  CHECK(c.rd(kArbWindow) == 8 && ttq::PipelineConfig{}.reorder_window == 8,
        "ARB_WINDOW reset is not the model's reorder_window 8");
  CHECK(!b.top().flush_o && !b.top().busy_i, "flush_o after reset");
  for (std::uint32_t l = 0; l < kNLines; ++l) {
    for (const auto& r : card::line::kRegs) CHECK(c.rd(card::line::addr(l, r.offset)) == 0,
                                                 "line %u %s after reset", l, r.name);
  }
  // Every shadow register of a few slots reads its reset value; the port checks committed ones.
  for (std::uint32_t s : {0u, 1u, kN / 2, kN - 1}) {
    for (std::uint32_t i = 0; i < 32; ++i) {
      if (kWords[i].reg != nullptr) c.rd(card::slot::addr(s, 4 * i));
    }
    c.rd(card::slot::addr(s, card::slot::kCommit));  // reads 0
  }
  (void)m;
}

void test_rw_fields(Bench& b, Checked& c) {
  // Every register of every tested slot: random in-range values and both bounds.
  std::vector<std::uint32_t> slots = {0, kN - 1};
  for (int i = 0; i < 6; ++i) slots.push_back(static_cast<std::uint32_t>(b.rnd(0, kN - 1)));
  for (std::uint32_t s : slots) {
    for (int round = 0; round < 3; ++round) {
      for (std::uint32_t i = 0; i < 32; ++i) {
        if (kWords[i].reg == nullptr) continue;
        const std::uint32_t a = card::slot::addr(s, 4 * i);
        c.wr(a, random_word(b.rng, kWords[i]));
        c.rd(a);
      }
    }
  }
  CHECK(c.rd(card::reg::kError) == 0, "a valid write was refused");
  CHECK(c.rd(card::reg::kErrCount) == 0, "ERR_COUNT after valid writes");
  // CONTROL: kill on and off, read back, STATUS mirrors it.
  c.wr(card::reg::kControl, 1);
  c.rd(card::reg::kControl);
  c.rd(card::reg::kStatus);
  c.wr(card::reg::kControl, 0);
  c.rd(card::reg::kStatus);
}

void test_refused_writes(Bench& b, Checked& c) {
  using E = card::ErrCode;
  namespace f = card::field;
  const std::uint32_t s = static_cast<std::uint32_t>(b.rnd(0, kN - 1));
  unsigned refused = 0;
  // Out-of-range values for each word: just outside each bound, and a few random ones.
  for (std::uint32_t i = 0; i < 32; ++i) {
    if (kWords[i].reg == nullptr) continue;
    const WordRef& wr = kWords[i];
    const auto& r = *wr.reg;
    std::vector<std::uint32_t> bad;
    if (r.size == 32) {
      const std::int64_t lo = r.min, hi = reg_max(r);
      const std::int64_t wmin = r.is_signed ? INT32_MIN : 0;
      const std::int64_t wmax = r.is_signed ? INT32_MAX : 0xffffffffLL;
      if (hi < wmax) bad.push_back(static_cast<std::uint32_t>(hi + 1));
      if (lo > wmin) bad.push_back(static_cast<std::uint32_t>(lo - 1));
      if (hi < wmax) bad.push_back(r.is_signed ? 0x7fffffffu : 0xffffffffu);
      if (r.is_signed && lo > wmin) bad.push_back(0x80000000u);
    } else if (!r.is_signed && wr.hi) {
      const auto hmax = static_cast<std::uint32_t>(static_cast<std::uint64_t>(r.max) >> 32);
      if (hmax < 0xffffffffu) bad.push_back(hmax + 1);
    }
    if (r.ascii) {
      bad.push_back(0x7f);          // DEL
      bad.push_back(0x1f00);        // control char in byte 1
      if (!wr.hi) bad.push_back(0x80414243u);  // non-ASCII in byte 3
    }
    for (std::uint32_t v : bad) {
      if (word_ok(wr, v)) continue;
      const std::uint32_t a = card::slot::addr(s, 4 * i);
      const std::uint32_t before = c.rd(a);
      c.wr(a, v);
      CHECK(c.rd(a) == before, "refused write to %s changed it", r.name);
      c.expect_error(f::kErrorFieldRange, E::kFieldRange, a);
      ++refused;
    }
  }
  CHECK(refused >= 25, "only %u out-of-range cases", refused);
  // Partial strobes on a slot register and on ERROR; COMMIT with values other than 1.
  const std::uint32_t a = card::slot::addr(s, card::slot::kOrderSize);
  c.wr(a, 7, 0x1);
  c.expect_error(f::kErrorPartialWrite, E::kPartialWrite, a);
  c.wr(card::slot::addr(s, card::slot::kCommit), 0);
  c.expect_error(f::kErrorFieldRange, E::kFieldRange, card::slot::addr(s, card::slot::kCommit));
  c.wr(card::slot::addr(s, card::slot::kCommit), 3);
  c.expect_error(f::kErrorFieldRange, E::kFieldRange, card::slot::addr(s, card::slot::kCommit));
  // Read-only registers and counters.
  for (std::uint32_t ro : {card::reg::kId, card::reg::kVersion, card::reg::kBuildHashHi,
                           card::reg::kCaps0, card::reg::kStatus, card::reg::kErrCount,
                           card::reg::kCommitCount, card::reg::kCaps2,
                           card::counter_lo(card::Counter::kFrames),
                           card::counter_hi(card::Counter::kBookEntries),
                           card::counter_lo(card::Counter::kEarlyDuplicates),
                           card::counter_hi(card::Counter::kHeld)}) {
    c.wr(ro, 0xdeadbeef);
    c.rd(ro);
    c.expect_error(f::kErrorRoWrite, E::kRoWrite, ro);
  }
  // CONTROL is never refused: a KILL through byte lane 0 alone takes effect; lane 1 alone not.
  c.wr(card::reg::kControl, 0xffffff01u, 0x1);
  c.wr(card::reg::kControl, 0x0, 0x2);
  c.wr(card::reg::kControl, 0x0, 0x1);
  CHECK(c.rd(card::reg::kError) == 0, "CONTROL write refused");
  CHECK(c.rd(card::reg::kErrCount) >= refused, "ERR_COUNT did not count refusals");
}

void test_commit_rules(Bench& b, Model& m, Checked& c) {
  using E = card::ErrCode;
  namespace f = card::field;
  auto set = [&](SlotWords& w, const char* n, std::uint64_t v) {
    const auto& r = reg_named(n);
    w[r.offset / 4] = static_cast<std::uint32_t>(v);
    if (r.size == 64) w[r.offset / 4 + 1] = static_cast<std::uint32_t>(v >> 32);
  };
  // A value the register's write range accepts (so the shadow really holds it).
  auto writable = [&](const char* n, std::uint64_t v) {
    const auto& r = reg_named(n);
    if (r.is_signed) return true;  // PRICE_FLOOR: the full int64 range
    return v <= static_cast<std::uint64_t>(r.max) && static_cast<std::int64_t>(v) >= r.min;
  };
  // quoter_card_regs' values are accepted for every kind of tick: 1, every power of two and its
  // neighbours up to 2^39, 2^40-1, round decimal ticks, and random ones; spread limits 1, 65535
  // and random.
  constexpr std::uint64_t kT40 = std::uint64_t{1} << 40;
  std::vector<std::uint64_t> ticks = {1,           2,          3,           5,
                                      7,           10,         100,         250'000'000,
                                      1'000'000'000, kT40 - 1, kT40 - 2,    (kT40 >> 1) + 1,
                                      0xAAAAAAAAAAull, 0x5555555555ull, 0x8000000001ull};
  for (unsigned l = 1; l < 40; ++l) {
    const std::uint64_t p = std::uint64_t{1} << l;
    ticks.push_back(p);  // includes 2^39
    ticks.push_back(p + 1);
    if (p - 1 > 3) ticks.push_back(p - 1);
  }
  for (int i = 0; i < 40; ++i) ticks.push_back(random_tick(b.rng));
  unsigned applied = 0, pow2 = 0;
  for (std::size_t i = 0; i < ticks.size(); ++i) {
    const std::uint64_t t = ticks[i];
    const std::uint32_t s = static_cast<std::uint32_t>(b.rnd(0, kN - 1));
    const std::uint64_t mx = i % 3 == 0 ? 65535 : i % 3 == 1 ? 1 : 1 + b.rng() % 65535;
    const SlotWords w = valid_config(b.rng, t, mx);
    CHECK(commit_result(w) == 0, "model refuses quoter_card_regs(%#llx, %llu)",
          static_cast<unsigned long long>(t), static_cast<unsigned long long>(mx));
    c.write_slot(s, w);
    c.commit(s);  // the port monitor then checks the committed copy, RECIP_SH/RECIP/D_LIM included
    CHECK(f::kCommitStatusResult.get(c.rd(card::reg::kCommitStatus)) == 0,
          "quoter_card_regs(%#llx, %llu) refused", static_cast<unsigned long long>(t),
          static_cast<unsigned long long>(mx));
    ++applied;
    pow2 += (t & (t - 1)) == 0;
  }
  CHECK(pow2 >= 40 && applied >= 150, "accepted-tick coverage: %u ticks, %u powers of two",
        applied, pow2);
  CHECK(c.rd(card::reg::kCommitCount) == applied, "COMMIT_COUNT");

  // Each rule broken alone on top of a valid config: refused, committed copy unchanged. RECIP_SH,
  // RECIP and D_LIM are each tried one above and one below quoter_card_regs' value, for ticks at
  // both ends of the range, powers of two and not.
  const std::uint32_t s = static_cast<std::uint32_t>(b.rnd(0, kN - 1));
  unsigned refused = 0;
  auto refuse = [&](const SlotWords& good, const char* reg, std::uint64_t value, E code) {
    if (!writable(reg, value)) return;  // the write itself would be refused (FIELD_RANGE)
    SlotWords w = good;
    set(w, reg, value);
    CHECK(commit_result(w) == static_cast<std::uint32_t>(code), "model disagrees on %s = %#llx",
          reg, static_cast<unsigned long long>(value));
    c.write_slot(s, w, false);
    const std::uint32_t count = c.rd(card::reg::kCommitCount);
    c.commit(s);
    const std::uint32_t status =
        f::kCommitStatusSlot.put(s) | f::kCommitStatusResult.put(static_cast<unsigned>(code));
    CHECK(c.rd(card::reg::kCommitStatus) == status, "COMMIT_STATUS after %s = %#llx", reg,
          static_cast<unsigned long long>(value));
    CHECK(c.rd(card::reg::kCommitCount) == count, "refused commit counted");
    c.expect_error(f::kErrorCommitRefused, code, card::slot::addr(s, card::slot::kCommit));
    b.idle(3);  // the port monitor has kept checking that the committed copy is still `good`
    ++refused;
  };
  const std::uint64_t off_ticks[] = {1,          2,           3,        250'000'000,
                                     (1u << 20) + 1, std::uint64_t{1} << 39, (kT40 >> 1) + 1,
                                     kT40 - 1,   random_tick(b.rng), random_tick(b.rng)};
  for (std::uint64_t t : off_ticks) {
    const std::uint64_t mx = 1 + b.rng() % 65535;
    const SlotWords good = valid_config(b.rng, t, mx);
    c.write_slot(s, good);
    c.commit(s);
    const ttq::sim::QuoterCardRegs q = host_regs(t, mx);
    refuse(good, "RECIP_SH", q.recip_sh + 1u, E::kRecipSh);
    if (q.recip_sh > 0) refuse(good, "RECIP_SH", q.recip_sh - 1u, E::kRecipSh);
    refuse(good, "RECIP", q.recip + 1u, E::kRecip);
    refuse(good, "RECIP", q.recip - 1u, E::kRecip);
    refuse(good, "D_LIM", q.d_lim + 1, E::kDLim);
    refuse(good, "D_LIM", q.d_lim - 1, E::kDLim);
  }
  // 10 ticks x 6, less RECIP_SH + 1 for T = 1 (s = 40 is the top of its range), RECIP_SH - 1
  // where s = 0 (T > 2^39) and RECIP + 1 where r = 2^26 - 1 (T = 2^39 + 1).
  CHECK(refused >= 50, "only %u off-by-one cases", refused);
  // The other rules, and changes of TICK or MAX_SPREAD_TICKS that leave the registers stale.
  const std::uint64_t tick = 250'000'000, mx = 16;
  const SlotWords good = valid_config(b.rng, tick, mx);
  c.write_slot(s, good);
  c.commit(s);
  const ttq::sim::QuoterCardRegs q = host_regs(tick, mx);
  refuse(good, "SECURITY_ID", 0, E::kSecurityId);
  refuse(good, "TICK", 0, E::kTick);
  refuse(good, "TICK", tick * 2, E::kRecipSh);  // l one higher: s is one too many
  refuse(good, "TICK", tick / 2, E::kRecipSh);
  refuse(good, "MAX_SPREAD_TICKS", mx + 1, E::kDLim);
  refuse(good, "RECIP", 0, E::kRecip);
  refuse(good, "D_LIM", q.d_lim - tick, E::kDLim);
  refuse(good, "D_LIM", 0, E::kDLim);
  if (static_cast<std::int64_t>(field64(good, reg_named("PRICE_CEILING"))) != INT64_MAX) {
    refuse(good, "PRICE_FLOOR", field64(good, reg_named("PRICE_CEILING")) + 1, E::kFloorCeiling);
  }
  // quoter_card_regs' out-of-range answer (RECIP_SH = RECIP = D_LIM = 0, "pull every book") is
  // only reachable with TICK = 0 here: with VALID = 1 rule TICK refuses it, with VALID = 0 it is
  // taken like any out-of-service slot.
  const ttq::sim::QuoterCardRegs q0 = host_regs(0, mx);
  CHECK(!q0.valid && q0.recip_sh == 0 && q0.recip == 0 && q0.d_lim == 0,
        "quoter_card_regs(0, ...) is not all zero");
  SlotWords pull = good;
  set(pull, "TICK", 0);
  set(pull, "RECIP_SH", q0.recip_sh);
  set(pull, "RECIP", q0.recip);
  set(pull, "D_LIM", q0.d_lim);
  refuse(pull, "VALID", 1, E::kTick);
  // Near misses: the card agrees with exact arithmetic on every neighbour of each register.
  for (int i = 0; i < 60; ++i) {
    const std::uint64_t t = random_tick(b.rng), x = 1 + b.rng() % 65535;
    SlotWords w = valid_config(b.rng, t, x);
    const ttq::sim::QuoterCardRegs qq = host_regs(t, x);
    const std::uint64_t delta = static_cast<std::uint64_t>(b.rnd(-2, 2));
    switch (i % 3) {
      case 0: set(w, "RECIP", std::min<std::uint64_t>(trunc(qq.recip + delta, 26), 0x3ffffff));
        break;
      case 1: set(w, "RECIP_SH", std::min<std::uint64_t>(trunc(qq.recip_sh + delta, 6), 40));
        break;
      default: set(w, "D_LIM", trunc(qq.d_lim + delta, 56)); break;
    }
    c.write_slot(s, w, false);
    c.commit(s);  // the model decides applied or refused; wr() checks pulse and status
  }
  // VALID = 0 is never refused, whatever the rest holds.
  SlotWords off = good;
  set(off, "VALID", 0);
  set(off, "TICK", 0);
  set(off, "SECURITY_ID", 0);
  set(off, "RECIP", 1);
  c.write_slot(s, off, false);
  c.commit(s);
  CHECK(f::kCommitStatusResult.get(c.rd(card::reg::kCommitStatus)) == 0, "VALID=0 refused");
  (void)m;
}

void test_commit_atomicity(Bench& b, Checked& c) {
  // The port watches one slot every cycle while the host rewrites all of it; the monitor checks
  // each cycle that the port equals the committed model (old config until the commit edge, the
  // new one after), so a torn or early update fails.
  for (int round = 0; round < 8; ++round) {
    const std::uint32_t s = static_cast<std::uint32_t>(b.rnd(0, kN - 1));
    b.port_force = static_cast<int>(s);
    c.write_slot(s, valid_config(b.rng, random_tick(b.rng), 1 + b.rng() % 65535));
    c.commit(s);
    const SlotWords before = b.committed[s];
    c.write_slot(s, valid_config(b.rng, random_tick(b.rng), 1 + b.rng() % 65535));
    CHECK(b.committed[s] == before, "shadow writes changed the committed model");
    b.idle(5);
    c.commit(s);
    CHECK(b.committed[s] != before, "commit did not change slot %u", s);
    b.idle(5);
  }
  b.port_force = -1;
}

void test_counters(Bench& b, Checked& c) {
  b.cnt_drive = true;
  b.idle(50);
  unsigned pairs = 0;
  for (int round = 0; round < 6; ++round) {
    for (unsigned i = 0; i < kNCnt; ++i) {
      const auto cn = static_cast<card::Counter>(i);
      const std::uint32_t lo = c.rd(card::counter_lo(cn));
      const std::uint32_t hi = c.rd(card::counter_hi(cn));  // checked: equals the snapshot
      const std::uint64_t v = lo | (std::uint64_t{hi} << 32);
      bool held = false;
      for (std::uint64_t h : c.lo_history) held = held || h == v;
      CHECK(held, "counter %u: %#llx was never its value", i, static_cast<unsigned long long>(v));
      ++pairs;
    }
  }
  // Negative control: HI before LO (no snapshot) tears while the low word wraps. If this never
  // mismatches, the check above could not have caught a tear either.
  unsigned torn = 0;
  for (int k = 0; k < 40; ++k) {
    const auto cn = static_cast<card::Counter>(k % kNCnt);
    const std::uint32_t hi = c.rd(card::counter_hi(cn));  // snapshot of the previous LO read
    const std::uint32_t lo = c.rd(card::counter_lo(cn));
    const std::uint64_t v = lo | (std::uint64_t{hi} << 32);
    bool held = false;
    for (std::uint64_t h : c.lo_history) held = held || h == v;
    torn += !held;
  }
  CHECK(torn > 0, "the HI-before-LO control never tore: the snapshot check is blind");
  // Soft reset: one pulse, counters and snapshot cleared, configuration kept.
  b.cnt_drive = false;
  b.idle(3);
  c.wr(card::reg::kControl, card::field::kControlSoftReset.put(1));
  for (unsigned i = 0; i < kNCnt; ++i) {
    CHECK(c.rd(card::counter_lo(static_cast<card::Counter>(i))) == 0, "counter %u after reset", i);
    c.rd(card::counter_hi(static_cast<card::Counter>(i)));
  }
  // Each counter adds its own cnt_inc_i amount: counter i gets i + 1 per cycle for 37 cycles, so a
  // counter wired to another index, or not counting, reads a different value than 37 * (i + 1).
  // Covers the counters appended in map 2.1 (EARLY_DUPLICATES .. HELD, indices 20..25).
  for (unsigned i = 0; i < kNCnt; ++i) b.cnt_const[i] = i + 1;
  b.idle(37);
  b.cnt_const.fill(0);
  b.idle(2);
  unsigned exact = 0;
  for (unsigned i = 0; i < kNCnt; ++i) {
    const auto cn = static_cast<card::Counter>(i);
    const std::uint64_t lo = c.rd(card::counter_lo(cn));
    const std::uint64_t v = lo | (std::uint64_t{c.rd(card::counter_hi(cn))} << 32);
    CHECK(v == 37u * (i + 1), "counter %u (%s) = %llu, want %u", i, card::kCounterNames[i],
          static_cast<unsigned long long>(v), 37u * (i + 1));
    exact += v == 37u * (i + 1);
  }
  CHECK(kNCnt == 26, "map 2.1 has 26 counters, the header %u", kNCnt);
  c.wr(card::reg::kControl, card::field::kControlSoftReset.put(1));
  std::printf("counters: %u LO/HI pairs consistent while counting, %u/40 HI-first reads torn, "
              "%u/%u exact after per-index increments\n",
              pairs, torn, exact, kNCnt);
}

// The published top (TOP_*, map 2.2): entries written on the core port read back, TOP_FLAGS
// latches the other words (a reader never sees two publications mixed, checked with a publisher
// rewriting the slot every other cycle), writes are refused as read-only, a slot at or beyond
// N_INSTR on the port is ignored (Bench::step drives some all along), soft reset clears them.
void test_published_top(Bench& b, Model& m, Checked& c) {
  namespace sl = card::slot;
  using E = card::ErrCode;
  namespace f = card::field;
  const std::uint32_t slots[] = {0u, 1u % kN, kN / 2, kN - 1};
  auto read_all = [&](std::uint32_t s) {
    c.rd(sl::addr(s, sl::kTopFlags));
    for (std::uint32_t off = sl::kTopBidSz; off <= sl::kTopAskSz; off += 4) c.rd(sl::addr(s, off));
  };
  for (std::uint32_t s : slots) read_all(s);  // 0 before any publication
  for (int round = 0; round < 40; ++round) {
    const std::uint32_t s =
        round < 8 ? slots[round % 4] : static_cast<std::uint32_t>(b.rnd(0, kN - 1));
    std::array<std::uint32_t, 6> w{};
    for (auto& x : w) x = static_cast<std::uint32_t>(b.rng());
    c.publish(s, static_cast<std::uint32_t>(b.rng()) & 7u, w);
    if (b.chance(0.3)) b.idle(b.rnd(1, 5));
    read_all(s);
  }
  // The latch: TOP_FLAGS of s, then s republished, then the other words: still the first entry.
  // The other words of another slot also return the latch.
  {
    const std::uint32_t s = kN / 2, t = (kN / 2 + 1) % kN;
    c.rd(sl::addr(s, sl::kTopFlags));
    std::array<std::uint32_t, 6> w{};
    for (auto& x : w) x = static_cast<std::uint32_t>(b.rng());
    c.publish(s, 5, w);
    c.rd(sl::addr(s, sl::kTopBidPx));
    c.rd(sl::addr(t, sl::kTopAskPx + 4));  // the model returns the latch: so must the card
    read_all(s);                           // now the new entry
  }
  // Read-only.
  for (std::uint32_t off : {sl::kTopFlags, sl::kTopBidSz, sl::kTopBidPx + 4, sl::kTopAskSz}) {
    const std::uint32_t a = sl::addr(kN - 1, off);
    c.wr(a, 1);
    c.expect_error(f::kErrorRoWrite, E::kRoWrite, a);
    read_all(kN - 1);
  }
  // Never torn: a publisher rewrites slot s with numbered versions every other cycle on average
  // while the host reads TOP_FLAGS then the other words, with idle cycles between them; every
  // word must belong to one version, and versions must have moved on during some reads.
  {
    const std::uint32_t s = 2 % kN;
    b.bg_slot = static_cast<int>(s);
    int moved = 0;
    for (int i = 0; i < 60; ++i) {
      const Txn* t0 = b.issue_read(sl::addr(s, sl::kTopFlags));
      b.wait(t0);
      std::array<std::uint32_t, 6> got{};
      const std::uint32_t offs[] = {sl::kTopBidSz,     sl::kTopBidPx, sl::kTopBidPx + 4,
                                    sl::kTopAskPx,     sl::kTopAskPx + 4, sl::kTopAskSz};
      std::vector<std::size_t> order = {0, 1, 2, 3, 4, 5};
      std::shuffle(order.begin(), order.end(), b.rng);
      for (std::size_t k : order) {
        if (b.chance(0.5)) b.idle(b.rnd(1, 6));
        const Txn* t = b.issue_read(sl::addr(s, offs[k]));
        b.wait(t);
        got[k] = t->rdata;
      }
      const Bench::TopIn want = Bench::version_entry(s, got[0]);
      CHECK(t0->rdata == want.flags && got == want.w,
            "torn TOP_* read of slot %u: flags %u, words of versions %u..%u", s, t0->rdata,
            got[0], got[5] ^ 0x55555555u);
      if (b.bg_ver != got[0]) ++moved;
    }
    b.bg_slot = -1;
    CHECK(moved > 30, "the publisher moved on during only %d of 60 reads", moved);
    const Bench::TopIn last = Bench::version_entry(s, b.bg_ver);
    m.top[s] = Model::Top{last.flags, last.w};
    read_all(s);
  }
  // Soft reset: every entry reads 0 again.
  c.wr(card::reg::kControl, f::kControlSoftReset.put(1));
  for (std::uint32_t s : slots) read_all(s);
  for (std::uint32_t s = 0; s < kN; s += std::max<std::uint32_t>(1, kN / 16)) {
    CHECK(c.rd(sl::addr(s, sl::kTopFlags)) == 0, "slot %u TOP_FLAGS after soft reset", s);
  }
}

void test_unmapped(Bench& b, Checked& c) {
  std::vector<std::uint32_t> addrs = {
      0x04c, 0x0fc, 0x001, 0x002, 0x023, 0x042, 0x049,             // global holes, unaligned
      card::kCounterBase + 8 * kNCnt, 0x1fc, 0x7fc, 0xffc,         // past the counters
      card::counter_lo(card::Counter::kFrames) + 1,                // unaligned counter
      card::line::addr(0, 0x18), card::line::addr(0, 0x1c),        // line holes
      card::line::addr(0, card::line::kLineIp + 1),                // unaligned line register
      card::line::addr(kNLines, 0), card::line::addr(kNLines, card::line::kLineB),  // absent line
      card::slot::addr(0, 0x70), card::slot::addr(0, 0x7c),        // slot holes
      card::slot::addr(0, 0x84), card::slot::addr(0, 0xfc), card::slot::addr(0, 0x01),
      card::slot::addr(0, 0x9c), card::slot::addr(0, 0xbc), card::slot::addr(0, 0xc0),  // TOP_*
      card::slot::addr(kN - 1, card::slot::kTopFlags + 1),
      card::slot::addr(kN, card::slot::kTopFlags),
      card::slot::addr(kN - 1, card::slot::kCommit + 2),
      card::slot::addr(kN, 0), card::slot::addr(kN, card::slot::kCommit),  // first absent slot
      card::slot::addr(card::slot::kMaxCount - 1, 0), (1u << card::kAddrWidth) - 4};
  if (kNLines < card::line::kMaxCount) {  // the last window the map has room for
    addrs.push_back(card::line::addr(card::line::kMaxCount - 1, card::line::kLineValid));
  }
  for (int i = 0; i < 20; ++i) {  // random unaligned addresses anywhere
    addrs.push_back((static_cast<std::uint32_t>(b.rng()) & ((1u << card::kAddrWidth) - 1)) | 1u);
  }
  const std::uint32_t sid = card::slot::addr(0, card::slot::kSecurityId);
  for (std::uint32_t a : addrs) {
    c.rd(a);
    CHECK(card::field::kErrInfoRead.get(c.rd(card::reg::kErrInfo)) == 1, "ERR_INFO.READ");
    c.expect_error(card::field::kErrorUnmapped, card::ErrCode::kUnmapped, a);
    c.wr(a, 0x12345);
    c.expect_error(card::field::kErrorUnmapped, card::ErrCode::kUnmapped, a);
    c.rd(sid);  // unchanged (the model knows its value)
  }
}

void test_kill_timing(Bench& b, Checked& c, Model& m) {
  // KILL acts one cycle after the later of its AW/W handshakes, even behind a running commit.
  const std::uint32_t s = 3 % kN;
  c.write_slot(s, valid_config(b.rng, random_tick(b.rng), 100));
  for (int i = 0; i < 20; ++i) {
    b.idle(2);
    const bool behind_commit = i % 2 == 1;
    const Txn* cm = nullptr;
    if (behind_commit) {
      cm = b.issue_write(card::slot::addr(s, card::slot::kCommit), 1);
      while (!(cm->aw_done && cm->w_done)) b.step();
    }
    const Txn* k = b.issue_write(card::reg::kControl, 1);
    while (!(k->aw_done && k->w_done)) b.step();
    const std::uint64_t hs = std::max(k->aw_cycle, k->w_cycle);
    if (cm != nullptr) CHECK(!cm->done, "commit finished before the kill was accepted");
    b.step();
    CHECK(b.top().kill_o && b.kill_rise_cycle == hs,
          "kill_o rose at %llu, handshake edge %llu", static_cast<unsigned long long>(
                                                          b.kill_rise_cycle),
          static_cast<unsigned long long>(hs));
    if (cm != nullptr) {
      b.wait(cm);
      ++m.cmt_count;
      m.cmt_slot = s;
      m.cmt_res = 0;
      CHECK(k->done == false || k->resp_cycle > cm->resp_cycle, "B responses out of order");
    }
    b.wait(k);
    m.kill = true;
    c.wr(card::reg::kControl, 0);
  }
}

void test_layout(Bench& b) {
  // What map 2.1 promises, written here from its specification rather than read from the
  // header: the header, the package and this bench all come from the TOML, so only these
  // literals catch a map edit that moves something the core or the host already relies on.
  // slot_cfg_t: every 2.0 field keeps its LSB; CHANNEL (8 bits) is the new most significant one.
  const unsigned lsb[] = {0,   32,  33,  73,  79,  105, 161, 162, 184, 206, 222,
                          238, 269, 274, 279, 343, 407, 455, 476, 498, 530};
  static_assert(sizeof(lsb) / sizeof(lsb[0]) == sizeof(kCfg) / sizeof(kCfg[0]));
  for (std::size_t i = 0; i < sizeof(lsb) / sizeof(lsb[0]); ++i) {
    const unsigned end = i + 1 < sizeof(lsb) / sizeof(lsb[0]) ? lsb[i + 1] : 538;
    CHECK(kCfg[i].bits.lsb == lsb[i] && kCfg[i].bits.width == end - lsb[i],
          "slot_cfg_t.%s at [%u +: %u], the map says [%u +: %u]", kCfg[i].reg,
          kCfg[i].bits.lsb, kCfg[i].bits.width, lsb[i], end - lsb[i]);
  }
  CHECK(card::rtl::kSlotCfgWidth == 538, "SLOT_CFG_W %u", card::rtl::kSlotCfgWidth);
  CHECK(sizeof(b.top().cfg_rd_o) == (538 + 31) / 32 * 4, "cfg_rd_o is %zu bytes",
        sizeof(b.top().cfg_rd_o));
  // Counters: the 2.0 ones keep their indices, the six new ones follow BOOK_ENTRIES (19).
  using C = card::Counter;
  const C added[] = {C::kEarlyDuplicates, C::kUnknownInstruments, C::kOtherLinePackets,
                     C::kOversizePackets, C::kSeqRestarts, C::kHeld};
  CHECK(static_cast<unsigned>(C::kFrames) == 0 && static_cast<unsigned>(C::kDuplicates) == 13 &&
            static_cast<unsigned>(C::kBookEntries) == 19 && card::counter_lo(C::kFrames) == 0x100,
        "a 2.0 counter moved");
  for (unsigned k = 0; k < 6; ++k) {
    CHECK(static_cast<unsigned>(added[k]) == 20 + k && card::counter_lo(added[k]) == 0x1a0 + 8 * k,
          "appended counter %u at index %u", k, static_cast<unsigned>(added[k]));
  }
  // Global registers and fields.
  namespace f = card::field;
  CHECK(f::kControlKill.lsb == 0 && f::kControlSoftReset.lsb == 1 && f::kControlFlush.lsb == 2 &&
            f::kControlFlush.width == 1 && f::kStatusBusy.width == 1,
        "CONTROL / STATUS fields");
  CHECK(card::reg::kArbWindowMin == 0 && card::reg::kArbWindowMax == 255 &&
            card::reg::kArbWindowReset == ttq::PipelineConfig{}.reorder_window,
        "ARB_WINDOW range 0..255, reset = the model's reorder_window");
  CHECK(card::kVersionMajor == 2 && card::kVersionMinor == 3, "map version %u.%u",
        card::kVersionMajor, card::kVersionMinor);
  // Map 2.2: the published top, read-only words from 0xA0 of each slot window.
  CHECK(card::slot::kTopFlags == 0xa0 && card::slot::kTopBidSz == 0xa4 &&
            card::slot::kTopBidPx == 0xa8 && card::slot::kTopAskPx == 0xb0 &&
            card::slot::kTopAskSz == 0xb8 && card::slot::kCommit == 0x80,
        "TOP_* offsets");
  CHECK(card::kCapNLinesDefault == 8 && card::kCapNLinesMin == 1 && card::kCapNLinesMax == 64 &&
            card::kCapNChDefault == 4 && card::kCapNChMax == 256,
        "N_LINES / N_CH defaults and limits");
  // Ranges that name N_CH: 0 .. N_CH-1 of this build. LINE_KIND stops at 2 (3 refused).
  const card::RegInfo* lk = kLineWords[card::line::kLineKind / 4];
  const card::RegInfo* lc = kLineWords[card::line::kLineChannel / 4];
  CHECK(lk && lk->min == 0 && reg_max(*lk) == 2 && !line_word_ok(*lk, 3), "LINE_KIND range");
  CHECK(lc && reg_max(*lc) == kNCh - 1 && line_word_ok(*lc, kNCh - 1) && !line_word_ok(*lc, kNCh),
        "LINE_CHANNEL range");
  CHECK(reg_max(reg_named("CHANNEL")) == kNCh - 1 && reg_named("CHANNEL").reset == 0 &&
            reg_named("CHANNEL").width == 8,
        "slot CHANNEL range / reset / width");
}

void test_feed_regs(Bench& b, Model& m, Checked& c) {
  using E = card::ErrCode;
  namespace f = card::field;
  const std::uint32_t aw = card::reg::kArbWindow;
  // ARB_WINDOW: both bounds and random values read back and reach arb_window_o (check_outputs
  // after every access); anything above 255 is refused and changes nothing.
  for (std::uint32_t v : {0u, 255u, 1u, 64u, static_cast<std::uint32_t>(b.rnd(0, 255))}) {
    c.wr(aw, v);
    CHECK(c.rd(aw) == v && b.top().arb_window_o == v, "ARB_WINDOW %u", v);
  }
  for (std::uint32_t v : {256u, 0x1ffu, 0x80000008u, 0xffffffffu}) {
    const std::uint32_t before = c.rd(aw);
    c.wr(aw, v);
    CHECK(c.rd(aw) == before && b.top().arb_window_o == before, "ARB_WINDOW %#x taken", v);
    c.expect_error(f::kErrorFieldRange, E::kFieldRange, aw);
  }
  c.wr(aw, 3, 0x1);
  c.expect_error(f::kErrorPartialWrite, E::kPartialWrite, aw);
  // MODE (map 2.3): 0 and 1 read back and reach mode_ct_o; anything else is refused, changes
  // nothing and is recorded; a partial write is refused.
  const std::uint32_t mo = card::reg::kMode;
  CHECK(card::reg::kModeMin == 0 && card::reg::kModeMax == 1 && card::reg::kModeReset == 0,
        "MODE range 0..1, reset 0");
  for (std::uint32_t v : {1u, 0u, 1u}) {
    c.wr(mo, v);
    CHECK(c.rd(mo) == v && b.top().mode_ct_o == (v != 0), "MODE %u", v);
  }
  for (std::uint32_t v : {2u, 3u, 0x80000001u, 0xffffffffu}) {
    c.wr(mo, v);
    CHECK(c.rd(mo) == 1 && b.top().mode_ct_o, "MODE %#x taken", v);
    c.expect_error(f::kErrorFieldRange, E::kFieldRange, mo);
  }
  c.wr(mo, 0, 0x1);
  CHECK(c.rd(mo) == 1, "MODE partial write taken");
  c.expect_error(f::kErrorPartialWrite, E::kPartialWrite, mo);
  c.wr(mo, 0);

  // Line table: every entry written in the documented order (VALID = 0, fields, VALID), random
  // values in range including each bound; read back, outputs compared after every write.
  namespace l = card::line;
  auto rnd_u = [&](std::uint32_t hi) {
    return static_cast<std::uint32_t>(std::uniform_int_distribution<std::uint64_t>(0, hi)(b.rng));
  };
  for (int round = 0; round < 4; ++round) {
    for (std::uint32_t i = 0; i < kNLines; ++i) {
      const bool edge = round == 1;  // every field at its maximum
      c.wr(l::addr(i, l::kLineValid), 0);
      c.wr(l::addr(i, l::kLineIp), edge ? 0xffffffffu : rnd_u(0xffffffffu));
      c.wr(l::addr(i, l::kLinePort), edge ? 65535u : rnd_u(65535));
      c.wr(l::addr(i, l::kLineChannel), edge ? kNCh - 1 : rnd_u(kNCh - 1));
      c.wr(l::addr(i, l::kLineKind), edge ? 2u : rnd_u(2));
      c.wr(l::addr(i, l::kLineB), edge ? 1u : rnd_u(1));
      c.wr(l::addr(i, l::kLineValid), round == 3 ? rnd_u(1) : 1u);
      for (const auto& r : l::kRegs) c.rd(l::addr(i, r.offset));
    }
  }
  CHECK(c.rd(card::reg::kErrCount) == m.err_count, "ERR_COUNT");
  // Refused values (spec: VALID and B are one bit, PORT 16 bits, CHANNEL below N_CH, KIND 3).
  const std::uint32_t li = kNLines - 1;
  const std::pair<std::uint32_t, std::uint32_t> bad[] = {
      {l::kLineValid, 2},        {l::kLineValid, 0xffffffffu}, {l::kLinePort, 65536},
      {l::kLinePort, 0x80000000u}, {l::kLineChannel, kNCh},    {l::kLineChannel, 256},
      {l::kLineChannel, 0xffffffffu}, {l::kLineKind, 3},       {l::kLineKind, 4},
      {l::kLineB, 2},            {l::kLineB, 0x100}};
  unsigned refused = 0;
  for (const auto& [off, v] : bad) {
    const std::uint32_t a = l::addr(li, off);
    const std::uint32_t before = c.rd(a);
    c.wr(a, v);
    CHECK(c.rd(a) == before, "refused line write %#x = %#x changed it", a, v);
    c.expect_error(f::kErrorFieldRange, E::kFieldRange, a);
    ++refused;
  }
  c.wr(l::addr(0, l::kLinePort), 80, 0x3);
  c.expect_error(f::kErrorPartialWrite, E::kPartialWrite, l::addr(0, l::kLinePort));
  // Entry i drives bits [i*W +: W] only: clear every entry, then set one entry at a time.
  for (std::uint32_t i = 0; i < kNLines; ++i) {
    for (const auto& r : l::kRegs) c.wr(l::addr(i, r.offset), 0);
  }
  for (std::uint32_t i = 0; i < kNLines; ++i) {
    c.wr(l::addr(i, l::kLineIp), 0xefc00000u + i);
    c.wr(l::addr(i, l::kLinePort), 14310 + i);
    c.wr(l::addr(i, l::kLineChannel), i % kNCh);
    c.wr(l::addr(i, l::kLineKind), i % 3);
    c.wr(l::addr(i, l::kLineB), i & 1);
    c.wr(l::addr(i, l::kLineValid), 1);
    CHECK(out_bits(b.top().line_ip_o, 32 * i, 32) == 0xefc00000u + i &&
              out_bits(b.top().line_port_o, 16 * i, 16) == 14310 + i &&
              out_bits(b.top().line_valid_o, 0, kNLines) == ((std::uint64_t{2} << i) - 1),
          "line %u on the outputs", i);
  }

  // FLUSH: one one-cycle pulse per write of 1 (wr() counts flush_o's cycles and edges), reads
  // 0, leaves KILL alone; not through byte lane 1 only; back-to-back writes give one pulse each.
  c.wr(card::reg::kControl, f::kControlFlush.put(1));
  CHECK(f::kControlFlush.get(c.rd(card::reg::kControl)) == 0 && !b.top().kill_o,
        "FLUSH reads back or killed");
  c.wr(card::reg::kControl, f::kControlFlush.put(1) | f::kControlKill.put(1));
  c.wr(card::reg::kControl, f::kControlFlush.put(1) | f::kControlKill.put(1));
  c.wr(card::reg::kControl, 0);
  c.wr(card::reg::kControl, 0xfffffffbu);          // every other bit set: SOFT_RESET, KILL
  c.wr(card::reg::kControl, 0xffffffffu, 0xe);     // FLUSH set but lane 0 not written
  c.wr(card::reg::kControl, 0);
  const unsigned cycles = b.flush_cycles, rises = b.flush_rises;
  std::vector<const Txn*> burst;
  for (int k = 0; k < 3; ++k) burst.push_back(b.issue_write(card::reg::kControl, 4));
  for (const Txn* t : burst) b.wait(t);
  b.idle(3);
  m.flushes += 3;
  CHECK(b.flush_cycles - cycles == 3 && b.flush_rises - rises == 3,
        "3 back-to-back FLUSH writes: flush_o high %u cycles, %u pulses",
        b.flush_cycles - cycles, b.flush_rises - rises);

  // BUSY: STATUS.BUSY follows busy_i (the model predicts every STATUS read).
  for (int k = 0; k < 6; ++k) {
    c.set_busy(k % 2 == 0);
    CHECK(f::kStatusBusy.get(c.rd(card::reg::kStatus)) == (k % 2 == 0 ? 1u : 0u), "STATUS.BUSY");
    // STATUS.CUT_THROUGH is the core's mode in force (ct_mode_i), not MODE.
    c.set_ct_mode(k % 3 == 1);
    CHECK(f::kStatusCutThrough.get(c.rd(card::reg::kStatus)) == (k % 3 == 1 ? 1u : 0u),
          "STATUS.CUT_THROUGH");
  }
  c.set_busy(false);
  c.set_ct_mode(false);
  std::printf("feed registers: %u line writes refused, %u flush pulses\n", refused,
              b.flush_rises);
}

void test_slot_channel(Bench& b, Checked& c) {
  // CHANNEL travels like every shadowed field: written, refused at N_CH, committed, and then on
  // cfg_rd_o bits 537:530 (checked here by position, and every cycle by the port monitor).
  using E = card::ErrCode;
  for (std::uint32_t ch : {kNCh - 1, 0u, kNCh / 2}) {
    const std::uint32_t s = static_cast<std::uint32_t>(b.rnd(0, kN - 1));
    SlotWords w = valid_config(b.rng, random_tick(b.rng), 1 + b.rng() % 65535);
    w[card::slot::kChannel / 4] = ch;
    c.write_slot(s, w);
    const std::uint32_t a = card::slot::addr(s, card::slot::kChannel);
    c.wr(a, kNCh);  // refused: the shadow keeps ch
    c.expect_error(card::field::kErrorFieldRange, E::kFieldRange, a);
    c.commit(s);
    b.port_force = static_cast<int>(s);
    b.idle(3);
    CHECK(wide_bits(b.top().cfg_rd_o, 530, 8) == ch && wide_bits(b.top().cfg_rd_o, 32, 1) == 1,
          "slot %u: cfg_rd_o channel %llu, want %u", s,
          static_cast<unsigned long long>(wide_bits(b.top().cfg_rd_o, 530, 8)), ch);
    b.port_force = -1;
  }
}

void test_soak(Bench& b, Checked& c) {
  // Random accesses of every kind, every result predicted by the model.
  for (int i = 0; i < 2500; ++i) {
    const int op = b.rnd(0, 99);
    const std::uint32_t s = static_cast<std::uint32_t>(b.rnd(0, kN - 1));
    const std::uint32_t w = static_cast<std::uint32_t>(b.rnd(0, 31));
    const std::uint32_t a = card::slot::addr(s, 4 * w);
    if (op < 30) {
      c.wr(a, kWords[w].reg && b.chance(0.7) ? random_word(b.rng, kWords[w])
                                              : static_cast<std::uint32_t>(b.rng()));
    } else if (op < 52) {
      c.rd(a);
    } else if (op < 59) {
      c.commit(s);
    } else if (op < 62) {
      c.write_slot(s, valid_config(b.rng, random_tick(b.rng), 1 + b.rng() % 65535));
    } else if (op < 70) {
      c.rd(4 * static_cast<std::uint32_t>(b.rnd(0, 0x73)));  // global block and counters
    } else if (op < 75) {
      c.wr(4 * static_cast<std::uint32_t>(b.rnd(0, 0x73)), static_cast<std::uint32_t>(b.rng()),
           b.chance(0.8) ? 0xF : static_cast<std::uint32_t>(b.rnd(0, 15)));
    } else if (op < 79) {
      c.wr(card::reg::kError, static_cast<std::uint32_t>(b.rng()));
    } else if (op < 87) {  // line table: mostly in range, some refused, some absent lines
      const std::uint32_t l = static_cast<std::uint32_t>(b.rnd(0, static_cast<int>(kNLines)));
      const auto lw = static_cast<std::uint32_t>(b.rnd(0, static_cast<int>(kLineWordsN) - 1));
      const std::uint32_t la = card::line::addr(l, 4 * lw);
      if (b.chance(0.4)) {
        c.rd(la);
      } else if (kLineWords[lw] != nullptr && b.chance(0.7)) {
        const auto& r = *kLineWords[lw];
        c.wr(la, static_cast<std::uint32_t>(
                     std::uniform_int_distribution<std::int64_t>(r.min, reg_max(r))(b.rng)));
      } else {
        c.wr(la, static_cast<std::uint32_t>(b.rng()) >> b.rnd(0, 31),
             b.chance(0.9) ? 0xF : static_cast<std::uint32_t>(b.rnd(0, 15)));
      }
    } else if (op < 90) {
      c.set_busy(b.chance(0.5));
      c.rd(card::reg::kStatus);
    } else if (op < 92) {
      if (b.chance(0.5)) c.wr(card::reg::kArbWindow, static_cast<std::uint32_t>(b.rnd(0, 300)));
      else c.wr(card::reg::kMode, static_cast<std::uint32_t>(b.rnd(0, 3)));
    } else {
      const std::uint32_t x = static_cast<std::uint32_t>(b.rng()) & ((1u << card::kAddrWidth) - 1);
      if (b.chance(0.5)) c.rd(x);
      else c.wr(x & ~3u, static_cast<std::uint32_t>(b.rng()));
    }
    if (g_failures > 25) return;
  }
  c.wr(card::reg::kControl, 0);
  c.set_busy(false);
}

void test_pipelined(Bench& b, Checked& c, Model& m) {
  // Several writes and reads in flight at once: AW/W of the next write arrive while the previous
  // one waits for BREADY (valid before ready), responses in order. Distinct registers, so the
  // read results are predictable.
  for (int round = 0; round < 40; ++round) {
    const std::uint32_t s = static_cast<std::uint32_t>(b.rnd(0, kN - 1));
    std::vector<std::pair<const Txn*, std::uint32_t>> ws;
    std::vector<std::uint32_t> words;
    for (int k = 0; k < 4; ++k) {
      std::uint32_t w;
      do {
        w = static_cast<std::uint32_t>(b.rnd(0, static_cast<int>(kShadowUsed) - 1));
      } while (kWords[w].reg == nullptr ||
               std::find(words.begin(), words.end(), w) != words.end());
      words.push_back(w);
      const std::uint32_t v = random_word(b.rng, kWords[w]);
      ws.emplace_back(b.issue_write(card::slot::addr(s, 4 * w), v), v);
    }
    const Txn* r = b.issue_read(card::reg::kId);
    const Txn* r2 = b.issue_read(card::reg::kVersion);
    const Txn* r3 = b.issue_read(card::reg::kCaps0);
    for (auto& [t, v] : ws) b.wait(t);
    b.wait(r3);
    CHECK(r->rdata == card::kId && r2->rdata == card::kVersion &&
              r3->rdata == m.global(card::reg::kCaps0),
          "reads in flight with writes");
    CHECK(r->resp_cycle < r2->resp_cycle && r2->resp_cycle < r3->resp_cycle, "RRESP order");
    for (std::size_t k = 1; k < ws.size(); ++k) {
      CHECK(ws[k].first->resp_cycle > ws[k - 1].first->resp_cycle, "BRESP order");
    }
    for (std::size_t k = 0; k < ws.size(); ++k) {
      m.shadow[s][words[k]] = ws[k].second;
      CHECK(ws[k].first->resp == kOkay, "pipelined write refused");
      c.rd(card::slot::addr(s, 4 * words[k]));
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  Bench b;
  if (const char* seed = std::getenv("TTQ_SEED")) b.rng.seed(std::strtoull(seed, nullptr, 0));
  Model m;
  m.reset();
  b.committed = m.shadow;
  Checked c(b, m);
  b.reset();

  struct Step {
    const char* name;
    void (*fn)(Bench&, Model&, Checked&);
  };
  const Step steps[] = {
      {"map 2.2 layout", [](Bench& bb, Model&, Checked&) { test_layout(bb); }},
      {"identity and reset values", [](Bench& bb, Model& mm, Checked& cc) {
         test_identity_and_reset(bb, mm, cc); }},
      {"read/write every field", [](Bench& bb, Model&, Checked& cc) { test_rw_fields(bb, cc); }},
      {"refused writes", [](Bench& bb, Model&, Checked& cc) { test_refused_writes(bb, cc); }},
      {"commit rules", [](Bench& bb, Model& mm, Checked& cc) { test_commit_rules(bb, mm, cc); }},
      {"commit atomicity", [](Bench& bb, Model&, Checked& cc) {
         test_commit_atomicity(bb, cc); }},
      {"slot CHANNEL", [](Bench& bb, Model&, Checked& cc) { test_slot_channel(bb, cc); }},
      {"lines/ARB_WINDOW/FLUSH/BUSY", [](Bench& bb, Model& mm, Checked& cc) {
         test_feed_regs(bb, mm, cc); }},
      {"64-bit counter snapshots", [](Bench& bb, Model&, Checked& cc) {
         test_counters(bb, cc); }},
      {"published top (TOP_*)", [](Bench& bb, Model& mm, Checked& cc) {
         test_published_top(bb, mm, cc); }},
      {"SLVERR on unmapped", [](Bench& bb, Model&, Checked& cc) { test_unmapped(bb, cc); }},
      {"kill timing", [](Bench& bb, Model& mm, Checked& cc) { test_kill_timing(bb, cc, mm); }},
      {"pipelined transactions", [](Bench& bb, Model& mm, Checked& cc) {
         test_pipelined(bb, cc, mm); }},
      {"random soak", [](Bench& bb, Model&, Checked& cc) { test_soak(bb, cc); }},
  };
  for (const Step& st : steps) {
    const int before = g_failures;
    const std::uint64_t c0 = g_cycle;
    st.fn(b, m, c);
    std::printf("%-28s %s (%llu cycles)\n", st.name, g_failures == before ? "ok" : "FAILED",
                static_cast<unsigned long long>(g_cycle - c0));
  }

  // The stimulus must have produced every handshake ordering it claims to test.
  const Coverage& cv = b.cov;
  std::printf("coverage: valid-before-ready AW %u W %u AR %u; ready-before-valid AW %u W %u AR %u;"
              " AW first %u, W first %u, same cycle %u; B stalled %u, R stalled %u cycles\n",
              cv.valid_before_ready[0], cv.valid_before_ready[1], cv.valid_before_ready[2],
              cv.ready_before_valid[0], cv.ready_before_valid[1], cv.ready_before_valid[2],
              cv.aw_first, cv.w_first, cv.same_cycle, cv.b_stalled, cv.r_stalled);
  for (int i = 0; i < 3; ++i) {
    CHECK(cv.valid_before_ready[i] > 0 && cv.ready_before_valid[i] > 0, "handshake coverage %d",
          i);
  }
  CHECK(cv.aw_first > 0 && cv.w_first > 0 && cv.same_cycle > 0, "AW/W order coverage");
  CHECK(b.idle_bus(), "transactions left outstanding");
  CHECK(b.flush_rises == m.flushes && b.flush_cycles == m.flushes,
        "flush_o: %u pulses / %u cycles over the run, the writes asked for %u", b.flush_rises,
        b.flush_cycles, m.flushes);
  std::printf("commit: longest %llu cycles from the COMMIT write handshake to BVALID; %u applied\n",
              static_cast<unsigned long long>(c.commit_cycles_max), b.commit_pulses);
  // docs/registers.md (Commit): BRESP at most 80 cycles after the COMMIT write's handshake.
  CHECK(c.commit_cycles_max <= 80, "commit took %llu cycles, documented at most 80",
        static_cast<unsigned long long>(c.commit_cycles_max));
  std::printf("tb_regs (N_INSTR %u, DEPTH %u, DATA_W %u, N_LINES %u, N_CH %u): %s, %llu cycles, "
              "%d failure(s)\n", kN, kDepth, kDataW, kNLines, kNCh,
              g_failures ? "FAILED" : "PASSED", static_cast<unsigned long long>(g_cycle),
              g_failures);
  return g_failures ? 1 : 0;
}
