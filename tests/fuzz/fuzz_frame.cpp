// libFuzzer target for the whole fast-path model: frames -> L2-L4 -> validation -> A/B arbiter ->
// decode -> book -> publication -> quoter, then finish() and collect(). One input is a sequence of
// frames, so gaps, held packets, snapshots and recoveries are reachable, and it checks the
// pipeline's own promises: every frame is counted once, every quote queued is collected, quote
// records are canonical, and nothing live leaves while the kill switch is on.
//
// Input: byte 0 selects the mode and the configuration, byte 1 more of it; the rest is split on
// kSep into records.
//   bit 0   0: each record is a whole Ethernet frame
//           1: each record is [ctl][MDP payload]; the harness wraps the payload in a valid
//              Ethernet/IPv4/UDP header (correct checksum), so mutations land in the MDP bytes.
//              ctl bits 0-2: line (kLines), bit 3: 802.1Q tag, bit 4: IPv4 options,
//              bits 5-6: capture-time step, bit 7: append a 9.3 KB skip-by-MsgSize message
//              (a jumbo datagram, too large for an arbiter slot).
//   bit 1   line plan: 0 = none (default config: every datagram is channel 0, snapshots found by
//           template), 1 = kLines on two channels with instrument overrides
//   bits 2-3 arbiter: 0 default (window 8), 1 window 1, 2 window 64, 3 window 4 + 2 us timeout
//   bit 4   quoter: 0 default, 1 eight levels, mid reference, offsets, size steps
//   bit 5   small tables: 3 instruments, 16 queued quote records
//   bit 6   kill switch on for the third quarter of the frames
//   bit 7   collect after every frame (else only at kill-switch changes and at the end)
// Byte 1 (since 2026-11-30):
//   bit 0   feed.commit = cut_through (fixed instruments: kFixed), run beside a twin FastPath with
//           commit on verdict and the same configuration: after every frame every instrument of
//           the two is the same (an undone packet leaves the state verdict mode has), and the
//           cut-through records are the verdict ones, after the speculated records and the
//           corrections of an undone packet (docs/pipeline.md "Cut-through commit").
//   bit 1   damaged frames: a record whose last byte is 2 mod 4 is a frame with a bad FCS, 3 mod
//           4 a truncated one (captured length cut by the byte before it, wire length whole).
//   bit 2   feed.max_packet_events = 16 (the oversize drop and a speculation cut at 16 events)
// Everything else is PipelineConfig{} with default_tick = 5 (and smaller tables: make_config).
// TTQ_FUZZ_SEED_DIR=<dir> writes the seed corpus (hand-built sequences from the spec byte
// builders, and windows of a capgen capture with loss, duplicates, reordering and snapshots).
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "test_support.hpp"
#include "ttq/capgen.hpp"
#include "ttq/fast_path.hpp"
#include "ttq/wire.hpp"

namespace {

using namespace ttq;
using test::Bytes;

constexpr std::uint8_t kSep[4] = {0xF0, 'T', 'Q', 0x0F};
constexpr std::size_t kMaxRecords = 512;

struct LineAddr {
  std::uint32_t ip;
  std::uint16_t port;
};
// 0-3: capgen's incremental and recovery lines (channel 0); 4: channel 0 definitions;
// 5-6: channel 1 incremental and snapshot; 7: a line nobody configured.
constexpr std::array<LineAddr, 8> kLines = {{{capgen::kIncrementalIpA, capgen::kIncrementalPortA},
                                             {capgen::kIncrementalIpB, capgen::kIncrementalPortB},
                                             {capgen::kRecoveryIpA, capgen::kRecoveryPortA},
                                             {capgen::kRecoveryIpB, capgen::kRecoveryPortB},
                                             {0xE0001F03, 14312},
                                             {0xE0002101, 16310},
                                             {0xE0002102, 16311},
                                             {0xE0002209, 9999}}};

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_frame: contract broken: %s\n", what);
  std::abort();
}

// Byte 1's fixed instrument table: capgen's first four SecurityIDs and kId2 (the seeds' second
// instrument). A definition changes nothing in a fixed table, so each has its tick here.
constexpr std::array<std::int32_t, 5> kFixed = {
    capgen::kFirstSecurityId, capgen::kFirstSecurityId + 1, capgen::kFirstSecurityId + 2,
    capgen::kFirstSecurityId + 3, 42};

