// The quote record: what the fast path (card, Verilator or C++ model) hands the host for every
// quote change. One layout shared by all backends; checked with static_assert.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ttq {

// Flags of a quote record (bit positions are part of the card interface).
enum QuoteFlag : std::uint8_t {
  kQuoteBidLive = 1u << 0,   // bid_px/bid_sz hold a quote to work
  kQuoteAskLive = 1u << 1,   // ask_px/ask_sz hold a quote to work
  kQuotePullStale = 1u << 2, // quotes pulled: book stale or suspect
  kQuotePullHalt = 1u << 3,  // quotes pulled: instrument halted (SecurityStatus)
  kQuotePullKill = 1u << 4,  // quotes pulled: kill switch
  kQuotePullBook = 1u << 5,  // quotes pulled: one-sided, crossed or too-wide book
};

struct QuoteRecord {
  std::int64_t bid_px;       // PRICE9 mantissa; 0 when the bid is not live
  std::int64_t ask_px;       // PRICE9 mantissa; 0 when the ask is not live
  std::int32_t bid_sz;       // lots; 0 when not live
  std::int32_t ask_sz;       // lots; 0 when not live
  std::int32_t security_id;
  std::uint32_t seq;         // MsgSeqNum of the packet that triggered the quote
  std::uint16_t slot;        // instrument slot (index in the model's instrument table)
  std::uint8_t level;        // 0 = best quote pair
  std::uint8_t flags;        // QuoteFlag bits
  std::uint32_t reserved;    // 0
};
static_assert(sizeof(QuoteRecord) == 40);
static_assert(offsetof(QuoteRecord, bid_sz) == 16);
static_assert(offsetof(QuoteRecord, security_id) == 24);
static_assert(offsetof(QuoteRecord, slot) == 32);

}  // namespace ttq
