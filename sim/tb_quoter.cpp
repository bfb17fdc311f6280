// Testbench of hw/rtl/ttq_quoter.sv: every result record is compared field by field with level 0
// of ttq::compute_quotes and with FastPath::requote's decisions (needs_requote, then nothing
// live before or after = silent), under random input idles and output back-pressure. In the
// no-stall phases every request must come out exactly kLatency cycles after it was accepted.
#include <verilated.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <limits>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "Vttq_quoter.h"
#include "Vttq_quoter___024root.h"
#include "quoter_regs.hpp"
#include "ttq/quote.hpp"
#include "ttq/quoter.hpp"

namespace {

using ttq::QuoteLevel;
using ttq::QuoteRecord;
using ttq::QuoterParams;
using ttq::SkewRegs;
using ttq::TopOfBook;
__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

constexpr int kLatency = 3;  // LATENCY in hw/rtl/ttq_quoter.sv
constexpr std::int64_t kI64Min = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kI64Max = std::numeric_limits<std::int64_t>::max();
constexpr std::int32_t kI32Min = std::numeric_limits<std::int32_t>::min();
constexpr std::int32_t kI32Max = std::numeric_limits<std::int32_t>::max();
constexpr std::int32_t k20 = 1 << 20;
constexpr std::int32_t k30 = 1 << 30;
constexpr std::uint8_t kPullBits[] = {ttq::kQuotePullStale, ttq::kQuotePullHalt,
                                      ttq::kQuotePullKill};

struct Request {
  std::uint16_t slot = 0;
  std::uint32_t seq = 0;
  std::int32_t security_id = 0;
  TopOfBook tob;
  std::uint8_t pull = 0;
  std::int64_t tick = 1;
  QuoterParams p;
  SkewRegs skew;
  QuoteLevel prev;
};

struct Expected {
  QuoteRecord rec;
  bool upd = false;
  bool send = false;
};

bool no_live(const QuoteLevel& q) {
  return (q.flags & (ttq::kQuoteBidLive | ttq::kQuoteAskLive)) == 0;
}

QuoteLevel model_level0(const Request& r) {
  std::array<QuoteLevel, ttq::kMaxLevels> out{};
  ttq::compute_quotes(r.tob, r.tick, r.p, r.skew, r.pull, std::span(out.data(), r.p.levels));
  return out[0];
}

Expected expect(const Request& r) {
  const QuoteLevel q = model_level0(r);
  Expected e;
  e.rec = QuoteRecord{q.bid_px, q.ask_px, q.bid_sz, q.ask_sz, r.security_id,
                      r.seq,    r.slot,   0,        q.flags,  0};
  e.upd = ttq::needs_requote(r.prev, q, r.tick, r.p.requote_tolerance_ticks);
  e.send = e.upd && !(no_live(r.prev) && no_live(q));
  return e;
}

// ---------------------------------------------------------------------------------------------
// Coverage of the things the RTL does differently from the model: the estimate correction c
// (n = n_e + c, n_e read from the RTL's register ne_q1, which must also equal card_estimate)
// and the outcome classes.
// ---------------------------------------------------------------------------------------------
struct Coverage {
  std::uint64_t c[2] = {0, 0};
  std::uint64_t bad_c = 0;
  std::uint64_t ne_checked = 0, ne_wrong = 0;  // the RTL's n_e register against card_estimate
  std::uint64_t pull_up = 0, pull_book = 0, quoted = 0, live[4] = {0, 0, 0, 0};
  std::uint64_t upd = 0, send = 0, silent = 0, kept = 0;
  std::uint64_t mid = 0, join = 0, cut_ceil_or_floor = 0, cut_range = 0, clamp = 0;
  std::uint64_t n_odd = 0, n_even = 0, w_odd = 0, w_even = 0, post_bid = 0, post_ask = 0;
};
Coverage g_cov;

// The card's estimate n_e of n = floor(d / T), from the same registers and with the same bit
// selections as the RTL (c0), compared with the RTL's ne_q1 for every request:
// ((e >> (30 - 8 * ((s >> 3) & 3))) * (r << (s & 7))) >> 35, where e = d mod 2^56 for s < 32
// and e = (d << 32) mod 2^56 for s >= 32; d's window is 26 bits, n_e 17 bits.
std::uint64_t card_estimate(const ttq::sim::QuoterCardRegs& regs, std::uint64_t d) {
  const unsigned s = regs.recip_sh;
  const std::uint64_t e = ((s & 32) ? d << 32 : d) & ((std::uint64_t{1} << 56) - 1);
  const std::uint64_t dt = (e >> (30 - 8 * ((s >> 3) & 3))) & ((std::uint64_t{1} << 26) - 1);
  const u128 p = u128{dt} * (std::uint64_t{regs.recip} << (s & 7));
  return static_cast<std::uint64_t>(p >> 35) & ((std::uint64_t{1} << 17) - 1);
}

// ne_rtl: ttq_quoter's ne_q1 in the cycle after the request was accepted (its estimate).
void cover(const Request& r, const Expected& e, std::uint64_t ne_rtl) {
  const ttq::sim::QuoterCardRegs regs = ttq::sim::quoter_card_regs(r.tick, r.p.max_spread_ticks);
  const i128 d = i128{r.tob.ask_px} - r.tob.bid_px;
  // Every request (pulls and out-of-range books too: the register is loaded regardless), d
  // mod 2^64 as the RTL's subtraction has it.
  const std::uint64_t ne_tb =
      card_estimate(regs, static_cast<std::uint64_t>(r.tob.ask_px) -
                              static_cast<std::uint64_t>(r.tob.bid_px));
  ++g_cov.ne_checked;
  if (ne_rtl != ne_tb && ++g_cov.ne_wrong <= 5) {
    std::printf("ESTIMATE request seq %u: the RTL's n_e %llu, card_estimate %llu\n", r.seq,
                static_cast<unsigned long long>(ne_rtl), static_cast<unsigned long long>(ne_tb));
  }
  if (r.pull == 0 && regs.valid && d >= r.tick && d < static_cast<i128>(regs.d_lim)) {
    const std::uint64_t ne = ne_rtl;
    const std::uint64_t n = static_cast<std::uint64_t>(d / r.tick);
    const std::uint64_t c = n - ne;
    if (ne > n || c > 1) {
      ++g_cov.bad_c;
    } else {
      ++g_cov.c[c];
    }
  }
  if (r.pull == 0 && regs.valid && d >= r.tick && d < static_cast<i128>(regs.d_lim) &&
      r.tob.bid_sz > 0 && r.tob.ask_sz > 0) {
    // Rules 4-7 at level 0, only to count which of them fired.
    const std::int64_t n = static_cast<std::int64_t>(d / r.tick);
    const bool mid = r.p.ref_mode == ttq::RefMode::kMid;
    const std::int64_t rb = mid ? n >> 1 : 0, ra = n - rb;
    std::int64_t bk = rb - r.p.bid_offset_ticks - r.skew.shift_ticks;
    std::int64_t ak = ra + r.p.ask_offset_ticks - r.skew.shift_ticks;
    const std::int64_t w = r.p.min_spread_ticks - (ak - bk);
    if (w > 0) {
      ((w & 1) ? g_cov.w_odd : g_cov.w_even)++;
      bk -= (w + 1) >> 1;
      ak += w >> 1;
    }
    ((n & 1) ? g_cov.n_odd : g_cov.n_even)++;
    if (bk > n - 1) ++g_cov.post_bid;
    if (ak < 1) ++g_cov.post_ask;
  }
  const std::uint8_t f = e.rec.flags;
  if (f & (ttq::kQuotePullStale | ttq::kQuotePullHalt | ttq::kQuotePullKill)) {
    ++g_cov.pull_up;
  } else if (f & ttq::kQuotePullBook) {
    ++g_cov.pull_book;
  } else {
    ++g_cov.quoted;
    ++g_cov.live[f & 3];
    (r.p.ref_mode == ttq::RefMode::kMid ? g_cov.mid : g_cov.join)++;
    const std::int64_t s = r.p.order_size;
    if (s - r.skew.size_adj > 0 && !(f & 1)) ++g_cov.cut_ceil_or_floor;
    if (s + r.skew.size_adj > 0 && !(f & 2)) ++g_cov.cut_ceil_or_floor;
    if (s - r.skew.size_adj > kI32Max || s + r.skew.size_adj > kI32Max) ++g_cov.clamp;
    if (r.p.price_floor == kI64Min && r.p.price_ceiling == kI64Max &&
        ((s - r.skew.size_adj > 0 && !(f & 1)) || (s + r.skew.size_adj > 0 && !(f & 2)))) {
      ++g_cov.cut_range;  // only a price outside int64 can have done that
    }
  }
  if (e.upd) ++g_cov.upd;
  if (e.send) ++g_cov.send;
  if (e.upd && !e.send) ++g_cov.silent;
  if (!e.upd) ++g_cov.kept;
}

// ---------------------------------------------------------------------------------------------
// Random stimulus.
// ---------------------------------------------------------------------------------------------
class Gen {
 public:
  explicit Gen(std::uint64_t seed) : rng_(seed) {}

