// Testbench of the whole card, hw/rtl/ttq_core.sv: Ethernet frames in, quote records out, the
// register block programmed over AXI4-Lite by the host's own code (drivers/card_program.hpp),
// against the model (FastPath in fixed-instrument mode) on generated captures, record by record,
// all 40 bytes. Faults: loss on A, B and both, reordering, duplicates, garbage frames, halts, plus
// frames flagged bad at tlast (tuser, the MAC's FCS error) and truncated frames made here. Modes:
// random input idles with random output back-pressure, and no-stall (frames back to back, tready
// always high) where the trigger -> quote latency is measured and asserted (docs/latency.md) and
// the input must never stall; and busy-reset runs, CONTROL.SOFT_RESET written at random points
// while frames, packets and records are in flight (docs/rtl_core.md, "Soft reset of a busy card").
#include <verilated.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <unistd.h>
#include <vector>

#include "Vttq_core.h"
#include "Vttq_core___024root.h"
#if VM_TRACE
#include <verilated_fst_c.h>
#endif
#include "card_program.hpp"
#include "ttq/capgen.hpp"
#include "ttq/card_regs.hpp"
#include "ttq/fast_path.hpp"
#include "ttq/mdp3.hpp"
#include "ttq/net.hpp"
#include "ttq/pcap_source.hpp"
#include "ttq/wire.hpp"

namespace {

using namespace ttq;

constexpr int kSlots = 16;            // ttq_core's N_INSTR
constexpr int kEvPerPkt = 128;        // ttq_core's EV_PER_PKT (the speculated-event queue: 2x)
constexpr double kClockMhz = 322.265625;
constexpr std::uint64_t kTargetCeiling = 8;  // issue 3: trigger -> quote <= 8 cycles, every record
// Latency bounds asserted in no-stall mode (docs/latency.md): trigger -> quote valid, cycles,
// every record from its own triggering message (run_capture). The runs are seeded: the maxima
// are the measured ones, no margin (2026-11-30, helper h4: per-message attribution).
// 16 / 148 / 165 before ttq_book's result took 1 cycle and ttq_apply's commit queue passed an
// entry straight to C's head (2026-11-30, fourth session, helper h3); 148 -> 147 isolated with
// ttq_apply's early pop of any dirty head (helper h1) alone.
constexpr std::uint64_t kLatencyMin = 15;  // exactly: one entry, one message, one record
constexpr std::uint64_t kLatencyMax = 146;     // isolated packets
constexpr std::uint64_t kLatencyMaxB2b = 164;  // back-to-back frames
// The same in cut-through mode (tb_core, the default): a record's message is applied as it
// streams, so its quote no longer waits for the packet's end.
// Exactly. Measured 2026-11-30: 13 with helper h4's 3-cycle quoter; then the same day 9: the
// framer's MSG_END of a message ending with an empty NoOrderIDEntries group at +3, not +5 (h1),
// no per-message hold in the speculated-event queue (h4) and no queue hop: the head, or the
// framer's event when the queue is empty, goes to ttq_apply at once (h2). 7 since the fourth
// session: the framer's BOOK event at +1 and its MSG_END straight out in the cycle of the
// message's last beat (helper h2, -1), ttq_book's result in 1 cycle and ttq_apply's commit
// queue passing an entry straight to C's head when empty (helper h3, -1).
constexpr std::uint64_t kCtLatencyMin = 7;
// Every event goes to ttq_apply as the framer gives it, so the quote follows its message's last
// entry by a fixed number of cycles whatever the message's size (13 / 16 / 23 / 24 with the
// hold, per message, before the three changes above). 11 -> 10 with ttq_apply's early
// publication popping the dirty queue's head in the cycle C commits the message's last entry
// (fourth session, helper h1: a message touching two slots no longer waits a cycle for its
// publication entry; the rest is a record of the second slot, the first slot's request giving
// no record), then -2 with h2's and h3's cycles.
constexpr std::uint64_t kCtLatencyMax = 8;
constexpr std::uint64_t kCtLatencyMaxB2b = 8;
// The median, both runs (10 before the third session's early publication of a slot already
// dirty and alone in ttq_apply's dirty queue, helper h1; 9 before the fourth session's -2).
constexpr std::uint64_t kCtLatencyP50 = 7;
// A soft reset of a busy card with no input after it: cycles from T + 1 to busy low.
constexpr std::uint64_t kBusyAfterReset = 2 * kSlots + 16;

int g_errors = 0;
int g_argc = 0;  // the command line, for each Core's context (the RTL's $test$plusargs)
char** g_argv = nullptr;
const bool g_lat_trace = std::getenv("TTQ_TB_CORE_LAT") != nullptr;

void fail(const std::string& what) {
  if (g_errors < 20) std::printf("FAIL: %s\n", what.c_str());
  ++g_errors;
}

// The host's start-up: the card's identity, then the configuration. False (and a failure
// reported) when either is refused.
bool program_card(CardProgram& prog, const char* name) {
  std::string err;
  if (prog.check_identity(err) && prog.program(err)) return true;
  fail(std::string(name) + ": programming the card: " + err);
  return false;
}

struct Mode {
  const char* name;
  double p_in, p_ready;
  bool nostall;   // every tvalid / tready high
  bool isolated;  // a frame starts only when the core is idle: the pipeline's own latency
  bool ct = false;  // cut-through mode (register MODE = 1; the model's
                    // feed.commit = "cut_through")
};

// The Verilated core with a clock, the input frame stream and the output record stream. Every
// tick drives the frame input and samples the output, also during register accesses.
class Core final : public RegisterBus {
 public:
  Core(const Mode& m, std::uint64_t seed) : mode_(m), rng_(seed) {
    ctx_ = std::make_unique<VerilatedContext>();
    ctx_->randReset(2);
    if (g_argv) ctx_->commandArgs(g_argc, g_argv);
    // TTQ_TB_CORE_NO_ASSERT=1: the RTL's assertions off (a mutant must then fail on the
    // testbench's own checks).
    if (std::getenv("TTQ_TB_CORE_NO_ASSERT")) ctx_->assertOn(false);
    top_ = std::make_unique<Vttq_core>(ctx_.get());
#if VM_TRACE
    // Waveforms on request: cmake -DTTQ_TRACE_FST=ON, then TTQ_FST=core.fst build/sim/tb_core
    // (the first run only: one file, overwritten).
    if (const char* fst = std::getenv("TTQ_FST"); fst != nullptr && !traced_once_) {
      traced_once_ = true;
      ctx_->traceEverOn(true);
      fst_ = std::make_unique<VerilatedFstC>();
      top_->trace(fst_.get(), 99);
      fst_->open(fst);
    }
#endif
    top_->clk = 0;
    top_->rst = 1;
    idle_inputs();
    for (int i = 0; i < 4; ++i) tick();
    top_->rst = 0;
    for (int i = 0; i < 20000 && top_->busy; ++i) tick();  // the register block's reset sweep
    if (top_->busy) fail("busy after reset");
    // The commit mode: MODE, in force from the next soft reset (STATUS shows it).
    const std::uint32_t caps1 = read32(card::reg::kCaps1);
    if (card::field::kCaps1CutThrough.get(caps1) != 1) fail("CAPS1.CUT_THROUGH is not 1");
    write32(card::reg::kMode, m.ct ? 1u : 0u);
    if (card::field::kStatusCutThrough.get(read32(card::reg::kStatus)) != 0) {
      fail("MODE took effect before a soft reset");
    }
    write32(card::reg::kControl, card::field::kControlSoftReset.put(1u));
    for (int i = 0; i < 16; ++i) tick();
    if (card::field::kStatusCutThrough.get(read32(card::reg::kStatus)) != (m.ct ? 1u : 0u)) {
      fail("STATUS.CUT_THROUGH does not show MODE after the soft reset");
    }
  }

  ~Core() override {
#if VM_TRACE
    if (fst_) fst_->close();
#endif
    top_->final();
  }

  struct Rec {
    QuoteRecord r;
    std::uint64_t valid_cycle;
  };

  std::uint32_t read32(std::uint32_t addr) override {
    top_->s_axil_araddr = addr;
    top_->s_axil_arvalid = 1;
    top_->s_axil_rready = 1;
    std::uint32_t v = 0;
    bool a = false;
    for (int i = 0; i < 1000; ++i) {
      top_->eval();
      const bool ar = top_->s_axil_arvalid && top_->s_axil_arready;
      const bool r = top_->s_axil_rvalid;
      if (r) v = top_->s_axil_rdata;
      tick();
      if (ar) {
        a = true;
        top_->s_axil_arvalid = 0;
      }
      if (r && a) {
        top_->s_axil_rready = 0;
        return v;
      }
    }
    fail("AXI4-Lite read timed out");
    return 0;
  }

  void write32(std::uint32_t addr, std::uint32_t value) override {
    top_->s_axil_awaddr = addr;
    top_->s_axil_awvalid = 1;
    top_->s_axil_wdata = value;
    top_->s_axil_wstrb = 0xF;
    top_->s_axil_wvalid = 1;
    top_->s_axil_bready = 1;
    for (int i = 0; i < 1000; ++i) {
      top_->eval();
      const bool aw = top_->s_axil_awvalid && top_->s_axil_awready;
      const bool w = top_->s_axil_wvalid && top_->s_axil_wready;
      const bool b = top_->s_axil_bvalid;
      tick();
      if (aw) top_->s_axil_awvalid = 0;
      if (w) top_->s_axil_wvalid = 0;
      if (b) {
        top_->s_axil_bready = 0;
        return;
      }
    }
    fail("AXI4-Lite write timed out");
  }

  // Frames to stream; beats: the beats of the frame whose acceptance cycles are recorded
  // (ascending; the trigger beats of its messages, run_capture).
  void queue(const Frame& f, std::vector<int> beats = {}) {
    frames_.push_back(&f);
    trig_.push_back(std::move(beats));
  }
  bool input_done() const { return fi_ >= frames_.size(); }

  // Busy soft resets (run_busy_resets). The host's CONTROL write of SOFT_RESET; T is the first
  // cycle of its BVALID. What the card held in cycle T (for the statistics of the situations
  // the resets hit) and, after cycle T + 1, where the streams stood.
  struct ResetMark {
    std::size_t records = 0;     // records handed over in cycles <= T + 1
    std::size_t frame = 0, beat = 0;  // the next beat offered after T + 1
    bool mid_frame = false;      // beats of a frame accepted before T, more to come
    bool replaying = false;      // the command side or the queue to ttq_apply has work
    bool stalled = false;        // m_axis_quote_tvalid high with tready low in cycle T
    unsigned fifo = 0;           // records in the output FIFO in cycle T
    bool counting = false;       // a counter increment decoded in cycle T
    bool t1_record = false;      // a record handed over in cycle T + 1 (after BVALID)
  };
  void expect_soft_reset() { expect_reset_ = true; }
  bool take_mark(ResetMark& m) {
    if (!mark_ready_) return false;
    mark_ready_ = false;
    m = mark_;
    return true;
  }
  void set_hold_input(bool h) { hold_input_ = h; }
  // m_axis_quote_tready held low for `len` cycles from the first offer of frame `frame` on.
  void hold_output(std::size_t frame, std::uint64_t len) {
    hold_out_frame_ = frame;
    hold_out_len_ = len;
  }
  void set_p_ready(double p) { p_ready_ = p; }  // < 0: the mode's
  void set_p_in(double p) { p_in_ = p; }        // < 0: the mode's
  bool mid_frame() const { return beat_ > 0; }
  bool busy_now() { return top_->busy != 0; }
  bool quote_valid_now() { return top_->m_axis_quote_tvalid != 0; }
  bool replaying_now() const {
    const auto* r = top_->rootp;
    return r->ttq_core__DOT__cst_q != 0 || r->ttq_core__DOT__of_cnt_q != 0;
  }
  unsigned fifo_count() const { return top_->rootp->ttq_core__DOT__u_qfifo__DOT__count_q; }
  // The cycle that accepted a recorded beat of a frame (queue); ~0 when it was not accepted.
  std::uint64_t accepted_cycle(std::size_t frame, int beat) const {
    const auto it = acc_.find({frame, beat});
    return it == acc_.end() ? ~std::uint64_t{0} : it->second;
  }

