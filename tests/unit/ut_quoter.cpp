// Unit tests of the quoter model (host/src/quoter.cpp) against docs/quoting.md. Every expected
// value is worked out by hand in the comment next to it; none comes from running the quoter.
#include <array>
#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <sstream>
#include <string>

#include "ttq/quote.hpp"
#include "ttq/quoter.hpp"

namespace Catch {
template <>
struct StringMaker<ttq::QuoteLevel> {
  static std::string convert(const ttq::QuoteLevel& q) {
    std::ostringstream os;
    os << "{bid " << q.bid_px << " x " << q.bid_sz << ", ask " << q.ask_px << " x " << q.ask_sz
       << ", flags 0x" << std::hex << int{q.flags} << "}";
    return os.str();
  }
};
}  // namespace Catch

namespace {

using ttq::QuoteLevel;
using ttq::QuoterParams;
using ttq::RefMode;
using ttq::SkewParams;
using ttq::SkewRegs;
using ttq::TopOfBook;

// An ES-like instrument: tick 0.25, best bid 5000.00. PRICE9 mantissas are price x 1e9.
constexpr std::int64_t kT = 250'000'000;  // 0.25
constexpr std::int64_t kP4997_50 = 4'997'500'000'000;
constexpr std::int64_t kP4999_00 = 4'999'000'000'000;
constexpr std::int64_t kP4999_50 = 4'999'500'000'000;
constexpr std::int64_t kP4999_75 = 4'999'750'000'000;
constexpr std::int64_t kP5000_00 = 5'000'000'000'000;  // B in every test unless stated
constexpr std::int64_t kP5000_25 = 5'000'250'000'000;
constexpr std::int64_t kP5000_50 = 5'000'500'000'000;
constexpr std::int64_t kP5000_75 = 5'000'750'000'000;
constexpr std::int64_t kP5001_00 = 5'001'000'000'000;
constexpr std::int64_t kP5001_25 = 5'001'250'000'000;
constexpr std::int64_t kP5001_50 = 5'001'500'000'000;
constexpr std::int64_t kP5001_75 = 5'001'750'000'000;

constexpr std::uint8_t kBid = ttq::kQuoteBidLive;
constexpr std::uint8_t kAsk = ttq::kQuoteAskLive;
constexpr std::uint8_t kBoth = ttq::kQuoteBidLive | ttq::kQuoteAskLive;
constexpr std::uint8_t kPullBook = ttq::kQuotePullBook;

constexpr QuoteLevel kSentinel{-1, -1, -1, -1, 0xFF};
constexpr QuoteLevel kPulledBook{0, 0, 0, 0, kPullBook};

using Ladder = std::array<QuoteLevel, ttq::kMaxLevels>;

TopOfBook book(std::int64_t ask_px, std::int32_t bid_sz = 10, std::int32_t ask_sz = 10) {
  return TopOfBook{kP5000_00, ask_px, bid_sz, ask_sz};
}

// Runs the quoter into a ladder pre-filled with a sentinel, so unwritten levels show.
Ladder quote(const TopOfBook& tob, const QuoterParams& p, const SkewRegs& skew = {},
             std::uint8_t pull_flags = 0, std::int64_t tick = kT) {
  Ladder out;
  out.fill(kSentinel);
  ttq::compute_quotes(tob, tick, p, skew, pull_flags, out);
  return out;
}

QuoterParams mid_params() {
  QuoterParams p;
  p.ref_mode = RefMode::kMid;
  return p;
}

}  // namespace

TEST_CASE("quoter: join mode quotes the touch", "[quoter]") {
  QuoterParams p;  // join, offsets 0, min spread 1, size 1
  // n = 1: rb = 0, ra = 1; w = 1 - (1 - 0) = 0; bid_shift = max(0, 0 - 0) = 0,
  // ask_shift = max(0, 1 - 1) = 0. bid = B, ask = B + 1T = 5000.25.
  Ladder q = quote(book(kP5000_25), p);
  CHECK(q[0] == QuoteLevel{kP5000_00, kP5000_25, 1, 1, kBoth});
  CHECK(q[1] == kSentinel);  // levels = 1: exactly one entry written

  // n = 4 (5001.00 - 5000.00 = 1.00 = 4T): rb = 0, ra = 4. bid 5000.00, ask 5001.00.
  q = quote(book(kP5001_00), p);
  CHECK(q[0] == QuoteLevel{kP5000_00, kP5001_00, 1, 1, kBoth});
}

TEST_CASE("quoter: ask reference is B + floor(d/T) ticks on an off-grid book", "[quoter]") {
  QuoterParams p;
  // d = 5000.30 - 5000.00 = 300'000'000; n = 300'000'000 / 250'000'000 = 1 (floor).
  // ra = 1: ask = B + 1T = 5000.25 (below the off-grid ask, still above B: post-only holds).
  const Ladder q = quote(book(5'000'300'000'000), p);
  CHECK(q[0] == QuoteLevel{kP5000_00, kP5000_25, 1, 1, kBoth});
}