  std::int64_t range(std::int64_t lo, std::int64_t hi) {  // inclusive
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng_);
  }
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  std::uint64_t bits() { return rng_(); }
  // Log-uniform in [1, 2^max_log2).
  std::int64_t log_uniform(int max_log2) {
    const int b = static_cast<int>(range(0, max_log2 - 1));
    return range(std::int64_t{1} << b, (std::int64_t{1} << (b + 1)) - 1);
  }

  std::int64_t tick() {
    static constexpr std::int64_t kReal[] = {250'000'000, 10'000'000, 1'000'000'000, 5'000'000,
                                             25'000'000,  3'125'000,  100,           7};
    switch (range(0, 9)) {
      case 0:
        return 1;
      case 1:
        return std::int64_t{1} << range(0, 39);
      case 2:
        return (std::int64_t{1} << range(1, 39)) + 1;
      case 3:
        return (std::int64_t{1} << range(2, 40)) - 1;
      case 4:
        return range(1, (std::int64_t{1} << 40) - 1);
      case 5:
        return kReal[range(0, 7)];
      case 6:
        return range(0, 1) ? (std::int64_t{1} << 39) : (std::int64_t{1} << 40) - 1;
      default:
        return log_uniform(40);
    }
  }

  std::int32_t ticks20() {  // a tick parameter in [-2^20, 2^20], biased to small values
    switch (range(0, 5)) {
      case 0:
        return 0;
      case 1:
        return static_cast<std::int32_t>(range(-3, 3));
      case 2:
        return static_cast<std::int32_t>(range(-40, 40));
      case 3:
        return range(0, 1) ? k20 : -k20;
      default:
        return static_cast<std::int32_t>(range(-k20, k20));
    }
  }

  QuoterParams params() {
    QuoterParams p;
    p.ref_mode = range(0, 1) ? ttq::RefMode::kMid : ttq::RefMode::kJoin;
    p.bid_offset_ticks = ticks20();
    p.ask_offset_ticks = ticks20();
    switch (range(0, 4)) {
      case 0:
        p.min_spread_ticks = 0;
        break;
      case 1:
        p.min_spread_ticks = static_cast<std::int32_t>(range(0, 8));
        break;
      case 2:
        p.min_spread_ticks = static_cast<std::int32_t>(range(0, 200));
        break;
      case 3:
        p.min_spread_ticks = 65535;
        break;
      default:
        p.min_spread_ticks = static_cast<std::int32_t>(range(0, 65535));
    }
    switch (range(0, 4)) {
      case 0:
        p.max_spread_ticks = static_cast<std::int32_t>(range(1, 4));
        break;
      case 1:
        p.max_spread_ticks = static_cast<std::int32_t>(range(1, 1000));
        break;
      case 2:
        p.max_spread_ticks = 65535;
        break;
      default:
        p.max_spread_ticks = static_cast<std::int32_t>(range(1, 65535));
    }
    p.levels = static_cast<std::uint8_t>(range(1, ttq::kMaxLevels));
    p.level_spacing_ticks = static_cast<std::int32_t>(range(0, 1) ? range(1, 4) : range(1, k20));
    switch (range(0, 4)) {
      case 0:
        p.order_size = 0;
        break;
      case 1:
        p.order_size = k30;
        break;
      case 2:
        p.order_size = static_cast<std::int32_t>(range(1, 100));
        break;
      default:
        p.order_size = static_cast<std::int32_t>(range(0, k30));
    }
    p.size_step = static_cast<std::int32_t>(range(0, 1) ? range(0, 4) : range(0, k20));
    switch (range(0, 5)) {
      case 0:
        p.requote_tolerance_ticks = 0;
        break;
      case 1:
        p.requote_tolerance_ticks = 1;
        break;
      case 2:
        p.requote_tolerance_ticks = static_cast<std::int32_t>(range(2, 10));
        break;
      case 3:
        p.requote_tolerance_ticks = k20;
        break;
      default:
        p.requote_tolerance_ticks = static_cast<std::int32_t>(range(0, k20));
    }
    return p;
  }

  SkewRegs skew() {
    SkewRegs s;
    s.shift_ticks = ticks20();
    switch (range(0, 4)) {
      case 0:
        s.size_adj = 0;
        break;
      case 1:
        s.size_adj = static_cast<std::int32_t>(range(-20, 20));
        break;
      case 2:
        s.size_adj = range(0, 1) ? k30 : -k30;
        break;
      default:
        s.size_adj = static_cast<std::int32_t>(range(-k30, k30));
    }
    return s;
  }

  std::int32_t side_size() {
    switch (range(0, 19)) {
      case 0:
        return 0;
      case 1:
        return static_cast<std::int32_t>(range(kI32Min, -1));
      case 2:
        return kI32Max;
      case 3:
        return kI32Min;
      default:
        return static_cast<std::int32_t>(range(1, 5000));
    }
  }

  std::uint8_t pull() {
    if (!chance(0.06)) return 0;
    std::uint8_t f = 0;
    while (f == 0) {
      for (std::uint8_t b : kPullBits) {
        if (range(0, 1)) f = static_cast<std::uint8_t>(f | b);
      }
    }
    return f;
  }