  void tick() {
    // Inputs for this cycle.
    bool offer = false;
    const bool may_start = !mode_.isolated || (!top_->busy && !top_->m_axis_quote_tvalid);
    if (fi_ < frames_.size() && (beat_ > 0 || may_start) && !hold_input_) {
      // Idles between and inside frames.
      offer = mode_.nostall || chance(p_in_ >= 0 ? p_in_ : mode_.p_in);
      if (offer) drive_beat();
      if (offer && beat_ == 0 && std::getenv("TTQ_TB_CORE_STARTS") && mode_.isolated) {
        std::printf("start frame %zu len %u at %llu busy %d\n", fi_, frames_[fi_]->len,
                    (unsigned long long)cycle_, top_->busy);
      }
    }
    top_->s_axis_frame_tvalid = offer;
    top_->m_axis_quote_tready =
        mode_.nostall ? 1 : chance(p_ready_ >= 0 ? p_ready_ : mode_.p_ready);
    if (hold_out_len_ > 0 && fi_ >= hold_out_frame_) {
      top_->m_axis_quote_tready = 0;
      --hold_out_len_;
    }
    top_->eval();
    if (expect_reset_ && top_->s_axil_bvalid) {
      // The first BVALID cycle of the CONTROL write: the cycle T in which ttq_regs raises
      // soft_rst (both are registered from S_EXEC).
      expect_reset_ = false;
      at_reset();
      mark_at_ = cycle_;
      mark_records_t_ = got_.size() + (top_->m_axis_quote_tvalid && top_->m_axis_quote_tready);
    }
    const bool reset_t1 = mark_at_ != 0 && cycle_ == mark_at_ + 1;
    if (reset_t1) {
      // Cycle T + 1: the pipeline is in reset (prst) and ttq_l2l4 takes no beat.
      if (top_->s_axis_frame_tready) fail("s_axis_frame_tready high in T + 1 of a soft reset");
      if (!top_->rootp->ttq_core__DOT__prst) fail("prst low in the cycle after the soft reset");
    }
    if (offer && top_->s_axis_frame_tready) {
      const std::vector<int>& tb = trig_[fi_];
      if (std::binary_search(tb.begin(), tb.end(), static_cast<int>(beat_))) {
        acc_[{fi_, static_cast<int>(beat_)}] = cycle_;
        if (trace_left_ > 0) {
          std::printf("trace: trigger beat %zu of frame %zu accepted at cycle %llu\n", beat_, fi_,
                      (unsigned long long)cycle_);
        } else if (trace_budget_ > 0 && mode_.isolated && static_cast<int>(beat_) == tb.front()) {
          trace_left_ = 120;
          --trace_budget_;
          std::printf("trace: first trigger beat (%zu) of frame %zu accepted at cycle %llu\n",
                      beat_, fi_, (unsigned long long)cycle_);
        }
      }
      const Frame& f = *frames_[fi_];
      if (++beat_ * 8 >= f.len) {
        beat_ = 0;
        ++fi_;
      }
    } else if (offer && mode_.nostall) {
      ++stall_cycles_;
    }
    if (trace_left_ > 0) {
      --trace_left_;
      const auto* r = top_->rootp;
      std::printf("trace %llu: in_rdy %d vq %d pq %d fm %d arb_st %d cst %d rd_i %d of %d apply_pub %d "
                  "q_v %d | ct sq wr %d emp %d hp %d st %d fq jn %d hd %d/%d/%d\n",
                  (unsigned long long)cycle_, top_->s_axis_frame_tready,
                  r->ttq_core__DOT__vq_cnt_q, r->ttq_core__DOT__pq_cnt_q, r->ttq_core__DOT__fm_in_q,
                  r->ttq_core__DOT__u_arb__DOT__st_q, r->ttq_core__DOT__cst_q, r->ttq_core__DOT__rd_i_q,
                  r->ttq_core__DOT__of_cnt_q, r->ttq_core__DOT__u_apply__DOT__pub_mode_q,
                  top_->m_axis_quote_tvalid, r->ttq_core__DOT__sq_wr_q, r->ttq_core__DOT__sq_emp_q,
                  r->ttq_core__DOT__sq_hp_q, r->ttq_core__DOT__sq_st_q, r->ttq_core__DOT__fq_jn_q,
                  r->ttq_core__DOT__hd_sent_q, r->ttq_core__DOT__hd_ans_v_q,
                  r->ttq_core__DOT__hd_ans_q);
    }
    if (pv_trace_ >= 0) {  // TTQ_TB_CORE_PV=slot: ttq_apply's prev of a slot, window state
      const auto* r = top_->rootp;
      const unsigned f = r->ttq_core__DOT__u_apply__DOT__prev_mem[pv_trace_].m_storage[0] & 0xff;
      const unsigned w = r->ttq_core__DOT__u_apply__DOT__w_st_q;
      const unsigned j = (r->ttq_core__DOT__u_apply__DOT__jpv_q >> pv_trace_) & 1;
      const unsigned ok = (r->ttq_core__DOT__u_apply__DOT__prev_ok_q >> pv_trace_) & 1;
      if (f != pv_f_ || w != pv_w_ || j != pv_j_) {
        std::printf("pv %llu: prev flags %02x ok %u window %u jpv %u sq_st %d pk %d open %d\n",
                    (unsigned long long)cycle_, f, ok, w, j, r->ttq_core__DOT__sq_st_q,
                    r->ttq_core__DOT__fq_pk_q, r->ttq_core__DOT__sp_open_q);
        pv_f_ = f;
        pv_w_ = w;
        pv_j_ = j;
      }
    }
    {  // Cut-through: undos the card made (ttq_apply's book_j_undo starts win_undo_q).
      const auto* r = top_->rootp;
      const bool u = r->ttq_core__DOT__win_undo_q;
      if (u && !undo_q_) ++undos_;
      undo_q_ = u;
      // The queues' high-water marks: speculated-event queue entries, frames in flight for the
      // frame queue (begun, not passed by both its readers), cycles of the input hold.
      if (!r->ttq_core__DOT__ct_rst) {
        sq_max_ = std::max(sq_max_, (r->ttq_core__DOT__sq_wr_q - r->ttq_core__DOT__sq_hp_q) & 0x1FFu);
        // The framer offered an event the queue had no room for (sq_room_q low): its
        // back-pressure engaged.
        sq_full_ += r->ttq_core__DOT__ev_v && !r->ttq_core__DOT__sq_room_q;
        const unsigned in = r->ttq_core__DOT__fq_in_q;
        fq_max_ = std::max({fq_max_, (in - r->ttq_core__DOT__fq_pk_q) & 0x7Fu,
                            (in - r->ttq_core__DOT__fq_jn_q) & 0x7Fu});
        in_hold_ += r->ttq_core__DOT__ct_in_hold_q;
      }
    }
    if (top_->m_axis_quote_tvalid) {
      if (!out_pending_) {
        out_pending_ = true;
        out_first_ = cycle_;
      }
      if (top_->m_axis_quote_tready) {
        Rec rec{};
        static_assert(sizeof(QuoteRecord) == 40);
        std::memcpy(&rec.r, &top_->m_axis_quote_tdata[0], sizeof rec.r);
        rec.valid_cycle = out_first_;
        got_.push_back(rec);
        out_pending_ = false;
      }
    }
    top_->clk = 1;
    top_->eval();
#if VM_TRACE
    if (fst_) fst_->dump(2 * cycle_ + 1);
#endif
    top_->clk = 0;
    top_->eval();
#if VM_TRACE
    if (fst_) fst_->dump(2 * cycle_ + 2);
#endif
    if (reset_t1) {
      mark_.t1_record = got_.size() != mark_records_t_;
      mark_.records = got_.size();
      mark_.frame = fi_;
      mark_.beat = beat_;
      mark_ready_ = true;
      mark_at_ = 0;
    }
    ++cycle_;
  }

  // Clocks until the input is streamed, nothing is in flight and the output is drained.
  bool drain(std::uint64_t limit) {
    std::uint64_t quiet = 0;
    for (std::uint64_t i = 0; i < limit; ++i) {
      tick();
      quiet = (input_done() && !top_->busy && !top_->m_axis_quote_tvalid) ? quiet + 1 : 0;
      if (quiet >= 8) return true;
    }
    return false;
  }

  // State of the cut-through path and the join (printed when a run does not go idle).
  void dump_state() const {
    const auto* r = top_->rootp;
    std::printf("  state at cycle %llu: busy %d vq %d pq %d fr_in %d arb_st %d cst %d of %d | "
                "fq wr %d vd %d jn %d pk %d hd sent %d ans %d/%d | sq st %d wr %d emp %d hp %d "
                "open %d win %d\n",
                (unsigned long long)cycle_, top_->busy, r->ttq_core__DOT__vq_cnt_q,
                r->ttq_core__DOT__pq_cnt_q, r->ttq_core__DOT__fr_in_q,
                r->ttq_core__DOT__u_arb__DOT__st_q, r->ttq_core__DOT__cst_q,
                r->ttq_core__DOT__of_cnt_q, r->ttq_core__DOT__fq_wr_q, r->ttq_core__DOT__fq_vd_q,
                r->ttq_core__DOT__fq_jn_q, r->ttq_core__DOT__fq_pk_q,
                r->ttq_core__DOT__hd_sent_q, r->ttq_core__DOT__hd_ans_v_q,
                r->ttq_core__DOT__hd_ans_q, r->ttq_core__DOT__sq_st_q, r->ttq_core__DOT__sq_wr_q,
                r->ttq_core__DOT__sq_emp_q, r->ttq_core__DOT__sq_hp_q, r->ttq_core__DOT__sp_open_q,
                r->ttq_core__DOT__win_q);
  }

  std::vector<Rec>& records() { return got_; }
  std::uint64_t cycles() const { return cycle_; }
  std::uint64_t stall_cycles() const { return stall_cycles_; }
  std::uint64_t undos() const { return undos_; }
  unsigned sq_max() const { return sq_max_; }
  std::uint64_t sq_full() const { return sq_full_; }
  unsigned fq_max() const { return fq_max_; }
  std::uint64_t in_hold() const { return in_hold_; }

 private:
  bool chance(double p) { return static_cast<double>(rng_() >> 11) * 0x1.0p-53 < p; }

  void idle_inputs() {
    top_->s_axis_frame_tvalid = 0;
    top_->m_axis_quote_tready = 0;
    top_->s_axil_awvalid = 0;
    top_->s_axil_wvalid = 0;
    top_->s_axil_bready = 0;
    top_->s_axil_arvalid = 0;
    top_->s_axil_rready = 0;
  }

  void at_reset() {
    mark_ = ResetMark{};
    mark_.mid_frame = beat_ > 0;
    mark_.replaying = replaying_now();
    mark_.stalled = top_->m_axis_quote_tvalid && !top_->m_axis_quote_tready;
    mark_.fifo = fifo_count();
    // An increment decoded in cycle T: an event the reset must drop (ttq_regs clears the
    // counters at the end of T, cnt_inc must not carry it past the clear).
    for (const EData w : top_->rootp->ttq_core__DOT__inc_d.m_storage) mark_.counting |= w != 0;
    if (!top_->rootp->ttq_core__DOT__u_regs__DOT__soft_rst_q) {
      fail("soft_rst low in the first BVALID cycle of the CONTROL.SOFT_RESET write");
    }
  }

  void drive_beat() {
    const Frame& f = *frames_[fi_];
    const std::size_t off = beat_ * 8;
    const std::size_t n = std::min<std::size_t>(8, f.len - off);
    std::uint64_t d = 0;
    std::memcpy(&d, f.data + off, n);
    top_->s_axis_frame_tdata = d;
    top_->s_axis_frame_tkeep = static_cast<std::uint8_t>((1u << n) - 1u);
    top_->s_axis_frame_tlast = off + 8 >= f.len;
    top_->s_axis_frame_tuser = off + 8 >= f.len && f.bad_fcs;
  }

