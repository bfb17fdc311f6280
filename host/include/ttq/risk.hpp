// Pre-trade risk gate: every order intent the host derives from a quote record passes here
// before it reaches a Venue. Integer only, allocation-free after construction, no exceptions.
// docs/risk.md gives every rule, its exact formula and its counter name.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace ttq {

enum class Side : std::uint8_t { kBuy = 0, kSell = 1 };

// kActive: normal. kReducing: only intents that shrink |position|. kHalted: no New/Replace.
enum class KillState : std::uint8_t { kActive = 0, kReducing = 1, kHalted = 2 };

struct OrderIntent {
  enum class Kind : std::uint8_t { kNew, kReplace, kCancel };
  Kind kind;
  std::uint64_t order_id;  // New: fresh id; Replace/Cancel: id of the working order
  std::int32_t security_id;
  std::uint16_t slot;
  std::uint8_t level;
  Side side;
  std::int64_t px;      // PRICE9 mantissa (may be negative: spreads)
  std::int32_t qty;     // lots; New/Replace: must be in 1..max_order_qty
  std::uint64_t ts_ns;  // host time of the decision; drives the token buckets
};

// Rejection reasons. Enumerator order is not the check order; docs/risk.md gives that.
enum class RiskReject : std::uint8_t {
  kMaxOrderQty,
  kMaxNotional,
  kMaxPosition,
  kPriceCollar,
  kRateInstrument,
  kRateGlobal,
  kKillHalted,
  kKillReducing,
  kStaleFeed,
  kNoReference,
  kUnknownInstrument,  // slot out of range, not configured, or security_id mismatch
  kCount
};
inline constexpr std::size_t kRiskRejectCount = static_cast<std::size_t>(RiskReject::kCount);

const char* to_string(RiskReject r);         // "max_order_qty", "max_notional", ...
const char* to_string(Side s);               // "buy", "sell"
const char* to_string(KillState k);          // "active", "reducing", "halted"
const char* to_string(OrderIntent::Kind k);  // "new", "replace", "cancel"

struct RiskLimits {
  std::int32_t max_order_qty = 100;  // lots per order (New/Replace qty in 1..max_order_qty)
  // |px| * qty * multiplier <= max_notional, as a PRICE9 mantissa (currency x 1e9).
  // Default: 50 million currency units (e.g. 100 ES lots at 5000.00 x 50 = 25 million fits).
  std::int64_t max_notional = 50'000'000LL * 1'000'000'000LL;
  std::int64_t max_position = 50;  // lots per instrument, worst case if same side all fills
  std::int32_t collar_ticks = 50;  // |px - ref| <= collar_ticks * tick (0 = off)
  std::int32_t collar_bps = 0;     // |px - ref| * 10000 <= collar_bps * |ref| (0 = off)
  std::int32_t rate_per_sec_instrument = 200;  // token bucket per instrument slot
  std::int32_t burst_instrument = 50;
  std::int32_t rate_per_sec_global = 1000;  // token bucket over all instruments
  std::int32_t burst_global = 200;
};

// Checks ranges; returns nullptr when valid, else a message naming the bad field. The gate still
// works with invalid limits, literally and failing closed (e.g. burst 0 rejects every order).
const char* validate(const RiskLimits& l);

struct InstrumentRiskInfo {
  std::int32_t security_id = 0;
  std::int64_t tick = 0;        // PRICE9 mantissa of one tick, > 0
  std::int64_t multiplier = 1;  // currency per price unit per lot, 1..kMaxMultiplier
};
inline constexpr std::int64_t kMaxMultiplier = 0x7fffffff;  // keeps notional inside __int128

// Reference price for the collar: mid of the top of book, supplied by the caller.
struct MarketRef {
  std::int64_t ref_px = 0;  // PRICE9 mantissa
  bool has_ref = false;
  bool stale = false;
};

struct RiskCounters {
  std::uint64_t checked = 0;           // every call to check()
  std::uint64_t accepted = 0;          // New/Replace/Cancel accepted
  std::uint64_t accepted_cancels = 0;  // of which cancels (never blocked)
  std::uint64_t rejected_total = 0;
  std::array<std::uint64_t, kRiskRejectCount> rejected{};  // indexed by RiskReject
};

class RiskGate {
 public:
  RiskGate(const RiskLimits& limits, std::size_t max_slots);

  // Refuses (returns false, changes nothing) a slot out of range, tick <= 0 or a multiplier
  // outside 1..kMaxMultiplier. Keeps the slot's position and token bucket (a config reload must
  // not forget a position or hand out a fresh burst).
  bool set_instrument(std::uint16_t slot, const InstrumentRiskInfo& info);
  void set_kill(KillState k) { kill_ = k; }
  KillState kill() const { return kill_; }
  void set_position(std::uint16_t slot, std::int64_t pos);  // ignored for a slot out of range
  std::int64_t position(std::uint16_t slot) const;          // 0 for a slot out of range
  // The instrument registered at `slot` (operator API: positions by security_id); nullptr when
  // none is, or the slot is out of range.
  const InstrumentRiskInfo* instrument(std::uint16_t slot) const {
    return slot < slots_.size() && slots_[slot].configured ? &slots_[slot].info : nullptr;
  }

  // Returns std::nullopt (accepted) or the reason; counts rejections by reason and accepted
  // intents. Cancels are always accepted. `working_same_side_qty` is the lots still working on
  // the intent's side of the same instrument, excluding the order a Replace replaces.
  std::optional<RiskReject> check(const OrderIntent& intent, const MarketRef& ref,
                                  std::int64_t working_same_side_qty);

  const RiskCounters& counters() const { return counters_; }
  std::uint64_t accepted() const { return counters_.accepted; }
  std::uint64_t rejected(RiskReject r) const;
  std::uint64_t rejected_total() const { return counters_.rejected_total; }
  const RiskLimits& limits() const { return limits_; }
  std::size_t max_slots() const { return slots_.size(); }

 private:
  // Tokens in nanotokens (1 token = 1e9): refill = elapsed_ns * rate_per_sec, exactly.
  struct Bucket {
    std::uint64_t nanotokens = 0;
    std::uint64_t last_ns = 0;
  };
  struct Slot {
    InstrumentRiskInfo info;
    bool configured = false;
    std::int64_t position = 0;
    Bucket bucket;
  };

  std::optional<RiskReject> evaluate(const OrderIntent& intent, const MarketRef& ref,
                                     std::int64_t working_same_side_qty);

  RiskLimits limits_;
  KillState kill_ = KillState::kActive;
  std::vector<Slot> slots_;
  Bucket global_;
  std::uint64_t cap_instrument_ = 0;  // nanotokens
  std::uint64_t cap_global_ = 0;
  RiskCounters counters_;
};

}  // namespace ttq