  // Best bid and ask for tick T and a spread limit: spreads from crossed to beyond the limit,
  // on and off the tick grid, prices anywhere in int64.
  void book(Request& r) {
    const std::int64_t t = r.tick;
    std::int64_t b;
    switch (range(0, 6)) {
      case 0:
        b = 5'000'000'000'000 + range(-100000, 100000) * (t > 1000000 ? 1 : t);
        break;
      case 1:
        b = range(-(std::int64_t{1} << 62), std::int64_t{1} << 62);
        break;
      case 2:
        b = range(-1'000'000'000'000, 1'000'000'000'000);
        break;
      case 3:
        b = kI64Max - range(0, std::int64_t{1} << range(0, 62));
        break;
      case 4:
        b = kI64Min + range(0, std::int64_t{1} << range(0, 62));
        break;
      case 5:
        b = range(-1000, 1000) * t;
        break;
      default:
        b = static_cast<std::int64_t>(bits());
    }
    const std::int64_t mx = r.p.max_spread_ticks;
    i128 d;
    switch (range(0, 13)) {
      case 0:
        d = -range(0, 3) * t - range(0, t - 1);
        break;  // crossed / locked
      case 1:
        d = range(0, t);
        break;  // under a tick and 1 tick
      case 2:
        d = i128{mx + range(-2, 2)} * t + range(-1, 1);
        break;  // around d_lim
      case 3:
        d = i128{range(1, 12)} * t;
        break;  // small, on the grid
      case 4:
        d = i128{range(1, 12)} * t + range(0, t - 1);
        break;  // small, off the grid
      case 5:
        d = i128{range(1, mx)} * t + (range(0, 1) ? 0 : range(0, t - 1));
        break;
      case 6:
        d = i128{range(65530, 70000)} * t + range(0, t - 1);
        break;
      case 7:
        d = i128{log_uniform(17)} * t + (range(0, 1) ? t - 1 : 0);
        break;
      case 8:
        d = static_cast<i128>(bits()) - static_cast<i128>(bits());
        break;
      default:
        d = i128{range(1, mx)} * t + range(0, t - 1);
    }
    i128 a = i128{b} + d;
    if (a > kI64Max || a < kI64Min) a = range(0, 1) ? kI64Max : kI64Min;
    r.tob.bid_px = b;
    r.tob.ask_px = static_cast<std::int64_t>(a);
    r.tob.bid_sz = side_size();
    r.tob.ask_sz = side_size();
  }

  // Floor / ceiling: mostly open, sometimes right at the quote's prices.
  void floor_ceiling(Request& r) {
    r.p.price_floor = kI64Min;
    r.p.price_ceiling = kI64Max;
    if (!chance(0.2)) return;
    const QuoteLevel q = model_level0(r);
    const std::int64_t delta = range(-1, 1);
    const auto near = [&](std::int64_t px) {
      const i128 v = i128{px} + delta;
      return v > kI64Max ? kI64Max : v < kI64Min ? kI64Min : static_cast<std::int64_t>(v);
    };
    switch (range(0, 3)) {
      case 0:
        r.p.price_ceiling = q.bid_sz > 0 ? near(q.bid_px) : r.tob.bid_px;
        break;
      case 1:
        r.p.price_floor = q.ask_sz > 0 ? near(q.ask_px) : r.tob.ask_px;
        break;
      case 2: {  // one level between, or at, both prices
        const std::int64_t x = q.bid_sz > 0 ? near(q.bid_px) : r.tob.bid_px;
        r.p.price_floor = x;
        r.p.price_ceiling = x;
        break;
      }
      default: {
        std::int64_t lo = static_cast<std::int64_t>(bits());
        std::int64_t hi = static_cast<std::int64_t>(bits());
        if (lo > hi) std::swap(lo, hi);
        r.p.price_floor = lo;
        r.p.price_ceiling = hi;
      }
    }
  }

  // The last level sent: around the new level so that the tolerance edge is hit, or anything.
  QuoteLevel prev_for(const Request& r) {
    const QuoteLevel q = model_level0(r);
    QuoteLevel p = q;
    const i128 thr = i128{r.p.requote_tolerance_ticks} * r.tick;
    const auto moved = [&](std::int64_t px) {
      static constexpr int kSteps[] = {-1, 0, 1};
      i128 dlt = thr + kSteps[range(0, 2)];
      if (range(0, 3) == 0) dlt = range(1, 3);
      if (range(0, 1)) dlt = -dlt;
      const i128 v = i128{px} + dlt;
      return v > kI64Max || v < kI64Min ? px : static_cast<std::int64_t>(v);
    };
    const auto bump = [&](std::int32_t v) {  // +-1, wrapping like the hardware register
      return static_cast<std::int32_t>(static_cast<std::uint32_t>(v) + (range(0, 1) ? 1u : ~0u));
    };
    switch (range(0, 11)) {
      case 0:
      case 1:
        break;  // identical: no requote
      case 2:
        p = QuoteLevel{};
        break;  // nothing sent yet
      case 3:
        p.bid_px = moved(q.bid_px);
        break;
      case 4:
        p.ask_px = moved(q.ask_px);
        break;
      case 5:
        p.bid_px = moved(q.bid_px);
        p.ask_px = moved(q.ask_px);
        break;
      case 6:
        p.bid_sz = bump(p.bid_sz);
        break;
      case 7:
        p.ask_sz = bump(p.ask_sz);
        break;
      case 8:
        p.flags = static_cast<std::uint8_t>(p.flags ^ (1u << range(0, 5)));
        break;
      case 9:
        p = QuoteLevel{0, 0, 0, 0, static_cast<std::uint8_t>(range(0, 1) ? 0x20 : 0x04)};
        break;
      case 10:
        p.bid_px = static_cast<std::int64_t>(bits());
        break;  // ignored unless bid live
      default:
        p = QuoteLevel{static_cast<std::int64_t>(bits()), static_cast<std::int64_t>(bits()),
                       static_cast<std::int32_t>(range(0, 3)),
                       static_cast<std::int32_t>(range(0, 3)),
                       static_cast<std::uint8_t>(range(0, 3))};
    }
    return p;
  }

  Request random_request() {
    Request r;
    r.slot = static_cast<std::uint16_t>(bits());
    r.seq = static_cast<std::uint32_t>(bits());
    r.security_id = static_cast<std::int32_t>(bits());
    r.tick = tick();
    r.p = params();
    r.skew = skew();
    r.pull = pull();
    book(r);
    floor_ceiling(r);
    r.prev = prev_for(r);
    return r;
  }

  std::mt19937_64& rng() { return rng_; }

 private:
  std::mt19937_64 rng_;
};

// ---------------------------------------------------------------------------------------------
// Directed corners: every rule of docs/quoting.md.
// ---------------------------------------------------------------------------------------------
Request base_request(std::int64_t tick) {
  Request r;
  r.tick = tick;
  r.tob = TopOfBook{5'000'000'000'000, 5'000'000'000'000 + 4 * tick, 10, 10};
  r.p.max_spread_ticks = 65535;
  r.p.min_spread_ticks = 0;
  r.p.order_size = 5;
  r.p.requote_tolerance_ticks = 1;
  return r;
}

