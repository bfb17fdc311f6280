// Simulated exchange for `ttq backtest`: orders and reports with latency, queue position at our
// price, fills from the replayed trades and book. Integer prices and lots; the queue ahead is a
// double only because the probabilistic model splits a decrease by a ratio.
#include "ttq/sim_exchange.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ttq {

namespace {

constexpr std::uint64_t kNever = std::numeric_limits<std::uint64_t>::max();

bool better_or_equal(Side side, std::int64_t a, std::int64_t b) {
  return side == Side::kBuy ? a >= b : a <= b;
}

// An opposite-side level at level_px would trade with our order at px.
bool reaches(Side ours, std::int64_t px, std::int64_t level_px) {
  return ours == Side::kBuy ? level_px <= px : level_px >= px;
}

}  // namespace

const char* to_string(ExchReject r) {
  switch (r) {
    case ExchReject::kNone: return "none";
    case ExchReject::kPostOnly: return "post_only";
    case ExchReject::kUnknownOrder: return "unknown_order";
    case ExchReject::kCount: break;
  }
  return "unknown";
}

std::uint64_t LatencyModel::at(std::uint64_t offset_ns) const {
  if (table.empty()) return constant_ns;
  if (offset_ns <= table.front().first) return table.front().second;
  if (offset_ns >= table.back().first) return table.back().second;
  const auto it = std::upper_bound(
      table.begin(), table.end(), offset_ns,
      [](std::uint64_t v, const std::pair<std::uint64_t, std::uint64_t>& e) { return v < e.first; });
  const auto& hi = *it;
  const auto& lo = *(it - 1);
  // Exact integer interpolation (128 bits: span x latency difference can exceed 64 bits).
  __extension__ typedef __int128 i128;
  const i128 num = static_cast<i128>(offset_ns - lo.first) *
                   (static_cast<i128>(hi.second) - static_cast<i128>(lo.second));
  const i128 den = static_cast<i128>(hi.first - lo.first);
  return static_cast<std::uint64_t>(static_cast<i128>(lo.second) + num / den);
}

std::int64_t displayed_size(const MbpBook& b, Side side, std::int64_t px) {
  const BookSide& s = side == Side::kBuy ? b.bids() : b.asks();
  std::uint32_t occupied = 0;
  bool worse_seen = false;  // a visible level further from the touch than px
  for (std::uint32_t n = 1; n <= b.depth() && n <= kMaxDepth; ++n) {
    if (!s.has(n)) continue;
    ++occupied;
    const Level& l = s.level[n - 1];
    if (l.px == px) return l.sz;
    if (!better_or_equal(side, l.px, px)) worse_seen = true;
  }
  return (worse_seen || occupied < b.depth()) ? 0 : -1;
}

SimExchange::SimExchange(const SimExchangeParams& p, const MarketBooks& books)
    : p_(p), books_(books) {
  resting_.reserve(256);
}

void SimExchange::send(const OrderIntent& in) {
  std::uint32_t version = 0;
  switch (in.kind) {
    case OrderIntent::Kind::kNew:
      version = sent_version_[in.order_id] = 1;
      break;
    case OrderIntent::Kind::kReplace:
      version = ++sent_version_[in.order_id];
      break;
    case OrderIntent::Kind::kCancel: {
      const auto it = sent_version_.find(in.order_id);
      version = it == sent_version_.end() ? 0 : it->second;
      if (it != sent_version_.end()) sent_version_.erase(it);
      break;
    }
  }
  const std::uint64_t off = in.ts_ns > p_.start_ns ? in.ts_ns - p_.start_ns : 0;
  // One order-entry session: orders arrive in the order they were sent.
  const std::uint64_t arrive = std::max(in.ts_ns + p_.order_latency.at(off), last_arrival_);
  last_arrival_ = arrive;
  inflight_.push_back(InFlight{in, version, arrive});
}

