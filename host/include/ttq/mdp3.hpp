// CME MDP 3.0 (SBE) packet decoder: the MDP3-framing and entry-decode stages of the pipeline.
// Zero-copy and bounds-checked: every length comes from the wire (MsgSize, root blockLength,
// group blockLength) and is checked against the bytes that are there. Layouts: docs/mdp3.md.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "ttq/wire.hpp"

namespace ttq::mdp3 {

inline constexpr std::int64_t kNullPrice = 0x7FFFFFFFFFFFFFFFLL;
inline constexpr std::int32_t kNullInt32 = 0x7FFFFFFF;
inline constexpr std::uint32_t kPacketHeaderSize = 12;
inline constexpr std::uint32_t kMessageHeaderSize = 10;
inline constexpr std::uint16_t kSchemaId = 1;

enum TemplateId : std::uint16_t {
  kChannelReset = 4,
  kAdminHeartbeat = 12,
  kDefinitionFuture27 = 27,
  kSecurityStatus = 30,
  kBook32 = 32,
  kDailyStats33 = 33,
  kLimitsBanding34 = 34,
  kSessionStats35 = 35,
  kVolume = 37,
  kSnapshot38 = 38,
  kTradeSummary42 = 42,
  kBook46 = 46,
  kOrderBook47 = 47,
  kTradeSummary48 = 48,
  kDailyStats49 = 49,
  kLimitsBanding50 = 50,
  kSessionStats51 = 51,
  kSnapshot52 = 52,
  kDefinitionFuture54 = 54,
};

// MatchEventIndicator bits.
enum Mei : std::uint8_t {
  kLastTradeMsg = 0x01,
  kLastVolumeMsg = 0x02,
  kLastQuoteMsg = 0x04,
  kLastStatsMsg = 0x08,
  kLastImpliedMsg = 0x10,
  kRecoveryMsg = 0x20,
  kEndOfEvent = 0x80,
};
inline constexpr std::uint8_t kPublishMask = kLastQuoteMsg | kLastImpliedMsg | kEndOfEvent;

enum MdAction : std::uint8_t {
  kNew = 0,
  kChange = 1,
  kDelete = 2,
  kDeleteThru = 3,
  kDeleteFrom = 4,
  kOverlay = 5,
};

enum EntryType : char {
  kBid = '0',
  kOffer = '1',
  kImpliedBid = 'E',
  kImpliedOffer = 'F',
  kBookReset = 'J',
};

// Why a packet was refused (the first malformed message decides). kOk = well-formed.
enum class MsgError : std::uint8_t {
  kOk = 0,
  kPacketTooShort,     // fewer than 12 bytes, or a packet with no message
  kMsgHeaderTruncated, // fewer than 10 bytes left for a message header
  kMsgSizeTooSmall,    // MsgSize < 10
  kMsgSizeOverrun,     // MsgSize runs past the end of the payload
  kBadSchemaId,        // schemaId != 1
  kRootTooShort,       // root blockLength too small for the fields we read, or past MsgSize
  kGroupOverrun,       // a group header or its entries run past MsgSize
  kEntryTooShort,      // group blockLength too small for the fields we read
  kBadAction,          // MDUpdateAction > 5
  kBadEntryType,       // MDEntryType not one of 0 1 E F J
  kBadLevel,           // MDPriceLevel 0 where a level is needed
  kNullPriceOrSize,    // New/Change/Overlay with a null or negative price/size
  kCount
};
const char* to_string(MsgError e);

struct BookEntry {
  std::int64_t price;  // raw wire mantissa (1e-9 for 46, 1e-7 for 32), kNullPrice when null
  std::int32_t size;   // kNullInt32 when null
  std::int32_t security_id;
  std::uint32_t rpt_seq;
  std::int32_t orders;  // kNullInt32 when null
  std::uint8_t level;
  std::uint8_t action;
  char type;
};

struct TradeEntry {
  std::int64_t price;  // raw wire mantissa
  std::int32_t size;
  std::int32_t security_id;
  std::uint32_t rpt_seq;
  std::uint8_t aggressor;  // 0 none, 1 buy, 2 sell, 255 null
};

// An entry of any other template that carries SecurityID and RptSeq (37, 33-35, 49-51).
struct SeqEntry {
  std::int32_t security_id;
  std::uint32_t rpt_seq;
};

struct SecurityStatus {
  std::int32_t security_id;  // kNullInt32: applies to the whole group/asset
  std::uint8_t trading_status;
  char security_group[7];
  char asset[7];
};

struct Definition {
  std::int32_t security_id;
  std::int64_t tick;            // MinPriceIncrement, raw mantissa (1e-9 for 54, 1e-7 for 27)
  std::int64_t display_factor;  // raw
  std::uint16_t appl_id;
  std::uint8_t depth;           // GBX MarketDepth, 0 when absent
  std::uint8_t implied_depth;   // GBI MarketDepth, 0 when absent
  char update_action;           // 'A', 'D', 'M'
  char symbol[21];              // NUL-terminated, trailing spaces trimmed
  char security_group[7];       // SecurityGroup @23, trimmed (group-wide SecurityStatus)
};

struct SnapshotHeader {
  std::uint32_t last_msg_seq_processed;
  std::uint32_t tot_num_reports;
  std::int32_t security_id;
  std::uint32_t rpt_seq;
};

struct SnapshotEntry {
  std::int64_t price;
  std::int32_t size;
  std::int32_t orders;
  std::int8_t level;
  char type;
};

// Entries of a snapshot message, read lazily from the wire (already bounds-checked).
struct SnapshotEntries {
  const std::uint8_t* first;
  std::uint16_t block_length;
  std::uint8_t count;
  SnapshotEntry operator[](std::uint32_t i) const {
    const std::uint8_t* e = first + std::size_t{i} * block_length;
    return SnapshotEntry{load_le<std::int64_t>(e), load_le<std::int32_t>(e + 8),
                         load_le<std::int32_t>(e + 12), load_le<std::int8_t>(e + 16),
                         static_cast<char>(e[21])};
  }
};

// What the handler learns about each message.
struct MsgCtx {
  std::uint32_t seq;          // packet MsgSeqNum
  std::uint64_t sending_time; // packet SendingTime
  std::uint16_t index;        // message index in the packet, from 0
  std::uint16_t template_id;
  std::uint16_t version;
  std::uint8_t mei;           // MatchEventIndicator, 0 for templates without one
};

// Field minimums: the smallest on-wire root/entry that holds every field we read.
inline constexpr std::uint16_t kBookRootMin = 9;          // TransactTime + MEI
inline constexpr std::uint16_t kBookEntryMin = 27;        // up to MDEntryType
inline constexpr std::uint16_t kTradeEntryMin = 25;       // up to AggressorSide
inline constexpr std::uint16_t kVolumeEntryMin = 12;
inline constexpr std::uint16_t kDailyStatsEntryMin = 20;
inline constexpr std::uint16_t kLimitsEntryMin = 32;
inline constexpr std::uint16_t kSessionStatsEntryMin = 16;
inline constexpr std::uint16_t kStatusRootMin = 28;
inline constexpr std::uint16_t kResetRootMin = 9;
inline constexpr std::uint16_t kSnapshotRootMin = 16;
inline constexpr std::uint16_t kSnapshotEntryMin = 22;
inline constexpr std::uint16_t kDefinitionRootMin = 107;  // up to DisplayFactor
inline constexpr std::uint16_t kFeedTypeEntryMin = 4;

namespace detail {

struct Group {
  const std::uint8_t* first;
  std::uint16_t block_length;
  std::uint16_t count;
  std::uint32_t end;  // offset in the message just past the group
};

// Reads a groupSize (3 B) or groupSize8Byte (8 B) header at message offset `off`.
inline MsgError read_group(const std::uint8_t* msg, std::uint32_t msg_size, std::uint32_t off,
                           bool eight_byte, std::uint16_t min_entry, Group& g) {
  const std::uint32_t hdr = eight_byte ? 8u : 3u;
  if (off + hdr > msg_size) return MsgError::kGroupOverrun;
  g.block_length = load_le<std::uint16_t>(msg + off);
  g.count = msg[off + (eight_byte ? 7u : 2u)];
  if (g.count != 0 && g.block_length < min_entry) return MsgError::kEntryTooShort;
  const std::uint32_t end = off + hdr + std::uint32_t{g.block_length} * g.count;
  if (end > msg_size) return MsgError::kGroupOverrun;
  g.first = msg + off + hdr;
  g.end = end;
  return MsgError::kOk;
}

// One 46/32 entry as laid out on the wire (MDEntryPx, MDEntrySize, SecurityID, RptSeq,
// NumberOfOrders, MDPriceLevel, MDUpdateAction, MDEntryType).
inline BookEntry load_book_entry(const std::uint8_t* e) {
  return BookEntry{load_le<std::int64_t>(e),      load_le<std::int32_t>(e + 8),
                   load_le<std::int32_t>(e + 12), load_le<std::uint32_t>(e + 16),
                   load_le<std::int32_t>(e + 20), e[24],
                   e[25],                         static_cast<char>(e[26])};
}

inline MsgError check_book_entry_slow(const BookEntry& e) {
  if (e.action > kOverlay) return MsgError::kBadAction;
  switch (e.type) {
    case kBid: case kOffer: case kImpliedBid: case kImpliedOffer: break;
    case kBookReset: return MsgError::kOk;
    default: return MsgError::kBadEntryType;
  }
  if (e.action != kDeleteThru && e.level == 0) return MsgError::kBadLevel;
  if (e.action == kNew || e.action == kChange || e.action == kOverlay) {
    if (e.price == kNullPrice || e.size == kNullInt32 || e.size < 0) {
      return MsgError::kNullPriceOrSize;
    }
  }
  return MsgError::kOk;
}

// 1 at the MDEntryType bytes of a book side ('0' '1' 'E' 'F'), 0 at every other byte value.
inline constexpr std::array<std::uint8_t, 256> kSideTypes = [] {
  std::array<std::uint8_t, 256> a{};
  a[static_cast<std::uint8_t>(kBid)] = a[static_cast<std::uint8_t>(kOffer)] = 1;
  a[static_cast<std::uint8_t>(kImpliedBid)] = a[static_cast<std::uint8_t>(kImpliedOffer)] = 1;
  return a;
}();

// What each MDUpdateAction needs of an entry besides its book side (bit 0): bit 1 a level, bit 2
// a price and a size (New, Change, Overlay). An action above 5 also needs bit 3, which no entry
// has: it always fails.
inline constexpr std::array<std::uint8_t, 256> kActionNeeds = [] {
  std::array<std::uint8_t, 256> a{};
  a.fill(0xF);
  a[kNew] = a[kChange] = a[kOverlay] = 0x7;
  a[kDelete] = a[kDeleteFrom] = 0x3;
  a[kDeleteThru] = 0x1;
  return a;
}();

// The same rules for the common entry (a 0/1/E/F side, action 0-5, a level where one is needed,
// price and size present where they are needed) as one combined test: what the entry has (bit 0
// a side, bit 1 a level, bit 2 a price and a size) against what its action needs. The entry type
// and action vary at random from entry to entry, and a branch per rule mispredicts on them. Only
// an entry that fails the test (or a 'J') goes through check_book_entry_slow, which names the
// first rule broken exactly as before.
inline MsgError check_book_entry(const BookEntry& e) {
  using U = std::uint32_t;
  const U px_ok = static_cast<U>(e.price != kNullPrice) &
                  static_cast<U>(static_cast<U>(e.size) < static_cast<U>(kNullInt32));
  const U has = U{kSideTypes[static_cast<std::uint8_t>(e.type)]} | U{e.level != 0} << 1 |
                px_ok << 2;
  if ((kActionNeeds[e.action] & ~has) == 0) [[likely]] return MsgError::kOk;
  return check_book_entry_slow(e);
}

// Every entry of a 46/32 group: kOk, or the first failing entry's error. Out of line, a leaf: in
// decode_packet's loop the check's registers displaced the walk's own (spilled and reloaded for
// every message).
[[gnu::noinline]] inline MsgError check_book_entries(const std::uint8_t* first,
                                                     std::uint32_t block_length,
                                                     std::uint32_t count) {
  for (std::uint32_t i = 0; i < count; ++i, first += block_length) {
    const MsgError err = check_book_entry(load_book_entry(first));
    if (err != MsgError::kOk) [[unlikely]] return err;
  }
  return MsgError::kOk;
}

// A handler may declare `static constexpr bool kPrevalidated = true` when it only ever sees
// packets that validate_packet accepted: the per-entry value checks are then not repeated (every
// length and bounds check still is, so a broken promise cannot read out of bounds).
template <class H>
constexpr bool prevalidated() {
  if constexpr (requires { H::kPrevalidated; }) {
    return H::kPrevalidated;
  } else {
    return false;
  }
}

// A handler may declare `static constexpr bool kRecords = true` when its callbacks change nothing
// until the caller has seen decode_packet return kOk (it only records what it is told, e.g. a
// validation pass that keeps where the entries are). Every check is still made and the same
// error returned, but a 46/32 message's entries are not decoded for it: once all of them are
// checked it gets one on_book_entries(ctx, first, block_length, count) call instead of
// on_book_entry per entry (entry k at first + k * block_length: detail::load_book_entry).
template <class H>
constexpr bool records() {
  if constexpr (requires { H::kRecords; }) {
    return H::kRecords;
  } else {
    return false;
  }
}

// A handler may declare `static constexpr bool kFused = true` when it checks and applies a 46/32
// message's entries in one loop of its own: after the message's lengths are checked it gets
// on_message(ctx), then one `MsgError on_book_group(ctx, first, block_length, count)` call that
// checks each entry (detail::check_book_entry) before it uses it and returns the first error
// (decode_packet then returns it) or kOk. Its on_message_end(ctx, last) is told whether the
// message is the packet's last (after which decode_packet can only return kOk). Such a handler
// has changed state when a later entry or message turns out malformed: it must be able to take
// the packet back (FastPath's one-pass apply).
template <class H>
constexpr bool fused() {
  if constexpr (requires { H::kFused; }) {
    return H::kFused;
  } else {
    return false;
  }
}

inline void copy_trimmed(char* dst, const std::uint8_t* src, std::size_t n) {
  std::size_t len = n;
  while (len > 0 && (src[len - 1] == 0 || src[len - 1] == ' ')) --len;
  for (std::size_t i = 0; i < len; ++i) dst[i] = static_cast<char>(src[i]);
  dst[len] = 0;
}

}  // namespace detail

// Walks one packet (a UDP payload) and calls the handler for what it finds. The first malformed
// message stops the walk and is returned; messages before it have already been reported, so
// callers that must not change state on bad input run it first with a no-op handler
// (validate_packet) or a recording one (kRecords) and only then for real. Handler interface: see
// NullHandler.
template <class H>
MsgError decode_packet(const std::uint8_t* p, std::uint32_t len, H& h) {
  using detail::Group;
  using detail::read_group;
  if (len < kPacketHeaderSize + kMessageHeaderSize) return MsgError::kPacketTooShort;
  MsgCtx ctx{};
  ctx.seq = load_le<std::uint32_t>(p);
  ctx.sending_time = load_le<std::uint64_t>(p + 4);
  std::uint32_t off = kPacketHeaderSize;
  for (std::uint16_t index = 0; off < len; ++index) {
    if (len - off < kMessageHeaderSize) return MsgError::kMsgHeaderTruncated;
    const std::uint8_t* m = p + off;
    const std::uint16_t msg_size = load_le<std::uint16_t>(m);
    const std::uint16_t root = load_le<std::uint16_t>(m + 2);
    if (msg_size < kMessageHeaderSize) return MsgError::kMsgSizeTooSmall;
    if (msg_size > len - off) return MsgError::kMsgSizeOverrun;
    if (load_le<std::uint16_t>(m + 6) != kSchemaId) return MsgError::kBadSchemaId;
    if (kMessageHeaderSize + std::uint32_t{root} > msg_size) return MsgError::kRootTooShort;
    ctx.index = index;
    ctx.template_id = load_le<std::uint16_t>(m + 4);
    ctx.version = load_le<std::uint16_t>(m + 8);
    ctx.mei = 0;
    const std::uint8_t* b = m + kMessageHeaderSize;     // root block
    const std::uint32_t groups = kMessageHeaderSize + root;  // first group, message offset
    Group g{};
    MsgError err = MsgError::kOk;
    switch (ctx.template_id) {
      case kBook46:
      case kBook32: {
        if (root < kBookRootMin) return MsgError::kRootTooShort;
        ctx.mei = b[8];
        if ((err = read_group(m, msg_size, groups, false, kBookEntryMin, g)) != MsgError::kOk) {
          return err;
        }
        if (g.end + 8 <= msg_size) {  // NoOrderIDEntries (MBO), present since v7; not used
          Group orders{};
          if ((err = read_group(m, msg_size, g.end, true, 0, orders)) != MsgError::kOk) return err;
        }
        if constexpr (detail::fused<H>()) {
          h.on_message(ctx);
          if ((err = h.on_book_group(ctx, g.first, g.block_length, g.count)) != MsgError::kOk) {
            return err;
          }
        } else if constexpr (detail::records<H>() && !detail::prevalidated<H>()) {
          if ((err = detail::check_book_entries(g.first, g.block_length, g.count)) !=
              MsgError::kOk) {
            return err;
          }
          h.on_message(ctx);
          h.on_book_entries(ctx, g.first, g.block_length, g.count);
        } else {
          if constexpr (!detail::prevalidated<H>()) {
            for (std::uint32_t i = 0; i < g.count; ++i) {
              const std::uint8_t* e = g.first + i * std::uint32_t{g.block_length};
              const BookEntry be = detail::load_book_entry(e);
              if ((err = detail::check_book_entry(be)) != MsgError::kOk) return err;
            }
          }
          h.on_message(ctx);
          for (std::uint32_t i = 0; i < g.count; ++i) {
            const std::uint8_t* e = g.first + i * std::uint32_t{g.block_length};
            const BookEntry be = detail::load_book_entry(e);
            h.on_book_entry(ctx, i, be);
          }
        }
        break;
      }
      case kTradeSummary48:
      case kTradeSummary42: {
        if (root < kBookRootMin) return MsgError::kRootTooShort;
        ctx.mei = b[8];
        if ((err = read_group(m, msg_size, groups, false, kTradeEntryMin, g)) != MsgError::kOk) {
          return err;
        }
        h.on_message(ctx);
        for (std::uint32_t i = 0; i < g.count; ++i) {
          const std::uint8_t* e = g.first + i * std::uint32_t{g.block_length};
          h.on_trade(ctx, TradeEntry{load_le<std::int64_t>(e), load_le<std::int32_t>(e + 8),
                                     load_le<std::int32_t>(e + 12), load_le<std::uint32_t>(e + 16),
                                     e[24]});
        }
        break;  // NoOrderIDEntries and anything after it: skipped by MsgSize
      }
      case kVolume:
      case kDailyStats33:
      case kDailyStats49:
      case kLimitsBanding34:
      case kLimitsBanding50:
      case kSessionStats35:
      case kSessionStats51: {
        std::uint16_t min_entry = kVolumeEntryMin;
        std::uint32_t id_off = 4;
        if (ctx.template_id == kDailyStats33 || ctx.template_id == kDailyStats49) {
          min_entry = kDailyStatsEntryMin;
          id_off = 12;
        } else if (ctx.template_id == kLimitsBanding34 || ctx.template_id == kLimitsBanding50) {
          min_entry = kLimitsEntryMin;
          id_off = 24;
        } else if (ctx.template_id == kSessionStats35 || ctx.template_id == kSessionStats51) {
          min_entry = kSessionStatsEntryMin;
          id_off = 8;
        }
        if (root < kBookRootMin) return MsgError::kRootTooShort;
        ctx.mei = b[8];
        if ((err = read_group(m, msg_size, groups, false, min_entry, g)) != MsgError::kOk) {
          return err;
        }
        h.on_message(ctx);
        for (std::uint32_t i = 0; i < g.count; ++i) {
          const std::uint8_t* e = g.first + i * std::uint32_t{g.block_length} + id_off;
          h.on_seq_entry(ctx, SeqEntry{load_le<std::int32_t>(e), load_le<std::uint32_t>(e + 4)});
        }
        break;
      }
      case kChannelReset: {
        if (root < kResetRootMin) return MsgError::kRootTooShort;
        ctx.mei = b[8];
        h.on_message(ctx);
        h.on_channel_reset(ctx);
        break;
      }
      case kSecurityStatus: {
        if (root < kStatusRootMin) return MsgError::kRootTooShort;
        ctx.mei = b[26];
        SecurityStatus s{};
        s.security_id = load_le<std::int32_t>(b + 20);
        s.trading_status = b[27];
        detail::copy_trimmed(s.security_group, b + 8, 6);
        detail::copy_trimmed(s.asset, b + 14, 6);
        h.on_message(ctx);
        h.on_security_status(ctx, s);
        break;
      }
      case kSnapshot52:
      case kSnapshot38: {
        if (root < kSnapshotRootMin) return MsgError::kRootTooShort;
        if ((err = read_group(m, msg_size, groups, false, kSnapshotEntryMin, g)) !=
            MsgError::kOk) {
          return err;
        }
        const SnapshotHeader sh{load_le<std::uint32_t>(b), load_le<std::uint32_t>(b + 4),
                                load_le<std::int32_t>(b + 8), load_le<std::uint32_t>(b + 12)};
        h.on_message(ctx);
        h.on_snapshot(ctx, sh,
                      SnapshotEntries{g.first, g.block_length, static_cast<std::uint8_t>(g.count)});
        break;
      }
      case kDefinitionFuture54:
      case kDefinitionFuture27: {
        if (root < kDefinitionRootMin) return MsgError::kRootTooShort;
        ctx.mei = b[0];
        Definition d{};
        d.update_action = static_cast<char>(b[5]);
        d.appl_id = load_le<std::uint16_t>(b + 15);
        detail::copy_trimmed(d.symbol, b + 35, 20);
        detail::copy_trimmed(d.security_group, b + 23, 6);
        d.security_id = load_le<std::int32_t>(b + 55);
        d.tick = load_le<std::int64_t>(b + 91);
        d.display_factor = load_le<std::int64_t>(b + 99);
        Group events{};
        if ((err = read_group(m, msg_size, groups, false, 0, events)) != MsgError::kOk) return err;
        Group feeds{};
        if ((err = read_group(m, msg_size, events.end, false, kFeedTypeEntryMin, feeds)) !=
            MsgError::kOk) {
          return err;
        }
        for (std::uint32_t i = 0; i < feeds.count; ++i) {
          const std::uint8_t* e = feeds.first + i * std::uint32_t{feeds.block_length};
          const auto depth = static_cast<std::uint8_t>(e[3]);
          if (e[0] == 'G' && e[1] == 'B' && e[2] == 'X') d.depth = depth;
          if (e[0] == 'G' && e[1] == 'B' && e[2] == 'I') d.implied_depth = depth;
        }
        h.on_message(ctx);
        h.on_definition(ctx, d);
        break;  // NoInstAttrib, NoLotTypeRules: skipped by MsgSize
      }
      default:
        h.on_message(ctx);  // heartbeat (12), MBO (47) and every other template: skip by MsgSize
        break;
    }
    if constexpr (detail::fused<H>()) {
      h.on_message_end(ctx, msg_size == len - off);  // the packet's last message: nothing can fail
    } else {
      h.on_message_end(ctx);
    }
    off += msg_size;
  }
  return MsgError::kOk;
}

// A handler that does nothing: decode_packet with it is a pure validation pass.
struct NullHandler {
  void on_message(const MsgCtx&) {}
  void on_message_end(const MsgCtx&) {}
  void on_book_entry(const MsgCtx&, std::uint32_t, const BookEntry&) {}
  void on_trade(const MsgCtx&, const TradeEntry&) {}
  void on_seq_entry(const MsgCtx&, const SeqEntry&) {}
  void on_channel_reset(const MsgCtx&) {}
  void on_security_status(const MsgCtx&, const SecurityStatus&) {}
  void on_snapshot(const MsgCtx&, const SnapshotHeader&, const SnapshotEntries&) {}
  void on_definition(const MsgCtx&, const Definition&) {}
};

inline MsgError validate_packet(const std::uint8_t* p, std::uint32_t len) {
  NullHandler h;
  return decode_packet(p, len, h);
}

// A cheap look at the packet header and first message header (length, MsgSize, schemaId): enough
// to trust the MsgSeqNum of a copy that is then dropped as a duplicate without full validation.
inline bool plausible_packet(const std::uint8_t* p, std::uint32_t len) {
  if (len < kPacketHeaderSize + kMessageHeaderSize) return false;
  const std::uint16_t msg_size = load_le<std::uint16_t>(p + kPacketHeaderSize);
  return msg_size >= kMessageHeaderSize && msg_size <= len - kPacketHeaderSize &&
         load_le<std::uint16_t>(p + kPacketHeaderSize + 6) == kSchemaId;
}

// Template of the first message, or 0 if the packet is too short to tell.
inline std::uint16_t first_template(const std::uint8_t* p, std::uint32_t len) {
  if (len < kPacketHeaderSize + kMessageHeaderSize) return 0;
  return load_le<std::uint16_t>(p + kPacketHeaderSize + 4);
}

// Price exponent of a book/trade template: -9 for the schema-9 templates, -7 for the older ones.
inline int price_exponent(std::uint16_t template_id) {
  return (template_id == kBook32 || template_id == kTradeSummary42 ||
          template_id == kSnapshot38 || template_id == kDefinitionFuture27)
             ? -7
             : -9;
}

// A raw mantissa of the given template as PRICE9 (1e-7 mantissas are multiplied by 100).
// A 1e-7 mantissa beyond +-INT64_MAX/100 has no PRICE9 form (raw * 100 would overflow: UB); it
// saturates, which keeps it far outside any quotable spread instead of wrapping to a plausible one.
inline std::int64_t to_price9(std::int64_t raw, std::uint16_t template_id) {
  if (price_exponent(template_id) != -7) return raw;
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  if (raw > kMax / 100) return kMax;
  if (raw < -(kMax / 100)) return std::numeric_limits<std::int64_t>::min();
  return raw * 100;
}

}  // namespace ttq::mdp3
