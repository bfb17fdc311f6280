// The fast path, frame in -> quote records out: the C++ model of the card and the software
// backend. Stages: L2-L4 filter -> packet validation -> A/B arbiter -> MDP3 decode -> instrument
// lookup -> MBP book -> top-of-book publication -> quoter. Every drop is counted with a reason.
// No allocation after construction; all tables are sized from PipelineConfig.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ttq/arbiter.hpp"
#include "ttq/book.hpp"
#include "ttq/mdp3.hpp"
#include "ttq/net.hpp"
#include "ttq/quote.hpp"
#include "ttq/quoter.hpp"

namespace ttq {

enum class FeedKind : std::uint8_t { kIncremental = 0, kSnapshot = 1, kDefinition = 2 };

// One multicast line (address:port) of a channel's feed.
struct LineConfig {
  std::uint32_t ip = 0;  // host order
  std::uint16_t port = 0;
  std::uint16_t channel = 0;  // index into PipelineConfig::channels
  FeedKind kind = FeedKind::kIncremental;
  char line = 'A';
};

struct ChannelConfig {
  std::uint32_t id = 0;  // CME channel number, for reports
};

// Which instruments are quoted, and per-instrument overrides.
struct InstrumentConfig {
  std::int32_t security_id = 0;  // 0: match by symbol
  std::string symbol;
  std::int64_t tick = 0;  // PRICE9; 0 = from the definition
  bool quote = true;
  std::int64_t multiplier = 1;  // host risk: currency per price unit per lot
  std::int64_t position = 0;    // host: starting position in lots (inventory skew, risk)
  SkewRegs skew;                // skew registers for that position (host computes, model loads)
  // Fixed-table (card) mode only: the book's depths and the SecurityGroup a group-wide
  // SecurityStatus matches, which definitions provide otherwise.
  std::uint8_t depth = kDefaultDepth;
  std::uint8_t implied_depth = kDefaultImpliedDepth;
  std::string group;
  std::uint16_t channel = 0;  // index into PipelineConfig::channels
};

// The card a hardware backend drives ([card] in ttq.toml; the sw and verilator backends ignore it).
struct CardConfig {
  std::string xclbin;           // the RTL kernel's xclbin (xrt backend: required)
  std::uint32_t device = 0;     // XRT device index
  std::string kernel = "ttq_kernel";  // kernel (IP) name inside the xclbin
};

// The card's packet store: events per packet (ttq_core's EV_PER_PKT).
inline constexpr std::uint32_t kCardPacketEvents = 128;

struct PipelineConfig {
  std::vector<ChannelConfig> channels;  // empty with no lines: one implicit channel
  std::vector<LineConfig> lines;        // empty: every UDP datagram belongs to channel 0
  std::uint32_t reorder_window = 8;     // packets (SeqArbiter window)
  std::uint64_t reorder_timeout_ns = 0; // capture time a held packet may wait; 0 = no limit
  std::uint32_t max_instruments = 1024;
  std::uint32_t quote_queue = 65536;    // quote records buffered between collect() calls
  std::int64_t default_tick = 0;        // PRICE9 tick for instruments without a definition
  bool quote_all = true;                // quote every instrument with a tick unless listed
  // Card mode: the instrument table is exactly the configured instruments with a security_id, in
  // config order (slot i = the i-th), loaded at start — what the host writes into the card's slot
  // table. Unknown SecurityIDs are ignored (unknown_instruments); definitions change nothing
  // (tick, depth and group come from the config). docs/pipeline.md "Fixed instrument table".
  bool fixed_instruments = false;
  // feed.commit: "verdict" (false) applies a packet only once all of it is known good;
  // "cut_through" (true) is the semantics of a card that applies and publishes a packet's
  // messages as they arrive: an in-order packet that fails late (bad FCS, truncated, a malformed
  // message) has its earlier messages applied and published, then every instrument restored and
  // each quote it changed sent again as before (docs/pipeline.md "Cut-through commit"). Needs
  // fixed_instruments. The config's default "auto" resolves to cut_through exactly when
  // fixed_instruments is set (card mode: the model mirrors the card's shipping mode), verdict
  // otherwise (parse_config); a PipelineConfig built in code says what it wants here.
  bool cut_through = false;
  bool commit_auto = false;  // cut_through came from feed.commit = "auto" (messages only)
  // feed.max_packet_events: the card's packet store holds a packet's first EV_PER_PKT = 128
  // framer events (PKT_HDR, one BOOK / SEQ per entry, RESET, STATUS, one MSG_END per message:
  // FastPath::packet_events); a packet with more is dropped whole, as malformed, and counted
  // (oversize_packets). The default is the card's; 0 = no limit (software only: the card always
  // has one). docs/pipeline.md "Packet event limit".
  std::uint32_t max_packet_events = kCardPacketEvents;
  std::vector<InstrumentConfig> instruments;
  QuoterParams quoter;
  CardConfig card;
};

struct PipelineCounters {
  std::uint64_t frames = 0;
  std::uint64_t bytes = 0;
  std::array<std::uint64_t, static_cast<std::size_t>(FrameDrop::kCount)> frame_drops{};
  std::uint64_t packets = 0;  // packets validated well-formed (all feeds; the second copy of an
                              // already-applied packet is dropped as a duplicate before this)
  std::array<std::uint64_t, static_cast<std::size_t>(mdp3::MsgError::kCount)> malformed{};
  std::uint64_t early_duplicates = 0;  // copies of applied packets dropped before validation
                                       // (also counted in arb.duplicates)
  std::uint64_t snapshot_packets = 0;
  std::uint64_t definition_packets = 0;
  ArbiterCounters arb;                 // summed over channels
  std::array<std::uint64_t, 64> messages_by_template{};  // template id < 64
  std::uint64_t messages_other = 0;    // template id >= 64
  std::uint64_t book_entries = 0;      // 46/32 entries applied to a book
  std::uint64_t entries_beyond_depth = 0;
  std::uint64_t entries_old_rpt = 0;   // RptSeq already reflected (e.g. by a snapshot): skipped
  std::uint64_t rpt_gaps = 0;
  std::uint64_t book_corrupt = 0;      // Change price mismatch, Change/Delete at a known-empty level
  std::uint64_t stale_events = 0;      // instrument became stale
  std::uint64_t suspect_events = 0;    // instrument became suspect (channel gap)
  std::uint64_t recoveries = 0;        // stale/unknown books rebuilt from a snapshot
  std::uint64_t snapshots_ignored = 0; // snapshot for a healthy book, or older than the book
  std::uint64_t channel_resets = 0;
  std::uint64_t seq_restarts = 0;      // MsgSeqNum started again at 1 (weekly restart)
  std::uint64_t definitions = 0;
  std::uint64_t status_msgs = 0;
  std::uint64_t halts = 0;
  std::uint64_t instrument_table_full = 0;
  std::uint64_t unknown_instruments = 0;  // fixed table: entries/messages naming no slot
  std::uint64_t tick_mismatches = 0;      // fixed table: a definition's tick != the configured one
  std::uint64_t tob_changes = 0;       // published top-of-book changes
  std::uint64_t quotes = 0;            // quote records emitted
  std::uint64_t quote_overflow = 0;    // quote records lost because nobody collected them
  std::uint64_t spec_undone = 0;       // feed.commit = cut_through: packets applied in part, then
                                       // undone when they failed late (also counted by reason)
  // feed.max_packet_events (the card's OVERSIZE_PACKETS): payloads with more framer events than
  // the limit, whatever else became of their frame (dropped as a duplicate, for its line, a bad
  // FCS or a cut, or as malformed); malformed_oversize: of those, the packets otherwise good that
  // were dropped for it (the card counts them in MALFORMED; a malformed one is counted by reason).
  std::uint64_t oversize_packets = 0;
  std::uint64_t malformed_oversize = 0;
};

// Top of book as published (what `ttq book` prints).
struct PublishedTop {
  TopOfBook tob;
  bool bid = false;  // the side exists (its size may still be 0)
  bool ask = false;
  bool stale = false;
  friend bool operator==(const PublishedTop&, const PublishedTop&) = default;
};

// A field that comes from the configuration (not from market data or quoting) must also be kept
// by FastPath::soft_reset (fast_path_reset.cpp), which rebuilds every instrument from its fields.
struct Instrument {
  std::int32_t security_id = 0;
  std::uint16_t slot = 0;
  std::uint16_t channel = 0;
  char symbol[21] = {};
  char group[7] = {};
  MbpBook book;
  std::uint32_t last_rpt = 0;
  bool rpt_known = false;
  // stale, suspect, halted, quoted and quote_inputs_valid stay adjacent and in this order: the
  // publication reads the first four as one 32-bit word (FastPath::publish_state).
  bool stale = false;    // RptSeq gap or corrupt book: no quotes until recovered
  bool suspect = false;  // channel gap: no quotes until RptSeq proves it unaffected
  bool halted = false;
  bool quoted = false;
  // Inputs of the last quoter evaluation (skipped when they repeat).
  bool quote_inputs_valid = false;
  bool tick_from_config = false;
  bool dirty = false;
  std::int64_t tick = 0;  // PRICE9
  std::int64_t multiplier = 1;      // from the config, for the host's risk gate
  std::int64_t start_position = 0;  // from the config, for the host's risk gate
  PublishedTop last_top;
  QuoterParams params;  // card: the slot's quoter registers; from [quoter] until set_params
  SkewRegs skew;
  std::array<QuoteLevel, kMaxLevels> last_sent{};
  std::uint8_t quoted_pull = 0;
  TopOfBook quoted_tob;  // as compute_quotes reads it: prices, sizes as 0/1; all 0 under a pull
  // What the last publication (publish_one) saw: while none of it changes, neither can the
  // published top nor the quoter's answer, so the publication is skipped. Any other requote
  // (kill, parameters) clears pub_valid.
  bool pub_valid = false;
  std::uint64_t pub_state = 0;    // FastPath::publish_state
  std::int64_t pub_tick = 0;
  std::uint64_t pub_book = 0;     // book.top_version()
  // One-pass apply (FastPath::apply_one_pass): the packet number whose undo journal already holds
  // this instrument's publication state / its last_sent (each saved once per packet).
  std::uint32_t undo_pub = 0;
  std::uint32_t undo_sent = 0;
};

// Sees what the decode and book commands print. Never set on the hot path of `replay`.
class PipelineObserver {
 public:
  virtual ~PipelineObserver() = default;
  virtual void on_book_entry(const mdp3::MsgCtx&, std::uint32_t, const mdp3::BookEntry&) {}
  virtual void on_top(std::uint32_t, const Instrument&, const PublishedTop&) {}
  // A TradeSummary (42/48) entry of a known instrument whose RptSeq was in sequence (price still
  // the raw wire mantissa: mdp3::to_price9(t.price, m.template_id)). The backtest's simulated
  // exchange matches our resting orders against these.
  virtual void on_trade(const mdp3::MsgCtx&, const Instrument&, const mdp3::TradeEntry&) {}
};

// A MsgSeqNum of 1 when the expected number is above this is a restart of the sequence.
inline constexpr std::uint32_t kSeqRestartMin = 65536;

class FastPath {
 public:
  explicit FastPath(const PipelineConfig& cfg);
  ~FastPath();
  FastPath(const FastPath&) = delete;
  FastPath& operator=(const FastPath&) = delete;