std::uint64_t SimExchange::next_arrival() const {
  return inflight_.empty() ? kNever : inflight_.front().arrive_ns;
}

void SimExchange::advance_to(std::uint64_t t) {
  while (!inflight_.empty() && inflight_.front().arrive_ns <= t) {
    const InFlight f = inflight_.front();
    inflight_.pop_front();
    arrive(f);
  }
}

void SimExchange::report(ExecReport r, std::uint64_t t) {
  r.exch_ns = t;
  const std::uint64_t off = t > p_.start_ns ? t - p_.start_ns : 0;
  r.host_ns = std::max(t + p_.response_latency.at(off), last_report_);
  last_report_ = r.host_ns;
  if (listener_) listener_->on_exec(r);
  // The version count of an order ends only with its Cancel: after a fill or reject the host may
  // still send a Replace (it has not heard yet), and that Replace's reject must carry the version
  // the order manager expects.
  reports_.push_back(r);
}

bool SimExchange::crosses(const MbpBook* b, Side side, std::int64_t px) const {
  if (!b) return false;
  const TopOfBook top = b->top();
  return side == Side::kBuy ? (top.ask_sz > 0 && px >= top.ask_px)
                            : (top.bid_sz > 0 && px <= top.bid_px);
}

void SimExchange::enqueue(RestingOrder& o, const MbpBook* b, std::uint64_t t) {
  // Joins the back of the queue: everything displayed at the price is ahead.
  const std::int64_t shown = b ? displayed_size(*b, o.side, o.px) : -1;
  o.ahead = shown > 0 ? static_cast<double>(shown) : 0.0;
  o.level_seen = shown;
  o.queued_ns = t;
}

void SimExchange::take(RestingOrder& o, const MbpBook* b, std::uint64_t t) {
  // Marketable part of a non-post-only order: walks the displayed opposite levels up to its price
  // (the replayed book itself is not changed: no market impact).
  const BookSide& s = o.side == Side::kBuy ? b->asks() : b->bids();
  for (std::uint32_t n = 1; n <= b->depth() && o.leaves > 0; ++n) {
    if (!s.has(n)) continue;
    const Level& l = s.level[n - 1];
    if (!reaches(o.side, o.px, l.px)) break;  // beyond our limit
    const std::int32_t q = std::min(o.leaves, l.sz);
    if (q > 0) fill(o, q, l.px, false, t);
  }
}