PipelineConfig make_config(std::uint8_t mode, std::uint8_t mode2, bool cut_through) {
  PipelineConfig c;
  c.default_tick = 5;
  // Capacities only, scaled to what one input can fill: the defaults (1024 instruments, 65536
  // queued records) are 4 MB of tables built per input, which kept the target at ~150 execs/s.
  c.max_instruments = 64;
  c.quote_queue = 1024;
  if (mode & 0x02) {
    c.channels = {{310}, {311}};
    const FeedKind kinds[7] = {
        FeedKind::kIncremental, FeedKind::kIncremental, FeedKind::kSnapshot, FeedKind::kSnapshot,
        FeedKind::kDefinition,  FeedKind::kIncremental, FeedKind::kSnapshot};
    const std::uint16_t channel[7] = {0, 0, 0, 0, 0, 1, 1};
    for (std::size_t i = 0; i < 7; ++i) {
      c.lines.push_back({kLines[i].ip, kLines[i].port, channel[i], kinds[i], i % 2 ? 'B' : 'A'});
    }
    InstrumentConfig tick_override;
    tick_override.security_id = capgen::kFirstSecurityId;
    tick_override.tick = 2'500'000'000;
    tick_override.skew = SkewRegs{1, 1};
    InstrumentConfig by_symbol;
    by_symbol.symbol = "ETHZ6";
    by_symbol.quote = false;
    c.instruments = {tick_override, by_symbol};
  }
  switch ((mode >> 2) & 3) {
    case 1:
      c.reorder_window = 1;
      break;
    case 2:
      c.reorder_window = 64;
      break;
    case 3:
      c.reorder_window = 4;
      c.reorder_timeout_ns = 2000;
      break;
    default:
      break;
  }
  if (mode & 0x10) {
    QuoterParams& q = c.quoter;
    q.ref_mode = RefMode::kMid;
    q.bid_offset_ticks = 1;
    q.ask_offset_ticks = -1;
    q.min_spread_ticks = 3;
    q.max_spread_ticks = kMaxSpreadTicksLimit;
    q.levels = kMaxLevels;
    q.level_spacing_ticks = 2;
    q.order_size = 5;
    q.size_step = 2;
    q.requote_tolerance_ticks = 0;
    q.price_floor = 0;
    q.price_ceiling = std::int64_t{1} << 62;
    if (validate(q) != nullptr) fail("harness quoter parameters invalid");
  }
  if (mode & 0x20) {
    c.max_instruments = 3;
    c.quote_queue = 16;
  }
  if (mode2 & 0x01) {
    c.fixed_instruments = true;
    c.cut_through = cut_through;
    for (const std::int32_t id : kFixed) {
      const auto same = [id](const InstrumentConfig& ic) { return ic.security_id == id; };
      if (std::none_of(c.instruments.begin(), c.instruments.end(), same)) {
        InstrumentConfig ic;
        ic.security_id = id;
        ic.tick = id == 42 ? 5 : 5'000'000'000;
        c.instruments.push_back(ic);
      }
    }
  }
  if (mode2 & 0x04) c.max_packet_events = 16;
  return c;
}

[[noreturn]] void fail_at(const char* what, std::size_t frame, std::int32_t id) {
  std::fprintf(stderr, "fuzz_frame: frame %zu, instrument %d\n", frame, id);
  fail(what);
}

// Everything a packet can change in an instrument (tests/unit/instrument_state.hpp's list).
bool same_side(const BookSide& x, const BookSide& y) {
  if (x.occupied != y.occupied) return false;
  for (std::uint32_t k = 0; k < kMaxDepth; ++k) {
    if (x.level[k].px != y.level[k].px || x.level[k].sz != y.level[k].sz ||
        x.level[k].orders != y.level[k].orders) {
      return false;
    }
  }
  return true;
}

const char* instrument_differs(const Instrument& x, const Instrument& y) {
  if (x.security_id != y.security_id || x.slot != y.slot) return "table";
  if (!same_side(x.book.bids(), y.book.bids()) || !same_side(x.book.asks(), y.book.asks()) ||
      !same_side(x.book.implied_bids(), y.book.implied_bids()) ||
      !same_side(x.book.implied_asks(), y.book.implied_asks()) ||
      x.book.top_version() != y.book.top_version() || x.book.complete() != y.book.complete()) {
    return "book";
  }
  if (x.last_rpt != y.last_rpt || x.rpt_known != y.rpt_known || x.stale != y.stale ||
      x.suspect != y.suspect || x.halted != y.halted) {
    return "apply state";
  }
  if (x.dirty != y.dirty || !(x.last_top == y.last_top) || x.pub_valid != y.pub_valid ||
      !(x.pub_state == y.pub_state) || x.pub_tick != y.pub_tick || !(x.pub_book == y.pub_book)) {
    return "publication state";
  }
  if (!(x.last_sent == y.last_sent) || !(x.quoted_tob == y.quoted_tob) ||
      x.quoted_pull != y.quoted_pull || x.quote_inputs_valid != y.quote_inputs_valid) {
    return "what was sent";
  }
  return nullptr;
}

