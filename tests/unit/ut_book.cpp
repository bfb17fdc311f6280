// Unit tests of the MBP book (host/src/book.cpp): every MDUpdateAction on outright and implied
// sides, Book Reset, the complete/natural-refresh distinction, the consolidated top of book and
// the spec's worked example. After each step the whole side is compared with a hand-written
// picture of it; docs/book.md states the rules.

#include <catch2/catch.hpp>
#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "ttq/book.hpp"
#include "ttq/mdp3.hpp"

namespace mdp3 = ttq::mdp3;
using ttq::ApplyResult;
using ttq::BookSide;
using ttq::MbpBook;
using ttq::TopOfBook;

namespace {

// Results and tops are compared as text so that failures print readably without a
// Catch::StringMaker specialization that another test file might also define.
const std::string kApplied = "applied";
const std::string kBeyond = "beyond_depth";
const std::string kCorrupt = "corrupt";

std::string name(ApplyResult r) {
  switch (r) {
    case ApplyResult::kApplied: return kApplied;
    case ApplyResult::kBeyondDepth: return kBeyond;
    case ApplyResult::kCorrupt: return kCorrupt;
  }
  return "?";
}
constexpr std::int32_t kNullOrders = mdp3::kNullInt32;

constexpr char kBid = mdp3::kBid;
constexpr char kAsk = mdp3::kOffer;
constexpr char kIBid = mdp3::kImpliedBid;
constexpr char kIAsk = mdp3::kImpliedOffer;

// Applies one entry; the price is given in PRICE9 (what the fast path hands the book).
std::string act(MbpBook& b, char type, std::uint8_t action, std::uint8_t level, std::int64_t px = 0,
                std::int32_t sz = 0, std::int32_t orders = 1) {
  const mdp3::BookEntry e{px, sz, 411873, 1, orders, level, action, type};
  return name(b.apply(e, px));
}
std::string nw(MbpBook& b, char t, std::uint8_t n, std::int64_t px, std::int32_t sz,
               std::int32_t ord = 1) {
  return act(b, t, mdp3::kNew, n, px, sz, ord);
}
std::string chg(MbpBook& b, char t, std::uint8_t n, std::int64_t px, std::int32_t sz,
                std::int32_t ord = 1) {
  return act(b, t, mdp3::kChange, n, px, sz, ord);
}
std::string ovl(MbpBook& b, char t, std::uint8_t n, std::int64_t px, std::int32_t sz,
                std::int32_t ord = 1) {
  return act(b, t, mdp3::kOverlay, n, px, sz, ord);
}
std::string del(MbpBook& b, char t, std::uint8_t n) { return act(b, t, mdp3::kDelete, n); }
std::string del_from(MbpBook& b, char t, std::uint8_t n) {
  return act(b, t, mdp3::kDeleteFrom, n);
}
std::string del_thru(MbpBook& b, char t, std::uint8_t n = 0) {
  return act(b, t, mdp3::kDeleteThru, n);
}

// The side as text: "px x size / orders" per occupied level, "-" per empty one, level 1 first;
// "N" for null orders. Bits set beyond the depth (which must never happen) show as "!extra".
std::string dump(const BookSide& s, std::uint32_t depth) {
  std::string out;
  for (std::uint32_t n = 1; n <= depth; ++n) {
    if (!out.empty()) out += ' ';
    if (!s.has(n)) {
      out += '-';
      continue;
    }
    const ttq::Level& l = s.level[n - 1];
    out += std::to_string(l.px) + 'x' + std::to_string(l.sz) + '/' +
           (l.orders == kNullOrders ? std::string("N") : std::to_string(l.orders));
  }
  if ((s.occupied >> depth) != 0) out += " !extra";
  return out;
}

std::string asks(const MbpBook& b) { return dump(b.asks(), b.depth()); }
std::string bids(const MbpBook& b) { return dump(b.bids(), b.depth()); }
std::string iasks(const MbpBook& b) { return dump(b.implied_asks(), b.implied_depth()); }
std::string ibids(const MbpBook& b) { return dump(b.implied_bids(), b.implied_depth()); }

MbpBook complete_book(std::uint8_t depth, std::uint8_t implied_depth = 2) {
  MbpBook b;
  b.configure(depth, implied_depth);
  b.clear(true);
  return b;
}

// Fills the offer side 1..n with 100, 110, 120, ... x 1, 2, 3, ... (orders = size).
void fill_asks(MbpBook& b, std::uint8_t n) {
  for (std::uint8_t k = 1; k <= n; ++k) {
    REQUIRE(nw(b, kAsk, k, 90 + 10 * k, k, k) == kApplied);
  }
}

// "bid size @ bid price / ask size @ ask price".
std::string tob(std::int64_t bpx, std::int32_t bsz, std::int64_t apx, std::int32_t asz) {
  return std::to_string(bsz) + "@" + std::to_string(bpx) + " / " + std::to_string(asz) + "@" +
         std::to_string(apx);
}
std::string top(const MbpBook& b) {
  const TopOfBook t = b.top();
  return tob(t.bid_px, t.bid_sz, t.ask_px, t.ask_sz);
}

}  // namespace

