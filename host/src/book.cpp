// MBP book maintenance: configuration, reset and snapshot loading. The per-entry rules (New /
// Change / Delete / DeleteThru / DeleteFrom / Overlay / Book Reset) and the top of book are in
// book.hpp, inline, because the fast path runs them for every entry.
#include "ttq/book.hpp"

#include <algorithm>

namespace ttq {

void MbpBook::configure(std::uint8_t depth, std::uint8_t implied_depth) {
  set_depths(std::clamp<std::uint8_t>(depth == 0 ? kDefaultDepth : depth, 1, kMaxDepth),
             std::min<std::uint8_t>(implied_depth, kMaxDepth));
  const std::uint32_t keep = (1u << depth_) - 1u;
  side_[kBidSide].occupied &= keep;
  side_[kAskSide].occupied &= keep;
  const std::uint32_t ikeep = (1u << implied_depth_) - 1u;
  side_[kImpliedBidSide].occupied &= ikeep;
  side_[kImpliedAskSide].occupied &= ikeep;
  ++top_version_;  // a smaller implied depth can empty implied level 1
}

void MbpBook::clear(bool known) {
  for (BookSide& s : side_) s.occupied = 0;
  complete_ = known;
  ++top_version_;
}

void MbpBook::load_level(char type, std::uint32_t level, std::int64_t px9, std::int32_t sz,
                         std::int32_t orders) {
  BookSide* s = nullptr;
  std::uint8_t depth = depth_;
  switch (type) {
    case mdp3::kBid: s = &side_[kBidSide]; break;
    case mdp3::kOffer: s = &side_[kAskSide]; break;
    case mdp3::kImpliedBid: s = &side_[kImpliedBidSide]; depth = implied_depth_; break;
    case mdp3::kImpliedOffer: s = &side_[kImpliedAskSide]; depth = implied_depth_; break;
    default: return;  // trades, statistics: not part of the MBP book
  }
  if (level < 1 || level > depth) return;
  if (level == 1) ++top_version_;
  s->level[level - 1] = Level{px9, sz, orders};
  s->occupied |= 1u << (level - 1);
}

}  // namespace ttq
