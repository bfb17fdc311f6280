// XRT backend: the RTL kernel on an Alveo-class card in look-aside mode. Start-up opens the
// device, loads the xclbin named in [card], checks the ID / VERSION / BUILD_HASH block at offset 0
// of the register map (card_regs.hpp) before any write, programs the per-slot registers and
// commits them; frames go to the card and quote records come back through buffer objects moved
// by the data-mover kernels (docs/card.md). Every failure is one message saying what to check.
#include <experimental/xrt_ip.h>
#include <sys/stat.h>
#include <xrt/xrt_bo.h>
#include <xrt/xrt_device.h>
#include <xrt/xrt_kernel.h>

#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <memory>
#include <string>
#include <vector>

#include "quoter_regs.hpp"
#include "ttq/card_regs.hpp"
#include "ttq/driver.hpp"

namespace ttq {

std::unique_ptr<Driver> make_xrt_driver(const PipelineConfig& cfg, std::string& error);

namespace {

// Frame buffer layout the mm2s mover streams into the core's frame input (docs/card.md):
// per frame a 16-byte header {u32 len, u32 wire_len, u64 ts_ns} then the bytes, padded to 64.
struct FrameHdr {
  std::uint32_t len;
  std::uint32_t wire_len;
  std::uint64_t ts_ns;
};
static_assert(sizeof(FrameHdr) == 16);
constexpr std::size_t kFrameAlign = 64;
constexpr std::size_t kFrameBoBytes = 32 * (16384 + kFrameAlign);  // one burst of jumbo frames
constexpr std::size_t kQuoteBoRecords = 4096;

// XRT's exceptions, turned into what an operator should check.
std::string explain_open_error(const std::string& what, std::uint32_t device) {
  if (what.find("XILINX_XRT") != std::string::npos) {
    return "xrt backend: the XRT runtime is not set up (XILINX_XRT is not set): install Xilinx "
           "XRT with the card's platform and run `source /opt/xilinx/xrt/setup.sh`; no card can "
           "be opened without it";
  }
  if (what.find("No such library") != std::string::npos ||
      what.find("libxrt_core") != std::string::npos) {
    return fmt::format("xrt backend: the XRT core library (libxrt_core) cannot be loaded ({}): "
                       "install Xilinx XRT for the card (Debian's libxrt-dev alone has no card "
                       "runtime) and source /opt/xilinx/xrt/setup.sh",
                       what);
  }
  if (what.find("Could not open device") != std::string::npos ||
      what.find("No devices found") != std::string::npos) {
    return fmt::format("xrt backend: no card at XRT device index {} ({}): check that the card "
                       "is installed, its xocl/xclmgmt drivers are loaded and `xbutil examine` "
                       "lists it; [card] device selects another index",
                       device, what);
  }
  return fmt::format("xrt backend: cannot open XRT device {}: {}", device, what);
}

std::uint64_t read64(const xrt::ip& ip, std::uint32_t lo) {
  const std::uint64_t l = ip.read_register(lo);  // reading LO snapshots HI
  const std::uint64_t h = ip.read_register(lo + 4);
  return (h << 32) | l;
}

class XrtDriver final : public Driver {
 public:
  XrtDriver(const PipelineConfig& cfg, xrt::device dev, xrt::uuid uuid, xrt::ip ip,
            xrt::kernel mm2s, xrt::kernel s2mm)
      : cfg_(cfg),
        dev_(std::move(dev)),
        uuid_(std::move(uuid)),
        ip_(std::move(ip)),
        mm2s_(std::move(mm2s)),
        s2mm_(std::move(s2mm)),
        frames_bo_(dev_, kFrameBoBytes, xrt::bo::flags::normal, mm2s_.group_id(0)),
        quotes_bo_(dev_, kQuoteBoRecords * sizeof(QuoteRecord), xrt::bo::flags::normal,
                   s2mm_.group_id(0)),
        count_bo_(dev_, 64, xrt::bo::flags::normal, s2mm_.group_id(2)),
        frames_(frames_bo_.map<std::uint8_t*>()),
        quotes_(quotes_bo_.map<QuoteRecord*>()),
        count_(count_bo_.map<std::uint32_t*>()) {}

  std::string_view name() const override { return "xrt"; }

