// Simulated exchange: the backtest's Venue. Our orders rest, virtually, in the book replayed from
// the capture; they fill against the capture's trade summaries (42/48) after the queue ahead of
// them, against trades printed through their price, and when the replayed book crosses them.
// Orders and reports travel with latency; docs/backtest.md gives every rule.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ttq/book.hpp"
#include "ttq/risk.hpp"
#include "ttq/venue.hpp"

namespace ttq {

// A latency: constant, or linear interpolation in a table of measured points (offset from the
// start of the run, latency), held at the first/last value outside the table.
struct LatencyModel {
  std::uint64_t constant_ns = 0;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> table;  // offsets strictly increasing
  std::uint64_t at(std::uint64_t offset_ns) const;
};

enum class QueueModel : std::uint8_t {
  kConservative = 0,   // a size decrease at our price is cancels behind us first
  kProbabilistic = 1,  // a decrease is split ahead/behind by f(ahead) / (f(ahead) + f(behind))
};

struct SimExchangeParams {
  LatencyModel order_latency;     // host decision -> order reaches the exchange
  LatencyModel response_latency;  // exchange event -> report reaches the host
  std::uint64_t start_ns = 0;     // origin of the latency tables' offsets
  QueueModel queue = QueueModel::kConservative;
  double queue_power = 2.0;       // probabilistic model: f(x) = x^queue_power
  bool post_only = true;          // false: a crossing order takes liquidity (taker fee)
  std::int64_t maker_fee_nano = 0;  // per lot, currency x 1e9; negative = rebate
  std::int64_t taker_fee_nano = 0;
};

enum class ExecKind : std::uint8_t { kAccepted = 0, kFill, kReject, kCancelled };
enum class ExchReject : std::uint8_t {
  kNone = 0,
  kPostOnly,      // New/Replace would have crossed the book: refused, the order is gone
  kUnknownOrder,  // Replace of an order already filled or cancelled
  kCount
};
const char* to_string(ExchReject r);  // "none", "post_only", "unknown_order"

// What the exchange tells the host (after the response latency) and the KPI recorder (at once).
struct ExecReport {
  ExecKind kind = ExecKind::kAccepted;
  ExchReject reason = ExchReject::kNone;
  bool maker = true;  // fills: provided liquidity
  Side side = Side::kBuy;
  std::uint8_t level = 0;
  std::uint16_t slot = 0;
  std::int32_t security_id = 0;
  std::uint32_t version = 0;  // New = 1, +1 per Replace (OrderManager counts the same)
  std::uint64_t order_id = 0;
  std::int64_t px = 0;        // fill price (PRICE9); order price otherwise
  std::int32_t qty = 0;       // fill quantity
  std::int32_t leaves = 0;    // after this event
  std::int64_t fee_nano = 0;  // this fill's fee, currency x 1e9 (before the multiplier: per lot)
  std::uint64_t exch_ns = 0;
  std::uint64_t host_ns = 0;
};

// One of our orders resting at the exchange.
struct RestingOrder {
  std::uint64_t order_id = 0;
  std::uint32_t version = 0;
  std::int32_t security_id = 0;
  std::uint16_t slot = 0;
  std::uint8_t level = 0;
  Side side = Side::kBuy;
  std::int64_t px = 0;
  std::int32_t leaves = 0;
  double ahead = 0;              // lots ahead of us at px
  std::int64_t level_seen = -1;  // displayed size at px when last looked (-1: not visible)
  std::uint64_t queued_ns = 0;   // when it (re)joined the queue
};

// The replayed books, by instrument (backtest: the exchange-view FastPath; tests: hand-built).
class MarketBooks {
 public:
  virtual ~MarketBooks() = default;
  virtual const MbpBook* book(std::int32_t security_id) const = 0;
};

// Sees every report at exchange time (the KPI recorder).
class ExchangeListener {
 public:
  virtual ~ExchangeListener() = default;
  virtual void on_exec(const ExecReport& r) = 0;
};

struct SimExchangeCounters {
  std::uint64_t received_new = 0, received_replace = 0, received_cancel = 0;
  std::uint64_t accepted = 0;  // New/Replace now resting
  std::array<std::uint64_t, static_cast<std::size_t>(ExchReject::kCount)> rejected{};
  std::uint64_t cancelled = 0;
  std::uint64_t cancel_unknown = 0;  // cancel of an order already gone (filled)
  std::uint64_t fills = 0;
  std::uint64_t filled_lots = 0, maker_lots = 0, taker_lots = 0;
  std::uint64_t queue_fills = 0;    // a trade at our price after the queue ahead
  std::uint64_t through_fills = 0;  // a trade printed through our price
  std::uint64_t cross_fills = 0;    // the replayed book crossed our resting price
};

class SimExchange final : public Venue {
 public:
  SimExchange(const SimExchangeParams& p, const MarketBooks& books);

  // The host sends at intent.ts_ns; the order arrives after the order latency, in send order.
  void send(const OrderIntent& intent) override;

  // Arrival time of the oldest order in flight; UINT64_MAX when none.
  std::uint64_t next_arrival() const;
  // Applies every order that has arrived by t (post-only check, queue position, taking).
  void advance_to(std::uint64_t t);

  // Market events at exchange time t (call advance_to(t) first). A trade summary entry: price
  // PRICE9, aggressor 1 buy, 2 sell, anything else unknown.
  void on_trade(std::uint64_t t, std::int32_t security_id, std::int64_t px, std::int32_t qty,
                std::uint8_t aggressor);
  // The replayed book of the instrument changed: queue positions, crossed orders.
  void on_book(std::uint64_t t, std::int32_t security_id);

  // Host receive time of the oldest pending report; UINT64_MAX when none.
  std::uint64_t next_report() const;
  // Pops the oldest report the host has by time t.
  bool pop_report(std::uint64_t t, ExecReport& out);

  void set_listener(ExchangeListener* l) { listener_ = l; }
  void set_start_ns(std::uint64_t t) { p_.start_ns = t; }  // origin of the latency tables
  std::span<const RestingOrder> resting() const { return resting_; }
  const SimExchangeCounters& counters() const { return c_; }
  const SimExchangeParams& params() const { return p_; }

 private:
  struct InFlight {
    OrderIntent intent;
    std::uint32_t version;
    std::uint64_t arrive_ns;
  };
  void arrive(const InFlight& f);
  void report(ExecReport r, std::uint64_t t);
  void fill(RestingOrder& o, std::int32_t qty, std::int64_t px, bool maker, std::uint64_t t);
  void enqueue(RestingOrder& o, const MbpBook* b, std::uint64_t t);
  bool crosses(const MbpBook* b, Side side, std::int64_t px) const;
  void take(RestingOrder& o, const MbpBook* b, std::uint64_t t);
  void remove_done();

  SimExchangeParams p_;
  const MarketBooks& books_;
  ExchangeListener* listener_ = nullptr;
  std::deque<InFlight> inflight_;
  std::deque<ExecReport> reports_;
  std::vector<RestingOrder> resting_;
  std::unordered_map<std::uint64_t, std::uint32_t> sent_version_;  // order id -> last version sent
  std::uint64_t last_arrival_ = 0;
  std::uint64_t last_report_ = 0;
  SimExchangeCounters c_;
};

// Displayed outright size at px on one side of a book: 0 when px is inside the visible range and
// not a level, -1 when px is past the visible depth (unknown).
std::int64_t displayed_size(const MbpBook& b, Side side, std::int64_t px);

}  // namespace ttq
