// XRT backend: the RTL kernel on an Alveo-class card in look-aside mode. Start-up opens the
// device, loads the xclbin named in [card], checks the ID / VERSION / BUILD_HASH block at offset 0
// of the register map (card_regs.hpp) before any write, programs the line table, arbiter window
// and per-slot registers and commits them (drivers/card_program.hpp, shared with the verilator
// backend); frames go to the card and quote records come back through buffer objects moved by
// the data-mover kernels (docs/card.md). Every failure is one message saying what to check.
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

#include "card_program.hpp"
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

// The register map through the kernel's AXI4-Lite slave (user-managed IP).
class XrtRegisterBus final : public RegisterBus {
 public:
  explicit XrtRegisterBus(xrt::ip& ip) : ip_(ip) {}
  std::uint32_t read32(std::uint32_t addr) override { return ip_.read_register(addr); }
  void write32(std::uint32_t addr, std::uint32_t value) override {
    ip_.write_register(addr, value);
  }

 private:
  xrt::ip& ip_;
};

CardLabels xrt_labels(const PipelineConfig& cfg) {
  return CardLabels{"xrt backend", fmt::format("kernel '{}'", cfg.card.kernel),
                    "check [card] xclbin and kernel",
                    "rebuild the xclbin from this tree (hw/syn) or use the matching ttq",
                    "the xclbin was built from another map"};
}

class XrtDriver final : public Driver {
 public:
  XrtDriver(const PipelineConfig& cfg, xrt::device dev, xrt::uuid uuid, xrt::ip ip,
            xrt::kernel mm2s, xrt::kernel s2mm)
      : dev_(std::move(dev)),
        uuid_(std::move(uuid)),
        ip_(std::move(ip)),
        mm2s_(std::move(mm2s)),
        s2mm_(std::move(s2mm)),
        bus_(ip_),
        card_(cfg, bus_, xrt_labels(cfg)),
        frames_bo_(dev_, kFrameBoBytes, xrt::bo::flags::normal, mm2s_.group_id(0)),
        quotes_bo_(dev_, kQuoteBoRecords * sizeof(QuoteRecord), xrt::bo::flags::normal,
                   s2mm_.group_id(0)),
        count_bo_(dev_, 64, xrt::bo::flags::normal, s2mm_.group_id(2)),
        frames_(frames_bo_.map<std::uint8_t*>()),
        quotes_(quotes_bo_.map<QuoteRecord*>()),
        count_(count_bo_.map<std::uint32_t*>()) {}

  std::string_view name() const override { return "xrt"; }

  // ID / VERSION / BUILD_HASH before any write, then the line table, arbiter window and every
  // configured instrument's slot, committed (drivers/card_program.hpp); false + why.
  bool check_identity(std::string& error) { return card_.check_identity(error); }
  bool program(std::string& error) { return card_.program(error); }

  void submit(std::span<const Frame> frames) override {
    card_.invalidate_tops();  // the batch publishes: top_of_book reads the card again
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

  // End of input: the card releases the packets its A/B arbiter holds (CONTROL.FLUSH); their
  // records come back through collect().
  void finish() override {
    card_.invalidate_tops();  // the flush releases held packets, which publish
    card_.flush();
  }

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

  void set_kill(bool on) override { card_.set_kill(on); }

  void set_skew(std::int32_t id, const SkewRegs& s) override { (void)card_.set_skew(id, s); }

  const char* set_params(std::int32_t id, const QuoterParams& p) override {
    return card_.set_params(id, p);
  }

  const PipelineCounters& counters() override {
    card_.read_counters(c_);
    return c_;
  }

  // The card's published top (TOP_* registers), read once per slot per batch after the card is
  // idle (drivers/card_program.hpp): the risk gate's reference, as the sw backend's
  // Instrument::last_top.
  bool top_of_book(std::int32_t id, PublishedTop& out) override {
    return card_.top_of_book(id, out);
  }

  bool instrument_info(std::int32_t id, InstrumentInfo& out) override {
    return card_.instrument_info(id, out);
  }

 private:
  void flush_frames(std::size_t bytes) {
    if (bytes == 0) return;
    frames_bo_.sync(XCL_BO_SYNC_BO_TO_DEVICE, bytes, 0);
    auto run = mm2s_(frames_bo_, static_cast<std::uint32_t>(bytes));
    run.wait();
  }

  xrt::device dev_;
  xrt::uuid uuid_;
  xrt::ip ip_;
  xrt::kernel mm2s_, s2mm_;
  XrtRegisterBus bus_;
  CardProgram card_;
  xrt::bo frames_bo_, quotes_bo_, count_bo_;
  std::uint8_t* frames_;
  QuoteRecord* quotes_;
  std::uint32_t* count_;
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