bool same_record(const QuoteRecord& a, const QuoteRecord& b) {
  return a.bid_px == b.bid_px && a.ask_px == b.ask_px && a.bid_sz == b.bid_sz &&
         a.ask_sz == b.ask_sz && a.security_id == b.security_id && a.seq == b.seq &&
         a.slot == b.slot && a.level == b.level && a.flags == b.flags && a.reserved == b.reserved;
}

// Ethernet/IPv4/UDP around an MDP payload, built the way a sender would (DF, TTL 64, checksum).
Bytes wrap(const std::uint8_t* payload, std::size_t len, std::uint8_t ctl) {
  const LineAddr& a = kLines[ctl & 7];
  const bool vlan = ctl & 0x08;
  const std::size_t opt_words = (ctl & 0x10) ? 1 : 0;
  const std::size_t ihl = 20 + 4 * opt_words;
  len = std::min<std::size_t>(len, 0xFFFF - ihl - 8);
  Bytes f;
  f.reserve(14 + 4 + ihl + 8 + len);
  // Multicast MAC of the group (01:00:5e + low 23 bits of the address), then the source MAC.
  const std::uint8_t mac[12] = {0x01, 0x00, 0x5e, 0, 0, 0, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
  f.insert(f.end(), mac, mac + 12);
  f[3] = static_cast<std::uint8_t>((a.ip >> 16) & 0x7f);
  f[4] = static_cast<std::uint8_t>(a.ip >> 8);
  f[5] = static_cast<std::uint8_t>(a.ip);
  if (vlan) f.insert(f.end(), {0x81, 0x00, 0x00, 0x64});
  f.insert(f.end(), {0x08, 0x00});
  const std::size_t ip = f.size();
  f.resize(ip + ihl + 8);
  std::uint8_t* h = f.data() + ip;
  h[0] = static_cast<std::uint8_t>(0x40 | (ihl / 4));
  store_be16(h + 2, static_cast<std::uint16_t>(ihl + 8 + len));
  h[6] = 0x40;  // DF
  h[8] = 64;
  h[9] = 17;
  store_be32(h + 12, 0x0A000001);
  store_be32(h + 16, a.ip);
  for (std::size_t i = 20; i < ihl; ++i) h[i] = 1;  // NOP options
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i < ihl; i += 2) sum += load_be16(h + i);
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  store_be16(h + 10, static_cast<std::uint16_t>(~sum));
  std::uint8_t* u = h + ihl;
  store_be16(u, a.port);
  store_be16(u + 2, a.port);
  store_be16(u + 4, static_cast<std::uint16_t>(8 + len));
  f.insert(f.end(), payload, payload + len);
  return f;
}

// A heartbeat (template 12) whose MsgSize covers 9.3 KB of zeros: skipped by the decoder, but it
// makes the datagram larger than SeqArbiter::kSlotBytes without a 9 KB fuzz input.
void append_jumbo(Bytes& payload) {
  constexpr std::uint16_t kSize = 9300;
  static_assert(kSize > SeqArbiter::kSlotBytes);
  const std::size_t at = payload.size();
  payload.resize(at + kSize, 0);
  store_le<std::uint16_t>(&payload[at], kSize);
  store_le<std::uint16_t>(&payload[at + 4], mdp3::kAdminHeartbeat);
  store_le<std::uint16_t>(&payload[at + 6], mdp3::kSchemaId);
  store_le<std::uint16_t>(&payload[at + 8], 9);
}

std::vector<std::pair<const std::uint8_t*, std::size_t>> split(const std::uint8_t* p,
                                                               std::size_t n) {
  std::vector<std::pair<const std::uint8_t*, std::size_t>> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i + sizeof kSep <= n && out.size() + 1 < kMaxRecords;) {
    if (std::equal(kSep, kSep + sizeof kSep, p + i)) {
      out.emplace_back(p + start, i - start);
      i += sizeof kSep;
      start = i;
    } else {
      ++i;
    }
  }
  out.emplace_back(p + start, n - start);
  return out;
}

