// Market-by-price book of one instrument: the MBP stage of the pipeline. Outright levels 1..depth
// and implied levels 1..implied_depth per side, kept apart and consolidated only for the top of
// book. Positional (CME MBP semantics), with an occupied bit per level so a book that started
// without a snapshot can refresh naturally. docs/book.md gives every rule.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <limits>
#include <new>
#include <type_traits>

#include "ttq/mdp3.hpp"
#include "ttq/quoter.hpp"

namespace ttq {

inline constexpr std::uint8_t kMaxDepth = 16;
inline constexpr std::uint8_t kDefaultDepth = 10;
inline constexpr std::uint8_t kDefaultImpliedDepth = 2;

struct Level {
  std::int64_t px = 0;  // PRICE9
  std::int32_t sz = 0;
  std::int32_t orders = 0;  // mdp3::kNullInt32 when null (implied)
};

struct BookSide {
  Level level[kMaxDepth];
  std::uint32_t occupied = 0;  // bit i: level i+1 holds a price
  // This side's depth and the mask of its levels ((1 << depth) - 1), kept here by
  // MbpBook::configure for the per-entry rules (they fit in what was the struct's tail padding).
  std::uint16_t full = (1u << kDefaultDepth) - 1u;
  std::uint8_t depth = kDefaultDepth;
  bool has(std::uint32_t n) const { return (occupied >> (n - 1)) & 1u; }
};
static_assert(sizeof(BookSide) == kMaxDepth * sizeof(Level) + 8);

// Outcome of applying one entry (the caller counts them).
enum class ApplyResult : std::uint8_t {
  kApplied = 0,
  kBeyondDepth,      // level > depth: ignored (CME: ignore entries past the book's depth)
  kCorrupt,          // Change price mismatch, or Change/Delete at a known-empty level
};

// What MbpBook::apply_logged saved of the side one entry went to, enough for MbpBook::undo to put
// it back exactly (the fast path's one-pass apply takes back a packet that fails part-way). 40
// bytes: the level the entry overwrote or pushed off the side, the side's occupied bits, the
// book's top_version, and what the entry did.
struct BookUndo {
  Level lost;
  std::uint64_t top_version;
  std::uint32_t occupied;
  std::uint16_t side_off;  // book_detail::kSideOffset of the entry's type
  std::uint8_t level;
  std::uint8_t action;
  ApplyResult result;
};

class MbpBook {
 public:
  MbpBook() { set_depths(kDefaultDepth, kDefaultImpliedDepth); }
  void configure(std::uint8_t depth, std::uint8_t implied_depth);
  std::uint8_t depth() const { return depth_; }
  std::uint8_t implied_depth() const { return implied_depth_; }

  // Applies one 46/32 entry (price already PRICE9). 'J' empties both books.
  ApplyResult apply(const mdp3::BookEntry& e, std::int64_t px9);
  // apply, saving in `u` what undo(u) needs to take the entry back. Only for an entry of a book
  // side ('0' '1' 'E' 'F') whose action is not DeleteFrom (those may lose more than one level:
  // the caller saves the whole book for them instead). Entries taken back in the reverse order
  // of their apply_logged calls leave the book exactly as it was, top_version included.
  ApplyResult apply_logged(const mdp3::BookEntry& e, std::int64_t px9, BookUndo& u);
  void undo(const BookUndo& u);

  // Empties every level; `known` says whether the empty book is the truth (reset, snapshot)
  // or just unknown (start-up without a snapshot).
  void clear(bool known);
  // Loads one snapshot level (after clear(true)); ignores levels past the depth.
  void load_level(char type, std::uint32_t level, std::int64_t px9, std::int32_t sz,
                  std::int32_t orders);

  // Consolidated top of book: best of outright and implied level 1 per side, sizes added at equal
  // prices. A side is empty (size 0) when neither book has level 1.
  TopOfBook top() const;

  const BookSide& bids() const { return side_[kBidSide]; }
  const BookSide& asks() const { return side_[kAskSide]; }
  const BookSide& implied_bids() const { return side_[kImpliedBidSide]; }
  const BookSide& implied_asks() const { return side_[kImpliedAskSide]; }
  bool complete() const { return complete_; }

  // Moves on whenever level 1 of any side (price, size or presence) may have changed: top() can
  // only differ from an earlier call when this number differs. Entries below level 1 (most of
  // them) leave it alone, which lets the fast path skip publishing a top that cannot have moved.
  std::uint64_t top_version() const { return top_version_; }

 private:
  ApplyResult apply_side(BookSide& s, const mdp3::BookEntry& e, std::int64_t px9);
  // depth_, implied_depth_ and each side's copy of its depth and mask.
  void set_depths(std::uint8_t depth, std::uint8_t implied_depth) {
    depth_ = depth;
    implied_depth_ = implied_depth;
    for (std::uint32_t k = 0; k < 4; ++k) {
      const std::uint8_t d = k >= kImpliedBidSide ? implied_depth : depth;
      side_[k].depth = d;
      side_[k].full = static_cast<std::uint16_t>((1u << d) - 1u);
    }
  }

