// The Driver seam: frames in, quote records out, parameters and kill in, counters out. Backends:
// "sw" (the C++ model in-process, drivers/sw), later "verilator" and "xrt". Commands pick a
// backend by name and never depend on which one runs.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "ttq/fast_path.hpp"
#include "ttq/net.hpp"
#include "ttq/quote.hpp"
#include "ttq/quoter.hpp"

namespace ttq {

class Driver {
 public:
  virtual ~Driver() = default;
  virtual std::string_view name() const = 0;

  // Processes frames in order (a batch, typically 32).
  virtual void submit(std::span<const Frame> frames) = 0;
  // End of input: packets held for reordering are released.
  virtual void finish() = 0;
  // Drains up to out.size() quote records, oldest first.
  virtual std::size_t collect(std::span<QuoteRecord> out) = 0;

  virtual void set_kill(bool on) = 0;
  virtual void set_skew(std::int32_t security_id, const SkewRegs& s) = 0;
  // Quoter parameters of one instrument, or of all (security_id 0); nullptr on success, else why
  // nothing changed (FastPath::set_params). A card backend writes the slot registers and commits.
  virtual const char* set_params(std::int32_t security_id, const QuoterParams& p) = 0;

  virtual const PipelineCounters& counters() = 0;
  // Current top of book of an instrument (host risk reference); false if unknown.
  virtual bool top_of_book(std::int32_t security_id, PublishedTop& out) = 0;
  // What the host needs to register an instrument with the risk gate: the tick (PRICE9) the fast
  // path uses, and the config's multiplier and starting position (matched by id or symbol).
  struct InstrumentInfo {
    std::int64_t tick = 0;
    std::int64_t multiplier = 1;
    std::int64_t position = 0;
  };
  virtual bool instrument_info(std::int32_t security_id, InstrumentInfo& out) = 0;
};

// Creates a backend by name ("sw"); nullptr with a message when it is unknown or unavailable.
std::unique_ptr<Driver> make_driver(std::string_view backend, const PipelineConfig& cfg,
                                    std::string& error);

}  // namespace ttq
