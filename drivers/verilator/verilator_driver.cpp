// Verilator backend: the card's RTL top (hw/rtl/ttq_core.sv), Verilated and clocked in-process
// behind the Driver interface. Frames go in as 64-bit AXI-Stream beats, quote records come out
// of m_axis_quote, and everything else is the register map over AXI4-Lite, programmed exactly as
// the xrt backend programs a real card (drivers/card_program.hpp). docs/card.md, "The Verilator
// backend".
#include <fmt/format.h>
#include <verilated.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "Vttq_card.h"  // ttq_core, Verilated (cmake/ttq_verilator.cmake)
#include "card_program.hpp"
#include "ttq/driver.hpp"

namespace ttq {

std::unique_ptr<Driver> make_verilator_driver(const PipelineConfig& cfg, std::string& error);

namespace {

// Cycle budgets: far above anything the core needs, so hitting one means the RTL is stuck (it is
// reported, never waited out). A frame is at most ~2k beats and a packet at most EV_PER_PKT events
// of a few dozen cycles each.
constexpr std::uint64_t kAxiCycles = 1'000'000;    // one register access (a reset sweep is 512)
constexpr std::uint64_t kBatchCycles = 2'000'000;  // per submit / finish / register change ...
constexpr std::uint64_t kFrameCycles = 50'000;     // ... plus this per frame
constexpr unsigned kQuietCycles = 8;  // busy low and no record for this long: the core is idle

class VerilatorDriver final : public Driver, private RegisterBus {
 public:
  explicit VerilatorDriver(const PipelineConfig& cfg)
      : ctx_(std::make_unique<VerilatedContext>()),
        top_(std::make_unique<Vttq_card>(ctx_.get(), "ttq_core")),
        card_(cfg, *this,
              CardLabels{"verilator backend", "the Verilated top (ttq_core)",
                         "this ttq was built from RTL that is not the ttq card (hw/ttq.f)",
                         "rebuild ttq (the Verilated RTL and the register header come from "
                         "hw/regmap/ttq_regs.toml together)",
                         "the Verilated RTL was built from another register map: rebuild ttq"}) {
    records_.reserve(4096);
  }

  ~VerilatorDriver() override { top_->final(); }

  // Reset, identity, programming, un-kill: false + why.
  bool start(std::string& error) {
    top_->clk = 0;
    top_->rst = 1;
    idle_inputs();
    for (int i = 0; i < 8; ++i) cycle();
    top_->rst = 0;
    try {
      if (!card_.check_identity(error)) return false;
      if (!card_.program(error)) return false;
      card_.set_kill(false);
      settle("start-up");
    } catch (const std::runtime_error& e) {
      error = e.what();
      return false;
    }
    return true;
  }

  std::string_view name() const override { return "verilator"; }

  void submit(std::span<const Frame> frames) override {
    card_.invalidate_tops();  // the batch publishes: top_of_book reads the card again
    const std::uint64_t limit = cycles_ + kBatchCycles + kFrameCycles * frames.size();
    std::size_t fi = 0;
    std::uint32_t off = 0;
    auto drive = [&] {
      if (fi == frames.size()) {
        top_->s_axis_frame_tvalid = 0;
        return;
      }
      const Frame& f = frames[fi];
      const std::uint32_t len = std::max<std::uint32_t>(f.len, 1);  // an empty frame: one 0 byte
      const std::uint32_t n = std::min<std::uint32_t>(len - off, 8);
      std::uint64_t w = 0;
      if (f.len > off) std::memcpy(&w, f.data + off, std::min<std::uint32_t>(f.len - off, 8));
      top_->s_axis_frame_tdata = w;  // byte 0 in bits 7:0 (little-endian host)
      top_->s_axis_frame_tkeep = static_cast<std::uint8_t>((1u << n) - 1u);
      top_->s_axis_frame_tlast = off + n == len;
      top_->s_axis_frame_tuser = off + n == len && f.bad_fcs;
      top_->s_axis_frame_tvalid = 1;
    };
    drive();
    while (fi < frames.size()) {
      const bool taken = top_->s_axis_frame_tvalid && cycle().frame;
      if (taken) {
        const std::uint32_t len = std::max<std::uint32_t>(frames[fi].len, 1);
        off += 8;
        if (off >= len) {
          bytes_ += frames[fi].len;
          ++fi;
          off = 0;
        }
        drive();
      }
      if (cycles_ > limit) stuck("a batch of frames", fi, frames.size());
    }
    top_->s_axis_frame_tvalid = 0;
    settle("a batch of frames", limit);
  }

  void finish() override {
    card_.invalidate_tops();  // the flush releases held packets, which publish
    card_.flush();
    settle("the end-of-input flush");
    card_.read_counters(c_);
    if (const std::uint64_t n = c_.snapshot_packets) {
      std::fprintf(stderr,
                   "ttq: verilator backend: note: %llu snapshot/definition packets were counted, "
                   "not applied: the card's books do not recover from snapshots yet, so quotes "
                   "differ from --backend sw once a book needs recovery (docs/card.md)\n",
                   static_cast<unsigned long long>(n));
    }
  }

  std::size_t collect(std::span<QuoteRecord> out) override {
    const std::size_t n = std::min(out.size(), records_.size() - head_);
    std::copy_n(records_.begin() + static_cast<std::ptrdiff_t>(head_), n, out.begin());
    head_ += n;
    if (head_ == records_.size()) {
      records_.clear();
      head_ = 0;
    }
    return n;
  }

  void set_kill(bool on) override {
    card_.set_kill(on);
    settle("a kill change");
  }

  void set_skew(std::int32_t id, const SkewRegs& s) override {
    (void)card_.set_skew(id, s);
    settle("a skew change");
  }