struct Drainer {
  FastPath& fp;
  std::uint8_t levels;
  std::uint64_t collected = 0;
  std::vector<QuoteRecord>* out = nullptr;  // byte 1 bit 0: the records, for the twin check

  void operator()(bool killed) {
    std::array<QuoteRecord, 64> buf;
    for (std::size_t n; (n = fp.collect(buf)) != 0;) {
      collected += n;
      for (std::size_t i = 0; i < n; ++i) check(buf[i], killed);
      if (out) out->insert(out->end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
    }
  }

  void check(const QuoteRecord& r, bool killed) const {
    constexpr std::uint8_t kLive = kQuoteBidLive | kQuoteAskLive;
    constexpr std::uint8_t kPull =
        kQuotePullStale | kQuotePullHalt | kQuotePullKill | kQuotePullBook;
    if (r.reserved != 0) fail("quote record reserved field set");
    if (r.level >= levels) fail("quote record level beyond quoter.levels");
    if ((r.flags & kLive) && (r.flags & kPull)) fail("quote record both live and pulled");
    if (r.flags & ~(kLive | kPull)) fail("quote record with unknown flags");
    if ((r.flags & kQuoteBidLive) ? r.bid_sz <= 0 : (r.bid_sz != 0 || r.bid_px != 0)) {
      fail("quote record bid side not canonical");
    }
    if ((r.flags & kQuoteAskLive) ? r.ask_sz <= 0 : (r.ask_sz != 0 || r.ask_px != 0)) {
      fail("quote record ask side not canonical");
    }
    if (killed && (!(r.flags & kQuotePullKill) || (r.flags & kLive))) {
      fail("quote record left while the kill switch was on");
    }
    const Instrument* in = fp.find(r.security_id);
    if (!in || in->slot != r.slot) fail("quote record for an unknown instrument/slot");
  }
};

// Every frame is accounted for exactly once: dropped with a reason, malformed, dropped for more
// events than feed.max_packet_events (malformed_oversize: an otherwise good packet), a validated
// packet, or a copy of an already-applied packet dropped before validation.
void check_counts(const FastPath& fp, const PipelineConfig& cfg, std::size_t n,
                  std::uint64_t collected) {
  const PipelineCounters& c = fp.counters();
  std::uint64_t sum = c.packets + c.early_duplicates + c.malformed_oversize;
  for (std::uint64_t d : c.frame_drops) sum += d;
  for (std::uint64_t m : c.malformed) sum += m;
  if (c.frames != n || sum != c.frames) fail("frame counters do not add up");
  if (collected != c.quotes) fail("quote records queued but never collected");
  if (fp.instruments().size() > std::max<std::uint32_t>(cfg.max_instruments, 1)) {
    fail("instrument table grew past max_instruments");
  }
}

// What a venue sees working per (SecurityID, level) after a stream of records: the live sides'
// prices and sizes (a level with no live side, or none sent yet, is absent).
struct LiveView {
  using Quote = std::array<std::int64_t, 5>;  // live bits, bid px, bid size, ask px, ask size
  std::map<std::pair<std::int32_t, std::uint8_t>, Quote> live;
  void add(const std::vector<QuoteRecord>& rs) {
    for (const QuoteRecord& r : rs) {
      const auto key = std::make_pair(r.security_id, r.level);
      const std::int64_t bits = r.flags & (kQuoteBidLive | kQuoteAskLive);
      if (bits == 0) {
        live.erase(key);
      } else {
        live[key] = Quote{bits, r.bid_px, r.bid_sz, r.ask_px, r.ask_sz};
      }
    }
  }
};

// Byte 1 bit 0: the cut-through model `ct` against its verdict twin `vd` after a frame (or a
// kill-switch change): the same instruments, the same decision for every frame, and the same
// records but for an undone packet's speculated records and corrections, which come first
// (unless a record was lost to a full queue: then the records are not compared).
// The corrections of an undone packet: after them the venue sees what the verdict records
// leave working, level by level (vc, vv: the two streams so far).
void check_twin(const FastPath& ct, const FastPath& vd, std::uint64_t undone_before,
                const std::vector<QuoteRecord>& rc, const std::vector<QuoteRecord>& rv,
                LiveView& vc, LiveView& vv, std::size_t frame) {
  const auto a = ct.instruments(), b = vd.instruments();
  if (a.size() != b.size())
    fail_at("cut-through: instrument table differs from verdict's", frame, 0);
  for (std::size_t k = 0; k < a.size(); ++k) {
    if (const char* what = instrument_differs(a[k], b[k])) {
      std::fprintf(stderr, "fuzz_frame: cut-through vs verdict: %s\n", what);
      fail_at("cut-through: an instrument differs from verdict's after the frame", frame,
              a[k].security_id);
    }
  }
  const PipelineCounters& x = ct.counters();
  const PipelineCounters& y = vd.counters();
  if (x.frames != y.frames || x.packets != y.packets || x.early_duplicates != y.early_duplicates ||
      x.frame_drops != y.frame_drops || x.malformed != y.malformed ||
      x.malformed_oversize != y.malformed_oversize || x.oversize_packets != y.oversize_packets ||
      x.arb.gaps != y.arb.gaps) {
    fail_at("cut-through: a frame's fate differs from verdict's", frame, 0);
  }
  if (x.spec_undone - undone_before > 1) fail_at("cut-through: one frame undone twice", frame, 0);
  if (y.spec_undone != 0) fail_at("verdict: a packet undone", frame, 0);
  if (x.quote_overflow != 0 || y.quote_overflow != 0) return;
  const bool undone = x.spec_undone != undone_before;
  if (undone ? rc.size() < rv.size() : rc.size() != rv.size()) {
    fail_at("cut-through: records differ from verdict's (count)", frame, 0);
  }
  const std::size_t skip = rc.size() - rv.size();
  for (std::size_t i = 0; i < rv.size(); ++i) {
    if (!same_record(rc[skip + i], rv[i])) {
      fail_at("cut-through: records differ from verdict's", frame, rv[i].security_id);
    }
  }
  vc.add(rc);
  vv.add(rv);
  if (vc.live != vv.live) {
    fail_at("cut-through: after the corrections the venue's quotes differ from verdict's", frame,
            0);
  }
}

void run(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return;
  const std::uint8_t mode = data[0];
  const std::uint8_t mode2 = data[1];
  const PipelineConfig cfg = make_config(mode, mode2, true);
  FastPath fp(cfg);
  std::vector<QuoteRecord> rc, rv;
  LiveView vc, vv;
  Drainer drain{fp, cfg.quoter.levels};
  const bool twin = mode2 & 0x01;
  const PipelineConfig vcfg = make_config(mode, mode2, false);
  std::unique_ptr<FastPath> vd;
  std::unique_ptr<Drainer> vdrain;
  if (twin) {
    vd = std::make_unique<FastPath>(vcfg);
    vdrain = std::make_unique<Drainer>(Drainer{*vd, vcfg.quoter.levels});
    drain.out = &rc;
    vdrain->out = &rv;
  }
  const auto records = split(data + 2, size - 2);
  const std::size_t n = records.size();
  const bool kill = mode & 0x40;
  const bool collect_each = twin || (mode & 0x80);
  const bool damage = mode2 & 0x02;
  std::uint64_t ts = capgen::kStartTimeNs;
  bool killed = false;
  // After a frame or a kill-switch change: the twin's check (its records drained at once).
  // (fp's records drained since the last check are in rc already.)
  const auto both = [&](std::size_t frame, std::uint64_t undone_before) {
    if (!twin) return;
    drain(killed);
    (*vdrain)(killed);
    check_twin(fp, *vd, undone_before, rc, rv, vc, vv, frame);
    rc.clear();
    rv.clear();
  };
  for (std::size_t i = 0; i < n; ++i) {
    for (const bool on : {true, false}) {  // on at n/2, off again at 3n/4
      if (!kill || killed == on || i != (on ? n / 2 : 3 * n / 4)) continue;
      drain(killed);
      both(i, fp.counters().spec_undone);
      killed = on;
      fp.set_kill(on);
      if (twin) vd->set_kill(on);
      drain(killed);
      both(i, fp.counters().spec_undone);
    }
    const auto [p, len] = records[i];
    // Each frame gets a heap block of exactly its size: a read past its end is an ASan report,
    // not a silent read of the next record.
    Bytes frame;
    if (mode & 0x01) {
      const std::uint8_t ctl = len > 0 ? p[0] : 0;
      Bytes payload(p + (len > 0 ? 1 : 0), p + len);
      if (ctl & 0x80) append_jumbo(payload);
      frame = wrap(payload.data(), payload.size(), ctl);
      ts += 100 + 700u * ((ctl >> 5) & 3);
    } else {
      frame.assign(p, p + len);
      ts += 1000;
    }
    const auto flen = static_cast<std::uint32_t>(frame.size());
    // Byte 1 bit 1: the record's last byte damages the frame (a bad FCS, or the captured length
    // cut by 1 + byte_before * len / 256 bytes of its wire length).
    bool bad_fcs = false;
    std::uint32_t cap = flen;
    if (damage && len > 0) {
      const std::uint8_t last = p[len - 1];
      bad_fcs = (last & 3) == 2;
      if ((last & 3) == 3) {
        const std::uint32_t b = len > 1 ? p[len - 2] : 0;
        cap = flen - std::min<std::uint32_t>(
                         flen, 1 + static_cast<std::uint32_t>(std::uint64_t{b} * flen / 256));
      }
    }
    std::unique_ptr<std::uint8_t[]> exact(new std::uint8_t[cap]);
    std::copy(frame.begin(), frame.begin() + cap, exact.get());
    const std::uint64_t undone_before = fp.counters().spec_undone;
    fp.process(Frame{exact.get(), cap, flen, ts, bad_fcs});
    if (twin) vd->process(Frame{exact.get(), cap, flen, ts, bad_fcs});
    if (collect_each) drain(killed);
    both(i, undone_before);
  }
  fp.finish();
  if (twin) vd->finish();
  both(n, fp.counters().spec_undone);
  drain(killed);
  check_counts(fp, cfg, n, drain.collected);
  if (twin) {
    (*vdrain)(killed);
    check_counts(*vd, vcfg, n, vdrain->collected);
  }
}

// ----- seed corpus -------------------------------------------------------------------------

namespace t = test;

constexpr std::int32_t kId = capgen::kFirstSecurityId;
constexpr std::int32_t kId2 = 42;  // no definition: quoted with default_tick 5
constexpr std::int64_t kTick = 5'000'000'000;
constexpr std::int64_t kPx = 90'000'000'000'000;

t::BookEntrySpec entry(std::int32_t id, char type, std::int64_t px, std::int32_t sz,
                       std::uint32_t rpt, std::uint8_t level = 1,
                       std::uint8_t action = mdp3::kNew) {
  return {px, sz, id, rpt, 1, level, action, type};
}

// One market session as (line, payload) pairs: definition, books, a late packet, a duplicate,
// a gap, a snapshot recovery, a halt and resume, a channel reset, a book reset.
std::vector<std::pair<std::uint8_t, Bytes>> session() {
  using mdp3::kChange;
  using mdp3::kDelete;
  std::vector<std::pair<std::uint8_t, Bytes>> s;
  auto inc = [&](std::uint32_t seq, std::vector<Bytes> msgs, std::uint8_t line = 0) {
    s.emplace_back(line, t::packet(seq, msgs, 1000 + seq));
  };
  inc(1, {t::definition_message(kId, "BTCZ6", kTick, 10, 2)});
  inc(2, {t::book_message({entry(kId, '0', kPx, 3, 1), entry(kId, '1', kPx + kTick, 4, 2),
                           entry(kId2, '0', 100, 1, 1), entry(kId2, '1', 110, 2, 2)},
                          0x84)});
  inc(3, {t::book_message({entry(kId, '0', kPx - kTick, 5, 3, 2), entry(kId, 'E', kPx, 1, 4, 1),
                           entry(kId, 'F', kPx + 2 * kTick, 1, 5)},
                          0x84)});
  inc(5, {t::book_message({entry(kId, '1', kPx + kTick, 6, 7, 1, kChange)}, 0x84)});     // early
  inc(4, {t::book_message({entry(kId, '0', kPx, 2, 6, 1, kChange)}, 0x84)});             // late
  inc(5, {t::book_message({entry(kId, '1', kPx + kTick, 6, 7, 1, kChange)}, 0x84)}, 1);  // B copy
  inc(6, {t::book_message({entry(kId2, '0', 105, 1, 3)}, 0x84)});
  inc(20, {t::book_message({entry(kId, '0', kPx, 2, 20, 1, kDelete)}, 0x84)});  // gap
  const Bytes snap = t::snapshot_message(
      kId, 21, 20, {{'0', 1, kPx, 2}, {'1', 1, kPx + kTick, 6}, {'E', 1, kPx, 1}});
  s.emplace_back(2, t::packet(1, {snap}));  // recovery line A
  inc(21, {t::book_message({entry(kId, '1', kPx + kTick, 7, 22, 1, kChange),
                            entry(kId2, '1', 110, 3, 4, 1, kChange)},
                           0x84)});
  inc(22, {t::security_status_message(kId, 2, "BTC")});
  inc(23, {t::security_status_message(t::kNull32, 17, "BTC")});
  inc(24, {t::channel_reset_message()});
  inc(25, {t::book_message({entry(kId, '0', kPx, 1, 1), entry(kId, '1', kPx + 3 * kTick, 1, 2),
                            entry(kId, 'J', 0, 0, 3, 0)},
                           0x80),
           t::heartbeat_message()});
  inc(26,
      {t::book_message({entry(kId, '0', kPx, 1, 4), entry(kId, '1', kPx + kTick, 1, 5)}, 0x84)});
  return s;
}

Bytes join(std::uint8_t mode, const std::vector<Bytes>& records, std::uint8_t mode2 = 0) {
  Bytes out{mode, mode2};
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (i) out.insert(out.end(), kSep, kSep + sizeof kSep);
    out.insert(out.end(), records[i].begin(), records[i].end());
  }
  return out;
}

