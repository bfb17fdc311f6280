// The fast-path model: every card stage in order, frame by frame.
#include "ttq/fast_path.hpp"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <new>
#include <stdexcept>

namespace ttq {

namespace {

std::uint32_t hash_id(std::int32_t id) {
  return static_cast<std::uint32_t>(id) * 0x9E3779B1u;
}

// The card holds the skew registers in 22 and 32 bits (docs/quoting.md ranges); the model clamps
// what the host writes to the same ranges so both compute the same quote.
SkewRegs clamp_skew(const SkewRegs& s) {
  constexpr std::int32_t kShift = 1 << 20;
  constexpr std::int32_t kAdj = 1 << 30;
  return SkewRegs{std::clamp(s.shift_ticks, -kShift, kShift), std::clamp(s.size_adj, -kAdj, kAdj)};
}

bool no_live(const QuoteLevel& q) { return (q.flags & (kQuoteBidLive | kQuoteAskLive)) == 0; }

// SecurityTradingStatus values that stop quoting, and those that resume it.
bool is_halt_status(std::uint8_t s) { return s == 2 || s == 4 || s == 18 || s == 26; }
bool is_trading_status(std::uint8_t s) { return s == 15 || s == 17 || s == 21; }

}  // namespace

// Decode callbacks for a packet released by the arbiter (Incremental feed, or Definition feed).
struct FastPath::IncHandler {
  static constexpr bool kPrevalidated = true;  // process() validates every packet first
  FastPath& fp;
  std::uint16_t channel;
  Instrument* find(std::int32_t id) { return fp.lookup_cached(id, channel); }

  void on_message(const mdp3::MsgCtx& m) {
    if (m.template_id < fp.c_.messages_by_template.size()) {
      ++fp.c_.messages_by_template[m.template_id];
    } else {
      ++fp.c_.messages_other;
    }
  }
  void on_message_end(const mdp3::MsgCtx& m) {
    // Nothing touched since the last publication point (e.g. a trade or statistics message
    // that ends an event): publish would do nothing.
    if ((m.mei & mdp3::kPublishMask) && !fp.dirty_.empty()) fp.publish(m.seq);
  }
  void on_book_entry(const mdp3::MsgCtx& m, std::uint32_t i, const mdp3::BookEntry& e) {
    if (fp.observer_) [[unlikely]] {
      book_entry<true>(m, i, e, m.template_id);
    } else {
      book_entry<false>(m, i, e, m.template_id);
    }
  }
  // The observer gets its own copy of the entry, on a path of its own: were its address taken
  // on the hot path, the entry would be stored to the stack and read back field by field for
  // every entry of every packet (no observer is ever set in `replay` or `run`).
  [[gnu::noinline, gnu::cold]] static void notify_entry(FastPath& fp, const mdp3::MsgCtx& m,
                                                        std::uint32_t i, std::int64_t price,
                                                        std::int32_t size, std::int32_t id,
                                                        std::uint32_t rpt, std::int32_t orders,
                                                        std::uint8_t level, std::uint8_t action,
                                                        char type) {
    fp.observer_->on_book_entry(m, i, mdp3::BookEntry{price, size, id, rpt, orders, level,
                                                      action, type});
  }
  // Also called by PacketRecord::replay with the template as a constant: the price conversion
  // then folds away, and the entry's work is inlined into the replay loop. kObserved: an
  // observer is set (decided once per packet, not per entry).
  template <bool kObserved>
  [[gnu::always_inline]] void book_entry(const mdp3::MsgCtx& m, std::uint32_t i,
                                         const mdp3::BookEntry& e, std::uint16_t template_id) {
    if constexpr (kObserved) {
      notify_entry(fp, m, i, e.price, e.size, e.security_id, e.rpt_seq, e.orders, e.level,
                   e.action, e.type);
    }
    Instrument* in = find(e.security_id);
    if (!in) return;
    if (!fp.check_rpt(*in, e.rpt_seq)) return;
    const std::int64_t px9 =
        e.price == mdp3::kNullPrice ? 0 : mdp3::to_price9(e.price, template_id);
    ++fp.c_.book_entries;
    switch (in->book.apply(e, px9)) {
      case ApplyResult::kApplied:
        if (e.type == mdp3::kBookReset) in->stale = in->suspect = false;
        break;
      case ApplyResult::kBeyondDepth: ++fp.c_.entries_beyond_depth; break;
      case ApplyResult::kCorrupt:
        ++fp.c_.book_corrupt;
        fp.mark_stale(*in);
        break;
    }
    fp.touch(*in);
  }
  void on_trade(const mdp3::MsgCtx& m, const mdp3::TradeEntry& t) {
    Instrument* in = find(t.security_id);
    if (in && fp.check_rpt(*in, t.rpt_seq) && fp.observer_) fp.observer_->on_trade(m, *in, t);
  }
  void on_seq_entry(const mdp3::MsgCtx&, const mdp3::SeqEntry& s) { seq_only(s.security_id, s.rpt_seq); }
  void seq_only(std::int32_t id, std::uint32_t rpt) {
    Instrument* in = find(id);
    if (in) fp.check_rpt(*in, rpt);
  }
  void on_channel_reset(const mdp3::MsgCtx&) {
    ++fp.c_.channel_resets;
    for (std::size_t k = 0; k < fp.n_insts_; ++k) {
      Instrument& in = fp.insts_[k];
      if (in.channel != channel) continue;
      in.book.clear(true);
      in.rpt_known = true;
      in.last_rpt = 0;
      in.stale = in.suspect = false;
      fp.touch(in);
    }
  }
  void on_security_status(const mdp3::MsgCtx&, const mdp3::SecurityStatus& s) {
    ++fp.c_.status_msgs;
    const bool halt = is_halt_status(s.trading_status);
    if (!halt && !is_trading_status(s.trading_status)) return;  // no change / unknown
    auto set = [&](Instrument& in) {
      if (halt && !in.halted) ++fp.c_.halts;
      in.halted = halt;
      fp.touch(in);
    };
    if (s.security_id != mdp3::kNullInt32) {
      if (Instrument* in = fp.lookup(s.security_id, channel)) set(*in);
      return;
    }
    for (std::size_t k = 0; k < fp.n_insts_; ++k) {  // a whole group (or channel) at once
      Instrument& in = fp.insts_[k];
      if (in.channel != channel) continue;
      if (s.security_group[0] != 0 && std::strcmp(s.security_group, in.group) != 0) continue;
      set(in);
    }
  }
  void on_snapshot(const mdp3::MsgCtx&, const mdp3::SnapshotHeader&, const mdp3::SnapshotEntries&) {
    // Snapshots on a sequenced feed are not part of the Incremental stream: ignored here.
  }
  void on_definition(const mdp3::MsgCtx& m, const mdp3::Definition& d) {
    ++fp.c_.definitions;
    if (fp.frozen_) {
      // The card's slot table is the config's (fixed_instruments): a definition changes nothing,
      // but a configured tick off the market's grid quotes nothing at all, so say so.
      const Instrument* known = fp.find(d.security_id);
      if (known && d.tick > 0 && d.tick != mdp3::kNullPrice &&
          mdp3::to_price9(d.tick, m.template_id) != known->tick) {
        ++fp.c_.tick_mismatches;
      }
      return;
    }
    Instrument* in = fp.lookup(d.security_id, channel);
    if (!in) return;
    std::memcpy(in->symbol, d.symbol, sizeof(in->symbol));
    std::memcpy(in->group, d.security_group, sizeof(in->group));
    in->book.configure(d.depth, d.implied_depth);
    if (!in->tick_from_config && d.tick > 0 && d.tick != mdp3::kNullPrice) {
      in->tick = mdp3::to_price9(d.tick, m.template_id);
    }
    fp.apply_instrument_config(*in);
  }
};

// feed.commit = cut_through: the IncHandler's callbacks on a packet that has NOT been validated
// (it fails late): decode_packet checks every message before reporting it, so only the messages
// before the first bad one reach the books.
struct FastPath::SpecHandler : IncHandler {
  static constexpr bool kPrevalidated = false;
};

// The one-pass apply of an in-order Incremental packet (FastPath::apply_one_pass): the IncHandler's
// work, but each 46/32 entry is checked and applied in the same loop (mdp3.hpp kFused) instead of
// the whole packet being validated first and then replayed. Before it changes anything, each
// entry writes to the undo journal what it may change (RptSeq state; the book side's level it
// overwrites or pushes off: MbpBook::apply_logged); publication saves an instrument's state once
// per packet (save_pub, save_sent). A malformed message part-way, or anything the one pass does
// not do (`fallback`: an instrument to create, more than kWholeBookSaves Book Reset / DeleteFrom
// entries (each saves the whole book), a channel reset, status, definition or snapshot message),
// and the packet is taken back (undo_one_pass) and goes the usual way. No observer is set (process() checks), so none is told.
struct FastPath::OnePassHandler {
  static constexpr bool kFused = true;
  FastPath& fp;
  std::uint16_t channel;
  EntryUndo* log;              // the next free journal record
  std::uint32_t messages = 0;  // messages reported so far (on_message)
  bool fallback = false;

