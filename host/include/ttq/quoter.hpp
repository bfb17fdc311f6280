// Quoter: turns a consolidated top of book into quote prices and sizes with integer arithmetic
// only. This is the exact specification of the card's quoter; docs/quoting.md gives the formulas.
#pragma once

#include <cstdint>
#include <limits>
#include <span>

namespace ttq {

enum class RefMode : std::uint8_t { kJoin = 0, kMid = 1 };

// Per-instrument quoting parameters (card: per-slot registers).
struct QuoterParams {
  RefMode ref_mode = RefMode::kJoin;
  std::int32_t bid_offset_ticks = 0;        // ticks behind the reference (>= 0 widens)
  std::int32_t ask_offset_ticks = 0;
  std::int32_t min_spread_ticks = 1;        // level-0 ask - bid, in ticks, at least this
  std::int32_t max_spread_ticks = 1000;     // market spread above this: no quote (<= 65535)
  std::uint8_t levels = 1;                  // order levels per side, 1..kMaxLevels
  std::int32_t level_spacing_ticks = 1;     // extra ticks per level away from level 0 (>= 1)
  std::int32_t order_size = 1;              // lots at level 0
  std::int32_t size_step = 0;               // extra lots per level
  std::int32_t requote_tolerance_ticks = 1; // requote when a price moves by at least this
  std::int64_t price_floor = std::numeric_limits<std::int64_t>::min();   // no ask below (PRICE9)
  std::int64_t price_ceiling = std::numeric_limits<std::int64_t>::max(); // no bid above (PRICE9)
};
inline constexpr std::uint8_t kMaxLevels = 8;
inline constexpr std::int32_t kMaxSpreadTicksLimit = 65535;

// Inventory skew registers the host writes (computed from the position by compute_skew).
struct SkewRegs {
  std::int32_t shift_ticks = 0;  // both sides move down by this many ticks (long => positive)
  std::int32_t size_adj = 0;     // bid size -= size_adj, ask size += size_adj (long => positive)
};

// Host-side inventory skew settings (strategy loop / config), turned into SkewRegs.
struct SkewParams {
  std::int32_t price_skew_q8 = 0;    // ticks per lot of position, Q8 fixed point (256 = 1 tick)
  std::int32_t size_skew_q8 = 0;     // lots per lot of excess position, Q8 fixed point
  std::int64_t target_position = 0;  // lots
};
SkewRegs compute_skew(std::int64_t position, const SkewParams& p);

// Consolidated top of book as the quoter sees it.
struct TopOfBook {
  std::int64_t bid_px = 0;  // PRICE9 mantissa
  std::int64_t ask_px = 0;
  std::int32_t bid_sz = 0;  // 0 = side empty
  std::int32_t ask_sz = 0;
  friend bool operator==(const TopOfBook&, const TopOfBook&) = default;
};

// One level of a quote: prices in PRICE9, sizes in lots, flags as in QuoteFlag.
struct QuoteLevel {
  std::int64_t bid_px = 0;
  std::int64_t ask_px = 0;
  std::int32_t bid_sz = 0;
  std::int32_t ask_sz = 0;
  std::uint8_t flags = 0;
  friend bool operator==(const QuoteLevel&, const QuoteLevel&) = default;
};

// Computes every level of the quote. `pull_flags` (kQuotePull* bits for stale/halt/kill) forces
// an empty quote carrying those flags. Writes p.levels entries of `out` (out.size() >= p.levels).
// Reads of `tob` only the two prices and whether each size is > 0, and nothing when pull_flags
// != 0: FastPath::requote skips the call when those (and the other arguments) repeat, so a new
// rule that reads more of the top must change that key too.
void compute_quotes(const TopOfBook& tob, std::int64_t tick, const QuoterParams& p,
                    const SkewRegs& skew, std::uint8_t pull_flags, std::span<QuoteLevel> out);

// Whether `next` must be sent given the last sent `prev` (requote tolerance rule).
bool needs_requote(const QuoteLevel& prev, const QuoteLevel& next, std::int64_t tick,
                   std::int32_t tolerance_ticks);

// Checks parameter ranges; returns nullptr when valid, else a message naming the bad field.
const char* validate(const QuoterParams& p);

}  // namespace ttq