Bytes wrapped_record(std::uint8_t ctl, const Bytes& payload) {
  Bytes r{ctl};
  r.insert(r.end(), payload.begin(), payload.end());
  return r;
}

std::uint8_t line_of(std::uint32_t ip, std::uint16_t port) {
  for (std::uint8_t i = 0; i < kLines.size(); ++i) {
    if (kLines[i].ip == ip && kLines[i].port == port) return i;
  }
  return 7;
}

// Frames of a small capgen capture (nanosecond pcap, read here without libpcap).
std::vector<Bytes> capgen_frames(const std::string& path, int schema_version, std::uint64_t seed) {
  GenOptions o;
  o.seed = seed;
  o.instruments = 2;
  o.events = 60;
  o.schema_version = schema_version;
  o.loss_a = 0.05;
  o.loss_b = 0.05;
  o.loss_both = 0.03;
  o.dup = 0.05;
  o.reorder = 0.05;
  o.garbage = 0.05;
  o.snapshot_every = 10;
  o.vlan = 0.1;
  o.ip_options = 0.1;
  o.halt = 0.05;
  generate_capture(o, path, nullptr, nullptr);
  std::vector<Bytes> frames;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) fail("cannot read back the capgen capture");
  std::uint8_t gh[24];
  if (std::fread(gh, 1, 24, f) != 24 || load_le<std::uint32_t>(gh) != 0xA1B23C4Du) {
    fail("capgen capture is not a nanosecond pcap");
  }
  std::uint8_t rh[16];
  while (std::fread(rh, 1, 16, f) == 16) {
    Bytes b(load_le<std::uint32_t>(rh + 8));
    if (std::fread(b.data(), 1, b.size(), f) != b.size()) break;
    frames.push_back(std::move(b));
  }
  std::fclose(f);
  std::remove(path.c_str());
  return frames;
}

