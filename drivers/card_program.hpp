// The host's side of the card's register map (docs/registers.md), shared by the backends that
// drive the RTL (xrt: a real card; verilator: the Verilated ttq_core): identity check, feed-line
// table, arbiter window, slot table from the config in card mode, commits, kill, flush, parameter
// and skew rewrites and the counters, all over a 32-bit register bus (read32 / write32).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ttq/driver.hpp"
#include "ttq/fast_path.hpp"

namespace ttq {

// One 32-bit AXI4-Lite word access at a byte address of the card's register map.
class RegisterBus {
 public:
  virtual ~RegisterBus() = default;
  virtual std::uint32_t read32(std::uint32_t addr) = 0;
  virtual void write32(std::uint32_t addr, std::uint32_t value) = 0;
};

// How the messages name the backend and the device, and what the operator should do when the
// identity block is wrong.
struct CardLabels {
  std::string backend;      // "xrt backend"
  std::string device;       // "kernel 'ttq_kernel'"
  std::string fix_id;       // "check [card] xclbin and kernel"
  std::string fix_version;  // "rebuild the xclbin from this tree (hw/syn) or use the matching ttq"
  std::string fix_hash;     // "the xclbin was built from another map"
};

// The card's A/B arbiter holds at most this many packets per channel (ttq_core instantiates
// ttq_arbiter with RING = 8); a larger window would act as 8 there and as itself in the model.
inline constexpr std::uint32_t kCardMaxReorderWindow = 8;

class CardProgram {
 public:
  CardProgram(const PipelineConfig& cfg, RegisterBus& bus, CardLabels labels);
  CardProgram(const CardProgram&) = delete;  // slots point into cfg_
  CardProgram& operator=(const CardProgram&) = delete;

  // ID, VERSION, BUILD_HASH, then CAPS. Before any write; false + why on a mismatch.
  bool check_identity(std::string& error);
  // Checks that the config fits the card (card mode: docs/card.md; feed.commit = "cut_through"
  // needs CAPS1.CUT_THROUGH), then writes MODE from feed.commit (with a CONTROL.SOFT_RESET when
  // the mode in force differs, STATUS.CUT_THROUGH checked after it), ARB_WINDOW, the line table,
  // every configured instrument's slot (committed, COMMIT_STATUS checked) and checks the ERROR
  // register. KILL is left as it is (the caller clears it last; a soft reset keeps it).
  bool program(std::string& error);

  void set_kill(bool on);
  bool killed() const { return kill_; }
  // End of input (Driver::finish): CONTROL.FLUSH releases every packet the A/B arbiter holds.
  void flush();
  // STATUS.BUSY: frames or packets still in flight in the core.
  bool busy();
  // Polls STATUS.BUSY until it reads 0, at most 10,000 reads: false if the card stays busy.
  bool wait_idle();

  // Slot rewrites + COMMIT. nullptr on success, else why (nothing is written on a refusal the
  // host can see; a commit the card refuses leaves the slot's old configuration in use).
  const char* set_skew(std::int32_t security_id, const SkewRegs& s);
  const char* set_params(std::int32_t security_id, const QuoterParams& p);

  // The card's counters (LO then HI) into the model's fields of the same meaning; fields the
  // card does not have are left as they are (docs/card.md lists them).
  void read_counters(PipelineCounters& c);
  // OVERSIZE_PACKETS as of the last read_counters() (also PipelineCounters::oversize_packets):
  // payloads with more events than the card's packet store holds; a packet that reaches the
  // arbiter so is dropped whole (in MALFORMED), as the model does with feed.max_packet_events.
  std::uint64_t oversize_packets() const { return oversize_packets_; }

  // Driver::top_of_book for a card: the slot's published top (TOP_* registers, FastPath's
  // Instrument::last_top), false for an id with no slot. Read from the card once per slot and
  // cached until invalidate_tops(), which the backend calls whenever the card may publish
  // (submit, finish): the host asks once per quote record and gets the state after the whole
  // batch, as from the sw backend. The first read after an invalidation waits (a bounded number
  // of STATUS polls) for the core to be idle, so that a card still working on the batch answers
  // with its end state.
  bool top_of_book(std::int32_t security_id, PublishedTop& out);
  void invalidate_tops() { ++top_gen_; }
  // CONTROL.SOFT_RESET (KILL kept): the pipeline restarts from empty books, the counters clear,
  // the configuration stays (docs/registers.md). Call with the core idle (STATUS.BUSY 0) and
  // the quote records drained: records still in the output queue are lost. The slots are not
  // committed again: each slot's last sent quote is forgotten (FastPath::soft_reset, not a
  // FastPath built afresh, is the model of the card after it).
  void soft_reset();
  // One slot's TOP_* entry, read now (TOP_FLAGS first: it latches the other words).
  PublishedTop read_top(std::uint32_t slot);

  const InstrumentConfig* config_of(std::int32_t security_id) const;
  bool instrument_info(std::int32_t security_id, Driver::InstrumentInfo& out) const;

  std::uint32_t n_instr() const { return n_instr_; }
  std::uint32_t depth() const { return depth_; }
  std::uint32_t n_lines() const { return n_lines_; }
  std::uint32_t n_ch() const { return n_ch_; }

 private:
  struct Slot {
    std::int32_t security_id = 0;
    std::int64_t tick = 0;  // PRICE9: the instrument's tick, or feed.default_tick
    const InstrumentConfig* ic = nullptr;
    QuoterParams params;
    SkewRegs skew;
  };

  std::uint64_t read64(std::uint32_t lo);
  void write64(std::uint32_t lo, std::uint64_t v);
  const char* write_slot(std::uint32_t slot);
  const char* write_params(std::uint32_t slot);
  const char* commit(std::uint32_t slot);
  bool check_fits(std::string& error);
  bool check_errors(const char* what, std::string& error);
  std::string msg(const std::string& text) const { return labels_.backend + ": " + text; }

  PipelineConfig cfg_;
  RegisterBus& bus_;
  CardLabels labels_;
  std::vector<Slot> slots_;  // slot i = the i-th configured instrument with a security_id
  std::uint32_t n_instr_ = 0, depth_ = 0, n_lines_ = 0, n_ch_ = 0;
  std::uint64_t oversize_packets_ = 0;
  bool kill_ = false;
  bool ct_built_ = false;  // CAPS1.CUT_THROUGH (check_identity)
  // Published-top cache: slot i is valid while top_gen_of_[i] == top_gen_ (never 0).
  std::vector<PublishedTop> tops_;
  std::vector<std::uint64_t> top_gen_of_;
  std::uint64_t top_gen_ = 1;
  std::uint64_t idle_gen_ = 0;  // the generation whose first read waited for idle
};

}  // namespace ttq