void directed(std::vector<Request>& out, Gen& g) {
  const auto add = [&](Request r, bool vary_prev = true) {
    r.slot = static_cast<std::uint16_t>(out.size());
    r.seq = static_cast<std::uint32_t>(out.size() * 7);
    r.security_id = static_cast<std::int32_t>(out.size() * 13);
    if (vary_prev) r.prev = g.prev_for(r);
    out.push_back(r);
  };
  constexpr std::int64_t kTicks[] = {1,
                                     2,
                                     3,
                                     250'000'000,
                                     10'000'000,
                                     (std::int64_t{1} << 39),
                                     (std::int64_t{1} << 39) + 1,
                                     (std::int64_t{1} << 40) - 1,
                                     (std::int64_t{1} << 20) + 1,
                                     999'999'937};

  // The worked example of docs/quoting.md (levels = 2: the card's output is level 0).
  {
    Request r = base_request(250'000'000);
    r.tob = TopOfBook{5'000'000'000'000, 5'001'250'000'000, 40, 25};
    r.p.ref_mode = ttq::RefMode::kMid;
    r.p.bid_offset_ticks = 1;
    r.p.ask_offset_ticks = 0;
    r.p.min_spread_ticks = 3;
    r.p.max_spread_ticks = 16;
    r.p.levels = 2;
    r.p.size_step = 2;
    r.p.order_size = 10;
    r.p.requote_tolerance_ticks = 2;
    r.skew = SkewRegs{2, 5};
    r.prev = QuoteLevel{4'999'750'000'000, 5'000'250'000'000, 5, 15, 3};  // no requote
    add(r, false);
    r.prev = QuoteLevel{4'999'999'999'999, 5'000'250'000'000, 5, 15, 3};  // 0.5T + 1: no
    add(r, false);
    r.prev = QuoteLevel{5'000'000'000'000, 5'000'250'000'000, 5, 15, 3};  // exactly 2T: yes
    add(r, false);
  }

  // Rules 4-7 on small spreads: join / mid, odd / even n, offsets, skew, odd / even shortfall,
  // post-only on either side, with ticks small and large and the bid on and off the grid.
  for (std::int64_t t : {std::int64_t{1}, std::int64_t{250'000'000}, (std::int64_t{1} << 39) + 1}) {
    for (int mode = 0; mode < 2; ++mode) {
      for (std::int64_t n = 1; n <= 9; ++n) {
        for (int off : {-2, 0, 1, 3}) {
          for (int sk : {-2, 0, 1}) {
            for (int mn = 0; mn <= 6; ++mn) {
              Request r = base_request(t);
              r.p.ref_mode = mode ? ttq::RefMode::kMid : ttq::RefMode::kJoin;
              r.p.bid_offset_ticks = off;
              r.p.ask_offset_ticks = (off + mn) % 3 - 1;
              r.p.min_spread_ticks = mn;
              r.skew.shift_ticks = sk;
              r.tob.bid_px = -7 * t + (mn & 1);  // negative and, for odd mn, off the grid
              r.tob.ask_px = r.tob.bid_px + n * t + (off == 3 ? t - 1 : 0);
              add(r);
            }
          }
        }
      }
    }
  }

  // Rules 2-3 at their edges: one-sided, crossed, locked, under a tick, exactly max and max + 1.
  for (std::int64_t t : kTicks) {
    for (std::int32_t mx : {1, 2, 7, 1000, 65534, 65535}) {
      Request r = base_request(t);
      r.p.max_spread_ticks = mx;
      const i128 dlim = i128{mx + 1} * t;
      for (i128 d : {i128{-1}, i128{0}, i128{1}, i128{t - 1}, i128{t}, i128{t + 1}, i128{2 * t - 1},
                     dlim - t, dlim - 1, dlim, dlim + 1, dlim - t - 1}) {
        for (std::int64_t b :
             {std::int64_t{-123'456'789}, std::int64_t{5'000'000'000'000}, kI64Max / 2}) {
          r.tob.bid_px = b;
          const i128 a = i128{b} + d;
          if (a > kI64Max || a < kI64Min) continue;
          r.tob.ask_px = static_cast<std::int64_t>(a);
          r.p.ref_mode = (d & 1) ? ttq::RefMode::kMid : ttq::RefMode::kJoin;
          add(r);
        }
      }
      r.tob = TopOfBook{100 * t, 103 * t, 0, 10};
      add(r);
      r.tob = TopOfBook{100 * t, 103 * t, 10, -1};
      add(r);
      r.tob = TopOfBook{100 * t, 103 * t, kI32Min, kI32Min};
      add(r);
    }
  }
  // Extreme books: the whole int64 range (d needs 65 bits).
  for (std::int64_t t : kTicks) {
    Request r = base_request(t);
    r.tob = TopOfBook{kI64Min, kI64Max, 1, 1};
    add(r);
    r.tob = TopOfBook{kI64Max, kI64Min, 1, 1};
    add(r);
    r.tob = TopOfBook{kI64Max - t, kI64Max, 1, 1};
    add(r);
    r.tob = TopOfBook{kI64Min, kI64Min + t, 1, 1};
    add(r);
  }

  // The estimate and its correction: n = n_e + c with c = 0, 1 is most stressed for T just
  // above a power of two, n near 65535 and remainders 0 and T - 1.
  for (std::int64_t t : kTicks) {
    for (std::int64_t n : {1, 2, 3, 4, 255, 256, 4095, 32767, 32768, 65533, 65534, 65535}) {
      for (int rr = 0; rr < 4; ++rr) {
        Request r = base_request(t);
        r.p.ref_mode = (n & 1) ? ttq::RefMode::kMid : ttq::RefMode::kJoin;
        const std::int64_t rem = rr == 0 ? 0 : rr == 1 ? t - 1 : rr == 2 ? t / 2 : 1 % t;
        r.tob.bid_px = 1'000'000'000 + rr;
        r.tob.ask_px = r.tob.bid_px + n * t + rem;
        r.p.min_spread_ticks = static_cast<std::int32_t>(rr * 20000);
        add(r);
      }
    }
  }
  for (int k = 0; k < 40; ++k) {  // every l, with n = 65535 and r = 0 or T - 1
    for (std::int64_t t :
         {(std::int64_t{1} << k) + 1, (std::int64_t{2} << k) - 1, std::int64_t{1} << k}) {
      if (t >= (std::int64_t{1} << 40)) continue;
      for (std::int64_t rem : {std::int64_t{0}, t - 1}) {
        Request r = base_request(t);
        r.tob.bid_px = -5 * t;
        r.tob.ask_px = r.tob.bid_px + 65535 * t + rem;
        r.p.ref_mode = ttq::RefMode::kMid;
        add(r);
        r.tob.ask_px = r.tob.bid_px + 65534 * t + rem;
        r.p.ref_mode = ttq::RefMode::kJoin;
        add(r);
      }
    }
  }

  // Upstream pulls: every combination, with the book good and bad and prev live or not.
  for (int f = 0; f < 8; ++f) {
    std::uint8_t pull = 0;
    for (int i = 0; i < 3; ++i) {
      if (f >> i & 1) pull = static_cast<std::uint8_t>(pull | kPullBits[i]);
    }
    for (int bk = 0; bk < 2; ++bk) {
      Request r = base_request(10'000'000);
      r.pull = pull;
      if (bk) r.tob.ask_sz = 0;
      for (const QuoteLevel& p :
           {QuoteLevel{}, QuoteLevel{0, 0, 0, 0, pull}, QuoteLevel{0, 0, 0, 0, 0x20},
            QuoteLevel{5, 6, 7, 8, 3}, QuoteLevel{5, 0, 7, 0, 1}}) {
        r.prev = p;
        add(r, false);
      }
    }
  }

  // Requote tolerance 0, 1 and k: moves of a sub-tick, exactly tol*T and one unit either side.
  for (std::int64_t t : {std::int64_t{1}, std::int64_t{250'000'000}, (std::int64_t{1} << 40) - 1}) {
    for (std::int32_t tol : {0, 1, 2, 7, k20}) {
      Request r = base_request(t);
      r.p.requote_tolerance_ticks = tol;
      r.tob.bid_px = 5'000'000'000'000 + 1;  // off the grid
      r.tob.ask_px = r.tob.bid_px + 5 * t;
      const QuoteLevel q = model_level0(r);
      const i128 thr = i128{tol} * t;
      for (i128 dlt : {i128{1}, i128{-1}, thr - 1, thr, thr + 1, -thr, -thr + 1, -thr - 1}) {
        for (int side = 0; side < 2; ++side) {
          QuoteLevel p = q;
          std::int64_t& px = side ? p.ask_px : p.bid_px;
          const i128 v = i128{px} + dlt;
          if (v > kI64Max || v < kI64Min) continue;
          px = static_cast<std::int64_t>(v);
          r.prev = p;
          add(r, false);
        }
      }
    }
  }

  // Sizes: order_size 0, the clamp at 2^31 - 1, one side skewed to 0.
  for (std::int32_t os : {0, 1, 7, k30 - 1, k30}) {
    for (std::int32_t adj : {0, 1, -1, 7, -7, k30, -k30, k30 - 1, -(k30 - 1)}) {
      Request r = base_request(10'000'000);
      r.p.order_size = os;
      r.skew.size_adj = adj;
      add(r);
    }
  }

  // Floor and ceiling exactly at, one under and one over the prices; negative prices.
  for (std::int64_t t : {std::int64_t{1}, std::int64_t{250'000'000}}) {
    for (std::int64_t b : {std::int64_t{-5'000'000'000'000}, std::int64_t{-1}, std::int64_t{0},
                           std::int64_t{5'000'000'000'000}}) {
      Request r = base_request(t);
      r.tob.bid_px = b;
      r.tob.ask_px = b + 3 * t;
      const QuoteLevel q = model_level0(r);
      for (std::int64_t dl : {-1, 0, 1}) {
        r.p.price_floor = kI64Min;
        r.p.price_ceiling = q.bid_px + dl;
        add(r);
        r.p.price_ceiling = kI64Max;
        r.p.price_floor = q.ask_px + dl;
        add(r);
        r.p.price_floor = q.bid_px + dl;
        r.p.price_ceiling = q.bid_px + dl;
        add(r);
      }
    }
  }

  // Prices outside int64: far offsets and skews next to either end of the range.
  for (std::int64_t t :
       {std::int64_t{250'000'000}, (std::int64_t{1} << 39) + 1, (std::int64_t{1} << 40) - 1}) {
    for (int e = 0; e < 2; ++e) {
      for (std::int32_t off : {-k20, -1000, 0, 1000, k20}) {
        for (std::int32_t sk : {-k20, 0, k20}) {
          Request r = base_request(t);
          r.tob.bid_px = e ? kI64Max - 3 * t - 5 : kI64Min + 5;
          r.tob.ask_px = r.tob.bid_px + 3 * t;
          r.p.bid_offset_ticks = off;
          r.p.ask_offset_ticks = off;
          r.skew.shift_ticks = sk;
          r.p.min_spread_ticks = e ? 65535 : 0;
          r.p.ref_mode = e ? ttq::RefMode::kMid : ttq::RefMode::kJoin;
          add(r);
        }
      }
    }
  }

  // Largest tick-domain values: offsets, skew and min spread at their limits, both modes.
  for (int mode = 0; mode < 2; ++mode) {
    for (std::int32_t bo : {-k20, k20}) {
      for (std::int32_t ao : {-k20, k20}) {
        for (std::int32_t sk : {-k20, k20}) {
          for (std::int32_t mn : {0, 65535}) {
            for (std::int64_t n : {1, 2, 65535}) {
              Request r = base_request(1);
              r.p.ref_mode = mode ? ttq::RefMode::kMid : ttq::RefMode::kJoin;
              r.p.bid_offset_ticks = bo;
              r.p.ask_offset_ticks = ao;
              r.p.min_spread_ticks = mn;
              r.skew.shift_ticks = sk;
              r.tob.bid_px = 0;
              r.tob.ask_px = n;
              add(r);
            }
          }
        }
      }
    }
  }
}

