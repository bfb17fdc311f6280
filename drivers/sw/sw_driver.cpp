// Software backend: the fast-path model running in the host process. The default everywhere and
// the reference the other backends are compared against.
#include <memory>

#include "ttq/driver.hpp"

namespace ttq {

namespace {

class SwDriver final : public Driver {
 public:
  explicit SwDriver(const PipelineConfig& cfg) : fp_(cfg) {}
  std::string_view name() const override { return "sw"; }
  void submit(std::span<const Frame> frames) override {
    for (const Frame& f : frames) fp_.process(f);
  }
  void finish() override { fp_.finish(); }
  std::size_t collect(std::span<QuoteRecord> out) override { return fp_.collect(out); }
  void set_kill(bool on) override { fp_.set_kill(on); }
  void set_skew(std::int32_t id, const SkewRegs& s) override { fp_.set_skew(id, s); }
  const char* set_params(std::int32_t id, const QuoterParams& p) override {
    return fp_.set_params(id, p);
  }
  const PipelineCounters& counters() override { return fp_.counters(); }
  bool top_of_book(std::int32_t id, PublishedTop& out) override {
    const Instrument* in = fp_.find(id);
    if (!in) return false;
    out = in->last_top;
    return true;
  }
  bool instrument_info(std::int32_t id, InstrumentInfo& out) override {
    const Instrument* in = fp_.find(id);
    if (!in) return false;
    out = InstrumentInfo{in->tick, in->multiplier, in->start_position};
    return true;
  }

 private:
  FastPath fp_;
};

}  // namespace

#ifdef TTQ_WITH_XRT
std::unique_ptr<Driver> make_xrt_driver(const PipelineConfig& cfg, std::string& error);
#endif
#ifdef TTQ_WITH_VERILATOR
std::unique_ptr<Driver> make_verilator_driver(const PipelineConfig& cfg, std::string& error);
#endif

std::unique_ptr<Driver> make_driver(std::string_view backend, const PipelineConfig& cfg,
                                    std::string& error) {
  if (backend == "sw") return std::make_unique<SwDriver>(cfg);
#ifdef TTQ_WITH_XRT
  if (backend == "xrt") return make_xrt_driver(cfg, error);  // drivers/xrt
#endif
#ifdef TTQ_WITH_VERILATOR
  if (backend == "verilator") return make_verilator_driver(cfg, error);  // drivers/verilator
#endif
  if (backend == "verilator" || backend == "xrt") {
    error = "backend '" + std::string(backend) + "' is not built into this ttq yet (only 'sw')";
    return nullptr;
  }
  error = "unknown backend '" + std::string(backend) + "' (choose sw, verilator or xrt)";
  return nullptr;
}

}  // namespace ttq