TEST_CASE("book: configure", "[book]") {
  MbpBook b;
  CHECK(b.depth() == 10);
  CHECK(b.implied_depth() == 2);
  CHECK_FALSE(b.complete());  // start-up: nothing known, natural refresh

  b.configure(0, 2);
  CHECK(b.depth() == 10);  // 0 = no GBX MarketDepth in the definition: default
  b.configure(20, 20);
  CHECK(b.depth() == 16);
  CHECK(b.implied_depth() == 16);
  b.configure(1, 0);
  CHECK(b.depth() == 1);
  CHECK(b.implied_depth() == 0);
  b.configure(16, 3);
  CHECK(b.depth() == 16);
  CHECK(b.implied_depth() == 3);

  SECTION("no implied book: implied entries are beyond its depth") {
    b.configure(10, 0);
    CHECK(nw(b, kIAsk, 1, 100, 1) == kBeyond);
    CHECK(b.implied_asks().occupied == 0u);
  }
  SECTION("shrinking the depth forgets the levels past it") {
    b.configure(5, 2);
    b.clear(true);
    fill_asks(b, 5);
    REQUIRE(asks(b) == "100x1/1 110x2/2 120x3/3 130x4/4 140x5/5");
    b.configure(3, 2);
    CHECK(asks(b) == "100x1/1 110x2/2 120x3/3");
    CHECK(b.asks().occupied == 0b111u);
    b.configure(5, 2);
    CHECK(asks(b) == "100x1/1 110x2/2 120x3/3 - -");
  }
  SECTION("depth 16 uses every level") {
    b.configure(16, 2);
    b.clear(true);
    for (std::uint8_t k = 1; k <= 16; ++k) REQUIRE(nw(b, kBid, k, 200 - k, 1) == kApplied);
    CHECK(b.bids().occupied == 0xFFFFu);
    CHECK(nw(b, kBid, 1, 200, 1) == kApplied);  // level 16 (184) falls off
    CHECK(b.bids().occupied == 0xFFFFu);
    CHECK(b.bids().level[15].px == 185);
    CHECK(nw(b, kBid, 17, 1, 1) == kBeyond);
  }
}

TEST_CASE("book: New shifts down and the last level falls off", "[book]") {
  MbpBook b = complete_book(4);
  CHECK(nw(b, kAsk, 1, 110, 1, 1) == kApplied);
  CHECK(asks(b) == "110x1/1 - - -");
  CHECK(nw(b, kAsk, 1, 100, 2, 2) == kApplied);
  CHECK(asks(b) == "100x2/2 110x1/1 - -");
  CHECK(nw(b, kAsk, 3, 130, 3, 3) == kApplied);
  CHECK(asks(b) == "100x2/2 110x1/1 130x3/3 -");
  CHECK(nw(b, kAsk, 3, 120, 4, 4) == kApplied);
  CHECK(asks(b) == "100x2/2 110x1/1 120x4/4 130x3/3");
  // Full side: New at 2 moves 2..3 to 3..4; the old level 4 (130) falls off with no Delete.
  CHECK(nw(b, kAsk, 2, 105, 5, 5) == kApplied);
  CHECK(asks(b) == "100x2/2 105x5/5 110x1/1 120x4/4");
  // New at the depth itself replaces level 4; nothing else moves.
  CHECK(nw(b, kAsk, 4, 115, 6, 6) == kApplied);
  CHECK(asks(b) == "100x2/2 105x5/5 110x1/1 115x6/6");
  // Past the depth: ignored, nothing changes.
  CHECK(nw(b, kAsk, 5, 90, 9, 9) == kBeyond);
  CHECK(nw(b, kAsk, 255, 90, 9, 9) == kBeyond);
  CHECK(asks(b) == "100x2/2 105x5/5 110x1/1 115x6/6");
  // New at 1 on a full side: everything moves down one, 115 falls off.
  CHECK(nw(b, kAsk, 1, 95, 7, 7) == kApplied);
  CHECK(asks(b) == "95x7/7 100x2/2 105x5/5 110x1/1");
  // The other sides never moved.
  CHECK(bids(b) == "- - - -");
  CHECK(ibids(b) == "- -");
  CHECK(iasks(b) == "- -");
}

TEST_CASE("book: New on a side with unknown levels shifts the known flags", "[book]") {
  MbpBook b;  // start-up: not complete
  b.configure(5, 2);
  CHECK(chg(b, kBid, 1, 100, 1) == kApplied);  // natural refresh: written
  CHECK(chg(b, kBid, 3, 80, 3) == kApplied);
  CHECK(bids(b) == "100x1/1 - 80x3/1 - -");
  CHECK(nw(b, kBid, 2, 90, 2) == kApplied);
  CHECK(bids(b) == "100x1/1 90x2/1 - 80x3/1 -");
  CHECK(nw(b, kBid, 5, 60, 5) == kApplied);
  CHECK(bids(b) == "100x1/1 90x2/1 - 80x3/1 60x5/1");
  CHECK(nw(b, kBid, 1, 101, 6) == kApplied);  // 60 falls off; the unknown level moves to 4
  CHECK(bids(b) == "101x6/1 100x1/1 90x2/1 - 80x3/1");
  CHECK(b.bids().occupied == 0b10111u);
  CHECK_FALSE(b.complete());
}

