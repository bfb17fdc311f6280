// Quoter model: top of book + per-slot registers -> quote ladder, integer arithmetic only.
// The card's quoter stage is built from this file bit for bit (level 0); docs/quoting.md
// states the same rules as formulas with widths.
#include "ttq/quoter.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "ttq/quote.hpp"

namespace ttq {
namespace {

// __extension__: -Wpedantic rejects __int128, which GCC and Clang both provide on 64-bit hosts.
__extension__ typedef __int128 i128;

constexpr std::int64_t kMaxShiftTicks = std::int64_t{1} << 20;
constexpr std::int64_t kMaxSizeAdj = std::int64_t{1} << 30;
constexpr std::int64_t kI64Min = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kI64Max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kI32Max = std::numeric_limits<std::int32_t>::max();

// floor(x / 256): right shift of a signed value is arithmetic in C++20, i.e. rounds toward
// minus infinity, which is what the card's shifter does (a plain `/ 256` would round toward 0).
constexpr std::int64_t q8_floor_clamped(i128 product, std::int64_t limit) {
  const i128 v = product >> 8;
  return static_cast<std::int64_t>(std::clamp<i128>(v, -limit, limit));
}

constexpr bool fits_i64(i128 v) {
  return v >= kI64Min && v <= kI64Max;
}

constexpr std::int32_t clamp_size(std::int64_t s) {
  return static_cast<std::int32_t>(std::clamp<std::int64_t>(s, 0, kI32Max));
}

void fill(std::span<QuoteLevel> out, std::size_t count, std::uint8_t flags) {
  for (std::size_t i = 0; i < count; ++i) out[i] = QuoteLevel{0, 0, 0, 0, flags};
}

}  // namespace

SkewRegs compute_skew(std::int64_t position, const SkewParams& p) {
  // 64 x 32 bit products and the position difference can exceed int64: work in 128 bits.
  const i128 excess = i128{position} - i128{p.target_position};
  SkewRegs r;
  r.shift_ticks = static_cast<std::int32_t>(
      q8_floor_clamped(i128{position} * i128{p.price_skew_q8}, kMaxShiftTicks));
  r.size_adj =
      static_cast<std::int32_t>(q8_floor_clamped(excess * i128{p.size_skew_q8}, kMaxSizeAdj));
  return r;
}

void compute_quotes(const TopOfBook& tob, std::int64_t tick, const QuoterParams& p,
                    const SkewRegs& skew, std::uint8_t pull_flags, std::span<QuoteLevel> out) {
  // out.size() >= p.levels is the contract; a short span is written as far as it goes rather
  // than overrun.
  const std::size_t count = std::min<std::size_t>(p.levels, out.size());

  // Rule 1: stale / halt / kill pulls win over everything else.
  if (pull_flags != 0) {
    fill(out, count, pull_flags);
    return;
  }

  // Rules 2-3: need both sides, a positive spread of 1..max_spread_ticks whole ticks.
  // tick <= 0 is out of contract (validated upstream); pulling keeps the division defined.
  // d is taken in 128 bits because A - B can exceed int64 for extreme (garbage) prices.
  const i128 d = i128{tob.ask_px} - i128{tob.bid_px};
  const bool book_ok = tob.bid_sz > 0 && tob.ask_sz > 0 && d > 0 && tick > 0;
  // The same quotient in 64 bits whenever d fits (always, for real prices): a 128-bit division
  // is a libgcc call several times slower on the software hot path.
  const i128 n128 = !book_ok ? 0
                    : fits_i64(d) ? i128{static_cast<std::int64_t>(d) / tick}
                                  : d / tick;
  if (n128 == 0 || n128 > p.max_spread_ticks) {
    fill(out, count, kQuotePullBook);
    return;
  }
  const std::int64_t n = static_cast<std::int64_t>(n128);  // 1..max_spread_ticks

  // Rule 4: reference prices as ticks above the best bid.
  const bool mid = p.ref_mode == RefMode::kMid;
  const std::int64_t rb = mid ? (n >> 1) : 0;
  const std::int64_t ra = n - rb;

  // Rules 5-7 for level 0; every other level is level 0 plus its spacing, so the min-spread
  // widening and post-only shift are computed once and applied to the whole ladder.
  // All tick values are sums of a few int32 terms: int64 cannot overflow.
  std::int64_t bk0 = rb - p.bid_offset_ticks - skew.shift_ticks;
  std::int64_t ak0 = ra + p.ask_offset_ticks - skew.shift_ticks;
  const std::int64_t w = p.min_spread_ticks - (ak0 - bk0);
  if (w > 0) {
    bk0 -= (w + 1) >> 1;  // odd shortfall: the bid takes the extra tick
    ak0 += w >> 1;
  }
  bk0 -= std::max<std::int64_t>(0, bk0 - (n - 1));  // bid strictly below the best ask
  ak0 += std::max<std::int64_t>(0, 1 - ak0);        // ask strictly above the best bid

  for (std::size_t i = 0; i < count; ++i) {
    const std::int64_t level = static_cast<std::int64_t>(i);
    const std::int64_t sp = level * p.level_spacing_ticks;
    const std::int64_t s = std::int64_t{p.order_size} + level * p.size_step;

    // Rule 8: exact in 128 bits; a price int64 cannot hold cannot be quoted.
    const i128 bid_px = i128{tob.bid_px} + i128{bk0 - sp} * tick;
    const i128 ask_px = i128{tob.bid_px} + i128{ak0 + sp} * tick;

    // Rules 9-10.
    std::int32_t bid_sz = clamp_size(s - skew.size_adj);
    std::int32_t ask_sz = clamp_size(s + skew.size_adj);
    if (bid_px > p.price_ceiling || !fits_i64(bid_px)) bid_sz = 0;
    if (ask_px < p.price_floor || !fits_i64(ask_px)) ask_sz = 0;

    // Rule 11: canonical form, a dead side is all zero.
    QuoteLevel& q = out[i];
    q.bid_sz = bid_sz;
    q.ask_sz = ask_sz;
    q.bid_px = bid_sz > 0 ? static_cast<std::int64_t>(bid_px) : 0;
    q.ask_px = ask_sz > 0 ? static_cast<std::int64_t>(ask_px) : 0;
    q.flags = static_cast<std::uint8_t>((bid_sz > 0 ? kQuoteBidLive : 0) |
                                        (ask_sz > 0 ? kQuoteAskLive : 0));
  }
}

bool needs_requote(const QuoteLevel& prev, const QuoteLevel& next, std::int64_t tick,
                   std::int32_t tolerance_ticks) {
  if (prev.flags != next.flags) return true;
  if (prev.bid_sz != next.bid_sz || prev.ask_sz != next.ask_sz) return true;
  // 128 bits: the distance between two int64 prices, and tol * tick, can exceed int64.
  // Tolerance 0 requotes on any nonzero move; tolerance 1 on a move of at least one tick (a
  // sub-tick move, possible only off the tick grid, does not requote).
  const i128 threshold = i128{tolerance_ticks} * tick;
  const auto moved = [threshold](std::int64_t a, std::int64_t b) {
    const i128 delta = a > b ? i128{a} - b : i128{b} - a;
    return delta != 0 && delta >= threshold;
  };
  return ((next.flags & kQuoteBidLive) != 0 && moved(prev.bid_px, next.bid_px)) ||
         ((next.flags & kQuoteAskLive) != 0 && moved(prev.ask_px, next.ask_px));
}

static_assert(kMaxLevels == 8, "update the quoter.levels message in validate()");

const char* validate(const QuoterParams& p) {
  constexpr std::int32_t k20 = 1 << 20;
  constexpr std::int32_t k30 = 1 << 30;
  if (p.ref_mode != RefMode::kJoin && p.ref_mode != RefMode::kMid) {
    return "quoter.ref_mode must be join or mid";
  }
  if (p.bid_offset_ticks < -k20 || p.bid_offset_ticks > k20) {
    return "quoter.bid_offset_ticks must be -1048576..1048576";
  }
  if (p.ask_offset_ticks < -k20 || p.ask_offset_ticks > k20) {
    return "quoter.ask_offset_ticks must be -1048576..1048576";
  }
  if (p.min_spread_ticks < 0 || p.min_spread_ticks > kMaxSpreadTicksLimit) {
    return "quoter.min_spread_ticks must be 0..65535";
  }
  if (p.max_spread_ticks < 1 || p.max_spread_ticks > kMaxSpreadTicksLimit) {
    return "quoter.max_spread_ticks must be 1..65535";
  }
  if (p.levels < 1 || p.levels > kMaxLevels) return "quoter.levels must be 1..8";
  if (p.level_spacing_ticks < 1 || p.level_spacing_ticks > k20) {
    return "quoter.level_spacing_ticks must be 1..1048576";
  }
  if (p.order_size < 0 || p.order_size > k30) return "quoter.order_size must be 0..1073741824";
  if (p.size_step < 0 || p.size_step > k20) return "quoter.size_step must be 0..1048576";
  if (p.requote_tolerance_ticks < 0 || p.requote_tolerance_ticks > k20) {
    return "quoter.requote_tolerance_ticks must be 0..1048576";
  }
  if (p.price_floor > p.price_ceiling) {
    return "quoter.price_floor must be <= quoter.price_ceiling";
  }
  return nullptr;
}

}  // namespace ttq
