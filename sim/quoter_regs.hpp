// Per-slot registers of the card quoter (hw/rtl/ttq_quoter.sv) that the host computes when it
// writes a slot's tick or max_spread_ticks: the reciprocal that replaces rule 3's division and
// the too-wide limit. Used by tb_quoter and, later, by the Verilator and XRT drivers.
// docs/rtl_quoter.md proves that these values make the card's n equal floor(d / T).
#pragma once

#include <cstdint>

namespace ttq::sim {

inline constexpr int kCardTickBits = 40;   // the card takes 0 < T < 2^40
inline constexpr int kCardRecipBits = 26;  // recip is in [2^25, 2^26)
inline constexpr int kCardDLimBits = 56;   // (65535 + 1) * (2^40 - 1) < 2^56

struct QuoterCardRegs {
  std::uint64_t tick = 0;     // T, 40 bits
  std::uint8_t recip_sh = 0;  // s = 40 - l, where l is the smallest integer with T <= 2^l
  std::uint32_t recip = 0;    // r = floor(2^65 / (T << s)), 26 bits
  std::uint64_t d_lim = 0;    // (max_spread_ticks + 1) * T, 56 bits; 0 pulls every book
  bool valid = false;         // false: T or max_spread_ticks out of the card's contract
};

// Registers for tick T (PRICE9) and max_spread_ticks. T outside 0 < T < 2^40 or
// max_spread_ticks outside 1..65535 gives d_lim = 0, with which the card pulls every book as
// one-sided (kQuotePullBook); the model does the same for T <= 0, and validate() refuses such
// a max_spread_ticks. A 2^40 <= T is out of the card's contract: the model would still quote.
inline QuoterCardRegs quoter_card_regs(std::int64_t tick, std::int32_t max_spread_ticks) {
  QuoterCardRegs r;
  if (tick <= 0 || tick >= (std::int64_t{1} << kCardTickBits) || max_spread_ticks < 1 ||
      max_spread_ticks > 65535) {
    r.tick = static_cast<std::uint64_t>(tick) & ((std::uint64_t{1} << kCardTickBits) - 1);
    return r;
  }
  const std::uint64_t t = static_cast<std::uint64_t>(tick);
  int l = 0;
  while ((std::uint64_t{1} << l) < t) ++l;  // T <= 2^l, l <= 40
  const int s = kCardTickBits - l;
  const std::uint64_t t_norm = t << s;  // in (2^39, 2^40]
  __extension__ typedef unsigned __int128 u128;
  r.tick = t;
  r.recip_sh = static_cast<std::uint8_t>(s);
  r.recip = static_cast<std::uint32_t>((u128{1} << 65) / t_norm);
  r.d_lim = static_cast<std::uint64_t>(max_spread_ticks + 1) * t;
  r.valid = true;
  return r;
}

}  // namespace ttq::sim