  // lookup_cached, except that an instrument lookup would create cannot be taken back: none is.
  Instrument* find(std::int32_t id) {
    const CachedLookup& c = fp.lookup_cache_[static_cast<std::uint32_t>(id) & (kLookupCache - 1)];
    if (c.security_id == id && c.in != nullptr) [[likely]] return c.in;
    if (!fp.frozen_ && id != 0 && fp.find(id) == nullptr) {
      fallback = true;
      return nullptr;
    }
    return fp.lookup_cached(id, channel);
  }
  // Journals the RptSeq state check_rpt may change; the book part is filled by apply_logged.
  [[gnu::always_inline]] EntryUndo& log_rpt(Instrument& in) {
    EntryUndo& u = *log++;
    u.in = &in;
    u.last_rpt = in.last_rpt;
    u.rpt_known = in.rpt_known;
    u.stale = in.stale;
    u.suspect = in.suspect;
    u.save = BookSave::kNone;
    return u;
  }

  void on_message(const mdp3::MsgCtx& m) {
    if (m.template_id < fp.c_.messages_by_template.size()) {
      ++fp.c_.messages_by_template[m.template_id];
    } else {
      ++fp.c_.messages_other;
    }
    messages = m.index + 1u;
  }
  void on_message_end(const mdp3::MsgCtx& m, bool last) {
    if ((m.mei & mdp3::kPublishMask) && !fp.dirty_.empty()) {
      // The usual publication point, the packet's end: the packet is known good by then (unless
      // it falls back), so what the publication changes needs no saving.
      if (last && !fallback) fp.undo_active_ = false;
      fp.publish(m.seq);
    }
  }
  mdp3::MsgError on_book_group(const mdp3::MsgCtx& m, const std::uint8_t* first,
                               std::uint16_t block_length, std::uint16_t count) {
    if (m.template_id == mdp3::kBook46) {
      return book_group<mdp3::kBook46>(first, block_length, count);
    }
    return book_group<mdp3::kBook32>(first, block_length, count);
  }
  // The template as a constant: the price conversion folds away.
  template <std::uint16_t kTemplate>
  mdp3::MsgError book_group(const std::uint8_t* e, std::uint32_t block_length,
                            std::uint32_t count) {
    for (std::uint32_t i = 0; i < count; ++i, e += block_length) {
      const mdp3::BookEntry be = mdp3::detail::load_book_entry(e);
      const mdp3::MsgError err = mdp3::detail::check_book_entry(be);
      if (err != mdp3::MsgError::kOk) [[unlikely]] return err;
      book_entry<kTemplate>(be);
    }
    return mdp3::MsgError::kOk;
  }
  // IncHandler::book_entry, journaled.
  template <std::uint16_t kTemplate>
  [[gnu::always_inline]] void book_entry(const mdp3::BookEntry& e) {
    Instrument* in = find(e.security_id);
    if (!in) return;
    EntryUndo& u = log_rpt(*in);
    if (!fp.check_rpt(*in, e.rpt_seq)) return;
    const std::int64_t px9 =
        e.price == mdp3::kNullPrice ? 0 : mdp3::to_price9(e.price, kTemplate);
    ++fp.c_.book_entries;
    ApplyResult r;
    if (e.action != mdp3::kDeleteFrom && e.type != mdp3::kBookReset) [[likely]] {
      u.save = BookSave::kEntry;
      r = in->book.apply_logged(e, px9, u.book);
    } else {  // may empty more than the one level apply_logged keeps: the whole book is saved
      if (fp.n_undo_books_ == kWholeBookSaves) [[unlikely]] {
        fallback = true;
        return;
      }
      fp.undo_books_[fp.n_undo_books_] = in->book;
      u.whole = static_cast<std::uint16_t>(fp.n_undo_books_++);
      u.save = BookSave::kWhole;
      r = in->book.apply(e, px9);
      if (e.type == mdp3::kBookReset) in->stale = in->suspect = false;  // always kApplied
    }
    switch (r) {
      case ApplyResult::kApplied: break;
      case ApplyResult::kBeyondDepth: ++fp.c_.entries_beyond_depth; break;
      case ApplyResult::kCorrupt:
        ++fp.c_.book_corrupt;
        fp.mark_stale(*in);
        break;
    }
    fp.touch(*in);
  }
  void on_trade(const mdp3::MsgCtx&, const mdp3::TradeEntry& t) {
    seq_only(t.security_id, t.rpt_seq);
  }
  void on_seq_entry(const mdp3::MsgCtx&, const mdp3::SeqEntry& s) {
    seq_only(s.security_id, s.rpt_seq);
  }
  void seq_only(std::int32_t id, std::uint32_t rpt) {
    Instrument* in = find(id);
    if (!in) return;
    log_rpt(*in);
    fp.check_rpt(*in, rpt);
  }
  void on_channel_reset(const mdp3::MsgCtx&) { fallback = true; }
  void on_security_status(const mdp3::MsgCtx&, const mdp3::SecurityStatus&) { fallback = true; }
  void on_snapshot(const mdp3::MsgCtx&, const mdp3::SnapshotHeader&, const mdp3::SnapshotEntries&) {
    fallback = true;
  }
  void on_definition(const mdp3::MsgCtx&, const mdp3::Definition&) { fallback = true; }
};

// Decode callbacks for a Market Recovery (snapshot) packet: unsequenced, idempotent.
struct FastPath::SnapHandler {
  static constexpr bool kPrevalidated = true;
  FastPath& fp;
  std::uint16_t channel;

  void on_message(const mdp3::MsgCtx& m) {
    if (m.template_id < fp.c_.messages_by_template.size()) ++fp.c_.messages_by_template[m.template_id];
    else ++fp.c_.messages_other;
  }
  void on_message_end(const mdp3::MsgCtx&) {}
  void on_book_entry(const mdp3::MsgCtx&, std::uint32_t, const mdp3::BookEntry&) {}
  void on_trade(const mdp3::MsgCtx&, const mdp3::TradeEntry&) {}
  void on_seq_entry(const mdp3::MsgCtx&, const mdp3::SeqEntry&) {}
  void on_channel_reset(const mdp3::MsgCtx&) {}
  void on_security_status(const mdp3::MsgCtx&, const mdp3::SecurityStatus&) {}
  void on_definition(const mdp3::MsgCtx&, const mdp3::Definition&) {}
  void on_snapshot(const mdp3::MsgCtx& m, const mdp3::SnapshotHeader& h,
                   const mdp3::SnapshotEntries& es) {
    Instrument* in = fp.lookup(h.security_id, channel);
    if (!in) return;
    const bool needed = in->stale || in->suspect || !in->book.complete();
    // Only a snapshot at least as new as what the book has seen can replace it: entries between
    // an older snapshot and now are not buffered, so that one would lose them.
    const bool fresh = !in->rpt_known || h.rpt_seq >= in->last_rpt;
    if (!needed || !fresh) {
      ++fp.c_.snapshots_ignored;
      return;
    }
    in->book.clear(true);
    for (std::uint32_t i = 0; i < es.count; ++i) {
      const mdp3::SnapshotEntry e = es[i];
      if (e.level < 1 || e.price == mdp3::kNullPrice) continue;
      in->book.load_level(e.type, static_cast<std::uint32_t>(e.level),
                          mdp3::to_price9(e.price, m.template_id),
                          e.size == mdp3::kNullInt32 ? 0 : e.size, e.orders);
    }
    in->last_rpt = h.rpt_seq;
    in->rpt_known = true;
    in->stale = in->suspect = false;
    ++fp.c_.recoveries;
    // Published now, on its own: other instruments touched by an Incremental event still in
    // progress must wait for that event's publication point. If this one is itself part of such
    // an event, it is published with the event.
    if (!in->dirty) fp.publish_one(*in, fp.last_seq_[channel]);
  }
};

// The validation pass of an Incremental packet, keeping what the decoder reports (mdp3.hpp
// kRecords), so that applying the packet -- at once, in the usual case where the arbiter releases
// it in sequence -- replays those callbacks instead of walking and checking the packet a second
// time. Of a book message it keeps where its entries are (they are read from the packet again,
// which is still there and already checked: no copy of each entry); trade and statistics entries
// are copied. A packet with anything else (status, channel reset, definition, snapshot) is
// decoded again instead (`complete` false). The arrays hold every message and entry a packet of
// kMaxBytes can carry (the validated lengths bound them), so recording needs no check per entry;
// longer packets are validated without recording.
struct FastPath::PacketRecord {
  static constexpr bool kRecords = true;
  static constexpr std::uint32_t kMaxBytes = SeqArbiter::kSlotBytes;
  // Every message has a 10-byte header; entries are at least 25 (trade) and 12 bytes
  // (statistics) long.
  static constexpr std::uint32_t kMaxMsgs = kMaxBytes / mdp3::kMessageHeaderSize;
  static constexpr std::uint32_t kMaxTrades = kMaxBytes / mdp3::kTradeEntryMin;
  static constexpr std::uint32_t kMaxSeqs = kMaxBytes / mdp3::kVolumeEntryMin;
  static_assert(mdp3::kVolumeEntryMin <= mdp3::kDailyStatsEntryMin &&
                mdp3::kVolumeEntryMin <= mdp3::kLimitsEntryMin &&
                mdp3::kVolumeEntryMin <= mdp3::kSessionStatsEntryMin);
  struct Msg {
    mdp3::MsgCtx ctx;
    const std::uint8_t* books;     // a book message's first entry on the wire (book messages only)
    std::uint16_t book_length;     // its group blockLength
    std::uint16_t book_count;      // its entries (book messages only: not written for others)
    std::uint16_t trade, seq;      // its first entry of each kind; it ends where the next starts
  };
  std::array<Msg, kMaxMsgs + 1> msgs;  // + 1: the end marker replay reads
  std::array<mdp3::TradeEntry, kMaxTrades> trades;
  std::array<mdp3::SeqEntry, kMaxSeqs> seqs;
  std::uint16_t n_msgs = 0, n_trades = 0, n_seqs = 0;
  bool complete = true;
  // The message on_message recorded last, for on_book_entries: kept as a pointer (no 16-bit
  // store can change it), n_msgs would be reloaded after the message's stores and indexed again.
  Msg* last = nullptr;