TEST_CASE("book: Change", "[book]") {
  SECTION("complete book") {
    MbpBook b = complete_book(4);
    fill_asks(b, 3);
    REQUIRE(asks(b) == "100x1/1 110x2/2 120x3/3 -");
    CHECK(chg(b, kAsk, 2, 110, 7, 5) == kApplied);  // size and orders overwritten
    CHECK(asks(b) == "100x1/1 110x7/5 120x3/3 -");
    CHECK(chg(b, kAsk, 1, 100, 0, 0) == kApplied);  // size 0 is a value, not a delete
    CHECK(asks(b) == "100x0/0 110x7/5 120x3/3 -");
    // Price mismatch: corrupt, nothing changed.
    CHECK(chg(b, kAsk, 2, 111, 9, 9) == kCorrupt);
    CHECK(asks(b) == "100x0/0 110x7/5 120x3/3 -");
    // Known-empty level: corrupt, nothing changed.
    CHECK(chg(b, kAsk, 4, 130, 1, 1) == kCorrupt);
    CHECK(asks(b) == "100x0/0 110x7/5 120x3/3 -");
    CHECK(chg(b, kAsk, 5, 140, 1, 1) == kBeyond);
    CHECK(asks(b) == "100x0/0 110x7/5 120x3/3 -");
    CHECK(chg(b, kBid, 1, 100, 1, 1) == kCorrupt);  // an empty side in a complete book
    CHECK(bids(b) == "- - - -");
  }
  SECTION("incomplete book (started without a snapshot)") {
    MbpBook b;
    b.configure(4, 2);
    CHECK(chg(b, kAsk, 4, 130, 1, 1) == kApplied);  // unknown level: written, now known
    CHECK(asks(b) == "- - - 130x1/1");
    CHECK(chg(b, kAsk, 4, 130, 2, 2) == kApplied);
    CHECK(asks(b) == "- - - 130x2/2");
    CHECK(chg(b, kAsk, 4, 131, 3, 3) == kCorrupt);  // a known level still has to match
    CHECK(asks(b) == "- - - 130x2/2");
    CHECK_FALSE(b.complete());
  }
}

TEST_CASE("book: Delete shifts up and empties the last level", "[book]") {
  SECTION("complete book") {
    MbpBook b = complete_book(4);
    fill_asks(b, 4);
    REQUIRE(asks(b) == "100x1/1 110x2/2 120x3/3 130x4/4");
    CHECK(del(b, kAsk, 2) == kApplied);
    CHECK(asks(b) == "100x1/1 120x3/3 130x4/4 -");
    CHECK(del(b, kAsk, 3) == kApplied);
    CHECK(asks(b) == "100x1/1 120x3/3 - -");
    CHECK(del(b, kAsk, 4) == kCorrupt);  // known-empty
    CHECK(del(b, kAsk, 3) == kCorrupt);
    CHECK(asks(b) == "100x1/1 120x3/3 - -");
    CHECK(del(b, kAsk, 5) == kBeyond);
    CHECK(asks(b) == "100x1/1 120x3/3 - -");
    CHECK(del(b, kAsk, 1) == kApplied);
    CHECK(asks(b) == "120x3/3 - - -");
    CHECK(del(b, kAsk, 1) == kApplied);
    CHECK(asks(b) == "- - - -");
    CHECK(del(b, kAsk, 1) == kCorrupt);
    CHECK(asks(b) == "- - - -");
  }
  SECTION("complete book, Delete at the depth and at 1 on a full side") {
    MbpBook b = complete_book(4);
    fill_asks(b, 4);
    CHECK(del(b, kAsk, 4) == kApplied);
    CHECK(asks(b) == "100x1/1 110x2/2 120x3/3 -");
    CHECK(nw(b, kAsk, 4, 140, 9, 9) == kApplied);  // what CME sends when a deeper price exists
    CHECK(asks(b) == "100x1/1 110x2/2 120x3/3 140x9/9");
    CHECK(del(b, kAsk, 1) == kApplied);
    CHECK(asks(b) == "110x2/2 120x3/3 140x9/9 -");
  }
  SECTION("incomplete book: Delete at an unknown level still shifts") {
    MbpBook b;
    b.configure(5, 2);
    REQUIRE(chg(b, kAsk, 1, 100, 1) == kApplied);
    REQUIRE(chg(b, kAsk, 4, 130, 4) == kApplied);
    REQUIRE(chg(b, kAsk, 5, 140, 5) == kApplied);
    REQUIRE(asks(b) == "100x1/1 - - 130x4/1 140x5/1");
    CHECK(del(b, kAsk, 2) == kApplied);
    CHECK(asks(b) == "100x1/1 - 130x4/1 140x5/1 -");
    CHECK(del(b, kAsk, 3) == kApplied);
    CHECK(asks(b) == "100x1/1 - 140x5/1 - -");
    CHECK(del(b, kAsk, 5) == kApplied);  // unknown level 5: nothing to move
    CHECK(asks(b) == "100x1/1 - 140x5/1 - -");
  }
}

