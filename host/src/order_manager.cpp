// OrderManager: quote records in, risk-checked order intents out. State is one fixed array of
// working orders per (slot, level, side), sized at construction, so a record never allocates.

#include "ttq/order_manager.hpp"

#include <algorithm>

namespace ttq {
namespace {

constexpr std::uint8_t kPullMask =
    kQuotePullStale | kQuotePullHalt | kQuotePullKill | kQuotePullBook;

constexpr std::size_t idx(OrderIntent::Kind k) {
  return static_cast<std::size_t>(k);
}

}  // namespace

OrderManager::OrderManager(RiskGate& gate, Venue& venue, std::size_t max_slots)
    : gate_(gate),
      venue_(venue),
      max_slots_(max_slots),
      orders_(max_slots * kLevels * 2),
      working_(max_slots * 2, 0) {}

void OrderManager::on_quote(const QuoteRecord& rec, const MarketRef& ref, std::uint64_t now_ns) {
  ++counters_.records;
  if (rec.slot >= max_slots_ || rec.level >= kLevels) {
    ++counters_.dropped_records;
    return;
  }
  if ((rec.flags & kPullMask) != 0) {
    // A pull concerns the instrument, not one level: nothing of the slot may stay working.
    for (std::size_t l = 0; l < kLevels; ++l) {
      const auto level = static_cast<std::uint8_t>(l);
      cancel(rec.slot, level, Side::kBuy, now_ns);
      cancel(rec.slot, level, Side::kSell, now_ns);
    }
    return;
  }
  work_side(rec, Side::kBuy, (rec.flags & kQuoteBidLive) != 0, rec.bid_px, rec.bid_sz, ref, now_ns);
  work_side(rec, Side::kSell, (rec.flags & kQuoteAskLive) != 0, rec.ask_px, rec.ask_sz, ref,
            now_ns);
}

void OrderManager::work_side(const QuoteRecord& rec, Side side, bool live, std::int64_t px,
                             std::int32_t qty, const MarketRef& ref, std::uint64_t now_ns) {
  WorkingOrder& wo = order(rec.slot, rec.level, side);
  // The slot now quotes another instrument: the old order cannot be replaced into it.
  if (wo.order_id != 0 && (!live || wo.security_id != rec.security_id)) {
    cancel(rec.slot, rec.level, side, now_ns);
  }
  if (!live) return;
  std::int64_t& working = working_sum(rec.slot, side);

  if (wo.order_id == 0) {
    const OrderIntent in{.kind = OrderIntent::Kind::kNew,
                         .order_id = next_id_,
                         .security_id = rec.security_id,
                         .slot = rec.slot,
                         .level = rec.level,
                         .side = side,
                         .px = px,
                         .qty = qty,
                         .ts_ns = now_ns};
    ++counters_.intents[idx(in.kind)];
    if (gate_.check(in, ref, working)) {
      ++counters_.rejected;
      return;
    }
    ++next_id_;  // ids are spent only by accepted News: the venue sees 1, 2, 3, ...
    ++counters_.accepted[idx(in.kind)];
    venue_.send(in);
    wo = WorkingOrder{in.order_id, px, qty, qty, rec.security_id, 1};
    working += qty;
    return;
  }

  if (wo.px == px && wo.qty == qty) return;
  const OrderIntent in{.kind = OrderIntent::Kind::kReplace,
                       .order_id = wo.order_id,
                       .security_id = rec.security_id,
                       .slot = rec.slot,
                       .level = rec.level,
                       .side = side,
                       .px = px,
                       .qty = qty,
                       .ts_ns = now_ns};
  ++counters_.intents[idx(in.kind)];
  if (gate_.check(in, ref, working - wo.leaves)) {
    ++counters_.rejected;
    ++counters_.replace_rejects_cancelled;
    cancel(rec.slot, rec.level, side, now_ns);
    return;
  }
  ++counters_.accepted[idx(in.kind)];
  venue_.send(in);
  working += static_cast<std::int64_t>(qty) - wo.leaves;
  wo.px = px;
  wo.qty = qty;
  wo.leaves = qty;  // a replace restates the whole order quantity
  ++wo.version;
}

void OrderManager::cancel(std::uint16_t slot, std::uint8_t level, Side side, std::uint64_t now_ns) {
  WorkingOrder& wo = order(slot, level, side);
  if (wo.order_id == 0) return;
  const OrderIntent in{.kind = OrderIntent::Kind::kCancel,
                       .order_id = wo.order_id,
                       .security_id = wo.security_id,
                       .slot = slot,
                       .level = level,
                       .side = side,
                       .px = wo.px,
                       .qty = wo.leaves,
                       .ts_ns = now_ns};
  ++counters_.intents[idx(in.kind)];
  // The gate never blocks a cancel; it is asked only so that every intent is counted there.
  (void)gate_.check(in, MarketRef{}, 0);
  ++counters_.accepted[idx(in.kind)];
  venue_.send(in);
  working_sum(slot, side) -= wo.leaves;
  wo = WorkingOrder{};
}

void OrderManager::cancel_all(std::uint64_t now_ns) {
  for (std::size_t s = 0; s < max_slots_; ++s) {
    for (std::size_t l = 0; l < kLevels; ++l) {
      cancel(static_cast<std::uint16_t>(s), static_cast<std::uint8_t>(l), Side::kBuy, now_ns);
      cancel(static_cast<std::uint16_t>(s), static_cast<std::uint8_t>(l), Side::kSell, now_ns);
    }
  }
}

void OrderManager::on_fill(std::uint16_t slot, Side side, std::int32_t qty, std::int64_t px) {
  if (slot >= max_slots_ || qty <= 0) {
    ++counters_.dropped_fills;
    return;
  }
  ++counters_.fills;
  const std::int64_t signed_qty = side == Side::kBuy ? qty : -static_cast<std::int64_t>(qty);
  gate_.set_position(slot, gate_.position(slot) + signed_qty);

  std::int32_t left = qty;
  auto absorb = [&](WorkingOrder& wo) {
    if (wo.order_id == 0 || left == 0) return;
    const std::int32_t take = std::min(left, wo.leaves);
    wo.leaves -= take;
    left -= take;
    working_sum(slot, side) -= take;
    if (wo.leaves == 0) wo = WorkingOrder{};
  };
  for (std::size_t l = 0; l < kLevels && left > 0; ++l) {
    WorkingOrder& wo = order(slot, static_cast<std::uint8_t>(l), side);
    if (wo.order_id != 0 && wo.px == px) {
      absorb(wo);
      break;
    }
  }
  for (std::size_t l = 0; l < kLevels && left > 0; ++l) {
    absorb(order(slot, static_cast<std::uint8_t>(l), side));
  }
  counters_.unmatched_fill_lots += static_cast<std::uint64_t>(left);
}

void OrderManager::on_execution(std::uint16_t slot, std::uint8_t level, Side side,
                                std::uint64_t order_id, std::uint32_t version, std::int32_t qty,
                                std::int64_t px, std::int32_t leaves) {
  (void)px;
  if (slot >= max_slots_ || level >= kLevels || qty <= 0) {
    ++counters_.dropped_fills;
    return;
  }
  ++counters_.fills;
  ++counters_.executions;
  const std::int64_t signed_qty = side == Side::kBuy ? qty : -static_cast<std::int64_t>(qty);
  gate_.set_position(slot, gate_.position(slot) + signed_qty);
  WorkingOrder& wo = order(slot, level, side);
  if (wo.order_id != order_id) {
    ++counters_.reports_unknown_order;
    return;
  }
  if (version != wo.version) {
    ++counters_.superseded_reports;
    return;
  }
  const std::int32_t now_leaves = std::max(0, std::min(leaves, wo.leaves));
  working_sum(slot, side) -= wo.leaves - now_leaves;
  wo.leaves = now_leaves;
  if (wo.leaves == 0) wo = WorkingOrder{};
}

void OrderManager::on_venue_reject(std::uint16_t slot, std::uint8_t level, Side side,
                                   std::uint64_t order_id, std::uint32_t version) {
  if (slot >= max_slots_ || level >= kLevels) return;
  ++counters_.venue_rejects;
  WorkingOrder& wo = order(slot, level, side);
  if (wo.order_id != order_id) {
    ++counters_.reports_unknown_order;
    return;
  }
  if (version != wo.version) {
    ++counters_.superseded_reports;
    return;
  }
  working_sum(slot, side) -= wo.leaves;
  wo = WorkingOrder{};
}

const OrderManager::WorkingOrder* OrderManager::working(std::uint16_t slot, std::uint8_t level,
                                                        Side side) const {
  if (slot >= max_slots_ || level >= kLevels) return nullptr;
  const WorkingOrder& wo = orders_[(slot * kLevels + level) * 2 + static_cast<std::size_t>(side)];
  return wo.order_id != 0 ? &wo : nullptr;
}

std::int64_t OrderManager::working_qty(std::uint16_t slot, Side side) const {
  return slot < max_slots_ ? working_[slot * 2 + static_cast<std::size_t>(side)] : 0;
}

std::size_t OrderManager::working_orders() const {
  return static_cast<std::size_t>(std::count_if(
      orders_.begin(), orders_.end(), [](const WorkingOrder& wo) { return wo.order_id != 0; }));
}

}  // namespace ttq