  // Programs every configured instrument's slot and commits it; false + why on a refusal.
  bool program(std::string& error) {
    std::uint32_t slot = 0;
    for (const InstrumentConfig& ic : cfg_.instruments) {
      if (ic.security_id == 0 || ic.tick == 0) continue;  // the card's slot table needs both
      if (slot >= n_instr_) {
        error = fmt::format("xrt backend: the card has {} instrument slots (CAPS0.N_INSTR); the "
                            "config lists more quoted instruments",
                            n_instr_);
        return false;
      }
      slots_.push_back(ic.security_id);
      if (const char* bad = write_slot(slot, ic.security_id, ic.tick, cfg_.quoter, ic.skew)) {
        error = fmt::format("xrt backend: slot {} (security_id {}): {}", slot, ic.security_id,
                            bad);
        return false;
      }
      ++slot;
    }
    return true;
  }

  bool check_identity(std::string& error) {
    const std::uint32_t id = ip_.read_register(card::reg::kId);
    const std::uint32_t ver = ip_.read_register(card::reg::kVersion);
    const std::uint64_t hash = read64(ip_, card::reg::kBuildHashLo);
    if (id != card::kId) {
      error = fmt::format("xrt backend: kernel '{}' is not a ttq card (ID register 0x{:08x}, "
                          "expected 0x{:08x} \"TTQ1\"): check [card] xclbin and kernel",
                          cfg_.card.kernel, id, card::kId);
      return false;
    }
    if (card::field::kVersionMajor.get(ver) != card::kVersionMajor ||
        card::field::kVersionMinor.get(ver) < card::kVersionMinor) {
      error = fmt::format("xrt backend: the card's register map is version {}.{}.{}, this ttq "
                          "drives {}.{}.x: rebuild the xclbin from this tree (hw/syn) or use "
                          "the matching ttq",
                          card::field::kVersionMajor.get(ver), card::field::kVersionMinor.get(ver),
                          card::field::kVersionPatch.get(ver), card::kVersionMajor,
                          card::kVersionMinor);
      return false;
    }
    if (hash != card::kBuildHash) {
      error = fmt::format("xrt backend: the card's BUILD_HASH {:016x} differs from this ttq's "
                          "register map {:016x}: the xclbin was built from another map",
                          hash, card::kBuildHash);
      return false;
    }
    const std::uint32_t caps0 = ip_.read_register(card::reg::kCaps0);
    n_instr_ = card::field::kCaps0NInstr.get(caps0);
    depth_ = card::field::kCaps0Depth.get(caps0);
    return true;
  }

  void submit(std::span<const Frame> frames) override {
    std::size_t off = 0;
    for (const Frame& f : frames) {
      const std::size_t need = sizeof(FrameHdr) + f.len;
      if (off + need > kFrameBoBytes) {
        flush_frames(off);
        off = 0;
      }
      const FrameHdr h{f.len, f.wire_len, f.ts_ns};
      std::memcpy(frames_ + off, &h, sizeof h);
      std::memcpy(frames_ + off + sizeof h, f.data, f.len);
      off += (need + kFrameAlign - 1) / kFrameAlign * kFrameAlign;
    }
    flush_frames(off);
  }

  void finish() override {}

  std::size_t collect(std::span<QuoteRecord> out) override {
    const std::size_t max = std::min(out.size(), kQuoteBoRecords);
    if (max == 0) return 0;
    auto run = s2mm_(quotes_bo_, static_cast<std::uint32_t>(max), count_bo_);
    run.wait();
    count_bo_.sync(XCL_BO_SYNC_BO_FROM_DEVICE);
    const std::size_t n = std::min<std::size_t>(*count_, max);
    if (n == 0) return 0;
    quotes_bo_.sync(XCL_BO_SYNC_BO_FROM_DEVICE, n * sizeof(QuoteRecord), 0);
    std::memcpy(out.data(), quotes_, n * sizeof(QuoteRecord));
    return n;
  }

  void set_kill(bool on) override {
    const std::uint32_t c = ip_.read_register(card::reg::kControl);
    ip_.write_register(card::reg::kControl, (c & ~card::field::kControlKill.mask()) |
                                                card::field::kControlKill.put(on ? 1u : 0u));
  }

  void set_skew(std::int32_t id, const SkewRegs& s) override {
    for (std::uint32_t slot = 0; slot < slots_.size(); ++slot) {
      if (slots_[slot] != id) continue;
      ip_.write_register(card::slot::addr(slot, card::slot::kSkewShiftTicks),
                         static_cast<std::uint32_t>(s.shift_ticks));
      ip_.write_register(card::slot::addr(slot, card::slot::kSizeAdj),
                         static_cast<std::uint32_t>(s.size_adj));
      (void)commit(slot);
    }
  }

