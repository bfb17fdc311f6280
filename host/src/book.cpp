// MBP book maintenance: New / Change / Delete / DeleteThru / DeleteFrom / Overlay / Book Reset.
#include "ttq/book.hpp"

#include <algorithm>
#include <limits>

namespace ttq {

void MbpBook::configure(std::uint8_t depth, std::uint8_t implied_depth) {
  depth_ = std::clamp<std::uint8_t>(depth == 0 ? kDefaultDepth : depth, 1, kMaxDepth);
  implied_depth_ = std::min<std::uint8_t>(implied_depth, kMaxDepth);
  const std::uint32_t keep = (1u << depth_) - 1u;
  bid_.occupied &= keep;
  ask_.occupied &= keep;
  const std::uint32_t ikeep = (1u << implied_depth_) - 1u;
  ibid_.occupied &= ikeep;
  iask_.occupied &= ikeep;
}

void MbpBook::clear(bool known) {
  bid_.occupied = ask_.occupied = ibid_.occupied = iask_.occupied = 0;
  complete_ = known;
}

ApplyResult MbpBook::apply(const mdp3::BookEntry& e, std::int64_t px9) {
  switch (e.type) {
    case mdp3::kBid: return apply_side(bid_, depth_, e, px9);
    case mdp3::kOffer: return apply_side(ask_, depth_, e, px9);
    case mdp3::kImpliedBid: return apply_side(ibid_, implied_depth_, e, px9);
    case mdp3::kImpliedOffer: return apply_side(iask_, implied_depth_, e, px9);
    default:  // 'J' Book Reset (the decoder refuses every other type)
      clear(true);
      return ApplyResult::kApplied;
  }
}

ApplyResult MbpBook::apply_side(BookSide& s, std::uint8_t depth, const mdp3::BookEntry& e,
                                std::int64_t px9) {
  const std::uint32_t n = e.level;
  const std::uint32_t full = (1u << depth) - 1u;
  if (e.action == mdp3::kDeleteThru) {
    s.occupied = 0;
    return ApplyResult::kApplied;
  }
  if (n > depth) return ApplyResult::kBeyondDepth;
  const std::uint32_t i = n - 1;            // 0-based index of level n
  const std::uint32_t below = (1u << i) - 1u;  // levels above n (better prices)
  switch (e.action) {
    case mdp3::kNew: {
      // Levels n..depth-1 move down one; the old level `depth` falls off.
      for (std::uint32_t k = depth - 1; k > i; --k) s.level[k] = s.level[k - 1];
      s.occupied = ((s.occupied & below) | ((s.occupied & ~below) << 1) | (1u << i)) & full;
      s.level[i] = Level{px9, e.size, e.orders};
      return ApplyResult::kApplied;
    }
    case mdp3::kChange: {
      if (s.has(n)) {
        if (s.level[i].px != px9) return ApplyResult::kCorrupt;
      } else if (complete_) {
        return ApplyResult::kCorrupt;
      }
      s.level[i] = Level{px9, e.size, e.orders};
      s.occupied |= 1u << i;
      return ApplyResult::kApplied;
    }
    case mdp3::kOverlay: {
      s.level[i] = Level{px9, e.size, e.orders};
      s.occupied |= 1u << i;
      return ApplyResult::kApplied;
    }
    case mdp3::kDelete: {
      if (!s.has(n) && complete_) return ApplyResult::kCorrupt;
      // Levels n+1..depth move up one; level depth is empty.
      for (std::uint32_t k = i; k + 1 < depth; ++k) s.level[k] = s.level[k + 1];
      s.occupied = ((s.occupied & below) | ((s.occupied >> 1) & ~below)) & (full >> 1);
      return ApplyResult::kApplied;
    }
    case mdp3::kDeleteFrom: {
      // Levels 1..n go; n+1..depth move up to 1..depth-n.
      for (std::uint32_t k = 0; k + n < depth; ++k) s.level[k] = s.level[k + n];
      s.occupied = (s.occupied >> n) & full;
      return ApplyResult::kApplied;
    }
    default:
      return ApplyResult::kApplied;  // unreachable: the decoder refuses other actions
  }
}

void MbpBook::load_level(char type, std::uint32_t level, std::int64_t px9, std::int32_t sz,
                         std::int32_t orders) {
  BookSide* s = nullptr;
  std::uint8_t depth = depth_;
  switch (type) {
    case mdp3::kBid: s = &bid_; break;
    case mdp3::kOffer: s = &ask_; break;
    case mdp3::kImpliedBid: s = &ibid_; depth = implied_depth_; break;
    case mdp3::kImpliedOffer: s = &iask_; depth = implied_depth_; break;
    default: return;  // trades, statistics: not part of the MBP book
  }
  if (level < 1 || level > depth) return;
  s->level[level - 1] = Level{px9, sz, orders};
  s->occupied |= 1u << (level - 1);
}

namespace {

std::int32_t add_sat(std::int32_t a, std::int32_t b) {
  const std::int64_t s = std::int64_t{a} + b;
  return s > std::numeric_limits<std::int32_t>::max() ? std::numeric_limits<std::int32_t>::max()
                                                       : static_cast<std::int32_t>(s);
}

// Best of two level-1 candidates; `higher` picks the higher price (bids).
void best(const BookSide& a, const BookSide& b, bool higher, std::int64_t& px, std::int32_t& sz) {
  const bool ha = a.has(1), hb = b.has(1);
  if (!ha && !hb) {
    px = 0;
    sz = 0;
    return;
  }
  if (ha && hb && a.level[0].px == b.level[0].px) {
    px = a.level[0].px;
    sz = add_sat(a.level[0].sz, b.level[0].sz);
    return;
  }
  const bool take_a = ha && (!hb || (higher ? a.level[0].px > b.level[0].px
                                            : a.level[0].px < b.level[0].px));
  const Level& l = take_a ? a.level[0] : b.level[0];
  px = l.px;
  sz = l.sz;
}

}  // namespace

TopOfBook MbpBook::top() const {
  TopOfBook t;
  best(bid_, ibid_, true, t.bid_px, t.bid_sz);
  best(ask_, iask_, false, t.ask_px, t.ask_sz);
  return t;
}

}  // namespace ttq
