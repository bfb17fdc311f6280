// OrderManager: the host's slow path from quote records to orders. It diffs each record against
// the orders it works, turns the difference into New/Replace/Cancel intents, passes every intent
// through the RiskGate and sends the accepted ones to a Venue. Allocation-free after construction.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "ttq/quote.hpp"
#include "ttq/quoter.hpp"
#include "ttq/risk.hpp"
#include "ttq/venue.hpp"

namespace ttq {

struct OrderManagerCounters {
  std::uint64_t records = 0;
  std::uint64_t dropped_records = 0;            // slot >= max_slots or level >= kMaxLevels
  std::array<std::uint64_t, 3> intents{};       // checked by the gate, by OrderIntent::Kind
  std::array<std::uint64_t, 3> accepted{};      // accepted and sent, by OrderIntent::Kind
  std::uint64_t rejected = 0;                   // New/Replace refused (reasons: RiskGate)
  std::uint64_t replace_rejects_cancelled = 0;  // rejected Replace turned into a Cancel
  std::uint64_t fills = 0;
  std::uint64_t dropped_fills = 0;        // slot >= max_slots or qty <= 0
  std::uint64_t unmatched_fill_lots = 0;  // filled lots no working order could absorb
  // Venue reports (on_execution / on_venue_reject), e.g. from the simulated exchange.
  std::uint64_t executions = 0;
  std::uint64_t venue_rejects = 0;           // New/Replace refused by the venue (order gone)
  std::uint64_t superseded_reports = 0;      // about a version a Replace in flight restates
  std::uint64_t reports_unknown_order = 0;   // order no longer working here (cancelled, pulled)
};

class OrderManager {
 public:
  // One working order per (slot, level, side). order_id 0 = no order.
  struct WorkingOrder {
    std::uint64_t order_id = 0;
    std::int64_t px = 0;
    std::int32_t qty = 0;     // as last sent (New or Replace); what a quote is compared with
    std::int32_t leaves = 0;  // qty minus fills since; counts as working exposure
    std::int32_t security_id = 0;
    std::uint32_t version = 0;  // New = 1, +1 per Replace sent (the venue counts the same)
  };

  OrderManager(RiskGate& gate, Venue& venue, std::size_t max_slots);

  // Per side: New when no working order, Replace when px or qty changes, Cancel when the side is
  // no longer live. A record with any kQuotePull* flag cancels every level of its slot. A
  // rejected New leaves the side empty; a rejected Replace becomes a Cancel of the old order so
  // nothing stale stays on the book.
  void on_quote(const QuoteRecord& rec, const MarketRef& ref, std::uint64_t now_ns);

  // Updates the gate's position and the working quantity: the fill is taken first from the
  // working order on that side priced at px, then from levels 0, 1, ... An order whose leaves
  // reach 0 is gone (the next live quote sends a New).
  void on_fill(std::uint16_t slot, Side side, std::int32_t qty, std::int64_t px);

  // A venue execution of the order `order_id` at (slot, level, side), `version` being the count of
  // New + Replaces the venue had applied to it. The gate's position always moves by the fill. The
  // working order takes the venue's `leaves` when the report is about the latest version sent (0
  // = gone); a report about an older version changes nothing here, because the Replace in flight
  // restates the quantity (leaves = its qty) when it reaches the venue.
  void on_execution(std::uint16_t slot, std::uint8_t level, Side side, std::uint64_t order_id,
                    std::uint32_t version, std::int32_t qty, std::int64_t px, std::int32_t leaves);
  // The venue refused (post-only, unknown order) or removed the order: it no longer works, if the
  // report is about the latest version sent.
  void on_venue_reject(std::uint16_t slot, std::uint8_t level, Side side, std::uint64_t order_id,
                       std::uint32_t version);

  // Kill-switch pull: cancels every working order (slot, then level, bid before ask).
  void cancel_all(std::uint64_t now_ns);

  const OrderManagerCounters& counters() const { return counters_; }
  std::uint64_t intents(OrderIntent::Kind k) const {
    return counters_.intents[static_cast<std::size_t>(k)];
  }
  std::uint64_t accepted(OrderIntent::Kind k) const {
    return counters_.accepted[static_cast<std::size_t>(k)];
  }
  std::uint64_t rejected() const { return counters_.rejected; }

  // nullptr when no order works at (slot, level, side) or the slot/level is out of range.
  const WorkingOrder* working(std::uint16_t slot, std::uint8_t level, Side side) const;
  std::int64_t working_qty(std::uint16_t slot, Side side) const;  // sum of leaves, all levels
  std::size_t working_orders() const;
  std::uint64_t next_order_id() const { return next_id_; }
  std::size_t max_slots() const { return max_slots_; }

 private:
  static constexpr std::size_t kLevels = kMaxLevels;

  WorkingOrder& order(std::uint16_t slot, std::uint8_t level, Side side) {
    return orders_[(slot * kLevels + level) * 2 + static_cast<std::size_t>(side)];
  }
  std::int64_t& working_sum(std::uint16_t slot, Side side) {
    return working_[slot * 2 + static_cast<std::size_t>(side)];
  }
  void work_side(const QuoteRecord& rec, Side side, bool live, std::int64_t px, std::int32_t qty,
                 const MarketRef& ref, std::uint64_t now_ns);
  void cancel(std::uint16_t slot, std::uint8_t level, Side side, std::uint64_t now_ns);

  RiskGate& gate_;
  Venue& venue_;
  std::size_t max_slots_;
  std::vector<WorkingOrder> orders_;   // max_slots * kLevels * 2
  std::vector<std::int64_t> working_;  // max_slots * 2: leaves per side
  std::uint64_t next_id_ = 1;
  OrderManagerCounters counters_;
};

}  // namespace ttq