  const char* set_params(std::int32_t id, const QuoterParams& p) override {
    const char* bad = card_.set_params(id, p);
    settle("a parameter change");
    return bad;
  }

  const PipelineCounters& counters() override {
    card_.read_counters(c_);
    c_.bytes = bytes_;  // the card does not count bytes; the driver saw every one it streamed
    return c_;
  }

  // The card's published top (TOP_* registers), read once per slot per batch (drivers/
  // card_program.hpp): the risk gate's reference, as the sw backend's Instrument::last_top.
  bool top_of_book(std::int32_t id, PublishedTop& out) override {
    return card_.top_of_book(id, out);
  }

  bool instrument_info(std::int32_t id, InstrumentInfo& out) override {
    return card_.instrument_info(id, out);
  }

 private:
  struct Handshakes {
    bool frame = false, aw = false, w = false, b = false, ar = false, r = false;
  };

  void idle_inputs() {
    top_->s_axil_awvalid = 0;
    top_->s_axil_wvalid = 0;
    top_->s_axil_arvalid = 0;
    top_->s_axil_bready = 1;
    top_->s_axil_rready = 1;
    top_->s_axil_wstrb = 0xF;
    top_->s_axis_frame_tvalid = 0;
    top_->m_axis_quote_tready = 1;  // the host queue takes every record at once
  }

  // One clock with the inputs as they are: handshakes are sampled with the combinational outputs
  // settled before the edge; a quote record leaves on its handshake into the host queue.
  Handshakes cycle() {
    top_->clk = 0;
    top_->eval();
    Handshakes h;
    h.frame = top_->s_axis_frame_tvalid && top_->s_axis_frame_tready;
    h.aw = top_->s_axil_awvalid && top_->s_axil_awready;
    h.w = top_->s_axil_wvalid && top_->s_axil_wready;
    h.b = top_->s_axil_bvalid && top_->s_axil_bready;
    h.ar = top_->s_axil_arvalid && top_->s_axil_arready;
    h.r = top_->s_axil_rvalid && top_->s_axil_rready;
    if (h.r) rdata_ = top_->s_axil_rdata;
    if (top_->m_axis_quote_tvalid && top_->m_axis_quote_tready) {
      QuoteRecord r;
      static_assert(sizeof(QuoteRecord) == 40);
      std::memcpy(&r, top_->m_axis_quote_tdata.data(), sizeof r);
      records_.push_back(r);
    }
    top_->clk = 1;
    top_->eval();
    ++cycles_;
    return h;
  }

  // Clocks until the core is idle (nothing in flight, every record taken).
  void settle(const char* what, std::uint64_t limit = 0) {
    if (limit == 0) limit = cycles_ + kBatchCycles;
    for (unsigned quiet = 0; quiet < kQuietCycles;) {
      cycle();
      quiet = (!top_->busy && !top_->m_axis_quote_tvalid) ? quiet + 1 : 0;
      if (cycles_ > limit) stuck(what, 0, 0);
    }
  }

  [[noreturn]] void stuck(const char* what, std::size_t taken, std::size_t frames) {
    std::string at = frames ? fmt::format(" ({} of {} frames taken, frame input ready {})", taken,
                                          frames, static_cast<int>(top_->s_axis_frame_tready))
                            : std::string();
    throw std::runtime_error(fmt::format(
        "verilator backend: the core did not go idle after {}{} (busy {}, quote valid {}, cycle "
        "{}): the RTL is stuck; rerun the capture prefix with sim/ testbenches to find the block",
        what, at, static_cast<int>(top_->busy), static_cast<int>(top_->m_axis_quote_tvalid),
        cycles_));
  }

  std::uint32_t read32(std::uint32_t addr) override {
    top_->s_axil_araddr = addr;
    top_->s_axil_arvalid = 1;
    const std::uint64_t limit = cycles_ + kAxiCycles;
    for (;;) {
      const Handshakes h = cycle();
      if (h.ar) top_->s_axil_arvalid = 0;
      if (h.r) break;
      if (cycles_ > limit) {
        top_->s_axil_arvalid = 0;
        throw std::runtime_error(fmt::format(
            "verilator backend: no AXI4-Lite read response from 0x{:05x} within {} cycles", addr,
            kAxiCycles));
      }
    }
    return rdata_;
  }

  void write32(std::uint32_t addr, std::uint32_t value) override {
    top_->s_axil_awaddr = addr;
    top_->s_axil_wdata = value;
    top_->s_axil_awvalid = 1;
    top_->s_axil_wvalid = 1;
    const std::uint64_t limit = cycles_ + kAxiCycles;
    for (;;) {
      const Handshakes h = cycle();
      if (h.aw) top_->s_axil_awvalid = 0;
      if (h.w) top_->s_axil_wvalid = 0;
      if (h.b) break;  // a refusal shows in ERROR, which CardProgram checks
      if (cycles_ > limit) {
        top_->s_axil_awvalid = 0;
        top_->s_axil_wvalid = 0;
        throw std::runtime_error(fmt::format(
            "verilator backend: no AXI4-Lite write response from 0x{:05x} within {} cycles", addr,
            kAxiCycles));
      }
    }
  }

  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Vttq_card> top_;
  CardProgram card_;
  std::vector<QuoteRecord> records_;  // taken from m_axis_quote, not yet collected
  std::size_t head_ = 0;
  std::uint64_t cycles_ = 0;
  std::uint64_t bytes_ = 0;
  std::uint32_t rdata_ = 0;
  PipelineCounters c_;
};

}  // namespace

std::unique_ptr<Driver> make_verilator_driver(const PipelineConfig& cfg, std::string& error) {
  auto d = std::make_unique<VerilatorDriver>(cfg);
  if (!d->start(error)) return nullptr;
  return d;
}

}  // namespace ttq