  // Indexed by entry type ('0' '1' 'E' 'F' -> 0 1 2 3: book_detail::kSideOffset).
  enum : std::uint32_t { kBidSide = 0, kAskSide = 1, kImpliedBidSide = 2, kImpliedAskSide = 3 };
  BookSide side_[4];
  std::uint8_t depth_ = kDefaultDepth;
  std::uint8_t implied_depth_ = kDefaultImpliedDepth;
  bool complete_ = false;  // every level is known (after a reset or a snapshot)
  std::uint64_t top_version_ = 0;
};

// The per-entry rules and the top of book, inline: the fast path runs them for every entry.

namespace book_detail {

// Where MbpBook's side of each MDEntryType byte starts, in bytes from its first side: '0' '1' 'E'
// 'F' -> sides 0 1 2 3 (bid, ask, implied bid, implied ask); every other byte -> kResetSide (a 'J'
// Book Reset empties both books). An offset rather than an index: the side's address is then one
// addition wherever the compiler needs it again, not a multiplication by sizeof(BookSide).
inline constexpr std::uint16_t kResetSide = 0xFFFF;
inline constexpr std::array<std::uint16_t, 256> kSideOffset = [] {
  std::array<std::uint16_t, 256> a{};
  a.fill(kResetSide);
  a[static_cast<std::uint8_t>(mdp3::kBid)] = 0 * sizeof(BookSide);
  a[static_cast<std::uint8_t>(mdp3::kOffer)] = 1 * sizeof(BookSide);
  a[static_cast<std::uint8_t>(mdp3::kImpliedBid)] = 2 * sizeof(BookSide);
  a[static_cast<std::uint8_t>(mdp3::kImpliedOffer)] = 3 * sizeof(BookSide);
  return a;
}();

// One level as one 16-byte move. (A plain `a = b` loop is turned into a memmove call, which
// costs more than the few levels a book shifts.)
inline void copy_level(Level& dst, const Level& src) { std::memcpy(&dst, &src, sizeof(Level)); }

inline std::int32_t add_sat(std::int32_t a, std::int32_t b) {
  const std::int64_t s = std::int64_t{a} + b;
  return s > std::numeric_limits<std::int32_t>::max() ? std::numeric_limits<std::int32_t>::max()
                                                       : static_cast<std::int32_t>(s);
}

// Best of two level-1 candidates; `higher` picks the higher price (bids).
inline void best(const BookSide& a, const BookSide& b, bool higher, std::int64_t& px,
                 std::int32_t& sz) {
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

}  // namespace book_detail

inline ApplyResult MbpBook::apply(const mdp3::BookEntry& e, std::int64_t px9) {
  // The side an entry goes to is looked up, not chosen by a branch on a type that changes at
  // random from entry to entry.
  const std::uint32_t off = book_detail::kSideOffset[static_cast<std::uint8_t>(e.type)];
  if (off == book_detail::kResetSide) [[unlikely]] {  // 'J' Book Reset (the decoder refuses
                                                       // other types)
    clear(true);
    return ApplyResult::kApplied;
  }
  static_assert(std::is_standard_layout_v<BookSide>);
  BookSide* const s =
      std::launder(reinterpret_cast<BookSide*>(reinterpret_cast<unsigned char*>(side_) + off));
  return apply_side(*s, e, px9);
}

inline ApplyResult MbpBook::apply_logged(const mdp3::BookEntry& e, std::int64_t px9,
                                         BookUndo& u) {
  const std::uint32_t off = book_detail::kSideOffset[static_cast<std::uint8_t>(e.type)];
  BookSide* const s =
      std::launder(reinterpret_cast<BookSide*>(reinterpret_cast<unsigned char*>(side_) + off));
  // The one level the entry can destroy: New pushes the last level (depth) off the side; Change,
  // Overlay and Delete overwrite level n. Read without a branch on the action (a masked index,
  // in bounds even for a level 0 or past the depth, where nothing is written and nothing needs
  // restoring).
  const std::uint32_t n = e.level;
  const std::uint32_t lost = (e.action == mdp3::kNew ? std::uint32_t{s->depth} - 1u : n - 1u) &
                             (kMaxDepth - 1u);
  u.lost = s->level[lost];
  u.top_version = top_version_;
  u.occupied = s->occupied;
  u.side_off = static_cast<std::uint16_t>(off);
  u.level = e.level;
  u.action = e.action;
  u.result = apply_side(*s, e, px9);
  return u.result;
}

inline void MbpBook::undo(const BookUndo& u) {
  BookSide& s = *std::launder(
      reinterpret_cast<BookSide*>(reinterpret_cast<unsigned char*>(side_) + u.side_off));
  if (u.result == ApplyResult::kApplied) {
    const std::uint32_t i = u.level - 1u;
    const std::uint32_t depth = s.depth;
    switch (u.action) {
      case mdp3::kNew:  // levels n+1..depth came from n..depth-1; level depth was pushed off
        for (std::uint32_t k = i; k + 1 < depth; ++k) {
          book_detail::copy_level(s.level[k], s.level[k + 1]);
        }
        s.level[depth - 1] = u.lost;
        break;
      case mdp3::kDelete:  // levels n..depth-1 came from n+1..depth; level n was overwritten
        for (std::uint32_t k = depth - 1; k > i; --k) {
          book_detail::copy_level(s.level[k], s.level[k - 1]);
        }
        s.level[i] = u.lost;
        break;
      case mdp3::kChange:
      case mdp3::kOverlay:
        s.level[i] = u.lost;
        break;
      default:  // DeleteThru: the occupied bits only
        break;
    }
  }
  s.occupied = u.occupied;
  top_version_ = u.top_version;
}

inline ApplyResult MbpBook::apply_side(BookSide& s, const mdp3::BookEntry& e, std::int64_t px9) {
  const std::uint32_t n = e.level;
  const std::uint32_t depth = s.depth;
  // New / Change / Overlay / Delete at level n >= 2 only move levels n and below (see each case):
  // level 1 and its occupied bit stay. Anything else may change the top (DeleteThru and DeleteFrom
  // count even when they change nothing, or lie beyond the depth).
  switch (e.action) {
    case mdp3::kNew: {
      top_version_ += n <= 1;  // before the depth test: a side of depth 0 counts level 1 too
      if (n > depth) return ApplyResult::kBeyondDepth;
      const std::uint32_t i = n - 1;               // 0-based index of level n
      const std::uint32_t below = (1u << i) - 1u;  // levels above n (better prices)
      // Levels n..depth-1 move down one; the old level `depth` falls off.
      for (std::uint32_t k = depth - 1; k > i; --k) {
        book_detail::copy_level(s.level[k], s.level[k - 1]);
      }
      // Bits below i stay, bits from i up move up one (the sum adds the high part to itself), bit
      // i is set.
      const std::uint32_t occ = s.occupied;
      s.occupied = (occ + (occ & ~below) + below + 1u) & s.full;
      s.level[i] = Level{px9, e.size, e.orders};
      return ApplyResult::kApplied;
    }
    case mdp3::kChange: {
      top_version_ += n <= 1;  // before the depth test: a side of depth 0 counts level 1 too
      if (n > depth) return ApplyResult::kBeyondDepth;
      const std::uint32_t i = n - 1;
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
      top_version_ += n <= 1;  // before the depth test: a side of depth 0 counts level 1 too
      if (n > depth) return ApplyResult::kBeyondDepth;
      const std::uint32_t i = n - 1;
      s.level[i] = Level{px9, e.size, e.orders};
      s.occupied |= 1u << i;
      return ApplyResult::kApplied;
    }
    case mdp3::kDelete: {
      top_version_ += n <= 1;  // before the depth test: a side of depth 0 counts level 1 too
      if (n > depth) return ApplyResult::kBeyondDepth;
      const std::uint32_t i = n - 1;
      const std::uint32_t below = (1u << i) - 1u;
      if (!s.has(n) && complete_) return ApplyResult::kCorrupt;
      // Levels n+1..depth move up one; level depth is empty.
      for (std::uint32_t k = i; k + 1 < depth; ++k) {
        book_detail::copy_level(s.level[k], s.level[k + 1]);
      }
      const std::uint32_t occ = s.occupied;
      s.occupied = ((occ & below) | ((occ >> 1) & ~below)) & (s.full >> 1);
      return ApplyResult::kApplied;
    }
    case mdp3::kDeleteThru: {
      ++top_version_;
      s.occupied = 0;
      return ApplyResult::kApplied;
    }
    case mdp3::kDeleteFrom: {
      ++top_version_;
      if (n > depth) return ApplyResult::kBeyondDepth;
      // Levels 1..n go; n+1..depth move up to 1..depth-n.
      for (std::uint32_t k = 0; k + n < depth; ++k) {
        book_detail::copy_level(s.level[k], s.level[k + n]);
      }
      s.occupied = (s.occupied >> n) & s.full;
      return ApplyResult::kApplied;
    }
    default:
      // Unreachable: the decoder refuses other actions.
      if (n <= 1) ++top_version_;
      return n > depth ? ApplyResult::kBeyondDepth : ApplyResult::kApplied;
  }
}

inline TopOfBook MbpBook::top() const {
  TopOfBook t;
  book_detail::best(side_[kBidSide], side_[kImpliedBidSide], true, t.bid_px, t.bid_sz);
  book_detail::best(side_[kAskSide], side_[kImpliedAskSide], false, t.ask_px, t.ask_sz);
  return t;
}

}  // namespace ttq