  void reset() {
    n_msgs = n_trades = n_seqs = 0;
    complete = true;
  }
  void on_message(const mdp3::MsgCtx& m) {
    // A book message's entry fields are written by on_book_entries, which always follows for one
    // (and replay reads them for book messages only).
    Msg& r = msgs[n_msgs++];
    r.ctx = m;
    r.trade = n_trades;
    r.seq = n_seqs;
    last = &r;
  }
  void on_message_end(const mdp3::MsgCtx&) {}
  void on_book_entries(const mdp3::MsgCtx&, const std::uint8_t* first, std::uint16_t block_length,
                       std::uint16_t count) {
    last->books = first;
    last->book_length = block_length;
    last->book_count = count;
  }
  void on_trade(const mdp3::MsgCtx&, const mdp3::TradeEntry& t) { trades[n_trades++] = t; }
  void on_seq_entry(const mdp3::MsgCtx&, const mdp3::SeqEntry& q) { seqs[n_seqs++] = q; }
  void on_channel_reset(const mdp3::MsgCtx&) { complete = false; }
  void on_security_status(const mdp3::MsgCtx&, const mdp3::SecurityStatus&) { complete = false; }
  void on_snapshot(const mdp3::MsgCtx&, const mdp3::SnapshotHeader&, const mdp3::SnapshotEntries&) {
    complete = false;
  }
  void on_definition(const mdp3::MsgCtx&, const mdp3::Definition&) { complete = false; }