TEST_CASE("book: DeleteThru empties one side", "[book]") {
  MbpBook b = complete_book(4);
  fill_asks(b, 4);
  REQUIRE(nw(b, kBid, 1, 90, 1) == kApplied);
  REQUIRE(nw(b, kIAsk, 1, 101, 1, kNullOrders) == kApplied);
  CHECK(del_thru(b, kAsk, 0) == kApplied);  // MDPriceLevel is not needed
  CHECK(asks(b) == "- - - -");
  CHECK(bids(b) == "90x1/1 - - -");
  CHECK(iasks(b) == "101x1/N -");
  CHECK(del_thru(b, kAsk, 200) == kApplied);  // any level byte; an empty side is fine
  CHECK(asks(b) == "- - - -");
  CHECK(del_thru(b, kIAsk, 1) == kApplied);
  CHECK(iasks(b) == "- -");
  CHECK(bids(b) == "90x1/1 - - -");
  CHECK(b.complete());
}

TEST_CASE("book: DeleteFrom removes the best N levels", "[book]") {
  MbpBook b = complete_book(5);
  SECTION("N < depth") {
    fill_asks(b, 5);
    CHECK(del_from(b, kAsk, 2) == kApplied);
    CHECK(asks(b) == "120x3/3 130x4/4 140x5/5 - -");
    CHECK(del_from(b, kAsk, 1) == kApplied);
    CHECK(asks(b) == "130x4/4 140x5/5 - - -");
  }
  SECTION("N = depth") {
    fill_asks(b, 5);
    CHECK(del_from(b, kAsk, 5) == kApplied);
    CHECK(asks(b) == "- - - - -");
  }
  SECTION("N = depth - 1") {
    fill_asks(b, 5);
    CHECK(del_from(b, kAsk, 4) == kApplied);
    CHECK(asks(b) == "140x5/5 - - - -");
  }
  SECTION("N > depth: ignored") {
    fill_asks(b, 5);
    CHECK(del_from(b, kAsk, 6) == kBeyond);
    CHECK(asks(b) == "100x1/1 110x2/2 120x3/3 130x4/4 140x5/5");
  }
  SECTION("partly filled side") {
    fill_asks(b, 3);
    CHECK(del_from(b, kAsk, 2) == kApplied);
    CHECK(asks(b) == "120x3/3 - - - -");
  }
  SECTION("unknown levels move with the known ones") {
    MbpBook f;
    f.configure(5, 2);
    REQUIRE(chg(f, kAsk, 1, 100, 1) == kApplied);
    REQUIRE(chg(f, kAsk, 3, 120, 3) == kApplied);
    REQUIRE(chg(f, kAsk, 5, 140, 5) == kApplied);
    CHECK(del_from(f, kAsk, 2) == kApplied);
    CHECK(asks(f) == "120x3/1 - 140x5/1 - -");
  }
}

TEST_CASE("book: Overlay replaces a level in place", "[book]") {
  MbpBook b = complete_book(4);
  fill_asks(b, 3);
  CHECK(ovl(b, kAsk, 2, 115, 9, 4) == kApplied);  // a different price, no shift
  CHECK(asks(b) == "100x1/1 115x9/4 120x3/3 -");
  CHECK(ovl(b, kAsk, 1, 100, 8, 2) == kApplied);
  CHECK(asks(b) == "100x8/2 115x9/4 120x3/3 -");
  CHECK(ovl(b, kAsk, 4, 150, 1, 1) == kApplied);  // an empty level, even in a complete book
  CHECK(asks(b) == "100x8/2 115x9/4 120x3/3 150x1/1");
  CHECK(ovl(b, kAsk, 5, 160, 1, 1) == kBeyond);
  CHECK(asks(b) == "100x8/2 115x9/4 120x3/3 150x1/1");
}