std::int64_t card_estimate(std::int64_t tick, i128 d) {
  return static_cast<std::int64_t>(
      card_estimate(ttq::sim::quoter_card_regs(tick, 65535), static_cast<std::uint64_t>(d)));
}

// Every post-only / min-spread threshold of the RTL is a compare of n_e (or h_e) with a constant
// shifted by the correction c; these sweeps put each threshold at n - 2 .. n + 2 (h - 2 .. h + 2)
// for books whose c is 0 or 1 and whose n is even or odd.
void boundary_sweeps(std::vector<Request>& out, Gen& g) {
  struct Base {
    std::int64_t t;
    std::int64_t n;
    std::int64_t rem;
  };
  std::vector<Base> bases;
  int found[2][2] = {{0, 0}, {0, 0}};
  constexpr int kPerClass = 9;
  for (int attempt = 0; attempt < 4'000'000; ++attempt) {
    const int k = static_cast<int>(g.range(1, 39));
    const std::int64_t t = g.chance(0.7) ? (std::int64_t{1} << k) + g.range(1, 16)
                                         : g.range(1, (std::int64_t{1} << 40) - 1);
    const std::int64_t n = g.chance(0.5)   ? g.range(60000, 65535)
                           : g.chance(0.5) ? g.range(1, 1000)
                                           : g.range(1, 65535);
    const std::int64_t rem =
        g.chance(0.5) ? g.range(0, std::max<std::int64_t>(t >> 10, 1) - 1) : g.range(0, t - 1);
    const std::int64_t c = n - card_estimate(t, i128{n} * t + rem);
    if (c < 0 || c > 1 || found[c][n & 1] >= kPerClass) continue;
    ++found[c][n & 1];
    bases.push_back({t, n, rem});
    if (bases.size() == 4 * kPerClass) break;
  }
  for (const Base& bs : bases) {
    const std::int64_t n = bs.n;
    const std::int64_t h = n >> 1;
    const std::int64_t b = g.range(-1'000'000, 1'000'000) * bs.t;
    const auto mk = [&](bool mid, std::int64_t bo, std::int64_t ao, std::int64_t sh,
                        std::int64_t mn) {
      if (bo < -k20 || bo > k20 || ao < -k20 || ao > k20 || sh < -k20 || sh > k20 || mn < 0 ||
          mn > 65535) {
        return;
      }
      Request r = base_request(bs.t);
      r.tob.bid_px = b;
      r.tob.ask_px = b + n * bs.t + bs.rem;
      r.p.ref_mode = mid ? ttq::RefMode::kMid : ttq::RefMode::kJoin;
      r.p.bid_offset_ticks = static_cast<std::int32_t>(bo);
      r.p.ask_offset_ticks = static_cast<std::int32_t>(ao);
      r.p.min_spread_ticks = static_cast<std::int32_t>(mn);
      r.skew.shift_ticks = static_cast<std::int32_t>(sh);
      r.slot = static_cast<std::uint16_t>(out.size());
      r.seq = static_cast<std::uint32_t>(out.size());
      r.prev = g.prev_for(r);
      out.push_back(r);
    };
    for (std::int64_t dl = -2; dl <= 2; ++dl) {
      // Join: w > 0 <=> n < cw, cw = min - ao - bo; cw = n + dl.
      {
        const std::int64_t mn = g.range(0, 65535), ao = g.range(-100, 100);
        mk(false, mn - ao - (n + dl), ao, g.range(-50, 50), mn);
      }
      // Join, w <= 0: bid post <=> n <= cb = -bo - sh; cb = n + dl.
      {
        const std::int64_t sh = g.range(-50, 50), bo = -(n + dl) - sh;
        mk(false, bo, dl + sh + g.range(0, 3), sh, 0);
      }
      // Join, w <= 0: ask post <=> n <= -ca, ca = ao - sh; ca = -n + dl.
      {
        const std::int64_t sh = g.range(-50, 50), ao = -n + dl + sh;
        mk(false, -dl - sh + g.range(0, 3), ao, sh, 0);
      }
      for (int mode = 0; mode < 2; ++mode) {
        const bool mid = mode == 1;
        if (mid) {  // cw <= 0: bk1 = h + cb, ak1 = h + p + ca
          std::int64_t sh = g.range(-50, 50), bo = -(h + dl) - sh;
          mk(true, bo, -bo + g.range(0, 3), sh, 0);
          sh = g.range(-50, 50);
          const std::int64_t ao = -(h + dl) + sh;
          mk(true, -ao + g.range(0, 3), ao, sh, 0);
        }
        // cw > 0 (join: w > 0): bk1 = h + cb - ((cw + 1) >> 1) + ..., scan bo around h + dl.
        {
          const std::int64_t mn = g.range(0, 1000), ao = g.range(-100, 0), sh = g.range(0, 50);
          const std::int64_t bo0 = -2 * (h + dl) - 2 * sh - (mn - ao + 1);
          for (std::int64_t bo = bo0 - 1; bo <= bo0 + 1; ++bo) mk(mid, bo, ao, sh, mn);
        }
        // cw > 0: ak1 = h + ca + (cw >> 1) + ..., scan ao so that ak1 is around 0.
        {
          const std::int64_t mn = g.range(0, 1000), bo = g.range(-100, 0), sh = g.range(0, 50);
          const std::int64_t ao0 = 2 * (-(h + dl) + sh) - (mn - bo);
          for (std::int64_t ao = ao0 - 1; ao <= ao0 + 1; ++ao) mk(mid, bo, ao, sh, mn);
        }
      }
    }
  }
}