  const char* set_params(std::int32_t id, const QuoterParams& p) override {
    if (const char* bad = validate(p)) return bad;
    if (p.levels > 1) return "levels: the card computes one level (levels = 1)";
    for (std::uint32_t slot = 0; slot < slots_.size(); ++slot) {
      if (id != 0 && slots_[slot] != id) continue;
      const InstrumentConfig* ic = config_of(slots_[slot]);
      if (const char* bad =
              write_slot(slot, slots_[slot], ic ? ic->tick : 0, p, ic ? ic->skew : SkewRegs{})) {
        return bad;
      }
    }
    return nullptr;
  }

  const PipelineCounters& counters() override {
    using card::Counter;
    auto rd = [&](Counter c) { return read64(ip_, card::counter_lo(c)); };
    c_.frames = rd(Counter::kFrames);
    for (unsigned i = card::kCounterDropFirst; i < card::kCounterDropEnd; ++i) {
      c_.frame_drops[i - card::kCounterDropFirst] = rd(static_cast<Counter>(i));
    }
    c_.packets = rd(Counter::kPackets);
    c_.malformed[0] = rd(Counter::kMalformed);
    c_.arb.duplicates = rd(Counter::kDuplicates);
    c_.arb.gaps = rd(Counter::kGaps);
    c_.arb.lost = rd(Counter::kLost);
    c_.stale_events = rd(Counter::kStaleEvents);
    c_.quotes = rd(Counter::kQuotes);
    c_.quote_overflow = rd(Counter::kQuoteOverflow);
    c_.book_entries = rd(Counter::kBookEntries);
    return c_;
  }

  // The register map has no book read-back: the risk gate's collar gets no reference from the
  // card (docs/card.md lists this as open).
  bool top_of_book(std::int32_t, PublishedTop&) override { return false; }

  bool instrument_info(std::int32_t id, InstrumentInfo& out) override {
    const InstrumentConfig* ic = config_of(id);
    if (!ic) return false;
    out = InstrumentInfo{ic->tick, ic->multiplier, ic->position};
    return true;
  }

 private:
  const InstrumentConfig* config_of(std::int32_t id) const {
    for (const InstrumentConfig& ic : cfg_.instruments) {
      if (ic.security_id == id) return &ic;
    }
    return nullptr;
  }

  void flush_frames(std::size_t bytes) {
    if (bytes == 0) return;
    frames_bo_.sync(XCL_BO_SYNC_BO_TO_DEVICE, bytes, 0);
    auto run = mm2s_(frames_bo_, static_cast<std::uint32_t>(bytes));
    run.wait();
  }

  void w64(std::uint32_t addr, std::uint64_t v) {
    ip_.write_register(addr, static_cast<std::uint32_t>(v));
    ip_.write_register(addr + 4, static_cast<std::uint32_t>(v >> 32));
  }

  const char* commit(std::uint32_t slot) {
    ip_.write_register(card::slot::addr(slot, card::slot::kCommit), 1);
    const std::uint32_t st = ip_.read_register(card::reg::kCommitStatus);
    if (card::field::kCommitStatusSlot.get(st) != slot) return "commit not acknowledged by the card";
    if (card::field::kCommitStatusResult.get(st) != 0) {
      return "the card refused the commit (COMMIT_STATUS.RESULT != 0; docs/registers.md)";
    }
    return nullptr;
  }