  void process(const Frame& f);
  // End of input: release packets held for reordering (declaring the holes lost).
  void finish();

  // Drains up to out.size() quote records, oldest first.
  std::size_t collect(std::span<QuoteRecord> out);

  void set_kill(bool on);
  bool killed() const { return killed_; }
  // The card's CONTROL.SOFT_RESET (docs/card.md "Soft reset"): the pipeline restarts from empty
  // books -- apply state, published tops, the dirty list, the A/B arbiters, the quote queue and
  // every counter cleared -- while the configuration stays (instruments, parameters and skews
  // as last set, the kill switch). Unlike a FastPath built from the configuration (every slot
  // loaded = committed), no slot is requoted: what each level last sent is forgotten (all zero),
  // as the card's `prev`, which a cut-through correction of a slot's first quote sends back.
  // With the kill switch on, every instrument is requoted under it, as the card's kill marker.
  void soft_reset();
  void set_skew(std::int32_t security_id, const SkewRegs& s);
  // Replaces the quoter parameters of one instrument (security_id != 0) or of every instrument and
  // the default for new ones (security_id == 0). Validated first: on a bad value returns the
  // message naming the field and changes nothing. Takes effect at once (a requote is evaluated);
  // levels beyond a smaller `levels` that were live are pulled. Returns nullptr on success.
  const char* set_params(std::int32_t security_id, const QuoterParams& p);
  void set_observer(PipelineObserver* o) { observer_ = o; }