TEST_CASE("book: implied sides have their own depth", "[book]") {
  MbpBook b = complete_book(10, 2);
  CHECK(nw(b, kIAsk, 1, 105, 10, kNullOrders) == kApplied);
  CHECK(iasks(b) == "105x10/N -");
  CHECK(nw(b, kIAsk, 1, 104, 11, kNullOrders) == kApplied);
  CHECK(iasks(b) == "104x11/N 105x10/N");
  CHECK(nw(b, kIAsk, 1, 103, 12, kNullOrders) == kApplied);  // 105 falls off at depth 2
  CHECK(iasks(b) == "103x12/N 104x11/N");
  CHECK(nw(b, kIAsk, 3, 106, 1, kNullOrders) == kBeyond);
  CHECK(chg(b, kIAsk, 2, 104, 20, kNullOrders) == kApplied);
  CHECK(iasks(b) == "103x12/N 104x20/N");
  CHECK(chg(b, kIAsk, 2, 105, 20, kNullOrders) == kCorrupt);
  CHECK(iasks(b) == "103x12/N 104x20/N");
  CHECK(del(b, kIAsk, 1) == kApplied);
  CHECK(iasks(b) == "104x20/N -");
  CHECK(del(b, kIAsk, 2) == kCorrupt);  // known-empty in a complete book
  CHECK(ovl(b, kIAsk, 2, 107, 3, kNullOrders) == kApplied);
  CHECK(iasks(b) == "104x20/N 107x3/N");
  CHECK(del_from(b, kIAsk, 2) == kApplied);
  CHECK(iasks(b) == "- -");

  CHECK(nw(b, kIBid, 1, 95, 4, kNullOrders) == kApplied);
  CHECK(nw(b, kIBid, 2, 94, 5, kNullOrders) == kApplied);
  CHECK(ibids(b) == "95x4/N 94x5/N");
  CHECK(del(b, kIBid, 1) == kApplied);
  CHECK(ibids(b) == "94x5/N -");
  // Outright sides never saw any of it.
  CHECK(asks(b) == "- - - - - - - - - -");
  CHECK(bids(b) == "- - - - - - - - - -");
}

TEST_CASE("book: Book Reset 'J' empties outright and implied and makes the book complete",
          "[book]") {
  MbpBook b;
  b.configure(4, 2);
  REQUIRE_FALSE(b.complete());
  REQUIRE(nw(b, kBid, 1, 90, 1) == kApplied);
  REQUIRE(nw(b, kBid, 2, 80, 2) == kApplied);
  REQUIRE(nw(b, kAsk, 1, 100, 3) == kApplied);
  REQUIRE(nw(b, kIBid, 1, 91, 4, kNullOrders) == kApplied);
  REQUIRE(nw(b, kIAsk, 1, 99, 5, kNullOrders) == kApplied);
  CHECK(act(b, mdp3::kBookReset, mdp3::kNew, 0) == kApplied);
  CHECK(bids(b) == "- - - -");
  CHECK(asks(b) == "- - - -");
  CHECK(ibids(b) == "- -");
  CHECK(iasks(b) == "- -");
  CHECK(b.complete());
  CHECK(top(b) == tob(0, 0, 0, 0));
  // Valid but empty: a Change or Delete at an empty level is now corrupt.
  CHECK(chg(b, kBid, 1, 90, 1) == kCorrupt);
  CHECK(del(b, kAsk, 1) == kCorrupt);
  CHECK(nw(b, kAsk, 1, 100, 1) == kApplied);
  CHECK(asks(b) == "100x1/1 - - -");
  // The action and level bytes of a 'J' entry do not matter.
  CHECK(act(b, mdp3::kBookReset, mdp3::kDeleteFrom, 7) == kApplied);
  CHECK(asks(b) == "- - - -");
}

TEST_CASE("book: clear(known)", "[book]") {
  MbpBook b = complete_book(3);
  fill_asks(b, 3);
  b.clear(false);
  CHECK_FALSE(b.complete());
  CHECK(asks(b) == "- - -");
  CHECK(chg(b, kAsk, 2, 110, 1) == kApplied);  // unknown again: natural refresh
  CHECK(del(b, kAsk, 3) == kApplied);
  CHECK(asks(b) == "- 110x1/1 -");
  b.clear(true);
  CHECK(b.complete());
  CHECK(asks(b) == "- - -");
  CHECK(chg(b, kAsk, 2, 110, 1) == kCorrupt);
}

TEST_CASE("book: snapshot levels", "[book]") {
  MbpBook b = complete_book(3, 2);
  b.load_level(kBid, 1, 90, 5, 2);
  b.load_level(kBid, 3, 70, 7, 1);
  b.load_level(kAsk, 2, 110, 6, 3);
  b.load_level(kIBid, 2, 89, 4, kNullOrders);
  b.load_level(kIAsk, 3, 120, 1, kNullOrders);  // past the implied depth: ignored
  b.load_level(kAsk, 4, 130, 1, 1);             // past the depth: ignored
  b.load_level(kAsk, 0, 130, 1, 1);             // no level 0
  b.load_level('2', 1, 95, 1, 1);               // a trade entry: not part of the book
  b.load_level('J', 1, 95, 1, 1);
  CHECK(bids(b) == "90x5/2 - 70x7/1");
  CHECK(asks(b) == "- 110x6/3 -");
  CHECK(ibids(b) == "- 89x4/N");
  CHECK(iasks(b) == "- -");
  CHECK(b.complete());
}