  Mode mode_;
  std::mt19937_64 rng_;
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Vttq_core> top_;
  std::vector<const Frame*> frames_;
  std::vector<std::vector<int>> trig_;
  std::map<std::pair<std::size_t, int>, std::uint64_t> acc_;
  std::size_t fi_ = 0, beat_ = 0;
  bool out_pending_ = false;
#if VM_TRACE
  static inline bool traced_once_ = false;
  std::unique_ptr<VerilatedFstC> fst_;
#endif
  // TTQ_TB_CORE_TRACE=N: per-cycle state for 120 cycles from the first trigger beat of each of
  // the first N frames with one, per isolated run (each later trigger beat in it is printed).
  int trace_budget_ = std::getenv("TTQ_TB_CORE_TRACE") ? std::atoi(std::getenv("TTQ_TB_CORE_TRACE")) : 0;
  int trace_left_ = 0;
  int pv_trace_ = std::getenv("TTQ_TB_CORE_PV") ? std::atoi(std::getenv("TTQ_TB_CORE_PV")) : -1;
  unsigned pv_f_ = 0, pv_w_ = 0, pv_j_ = 0;
  bool undo_q_ = false;
  std::uint64_t undos_ = 0;
  unsigned sq_max_ = 0, fq_max_ = 0;
  std::uint64_t in_hold_ = 0, sq_full_ = 0;
  std::uint64_t out_first_ = 0, cycle_ = 0, stall_cycles_ = 0;
  std::vector<Rec> got_;
  bool expect_reset_ = false, mark_ready_ = false, hold_input_ = false;
  std::uint64_t mark_at_ = 0;  // cycle T of the soft reset being marked, 0: none
  std::size_t mark_records_t_ = 0;  // records handed over up to cycle T
  ResetMark mark_;
  double p_ready_ = -1, p_in_ = -1;
  std::size_t hold_out_frame_ = 0;
  std::uint64_t hold_out_len_ = 0;
};

std::vector<Frame> load_frames(const std::string& path, std::vector<std::vector<std::uint8_t>>& store) {
  std::string err;
  auto src = PcapSource::open(path, err);
  std::vector<Frame> frames;
  if (!src) {
    fail(err);
    return frames;
  }
  Frame f{};
  while (src->next(f)) {
    store.emplace_back(f.data, f.data + f.len);
    frames.push_back(f);
  }
  for (std::size_t i = 0; i < frames.size(); ++i) frames[i].data = store[i].data();
  return frames;
}

// The MatchEventIndicator and the number of book entries of each message of a packet (by index).
struct MsgEnds {
  std::vector<std::uint8_t> mei;      // per message index
  std::vector<std::uint16_t> entries;
  void on_message(const mdp3::MsgCtx& m) {
    if (mei.size() <= m.index) {
      mei.resize(m.index + 1u, 0);
      entries.resize(m.index + 1u, 0);
    }
  }
  void on_message_end(const mdp3::MsgCtx& m) { mei[m.index] = m.mei; }
  void on_book_entry(const mdp3::MsgCtx& m, std::uint32_t, const mdp3::BookEntry&) {
    ++entries[m.index];
  }
  void on_trade(const mdp3::MsgCtx&, const mdp3::TradeEntry&) {}
  void on_seq_entry(const mdp3::MsgCtx&, const mdp3::SeqEntry&) {}
  void on_channel_reset(const mdp3::MsgCtx&) {}
  void on_security_status(const mdp3::MsgCtx&, const mdp3::SecurityStatus&) {}
  void on_snapshot(const mdp3::MsgCtx&, const mdp3::SnapshotHeader&, const mdp3::SnapshotEntries&) {}
  void on_definition(const mdp3::MsgCtx&, const mdp3::Definition&) {}
};

// The messages of a well-formed MDP packet as the framer walks them (MsgSize): each one's offset
// in the payload, its size and its MatchEventIndicator. Empty when the packet is malformed.
struct MsgSpan {
  std::uint32_t off, size;
  std::uint8_t mei;
  std::uint16_t entries;  // book entries
};
std::vector<MsgSpan> message_spans(const UdpView& u) {
  MsgEnds h;
  if (mdp3::decode_packet(u.payload, u.len, h) != mdp3::MsgError::kOk) return {};
  std::vector<MsgSpan> out;
  for (std::uint32_t off = 12; off + 2 <= u.len;) {
    const std::uint16_t size = load_le<std::uint16_t>(u.payload + off);
    if (size < 2 || off + size > u.len) return {};
    const std::size_t i = out.size();
    out.push_back({off, size, i < h.mei.size() ? h.mei[i] : std::uint8_t{0},
                   i < h.entries.size() ? h.entries[i] : std::uint16_t{0}});
    off += size;
  }
  return out;
}

// Frame b (IPv4 header at h, ihl bytes) after its payload changed: the IPv4 and UDP lengths and
// the IPv4 checksum made right, no UDP checksum.
void reseal(std::vector<std::uint8_t>& b, std::size_t h, std::size_t ihl) {
  const std::size_t ip_len = b.size() - h, udp_len = b.size() - h - ihl;
  b[h + 2] = static_cast<std::uint8_t>(ip_len >> 8);
  b[h + 3] = static_cast<std::uint8_t>(ip_len);
  b[h + 10] = b[h + 11] = 0;
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i < ihl; i += 2) sum += static_cast<std::uint32_t>(b[h + i] << 8 | b[h + i + 1]);
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  b[h + 10] = static_cast<std::uint8_t>(~sum >> 8);
  b[h + 11] = static_cast<std::uint8_t>(~sum);
  b[h + ihl + 4] = static_cast<std::uint8_t>(udp_len >> 8);
  b[h + ihl + 5] = static_cast<std::uint8_t>(udp_len);
  b[h + ihl + 6] = b[h + ihl + 7] = 0;
}

// Frame f (u: its datagram) with another UDP payload: the L2-L4 headers kept, the IPv4 and UDP
// lengths and the IPv4 checksum made right (no UDP checksum).
std::vector<std::uint8_t> with_payload(const Frame& f, const UdpView& u, const std::uint8_t* p,
                                       std::size_t n) {
  std::size_t h = 14;
  while (f.data[h - 2] == 0x81 && f.data[h - 1] == 0x00) h += 4;  // 802.1Q tags
  const std::size_t ihl = (f.data[h] & 0xFu) * 4u, pay = static_cast<std::size_t>(u.payload - f.data);
  std::vector<std::uint8_t> b(f.data, f.data + pay);
  b.insert(b.end(), p, p + n);
  reseal(b, h, ihl);
  return b;
}

// The card's published top (TOP_* registers, read as the host's drivers read them) of every
// configured slot against the model's Instrument::last_top (Driver::top_of_book of the sw
// backend): the same value after the same frames. Counts the slots compared.
std::uint64_t check_tops(const std::string& where, CardProgram& prog, const FastPath& ref,
                         const PipelineConfig& cfg, std::uint64_t& stale) {
  std::uint64_t n = 0;
  for (std::uint32_t s = 0; s < cfg.instruments.size(); ++s) {
    const Instrument* in = ref.find(cfg.instruments[s].security_id);
    if (in == nullptr) continue;
    const PublishedTop got = prog.read_top(s);
    const PublishedTop& want = in->last_top;
    ++n;
    if (want.stale) ++stale;
    if (got == want) continue;
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  "%s: published top of slot %u (security_id %d):\n  want bid %lld x %d ask %lld "
                  "x %d bid %d ask %d stale %d\n  got  bid %lld x %d ask %lld x %d bid %d ask %d "
                  "stale %d",
                  where.c_str(), s, in->security_id, (long long)want.tob.bid_px, want.tob.bid_sz,
                  (long long)want.tob.ask_px, want.tob.ask_sz, want.bid, want.ask, want.stale,
                  (long long)got.tob.bid_px, got.tob.bid_sz, (long long)got.tob.ask_px,
                  got.tob.ask_sz, got.bid, got.ask, got.stale);
    fail(buf);
  }
  return n;
}

// An applied message (run_capture): its frame, trigger beat (the input beat holding its last
// byte), packet, offset in the UDP payload, size, MatchEventIndicator and book entries.
struct MsgRef {
  std::size_t frame;
  int beat;
  std::uint32_t seq, off, size;
  std::uint8_t mei;
  std::uint16_t entries;
};

// What a measured record waited for, besides the pipeline (from the record stream; run_capture):
// kMultiInstrument / kMultiLevel: not its message's first record (an earlier one of the same
// publication is for another instrument / for the same instrument); for a message's first
// record, kBehindSamePacket / kBehindEarlierPacket: the record before it (of an earlier message
// of its packet / of an earlier packet) was valid at or after its trigger beat; else, on verdict,
// kPacketEnd when its packet goes on after the message's trigger beat (the packet is applied at
// its end), kAlone otherwise.
enum Cause : int { kAlone, kPacketEnd, kBehindSamePacket, kBehindEarlierPacket, kMultiInstrument,
                   kMultiLevel, kCauses };
const char* const kCauseName[kCauses] = {
    "first record of its message, no earlier record pending",
    "first record, nothing pending, its packet goes on (verdict)",
    "first record, behind an earlier message of its packet",
    "first record, behind an earlier packet",
    "later record of a publication of several instruments",
    "later record of one instrument (several levels)"};

struct RunStats {
  std::uint64_t frames = 0, records = 0, cycles = 0, stalls = 0, bad_fcs = 0, truncated = 0;
  std::uint64_t soft_resets = 0;
  std::uint64_t tops = 0, tops_stale = 0;  // published tops compared; of them, stale ones
  std::uint64_t undone = 0;  // cut-through: packets the model speculated and undid
  std::uint64_t oversize = 0;  // OVERSIZE_PACKETS (= the model's oversize_packets)
  unsigned sq_max = 0, fq_max = 0;  // cut-through: queue high-water marks (Core::sq_max, ...)
  std::uint64_t sq_full = 0;  // cut-through: cycles the framer waited on the queue's room
  std::uint64_t in_hold = 0;        // cut-through: cycles of the frame queue's input hold
  std::vector<std::uint64_t> lat;  // no-stall runs measured: trigger -> quote, cycles
  std::vector<int> cause;          // per lat entry: its Cause
  std::vector<int> entries;        // per lat entry: its message's book entries
};

