// Pre-trade risk gate. Every rule is integer arithmetic on PRICE9 mantissas and lots, widened to
// 128 bits where a product can leave 64; docs/risk.md is the specification of this file.

#include "ttq/risk.hpp"

namespace ttq {
namespace {

__extension__ typedef __int128 i128;

constexpr std::uint64_t kNanoPerToken = 1'000'000'000ULL;

i128 abs128(i128 v) {
  return v < 0 ? -v : v;
}

std::uint64_t bucket_cap(std::int32_t burst) {
  return burst > 0 ? static_cast<std::uint64_t>(burst) * kNanoPerToken : 0;
}

// Refills from the time elapsed since the last refill; time never goes backwards (an older
// timestamp adds nothing and does not move last_ns back). In 64 bits with overflow checks: a sum
// past 2^64 - 1 is past any cap, so it gives the cap exactly as the 128-bit sum did.
void refill(std::uint64_t& nanotokens, std::uint64_t& last_ns, std::uint64_t now_ns,
            std::int32_t rate_per_sec, std::uint64_t cap) {
  if (now_ns <= last_ns) return;
  const std::uint64_t rate = rate_per_sec > 0 ? static_cast<std::uint64_t>(rate_per_sec) : 0;
  std::uint64_t total;
  const bool over = __builtin_mul_overflow(now_ns - last_ns, rate, &total) ||
                    __builtin_add_overflow(total, nanotokens, &total);
  nanotokens = over || total > cap ? cap : total;
  last_ns = now_ns;
}

// |v| exactly, as an unsigned 64-bit number (|INT64_MIN| = 2^63 included).
std::uint64_t mag64(std::int64_t v) {
  return v < 0 ? 0 - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v);
}

// m > limit for a magnitude m, as the 128-bit comparison has it: a negative limit (invalid, but
// applied literally) is exceeded by every magnitude.
bool exceeds(std::uint64_t m, std::int64_t limit) {
  return limit < 0 || m > static_cast<std::uint64_t>(limit);
}

}  // namespace

const char* to_string(RiskReject r) {
  switch (r) {
    case RiskReject::kMaxOrderQty:
      return "max_order_qty";
    case RiskReject::kMaxNotional:
      return "max_notional";
    case RiskReject::kMaxPosition:
      return "max_position";
    case RiskReject::kPriceCollar:
      return "price_collar";
    case RiskReject::kRateInstrument:
      return "rate_instrument";
    case RiskReject::kRateGlobal:
      return "rate_global";
    case RiskReject::kKillHalted:
      return "kill_halted";
    case RiskReject::kKillReducing:
      return "kill_reducing";
    case RiskReject::kStaleFeed:
      return "stale_feed";
    case RiskReject::kNoReference:
      return "no_reference";
    case RiskReject::kUnknownInstrument:
      return "unknown_instrument";
    case RiskReject::kCount:
      break;
  }
  return "unknown";
}

const char* to_string(Side s) {
  return s == Side::kBuy ? "buy" : "sell";
}

const char* to_string(KillState k) {
  switch (k) {
    case KillState::kActive:
      return "active";
    case KillState::kReducing:
      return "reducing";
    case KillState::kHalted:
      return "halted";
  }
  return "unknown";
}

const char* to_string(OrderIntent::Kind k) {
  switch (k) {
    case OrderIntent::Kind::kNew:
      return "new";
    case OrderIntent::Kind::kReplace:
      return "replace";
    case OrderIntent::Kind::kCancel:
      return "cancel";
  }
  return "unknown";
}

const char* validate(const RiskLimits& l) {
  if (l.max_order_qty < 1) return "max_order_qty must be >= 1";
  if (l.max_notional < 1) return "max_notional must be >= 1";
  if (l.max_position < 0) return "max_position must be >= 0";
  if (l.collar_ticks < 0) return "collar_ticks must be >= 0 (0 = off)";
  if (l.collar_bps < 0) return "collar_bps must be >= 0 (0 = off)";
  if (l.rate_per_sec_instrument < 1) return "rate_per_sec_instrument must be >= 1";
  if (l.burst_instrument < 1) return "burst_instrument must be >= 1";
  if (l.rate_per_sec_global < 1) return "rate_per_sec_global must be >= 1";
  if (l.burst_global < 1) return "burst_global must be >= 1";
  return nullptr;
}

RiskGate::RiskGate(const RiskLimits& limits, std::size_t max_slots)
    : limits_(limits),
      slots_(max_slots),
      cap_instrument_(bucket_cap(limits.burst_instrument)),
      cap_global_(bucket_cap(limits.burst_global)) {
  // Buckets start full: the first burst is allowed at once.
  for (Slot& s : slots_) s.bucket.nanotokens = cap_instrument_;
  global_.nanotokens = cap_global_;
}

bool RiskGate::set_instrument(std::uint16_t slot, const InstrumentRiskInfo& info) {
  if (slot >= slots_.size() || info.tick <= 0 || info.multiplier < 1 ||
      info.multiplier > kMaxMultiplier) {
    return false;
  }
  slots_[slot].info = info;
  slots_[slot].configured = true;
  return true;
}

void RiskGate::set_position(std::uint16_t slot, std::int64_t pos) {
  if (slot < slots_.size()) slots_[slot].position = pos;
}

std::int64_t RiskGate::position(std::uint16_t slot) const {
  return slot < slots_.size() ? slots_[slot].position : 0;
}

std::uint64_t RiskGate::rejected(RiskReject r) const {
  const auto i = static_cast<std::size_t>(r);
  return i < kRiskRejectCount ? counters_.rejected[i] : 0;
}