TEST_CASE("quoter: mid mode with odd and even spreads", "[quoter]") {
  QuoterParams p = mid_params();

  // n = 5 (odd): rb = 5 >> 1 = 2, ra = 5 - 2 = 3; spread 1 >= min 1, no shifts.
  // bid = B + 2T = 5000.50, ask = B + 3T = 5000.75.
  Ladder q = quote(book(kP5001_25), p);
  CHECK(q[0] == QuoteLevel{kP5000_50, kP5000_75, 1, 1, kBoth});

  // n = 1: rb = 0, ra = 1 (same as join). bid 5000.00, ask 5000.25.
  q = quote(book(kP5000_25), p);
  CHECK(q[0] == QuoteLevel{kP5000_00, kP5000_25, 1, 1, kBoth});

  // n = 4 (even): rb = 2, ra = 2, spread 0. min 1: w = 1 - 0 = 1 -> bid -= (1+1)>>1 = 1,
  // ask += 1>>1 = 0: bk = 1, ak = 2. bid 5000.25, ask 5000.50.
  q = quote(book(kP5001_00), p);
  CHECK(q[0] == QuoteLevel{kP5000_25, kP5000_50, 1, 1, kBoth});

  SECTION("min spread 0: an odd mid keeps the extra tick on the ask side") {
    p.min_spread_ticks = 0;
    // n = 5: rb = 2, ra = 3 (not rb = 3, ra = 2); w = 0 - 1 < 0. bid 5000.50, ask 5000.75.
    q = quote(book(kP5001_25), p);
    CHECK(q[0] == QuoteLevel{kP5000_50, kP5000_75, 1, 1, kBoth});
  }
  SECTION("min spread 0 lets an even mid quote bid == ask") {
    p.min_spread_ticks = 0;
    // n = 4: bk = ak = 2; w = 0 - 0 = 0. bid = ask = 5000.50.
    q = quote(book(kP5001_00), p);
    CHECK(q[0] == QuoteLevel{kP5000_50, kP5000_50, 1, 1, kBoth});
  }
  SECTION("min spread 2 on an even mid widens both sides by one") {
    p.min_spread_ticks = 2;
    // n = 4: bk = ak = 2; w = 2 - 0 = 2 -> bk -= 1, ak += 1: bk = 1, ak = 3.
    q = quote(book(kP5001_00), p);
    CHECK(q[0] == QuoteLevel{kP5000_25, kP5000_75, 1, 1, kBoth});
  }
}

TEST_CASE("quoter: offsets move each side away from (or toward) the reference", "[quoter]") {
  SECTION("positive offsets widen") {
    QuoterParams p;
    p.bid_offset_ticks = 2;
    p.ask_offset_ticks = 1;
    // n = 2: bk = 0 - 2 = -2, ak = 2 + 1 = 3; w = 1 - 5 < 0; bid_shift = max(0, -2 - 1) = 0,
    // ask_shift = max(0, 1 - 3) = 0. bid = B - 2T = 4999.50, ask = B + 3T = 5000.75.
    const Ladder q = quote(book(kP5000_50), p);
    CHECK(q[0] == QuoteLevel{kP4999_50, kP5000_75, 1, 1, kBoth});
  }
  SECTION("negative offsets tighten, then min spread (odd w) restores the width") {
    QuoterParams p = mid_params();
    p.bid_offset_ticks = -1;
    p.ask_offset_ticks = -1;
    // n = 6: rb = 3, ra = 3; bk = 3 + 1 = 4, ak = 3 - 1 = 2; ak - bk = -2; w = 1 + 2 = 3:
    // bk -= (3+1)>>1 = 2 -> 2, ak += 3>>1 = 1 -> 3. bid_shift = max(0, 2 - 5) = 0.
    // bid = B + 2T = 5000.50, ask = B + 3T = 5000.75.
    const Ladder q = quote(book(kP5001_50), p);
    CHECK(q[0] == QuoteLevel{kP5000_50, kP5000_75, 1, 1, kBoth});
  }
}