// Per-slot sequences: the prev of each request is the slot's last sent level under the model's
// rule (FastPath::requote), as the card's slot table will hold it.
void stateful(std::vector<Request>& out, Gen& g, std::size_t count) {
  constexpr int kSlots = 32;
  std::array<Request, kSlots> inst;
  std::array<QuoteLevel, kSlots> last{};
  for (int s = 0; s < kSlots; ++s) {
    inst[s] = g.random_request();
    inst[s].slot = static_cast<std::uint16_t>(s);
    inst[s].p.price_floor = kI64Min;
    inst[s].p.price_ceiling = kI64Max;
    inst[s].p.max_spread_ticks = static_cast<std::int32_t>(g.range(1, 100));
    inst[s].tob =
        TopOfBook{g.range(-1000, 1000) * inst[s].tick, 0, static_cast<std::int32_t>(g.range(1, 50)),
                  static_cast<std::int32_t>(g.range(1, 50))};
    inst[s].tob.ask_px = inst[s].tob.bid_px + g.range(1, 5) * inst[s].tick;
  }
  for (std::size_t i = 0; i < count; ++i) {
    const int s = static_cast<int>(g.range(0, kSlots - 1));
    Request& r = inst[s];
    const std::int64_t t = r.tick;
    // A random walk of the book, mostly on the grid.
    switch (g.range(0, 5)) {
      case 0:
        r.tob.bid_sz = static_cast<std::int32_t>(g.range(0, 50));
        break;
      case 1:
        r.tob.ask_sz = static_cast<std::int32_t>(g.range(0, 50));
        break;
      case 2: {
        const std::int64_t m = g.range(-2, 2) * t;
        if (r.tob.bid_px < kI64Max / 2 && r.tob.bid_px > kI64Min / 2) {
          r.tob.bid_px += m;
          r.tob.ask_px += m;
        }
        break;
      }
      case 3:
        r.tob.ask_px = r.tob.bid_px + g.range(-1, 8) * t + (g.chance(0.1) ? 1 : 0);
        break;
      case 4:
        r.skew = g.skew();
        break;
      default:
        r.pull = g.pull();
        break;
    }
    if (g.chance(0.002)) r.p = g.params();
    r.p.price_floor = kI64Min;
    r.p.price_ceiling = kI64Max;
    r.seq = static_cast<std::uint32_t>(i);
    r.prev = last[s];
    const Expected e = expect(r);
    if (e.upd) {
      last[s] = QuoteLevel{e.rec.bid_px, e.rec.ask_px, e.rec.bid_sz, e.rec.ask_sz, e.rec.flags};
    }
    out.push_back(r);
  }
}

// ---------------------------------------------------------------------------------------------
// The bench: drives requests, checks results in order.
// ---------------------------------------------------------------------------------------------
class Bench {
 public:
  explicit Bench(VerilatedContext* ctx) : top_(std::make_unique<Vttq_quoter>(ctx)) {
    top_->clk = 0;
    top_->rst = 1;
    top_->s_axis_req_tvalid = 0;
    top_->m_axis_quote_tready = 0;
    for (int i = 0; i < 4; ++i) step();
    top_->rst = 0;
    step();
  }
  ~Bench() { top_->final(); }

  struct Phase {
    const char* name;
    double p_idle;   // probability of no request in a cycle
    double p_ready;  // probability of m_axis_quote_tready
    bool no_stall;   // tready always 1: check the latency of every request
  };