void SimExchange::arrive(const InFlight& f) {
  const OrderIntent& in = f.intent;
  const MbpBook* b = books_.book(in.security_id);
  ExecReport r;
  r.order_id = in.order_id;
  r.version = f.version;
  r.security_id = in.security_id;
  r.slot = in.slot;
  r.level = in.level;
  r.side = in.side;
  r.px = in.px;
  const std::uint64_t t = f.arrive_ns;

  auto it = std::find_if(resting_.begin(), resting_.end(),
                         [&](const RestingOrder& o) { return o.order_id == in.order_id; });
  switch (in.kind) {
    case OrderIntent::Kind::kNew: {
      ++c_.received_new;
      const bool cross = crosses(b, in.side, in.px);
      if (cross && p_.post_only) {
        r.kind = ExecKind::kReject;
        r.reason = ExchReject::kPostOnly;
        ++c_.rejected[static_cast<std::size_t>(r.reason)];
        report(r, t);
        return;
      }
      RestingOrder o;
      o.order_id = in.order_id;
      o.version = f.version;
      o.security_id = in.security_id;
      o.slot = in.slot;
      o.level = in.level;
      o.side = in.side;
      o.px = in.px;
      o.leaves = in.qty;
      ++c_.accepted;
      r.kind = ExecKind::kAccepted;
      r.qty = 0;
      r.leaves = in.qty;
      report(r, t);
      if (cross) take(o, b, t);
      if (o.leaves > 0) {
        enqueue(o, b, t);
        resting_.push_back(o);
      }
      return;
    }
    case OrderIntent::Kind::kReplace: {
      ++c_.received_replace;
      if (it == resting_.end()) {
        r.kind = ExecKind::kReject;
        r.reason = ExchReject::kUnknownOrder;
        ++c_.rejected[static_cast<std::size_t>(r.reason)];
        report(r, t);
        return;
      }
      RestingOrder& o = *it;
      if (crosses(b, in.side, in.px) && p_.post_only) {
        // Refused, and the order is gone: nothing stale keeps working (docs/backtest.md).
        r.kind = ExecKind::kReject;
        r.reason = ExchReject::kPostOnly;
        ++c_.rejected[static_cast<std::size_t>(r.reason)];
        resting_.erase(it);
        report(r, t);
        return;
      }
      // Priority is kept only when the price stays and the quantity does not grow.
      const bool keep = o.px == in.px && in.qty <= o.leaves;
      o.version = f.version;
      o.px = in.px;
      o.leaves = in.qty;
      ++c_.accepted;
      r.kind = ExecKind::kAccepted;
      r.leaves = o.leaves;
      report(r, t);
      const bool cross = crosses(b, in.side, in.px);
      if (cross) take(o, b, t);
      if (!keep && o.leaves > 0) enqueue(o, b, t);
      remove_done();
      return;
    }
    case OrderIntent::Kind::kCancel: {
      ++c_.received_cancel;
      if (it == resting_.end()) {
        ++c_.cancel_unknown;
        return;
      }
      r.kind = ExecKind::kCancelled;
      r.version = it->version;
      r.leaves = 0;
      ++c_.cancelled;
      resting_.erase(it);
      report(r, t);
      return;
    }
  }
}

void SimExchange::fill(RestingOrder& o, std::int32_t qty, std::int64_t px, bool maker,
                       std::uint64_t t) {
  o.leaves -= qty;
  ++c_.fills;
  c_.filled_lots += static_cast<std::uint64_t>(qty);
  (maker ? c_.maker_lots : c_.taker_lots) += static_cast<std::uint64_t>(qty);
  ExecReport r;
  r.kind = ExecKind::kFill;
  r.maker = maker;
  r.side = o.side;
  r.level = o.level;
  r.slot = o.slot;
  r.security_id = o.security_id;
  r.version = o.version;
  r.order_id = o.order_id;
  r.px = px;
  r.qty = qty;
  r.leaves = o.leaves;
  r.fee_nano = (maker ? p_.maker_fee_nano : p_.taker_fee_nano) * qty;
  report(r, t);
}

void SimExchange::remove_done() {
  resting_.erase(std::remove_if(resting_.begin(), resting_.end(),
                                [](const RestingOrder& o) { return o.leaves <= 0; }),
                 resting_.end());
}