TEST_CASE("quoter: compute_skew price shift floors like an arithmetic shift", "[quoter][skew]") {
  SkewParams sp;
  sp.price_skew_q8 = 64;  // 0.25 tick per lot
  // 10 * 64 = 640; 640 >> 8 = 2 (2.5 floored).
  CHECK(ttq::compute_skew(10, sp).shift_ticks == 2);
  // -10 * 64 = -640; -640 >> 8 = -3 (floor(-2.5) = -3, not the truncated -2).
  CHECK(ttq::compute_skew(-10, sp).shift_ticks == -3);
  // 4 * 64 = 256 -> exactly 1; -4 * 64 = -256 -> exactly -1.
  CHECK(ttq::compute_skew(4, sp).shift_ticks == 1);
  CHECK(ttq::compute_skew(-4, sp).shift_ticks == -1);
  // 1 * 64 = 64 -> 0; -1 * 64 = -64 -> floor(-0.25) = -1.
  CHECK(ttq::compute_skew(1, sp).shift_ticks == 0);
  CHECK(ttq::compute_skew(-1, sp).shift_ticks == -1);
  CHECK(ttq::compute_skew(0, sp).shift_ticks == 0);
  // Price skew ignores the target position: only the size skew uses it.
  sp.target_position = 100;
  CHECK(ttq::compute_skew(10, sp).shift_ticks == 2);
  CHECK(ttq::compute_skew(10, sp).size_adj == 0);  // size_skew_q8 = 0
}

TEST_CASE("quoter: compute_skew clamps and survives 64x32-bit products", "[quoter][skew]") {
  SkewParams sp;
  sp.price_skew_q8 = 256;  // 1 tick per lot
  sp.size_skew_q8 = 256;   // 1 lot per lot
  // 2^20 lots * 256 >> 8 = 2^20: at the clamp, kept. 2^20 + 1 -> clamped to 2^20.
  CHECK(ttq::compute_skew(1 << 20, sp).shift_ticks == (1 << 20));
  CHECK(ttq::compute_skew((1 << 20) + 1, sp).shift_ticks == (1 << 20));
  CHECK(ttq::compute_skew(-(1 << 20) - 1, sp).shift_ticks == -(1 << 20));
  // size_adj clamps at +-2^30.
  CHECK(ttq::compute_skew(std::int64_t{1} << 31, sp).size_adj == (1 << 30));
  CHECK(ttq::compute_skew(-(std::int64_t{1} << 31), sp).size_adj == -(1 << 30));
  // INT64_MAX * INT32_MAX needs ~94 bits; (INT64_MIN - 1) - target needs 65: both clamp.
  sp.price_skew_q8 = std::numeric_limits<std::int32_t>::max();
  sp.size_skew_q8 = std::numeric_limits<std::int32_t>::max();
  const SkewRegs hi = ttq::compute_skew(std::numeric_limits<std::int64_t>::max(), sp);
  CHECK(hi.shift_ticks == (1 << 20));
  CHECK(hi.size_adj == (1 << 30));
  sp.target_position = 1;
  const SkewRegs lo = ttq::compute_skew(std::numeric_limits<std::int64_t>::min(), sp);
  CHECK(lo.shift_ticks == -(1 << 20));
  CHECK(lo.size_adj == -(1 << 30));
}

TEST_CASE("quoter: compute_skew sizes lean toward the target position", "[quoter][skew]") {
  SkewParams sp;
  sp.size_skew_q8 = 128;  // half a lot per lot away from target
  sp.target_position = 5;
  // (15 - 5) * 128 = 1280; >> 8 = 5: long of target -> buy 5 fewer, sell 5 more.
  CHECK(ttq::compute_skew(15, sp).size_adj == 5);
  // (-5 - 5) * 128 = -1280; >> 8 = -5.
  CHECK(ttq::compute_skew(-5, sp).size_adj == -5);
  // (6 - 5) * 128 = 128 -> 0 (0.5 floored); (4 - 5) * 128 = -128 -> -1 (floor(-0.5)).
  CHECK(ttq::compute_skew(6, sp).size_adj == 0);
  CHECK(ttq::compute_skew(4, sp).size_adj == -1);
  CHECK(ttq::compute_skew(5, sp).size_adj == 0);
  CHECK(ttq::compute_skew(15, sp).shift_ticks == 0);  // price_skew_q8 = 0
}

TEST_CASE("quoter: skew shift moves both sides down when long, up when short", "[quoter]") {
  QuoterParams p;
  SECTION("long: shift +2") {
    // n = 4: bk = 0 - 2 = -2, ak = 4 - 2 = 2; w < 0; no post-only shift.
    // bid = B - 2T = 4999.50, ask = B + 2T = 5000.50.
    const Ladder q = quote(book(kP5001_00), p, SkewRegs{2, 0});
    CHECK(q[0] == QuoteLevel{kP4999_50, kP5000_50, 1, 1, kBoth});
  }
  SECTION("short: shift -3 (position -10 at 0.25 tick/lot, floored)") {
    // n = 4: bk = 0 + 3 = 3, ak = 4 + 3 = 7; bid_shift = max(0, 3 - 3) = 0 (one tick under A).
    // bid = B + 3T = 5000.75, ask = B + 7T = 5001.75.
    const Ladder q = quote(book(kP5001_00), p, SkewRegs{-3, 0});
    CHECK(q[0] == QuoteLevel{kP5000_75, kP5001_75, 1, 1, kBoth});
  }
  SECTION("long beyond the spread: the ask is pinned one tick above B") {
    // n = 4: bk = -10, ak = 4 - 10 = -6; w = 1 - 4 < 0; ask_shift = max(0, 1 + 6) = 7 -> ak = 1.
    // bid = B - 10T = 4997.50, ask = B + T = 5000.25.
    const Ladder q = quote(book(kP5001_00), p, SkewRegs{10, 0});
    CHECK(q[0] == QuoteLevel{kP4997_50, kP5000_25, 1, 1, kBoth});
  }
}