  void run(const Phase& ph, const std::vector<Request>& reqs, Gen& g) {
    std::size_t next = 0;
    std::uint64_t idle_guard = 0;
    std::uint64_t accepted_at_full = 0, cycles_offered = 0;
    bool holding = false;
    std::array<std::uint32_t, 10> held_data{};
    std::uint8_t held_user = 0;
    while (next < reqs.size() || !pending_.empty()) {
      const bool offer = next < reqs.size() && !g.chance(ph.p_idle);
      top_->s_axis_req_tvalid = offer;
      if (offer) {
        drive(reqs[next]);
      } else {
        drive(g.random_request());  // garbage while tvalid is low
      }
      const bool ready = ph.no_stall || g.chance(ph.p_ready);
      top_->m_axis_quote_tready = ready;
      top_->clk = 0;
      top_->eval();

      const bool acc = offer && top_->s_axis_req_tready;
      if (offer) {
        ++cycles_offered;
        if (acc) ++accepted_at_full;
      }
      const bool out_valid = top_->m_axis_quote_tvalid;
      // AXI-Stream: once tvalid is up it stays up, with the same data, until the handshake.
      if (holding) {
        if (!out_valid || std::memcmp(held_data.data(), top_->m_axis_quote_tdata.data(), 40) != 0 ||
            held_user != top_->m_axis_quote_tuser) {
          ++protocol_errors_;
          if (protocol_errors_ <= 5) std::printf("protocol: output changed before handshake\n");
        }
      }
      holding = out_valid && !ready;
      if (holding) {
        std::memcpy(held_data.data(), top_->m_axis_quote_tdata.data(), 40);
        held_user = top_->m_axis_quote_tuser;
      }
      if (out_valid && ready) check_output(ph);
      if (acc) {
        Pending p{expect(reqs[next]), cycle_, next};
        pending_.push_back(p);
        ++next;
        ++requests_;
      }
      top_->clk = 1;
      top_->eval();
      ++cycle_;
      // The request's estimate is in ne_q1 now (c0 -> stage 1, loaded on acceptance).
      if (acc) cover(reqs[next - 1], pending_.back().exp, top_->rootp->ttq_quoter__DOT__ne_q1);
      idle_guard = (acc || (out_valid && ready)) ? 0 : idle_guard + 1;
      if (idle_guard > 1000) {
        std::printf("FAIL %s: no progress for 1000 cycles (%zu pending)\n", ph.name,
                    pending_.size());
        ++protocol_errors_;
        return;
      }
    }
    std::printf("phase %-22s %8zu requests, accepted on %.1f%% of offered cycles\n", ph.name,
                reqs.size(),
                100.0 * static_cast<double>(accepted_at_full) /
                    static_cast<double>(std::max<std::uint64_t>(cycles_offered, 1)));
    if (ph.no_stall && accepted_at_full != cycles_offered) {
      std::printf("FAIL %s: tready dropped without back-pressure\n", ph.name);
      ++protocol_errors_;
    }
  }

  std::uint64_t requests() const { return requests_; }
  std::uint64_t mismatches() const { return mismatches_; }
  std::uint64_t latency_errors() const { return latency_errors_; }
  std::uint64_t protocol_errors() const { return protocol_errors_; }
  std::uint64_t latency_checked() const { return latency_checked_; }
  std::uint64_t cycles() const { return cycle_; }

 private:
  struct Pending {
    Expected exp;
    std::uint64_t accept_cycle;
    std::size_t index;
  };

  void step() {
    top_->clk = 0;
    top_->eval();
    top_->clk = 1;
    top_->eval();
    ++cycle_;
  }

  static std::uint64_t u(std::int64_t v, int w) {
    return static_cast<std::uint64_t>(v) &
           (w == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << w) - 1);
  }

  void drive(const Request& r) {
    const ttq::sim::QuoterCardRegs regs = ttq::sim::quoter_card_regs(r.tick, r.p.max_spread_ticks);
    Vttq_quoter& t = *top_;
    t.s_axis_req_slot = r.slot;
    t.s_axis_req_seq = r.seq;
    t.s_axis_req_security_id = static_cast<std::uint32_t>(r.security_id);
    t.s_axis_req_bid_px = static_cast<std::uint64_t>(r.tob.bid_px);
    t.s_axis_req_ask_px = static_cast<std::uint64_t>(r.tob.ask_px);
    t.s_axis_req_bid_sz = static_cast<std::uint32_t>(r.tob.bid_sz);
    t.s_axis_req_ask_sz = static_cast<std::uint32_t>(r.tob.ask_sz);
    t.s_axis_req_pull = r.pull;
    t.s_axis_req_tick = regs.tick;
    t.s_axis_req_recip_sh = regs.recip_sh;
    t.s_axis_req_recip = regs.recip;
    t.s_axis_req_d_lim = regs.d_lim;
    t.s_axis_req_mid = r.p.ref_mode == ttq::RefMode::kMid;
    t.s_axis_req_bid_off = static_cast<std::uint32_t>(u(r.p.bid_offset_ticks, 22));
    t.s_axis_req_ask_off = static_cast<std::uint32_t>(u(r.p.ask_offset_ticks, 22));
    t.s_axis_req_min_spread = static_cast<std::uint16_t>(r.p.min_spread_ticks);
    t.s_axis_req_order_size = static_cast<std::uint32_t>(u(r.p.order_size, 31));
    t.s_axis_req_tol = static_cast<std::uint32_t>(u(r.p.requote_tolerance_ticks, 21));
    t.s_axis_req_price_floor = static_cast<std::uint64_t>(r.p.price_floor);
    t.s_axis_req_price_ceil = static_cast<std::uint64_t>(r.p.price_ceiling);
    t.s_axis_req_shift_ticks = static_cast<std::uint32_t>(u(r.skew.shift_ticks, 22));
    t.s_axis_req_size_adj = static_cast<std::uint32_t>(r.skew.size_adj);
    t.s_axis_req_prev_bid_px = static_cast<std::uint64_t>(r.prev.bid_px);
    t.s_axis_req_prev_ask_px = static_cast<std::uint64_t>(r.prev.ask_px);
    t.s_axis_req_prev_bid_sz = static_cast<std::uint32_t>(r.prev.bid_sz);
    t.s_axis_req_prev_ask_sz = static_cast<std::uint32_t>(r.prev.ask_sz);
    t.s_axis_req_prev_flags = r.prev.flags;
  }

  void check_output(const Phase& ph) {
    if (pending_.empty()) {
      ++mismatches_;
      std::printf("FAIL %s: output with no request outstanding\n", ph.name);
      return;
    }
    const Pending p = pending_.front();
    pending_.pop_front();
    QuoteRecord got;
    static_assert(sizeof(QuoteRecord) == 40);
    std::memcpy(&got, top_->m_axis_quote_tdata.data(), sizeof got);  // the layout of the record
    const bool send = top_->m_axis_quote_tuser & 1;
    const bool upd = (top_->m_axis_quote_tuser >> 1) & 1;
    const QuoteRecord& e = p.exp.rec;
    const bool ok = got.bid_px == e.bid_px && got.ask_px == e.ask_px && got.bid_sz == e.bid_sz &&
                    got.ask_sz == e.ask_sz && got.security_id == e.security_id &&
                    got.seq == e.seq && got.slot == e.slot && got.level == 0 &&
                    got.flags == e.flags && got.reserved == 0 && send == p.exp.send &&
                    upd == p.exp.upd;
    if (!ok) {
      ++mismatches_;
      if (mismatches_ <= 10) {
        std::printf(
            "MISMATCH %s request %zu (slot %u seq %u):\n"
            "  got bid %lld x %d ask %lld x %d flags %02x send %d upd %d\n"
            "  exp bid %lld x %d ask %lld x %d flags %02x send %d upd %d\n",
            ph.name, p.index, e.slot, e.seq, static_cast<long long>(got.bid_px), got.bid_sz,
            static_cast<long long>(got.ask_px), got.ask_sz, got.flags, send, upd,
            static_cast<long long>(e.bid_px), e.bid_sz, static_cast<long long>(e.ask_px), e.ask_sz,
            e.flags, p.exp.send, p.exp.upd);
      }
    }
    if (ph.no_stall) {
      ++latency_checked_;
      if (cycle_ - p.accept_cycle != static_cast<std::uint64_t>(kLatency)) {
        ++latency_errors_;
        if (latency_errors_ <= 5) {
          std::printf("LATENCY %s request %zu: %llu cycles, expected %d\n", ph.name, p.index,
                      static_cast<unsigned long long>(cycle_ - p.accept_cycle), kLatency);
        }
      }
    }
  }

  std::unique_ptr<Vttq_quoter> top_;
  std::deque<Pending> pending_;
  std::uint64_t cycle_ = 0;
  std::uint64_t requests_ = 0;
  std::uint64_t mismatches_ = 0;
  std::uint64_t latency_errors_ = 0;
  std::uint64_t latency_checked_ = 0;
  std::uint64_t protocol_errors_ = 0;
};