  const PipelineCounters& counters() const;
  // The card framer's events of an MDP packet as its packet store counts them (PKT_HDR, then per
  // message one BOOK (46/32) or SEQ (42/48, 37, 33-35, 49-51) per entry of its first group, a
  // RESET (4) or STATUS (30), and its MSG_END; PKT_END is not stored), up to where the framer
  // stops: the first message that fails a check, with that message's events written before its
  // error (docs/pipeline.md "Packet event limit"; sim/tb_mdp_framer compares the two on every
  // packet). Stops once the count passes `limit` (0: none). *fit: the bytes up to the end of the
  // last message whose MSG_END is among the first `limit` events (12 when none is). `bounded`
  // (needs a limit): stops as well once the rest of the packet cannot take the count past `limit`
  // (a message of N bytes has at most 2 events per 19 of them), returning a count <= limit that
  // then need not be the packet's: `packet_events(...) > limit` is the same either way.
  static std::uint32_t packet_events(const std::uint8_t* p, std::uint32_t len,
                                     std::uint32_t limit, std::uint32_t* fit = nullptr,
                                     bool bounded = false);
  const Instrument* find(std::int32_t security_id) const;
  std::span<const Instrument> instruments() const { return {insts_.data(), n_insts_}; }

 private:
  struct IncHandler;
  struct SnapHandler;
  struct ArbSink;
  struct PacketRecord;
  struct SpecHandler;
  struct OnePassHandler;
  // The undo journal of the one-pass apply (apply_one_pass), sized at construction. Per entry that
  // named a known instrument: its RptSeq state before the entry and what MbpBook::apply_logged
  // saved. Per instrument published (once per packet): its publication state, and its last_sent
  // when evaluate_quotes runs for it.
  enum class BookSave : std::uint8_t { kNone, kEntry, kWhole };
  struct EntryUndo {
    Instrument* in;
    BookUndo book;            // kEntry
    std::uint32_t last_rpt;
    std::uint16_t whole;      // kWhole: the index in undo_books_ of the book before the entry
    bool rpt_known, stale, suspect;
    BookSave save;
  };
  // DeleteFrom and Book Reset entries (they may empty more than one level) save the whole book:
  // up to this many per packet; a packet with more goes the validated way.
  static constexpr std::size_t kWholeBookSaves = 8;
  struct PubUndo {
    PublishedTop last_top;
    TopOfBook quoted_tob;
    std::uint64_t pub_state;
    std::int64_t pub_tick;
    std::uint64_t pub_book;
    std::uint16_t slot;
    std::uint8_t quoted_pull;
    bool pub_valid, quote_inputs_valid;
  };
  struct SentUndo {
    std::array<QuoteLevel, kMaxLevels> last_sent;  // the first `levels`
    std::uint16_t slot;
    std::uint8_t levels;
  };
  // The counters an Incremental packet's messages can move (besides messages_by_template, which
  // the undo takes back by walking the messages again).
  struct CounterMark {
    std::uint64_t messages_other, book_entries, entries_beyond_depth, entries_old_rpt, rpt_gaps,
        book_corrupt, stale_events, unknown_instruments, tob_changes, quotes, quote_overflow;
  };