// A minimum-size Ethernet frame (60 bytes before the FCS, 8 beats of 64 bits) that every stage
// must drop and count without holding up the stream: kind 0 is IPv4/UDP to a port no line has
// (DROP_UNKNOWN_LINE), kind 1 is not IPv4 (an IEEE 802 local-experimental EtherType).
std::vector<std::uint8_t> min_size_frame(int kind, std::uint16_t n) {
  std::vector<std::uint8_t> b(60, 0);
  const std::uint8_t mac[12] = {0x01, 0x00, 0x5e, 0x00, 0x1f, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
  std::memcpy(b.data(), mac, 12);
  if (kind == 1) {
    b[12] = 0x88;
    b[13] = 0xB5;
    for (std::size_t i = 14; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(i * 7 + n);
    return b;
  }
  b[12] = 0x08;
  std::uint8_t* ip = b.data() + 14;
  ip[0] = 0x45;
  ip[3] = 46;  // total length: 20 + 8 + 18
  ip[8] = 64;  // TTL
  ip[9] = 17;  // UDP
  const std::uint32_t src = 0x0A000001, dst = capgen::kIncrementalIpA;
  for (int i = 0; i < 4; ++i) {
    ip[12 + i] = static_cast<std::uint8_t>(src >> (24 - 8 * i));
    ip[16 + i] = static_cast<std::uint8_t>(dst >> (24 - 8 * i));
  }
  std::uint32_t sum = 0;
  for (int i = 0; i < 20; i += 2) sum += static_cast<std::uint32_t>(ip[i] << 8 | ip[i + 1]);
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  ip[10] = static_cast<std::uint8_t>(~sum >> 8);
  ip[11] = static_cast<std::uint8_t>(~sum);
  std::uint8_t* udp = ip + 20;
  const std::uint16_t port = capgen::kIncrementalPortA + 1000;  // no line listens there
  udp[0] = 0x30;
  udp[1] = 0x39;
  udp[2] = static_cast<std::uint8_t>(port >> 8);
  udp[3] = static_cast<std::uint8_t>(port);
  udp[5] = 26;  // UDP length: 8 + 18; checksum 0 (none)
  for (int i = 0; i < 18; ++i) udp[8 + i] = static_cast<std::uint8_t>(n + i);
  return b;
}

// A frame with the L2-L4 headers of `t` (a frame of an incremental line) whose payload is one MDP
// packet of MsgSeqNum `seq` holding one Volume (template 37) message of `n` entries for a
// SecurityID no slot has: PKT_HDR, n entry events and MSG_END in the framer, n + 3 events with
// PKT_END. n = 89 fills a 1,500-byte frame; n = 126 is the packet store's largest packet (128
// events before PKT_END), in a 2,100-byte (jumbo) frame. The cut-through card speculates such a
// packet when it is in order, and holds the message's events until its MSG_END.
std::vector<std::uint8_t> big_message_frame(const std::vector<std::uint8_t>& t, std::uint32_t seq,
                                            int n) {
  std::size_t h = 14;
  while (t[h - 2] == 0x81 && t[h - 1] == 0x00) h += 4;  // 802.1Q tags
  const std::size_t ihl = (t[h] & 0xFu) * 4u, pay = h + ihl + 8;
  std::vector<std::uint8_t> b(t.begin(), t.begin() + static_cast<std::ptrdiff_t>(pay));
  auto p8 = [&](std::uint8_t v) { b.push_back(v); };
  auto p16 = [&](std::uint16_t v) {
    p8(static_cast<std::uint8_t>(v));
    p8(static_cast<std::uint8_t>(v >> 8));
  };
  auto p32 = [&](std::uint32_t v) {
    p16(static_cast<std::uint16_t>(v));
    p16(static_cast<std::uint16_t>(v >> 16));
  };
  const auto version = static_cast<std::uint16_t>(t[pay + 20] | t[pay + 21] << 8);
  p32(seq);  // MsgSeqNum, SendingTime
  p32(0);
  p32(1);
  p16(static_cast<std::uint16_t>(2 + 8 + 11 + 3 + 16 * n));  // MsgSize
  p16(11);  // SBE header: blockLength, templateId, schemaId, version
  p16(mdp3::kVolume);
  p16(1);
  p16(version);
  for (int i = 0; i < 8; ++i) p8(0);  // TransactTime
  p8(0x80);                           // MatchEventIndicator: EndOfEvent
  p8(0);
  p8(0);
  p16(16);  // group: blockLength, numInGroup
  p8(static_cast<std::uint8_t>(n));
  for (int i = 0; i < n; ++i) {  // MDEntrySize, SecurityID, RptSeq, MDUpdateAction + padding
    p32(1);
    p32(987654);
    p32(static_cast<std::uint32_t>(i + 1));
    p32(0);
  }
  reseal(b, h, ihl);
  return b;
}

// A generated capture with the faults made here, and the card's configuration for it.
struct Capture {
  std::vector<std::vector<std::uint8_t>> store;
  std::vector<Frame> frames;
  PipelineConfig cfg;
  std::uint64_t bad_fcs = 0, truncated = 0;
};

Capture make_capture(const GenOptions& g, std::mt19937_64& rng, double p_bad_fcs, double p_trunc,
                     int cfg_depth, int pad, int big = 0) {
  Capture cap;
  std::vector<std::vector<std::uint8_t>>& store = cap.store;
  const std::string path = "/tmp/ttq_tb_core_" + std::to_string(::getpid()) + ".pcap";
  generate_capture(g, path, nullptr, nullptr);
  std::vector<Frame>& frames = cap.frames;
  frames = load_frames(path, store);
  std::remove(path.c_str());
  if (big > 0) {
    // Big-message packets (big_message_frame, `big` entries, alternately 89): one before each
    // of four incremental frames spread over the capture, each the first copy of its MsgSeqNum,
    // with that frame's line and MsgSeqNum (both copies are then duplicates), so that each is in
    // order where the capture has no loss.
    std::vector<std::vector<std::uint8_t>> out;
    out.reserve(store.size() + 4);
    int made = 0;
    std::uint32_t last_seq = 0;  // the highest MsgSeqNum seen on the incremental lines
    for (std::size_t i = 0; i < store.size(); ++i) {
      UdpView u{};
      const bool inc = parse_udp(frames[i], u) == FrameDrop::kCount && u.len >= 22 &&
                       (u.dst_port == capgen::kIncrementalPortA ||
                        u.dst_port == capgen::kIncrementalPortB);
      const std::uint32_t seq = inc ? load_le<std::uint32_t>(u.payload) : 0;
      if (inc && seq > last_seq && made < 4 &&
          i >= store.size() * static_cast<std::size_t>(made) / 4) {
        out.push_back(big_message_frame(store[i], seq, made % 2 == 0 ? big : 89));
        ++made;
      }
      if (inc) last_seq = std::max(last_seq, seq);
      out.push_back(std::move(store[i]));
    }
    store = std::move(out);
    frames.assign(store.size(), Frame{});
    for (std::size_t i = 0; i < store.size(); ++i) {
      frames[i].data = store[i].data();
      frames[i].len = frames[i].wire_len = static_cast<std::uint32_t>(store[i].size());
    }
  }
  if (pad > 0) {  // `pad` minimum-size frames after every frame of the capture
    std::vector<std::vector<std::uint8_t>> padded;
    padded.reserve(store.size() * static_cast<std::size_t>(pad + 1));
    std::uint16_t n = 0;
    for (std::vector<std::uint8_t>& bytes : store) {
      padded.push_back(std::move(bytes));
      for (int k = 0; k < pad; ++k, ++n) padded.push_back(min_size_frame(n % 2, n));
    }
    store = std::move(padded);
    frames.assign(store.size(), Frame{});
    for (std::size_t i = 0; i < store.size(); ++i) {
      frames[i].data = store[i].data();
      frames[i].len = frames[i].wire_len = static_cast<std::uint32_t>(store[i].size());
    }
  }
  auto chance = [&](double p) { return static_cast<double>(rng() >> 11) * 0x1.0p-53 < p; };

  // Frames the MAC flags bad, frames cut short (the IP total length then exceeds the frame).
  for (Frame& f : frames) {
    if (chance(p_bad_fcs)) {
      f.bad_fcs = true;
      ++cap.bad_fcs;
    } else if (f.len > 60 && chance(p_trunc)) {
      f.len = 43 + static_cast<std::uint32_t>(rng() % (f.len - 44));
      ++cap.truncated;
    }
  }

  // The card's configuration: the feed lines, the instruments the definitions announce (the
  // ordinary model finds them), fixed.
  PipelineConfig& cfg = cap.cfg;
  cfg.channels.push_back(ChannelConfig{310});
  cfg.lines.push_back(LineConfig{capgen::kIncrementalIpA, capgen::kIncrementalPortA, 0,
                                 FeedKind::kIncremental, 'A'});
  cfg.lines.push_back(LineConfig{capgen::kIncrementalIpB, capgen::kIncrementalPortB, 0,
                                 FeedKind::kIncremental, 'B'});
  {
    FastPath disc(cfg);
    for (const Frame& f : frames) disc.process(f);
    cfg.fixed_instruments = true;
    for (const Instrument& in : disc.instruments()) {
      if (cfg.instruments.size() == kSlots) break;
      InstrumentConfig ic;
      ic.security_id = in.security_id;
      ic.tick = in.tick > 0 ? in.tick : 5'000'000'000;
      // The configured depth (cfg_depth > 0) may be below the feed's: the books must cut there.
      ic.depth = cfg_depth > 0 ? static_cast<std::uint8_t>(cfg_depth) : in.book.depth();
      ic.implied_depth = std::min<int>(in.book.implied_depth(), 2);
      ic.group = in.group;
      ic.channel = 0;
      cfg.instruments.push_back(ic);
    }
  }
  QuoterParams& q = cfg.quoter;
  q.ref_mode = chance(0.5) ? RefMode::kMid : RefMode::kJoin;
  q.bid_offset_ticks = static_cast<std::int32_t>(rng() % 4);
  q.ask_offset_ticks = static_cast<std::int32_t>(rng() % 4);
  q.min_spread_ticks = 1 + static_cast<std::int32_t>(rng() % 3);
  q.max_spread_ticks = chance(0.3) ? 3 + static_cast<std::int32_t>(rng() % 10) : 1000;
  q.requote_tolerance_ticks = static_cast<std::int32_t>(rng() % 3);
  q.order_size = 1 + static_cast<std::int32_t>(rng() % 5);
  return cap;
}

void check_counters(const std::string& where, CardProgram& prog, const PipelineCounters& mc);

// big: big-message packets in the capture (make_capture); hold_out: in the random modes,
// m_axis_quote_tready held low for that many cycles from the first offer of the capture's
// second frame on (hold_inc: of its first incremental packet's frame on); measure: the no-stall
// runs measure the latency of the records (RunStats::lat).
RunStats run_capture(const char* name, const GenOptions& g, const Mode& m, std::uint64_t seed,
                     double p_bad_fcs, double p_trunc, bool toggle_kill, int cfg_depth,
                     int pad = 0, bool soft_reset = false, int big = 0,
                     std::uint64_t hold_out = 0, bool measure = false, bool hold_inc = false) {
  RunStats st;
  std::mt19937_64 rng(seed);
  Capture cap = make_capture(g, rng, p_bad_fcs, p_trunc, cfg_depth, pad, big);
  cap.cfg.cut_through = m.ct;  // the host programs MODE from it (CardProgram::program)
  const std::vector<Frame>& frames = cap.frames;
  const PipelineConfig& cfg = cap.cfg;
  st.bad_fcs = cap.bad_fcs;
  st.truncated = cap.truncated;

  std::vector<std::size_t> kill_at;
  if (toggle_kill) {
    for (int k = 0; k < 4; ++k) kill_at.push_back(rng() % (frames.size() + 1));
    std::sort(kill_at.begin(), kill_at.end());
  }

  // The RTL, programmed by the host's code.
  Core core(m, seed * 7 + 1);
  CardProgram prog(cfg, core, CardLabels{"tb_core", "ttq_core", "", "", ""});
  if (!program_card(prog, name)) return st;
  prog.set_kill(false);

  // Trigger beats (no-stall latency, docs/latency.md): every message of the first copy of each
  // sequence number on an incremental line, the copy the model applies on arrival (the captures
  // measured have no loss or reordering). A message's trigger beat is the input beat holding its
  // last byte; the card records the cycle that accepts it.
  std::map<std::uint32_t, std::size_t> first_copy;  // seq -> frame
  std::vector<MsgRef> msgs;  // every message of the first copies, in the order they are applied
  std::vector<std::vector<int>> trig(frames.size());
  for (std::size_t i = 0; i < frames.size(); ++i) {
    UdpView u{};
    if (parse_udp(frames[i], u) != FrameDrop::kCount || u.len < 4) continue;
    const bool incremental = std::any_of(cfg.lines.begin(), cfg.lines.end(), [&](const LineConfig& l) {
      return l.ip == u.dst_ip && l.port == u.dst_port && l.kind == FeedKind::kIncremental;
    });
    if (!incremental) continue;  // other lines have sequence numbers of their own
    if (mdp3::validate_packet(u.payload, u.len) != mdp3::MsgError::kOk) continue;
    const std::uint32_t seq = load_le<std::uint32_t>(u.payload);
    if (first_copy.count(seq)) continue;
    const std::vector<MsgSpan> spans = message_spans(u);
    if (spans.empty()) continue;
    first_copy[seq] = i;
    const long base = static_cast<long>(u.payload - frames[i].data);
    for (const MsgSpan& sp : spans) {
      const int beat = static_cast<int>((base + sp.off + sp.size - 1) / 8);
      msgs.push_back({i, beat, seq, sp.off, sp.size, sp.mei, sp.entries});
      if (trig[i].empty() || trig[i].back() != beat) trig[i].push_back(beat);
    }
  }

  if (hold_out > 0 && !m.nostall) {
    core.hold_output(hold_inc && !first_copy.empty()
                         ? std::min_element(first_copy.begin(), first_copy.end(),
                                            [](const auto& a, const auto& b) {
                                              return a.second < b.second;
                                            })->second
                         : 1,
                     hold_out);
  }

  // The model and the RTL, side by side: the same frames, kills between the same frames. In a
  // cut-through run the model is feed.commit = "cut_through" (the card is programmed from the
  // same configuration; the mode is the register MODE).
  PipelineConfig ref_cfg = cfg;
  ref_cfg.cut_through = m.ct;
  auto ref = std::make_unique<FastPath>(ref_cfg);
  std::vector<QuoteRecord> want;
  auto drain_ref = [&] {
    QuoteRecord buf[256];
    for (std::size_t n; (n = ref->collect(buf)) > 0;) want.insert(want.end(), buf, buf + n);
  };
  bool kill = false;
  std::size_t ki = 0;
  const std::uint64_t limit = 400 * frames.size() + 1'000'000;
  for (std::size_t i = 0; i <= frames.size(); ++i) {
    // A kill change between two frames: everything before it has gone through on both sides.
    while (ki < kill_at.size() && kill_at[ki] == i) {
      if (!core.drain(limit)) {
        fail(std::string(name) + ": the core did not go idle");
        core.dump_state();
        return st;
      }
      kill = !kill;
      ref->set_kill(kill);
      drain_ref();
      prog.set_kill(kill);
      ++ki;
    }
    // CONTROL.SOFT_RESET halfway (random runs): with the core idle and its records out, the
    // card must go on exactly as a new model with the same configuration and kill state would,
    // fed only the frames after it; its counters start again from 0.
    if (soft_reset && i == frames.size() / 2) {
      if (!core.drain(limit)) {
        fail(std::string(name) + ": the core did not go idle before the soft reset");
        return st;
      }
      prog.soft_reset();
      st.undone += ref->counters().spec_undone;
      ref->soft_reset();  // the card's soft reset: prev forgotten, KILL kept
      drain_ref();
      ++st.soft_resets;
    }
    if (i == frames.size()) break;
    ref->process(frames[i]);
    drain_ref();
    core.queue(frames[i], trig[i]);
    // Isolated (no-stall) runs: every frame goes through alone, so the published tops are
    // compared after each one (other modes stream the whole capture and compare at the end).
    if (m.isolated) {
      if (!core.drain(limit)) {
        fail(std::string(name) + ": the core did not go idle");
        return st;
      }
      st.tops += check_tops(std::string(name) + " " + m.name + " after frame " +
                                std::to_string(i), prog, *ref, cfg, st.tops_stale);
      if (g_errors) return st;
    }
  }
  if (!core.drain(limit)) {
    fail(std::string(name) + ": the core did not go idle");
    core.dump_state();
    return st;
  }
  ref->finish();
  drain_ref();
  st.undone += ref->counters().spec_undone;
  prog.flush();
  if (!core.drain(limit)) fail(std::string(name) + ": the core did not go idle after FLUSH");
  st.tops += check_tops(std::string(name) + " " + m.name + " at the end", prog, *ref, cfg,
                        st.tops_stale);

  // Record by record.
  const std::vector<Core::Rec>& got = core.records();
  const std::size_t n = std::min(got.size(), want.size());
  for (std::size_t i = 0; i < n && g_errors < 10; ++i) {
    const QuoteRecord& r = got[i].r;
    const QuoteRecord& e = want[i];
    if (std::memcmp(&r, &e, sizeof r) != 0) {
      char buf[512];
      std::snprintf(buf, sizeof buf,
                    "%s %s seed %llu record %zu:\n  want slot %u seq %u bid %lld x %d ask %lld x %d "
                    "flags %02x\n  got  slot %u seq %u bid %lld x %d ask %lld x %d flags %02x",
                    name, m.name, (unsigned long long)seed, i, e.slot, e.seq, (long long)e.bid_px,
                    e.bid_sz, (long long)e.ask_px, e.ask_sz, e.flags, r.slot, r.seq,
                    (long long)r.bid_px, r.bid_sz, (long long)r.ask_px, r.ask_sz, r.flags);
      fail(buf);
      if (std::getenv("TTQ_TB_CORE_CTX") && g_errors == 1) {  // the records around it
        for (std::size_t k = i > 6 ? i - 6 : 0; k < std::min(n, i + 6); ++k) {
          const QuoteRecord& a = want[k];
          const QuoteRecord& b = got[k].r;
          std::printf("  %zu want slot %u seq %u %lld x %d / %lld x %d f %02x | got slot %u seq %u "
                      "%lld x %d / %lld x %d f %02x\n", k, a.slot, a.seq, (long long)a.bid_px,
                      a.bid_sz, (long long)a.ask_px, a.ask_sz, a.flags, b.slot, b.seq,
                      (long long)b.bid_px, b.bid_sz, (long long)b.ask_px, b.ask_sz, b.flags);
        }
      }
    }
  }
  if (got.size() != want.size()) {
    fail(std::string(name) + " " + m.name + ": " + std::to_string(got.size()) +
         " records, the model sent " + std::to_string(want.size()));
  }

  // The card's counters against the model's.
  PipelineCounters cc{};
  prog.read_counters(cc);
  const PipelineCounters& mc = ref->counters();
  auto same = [&](const char* what, std::uint64_t card, std::uint64_t model) {
    if (card != model) {
      fail(std::string(name) + " " + m.name + ": counter " + what + " card " +
           std::to_string(card) + " model " + std::to_string(model));
    }
  };
  same("frames", cc.frames, mc.frames);
  for (std::size_t d = 0; d < cc.frame_drops.size(); ++d) {
    same(("frame_drops[" + std::to_string(d) + "]").c_str(), cc.frame_drops[d], mc.frame_drops[d]);
  }
  same("packets", cc.packets, mc.packets);
  same("gaps", cc.arb.gaps, mc.arb.gaps);
  same("lost", cc.arb.lost, mc.arb.lost);
  same("stale_events", cc.stale_events, mc.stale_events);
  same("oversize_packets", cc.oversize_packets, mc.oversize_packets);
  st.oversize = mc.oversize_packets;
  // Cut-through: the card undid exactly the packets the model undid (a verdict pulse lost or
  // taken as good would leave the records equal wherever the packet published nothing).
  if (m.ct) {
    same("undone packets (spec_undone)", core.undos(), st.undone);
    // Every counter the card has (BOOK_ENTRIES, STALE_EVENTS, UNKNOWN_INSTRUMENTS, QUOTES, ...):
    // an undone packet counts what it applied, its messages before the first bad one only.
    check_counters(std::string(name) + " " + m.name, prog, mc);
  }

  // Latency of the records a message triggered (no-stall runs of the captures measured), each
  // from its own triggering message: the message whose MatchEventIndicator publishes it. The
  // model's records do not name their message (only their packet's MsgSeqNum), so a second model
  // with the same configuration is fed the same messages one per packet (msgs[k] as MsgSeqNum
  // k + 1, its frame's headers and SendingTime): a message publishes at its own end either way
  // and nothing else in the model depends on where a packet ends, so it must give the same
  // records, in the same order, with MsgSeqNum k + 1 for those msgs[k] published (checked: every
  // record tied, field by field). Records no message published (gaps, kill changes, corrections
  // of an undone packet) would stay untied; the runs measured have none (checked too).
  if (m.nostall && measure) {
    FastPath split(ref_cfg);
    std::vector<QuoteRecord> sw;
    std::vector<std::vector<std::uint8_t>> split_store;
    split_store.reserve(msgs.size());
    std::vector<std::uint8_t> pl;
    for (std::size_t k = 0; k < msgs.size(); ++k) {
      const MsgRef& mr = msgs[k];
      const Frame& f = frames[mr.frame];
      UdpView u{};
      parse_udp(f, u);
      pl.assign(u.payload, u.payload + 12);
      store_le<std::uint32_t>(pl.data(), static_cast<std::uint32_t>(k + 1));
      pl.insert(pl.end(), u.payload + mr.off, u.payload + mr.off + mr.size);
      split_store.push_back(with_payload(f, u, pl.data(), pl.size()));
      Frame sf = f;
      sf.data = split_store.back().data();
      sf.len = sf.wire_len = static_cast<std::uint32_t>(split_store.back().size());
      split.process(sf);
      QuoteRecord buf[256];
      for (std::size_t n; (n = split.collect(buf)) > 0;) sw.insert(sw.end(), buf, buf + n);
    }
    split.finish();
    {
      QuoteRecord buf[256];
      for (std::size_t n; (n = split.collect(buf)) > 0;) sw.insert(sw.end(), buf, buf + n);
    }
    // Tie the model's records to messages, in order.
    std::vector<long> msg_of(want.size(), -1);
    std::size_t k = 0, tied = 0;
    for (std::size_t i = 0; i < want.size() && k < sw.size(); ++i) {
      QuoteRecord b = sw[k];
      const std::uint32_t sk = b.seq;
      if (sk == 0 || sk > msgs.size() || want[i].seq != msgs[sk - 1].seq) continue;
      b.seq = want[i].seq;
      if (std::memcmp(&b, &want[i], sizeof b) != 0) continue;
      msg_of[i] = static_cast<long>(sk - 1);
      ++k;
      ++tied;
    }
    if (tied != want.size() || k != sw.size()) {
      fail(std::string(name) + " " + m.name + ": attribution: " + std::to_string(tied) + " of " +
           std::to_string(want.size()) + " records tied to a message, the one-message-packet "
           "model gave " + std::to_string(sw.size()));
    }
    // Each tied record from its message's trigger beat; the cause of what it took (Cause).
    for (std::size_t i = 0; i < std::min(got.size(), want.size()); ++i) {
      if (msg_of[i] < 0) continue;
      const MsgRef& t = msgs[static_cast<std::size_t>(msg_of[i])];
      const std::uint64_t t0 = core.accepted_cycle(t.frame, t.beat);
      if (t0 == ~std::uint64_t{0} || got[i].valid_cycle < t0) {
        fail(std::string(name) + " " + m.name + ": record " + std::to_string(i) +
             " valid in cycle " + std::to_string(got[i].valid_cycle) + ", before its trigger "
             "beat (frame " + std::to_string(t.frame) + " beat " + std::to_string(t.beat) +
             ", accepted in cycle " + std::to_string(t0) + ")");
        continue;
      }
      Cause c = kAlone;
      if (i > 0 && msg_of[i - 1] == msg_of[i]) {
        c = kMultiLevel;
        for (std::size_t j = i; j-- > 0 && msg_of[j] == msg_of[i];) {
          if (got[j].r.slot != got[i].r.slot) c = kMultiInstrument;
        }
      } else if (i > 0 && got[i - 1].valid_cycle >= t0) {
        const bool same = msg_of[i - 1] >= 0 &&
                          msgs[static_cast<std::size_t>(msg_of[i - 1])].frame == t.frame;
        c = same ? kBehindSamePacket : kBehindEarlierPacket;
      }
      if (c == kAlone && !m.ct && (t.beat + 1) * 8 < static_cast<int>(frames[t.frame].len)) {
        c = kPacketEnd;
      }
      if (g_lat_trace) {  // TTQ_TB_CORE_LAT=1: every measured record (against the trace)
        std::printf("lat %s %s record %zu: frame %zu beat %d accepted at cycle %llu, valid at "
                    "%llu: %llu cycles (%u entries, cause %d)\n", name, m.name, i, t.frame, t.beat,
                    (unsigned long long)t0, (unsigned long long)got[i].valid_cycle,
                    (unsigned long long)(got[i].valid_cycle - t0), t.entries, c);
      }
      st.lat.push_back(got[i].valid_cycle - t0);
      st.cause.push_back(c);
      st.entries.push_back(t.entries);
    }
  }
  st.frames = frames.size();
  st.records = got.size();
  st.cycles = core.cycles();
  st.stalls = core.stall_cycles();
  st.sq_max = core.sq_max();
  st.sq_full = core.sq_full();
  st.fq_max = core.fq_max();
  st.in_hold = core.in_hold();
  return st;
}

// Every counter the card has against the model's field of the same meaning (docs/card.md, "Card
// mode"); MALFORMED is the sum of the model's reasons and of the packets it dropped for
// feed.max_packet_events (malformed_oversize).
void check_counters(const std::string& where, CardProgram& prog, const PipelineCounters& mc) {
  PipelineCounters cc{};
  prog.read_counters(cc);
  auto same = [&](const std::string& what, std::uint64_t card, std::uint64_t model) {
    if (card != model) {
      fail(where + ": counter " + what + " card " + std::to_string(card) + " model " +
           std::to_string(model));
    }
  };
  same("frames", cc.frames, mc.frames);
  for (std::size_t d = 0; d < cc.frame_drops.size(); ++d) {
    same("frame_drops[" + std::to_string(d) + "]", cc.frame_drops[d], mc.frame_drops[d]);
  }
  std::uint64_t malformed = 0;
  for (std::uint64_t v : mc.malformed) malformed += v;
  same("oversize_packets", prog.oversize_packets(), mc.oversize_packets);
  same("oversize_packets (read_counters)", cc.oversize_packets, mc.oversize_packets);
  same("malformed", cc.malformed[0], malformed + mc.malformed_oversize);
  same("packets", cc.packets, mc.packets);
  same("other_line_packets", cc.snapshot_packets, mc.snapshot_packets + mc.definition_packets);
  same("duplicates", cc.arb.duplicates, mc.arb.duplicates);
  same("early_duplicates", cc.early_duplicates, mc.early_duplicates);
  same("held", cc.arb.held, mc.arb.held);
  same("gaps", cc.arb.gaps, mc.arb.gaps);
  same("lost", cc.arb.lost, mc.arb.lost);
  same("seq_restarts", cc.seq_restarts, mc.seq_restarts);
  same("unknown_instruments", cc.unknown_instruments, mc.unknown_instruments);
  same("stale_events", cc.stale_events, mc.stale_events);
  same("book_entries", cc.book_entries, mc.book_entries);
  same("quotes", cc.quotes, mc.quotes);
  same("quote_overflow", cc.quote_overflow, mc.quote_overflow);
}

bool same_record(const QuoteRecord& a, const QuoteRecord& b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

struct BusyStats {
  std::uint64_t frames = 0, records = 0, cycles = 0, resets = 0;
  std::uint64_t mid_frame = 0, replaying = 0, stalled = 0, fifo_full = 0, cut = 0, paused = 0;
  std::uint64_t counting = 0;  // resets with a counter increment decoded in their cycle T
  std::uint64_t t1_records = 0;  // resets with a (pre-reset) record handed over in T + 1
  // The cut frames' tails as the model (and so the card) counted them: by FrameDrop reason, the
  // last entry for a tail that passed the frame checks.
  std::array<std::uint64_t, static_cast<std::size_t>(FrameDrop::kCount) + 1> tails{};
  std::uint64_t pre_records = 0;  // records handed over before a reset, checked as a prefix
  std::uint64_t max_idle = 0;     // cycles from T + 1 to busy low with the input held
};

// CONTROL.SOFT_RESET written while the card is busy (docs/rtl_core.md, "Soft reset of a busy
// card"): the capture in segments; in every segment but the first the host writes the reset at
// a random point while the segment streams in (aimed at a frame half in, a packet being
// replayed, or a full output FIFO under back-pressure), then the segment's other frames follow
// and the card must go idle. Contract checked, with T the first BVALID cycle of the write:
// - records handed over up to T + 1 are a prefix of what the old model gives for the frames
//   accepted before the reset; none after T + 1 comes from those frames;
// - from T + 2 the card is a new model (same configuration and kill) fed the rest of the frame
//   the reset cut (from the first beat accepted after it, as a frame of its own) and the later
//   frames: every record, and at the segment's end (idle) every counter and published top;
// - with the input held after the reset: the card goes idle, offers no record, every counter
//   reads 0 and every TOP_* entry is clear.
BusyStats run_busy_resets(const char* name, const GenOptions& g, std::uint64_t seed,
                          double p_bad_fcs, double p_trunc, int cfg_depth, bool kill, int resets,
                          bool ct) {
  BusyStats st;
  std::mt19937_64 rng(seed);
  Capture cap = make_capture(g, rng, p_bad_fcs, p_trunc, cfg_depth, 0);
  cap.cfg.cut_through = ct;  // the host programs MODE from it (CardProgram::program)
  const std::vector<Frame>& frames = cap.frames;
  const PipelineConfig& cfg = cap.cfg;
  const Mode m{"busy-reset", 0.6, 0.5, false, false, ct};
  Core core(m, seed * 7 + 1);
  CardProgram prog(cfg, core, CardLabels{"tb_core", "ttq_core", "", "", ""});
  if (!program_card(prog, name)) return st;
  prog.set_kill(kill);
  const std::string where0 = std::string(name) + " busy-reset seed " + std::to_string(seed);

  std::unique_ptr<FastPath> ref;
  std::vector<QuoteRecord> want;  // the current model's records
  std::size_t base = 0;           // the card's first record of the current model's epoch
  auto drain_ref = [&] {
    QuoteRecord buf[256];
    for (std::size_t n; (n = ref->collect(buf)) > 0;) want.insert(want.end(), buf, buf + n);
  };
  auto new_model = [&] {  // the first: built from the configuration; then soft resets
    if (ref) {
      ref->soft_reset();
    } else {
      ref = std::make_unique<FastPath>(cfg);
      ref->set_kill(kill);
    }
    want.clear();
    drain_ref();
  };
  // The card's records [base, end) against the model's: all of them (exact) or a prefix.
  auto check_records = [&](const std::string& where, std::size_t end, bool exact) {
    const std::vector<Core::Rec>& got = core.records();
    const std::size_t n = end - base;
    if (n > want.size() || (exact && n != want.size())) {
      fail(where + ": " + std::to_string(n) + " records, the model sent " +
           std::to_string(want.size()));
    }
    for (std::size_t i = 0; i < std::min(n, want.size()); ++i) {
      if (same_record(got[base + i].r, want[i])) continue;
      const QuoteRecord& r = got[base + i].r;
      const QuoteRecord& e = want[i];
      char buf[400];
      std::snprintf(buf, sizeof buf,
                    "%s: record %zu of the epoch:\n  want slot %u seq %u bid %lld x %d ask %lld "
                    "x %d flags %02x\n  got  slot %u seq %u bid %lld x %d ask %lld x %d flags %02x",
                    where.c_str(), i, e.slot, e.seq, (long long)e.bid_px, e.bid_sz,
                    (long long)e.ask_px, e.ask_sz, e.flags, r.slot, r.seq, (long long)r.bid_px,
                    r.bid_sz, (long long)r.ask_px, r.ask_sz, r.flags);
      fail(buf);
      break;
    }
  };

  new_model();
  std::vector<Frame> tails;  // the rest of each frame a reset cut, as the card takes it
  const bool tail_as_frame = std::getenv("TTQ_TB_CORE_TAIL_AS_FRAME") != nullptr;
  tails.reserve(static_cast<std::size_t>(resets));
  std::size_t fed = 0;  // frames before it are the current model's (or an earlier one's)
  const std::uint64_t limit = 400 * frames.size() + 1'000'000;
  const std::size_t segs = static_cast<std::size_t>(resets) + 1;
  for (std::size_t s = 0; s < segs; ++s) {
    const std::size_t begin = frames.size() * s / segs, end = frames.size() * (s + 1) / segs;
    for (std::size_t i = begin; i < end; ++i) core.queue(frames[i]);
    const std::string where = where0 + " segment " + std::to_string(s);
    if (s > 0) {
      // The reset's aim: 0 a frame half in, 1 a packet being replayed into ttq_apply, 2 the
      // output FIFO full (tready held low until it is), 3 a replay with the input and output at
      // full rate (most counter events per cycle). Written after a random delay; the write takes
      // a few cycles more, what the card held in cycle T is counted (BusyStats).
      const int aim = static_cast<int>(s % 4);
      const bool pause = (s + s / 4) % 2 == 0;  // hold the input after the reset for a while
      std::uint64_t wait = rng() % (20 * (end - begin) + 1);
      if (aim == 2) core.set_p_ready(0.0);
      if (aim == 3) {
        core.set_p_in(1.0);
        core.set_p_ready(1.0);
      }
      for (std::uint64_t c = 0; c < 100'000; ++c) {
        const bool aimed = aim == 0 ? core.mid_frame()
                         : aim == 2 ? core.fifo_count() >= 16
                                    : core.replaying_now();
        if ((wait == 0 && aimed) || core.input_done()) break;
        if (wait > 0) --wait;
        core.tick();
      }
      // A full FIFO either stays stalled through the reset or is released as the write goes
      // out (then records are handed over up to T + 1 and the rest is discarded).
      if (aim == 2 && !pause) core.set_p_ready(1.0);
      core.expect_soft_reset();
      prog.soft_reset();  // returns after cycle T
      if (pause) core.set_hold_input(true);
      core.tick();        // T + 1
      Core::ResetMark mk;
      if (!core.take_mark(mk)) {
        fail(where + ": no BVALID seen for the soft reset");
        return st;
      }
      core.set_p_ready(-1);
      core.set_p_in(-1);
      ++st.resets;
      st.mid_frame += mk.mid_frame;
      st.replaying += mk.replaying;
      st.stalled += mk.stalled;
      st.fifo_full += mk.fifo >= 16;
      st.counting += mk.counting;
      st.t1_records += mk.t1_record;
      // The old epoch: the frames wholly accepted up to T (the card may have dropped the last of
      // them with the reset; it gives no record before T + 2 anyway).
      for (; fed < mk.frame; ++fed) ref->process(frames[fed]);
      drain_ref();
      check_records(where + " before the soft reset", mk.records, false);
      st.pre_records += mk.records - base;
      base = mk.records;
      new_model();
      if (mk.beat > 0) {  // the reset cut a frame
        // The card skips the rest of a cut frame up to its tlast, uncounted (ttq_core's
        // skip_q): the new model never sees it. TTQ_TB_CORE_TAIL_AS_FRAME=1 expects the old
        // behaviour instead (the rest taken as a frame of its own), which fails on this RTL: a
        // check that the skip is what the test sees.
        if (tail_as_frame) {
          Frame t = frames[mk.frame];
          const std::uint32_t off = static_cast<std::uint32_t>(mk.beat * 8);
          t.data += off;
          t.len -= off;
          t.wire_len = t.len;
          tails.push_back(t);
          ref->process(tails.back());
          std::size_t kind = ref->counters().frame_drops.size();
          for (std::size_t d = 0; d < ref->counters().frame_drops.size(); ++d) {
            if (ref->counters().frame_drops[d] != 0) kind = d;
          }
          ++st.tails[kind];
        }
        drain_ref();
        fed = mk.frame + 1;
        ++st.cut;
      } else {
        fed = mk.frame;
      }
      if (pause) {
        // Nothing new comes in: the card must go idle, offer nothing, count nothing.
        ++st.paused;
        std::uint64_t c = 0;
        for (; c < 1000 && core.busy_now(); ++c) {
          if (core.quote_valid_now()) break;
          core.tick();
        }
        for (int i = 0; i < 8; ++i) {
          if (core.quote_valid_now()) fail(where + ": a record offered after the soft reset");
          core.tick();
        }
        // Bound: ttq_apply's kill requote of every slot (the kill marker is sent again after a
        // reset) is the longest work left, about one cycle per slot; 21 cycles measured after
        // T + 1 (0 without kill).
        if (core.busy_now() || c > kBusyAfterReset) {
          fail(where + ": busy " + std::to_string(c) + " cycles after the soft reset (at most " +
               std::to_string(kBusyAfterReset) + ")");
        }
        st.max_idle = std::max(st.max_idle, c);
        if (core.records().size() != base) {
          fail(where + ": a record handed over after the soft reset");
        }
        check_counters(where + " after the soft reset (input held)", prog, PipelineCounters{});
        std::uint64_t none = 0;
        check_tops(where + " after the soft reset (input held)", prog, *ref, cfg, none);
        core.set_hold_input(false);
      }
      if (g_errors) return st;
    }
    if (!core.drain(limit)) {
      fail(where + ": the core did not go idle");
      return st;
    }
    for (; fed < end; ++fed) ref->process(frames[fed]);
    drain_ref();
    check_records(where + " at idle", core.records().size(), true);
    check_counters(where + " at idle", prog, ref->counters());
    std::uint64_t stale = 0;
    check_tops(where + " at idle", prog, *ref, cfg, stale);
    if (g_errors) return st;
  }
  ref->finish();
  drain_ref();
  prog.flush();
  if (!core.drain(limit)) fail(where0 + ": the core did not go idle after FLUSH");
  check_records(where0 + " at the end", core.records().size(), true);
  check_counters(where0 + " at the end", prog, ref->counters());
  std::uint64_t stale = 0;
  check_tops(where0 + " at the end", prog, *ref, cfg, stale);
  st.frames = frames.size();
  st.records = core.records().size();
  st.cycles = core.cycles();
  return st;
}

}  // namespace

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  g_argc = argc;
  g_argv = argv;
  struct Case {
    const char* name;
    GenOptions g;
    double bad_fcs, trunc;
    int cfg_depth = 0;  // 0: the feed's
    bool latency = true;  // its no-stall runs feed the latency figures
    int pad = 0;          // minimum-size frames inserted after every frame
    int big = 0;          // big-message packets (make_capture): the largest message's entries
    std::uint64_t hold_out = 0;  // random modes: cycles of output held low (run_capture)
    bool random_only = false;    // the random mode only
    bool fill_sq = false;        // cut-through: must fill the speculated-event queue
    std::uint64_t run_seed = 0;  // not 0: its runs' seed (else the next of the sequence)
  };
  std::vector<Case> cases;
  {
    GenOptions g;
    g.instruments = 4;
    g.events = 1500;
    cases.push_back({"clean", g, 0.0, 0.0});
    // The throughput case: one message per packet (the smallest frames that carry a book
    // change, 14-15 beats), back to back on both lines. Kept out of the latency figures.
    g.max_payload = 12;
    g.seed = 6;
    cases.push_back({"one message per packet", g, 0.0, 0.0, 0, false});
    // The throughput target: minimum-size frames back to back. Two 60-byte frames (8
    // beats: UDP to a port no line has, and a non-IPv4 frame) after every frame of the same
    // one-message-per-packet capture: the stream is 8-beat frames with a 14-15-beat market-data
    // frame every third; every frame counted, none may stall the input.
    g.seed = 7;
    cases.push_back({"minimum-size frames between", g, 0.0, 0.0, 0, false, 2});
    g.max_payload = 1400;
    g.seed = 2;
    g.loss_a = 0.02;
    g.loss_b = 0.02;
    g.loss_both = 0.01;
    g.reorder = 0.02;
    g.jitter_packets = 3;
    g.dup = 0.01;
    g.garbage = 0.02;
    g.halt = 0.002;
    cases.push_back({"loss+reorder+garbage+halts+badfcs+trunc", g, 0.02, 0.02});
    g.seed = 3;
    g.schema_version = 8;
    g.instruments = 12;
    cases.push_back({"schema8 12 instruments faulty", g, 0.01, 0.01});
    g.seed = 4;
    g.schema_version = 9;
    g.implied = false;
    g.depth = 5;
    cases.push_back({"no implied depth 5 faulty", g, 0.01, 0.01});
    g.seed = 5;
    g.implied = true;
    g.depth = 10;
    cases.push_back({"configured depth 3 < feed's 10", g, 0.01, 0.01, 3});
    // Malformed packets in valid frames (GenOptions::malformed_a): line A's copy of 5% of the
    // packets has its last message run past the packet's end. The L2-L4 checks pass it; the
    // framer's PKT_END says it is not ok. The cut-through card has applied (and published) the
    // messages before the bad one when the verdict comes: it must undo them (the framer's ok bit
    // in the speculated packet's verdict) and apply line B's copy, as the model.
    GenOptions mf;
    mf.instruments = 4;
    mf.events = 1500;
    mf.seed = 10;
    mf.jitter_packets = 3;
    mf.malformed_a = 0.05;
    cases.push_back({"malformed line-A copies", mf, 0.0, 0.0, 0, false});
    // Queue bounds (short captures, kept out of the latency figures). Big messages: packets of
    // one message of 126 / 89 entries (128 / 91 events), which the cut-through card applies as
    // they stream (until 2026-11-30 it held each whole until its MSG_END: a 64-entry queue hung
    // on them; now no event waits for its message's end, so the queue stays short).
    GenOptions b;
    b.instruments = 4;
    b.events = 300;
    b.seed = 8;
    cases.push_back({"big messages", b, 0.0, 0.0, 0, false, 0, 126});
    // A long output stall (tready low for 30,000 cycles from the start, random mode only) while
    // market frames with minimum-size frames for no line between them keep coming: ttq_apply
    // waits with a speculated packet open, the join passes frames on, and the cut-through frame
    // queue, which takes every frame's header record as it comes, must hold the input back at
    // a frame start rather than overflow (it did with the same stall and no hold).
    b.max_payload = 12;
    b.seed = 9;
    b.events = 600;
    cases.push_back({"output held, minimum-size frames between", b, 0.0, 0.0, 0, false, 2, 0,
                     30'000, true});
    // Jumbo packets (GenOptions::jumbo: 1,401-8,972 bytes of whole events, ~45-280 events): those
    // with more than the packet store's EV_PER_PKT = 128 are dropped whole on both lines, as the
    // model does with feed.max_packet_events = 128 (OVERSIZE_PACKETS and MALFORMED against the model; in
    // cut-through mode the messages within the first 128 events are applied, then undone).
    GenOptions j;
    j.instruments = 4;
    j.events = 1500;
    j.seed = 11;
    j.jitter_packets = 2;
    j.dup = 0.02;
    j.jumbo = 0.05;
    cases.push_back({"jumbo packets (oversize)", j, 0.0, 0.0, 0, false});
    // The speculated-event queue full (cut-through; until 2026-11-30 no case got it past 29
    // of its 256 entries). Full-size packets and 10% jumbo ones (~45-280 events, those over 128
    // oversize: speculated, then undone), the output held for 12,000 cycles from the first
    // incremental packet's frame on: the quote FIFO fills, ttq_apply stops taking events
    // (s_axis_ev_tready low) with a speculated packet open, and the framer's events pile up in
    // the queue until it holds SQ_DEPTH = 2 x EV_PER_PKT entries and its room test (sq_room_q)
    // holds the framer (~4,900 cycles of it). Checked: the high water exactly SQ_DEPTH, the
    // framer held at least once, every record and counter against the model. Seeded, its own
    // run seed (1021, whatever the cases before it): the stall needs 16 records in the FIFO, and
    // some draws give too few (the quoter's parameters, KILL): 6 of capture seeds 12-19 with
    // run seed 1021, 8 of run seeds 1021-1032 with capture seed 12 fill the queue. Verdict mode:
    // the queue is not used (high water 0, no wait; checked for every case). (Last: the seeds
    // of the cases above are as before it.)
    b.max_payload = 1400;
    b.seed = 12;
    b.events = 800;
    b.jumbo = 0.1;
    {
      Case fc{"speculated-event queue full", b, 0.0, 0.0, 0, false, 0, 0, 12'000, true};
      fc.fill_sq = true;
      fc.run_seed = 1021;
      cases.push_back(fc);
    }
  }
  const Mode random{"random", 0.6, 0.5, false, false};
  const Mode nostall{"nostall", 1.0, 1.0, true, false};
  const Mode isolated{"isolated", 1.0, 1.0, true, true};
  // Cut-through mode (the default, the card's shipping mode: `tb_core`, ctest sim.tb_core;
  // `--cut-through` is accepted too): the captures and modes with MODE = 1, against the model
  // with feed.commit = "cut_through". `tb_core --verdict` (ctest sim.tb_core_verdict): MODE = 0,
  // the model on verdict.
  const Mode ct_random{"ct-rand", 0.6, 0.5, false, false, true};
  const Mode ct_nostall{"ct-nost", 1.0, 1.0, true, false, true};
  const Mode ct_isolated{"ct-isol", 1.0, 1.0, true, true, true};
  bool ct = true;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--verdict") ct = false;
    else if (a == "--cut-through") ct = true;
  }
  // The mode under test (sim/tb_core.cmake fails each ctest on the other mode's line).
  std::printf("tb_core: %s (MODE = %d)\n", ct ? "cut-through commit" : "commit on verdict",
              ct ? 1 : 0);
  const std::vector<const Mode*> modes =
      ct ? std::vector<const Mode*>{&ct_random, &ct_nostall, &ct_isolated}
         : std::vector<const Mode*>{&random, &nostall, &isolated};
  std::uint64_t seed = ct ? 1021 : 21, total = 0, total_tops = 0, total_tops_stale = 0,
                total_soft_resets = 0, total_undone = 0;
  std::vector<std::uint64_t> lat, lat_b2b;
  std::vector<int> lat_cause, lat_b2b_cause;      // per sample: its Cause
  std::vector<int> lat_entries, lat_b2b_entries;  // per sample: its message's book entries
  // TTQ_TB_CORE_BUSY_ONLY=1: only the busy soft-reset runs (below), for work on them.
  const bool busy_only = std::getenv("TTQ_TB_CORE_BUSY_ONLY") != nullptr;
  // TTQ_TB_CORE_CASE=text: only the cases whose name holds it (no busy resets, no latency
  // figures), for work on one case.
  const char* only_case = std::getenv("TTQ_TB_CORE_CASE");
  for (const Case& c : cases) {
    if (busy_only) break;
    if (only_case && std::string(c.name).find(only_case) == std::string::npos) {
      for (const Mode* m : modes) seed += !(c.random_only && m->nostall);  // its runs' seeds
      continue;
    }
    unsigned sq_max = 0;
    std::uint64_t in_hold = 0, undone = 0, sq_full = 0;
    for (const Mode* m : modes) {
      if (c.random_only && m->nostall) continue;
      const bool kill = !m->nostall;
      const std::uint64_t run_seed = seed++;
      const bool measure = c.latency && c.g.loss_a == 0 && c.g.reorder == 0;
      RunStats s = run_capture(c.name, c.g, *m, c.run_seed ? c.run_seed : run_seed, c.bad_fcs,
                               c.trunc, kill, c.cfg_depth, c.pad,
                               /*soft_reset=*/!m->nostall, c.big, c.hold_out, measure,
                               /*hold_inc=*/c.fill_sq);
      std::printf("%-42s %-8s %6llu frames (%llu bad FCS, %llu truncated), %5llu records match, "
                  "%llu cycles, %llu input stall cycles, %llu published tops match (%llu stale)%s\n",
                  c.name, m->name, (unsigned long long)s.frames, (unsigned long long)s.bad_fcs,
                  (unsigned long long)s.truncated, (unsigned long long)s.records,
                  (unsigned long long)s.cycles, (unsigned long long)s.stalls,
                  (unsigned long long)s.tops, (unsigned long long)s.tops_stale,
                  s.soft_resets ? ", soft reset halfway" : "");
      if (ct) {
        std::printf("%-42s %-8s %llu packets speculated and undone (model); high water: %u of %d "
                    "speculated-event queue entries, %u frames in flight for the frame queue; "
                    "%llu input hold cycles; %llu cycles the framer waited on the queue's room\n",
                    c.name, m->name, (unsigned long long)s.undone, s.sq_max, 2 * kEvPerPkt,
                    s.fq_max, (unsigned long long)s.in_hold, (unsigned long long)s.sq_full);
      }
      // Verdict mode: the speculated-event queue is held in reset (ct_rst).
      if (!ct && (s.sq_max != 0 || s.sq_full != 0)) {
        fail(std::string(c.name) + " " + m->name + ": the speculated-event queue used in "
             "verdict mode (high water " + std::to_string(s.sq_max) + ")");
      }
      // The jumbo case must have packets over the store's limit (else it tests nothing); the
      // others have none (1,400-byte packets: at most ~45 events).
      if ((c.g.jumbo > 0) != (s.oversize > 0)) {
        fail(std::string(c.name) + " " + m->name + ": " + std::to_string(s.oversize) +
             " oversize packets");
      }
      if (s.oversize) {
        std::printf("%-42s %-8s %llu oversize packets (OVERSIZE_PACKETS = the model's)\n", c.name,
                    m->name, (unsigned long long)s.oversize);
      }
      total += s.records;
      total_undone += s.undone;
      undone += s.undone;
      sq_max = std::max(sq_max, s.sq_max);
      sq_full += s.sq_full;
      in_hold += s.in_hold;
      // The throughput target: with every tvalid / tready high the input never waits, on
      // every capture (docs/rtl_core.md, "Back-pressure and throughput").
      if (m->nostall && !m->isolated && s.stalls != 0) {
        fail(std::string(c.name) + ": " + std::to_string(s.stalls) +
             " input stall cycles in the no-stall run (must be 0)");
      }
      total_tops += s.tops;
      total_soft_resets += s.soft_resets;
      total_tops_stale += s.tops_stale;
      if (measure && m->nostall) {
        std::vector<std::uint64_t>& l = m->isolated ? lat : lat_b2b;
        std::vector<int>& lc = m->isolated ? lat_cause : lat_b2b_cause;
        l.insert(l.end(), s.lat.begin(), s.lat.end());
        lc.insert(lc.end(), s.cause.begin(), s.cause.end());
        std::vector<int>& le = m->isolated ? lat_entries : lat_b2b_entries;
        le.insert(le.end(), s.entries.begin(), s.entries.end());
      }
      if (g_errors) break;
    }
    // The queue-bound cases must reach what they are for (cut-through): a big message streamed
    // to ttq_apply, not held whole in the speculated-event queue (126 entries: 127 events before
    // its MSG_END; the per-message hold went 2026-11-30), the frame queue's input hold engaged.
    if (ct && g_errors == 0 && c.big > 0 && sq_max >= static_cast<unsigned>(c.big)) {
      fail(std::string(c.name) + ": a big message was held in the speculated-event queue (" +
           std::to_string(sq_max) + " entries)");
    }
    // The queue-full case: the high water exactly SQ_DEPTH (no more: the room test), reached
    // with the framer held by the room test at least once.
    if (ct && g_errors == 0 && c.fill_sq &&
        (sq_max != static_cast<unsigned>(2 * kEvPerPkt) || sq_full == 0)) {
      fail(std::string(c.name) + ": high water " + std::to_string(sq_max) + " of " +
           std::to_string(2 * kEvPerPkt) + " speculated-event queue entries, framer held by "
           "its room " + std::to_string(sq_full) + " cycles (must be exactly full, held > 0)");
    }
    if (ct && g_errors == 0 && c.g.malformed_a > 0 && undone == 0) {
      fail(std::string(c.name) + ": no malformed packet was speculated and undone");
    }
    if (ct && g_errors == 0 && c.hold_out > 0 && !c.fill_sq && in_hold == 0) {
      fail(std::string(c.name) + ": the frame queue's input hold never engaged");
    }
    if (g_errors) break;
  }
  // CONTROL.SOFT_RESET on a busy card (docs/rtl_core.md, "Soft reset of a busy card"): eight
  // resets per run at random points, on four of the captures above (new seeds); KILL set in the
  // last run (the reset must keep it: the card quotes nothing, as the model).
  if (only_case) {
    std::printf(g_errors ? "FAILED\n" : "PASSED\n");
    return g_errors ? 1 : 0;
  }
  BusyStats bt;
  {
    // TTQ_TB_CORE_BUSY_SEED=N: other seeds (N, N+1, ...) for a longer search by hand.
    const char* seed_env = std::getenv("TTQ_TB_CORE_BUSY_SEED");
    // Cut-through: 218 (seed 219 corrects a slot's first quote after a reset: the model's
    // soft reset must forget prev, as the card does).
    const std::uint64_t seed0 = seed_env ? std::strtoull(seed_env, nullptr, 10) : ct ? 218 : 101;
    const std::size_t picks[] = {0, 3, 4, 6};
    for (std::size_t k = 0; k < 4 && g_errors == 0; ++k) {
      const Case& c = cases[picks[k]];
      const BusyStats b = run_busy_resets(c.name, c.g, seed0 + k, c.bad_fcs, c.trunc, c.cfg_depth,
                                          /*kill=*/k == 3, 8, ct);
      std::printf("%-42s %-10s %5llu frames, %5llu records match (%llu before a reset), %llu "
                  "cycles, %llu soft resets: %llu mid-frame (%llu frames cut), %llu replaying, "
                  "%llu output stalled (%llu FIFO full), %llu counting, %llu with a record in T+1, "
                  "%llu with the input held (idle after <= %llu cycles)%s\n",
                  c.name, "busy-reset", (unsigned long long)b.frames,
                  (unsigned long long)b.records, (unsigned long long)b.pre_records,
                  (unsigned long long)b.cycles, (unsigned long long)b.resets,
                  (unsigned long long)b.mid_frame, (unsigned long long)b.cut,
                  (unsigned long long)b.replaying, (unsigned long long)b.stalled,
                  (unsigned long long)b.fifo_full, (unsigned long long)b.counting,
                  (unsigned long long)b.t1_records,
                  (unsigned long long)b.paused,
                  (unsigned long long)b.max_idle, k == 3 ? ", kill set" : "");
      bt.resets += b.resets;
      bt.mid_frame += b.mid_frame;
      bt.cut += b.cut;
      bt.replaying += b.replaying;
      bt.fifo_full += b.fifo_full;
      bt.counting += b.counting;
      bt.t1_records += b.t1_records;
      for (std::size_t d = 0; d < bt.tails.size(); ++d) bt.tails[d] += b.tails[d];
      bt.pre_records += b.pre_records;
    }
    std::printf("busy-reset: tails of cut frames taken as frames (TTQ_TB_CORE_TAIL_AS_FRAME):");
    for (std::size_t d = 0; d < bt.tails.size(); ++d) {
      if (bt.tails[d] == 0) continue;
      std::printf(" %llu %s", (unsigned long long)bt.tails[d],
                  d < static_cast<std::size_t>(FrameDrop::kCount)
                      ? to_string(static_cast<FrameDrop>(d)) : "passed the frame checks");
    }
    std::printf("\n");
    // Each situation the contract speaks of must have been hit at least once.
    if (g_errors == 0 && (bt.cut == 0 || bt.replaying == 0 || bt.fifo_full == 0 ||
                          bt.pre_records == 0 || bt.counting == 0 || bt.t1_records == 0)) {
      fail("busy soft resets: a situation was never hit (frame cut, replay, FIFO full, records "
           "before a reset, an increment in the reset's cycle, a record in T + 1)");
    }
  }
  if (busy_only) {
    std::printf(g_errors ? "FAILED\n" : "PASSED\n");
    return g_errors ? 1 : 0;
  }
  if (g_errors == 0 && total == 0) fail("no quote record was compared");
  if (g_errors == 0 && total_soft_resets == 0) fail("no soft reset was exercised");
  // Cut-through: the faulty captures must make the model speculate and undo packets, else the
  // undo path (verdict pulse, journal, corrections) was not compared.
  if (ct) std::printf("cut-through: %llu packets speculated and undone by the model\n",
                      (unsigned long long)total_undone);
  if (g_errors == 0 && ct && total_undone == 0) fail("cut-through: no packet was undone");
  if (g_errors == 0 && (total_tops == 0 || total_tops_stale == 0)) {
    fail("no published top (or no stale one) was compared");
  }
  // The figures (v sorted here), then the records above the target's ceiling by Cause, each
  // cause's min / p50 / max, and those of the first cause by their message's book entries.
  auto report = [](const char* what, std::vector<std::uint64_t>& v, const std::vector<int>& cause,
                   const std::vector<int>& entries) {
    std::vector<std::vector<std::uint64_t>> over(kCauses);
    std::map<int, std::vector<std::uint64_t>> by_entries;
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (v[i] <= kTargetCeiling) continue;
      over[static_cast<std::size_t>(cause[i])].push_back(v[i]);
      if (cause[i] == kAlone) by_entries[entries[i]].push_back(v[i]);
    }
    std::sort(v.begin(), v.end());
    auto pct = [&](double p) { return v[static_cast<std::size_t>(p * (v.size() - 1))]; };
    const double ns = 1000.0 / kClockMhz;
    std::printf("trigger -> quote, %s (%zu records): min %llu p50 %llu p99 %llu max %llu cycles "
                "= %.1f / %.1f / %.1f / %.1f ns at %.6f MHz\n",
                what, v.size(), (unsigned long long)v.front(), (unsigned long long)pct(0.5),
                (unsigned long long)pct(0.99), (unsigned long long)v.back(), v.front() * ns,
                pct(0.5) * ns, pct(0.99) * ns, v.back() * ns, kClockMhz);
    std::size_t n_over = 0;
    for (const auto& o : over) n_over += o.size();
    std::printf("  %zu of %zu records above %llu cycles; by cause (records: min / p50 / max):\n",
                n_over, v.size(), (unsigned long long)kTargetCeiling);
    for (int c = 0; c < kCauses; ++c) {
      std::vector<std::uint64_t>& o = over[static_cast<std::size_t>(c)];
      if (o.empty()) continue;
      std::sort(o.begin(), o.end());
      std::printf("    %-60s %4zu: %llu / %llu / %llu\n", kCauseName[c], o.size(),
                  (unsigned long long)o.front(), (unsigned long long)o[(o.size() - 1) / 2],
                  (unsigned long long)o.back());
    }
    if (!by_entries.empty()) {
      std::printf("  of the first cause, by the message's book entries:");
      for (auto& [n, o] : by_entries) {
        std::sort(o.begin(), o.end());
        std::printf(" %d: %zu (%llu/%llu/%llu)", n, o.size(), (unsigned long long)o.front(),
                    (unsigned long long)o[(o.size() - 1) / 2], (unsigned long long)o.back());
      }
      std::printf("\n");
    }
  };
  if (g_errors == 0) {
    if (lat.empty() || lat_b2b.empty()) {
      fail("no latency sample");
    } else {
      report(ct ? "cut-through, isolated packets, no stall" : "isolated packets, no stall", lat,
             lat_cause, lat_entries);
      report(ct ? "cut-through, back-to-back frames, no stall (queueing included)"
                : "back-to-back frames, no stall (queueing included)", lat_b2b, lat_b2b_cause,
             lat_b2b_entries);
      if (ct) {
        if (lat.front() != kCtLatencyMin || lat.back() > kCtLatencyMax ||
            lat_b2b.front() != kCtLatencyMin || lat_b2b.back() > kCtLatencyMaxB2b) {
          fail("cut-through latency: isolated min must be " + std::to_string(kCtLatencyMin) +
               ", max at most " + std::to_string(kCtLatencyMax) + ", back-to-back max at most " +
               std::to_string(kCtLatencyMaxB2b) + " cycles");
        }
        const auto p50 = [](const std::vector<std::uint64_t>& v) { return v[(v.size() - 1) / 2]; };
        if (p50(lat) > kCtLatencyP50 || p50(lat_b2b) > kCtLatencyP50) {
          fail("cut-through latency: p50 must be at most " + std::to_string(kCtLatencyP50) +
               " cycles, isolated and back-to-back");
        }
      } else if (lat.front() != kLatencyMin || lat.back() > kLatencyMax ||
                 lat_b2b.front() != kLatencyMin || lat_b2b.back() > kLatencyMaxB2b) {
        fail("latency: min must be " + std::to_string(kLatencyMin) + ", max at most " +
             std::to_string(kLatencyMax) + " isolated, " + std::to_string(kLatencyMaxB2b) +
             " back-to-back cycles (docs/latency.md)");
      }
    }
  }
  std::printf(g_errors ? "FAILED\n" : "PASSED\n");
  return g_errors ? 1 : 0;
}