TEST_CASE("book: consolidated top of book", "[book]") {
  MbpBook b = complete_book(10, 2);
  CHECK(top(b) == tob(0, 0, 0, 0));

  SECTION("bids: implied better, worse, equal") {
    REQUIRE(nw(b, kBid, 1, 100, 5) == kApplied);
    CHECK(top(b) == tob(100, 5, 0, 0));
    REQUIRE(nw(b, kIBid, 1, 101, 3, kNullOrders) == kApplied);
    CHECK(top(b) == tob(101, 3, 0, 0));  // higher bid wins
    REQUIRE(ovl(b, kIBid, 1, 99, 4, kNullOrders) == kApplied);
    CHECK(top(b) == tob(100, 5, 0, 0));
    REQUIRE(ovl(b, kIBid, 1, 100, 7, kNullOrders) == kApplied);
    CHECK(top(b) == tob(100, 12, 0, 0));  // equal prices: sizes add
    REQUIRE(del_thru(b, kBid) == kApplied);
    CHECK(top(b) == tob(100, 7, 0, 0));  // implied alone
  }
  SECTION("asks: implied better, worse, equal") {
    REQUIRE(nw(b, kAsk, 1, 110, 2) == kApplied);
    CHECK(top(b) == tob(0, 0, 110, 2));
    REQUIRE(nw(b, kIAsk, 1, 109, 1, kNullOrders) == kApplied);
    CHECK(top(b) == tob(0, 0, 109, 1));  // lower ask wins
    REQUIRE(ovl(b, kIAsk, 1, 111, 6, kNullOrders) == kApplied);
    CHECK(top(b) == tob(0, 0, 110, 2));
    REQUIRE(ovl(b, kIAsk, 1, 110, 3, kNullOrders) == kApplied);
    CHECK(top(b) == tob(0, 0, 110, 5));
    REQUIRE(del(b, kAsk, 1) == kApplied);
    CHECK(top(b) == tob(0, 0, 110, 3));
  }
  SECTION("only level 1 of each book counts") {
    REQUIRE(nw(b, kBid, 1, 100, 5) == kApplied);
    REQUIRE(nw(b, kIBid, 1, 95, 1, kNullOrders) == kApplied);
    REQUIRE(nw(b, kIBid, 1, 96, 1, kNullOrders) == kApplied);
    REQUIRE(nw(b, kAsk, 1, 110, 2) == kApplied);
    REQUIRE(nw(b, kAsk, 2, 111, 9) == kApplied);
    REQUIRE(nw(b, kIAsk, 1, 111, 4, kNullOrders) == kApplied);
    CHECK(top(b) == tob(100, 5, 110, 2));  // 111 is level 2 outright: no sum with implied 111
  }
  SECTION("both sides together") {
    REQUIRE(nw(b, kBid, 1, 100, 5) == kApplied);
    REQUIRE(nw(b, kIBid, 1, 100, 1, kNullOrders) == kApplied);
    REQUIRE(nw(b, kAsk, 1, 102, 2) == kApplied);
    REQUIRE(nw(b, kIAsk, 1, 101, 3, kNullOrders) == kApplied);
    CHECK(top(b) == tob(100, 6, 101, 3));
  }
  SECTION("negative prices (calendar spreads)") {
    REQUIRE(nw(b, kBid, 1, -8'750'000'000, 2) == kApplied);  // -8.75
    REQUIRE(nw(b, kIBid, 1, -9'000'000'000, 4, kNullOrders) == kApplied);
    REQUIRE(nw(b, kAsk, 1, -8'500'000'000, 1) == kApplied);
    REQUIRE(nw(b, kIAsk, 1, -8'600'000'000, 3, kNullOrders) == kApplied);
    CHECK(top(b) == tob(-8'750'000'000, 2, -8'600'000'000, 3));
  }
  SECTION("price 0 is a price: the size says whether a side exists") {
    REQUIRE(nw(b, kBid, 1, 0, 3) == kApplied);
    REQUIRE(nw(b, kIBid, 1, -1, 4, kNullOrders) == kApplied);
    CHECK(top(b) == tob(0, 3, 0, 0));
  }
  SECTION("sizes saturate at INT32_MAX") {
    REQUIRE(nw(b, kBid, 1, 100, 2'147'483'600) == kApplied);
    REQUIRE(nw(b, kIBid, 1, 100, 47, kNullOrders) == kApplied);
    CHECK(top(b) == tob(100, 2'147'483'647, 0, 0));  // exactly the maximum, no saturation
    REQUIRE(chg(b, kIBid, 1, 100, 48, kNullOrders) == kApplied);
    CHECK(top(b) == tob(100, 2'147'483'647, 0, 0));  // one over: saturated
    REQUIRE(nw(b, kAsk, 1, 110, 2'147'483'647) == kApplied);
    REQUIRE(nw(b, kIAsk, 1, 110, 2'147'483'647, kNullOrders) == kApplied);
    CHECK(top(b) == tob(100, 2'147'483'647, 110, 2'147'483'647));
  }
  SECTION("an unknown implied level 1 is not used") {
    MbpBook f;  // start-up, not complete
    f.configure(10, 2);
    REQUIRE(chg(f, kIBid, 2, 105, 1, kNullOrders) == kApplied);
    REQUIRE(chg(f, kBid, 1, 100, 5) == kApplied);
    CHECK(top(f) == tob(100, 5, 0, 0));
  }
}

namespace {

// PRICE9 of a price given in hundredths: px(41325) = 413.25.
constexpr std::int64_t px(std::int64_t hundredths) { return hundredths * 10'000'000; }

struct Lv {
  std::int64_t px;
  std::int32_t sz;
  std::int32_t orders;
};

// The offer side before the spec's packet: 10 levels, a tick 0.25 apart with a few gaps.
constexpr std::array<Lv, 10> kBefore{{{px(41250), 1, 1},
                                      {px(41300), 2, 2},
                                      {px(41375), 3, 3},
                                      {px(41400), 4, 4},
                                      {px(41450), 5, 4},
                                      {px(41475), 6, 5},
                                      {px(41500), 7, 6},
                                      {px(41525), 8, 7},
                                      {px(41550), 9, 8},
                                      {px(41600), 10, 9}}};

// After New 413.25 x 2 (1 order) at level 3 and Change level 6 to 414.50 x 3 (1 order):
// old 3..9 are now 4..10, old 10 (416.00) is gone, and the post-shift level 6 (old 5) changed.
constexpr std::array<Lv, 10> kAfter{{{px(41250), 1, 1},
                                     {px(41300), 2, 2},
                                     {px(41325), 2, 1},
                                     {px(41375), 3, 3},
                                     {px(41400), 4, 4},
                                     {px(41450), 3, 1},
                                     {px(41475), 6, 5},
                                     {px(41500), 7, 6},
                                     {px(41525), 8, 7},
                                     {px(41550), 9, 8}}};

void check_side(const BookSide& s, const std::array<Lv, 10>& want) {
  CHECK(s.occupied == 0x3FFu);
  for (std::uint32_t k = 0; k < 10; ++k) {
    INFO("level " << (k + 1));
    CHECK(s.level[k].px == want[k].px);
    CHECK(s.level[k].sz == want[k].sz);
    CHECK(s.level[k].orders == want[k].orders);
  }
}

MbpBook worked_example_book() {
  MbpBook b = complete_book(10, 2);
  // Build the side the way CME would after a reset: a New at each level, best first.
  for (std::uint8_t k = 1; k <= 10; ++k) {
    const Lv& l = kBefore[k - 1];
    REQUIRE(nw(b, kAsk, k, l.px, l.sz, l.orders) == kApplied);
  }
  check_side(b.asks(), kBefore);
  return b;
}

// Applies every book entry of a packet for one instrument, prices converted as the fast path does.
struct BookApplier : mdp3::NullHandler {
  MbpBook* book;
  std::vector<std::string> results;
  std::vector<std::uint32_t> rpt;
  void on_book_entry(const mdp3::MsgCtx& m, std::uint32_t, const mdp3::BookEntry& e) {
    if (e.security_id != 411873) return;
    results.push_back(name(book->apply(e, mdp3::to_price9(e.price, m.template_id))));
    rpt.push_back(e.rpt_seq);
  }
};

}  // namespace

TEST_CASE("book: spec worked example, entries applied directly", "[book][spec]") {
  MbpBook b = worked_example_book();
  CHECK(nw(b, kAsk, 3, px(41325), 2, 1) == kApplied);
  CHECK(chg(b, kAsk, 6, px(41450), 3, 1) == kApplied);
  check_side(b.asks(), kAfter);
  CHECK(top(b) == tob(0, 0, px(41250), 1));
  // The Change names the post-shift level: against the pre-shift level 6 (414.75) it would have
  // been a price mismatch.
  MbpBook c = worked_example_book();
  CHECK(chg(c, kAsk, 6, px(41450), 3, 1) == kCorrupt);
  check_side(c.asks(), kBefore);
}

TEST_CASE("book: spec worked example, decoded from the packet's bytes", "[book][spec]") {
  // Section 5 of the spec, byte for byte: seq 5828, template 32 v6 with two entries (New offer
  // 413.25 x 2 at level 3, Change offer 414.50 x 3 at level 6), then an empty EndOfEvent message.
  const std::vector<std::uint8_t> p = {
      0xc4, 0x16, 0x00, 0x00, 0x7b, 0x3c, 0x29, 0x6e, 0x77, 0x53, 0x86, 0x14,  // 00 header
      0x58, 0x00, 0x0b, 0x00, 0x20, 0x00, 0x01, 0x00, 0x06, 0x00,              // 0C msg hdr
      0xd9, 0x6d, 0x18, 0x6e, 0x77, 0x53, 0x86, 0x14, 0x04, 0x00, 0x00,        // 16 root
      0x20, 0x00, 0x02,                                                        // 21 group
      0x20, 0xf2, 0x50, 0xf6, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,  // 24 entry 0
      0xe1, 0x48, 0x06, 0x00, 0x97, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
      0x03, 0x00, 0x31, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x40, 0xae, 0x0f, 0xf7, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,  // 44 entry 1
      0xe1, 0x48, 0x06, 0x00, 0x98, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
      0x06, 0x01, 0x31, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x18, 0x00, 0x0b, 0x00, 0x20, 0x00, 0x01, 0x00, 0x06, 0x00,              // 64 msg hdr
      0xd9, 0x6d, 0x18, 0x6e, 0x77, 0x53, 0x86, 0x14, 0x80, 0x00, 0x00,        // 6E root
      0x20, 0x00, 0x00};                                                       // 79 group
  MbpBook b = worked_example_book();
  BookApplier h;
  h.book = &b;
  REQUIRE(p.size() == 124);
  REQUIRE(mdp3::decode_packet(p.data(), static_cast<std::uint32_t>(p.size()), h) == mdp3::MsgError::kOk);
  REQUIRE(h.results.size() == 2);
  CHECK(h.results[0] == kApplied);
  CHECK(h.results[1] == kApplied);
  CHECK(h.rpt == std::vector<std::uint32_t>{151, 152});
  check_side(b.asks(), kAfter);
}

TEST_CASE("book: capture starts without a snapshot (natural refresh)", "[book]") {
  MbpBook b;
  b.configure(10, 2);
  REQUIRE_FALSE(b.complete());
  // A Change at a level never seen: it is the truth for that position (CME levels are positional).
  CHECK(chg(b, kAsk, 6, px(41450), 3, 1) == kApplied);
  CHECK(b.asks().occupied == 0b100000u);
  CHECK(top(b) == tob(0, 0, 0, 0));  // level 1 unknown: no ask yet
  // A New above it: the known level moves down with everything else.
  CHECK(nw(b, kAsk, 3, px(41325), 2, 1) == kApplied);
  CHECK(b.asks().occupied == 0b1000100u);
  CHECK(b.asks().level[2].px == px(41325));
  CHECK(b.asks().level[6].px == px(41450));
  // A Delete at an unknown level: levels below move up one, still exact.
  CHECK(del(b, kAsk, 1) == kApplied);
  CHECK(b.asks().occupied == 0b100010u);
  CHECK(b.asks().level[1].px == px(41325));
  CHECK(b.asks().level[5].px == px(41450));
  // A New past the last known level.
  CHECK(nw(b, kAsk, 9, px(41550), 9, 8) == kApplied);
  CHECK(b.asks().occupied == 0b100100010u);
  // Level 1 becomes known.
  CHECK(nw(b, kAsk, 1, px(41300), 4, 2) == kApplied);
  CHECK(b.asks().occupied == 0b1001000101u);
  CHECK(top(b) == tob(0, 0, px(41300), 4));
  // Bids: a Delete at an empty level is not corrupt here, and a Change fills level 1.
  CHECK(del(b, kBid, 1) == kApplied);
  CHECK(chg(b, kBid, 1, px(41275), 7, 3) == kApplied);
  CHECK(top(b) == tob(px(41275), 7, px(41300), 4));
  CHECK_FALSE(b.complete());  // only a reset or a snapshot makes it complete
  CHECK(act(b, mdp3::kBookReset, 0, 0) == kApplied);
  CHECK(b.complete());
}

// top_version() is how the fast path skips an unchanged instrument's publication
// (host/src/fast_path.cpp): it must move whenever top() may have moved. Random entries on every
// side and depth (implied depth 0 included, levels beyond the depth, every action): a top that
// changed with the version unchanged is a missed publication. The other way, the documented
// shortcut (host/include/ttq/book.hpp, apply_side): New / Change / Overlay / Delete at a level
// >= 2 leave the version alone, DeleteThru and DeleteFrom always move it by one.
TEST_CASE("book: top_version moves whenever the top of book may move", "[book]") {
  std::mt19937 rng(20261129);
  const char types[] = {kBid, kAsk, kIBid, kIAsk};
  std::uint64_t moved = 0, top_changes = 0;
  for (int round = 0; round < 40; ++round) {
    MbpBook b;
    b.configure(static_cast<std::uint8_t>(1 + rng() % 10), static_cast<std::uint8_t>(rng() % 3));
    if (rng() % 2) b.clear(true);
    for (int i = 0; i < 5000; ++i) {
      const char t = types[rng() % 4];
      const auto action = static_cast<std::uint8_t>(rng() % 6);
      const auto level = static_cast<std::uint8_t>(1 + rng() % 12);
      const std::int64_t px = static_cast<std::int64_t>(100 + rng() % 8) * 1'000'000'000;
      const TopOfBook before = b.top();
      const std::uint64_t v0 = b.top_version();
      act(b, t, action, level, px, static_cast<std::int32_t>(1 + rng() % 50));
      const std::uint64_t dv = b.top_version() - v0;
      if (!(b.top() == before)) {
        ++top_changes;
        INFO("round " << round << " entry " << i << " action " << int(action) << " level "
                      << int(level) << " type " << t);
        REQUIRE(dv != 0);
      }
      if (action == mdp3::kDeleteThru || action == mdp3::kDeleteFrom) {
        REQUIRE(dv == 1);
      } else if (level >= 2) {
        REQUIRE(dv == 0);
      } else {
        REQUIRE(dv == 1);
      }
      moved += dv;
    }
  }
  // The random stream did move the top (the property above was exercised).
  CHECK(top_changes > 10000);
  CHECK(moved > top_changes);
}