void print_request(const Request& r) {
  std::printf("  tob %lld x %d / %lld x %d pull %02x tick %lld\n",
              static_cast<long long>(r.tob.bid_px), r.tob.bid_sz,
              static_cast<long long>(r.tob.ask_px), r.tob.ask_sz, r.pull,
              static_cast<long long>(r.tick));
}

}  // namespace

int main(int argc, char** argv) {
  auto ctx = std::make_unique<VerilatedContext>();
  ctx->commandArgs(argc, argv);
  std::uint64_t seed = 0x7715'0a7e'2024'0001ull;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]).rfind("--seed=", 0) == 0) seed = std::stoull(argv[i] + 7, nullptr, 0);
  }
  std::printf("tb_quoter: seed 0x%llx, LATENCY %d\n", static_cast<unsigned long long>(seed),
              kLatency);
  Gen g(seed);

  std::vector<Request> dir;
  directed(dir, g);
  const std::size_t n_rules = dir.size();
  boundary_sweeps(dir, g);
  std::printf("directed: %zu rule corners, %zu threshold sweeps\n", n_rules, dir.size() - n_rules);
  for (const Request& r : dir) {
    if (const char* why = ttq::validate(r.p)) {
      std::printf("FAIL: directed request with invalid parameters: %s\n", why);
      print_request(r);
      return 1;
    }
  }
  std::vector<Request> rnd;
  for (int i = 0; i < 300000; ++i) rnd.push_back(g.random_request());
  std::vector<Request> seqd;
  stateful(seqd, g, 100000);
  for (const std::vector<Request>* v : {&rnd, &seqd}) {
    for (const Request& r : *v) {
      if (const char* why = ttq::validate(r.p)) {
        std::printf("FAIL: generated request with invalid parameters: %s\n", why);
        return 1;
      }
    }
  }
  const auto slice = [](const std::vector<Request>& v, std::size_t a, std::size_t b) {
    return std::vector<Request>(v.begin() + static_cast<std::ptrdiff_t>(a),
                                v.begin() + static_cast<std::ptrdiff_t>(std::min(b, v.size())));
  };

  Bench bench(ctx.get());
  bench.run({"directed/no-stall", 0.0, 1.0, true}, dir, g);
  bench.run({"directed/stall", 0.3, 0.5, false}, dir, g);
  bench.run({"random/no-stall", 0.0, 1.0, true}, slice(rnd, 0, 100000), g);
  bench.run({"random/idle,no-stall", 0.4, 1.0, true}, slice(rnd, 100000, 150000), g);
  bench.run({"random/idle,stall", 0.3, 0.7, false}, slice(rnd, 150000, 230000), g);
  bench.run({"random/heavy-stall", 0.05, 0.15, false}, slice(rnd, 230000, 260000), g);
  bench.run({"random/bursty-stall", 0.0, 0.9, false}, slice(rnd, 260000, 300000), g);
  bench.run({"stateful/idle,stall", 0.2, 0.8, false}, seqd, g);

  std::printf(
      "estimate: the RTL's n_e (ne_q1) equals card_estimate for %llu of %llu requests; "
      "n = n_e + c: c=0 %llu, c=1 %llu, out of range %llu\n",
      static_cast<unsigned long long>(g_cov.ne_checked - g_cov.ne_wrong),
      static_cast<unsigned long long>(g_cov.ne_checked),
      static_cast<unsigned long long>(g_cov.c[0]), static_cast<unsigned long long>(g_cov.c[1]),
      static_cast<unsigned long long>(g_cov.bad_c));
  std::printf(
      "outcomes: upstream pull %llu, book pull %llu, quoted %llu (join %llu, mid %llu; "
      "live none/bid/ask/both %llu/%llu/%llu/%llu; floor/ceiling/int64 cuts %llu, "
      "int64 only %llu; size clamp %llu)\n",
      static_cast<unsigned long long>(g_cov.pull_up),
      static_cast<unsigned long long>(g_cov.pull_book),
      static_cast<unsigned long long>(g_cov.quoted), static_cast<unsigned long long>(g_cov.join),
      static_cast<unsigned long long>(g_cov.mid), static_cast<unsigned long long>(g_cov.live[0]),
      static_cast<unsigned long long>(g_cov.live[1]),
      static_cast<unsigned long long>(g_cov.live[2]),
      static_cast<unsigned long long>(g_cov.live[3]),
      static_cast<unsigned long long>(g_cov.cut_ceil_or_floor),
      static_cast<unsigned long long>(g_cov.cut_range),
      static_cast<unsigned long long>(g_cov.clamp));
  std::printf(
      "rules 4-7: n odd %llu / even %llu, min-spread shortfall odd %llu / even %llu, "
      "post-only bid %llu / ask %llu\n",
      static_cast<unsigned long long>(g_cov.n_odd), static_cast<unsigned long long>(g_cov.n_even),
      static_cast<unsigned long long>(g_cov.w_odd), static_cast<unsigned long long>(g_cov.w_even),
      static_cast<unsigned long long>(g_cov.post_bid),
      static_cast<unsigned long long>(g_cov.post_ask));
  std::printf(
      "requote: upd %llu (send %llu, silent %llu), no requote %llu\n",
      static_cast<unsigned long long>(g_cov.upd), static_cast<unsigned long long>(g_cov.send),
      static_cast<unsigned long long>(g_cov.silent), static_cast<unsigned long long>(g_cov.kept));
  std::printf(
      "tb_quoter: %llu requests in %llu cycles, %llu mismatches, %llu latency checks "
      "(%llu wrong), %llu protocol errors\n",
      static_cast<unsigned long long>(bench.requests()),
      static_cast<unsigned long long>(bench.cycles()),
      static_cast<unsigned long long>(bench.mismatches()),
      static_cast<unsigned long long>(bench.latency_checked()),
      static_cast<unsigned long long>(bench.latency_errors()),
      static_cast<unsigned long long>(bench.protocol_errors()));
  const bool pass = bench.mismatches() == 0 && bench.latency_errors() == 0 &&
                    bench.protocol_errors() == 0 && g_cov.bad_c == 0 && g_cov.c[0] > 0 &&
                    g_cov.ne_wrong == 0 && g_cov.ne_checked == bench.requests() &&
                    g_cov.c[1] > 0 && bench.requests() >= 200000;
  std::printf("%s\n", pass ? "PASS" : "FAIL");
  return pass ? 0 : 1;
}