std::vector<std::pair<std::string, Bytes>> seeds(const std::string& dir) {
  std::vector<std::pair<std::string, Bytes>> out;
  // Hand-built session: wrapped under every configuration bit, and as raw frames.
  const auto sess = session();
  std::vector<Bytes> wrapped, raw;
  for (std::size_t i = 0; i < sess.size(); ++i) {
    const auto& [line, payload] = sess[i];
    const auto ctl =
        static_cast<std::uint8_t>(line | ((i % 3 == 1) ? 0x08 : 0) | ((i % 4 == 2) ? 0x10 : 0) |
                                  ((i % 4) << 5) | (i == 3 ? 0x80 : 0));  // 3: early, and jumbo
    wrapped.push_back(wrapped_record(ctl, payload));
    t::FrameSpec spec;
    spec.dst_ip = kLines[line].ip;
    spec.dst_port = kLines[line].port;
    spec.vlan_tags = (i % 3 == 1) ? 1 : 0;
    spec.ip_option_words = (i % 4 == 2) ? 1 : 0;
    raw.push_back(t::udp_frame(payload, spec));
  }
  for (const int cfg_bits : {0x00, 0x02, 0x04, 0x08, 0x0C, 0x10, 0x20, 0x30, 0x40, 0xC0, 0x1E}) {
    char name[32];
    std::snprintf(name, sizeof name, "session-wrapped-%02x", cfg_bits | 1);
    out.emplace_back(name, join(static_cast<std::uint8_t>(cfg_bits | 1), wrapped));
  }
  // Raw frames, plus frames the L2-L4 stage must refuse (ARP, fragment, bad checksum, runt).
  Bytes arp = raw[0];
  arp[12] = 0x08;
  arp[13] = 0x06;
  Bytes frag = raw[1];
  frag[14 + 4 + 6] = 0x20;  // raw[1] has a VLAN tag: MF set
  Bytes badsum = raw[0];
  badsum[14 + 10] ^= 0xFF;
  std::vector<Bytes> raw_bad = raw;
  raw_bad.insert(raw_bad.begin() + 3, {arp, frag, badsum, Bytes(10, 0)});
  // A 1e-7 price beyond INT64_MAX/100: to_price9 overflowed on it (docs/fuzzing.md, bug 1).
  const Bytes huge32 = t::packet(
      1, {t::book_message({entry(1, '0', std::int64_t{1} << 57, 1, 1)}, 0x84, 32, 6, false)});
  out.emplace_back("regress-price9-overflow", join(0x01, {wrapped_record(0, huge32)}));
  out.emplace_back("session-raw-00", join(0x00, raw));
  out.emplace_back("session-raw-82", join(0x82, raw_bad));
  out.emplace_back("session-raw-40", join(0x40, raw));
  // Cut-through beside its verdict twin (byte 1), the session as it is and with damaged frames:
  // a byte after each raw frame's datagram (Ethernet padding, not the payload's) flags every
  // third one bad-FCS and cuts every third one inside its payload.
  std::vector<Bytes> raw_damaged = raw;
  for (std::size_t i = 0; i < raw_damaged.size(); ++i) {
    if (i % 3 == 1) raw_damaged[i].push_back(0x02);
    if (i % 3 == 2) raw_damaged[i].insert(raw_damaged[i].end(), {0x10, 0x03});
  }
  out.emplace_back("ct-session-wrapped-01", join(0x01, wrapped, 0x01));
  out.emplace_back("ct-session-wrapped-5f", join(0x5F, wrapped, 0x05));
  out.emplace_back("ct-session-raw-00", join(0x00, raw, 0x01));
  out.emplace_back("ct-session-raw-damaged-00", join(0x00, raw_damaged, 0x03));
  out.emplace_back("ct-session-raw-damaged-42", join(0x42, raw_damaged, 0x07));
  out.emplace_back("session-raw-damaged-00", join(0x00, raw_damaged, 0x02));

  // capgen captures (schema 9 and schema 8): the start (definitions, initial books) followed by
  // one later window, so each seed starts a market and then jumps ahead (a gap) into the action.
  for (int schema : {9, 8}) {
    const auto frames = capgen_frames(dir + ".capgen.pcap", schema, 7 + schema);
    const std::size_t head = std::min<std::size_t>(frames.size(), 4);
    int k = 0;
    for (std::size_t start = head; start < frames.size(); start += 8, ++k) {
      std::vector<Bytes> w, r;
      std::size_t bytes = 0;
      for (std::size_t i = 0; i < frames.size() && bytes < 3000; ++i) {
        if (i == head) i = start;
        if (i >= frames.size() || i >= start + 8) break;
        r.push_back(frames[i]);
        bytes += frames[i].size();
        Frame fr{frames[i].data(), static_cast<std::uint32_t>(frames[i].size()),
                 static_cast<std::uint32_t>(frames[i].size()), 0, false};
        UdpView u{};
        if (parse_udp(fr, u) == FrameDrop::kCount) {
          w.push_back(
              wrapped_record(line_of(u.dst_ip, u.dst_port), Bytes(u.payload, u.payload + u.len)));
        }
      }
      const auto m = static_cast<std::uint8_t>((k % 2) ? 0x02 : 0x00);
      char name[48];
      std::snprintf(name, sizeof name, "capgen-v%d-%02d-raw", schema, k);
      out.emplace_back(name, join(m, r, static_cast<std::uint8_t>(k % 4 == 1 ? 0x01 : 0)));
      std::snprintf(name, sizeof name, "capgen-v%d-%02d-wrapped", schema, k);
      out.emplace_back(name, join(static_cast<std::uint8_t>(m | 1 | ((k % 4) << 2)), w,
                                  static_cast<std::uint8_t>(k % 4 == 3 ? 0x01 : 0)));
    }
  }
  return out;
}

void write_seeds(const char* dir) {
  const auto all = seeds(dir);
  for (const auto& [name, bytes] : all) {
    const std::string path = std::string(dir) + "/seed-" + name;
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f || std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size()) {
      std::fprintf(stderr, "fuzz_frame: cannot write %s\n", path.c_str());
      std::exit(1);
    }
    std::fclose(f);
  }
  std::printf("fuzz_frame: wrote %zu seeds to %s\n", all.size(), dir);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (const char* dir = std::getenv("TTQ_FUZZ_SEED_DIR")) {
    write_seeds(dir);
    std::exit(0);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  run(data, size);
  return 0;
}
