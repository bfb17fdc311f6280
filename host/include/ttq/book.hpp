// Market-by-price book of one instrument: the MBP stage of the pipeline. Outright levels 1..depth
// and implied levels 1..implied_depth per side, kept apart and consolidated only for the top of
// book. Positional (CME MBP semantics), with an occupied bit per level so a book that started
// without a snapshot can refresh naturally. docs/book.md gives every rule.
#pragma once

#include <cstdint>

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
  bool has(std::uint32_t n) const { return (occupied >> (n - 1)) & 1u; }
};

// Outcome of applying one entry (the caller counts them).
enum class ApplyResult : std::uint8_t {
  kApplied = 0,
  kBeyondDepth,      // level > depth: ignored (CME: ignore entries past the book's depth)
  kCorrupt,          // Change price mismatch, or Change/Delete at a known-empty level
};

class MbpBook {
 public:
  void configure(std::uint8_t depth, std::uint8_t implied_depth);
  std::uint8_t depth() const { return depth_; }
  std::uint8_t implied_depth() const { return implied_depth_; }

  // Applies one 46/32 entry (price already PRICE9). 'J' empties both books.
  ApplyResult apply(const mdp3::BookEntry& e, std::int64_t px9);

  // Empties every level; `known` says whether the empty book is the truth (reset, snapshot)
  // or just unknown (start-up without a snapshot).
  void clear(bool known);
  // Loads one snapshot level (after clear(true)); ignores levels past the depth.
  void load_level(char type, std::uint32_t level, std::int64_t px9, std::int32_t sz,
                  std::int32_t orders);

  // Consolidated top of book: best of outright and implied level 1 per side, sizes added at equal
  // prices. A side is empty (size 0) when neither book has level 1.
  TopOfBook top() const;

  const BookSide& bids() const { return bid_; }
  const BookSide& asks() const { return ask_; }
  const BookSide& implied_bids() const { return ibid_; }
  const BookSide& implied_asks() const { return iask_; }
  bool complete() const { return complete_; }

 private:
  ApplyResult apply_side(BookSide& s, std::uint8_t depth, const mdp3::BookEntry& e,
                         std::int64_t px9);

  BookSide bid_, ask_, ibid_, iask_;
  std::uint8_t depth_ = kDefaultDepth;
  std::uint8_t implied_depth_ = kDefaultImpliedDepth;
  bool complete_ = false;  // every level is known (after a reset or a snapshot)
};

}  // namespace ttq