  Instrument* lookup(std::int32_t security_id, std::uint16_t channel);
  Instrument* lookup_cached(std::int32_t security_id, std::uint16_t channel);
  Instrument* create(std::int32_t security_id, std::uint16_t channel, std::uint32_t h);
  void apply_packet(std::uint16_t channel, const std::uint8_t* p, std::uint32_t len);
  bool apply_one_pass(std::uint16_t channel, const std::uint8_t* p, std::uint32_t len);
  [[gnu::cold, gnu::noinline]] void undo_one_pass(const std::uint8_t* p, const EntryUndo* end,
                                                  std::uint32_t messages);
  [[gnu::noinline]] void save_pub(Instrument& in);
  [[gnu::noinline]] void save_sent(Instrument& in);
  void on_gap(std::uint16_t channel, std::uint32_t first, std::uint32_t count);
  bool check_rpt(Instrument& in, std::uint32_t rpt);
  void mark_stale(Instrument& in);
  const LineConfig* find_line(const UdpView& u) const;
  [[gnu::cold]] void speculate_frame(const Frame& f);
  [[gnu::cold]] void speculate(std::uint16_t channel, const std::uint8_t* p, std::uint32_t len);
  // A bad frame's payload as the card streams it (headers pass with the FCS ignored, a truncated
  // frame padded to its IP length; `present` bytes there): false when it streams none.
  [[gnu::cold]] bool streamed_payload(const Frame& f, UdpView& u, std::uint32_t& present);
  // feed.max_packet_events: true (and counted in oversize_packets) when the payload has more
  // events than the limit. Inline and one compare for payloads too short to have that many
  // (oversize_len_); the walk (oversize_walk) only for the others.
  bool oversize(const std::uint8_t* p, std::uint32_t len) {
    return len >= oversize_len_ && oversize_walk(p, len);
  }
  [[gnu::noinline]] bool oversize_walk(const std::uint8_t* p, std::uint32_t len);
  void touch(Instrument& in);
  void publish(std::uint32_t seq);
  void publish_one(Instrument& in, std::uint32_t seq);
  void publish_changed(Instrument& in, std::uint32_t seq);
  std::uint64_t publish_state(const Instrument& in) const;
  bool unchanged_since_published(const Instrument& in) const;
  void requote(Instrument& in, const TopOfBook& tob, std::uint32_t seq);
  [[gnu::noinline]] void evaluate_quotes(Instrument& in, const TopOfBook& tob, std::uint32_t seq,
                                         std::uint8_t pull, const TopOfBook& key);
  void change_params(Instrument& in, const QuoterParams& p);
  std::uint32_t latest_seq() const;
  void emit(const QuoteRecord& r);
  void apply_instrument_config(Instrument& in);