  const char* write_slot(std::uint32_t slot, std::int32_t id, std::int64_t tick,
                         const QuoterParams& p, const SkewRegs& skew) {
    const auto r = sim::quoter_card_regs(tick, p.max_spread_ticks);
    if (!r.valid) return "tick or max_spread_ticks outside the card's range";
    using namespace card::slot;
    auto a = [slot](std::uint32_t off) { return addr(slot, off); };
    ip_.write_register(a(kSecurityId), static_cast<std::uint32_t>(id));
    ip_.write_register(a(kValid), 1);
    w64(a(kTick), r.tick);
    ip_.write_register(a(kRecipSh), r.recip_sh);
    ip_.write_register(a(kRecip), r.recip);
    w64(a(kDLim), r.d_lim);
    ip_.write_register(a(kRefMode), p.ref_mode == RefMode::kMid ? 1u : 0u);
    ip_.write_register(a(kBidOffsetTicks), static_cast<std::uint32_t>(p.bid_offset_ticks));
    ip_.write_register(a(kAskOffsetTicks), static_cast<std::uint32_t>(p.ask_offset_ticks));
    ip_.write_register(a(kMinSpreadTicks), static_cast<std::uint32_t>(p.min_spread_ticks));
    ip_.write_register(a(kMaxSpreadTicks), static_cast<std::uint32_t>(p.max_spread_ticks));
    ip_.write_register(a(kOrderSize), static_cast<std::uint32_t>(p.order_size));
    w64(a(kPriceFloor), static_cast<std::uint64_t>(p.price_floor));
    w64(a(kPriceCeiling), static_cast<std::uint64_t>(p.price_ceiling));
    ip_.write_register(a(kRequoteToleranceTicks),
                       static_cast<std::uint32_t>(p.requote_tolerance_ticks));
    ip_.write_register(a(kSkewShiftTicks), static_cast<std::uint32_t>(skew.shift_ticks));
    ip_.write_register(a(kSizeAdj), static_cast<std::uint32_t>(skew.size_adj));
    return commit(slot);
  }

  PipelineConfig cfg_;
  xrt::device dev_;
  xrt::uuid uuid_;
  xrt::ip ip_;
  xrt::kernel mm2s_, s2mm_;
  xrt::bo frames_bo_, quotes_bo_, count_bo_;
  std::uint8_t* frames_;
  QuoteRecord* quotes_;
  std::uint32_t* count_;
  std::vector<std::int32_t> slots_;  // slot -> security_id
  std::uint32_t n_instr_ = 0, depth_ = 0;
  PipelineCounters c_;
};

}  // namespace

std::unique_ptr<Driver> make_xrt_driver(const PipelineConfig& cfg, std::string& error) {
  const CardConfig& cc = cfg.card;
  // XRT reads XILINX_XRT to find its core library; checking it first gives the answer at once.
  const char* xrt_home = std::getenv("XILINX_XRT");
  if (xrt_home == nullptr || *xrt_home == '\0') {
    error = explain_open_error("XILINX_XRT not set", cc.device);
    return nullptr;
  }
  xrt::device dev;
  try {
    dev = xrt::device(cc.device);
  } catch (const std::exception& e) {
    error = explain_open_error(e.what(), cc.device);
    return nullptr;
  }
  if (cc.xclbin.empty()) {
    error = "xrt backend: no xclbin configured: set [card] xclbin = \"/path/to/ttq.xclbin\" in "
            "ttq.toml (docs/card.md: building it with hw/syn)";
    return nullptr;
  }
  struct stat st{};
  if (::stat(cc.xclbin.c_str(), &st) != 0) {
    error = fmt::format("xrt backend: [card] xclbin '{}' does not exist", cc.xclbin);
    return nullptr;
  }
  try {
    xrt::uuid uuid = dev.load_xclbin(cc.xclbin);
    xrt::ip ip;
    try {
      ip = xrt::ip(dev, uuid, cc.kernel);
    } catch (const std::exception& e) {
      error = fmt::format("xrt backend: xclbin '{}' has no kernel '{}' ({}): check [card] kernel",
                          cc.xclbin, cc.kernel, e.what());
      return nullptr;
    }
    xrt::kernel mm2s, s2mm;
    try {
      mm2s = xrt::kernel(dev, uuid, "ttq_mm2s");
      s2mm = xrt::kernel(dev, uuid, "ttq_s2mm");
    } catch (const std::exception& e) {
      error = fmt::format("xrt backend: xclbin '{}' lacks the data movers ttq_mm2s/ttq_s2mm ({}): "
                          "package it with hw/syn (docs/card.md)",
                          cc.xclbin, e.what());
      return nullptr;
    }
    auto d = std::make_unique<XrtDriver>(cfg, dev, uuid, ip, mm2s, s2mm);
    if (!d->check_identity(error)) return nullptr;
    if (!d->program(error)) return nullptr;
    d->set_kill(false);
    return d;
  } catch (const std::exception& e) {
    error = fmt::format("xrt backend: loading '{}' on device {} failed: {}", cc.xclbin, cc.device,
                        e.what());
    return nullptr;
  }
}

}  // namespace ttq