std::optional<RiskReject> RiskGate::check(const OrderIntent& intent, const MarketRef& ref,
                                          std::int64_t working_same_side_qty) {
  ++counters_.checked;
  const std::optional<RiskReject> r = evaluate(intent, ref, working_same_side_qty);
  if (r) {
    ++counters_.rejected_total;
    ++counters_.rejected[static_cast<std::size_t>(*r)];
  } else {
    ++counters_.accepted;
    if (intent.kind == OrderIntent::Kind::kCancel) ++counters_.accepted_cancels;
  }
  return r;
}

std::optional<RiskReject> RiskGate::evaluate(const OrderIntent& intent, const MarketRef& ref,
                                             std::int64_t working_same_side_qty) {
  // A cancel only removes exposure: never blocked, never charged a rate token.
  if (intent.kind == OrderIntent::Kind::kCancel) return std::nullopt;

  if (intent.slot >= slots_.size() || !slots_[intent.slot].configured ||
      slots_[intent.slot].info.security_id != intent.security_id) {
    return RiskReject::kUnknownInstrument;
  }
  Slot& s = slots_[intent.slot];
  const bool buy = intent.side == Side::kBuy;
  const i128 qty = intent.qty;
  const i128 working = working_same_side_qty > 0 ? working_same_side_qty : 0;
  const i128 pos = s.position;

  // Kill switch.
  if (kill_ == KillState::kHalted) return RiskReject::kKillHalted;
  if (kill_ == KillState::kReducing) {
    // Reduces only when opposite to the position and, with what already works on this side,
    // never more than the position (so it can flatten, never flip).
    const bool reduces =
        buy ? (pos < 0 && working + qty <= -pos) : (pos > 0 && working + qty <= pos);
    if (!reduces || qty < 1) return RiskReject::kKillReducing;
  }

  if (ref.stale) return RiskReject::kStaleFeed;

  if (intent.qty < 1 || intent.qty > limits_.max_order_qty) return RiskReject::kMaxOrderQty;

  // The products and sums below run in 64 bits with overflow checks; each gives the decision the
  // exact 128-bit formula of docs/risk.md gives (an overflow means a value past every limit, or,
  // for the projected position, the 128-bit path).
  // |px| * qty * multiplier, qty in 1..max_order_qty and multiplier in 1..kMaxMultiplier: a
  // product past 2^64 - 1 is past any max_notional.
  std::uint64_t notional;
  if (__builtin_mul_overflow(mag64(intent.px), static_cast<std::uint64_t>(intent.qty), &notional) ||
      __builtin_mul_overflow(notional, static_cast<std::uint64_t>(s.info.multiplier), &notional) ||
      exceeds(notional, limits_.max_notional)) {
    return RiskReject::kMaxNotional;
  }

  // Worst case if every same-side order fills. An order that leaves that worst case no larger
  // than the current |position| is allowed even past the limit, so a breached position can work
  // its way back.
  const std::int64_t w = working_same_side_qty > 0 ? working_same_side_qty : 0;
  std::int64_t proj;
  const bool proj_over = buy ? __builtin_add_overflow(s.position, w, &proj) ||
                                   __builtin_add_overflow(proj, std::int64_t{intent.qty}, &proj)
                             : __builtin_sub_overflow(s.position, w, &proj) ||
                                   __builtin_sub_overflow(proj, std::int64_t{intent.qty}, &proj);
  if (proj_over) [[unlikely]] {
    const i128 projected = buy ? pos + working + qty : pos - working - qty;
    if (abs128(projected) > static_cast<i128>(limits_.max_position) &&
        abs128(projected) > abs128(pos)) {
      return RiskReject::kMaxPosition;
    }
  } else if (exceeds(mag64(proj), limits_.max_position) && mag64(proj) > mag64(s.position)) {
    return RiskReject::kMaxPosition;
  }

  if (limits_.collar_ticks > 0 || limits_.collar_bps > 0) {
    if (!ref.has_ref) return RiskReject::kNoReference;
    // |px - ref| <= 2^64 - 1: exact in 64 unsigned bits.
    const std::uint64_t dist =
        intent.px >= ref.ref_px
            ? static_cast<std::uint64_t>(intent.px) - static_cast<std::uint64_t>(ref.ref_px)
            : static_cast<std::uint64_t>(ref.ref_px) - static_cast<std::uint64_t>(intent.px);
    std::uint64_t band;  // collar_ticks * tick (tick > 0); past 2^64 - 1 it holds every dist
    if (limits_.collar_ticks > 0 &&
        !__builtin_mul_overflow(static_cast<std::uint64_t>(limits_.collar_ticks),
                                static_cast<std::uint64_t>(s.info.tick), &band) &&
        dist > band) {
      return RiskReject::kPriceCollar;
    }
    if (limits_.collar_bps > 0 &&
        static_cast<i128>(dist) * 10000 >
            static_cast<i128>(limits_.collar_bps) * static_cast<i128>(mag64(ref.ref_px))) {
      return RiskReject::kPriceCollar;
    }
  }

  // Rates last: a token is spent only by an intent that passed everything else, and only when
  // both buckets have one.
  refill(s.bucket.nanotokens, s.bucket.last_ns, intent.ts_ns, limits_.rate_per_sec_instrument,
         cap_instrument_);
  refill(global_.nanotokens, global_.last_ns, intent.ts_ns, limits_.rate_per_sec_global,
         cap_global_);
  if (s.bucket.nanotokens < kNanoPerToken) return RiskReject::kRateInstrument;
  if (global_.nanotokens < kNanoPerToken) return RiskReject::kRateGlobal;
  s.bucket.nanotokens -= kNanoPerToken;
  global_.nanotokens -= kNanoPerToken;
  return std::nullopt;
}

}  // namespace ttq