TEST_CASE("quoter: size skew and size clamping", "[quoter]") {
  QuoterParams p;
  p.order_size = 10;
  SECTION("long of target: smaller bid, larger ask") {
    // bid 10 - 5 = 5, ask 10 + 5 = 15.
    const Ladder q = quote(book(kP5000_25), p, SkewRegs{0, 5});
    CHECK(q[0] == QuoteLevel{kP5000_00, kP5000_25, 5, 15, kBoth});
  }
  SECTION("short of target: larger bid, smaller ask") {
    // bid 10 + 5 = 15, ask 10 - 5 = 5.
    const Ladder q = quote(book(kP5000_25), p, SkewRegs{0, -5});
    CHECK(q[0] == QuoteLevel{kP5000_00, kP5000_25, 15, 5, kBoth});
  }
  SECTION("adjustment beyond the order size kills that side (canonical zeros)") {
    // bid max(0, 10 - 20) = 0 -> bid_px 0, not live; ask 10 + 20 = 30.
    const Ladder q = quote(book(kP5000_25), p, SkewRegs{0, 20});
    CHECK(q[0] == QuoteLevel{0, kP5000_25, 0, 30, kAsk});
  }
  SECTION("sizes clamp to int32 max") {
    p.order_size = 1 << 30;
    // bid 2^30 + 2^30 = 2^31 -> 2147483647; ask 2^30 - 2^30 = 0 -> dead.
    const Ladder q = quote(book(kP5000_25), p, SkewRegs{0, -(1 << 30)});
    CHECK(q[0] == QuoteLevel{kP5000_00, 0, 2'147'483'647, 0, kBid});
  }
  SECTION("order size 0 quotes nothing but is not a pull") {
    p.order_size = 0;
    const Ladder q = quote(book(kP5000_25), p);
    CHECK(q[0] == QuoteLevel{0, 0, 0, 0, 0});
  }
}

TEST_CASE("quoter: min spread widens from level 0, odd shortfall to the bid", "[quoter]") {
  QuoterParams p;
  SECTION("odd w") {
    p.min_spread_ticks = 4;
    // n = 1: bk = 0, ak = 1; w = 4 - 1 = 3: bk -= (3+1)>>1 = 2 -> -2, ak += 3>>1 = 1 -> 2.
    // bid = B - 2T = 4999.50, ask = B + 2T = 5000.50.
    const Ladder q = quote(book(kP5000_25), p);
    CHECK(q[0] == QuoteLevel{kP4999_50, kP5000_50, 1, 1, kBoth});
  }
  SECTION("even w") {
    p.min_spread_ticks = 3;
    // n = 1: w = 3 - 1 = 2: bk -= 1 -> -1, ak += 1 -> 2. bid 4999.75, ask 5000.50.
    const Ladder q = quote(book(kP5000_25), p);
    CHECK(q[0] == QuoteLevel{kP4999_75, kP5000_50, 1, 1, kBoth});
  }
  SECTION("applies to every level by the level-0 amount") {
    p.min_spread_ticks = 4;
    p.levels = 2;
    // Level 0 as in "odd w": bk = -2, ak = 2. Level 1 (spacing 1): bk = -3, ak = 3.
    // bid1 = B - 3T = 4999.25, ask1 = B + 3T = 5000.75.
    const Ladder q = quote(book(kP5000_25), p);
    CHECK(q[0] == QuoteLevel{kP4999_50, kP5000_50, 1, 1, kBoth});
    CHECK(q[1] == QuoteLevel{4'999'250'000'000, kP5000_75, 1, 1, kBoth});
  }
}

TEST_CASE("quoter: post-only shifts the whole ladder on each side", "[quoter]") {
  QuoterParams p;
  p.levels = 2;
  SECTION("bid that would reach the ask moves down") {
    p.bid_offset_ticks = -5;
    // n = 4: bk = 0 + 5 = 5, ak = 4; ak - bk = -1; w = 1 + 1 = 2: bk -= 1 -> 4, ak += 1 -> 5.
    // bid_shift = max(0, 4 - (4 - 1)) = 1 -> bk = 3; ask_shift = max(0, 1 - 5) = 0.
    // L0: bid = B + 3T = 5000.75 (one tick under A = 5001.00), ask = B + 5T = 5001.25.
    // L1: bk = 3 - 1 = 2 -> 5000.50, ak = 5 + 1 = 6 -> 5001.50.
    const Ladder q = quote(book(kP5001_00), p);
    CHECK(q[0] == QuoteLevel{kP5000_75, kP5001_25, 1, 1, kBoth});
    CHECK(q[1] == QuoteLevel{kP5000_50, kP5001_50, 1, 1, kBoth});
  }
  SECTION("ask that would reach the bid moves up") {
    p.ask_offset_ticks = -6;
    p.level_spacing_ticks = 2;
    // n = 4: bk = 0, ak = 4 - 6 = -2; w = 1 - (-2) = 3: bk -= 2 -> -2, ak += 1 -> -1.
    // bid_shift = max(0, -2 - 3) = 0; ask_shift = max(0, 1 - (-1)) = 2 -> ak = 1.
    // L0: bid = B - 2T = 4999.50, ask = B + T = 5000.25.
    // L1 (spacing 2): bk = -4 -> 4999.00, ak = 3 -> 5000.75.
    const Ladder q = quote(book(kP5001_00), p);
    CHECK(q[0] == QuoteLevel{kP4999_50, kP5000_25, 1, 1, kBoth});
    CHECK(q[1] == QuoteLevel{kP4999_00, kP5000_75, 1, 1, kBoth});
  }
}

TEST_CASE("quoter: price floor and ceiling suppress sides", "[quoter]") {
  QuoterParams p;
  // Join n = 1: bid 5000.00, ask 5000.25.
  SECTION("bid at the ceiling stays; above it is pulled") {
    p.price_ceiling = kP5000_00;  // 5000.00 > 5000.00 is false: live
    CHECK(quote(book(kP5000_25), p)[0] == QuoteLevel{kP5000_00, kP5000_25, 1, 1, kBoth});
    p.price_ceiling = kP4999_75;  // 5000.00 > 4999.75: bid size 0, px 0
    CHECK(quote(book(kP5000_25), p)[0] == QuoteLevel{0, kP5000_25, 0, 1, kAsk});
  }
  SECTION("ask at the floor stays; below it is pulled") {
    p.price_floor = kP5000_25;  // 5000.25 < 5000.25 is false: live
    CHECK(quote(book(kP5000_25), p)[0] == QuoteLevel{kP5000_00, kP5000_25, 1, 1, kBoth});
    p.price_floor = kP5000_50;  // 5000.25 < 5000.50: ask size 0, px 0
    CHECK(quote(book(kP5000_25), p)[0] == QuoteLevel{kP5000_00, 0, 1, 0, kBid});
  }
  SECTION("per level") {
    p.levels = 3;
    p.price_ceiling = 4'999'800'000'000;  // 4999.80: bids 5000.00 out; 4999.75, 4999.50 in
    p.price_floor = 5'000'400'000'000;    // 5000.40: asks 5000.25 out; 5000.50, 5000.75 in
    const Ladder q = quote(book(kP5000_25), p);
    CHECK(q[0] == QuoteLevel{0, 0, 0, 0, 0});
    CHECK(q[1] == QuoteLevel{kP4999_75, kP5000_50, 1, 1, kBoth});
    CHECK(q[2] == QuoteLevel{kP4999_50, kP5000_75, 1, 1, kBoth});
    CHECK(q[3] == kSentinel);
  }
}

TEST_CASE("quoter: multi-level spacing and size step", "[quoter]") {
  QuoterParams p;
  p.levels = 3;
  p.level_spacing_ticks = 2;
  p.order_size = 5;
  p.size_step = 3;
  // n = 2: level i: bk = -2i, ak = 2 + 2i; s = 5 + 3i; size_adj 1: bid s - 1, ask s + 1.
  // L0: bid 5000.00 x 4,  ask 5000.50 x 6
  // L1: bid 4999.50 x 7,  ask 5001.00 x 9
  // L2: bid 4999.00 x 10, ask 5001.50 x 12
  const Ladder q = quote(book(kP5000_50), p, SkewRegs{0, 1});
  CHECK(q[0] == QuoteLevel{kP5000_00, kP5000_50, 4, 6, kBoth});
  CHECK(q[1] == QuoteLevel{kP4999_50, kP5001_00, 7, 9, kBoth});
  CHECK(q[2] == QuoteLevel{kP4999_00, kP5001_50, 10, 12, kBoth});
  CHECK(q[3] == kSentinel);

  SECTION("card subset: level 0 does not depend on the number of levels") {
    p.levels = 1;  // same hand values as L0 above
    const Ladder q1 = quote(book(kP5000_50), p, SkewRegs{0, 1});
    CHECK(q1[0] == QuoteLevel{kP5000_00, kP5000_50, 4, 6, kBoth});
    CHECK(q1[1] == kSentinel);
  }
}

TEST_CASE("quoter: unquotable books pull every level with kQuotePullBook", "[quoter]") {
  QuoterParams p;
  p.levels = 2;
  p.max_spread_ticks = 4;
  const auto pulled = [&](const TopOfBook& tob) {
    const Ladder q = quote(tob, p);
    return q[0] == kPulledBook && q[1] == kPulledBook && q[2] == kSentinel;
  };
  CHECK(pulled(book(kP5000_25, 0, 10)));   // no bid
  CHECK(pulled(book(kP5000_25, 10, 0)));   // no ask
  CHECK(pulled(book(kP5000_25, -1, 10)));  // negative size counts as empty
  CHECK(pulled(book(kP4999_75)));          // crossed: d = -T
  CHECK(pulled(book(kP5000_00)));          // locked: d = 0
  CHECK(pulled(book(5'000'100'000'000)));  // d = 0.10 < T: n = 0
  CHECK(pulled(book(kP5001_25)));          // n = 5 > max 4
  // n = 4 = max: quoted. d = 5T - 1 also floors to n = 4: quoted.
  CHECK(quote(book(kP5001_00), p)[0] == QuoteLevel{kP5000_00, kP5001_00, 1, 1, kBoth});
  CHECK(quote(book(kP5001_25 - 1), p)[0] == QuoteLevel{kP5000_00, kP5001_00, 1, 1, kBoth});
  // A - B beyond int64 (garbage book): pulled, not wrapped around into a quote.
  CHECK(pulled(TopOfBook{std::numeric_limits<std::int64_t>::min(),
                         std::numeric_limits<std::int64_t>::max(), 10, 10}));
  // Tick 0 is out of contract: pulled rather than divided by.
  const Ladder q = quote(book(kP5000_25), p, {}, 0, 0);
  CHECK(q[0] == kPulledBook);
}

TEST_CASE("quoter: pull flags empty every level and win over the book", "[quoter]") {
  QuoterParams p;
  p.levels = 3;
  Ladder q = quote(book(kP5000_25), p, {}, ttq::kQuotePullStale);
  for (int i = 0; i < 3; ++i) CHECK(q[i] == QuoteLevel{0, 0, 0, 0, ttq::kQuotePullStale});
  CHECK(q[3] == kSentinel);

  // Combined bits are passed through as they are, even on a crossed book.
  constexpr std::uint8_t kHaltKill = ttq::kQuotePullHalt | ttq::kQuotePullKill;
  q = quote(book(kP4999_75), p, {}, kHaltKill);
  for (int i = 0; i < 3; ++i) CHECK(q[i] == QuoteLevel{0, 0, 0, 0, kHaltKill});
}

TEST_CASE("quoter: a price int64 cannot hold is not quoted", "[quoter]") {
  QuoterParams p;
  p.ask_offset_ticks = 20;
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  // B = max - 10T, A = max - 9T (n = 1): bid = B live; ask = B + 21T = max + 11T: not quoted.
  const TopOfBook tob{kMax - 10 * kT, kMax - 9 * kT, 10, 10};
  const Ladder q = quote(tob, p);
  CHECK(q[0] == QuoteLevel{kMax - 10 * kT, 0, 1, 0, kBid});
}

TEST_CASE("quoter: a short output span is not overrun", "[quoter]") {
  QuoterParams p;
  p.levels = 3;
  Ladder out;
  out.fill(kSentinel);
  ttq::compute_quotes(book(kP5000_25), kT, p, {}, 0, std::span<QuoteLevel>(out).first(1));
  CHECK(out[0] == QuoteLevel{kP5000_00, kP5000_25, 1, 1, kBoth});
  CHECK(out[1] == kSentinel);
}

TEST_CASE("quoter: needs_requote tolerance, sizes and sides", "[quoter][requote]") {
  // Last sent: 5000.00 x 5 / 5000.50 x 5.
  const QuoteLevel prev{kP5000_00, kP5000_50, 5, 5, kBoth};
  QuoteLevel next = prev;

  SECTION("tolerance 2 ticks: below / at / above") {
    CHECK_FALSE(ttq::needs_requote(prev, next, kT, 2));  // no change
    next.bid_px = kP4999_75;                             // 1 tick < 2
    CHECK_FALSE(ttq::needs_requote(prev, next, kT, 2));
    next.bid_px = kP4999_50;  // 2 ticks = 2: requote
    CHECK(ttq::needs_requote(prev, next, kT, 2));
    next.bid_px = kP5000_00;
    next.ask_px = kP5001_25;  // ask 3 ticks > 2
    CHECK(ttq::needs_requote(prev, next, kT, 2));
    next.ask_px = kP5000_75;  // ask 1 tick up: below
    CHECK_FALSE(ttq::needs_requote(prev, next, kT, 2));
    next.ask_px = kP5000_50 + 2 * kT - 1;  // 2 ticks less 1e-9: still below
    CHECK_FALSE(ttq::needs_requote(prev, next, kT, 2));
  }
  SECTION("a size change requotes whatever the tolerance") {
    next.bid_sz = 6;
    CHECK(ttq::needs_requote(prev, next, kT, 100));
    next = prev;
    next.ask_sz = 4;
    CHECK(ttq::needs_requote(prev, next, kT, 100));
  }
  SECTION("a side appearing or disappearing requotes") {
    next = QuoteLevel{0, kP5000_50, 0, 5, kAsk};  // bid gone
    CHECK(ttq::needs_requote(prev, next, kT, 100));
    CHECK(ttq::needs_requote(next, prev, kT, 100));  // bid back
    // Same flags but a pull reason changes: flags differ, requote.
    CHECK(ttq::needs_requote(QuoteLevel{0, 0, 0, 0, ttq::kQuotePullStale},
                             QuoteLevel{0, 0, 0, 0, ttq::kQuotePullHalt}, kT, 1));
    CHECK_FALSE(ttq::needs_requote(QuoteLevel{0, 0, 0, 0, ttq::kQuotePullStale},
                                   QuoteLevel{0, 0, 0, 0, ttq::kQuotePullStale}, kT, 1));
  }
  SECTION("only live sides' prices count") {
    const QuoteLevel a{kP4999_00, kP5000_50, 0, 5, kAsk};  // non-canonical dead bid price
    const QuoteLevel b{0, kP5000_50, 0, 5, kAsk};
    CHECK_FALSE(ttq::needs_requote(a, b, kT, 1));
    const QuoteLevel c{kP5000_00, kP5001_50, 5, 0, kBid};  // non-canonical dead ask price
    const QuoteLevel e{kP5000_00, 0, 5, 0, kBid};
    CHECK_FALSE(ttq::needs_requote(c, e, kT, 1));
  }
  SECTION("tolerance 0 and 1: any move of a tick or more requotes") {
    CHECK_FALSE(ttq::needs_requote(prev, next, kT, 0));
    CHECK_FALSE(ttq::needs_requote(prev, next, kT, 1));
    next.bid_px = kP4999_75;  // 1 tick: 1T >= 0 and 1T >= 1T
    CHECK(ttq::needs_requote(prev, next, kT, 0));
    CHECK(ttq::needs_requote(prev, next, kT, 1));
    // A sub-tick move (1e-9): >= 0 * T requotes, < 1 * T does not (delta >= tol * T).
    next.bid_px = kP5000_00 + 1;
    CHECK(ttq::needs_requote(prev, next, kT, 0));
    CHECK_FALSE(ttq::needs_requote(prev, next, kT, 1));
  }
  SECTION("moves wider than int64 are still moves") {
    constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
    constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
    const QuoteLevel lo{kMin, 0, 1, 0, kBid};
    const QuoteLevel hi{kMax, 0, 1, 0, kBid};
    // |max - min| = 2^64 - 1 >= 2^20 * 2^39.
    CHECK(ttq::needs_requote(lo, hi, std::int64_t{1} << 39, 1 << 20));
  }
}

TEST_CASE("quoter: validate accepts defaults and range edges", "[quoter][validate]") {
  CHECK(ttq::validate(QuoterParams{}) == nullptr);
  QuoterParams lo;
  lo.ref_mode = RefMode::kMid;
  lo.bid_offset_ticks = -(1 << 20);
  lo.ask_offset_ticks = -(1 << 20);
  lo.min_spread_ticks = 0;
  lo.max_spread_ticks = 1;
  lo.levels = 1;
  lo.level_spacing_ticks = 1;
  lo.order_size = 0;
  lo.size_step = 0;
  lo.requote_tolerance_ticks = 0;
  lo.price_floor = 7;
  lo.price_ceiling = 7;  // equal is allowed
  CHECK(ttq::validate(lo) == nullptr);
  QuoterParams hi;
  hi.bid_offset_ticks = 1 << 20;
  hi.ask_offset_ticks = 1 << 20;
  hi.min_spread_ticks = 65535;
  hi.max_spread_ticks = 65535;
  hi.levels = 8;
  hi.level_spacing_ticks = 1 << 20;
  hi.order_size = 1 << 30;
  hi.size_step = 1 << 20;
  hi.requote_tolerance_ticks = 1 << 20;
  CHECK(ttq::validate(hi) == nullptr);
}

TEST_CASE("quoter: validate names each bad field", "[quoter][validate]") {
  // Each case breaks one field of valid defaults; the message must start with its TOML key.
  const auto rejects = [](auto&& mutate, const std::string& key) {
    QuoterParams p;
    mutate(p);
    const char* msg = ttq::validate(p);
    INFO("key " << key << ", message " << (msg != nullptr ? msg : "(null)"));
    return msg != nullptr && std::string(msg).rfind(key + " ", 0) == 0;
  };
  constexpr std::int32_t k20 = 1 << 20;
  CHECK(rejects([](QuoterParams& p) { p.ref_mode = static_cast<RefMode>(2); }, "quoter.ref_mode"));
  CHECK(rejects([](QuoterParams& p) { p.bid_offset_ticks = k20 + 1; }, "quoter.bid_offset_ticks"));
  CHECK(rejects([](QuoterParams& p) { p.bid_offset_ticks = -k20 - 1; }, "quoter.bid_offset_ticks"));
  CHECK(rejects([](QuoterParams& p) { p.ask_offset_ticks = k20 + 1; }, "quoter.ask_offset_ticks"));
  CHECK(rejects([](QuoterParams& p) { p.ask_offset_ticks = -k20 - 1; }, "quoter.ask_offset_ticks"));
  CHECK(rejects([](QuoterParams& p) { p.min_spread_ticks = -1; }, "quoter.min_spread_ticks"));
  CHECK(rejects([](QuoterParams& p) { p.min_spread_ticks = 65536; }, "quoter.min_spread_ticks"));
  CHECK(rejects([](QuoterParams& p) { p.max_spread_ticks = 0; }, "quoter.max_spread_ticks"));
  CHECK(rejects([](QuoterParams& p) { p.max_spread_ticks = 65536; }, "quoter.max_spread_ticks"));
  CHECK(rejects([](QuoterParams& p) { p.levels = 0; }, "quoter.levels"));
  CHECK(rejects([](QuoterParams& p) { p.levels = 9; }, "quoter.levels"));
  CHECK(rejects([](QuoterParams& p) { p.level_spacing_ticks = 0; }, "quoter.level_spacing_ticks"));
  CHECK(rejects([](QuoterParams& p) { p.level_spacing_ticks = k20 + 1; },
                "quoter.level_spacing_ticks"));
  CHECK(rejects([](QuoterParams& p) { p.order_size = -1; }, "quoter.order_size"));
  CHECK(rejects([](QuoterParams& p) { p.order_size = (1 << 30) + 1; }, "quoter.order_size"));
  CHECK(rejects([](QuoterParams& p) { p.size_step = -1; }, "quoter.size_step"));
  CHECK(rejects([](QuoterParams& p) { p.size_step = k20 + 1; }, "quoter.size_step"));
  CHECK(rejects([](QuoterParams& p) { p.requote_tolerance_ticks = -1; },
                "quoter.requote_tolerance_ticks"));
  CHECK(rejects([](QuoterParams& p) { p.requote_tolerance_ticks = k20 + 1; },
                "quoter.requote_tolerance_ticks"));
  CHECK(rejects(
      [](QuoterParams& p) {
        p.price_floor = 2;
        p.price_ceiling = 1;
      },
      "quoter.price_floor"));
}

TEST_CASE("quoter: the worked example of docs/quoting.md", "[quoter][doc]") {
  SkewParams sp;
  sp.price_skew_q8 = 64;
  sp.size_skew_q8 = 128;
  // Position +10: shift = 10*64 >> 8 = 640 >> 8 = 2; size_adj = (10-0)*128 >> 8 = 1280 >> 8 = 5.
  const SkewRegs skew = ttq::compute_skew(10, sp);
  CHECK(skew.shift_ticks == 2);
  CHECK(skew.size_adj == 5);

  QuoterParams p = mid_params();
  p.bid_offset_ticks = 1;
  p.min_spread_ticks = 3;
  p.max_spread_ticks = 16;
  p.levels = 2;
  p.order_size = 10;
  p.size_step = 2;
  p.requote_tolerance_ticks = 2;
  REQUIRE(ttq::validate(p) == nullptr);
  // B 5000.00 x 40, A 5001.25 x 25: d = 1.25e9, n = 5; rb = 2, ra = 3.
  // bk0 = 2 - 1 - 2 = -1, ak0 = 3 + 0 - 2 = 1; w = 3 - 2 = 1: bk0 = -2, ak0 = 1.
  // bid_shift = max(0, -2 - 4) = 0, ask_shift = max(0, 1 - 1) = 0.
  // L0: bid 5000.00 - 0.50 = 4999.50 x (10 - 5), ask 5000.25 x (10 + 5).
  // L1: bk -3 -> 4999.25 x (12 - 5), ak 2 -> 5000.50 x (12 + 5).
  const Ladder q = quote(TopOfBook{kP5000_00, kP5001_25, 40, 25}, p, skew);
  CHECK(q[0] == QuoteLevel{kP4999_50, kP5000_25, 5, 15, kBoth});
  CHECK(q[1] == QuoteLevel{4'999'250'000'000, kP5000_50, 7, 17, kBoth});

  // Last sent 4999.75 x 5 / 5000.25 x 15: the bid moved 1 tick < 2, nothing else changed.
  const QuoteLevel sent{kP4999_75, kP5000_25, 5, 15, kBoth};
  CHECK_FALSE(ttq::needs_requote(sent, q[0], kT, p.requote_tolerance_ticks));
}