  PipelineConfig cfg_;
  std::vector<Instrument> insts_;
  std::size_t n_insts_ = 0;
  std::vector<std::int32_t> hash_keys_;   // open addressing, 0 = empty
  std::vector<std::uint16_t> hash_slots_;
  std::uint32_t hash_mask_ = 0;
  static constexpr std::uint32_t kLookupCache = 64;  // lines, a power of two
  struct CachedLookup {
    std::int32_t security_id = 0;
    Instrument* in = nullptr;
  };
  std::array<CachedLookup, kLookupCache> lookup_cache_{};
  std::vector<std::uint16_t> dirty_;
  std::vector<std::unique_ptr<SeqArbiter>> arbiters_;
  std::vector<std::uint32_t> last_seq_;   // per channel: last applied MsgSeqNum
  std::unique_ptr<PacketRecord> rec_;          // the packet being offered, as validated
  const std::uint8_t* rec_payload_ = nullptr;  // its bytes while it is offered, else nullptr
  std::vector<QuoteRecord> queue_;
  std::size_t q_head_ = 0, q_count_ = 0;
  mutable PipelineCounters c_;
  PipelineObserver* observer_ = nullptr;
  bool killed_ = false;
  bool frozen_ = false;  // fixed instrument table loaded: lookup never creates
  // feed.commit = cut_through only (sized at construction, so the undo allocates nothing): the
  // instruments and the dirty list before the packet being speculated, and a frame buffer long
  // enough to pad a truncated frame to the length its IP header claims.
  std::vector<Instrument> spec_insts_;
  std::vector<std::uint16_t> spec_dirty_;
  std::vector<std::uint8_t> spec_frame_;
  // feed.max_packet_events: the shortest payload that can hold more events than the limit (2 per
  // 19 bytes after the packet header at most); none (UINT32_MAX) without a limit.
  std::uint32_t oversize_len_ = UINT32_MAX;
  // One-pass apply of an in-order Incremental packet (apply_one_pass): the journal that takes it
  // back when a message turns out malformed part-way (then the packet goes the validated way).
  std::vector<EntryUndo> undo_entries_;
  std::vector<PubUndo> undo_pubs_;
  std::vector<SentUndo> undo_sents_;
  std::vector<MbpBook> undo_books_;
  std::size_t n_undo_pubs_ = 0, n_undo_sents_ = 0, n_undo_books_ = 0;
  std::vector<std::uint16_t> undo_dirty_;  // the dirty list before the packet (mostly empty)
  std::size_t n_undo_dirty_ = 0;
  CounterMark undo_counters_{};
  std::size_t undo_q_count_ = 0;
  std::uint32_t undo_serial_ = 0;  // the packet being applied in one pass (Instrument::undo_*)
  bool undo_active_ = false;       // apply_one_pass is running: publication saves what it changes
};

}  // namespace ttq