void SimExchange::on_trade(std::uint64_t t, std::int32_t security_id, std::int64_t px,
                           std::int32_t qty, std::uint8_t aggressor) {
  if (qty <= 0) return;
  // Our orders on the passive side of this trade, best price first, then time priority.
  const bool buys = aggressor != 1;   // a sell (or unknown) aggressor can hit our bids
  const bool sells = aggressor != 2;  // a buy (or unknown) aggressor can lift our offers
  std::size_t idx[64];
  std::size_t n = 0;
  for (std::size_t i = 0; i < resting_.size() && n < 64; ++i) {
    const RestingOrder& o = resting_[i];
    if (o.security_id != security_id || o.leaves <= 0) continue;
    const bool eligible = o.side == Side::kBuy ? (buys && o.px >= px) : (sells && o.px <= px);
    if (eligible) idx[n++] = i;
  }
  if (n == 0) return;
  std::sort(idx, idx + n, [&](std::size_t a, std::size_t b) {
    const RestingOrder& x = resting_[a];
    const RestingOrder& y = resting_[b];
    if (x.side != y.side) return x.side < y.side;
    if (x.px != y.px) return x.side == Side::kBuy ? x.px > y.px : x.px < y.px;
    if (x.queued_ns != y.queued_ns) return x.queued_ns < y.queued_ns;
    return x.order_id < y.order_id;
  });
  // Each side of us sees the trade's quantity once: what fills a better-priced order of ours is
  // no longer there for the next one.
  std::int64_t budget[2] = {qty, qty};
  for (std::size_t k = 0; k < n; ++k) {
    RestingOrder& o = resting_[idx[k]];
    std::int64_t& left = budget[static_cast<std::size_t>(o.side)];
    if (left <= 0) continue;
    if (o.px == px) {
      // At our price: the queue ahead trades first.
      const double used = std::min(o.ahead, static_cast<double>(left));
      o.ahead -= used;
      left -= static_cast<std::int64_t>(std::ceil(used));
      if (o.level_seen > 0) o.level_seen = std::max<std::int64_t>(0, o.level_seen - qty);
      if (left <= 0 || o.ahead > 0) continue;
      const auto q = static_cast<std::int32_t>(std::min<std::int64_t>(o.leaves, left));
      left -= q;
      ++c_.queue_fills;
      fill(o, q, o.px, true, t);
    } else {
      // Printed through our price: the aggressor would have reached us first.
      const auto q = static_cast<std::int32_t>(std::min<std::int64_t>(o.leaves, left));
      left -= q;
      ++c_.through_fills;
      fill(o, q, o.px, true, t);
    }
  }
  remove_done();
}

void SimExchange::on_book(std::uint64_t t, std::int32_t security_id) {
  const MbpBook* b = books_.book(security_id);
  if (!b) return;
  bool any = false;
  for (RestingOrder& o : resting_) {
    if (o.security_id != security_id || o.leaves <= 0) continue;
    const std::int64_t shown = displayed_size(*b, o.side, o.px);
    if (shown >= 0) {
      if (o.level_seen >= 0 && shown < o.level_seen) {
        // A decrease no trade explains: cancels.
        if (p_.queue == QueueModel::kProbabilistic && o.ahead > 0) {
          const double dec = static_cast<double>(o.level_seen - shown);
          const double behind = std::max(0.0, static_cast<double>(o.level_seen) - o.ahead);
          const double fa = std::pow(o.ahead, p_.queue_power);
          const double fb = std::pow(behind, p_.queue_power);
          const double share = fa + fb > 0 ? fa / (fa + fb) : 1.0;
          o.ahead = std::max(0.0, o.ahead - dec * share);
        }
      }
      // Conservative: cancels are behind us, so the queue ahead can only be cut by what is left.
      o.ahead = std::min(o.ahead, static_cast<double>(shown));
      o.level_seen = shown;
    }
    // The replayed book trades at or through our price: that liquidity would have met us.
    const BookSide& opp = o.side == Side::kBuy ? b->asks() : b->bids();
    std::int64_t avail = 0;
    for (std::uint32_t n = 1; n <= b->depth(); ++n) {
      if (!opp.has(n)) continue;
      const Level& l = opp.level[n - 1];
      if (!reaches(o.side, o.px, l.px)) break;
      avail += l.sz;
    }
    if (avail > 0) {
      const auto q = static_cast<std::int32_t>(std::min<std::int64_t>(o.leaves, avail));
      ++c_.cross_fills;
      fill(o, q, o.px, true, t);
      any = true;
    }
  }
  if (any) remove_done();
}

std::uint64_t SimExchange::next_report() const {
  return reports_.empty() ? kNever : reports_.front().host_ns;
}

bool SimExchange::pop_report(std::uint64_t t, ExecReport& out) {
  if (reports_.empty() || reports_.front().host_ns > t) return false;
  out = reports_.front();
  reports_.pop_front();
  return true;
}

}  // namespace ttq