  // The callbacks decode_packet made, in the same order with the same arguments (a message holds
  // entries of one kind only).
  // kObserved: the handler's FastPath has an observer (book_entry tells it every entry).
  template <bool kObserved, class H>
  void replay(H h) {  // by value: the handler's fields stay in registers across the stores
    const std::uint32_t n = n_msgs;  // a local: the handler's stores could change a member
    msgs[n].trade = n_trades;
    msgs[n].seq = n_seqs;
    for (std::uint32_t k = 0; k < n; ++k) {
      const Msg& m = msgs[k];
      const Msg& next = msgs[k + 1];
      h.on_message(m.ctx);
      switch (m.ctx.template_id) {  // the kinds decode_packet reports entries of
        case mdp3::kBook46:
          replay_books<mdp3::kBook46, kObserved>(h, m);
          break;
        case mdp3::kBook32:
          replay_books<mdp3::kBook32, kObserved>(h, m);
          break;
        case mdp3::kTradeSummary48:
        case mdp3::kTradeSummary42:
          for (std::uint32_t i = m.trade; i < next.trade; ++i) h.on_trade(m.ctx, trades[i]);
          break;
        default:
          for (std::uint32_t i = m.seq; i < next.seq; ++i) h.on_seq_entry(m.ctx, seqs[i]);
          break;
      }
      h.on_message_end(m.ctx);
    }
  }
  template <std::uint16_t kTemplate, bool kObserved, class H>
  [[gnu::always_inline]] static void replay_books(H& h, const Msg& m) {
    const std::uint8_t* e = m.books;
    const std::uint32_t n = m.book_count, length = m.book_length;
    for (std::uint32_t i = 0; i < n; ++i, e += length) {
      h.template book_entry<kObserved>(m.ctx, i, mdp3::detail::load_book_entry(e), kTemplate);
    }
  }
};

struct FastPath::ArbSink {
  FastPath& fp;
  std::uint16_t channel;
  void apply(const std::uint8_t* p, std::uint32_t len, std::uint32_t seq) {
    fp.last_seq_[channel] = seq;
    if (p == fp.rec_payload_ && fp.rec_->complete) {  // the packet just validated: replay it
      if (fp.observer_) [[unlikely]] {
        fp.rec_->replay<true>(IncHandler{fp, channel});
      } else {
        fp.rec_->replay<false>(IncHandler{fp, channel});
      }
      return;
    }
    fp.apply_packet(channel, p, len);  // held by the arbiter (a copy), or not recorded
  }
  void gap(std::uint32_t first, std::uint32_t count) { fp.on_gap(channel, first, count); }
};

FastPath::FastPath(const PipelineConfig& cfg) : cfg_(cfg) {
  const std::uint32_t n = std::clamp<std::uint32_t>(cfg_.max_instruments, 1, 65535);
  insts_.resize(n);
  std::uint32_t cap = 1;
  while (cap < 2 * n) cap <<= 1;
  hash_keys_.assign(cap, 0);
  hash_slots_.assign(cap, 0);
  hash_mask_ = cap - 1;
  dirty_.reserve(n);
  const std::size_t channels = std::max<std::size_t>(1, cfg_.channels.size());
  for (std::size_t i = 0; i < channels; ++i) {
    arbiters_.push_back(std::make_unique<SeqArbiter>(cfg_.reorder_window, cfg_.reorder_timeout_ns));
  }
  last_seq_.assign(channels, 0);
  queue_.resize(std::max<std::uint32_t>(cfg_.quote_queue, 16));
  rec_ = std::make_unique<PacketRecord>();
  // One journal record per entry at most: entries are at least kVolumeEntryMin bytes long (the
  // one pass takes packets of up to PacketRecord::kMaxBytes); one publication save per
  // instrument.
  undo_entries_.resize(PacketRecord::kMaxBytes / mdp3::kVolumeEntryMin + 1);
  undo_pubs_.resize(n);
  undo_sents_.resize(n);
  undo_dirty_.resize(n);
  undo_books_.resize(kWholeBookSaves);
  if (cfg_.cut_through) {
    // The undo restores the instrument table as it was: instruments created by a speculated
    // packet could not be taken back, so the card's fixed table is required (config.cpp says so).
    if (!cfg_.fixed_instruments) {
      throw std::invalid_argument("feed.commit = cut_through needs feed.fixed_instruments");
    }
    spec_insts_.resize(n);
    spec_dirty_.reserve(n);
  }
  if (cfg_.cut_through || cfg_.max_packet_events != 0) {
    // A bad frame's payload as the card streams it (streamed_payload): Ethernet header, two tags,
    // the longest IPv4 datagram.
    spec_frame_.resize(14 + 8 + 65535);
  }
  if (cfg_.max_packet_events != 0) {
    // 1 + (len - 12) * 2 / 19 + 1 > limit (packet_events' bound: the PKT_HDR, 2 events per 19
    // bytes, 1 for a cut header at the end), i.e. len - 12 >= ceil(19 * (limit - 1) / 2).
    oversize_len_ = mdp3::kPacketHeaderSize + (19 * (cfg_.max_packet_events - 1) + 1) / 2;
  }
  if (cfg_.fixed_instruments) {
    for (const InstrumentConfig& ic : cfg_.instruments) {
      if (ic.security_id == 0) continue;
      Instrument* in = lookup(ic.security_id, ic.channel);
      if (!in) continue;  // table full: counted
      in->book.configure(ic.depth, ic.implied_depth);
      const std::size_t glen = std::min(ic.group.size(), sizeof(in->group) - 1);
      std::memcpy(in->group, ic.group.data(), glen);
      in->group[glen] = 0;
    }
    frozen_ = true;
    // Loaded = committed: the host programs each of the card's slots with a COMMIT, which
    // ttq_apply answers with a requote of that slot (docs/rtl_apply.md "Kill changes and
    // commits"). On the empty book that is a silent pull, but it sets what the slot last sent
    // to {0, PULL_BOOK} (and the quoter's last inputs), which a cut-through correction of the
    // slot's first quote sends back. No record: an empty book quotes nothing, and nothing was
    // live. Under commit on verdict no record changes (a level with no live side is never sent,
    // and a live quote differs from both in its flags). set_kill(false) is that requote of
    // every instrument (the kill switch is off at construction).
    set_kill(false);
  }
}

FastPath::~FastPath() = default;

// Entries of a packet name a few instruments in random order: a cache indexed by the low bits
// of the SecurityID answers most of them without probing the hash table. Only instruments found
// or created are cached, and slots never move (the table is allocated once), so a hit returns
// what lookup would; a miss (unknown instrument, full table, or two IDs sharing a line) is
// lookup itself, with its counters.
[[gnu::always_inline]] inline Instrument* FastPath::lookup_cached(std::int32_t security_id,
                                                                 std::uint16_t channel) {
  CachedLookup& c = lookup_cache_[static_cast<std::uint32_t>(security_id) & (kLookupCache - 1)];
  if (c.security_id == security_id && c.in != nullptr) [[likely]] return c.in;
  Instrument* in = lookup(security_id, channel);
  if (in != nullptr) c = CachedLookup{security_id, in};
  return in;
}

Instrument* FastPath::lookup(std::int32_t security_id, std::uint16_t channel) {
  if (security_id == 0) return nullptr;  // 0 marks an empty hash slot; never a real SecurityID
  std::uint32_t h = hash_id(security_id) & hash_mask_;
  while (hash_keys_[h] != 0) {
    if (hash_keys_[h] == security_id) return &insts_[hash_slots_[h]];
    h = (h + 1) & hash_mask_;
  }
  if (frozen_) {
    ++c_.unknown_instruments;
    return nullptr;
  }
  return create(security_id, channel, h);
}

Instrument* FastPath::create(std::int32_t security_id, std::uint16_t channel, std::uint32_t h) {
  if (n_insts_ == insts_.size()) {
    ++c_.instrument_table_full;
    return nullptr;
  }
  const auto slot = static_cast<std::uint16_t>(n_insts_++);
  hash_keys_[h] = security_id;
  hash_slots_[h] = slot;
  Instrument& in = insts_[slot];
  in.security_id = security_id;
  in.slot = slot;
  in.channel = channel;
  in.book.configure(kDefaultDepth, kDefaultImpliedDepth);
  in.tick = cfg_.default_tick;
  in.params = cfg_.quoter;
  apply_instrument_config(in);
  return &in;
}

const Instrument* FastPath::find(std::int32_t security_id) const {
  if (security_id == 0) return nullptr;
  std::uint32_t h = hash_id(security_id) & hash_mask_;
  while (hash_keys_[h] != 0) {
    if (hash_keys_[h] == security_id) return &insts_[hash_slots_[h]];
    h = (h + 1) & hash_mask_;
  }
  return nullptr;
}

// Start-up/definition time only (string compares): which instruments are quoted, tick overrides.
void FastPath::apply_instrument_config(Instrument& in) {
  in.quoted = cfg_.quote_all;
  in.quote_inputs_valid = false;  // tick or skew may change
  for (const InstrumentConfig& ic : cfg_.instruments) {
    const bool match = ic.security_id != 0 ? ic.security_id == in.security_id
                                           : (!ic.symbol.empty() && ic.symbol == in.symbol);
    if (!match) continue;
    in.quoted = ic.quote;
    in.skew = clamp_skew(ic.skew);
    in.multiplier = ic.multiplier;
    in.start_position = ic.position;
    in.quote_inputs_valid = false;
    if (ic.tick > 0) {
      in.tick = ic.tick;
      in.tick_from_config = true;
    }
  }
}

void FastPath::process(const Frame& f) {
  ++c_.frames;
  c_.bytes += f.len;
  UdpView u{};
  const FrameDrop d = parse_udp(f, u);
  if (d != FrameDrop::kCount) {
    ++c_.frame_drops[static_cast<std::size_t>(d)];
    if (d == FrameDrop::kBadFcs || d == FrameDrop::kTruncated) [[unlikely]] {
      // The card has streamed the payload into its packet store before the frame's verdict.
      // Only a frame whose payload could reach oversize_len_ (after the shortest Ethernet + IPv4
      // + UDP headers, 42 bytes) is parsed again for it.
      if (f.len >= 42 && f.len - 42 >= oversize_len_) {
        UdpView s{};
        std::uint32_t present = 0;
        if (streamed_payload(f, s, present)) oversize(s.payload, present);
      }
      if (cfg_.cut_through) speculate_frame(f);
    }
    return;
  }
  std::uint16_t channel = 0;
  FeedKind kind = FeedKind::kIncremental;
  if (!cfg_.lines.empty()) {
    const LineConfig* line = find_line(u);
    if (!line) {
      ++c_.frame_drops[static_cast<std::size_t>(FrameDrop::kUnknownLine)];
      oversize(u.payload, u.len);  // the card's packet store has taken it all the same
      return;
    }
    channel = line->channel;
    kind = line->kind;
  }
  if (cfg_.lines.empty()) {
    const std::uint16_t t = mdp3::first_template(u.payload, u.len);
    if (t == mdp3::kSnapshot52 || t == mdp3::kSnapshot38) kind = FeedKind::kSnapshot;
  }
  // MsgSeqNum restarts at 1 every week. A 1 far behind the expected number cannot be a late
  // copy (no line lags by kSeqRestartMin packets), so it starts a new count once validated.
  const bool restart = kind == FeedKind::kIncremental && u.len >= 4 &&
                       load_le<std::uint32_t>(u.payload) == 1 &&
                       arbiters_[channel]->expected() > kSeqRestartMin;
  // The second copy of every packet (the other line's) is dropped here, before validation: its
  // sequence number is already applied, so nothing it holds could change state anyway.
  if (kind == FeedKind::kIncremental && !restart && mdp3::plausible_packet(u.payload, u.len) &&
      arbiters_[channel]->already_applied(load_le<std::uint32_t>(u.payload))) {
    ++c_.early_duplicates;
    oversize(u.payload, u.len);  // (the card's pre-check comes after its packet store)
    return;
  }
  // feed.max_packet_events: the card's packet store cannot hold the packet, and drops it whole
  // as malformed (the arbiter's record is not valid), whatever its feed; in cut-through mode the
  // messages that end within the events it holds have been applied as they streamed.
  if (oversize(u.payload, u.len)) [[unlikely]] {
    const mdp3::MsgError err = mdp3::validate_packet(u.payload, u.len);
    if (err != mdp3::MsgError::kOk) {
      ++c_.malformed[static_cast<std::size_t>(err)];
    } else {
      ++c_.malformed_oversize;
    }
    if (cfg_.cut_through && kind == FeedKind::kIncremental && !restart) {
      speculate(channel, u.payload, u.len);
    }
    return;
  }
  // The common case: an Incremental packet the arbiter would apply at once, checked and applied in
  // one pass. If it is malformed (or holds what the one pass does not do) it has been taken back
  // exactly and goes the way below, which validates it first.
  if (kind == FeedKind::kIncremental && !restart && observer_ == nullptr &&
      u.len <= PacketRecord::kMaxBytes &&
      u.len >= mdp3::kPacketHeaderSize + mdp3::kMessageHeaderSize) {
    const std::uint32_t seq = load_le<std::uint32_t>(u.payload);
    if (arbiters_[channel]->in_order(seq) && apply_one_pass(channel, u.payload, u.len)) {
      ++c_.packets;
      arbiters_[channel]->accept_in_order(seq);
      return;
    }
  }
  // Validate the whole packet before it can touch any state, so that a damaged copy on one line
  // is dropped here and the good copy on the other line is the one applied.
  rec_->reset();
  const mdp3::MsgError err = u.len <= PacketRecord::kMaxBytes
                                 ? mdp3::decode_packet(u.payload, u.len, *rec_)
                                 : mdp3::validate_packet(u.payload, u.len);
  rec_->complete = rec_->complete && u.len <= PacketRecord::kMaxBytes;
  if (err != mdp3::MsgError::kOk) {
    ++c_.malformed[static_cast<std::size_t>(err)];
    if (cfg_.cut_through && kind == FeedKind::kIncremental && !restart) [[unlikely]] {
      speculate(channel, u.payload, u.len);
    }
    return;
  }
  ++c_.packets;
  switch (kind) {
    case FeedKind::kIncremental: {
      ArbSink sink{*this, channel};
      if (restart) {
        // What was held from the old count is released first. A new week's books start from
        // nothing known (RptSeq restarts too): they refresh naturally or from a snapshot.
        arbiters_[channel]->flush(sink);
        arbiters_[channel]->reset();
        ++c_.seq_restarts;
        for (std::size_t k = 0; k < n_insts_; ++k) {
          Instrument& in = insts_[k];
          if (in.channel != channel) continue;
          in.book.clear(false);
          in.rpt_known = false;
          in.stale = in.suspect = false;
          touch(in);
        }
        publish(1);
      }
      rec_payload_ = u.payload;
      arbiters_[channel]->offer(load_le<std::uint32_t>(u.payload), u.payload, u.len, f.ts_ns, sink);
      rec_payload_ = nullptr;
      break;
    }
    case FeedKind::kSnapshot: {
      ++c_.snapshot_packets;
      SnapHandler h{*this, channel};
      mdp3::decode_packet(u.payload, u.len, h);
      break;
    }
    case FeedKind::kDefinition: {
      ++c_.definition_packets;
      IncHandler h{*this, channel};  // definitions are idempotent: no sequencing needed
      mdp3::decode_packet(u.payload, u.len, h);
      break;
    }
  }
}

const LineConfig* FastPath::find_line(const UdpView& u) const {
  for (const LineConfig& l : cfg_.lines) {
    if (l.ip == u.dst_ip && l.port == u.dst_port) return &l;
  }
  return nullptr;
}

// feed.commit = cut_through, a frame dropped at its end (bad FCS, truncated): what a card that
// applies packets as they stream had seen before the end is its headers. When they pass (the FCS
// ignored; a truncated frame checked as if padded to the length its IP header claims) and the
// line is an Incremental one, the payload bytes that are present are speculated.
void FastPath::speculate_frame(const Frame& f) {
  UdpView u{};
  std::uint32_t present = 0;
  if (!streamed_payload(f, u, present)) return;
  std::uint16_t channel = 0;
  if (!cfg_.lines.empty()) {
    const LineConfig* line = find_line(u);
    if (!line || line->kind != FeedKind::kIncremental) return;
    channel = line->channel;
  } else {
    const std::uint16_t t = mdp3::first_template(u.payload, present);
    if (t == mdp3::kSnapshot52 || t == mdp3::kSnapshot38) return;
  }
  speculate(channel, u.payload, present);
}

bool FastPath::streamed_payload(const Frame& f, UdpView& u, std::uint32_t& present) {
  // Headers and payload start are in the first bytes; a longer frame's tail is not needed.
  const auto n =
      static_cast<std::uint32_t>(std::min<std::size_t>(f.len, spec_frame_.size()));
  std::memcpy(spec_frame_.data(), f.data, n);
  std::memset(spec_frame_.data() + n, 0, spec_frame_.size() - n);
  const Frame padded{spec_frame_.data(), static_cast<std::uint32_t>(spec_frame_.size()),
                     static_cast<std::uint32_t>(spec_frame_.size()), f.ts_ns, false};
  if (parse_udp_full(padded, u) != FrameDrop::kCount) return false;
  const std::uint32_t at = static_cast<std::uint32_t>(u.payload - spec_frame_.data());
  // The card decides from the MsgSeqNum: the headers and those 4 bytes must really be there.
  if (n < at + 4) return false;
  present = std::min(u.len, n - at);
  return true;
}

namespace {

// The framer's template classes (ttq_mdp_framer.sv tcls; docs/rtl_mdp_framer.md): what its
// message-header item does with a message.
enum class FramerClass : std::uint8_t {
  kSkip,
  kBook,
  kSeq,
  kSnapshot,
  kDefinition,
  kReset,
  kStatus
};

struct FramerTemplate {
  FramerClass cls = FramerClass::kSkip;
  std::uint16_t root_min = 0;   // the root's minimum (RootTooShort below it)
  std::uint16_t entry_min = 0;  // the first group's blockLength minimum
  std::uint16_t need = 0;       // bytes of an entry its BOOK / SEQ event reads
};

FramerTemplate framer_template(std::uint16_t tid) {
  using namespace mdp3;
  using C = FramerClass;
  switch (tid) {
    case kBook46:
    case kBook32:
      return {C::kBook, kBookRootMin, kBookEntryMin, 27};
    case kTradeSummary48:
    case kTradeSummary42:
      return {C::kSeq, kBookRootMin, kTradeEntryMin, 20};
    case kVolume:
      return {C::kSeq, kBookRootMin, kVolumeEntryMin, 12};
    case kDailyStats33:
    case kDailyStats49:
      return {C::kSeq, kBookRootMin, kDailyStatsEntryMin, 20};
    case kLimitsBanding34:
    case kLimitsBanding50:
      return {C::kSeq, kBookRootMin, kLimitsEntryMin, 32};
    case kSessionStats35:
    case kSessionStats51:
      return {C::kSeq, kBookRootMin, kSessionStatsEntryMin, 16};
    case kSnapshot52:
    case kSnapshot38:
      return {C::kSnapshot, kSnapshotRootMin, kSnapshotEntryMin, 0};
    case kDefinitionFuture54:
    case kDefinitionFuture27:
      return {C::kDefinition, kDefinitionRootMin, 0, 0};
    case kChannelReset:
      return {C::kReset, kResetRootMin, 0, 0};
    case kSecurityStatus:
      return {C::kStatus, kStatusRootMin, 0, 0};
    default:
      return {};
  }
}

// The event the framer's message-header item writes at once, whatever its checks find: a
// RESET (4) or the MSG_END of a skipped template; the other classes write nothing there.
std::uint32_t header_events(FramerClass c) {
  return c == FramerClass::kSkip || c == FramerClass::kReset ? 1 : 0;
}

// A group header at message offset `at` (3 bytes) with blockLength >= `min` when not empty,
// inside the message: decode_packet's read_group. *end: just past the group.
bool group_ok(const std::uint8_t* m, std::uint32_t size, std::uint32_t at, std::uint32_t hdr,
              std::uint32_t min, std::uint32_t* end = nullptr) {
  if (at + hdr > size) return false;
  const std::uint32_t block = load_le<std::uint16_t>(m + at), count = m[at + hdr - 1];
  if (count != 0 && block < min) return false;
  if (at + hdr + block * count > size) return false;
  if (end) *end = at + hdr + block * count;
  return true;
}

// FastPath::packet_events' walk. check_entries = false: a 46/32's entries are taken as valid,
// so the count is the framer's or more (a bad entry only lowers it: the message's MSG_END and
// everything after it are not written).
std::uint32_t walk_events(const std::uint8_t* p, std::uint32_t len, std::uint32_t limit,
                          std::uint32_t* fit, bool bounded, bool check_entries) {
  using namespace mdp3;
  std::uint32_t events = 1;  // PKT_HDR (every payload, a short one too)
  std::uint32_t fit_end = kPacketHeaderSize;
  // bounded: the messages left have at most 2 events per 19 bytes (an entry >= 12 bytes has 1, a
  // header-only message >= 10 bytes 1, a RESET / STATUS message >= 19 bytes 2), plus 1 for a cut
  // header at the end (1 to 9 bytes: its header item's event), so the count cannot pass the limit
  // once events + 1 + (len - off) * 2 / 19 <= limit, i.e. once
  // slack = 19 * (limit - 1 - events) + 18 - 2 * (len - off) >= 0 (kept up to date per message).
  std::int64_t slack = std::int64_t{19} * (std::int64_t{limit} - 2) + 18 -
                       2 * (std::int64_t{len} - std::int64_t{kPacketHeaderSize});
  if (len < kPacketHeaderSize + kMessageHeaderSize) {  // PacketTooShort: the PKT_HDR alone
    if (fit) *fit = fit_end;
    return events;
  }
  // The walker's item timing at line rate (ttq_mdp_framer.sv; docs/pipeline.md "Packet event
  // limit"), in cycles from the payload's first beat (beat b comes in at cycle b): one item per
  // cycle, an item runs once the bytes it reads are in the ring (beats before its cycle: the
  // cycle beats(its last byte + 1)), an entry as its last needed byte's beat comes in (a cycle
  // earlier). The payload's end is known at cycle beats(len): the items run up to cycle
  // `known` - 1 are the ones it walked before it knew. `t`: the last item's cycle (the packet
  // header's item first, bytes 0-21). Only a cut message's count depends on it.
  const auto beats = [](std::uint32_t bytes) { return (bytes + 7) / 8; };
  const std::uint32_t known = beats(len);
  std::uint32_t t = beats(kPacketHeaderSize + kMessageHeaderSize);
  const auto item = [&](std::uint32_t ready) { t = std::max(t + 1, std::min(ready, known)); };
  // Entries k = 0.. of a group at packet offset `e0`: entry k runs at max(t + 1 + k, its beat's
  // cycle - 1), the latter rising by >= 1 per entry (blocks >= 12 bytes). `cut`: returns how many
  // run before `known`; else all `count` (a whole message). Advances t past those.
  const auto entries = [&](std::uint32_t e0, std::uint32_t block, std::uint32_t need,
                           std::uint32_t count, bool cut) {
    std::uint32_t k = 0;
    for (; k < count; ++k) {
      const std::uint32_t at = std::max(t + 1, beats(e0 + k * block + need) - 1);
      if (cut && at >= known) break;
      t = at;
      if (!cut) {  // the rest (t + 1 per entry, or their beats' cycles, whichever is later)
        const std::uint32_t last = count - 1;
        t = std::max(t + (last - k), beats(e0 + last * block + need) - 1);
        return count;
      }
    }
    return k;
  };
  // The framer (ttq_mdp_framer.sv) walks the messages in decode_packet's order and stops at the
  // first one that fails a check; that message's own events before its error are counted too
  // (docs/pipeline.md "Packet event limit"). `n`: the message's events; `stop`: it failed.
  for (std::uint32_t off = kPacketHeaderSize; off < len;) {
    const std::uint8_t* m = p + off;
    const std::uint32_t rem = len - off;
    std::uint32_t n = 0;
    bool stop = true;
    item(beats(off + 19));  // the header item: the message header and the root's first 9 bytes
    if (rem < kMessageHeaderSize) {
      // MsgHeaderTruncated: the header item runs once the length is known, with the class of the
      // templateId bytes (those past the payload are not the packet's: taken as a skipped
      // template's, which almost every value is).
      n = header_events(rem >= 6 ? framer_template(load_le<std::uint16_t>(m + 4)).cls
                                 : FramerClass::kSkip);
    } else {
      const std::uint32_t size = load_le<std::uint16_t>(m);
      const std::uint32_t root = load_le<std::uint16_t>(m + 2);
      const FramerTemplate tpl = framer_template(load_le<std::uint16_t>(m + 4));
      const std::uint32_t groups = kMessageHeaderSize + root;  // first group, message offset
      const std::uint32_t mend = off + size;                   // packet offset
      if (size < kMessageHeaderSize || load_le<std::uint16_t>(m + 6) != kSchemaId ||
          groups > size || root < tpl.root_min) {
        n = header_events(tpl.cls);  // MsgSizeTooSmall, BadSchemaId, RootTooShort
      } else if (size > rem) {
        // MsgSizeOverrun: the header item's event, then (book, SeqNum, status) the items the
        // walker ran before it knew the payload's end, at line rate (item timing above): the
        // group header item, then one entry per cycle. A walker behind that timing (the event
        // FIFO full) has run fewer, one ahead of it (input idles) more: docs/pipeline.md.
        n = header_events(tpl.cls);
        if (tpl.cls == FramerClass::kStatus) {
          item(beats(off + kMessageHeaderSize + kStatusRootMin));
          n = t < known ? 1 : 0;
        } else if (tpl.cls == FramerClass::kBook || tpl.cls == FramerClass::kSeq) {
          item(beats(off + groups + 3));  // (run before the end was known: its bytes are in)
          if (t < known && group_ok(m, size, groups, 3, tpl.entry_min)) {
            const std::uint32_t block = load_le<std::uint16_t>(m + groups), count = m[groups + 2];
            n += entries(off + groups + 3, block, tpl.need, count, true);
          }
        }
      } else {
        switch (tpl.cls) {
          case FramerClass::kSkip:
            n = 1;
            stop = false;
            break;  // MSG_END
          case FramerClass::kReset:
            n = 2;
            stop = false;
            item(beats(mend));
            break;
          case FramerClass::kStatus:
            n = 2;
            stop = false;
            item(beats(off + kMessageHeaderSize + kStatusRootMin));
            item(beats(mend));
            break;
          case FramerClass::kSnapshot:  // MSG_END once the group checks out
            if (group_ok(m, size, groups, 3, tpl.entry_min)) {
              n = 1;
              stop = false;
              item(beats(off + groups + 3));
              item(beats(mend));
            }
            break;
          case FramerClass::kDefinition: {
            std::uint32_t feeds = 0;
            if (!group_ok(m, size, groups, 3, 0, &feeds)) break;  // NoEvents: nothing written
            item(beats(off + groups + 3));                        // NoEvents' header
            item(0);                                              // S_DEFW
            item(beats(off + feeds + 3));                         // NoMDFeedTypes' header
            if (group_ok(m, size, feeds, 3, kFeedTypeEntryMin)) {
              n = 1;
              stop = false;
              if (mend > 8 * t) item(beats(mend));  // MSG_END at S_MEND
            } else if (feeds + 3 > size || mend <= 8 * t) {
              // NoMDFeedTypes' item writes the MSG_END before its late check when the message's
              // last byte is in by then: always when its header runs past MsgSize, else at line
              // rate when that byte is in the ring as the item runs.
              n = 1;
            }
            break;
          }
          default: {  // book, SeqNum: one event per entry of the first group
            std::uint32_t gend = 0;
            if (!group_ok(m, size, groups, 3, tpl.entry_min, &gend)) break;  // nothing written
            const std::uint32_t block = load_le<std::uint16_t>(m + groups), count = m[groups + 2];
            n = count;
            item(beats(off + groups + 3));
            entries(off + groups + 3, block, tpl.need, count, false);
            bool bad = false;
            if (tpl.cls == FramerClass::kBook) {
              // NoOrderIDEntries when it fits, and every entry's values: a failure costs the
              // MSG_END only (the framer walks every entry first).
              bad = gend + 8 <= size && !group_ok(m, size, gend, 8, 0);
              for (std::uint32_t k = 0; check_entries && k < count && !bad; ++k) {
                bad = detail::check_book_entry(
                          detail::load_book_entry(m + groups + 3 + k * block)) != MsgError::kOk;
              }
              if (gend + 8 <= size) {
                item(beats(off + gend + 8));  // NoOrderIDEntries' header
                if (m[gend + 7] != 0 || mend > 8 * t) item(beats(mend));
              } else {
                item(beats(mend));
              }
            } else {
              item(beats(mend));
            }
            if (!bad) {
              ++n;  // MSG_END
              stop = false;
            }
            break;
          }
        }
      }
    }
    events += n;
    if (stop || (limit != 0 && events > limit)) break;
    const std::uint32_t size = load_le<std::uint16_t>(m);
    off += size;
    fit_end = off;
    slack += 2 * std::int64_t{size} - 19 * std::int64_t{n};
    if (bounded && slack >= 0) break;
  }
  if (fit) *fit = fit_end;
  return events;
}

}  // namespace

std::uint32_t FastPath::packet_events(const std::uint8_t* p, std::uint32_t len,
                                      std::uint32_t limit, std::uint32_t* fit, bool bounded) {
  // The entries' values are checked only where they can matter: a walk without them counts as
  // many events or more, so a count within the limit stands (FastPath::oversize's usual case: a
  // jumbo payload under the limit costs no entry checks); otherwise, and for an exact count or
  // a cut, the walk is made again with them.
  if (limit != 0 && fit == nullptr) {
    const std::uint32_t n = walk_events(p, len, limit, nullptr, bounded, false);
    if (n <= limit) return n;
  }
  return walk_events(p, len, limit, fit, bounded, true);
}

bool FastPath::oversize_walk(const std::uint8_t* p, std::uint32_t len) {
  // Only payloads of oversize_len_ bytes or more come here (oversize): a message of 10 bytes has
  // 1 event, a channel reset of 19 bytes 2, an entry of 12 bytes 1, so a shorter one has at most
  // 2 events per 19 bytes after the packet header, not enough. The walk stops as soon as the
  // bytes left could not hold enough either (bounded).
  const std::uint32_t limit = cfg_.max_packet_events;
  if (packet_events(p, len, limit, nullptr, true) <= limit) return false;
  ++c_.oversize_packets;
  return true;
}

// feed.commit = cut_through: an Incremental packet that fails late (docs/pipeline.md
// "Cut-through commit"). If the arbiter would have taken it at once (the channel's next number
// or its first packet, nothing held), the card applied and published its messages up to the
// first bad one before it knew. Then every instrument returns to its state before the packet --
// book, apply state, what was sent, the dirty list: exactly the verdict model's state -- and each
// quote level the packet changed is sent again as it was before (a correction). Its number stays
// expected: the other line's copy is applied when it comes. Observers are not told about the
// speculated messages (a backtest would see a trade twice). Nothing is allocated: the save area
// is sized at construction.
void FastPath::speculate(std::uint16_t channel, const std::uint8_t* p, std::uint32_t len) {
  if (len < 4) return;
  if (!arbiters_[channel]->in_order(load_le<std::uint32_t>(p))) return;
  // feed.max_packet_events: the card streams a packet's first events only (an oversize packet's
  // messages that end within them are applied, then undone); the messages are whole, so the
  // walk stops at a message boundary.
  if (cfg_.max_packet_events != 0) {
    std::uint32_t fit = len;
    if (packet_events(p, len, cfg_.max_packet_events, &fit) > cfg_.max_packet_events) len = fit;
  }
  std::copy_n(insts_.begin(), n_insts_, spec_insts_.begin());
  spec_dirty_.assign(dirty_.begin(), dirty_.end());
  PipelineObserver* const observer = observer_;
  observer_ = nullptr;
  SpecHandler h{{*this, channel}};
  mdp3::decode_packet(p, len, h);
  observer_ = observer;
  ++c_.spec_undone;
  const std::uint32_t last = last_seq_[channel];
  for (std::size_t k = 0; k < n_insts_; ++k) {
    Instrument& in = insts_[k];
    const Instrument& was = spec_insts_[k];
    // The same rule as evaluate_quotes: a level that had no live side before and has none now
    // needs no record (nothing is working at the venue either way).
    for (std::uint8_t l = 0; l < was.params.levels; ++l) {
      const QuoteLevel& sent = in.last_sent[l];
      const QuoteLevel& before = was.last_sent[l];
      if (sent == before || (no_live(sent) && no_live(before))) continue;
      emit(QuoteRecord{before.bid_px, before.ask_px, before.bid_sz, before.ask_sz, in.security_id,
                       last, in.slot, l, before.flags, 0});
    }
    in = was;
  }
  dirty_.assign(spec_dirty_.begin(), spec_dirty_.end());
}

void FastPath::finish() {
  for (std::size_t ch = 0; ch < arbiters_.size(); ++ch) {
    ArbSink sink{*this, static_cast<std::uint16_t>(ch)};
    arbiters_[ch]->flush(sink);
  }
}

// Checks and applies an in-order Incremental packet in one walk (OnePassHandler). True when it is
// applied: the caller then does the arbiter's bookkeeping. False when it is malformed or holds
// something the one pass does not do: everything it changed has been put back as it was
// (instruments, the dirty list, counters, quote records), and it must go the usual way.
bool FastPath::apply_one_pass(std::uint16_t channel, const std::uint8_t* p, std::uint32_t len) {
  undo_counters_ = CounterMark{c_.messages_other, c_.book_entries,     c_.entries_beyond_depth,
                               c_.entries_old_rpt, c_.rpt_gaps,        c_.book_corrupt,
                               c_.stale_events,    c_.unknown_instruments, c_.tob_changes,
                               c_.quotes,          c_.quote_overflow};
  undo_q_count_ = q_count_;
  n_undo_dirty_ = dirty_.size();
  if (n_undo_dirty_ != 0) [[unlikely]] {  // mostly empty: a packet mostly ends an event
    std::copy_n(dirty_.begin(), n_undo_dirty_, undo_dirty_.begin());
  }
  n_undo_pubs_ = n_undo_sents_ = n_undo_books_ = 0;
  if (++undo_serial_ == 0) [[unlikely]] {  // the stamps of 2^32 packets ago would match again
    for (Instrument& in : insts_) in.undo_pub = in.undo_sent = 0;
    undo_serial_ = 1;
  }
  undo_active_ = true;
  OnePassHandler h{*this, channel, undo_entries_.data()};
  const mdp3::MsgError err = mdp3::decode_packet(p, len, h);
  undo_active_ = false;
  if (err == mdp3::MsgError::kOk && !h.fallback) [[likely]] {
    last_seq_[channel] = load_le<std::uint32_t>(p);
    return true;
  }
  undo_one_pass(p, h.log, h.messages);
  return false;
}

void FastPath::undo_one_pass(const std::uint8_t* p, const EntryUndo* end,
                             std::uint32_t messages) {
  // Newest first: each record holds the state just before its entry, so the oldest one of an
  // instrument (restored last) leaves it as before the packet.
  for (const EntryUndo* u = end; u != undo_entries_.data();) {
    --u;
    Instrument& in = *u->in;
    if (u->save == BookSave::kEntry) {
      in.book.undo(u->book);
    } else if (u->save == BookSave::kWhole) {
      in.book = undo_books_[u->whole];
    }
    in.last_rpt = u->last_rpt;
    in.rpt_known = u->rpt_known;
    in.stale = u->stale;
    in.suspect = u->suspect;
  }
  for (std::size_t k = 0; k < n_undo_pubs_; ++k) {
    const PubUndo& s = undo_pubs_[k];
    Instrument& in = insts_[s.slot];
    in.last_top = s.last_top;
    in.quoted_tob = s.quoted_tob;
    in.pub_state = s.pub_state;
    in.pub_tick = s.pub_tick;
    in.pub_book = s.pub_book;
    in.quoted_pull = s.quoted_pull;
    in.pub_valid = s.pub_valid;
    in.quote_inputs_valid = s.quote_inputs_valid;
  }
  for (std::size_t k = 0; k < n_undo_sents_; ++k) {
    const SentUndo& s = undo_sents_[k];
    std::copy_n(s.last_sent.begin(), s.levels, insts_[s.slot].last_sent.begin());
  }
  for (std::uint16_t slot : dirty_) insts_[slot].dirty = false;
  dirty_.assign(undo_dirty_.begin(),
                undo_dirty_.begin() + static_cast<std::ptrdiff_t>(n_undo_dirty_));
  for (std::uint16_t slot : dirty_) insts_[slot].dirty = true;
  const CounterMark& m = undo_counters_;
  c_.messages_other = m.messages_other;
  c_.book_entries = m.book_entries;
  c_.entries_beyond_depth = m.entries_beyond_depth;
  c_.entries_old_rpt = m.entries_old_rpt;
  c_.rpt_gaps = m.rpt_gaps;
  c_.book_corrupt = m.book_corrupt;
  c_.stale_events = m.stale_events;
  c_.unknown_instruments = m.unknown_instruments;
  c_.tob_changes = m.tob_changes;
  c_.quotes = m.quotes;
  c_.quote_overflow = m.quote_overflow;
  q_count_ = undo_q_count_;  // the records emitted since (collect() runs between frames only)
  // The messages reported so far, counted by template: their headers were checked.
  std::uint32_t off = mdp3::kPacketHeaderSize;
  for (std::uint32_t k = 0; k < messages; ++k) {
    const std::uint16_t t = load_le<std::uint16_t>(p + off + 4);
    if (t < c_.messages_by_template.size()) {
      --c_.messages_by_template[t];
    }
    off += load_le<std::uint16_t>(p + off);
  }
}

// The publication state of an instrument published during a one-pass apply, before it changes
// (once per packet).
void FastPath::save_pub(Instrument& in) {
  in.undo_pub = undo_serial_;
  undo_pubs_[n_undo_pubs_++] =
      PubUndo{in.last_top, in.quoted_tob, in.pub_state, in.pub_tick,        in.pub_book,
              in.slot,     in.quoted_pull, in.pub_valid, in.quote_inputs_valid};
}

void FastPath::save_sent(Instrument& in) {
  in.undo_sent = undo_serial_;
  SentUndo& s = undo_sents_[n_undo_sents_++];
  s.slot = in.slot;
  s.levels = in.params.levels;  // evaluate_quotes writes no other
  std::copy_n(in.last_sent.begin(), s.levels, s.last_sent.begin());
}

void FastPath::apply_packet(std::uint16_t channel, const std::uint8_t* p, std::uint32_t len) {
  IncHandler h{*this, channel};
  mdp3::decode_packet(p, len, h);  // already validated: cannot fail part-way
}

void FastPath::on_gap(std::uint16_t channel, std::uint32_t first, std::uint32_t count) {
  // Which instruments the lost packets touched is unknown: all of the channel become suspect,
  // and their quotes are pulled now rather than at the next publication point.
  for (std::size_t k = 0; k < n_insts_; ++k) {
    Instrument& in = insts_[k];
    if (in.channel != channel || in.suspect || in.stale) continue;
    in.suspect = true;
    ++c_.suspect_events;
    touch(in);
  }
  publish(first + count);
}

// RptSeq check for one entry; false when the entry is older than the book and must be skipped.
// Inlined into the per-entry decode callbacks (it runs for every entry of every template).
[[gnu::always_inline]] inline bool FastPath::check_rpt(Instrument& in, std::uint32_t rpt) {
  if (in.rpt_known) {
    if (rpt <= in.last_rpt) {
      ++c_.entries_old_rpt;
      return false;
    }
    if (rpt != in.last_rpt + 1) {
      ++c_.rpt_gaps;
      mark_stale(in);
    } else if (in.suspect) {
      in.suspect = false;  // the lost packets had nothing for this instrument
      touch(in);
    }
  }
  in.last_rpt = rpt;
  in.rpt_known = true;
  return true;
}

void FastPath::mark_stale(Instrument& in) {
  if (!in.stale) {
    in.stale = true;
    ++c_.stale_events;
  }
  in.suspect = false;
  touch(in);
}

[[gnu::always_inline]] inline void FastPath::touch(Instrument& in) {
  if (!in.dirty) {
    in.dirty = true;
    dirty_.push_back(in.slot);
  }
}

// Inline at the publication points of a message: most of the instruments it publishes are
// unchanged since their last publication (below), and those cost a test, not a call.
[[gnu::always_inline]] inline void FastPath::publish(std::uint32_t seq) {
  for (std::uint16_t slot : dirty_) publish_one(insts_[slot], seq);
  dirty_.clear();
}

// Most publications follow entries below level 1: the top, the pull flags and every other quoter
// input are then those of this instrument's last publication, whose requote left quoted_* equal
// to them, so publish_one would find nothing changed and requote nothing.
[[gnu::always_inline]] inline bool FastPath::unchanged_since_published(const Instrument& in) const {
  return in.pub_valid && in.pub_book == in.book.top_version() && in.pub_tick == in.tick &&
         in.pub_state == publish_state(in);
}

// Every input of publish_one besides the book (its top_version) and the tick: stale, suspect,
// halted and quoted as one 32-bit load (adjacent bools, fast_path.hpp), quote_inputs_valid and
// the kill switch. Only compared for equality with an earlier value.
[[gnu::always_inline]] inline std::uint64_t FastPath::publish_state(const Instrument& in) const {
  static_assert(offsetof(Instrument, suspect) == offsetof(Instrument, stale) + 1 &&
                offsetof(Instrument, halted) == offsetof(Instrument, stale) + 2 &&
                offsetof(Instrument, quoted) == offsetof(Instrument, stale) + 3 &&
                sizeof(bool) == 1);
  std::uint32_t flags;
  std::memcpy(&flags, &in.stale, sizeof flags);
  return std::uint64_t{flags} | std::uint64_t{in.quote_inputs_valid} << 32 |
         std::uint64_t{killed_} << 40;
}

[[gnu::always_inline]] inline void FastPath::publish_one(Instrument& in, std::uint32_t seq) {
  in.dirty = false;
  if (unchanged_since_published(in)) return;
  publish_changed(in, seq);
}

// The publication of an instrument whose inputs may have changed: out of line, so that the
// unchanged ones (publish's common case) pay no call.
void FastPath::publish_changed(Instrument& in, std::uint32_t seq) {
  if (undo_active_ && in.undo_pub != undo_serial_) save_pub(in);
  PublishedTop top;
  top.tob = in.book.top();
  const MbpBook& b = in.book;
  top.bid = b.bids().has(1) || b.implied_bids().has(1);
  top.ask = b.asks().has(1) || b.implied_asks().has(1);
  top.stale = in.stale || in.suspect;
  if (!(top == in.last_top)) {
    in.last_top = top;
    ++c_.tob_changes;
    if (observer_) observer_->on_top(seq, in, top);
  }
  requote(in, top.tob, seq);
  in.pub_valid = true;  // after requote, which clears it
  in.pub_book = in.book.top_version();
  in.pub_tick = in.tick;
  in.pub_state = publish_state(in);
}

// Inline: publish_one calls it for every instrument whose level 1 moved, and mostly it returns
// early (the quoter's inputs did not change).
[[gnu::always_inline]] inline void FastPath::requote(Instrument& in, const TopOfBook& tob,
                                                     std::uint32_t seq) {
  in.pub_valid = false;  // quoted_* may now hold other inputs than the last publication's
  if (!in.quoted || in.tick <= 0) return;
  std::uint8_t pull = 0;
  if (in.stale || in.suspect) pull |= kQuotePullStale;
  if (in.halted) pull |= kQuotePullHalt;
  if (killed_) pull |= kQuotePullKill;
  // compute_quotes is a pure function of (top, tick, parameters, skew, pull): when none of them
  // changed since this instrument's last evaluation, neither can its answer or the requote
  // decision. Of the top it reads the prices and whether each size is > 0 (quoter.hpp), and
  // nothing at all under a pull: a top whose sizes alone moved (the most common change at level
  // 1) is the same input.
  const TopOfBook key = pull != 0 ? TopOfBook{}
                                  : TopOfBook{tob.bid_px, tob.ask_px, tob.bid_sz > 0 ? 1 : 0,
                                              tob.ask_sz > 0 ? 1 : 0};
  if (in.quote_inputs_valid && pull == in.quoted_pull && key == in.quoted_tob) return;
  evaluate_quotes(in, tob, seq, pull, key);
}

// The quoter and the requote decision for inputs that differ from the last evaluation's; out of
// line, so that requote's common early return (inputs unchanged) pays no frame for the quote
// buffer and the level loop.
void FastPath::evaluate_quotes(Instrument& in, const TopOfBook& tob, std::uint32_t seq,
                               std::uint8_t pull, const TopOfBook& key) {
  if (undo_active_ && in.undo_sent != undo_serial_) save_sent(in);
  in.quote_inputs_valid = true;
  in.quoted_pull = pull;
  in.quoted_tob = key;
  // compute_quotes writes every field of the first `levels` entries, the only ones read below,
  // so the buffer is raw storage (its QuoteLevels created implicitly, C++20) rather than an array
  // whose member initializers would clear all kMaxLevels (256 bytes) on every evaluation.
  alignas(QuoteLevel) std::byte raw[sizeof(QuoteLevel) * kMaxLevels];
  QuoteLevel* const next = std::launder(reinterpret_cast<QuoteLevel*>(raw));
  compute_quotes(tob, in.tick, in.params, in.skew, pull, std::span(next, in.params.levels));
  for (std::uint8_t l = 0; l < in.params.levels; ++l) {
    QuoteLevel& prev = in.last_sent[l];
    if (!needs_requote(prev, next[l], in.tick, in.params.requote_tolerance_ticks)) continue;
    const bool silent = no_live(prev) && no_live(next[l]);  // nothing was working: nothing to pull
    prev = next[l];
    if (silent) continue;
    emit(QuoteRecord{next[l].bid_px, next[l].ask_px, next[l].bid_sz, next[l].ask_sz,
                     in.security_id, seq, in.slot, l, next[l].flags, 0});
  }
}

void FastPath::emit(const QuoteRecord& r) {
  if (q_count_ == queue_.size()) {
    ++c_.quote_overflow;
    return;
  }
  std::size_t tail = q_head_ + q_count_;  // < 2 * size: one subtraction wraps it (no division)
  if (tail >= queue_.size()) tail -= queue_.size();
  queue_[tail] = r;
  ++q_count_;
  ++c_.quotes;
}

std::size_t FastPath::collect(std::span<QuoteRecord> out) {
  const std::size_t n = std::min(out.size(), q_count_);
  const std::size_t size = queue_.size();
  // At most two contiguous runs: up to the end of the ring, then from its start.
  const std::size_t first = std::min(n, size - q_head_);
  std::copy_n(queue_.data() + q_head_, first, out.data());
  std::copy_n(queue_.data(), n - first, out.data() + first);
  q_head_ += n;
  if (q_head_ >= size) q_head_ -= size;
  q_count_ -= n;
  return n;
}

void FastPath::set_kill(bool on) {
  killed_ = on;
  // The kill switch acts at once, not at the next market event.
  const std::uint32_t seq = latest_seq();
  for (std::size_t k = 0; k < n_insts_; ++k) requote(insts_[k], insts_[k].book.top(), seq);
}

std::uint32_t FastPath::latest_seq() const {
  std::uint32_t seq = 0;
  for (std::uint32_t s : last_seq_) seq = std::max(seq, s);
  return seq;
}

const char* FastPath::set_params(std::int32_t security_id, const QuoterParams& p) {
  if (const char* bad = validate(p)) return bad;
  if (security_id == 0) {
    cfg_.quoter = p;
    for (std::size_t k = 0; k < n_insts_; ++k) change_params(insts_[k], p);
    return nullptr;
  }
  const Instrument* in = find(security_id);
  if (!in) return "unknown security_id";
  change_params(insts_[in->slot], p);
  return nullptr;
}

void FastPath::change_params(Instrument& in, const QuoterParams& p) {
  const std::uint32_t seq = latest_seq();
  // Levels that disappear are pulled if they were working (a record with no sizes), so the venue
  // never keeps an order the quoter no longer computes.
  for (std::uint8_t l = p.levels; l < in.params.levels; ++l) {
    QuoteLevel& prev = in.last_sent[l];
    if (!no_live(prev)) {
      emit(QuoteRecord{0, 0, 0, 0, in.security_id, seq, in.slot, l, 0, 0});
    }
    prev = QuoteLevel{};
  }
  in.params = p;
  in.quote_inputs_valid = false;
  requote(in, in.book.top(), seq);
}

void FastPath::set_skew(std::int32_t security_id, const SkewRegs& s) {
  if (const Instrument* in = find(security_id)) {
    Instrument& i = insts_[in->slot];
    i.skew = clamp_skew(s);
    i.quote_inputs_valid = false;
    // At once, like a parameter change (and like the card, which requotes a slot on every
    // commit): a new inventory must not wait for the next market event to reach the quotes.
    requote(i, i.book.top(), latest_seq());
  }
}

const PipelineCounters& FastPath::counters() const {
  c_.arb = ArbiterCounters{};
  for (const auto& a : arbiters_) {
    const ArbiterCounters& x = a->counters();
    c_.arb.applied += x.applied;
    c_.arb.duplicates += x.duplicates;
    c_.arb.held += x.held;
    c_.arb.gaps += x.gaps;
    c_.arb.lost += x.lost;
    c_.arb.oversize += x.oversize;
  }
  return c_;
}

}  // namespace ttq
