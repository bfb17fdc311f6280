// Testbench of hw/rtl/ttq_mdp_framer.sv (MDP 3.0 framing and entry decode) against
// ttq::mdp3::decode_packet, the model it must match: every event of a packet that validates,
// field by field and in callback order; the verdict (MsgError) and message count of every packet;
// the PKT_HDR plausible flag; the latencies of docs/rtl_mdp_framer.md.
// Packets: capgen captures (schema 9 and 8, implied, snapshots, halts), random well-formed packets
// of every template built from the layouts in docs/mdp3.md, back-to-back minimum packets, and
// mutations of those aimed at every MsgError (plus random byte flips and truncations).

#include <unistd.h>
#include <verilated.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "Vttq_mdp_framer.h"
#include "ttq/capgen.hpp"
#include "ttq/fast_path.hpp"
#include "ttq/mdp3.hpp"
#include "ttq/net.hpp"
#include "ttq/pcap_source.hpp"
#include "ttq/wire.hpp"

namespace {

namespace m3 = ttq::mdp3;
using Bytes = std::vector<std::uint8_t>;

// Documented latencies (docs/rtl_mdp_framer.md), cycles between handshakes, outputs always ready.
// Beat with a BOOK/SEQ entry's last needed byte -> the event: 1 (the entry is taken as that beat
// comes in; 2 until 2026-11-30's fourth session). Later only when the walker is still busy with
// the items before the entry as that beat comes in: a SEQ up to 2 items (a 37 whose header,
// group header and first entry are in consecutive beats), a BOOK 1 item and only the packet's
// first entry (its packet right behind another).
constexpr std::uint64_t kEntryLatency = 1;
constexpr std::uint64_t kSeqBehind = 2;
constexpr std::uint64_t kBookBehindFirst = 1;
// MSG_END of a message the block reads to its end (every template but the skipped ones): never
// before the beat holding the message's last byte is handed over (any run): in that beat's
// cycle (0) when the bypass offers it straight out (an empty NoOrderIDEntries group ending a
// 46/32, the event FIFO empty), 1 when the bypass writes it into the FIFO, else at least the
// pipeline's 2.
constexpr std::uint64_t kMsgEndLatencyMin = 0;
constexpr std::uint64_t kEndLatency = 5;     // tlast beat -> PKT_END (END_LAT)
// PKT_HDR after the beat holding byte 21 comes in, the walker at the packet's start (line rate:
// always 3 but the first packet's 2). Later: the walker is still on the packets before (runs of
// 1-beat packets, mutated ones), by that many cycles: its entries and a cut message's count
// may follow by as much (the model takes every packet with the walker at its start).
constexpr std::uint64_t kPktHdrLatency = 3;

enum Kind : std::uint8_t { kPktHdr = 0, kBook, kSeq, kReset, kStatus, kMsgEnd, kPktEnd };
const char* const kKindName[] = {"PKT_HDR", "BOOK", "SEQ", "RESET", "STATUS", "MSG_END", "PKT_END"};

struct Ev {
  std::uint8_t kind = 0, err = 0, plausible = 0, spare = 0;
  std::uint16_t msg_index = 0, template_id = 0;
  std::uint8_t entry_index = 0, mei = 0, level = 0, action = 0, entry_type = 0;
  std::uint32_t seq_num = 0, security_id = 0, rpt_seq = 0, size = 0;
  std::uint64_t price = 0;
  // Testbench only: packet byte whose arrival the event may wait for (-1: not asserted).
  std::int64_t last_byte = -1;
  // Testbench only, MSG_END: a 46/32 with entries whose last 8 bytes are an empty
  // NoOrderIDEntries header (its MSG_END timing is asserted exactly in no-stall runs).
  bool ord_end = false;
};

bool same(const Ev& a, const Ev& b) {
  return a.kind == b.kind && a.err == b.err && a.plausible == b.plausible &&
         a.spare == b.spare && a.msg_index == b.msg_index && a.template_id == b.template_id &&
         a.entry_index == b.entry_index && a.mei == b.mei && a.level == b.level &&
         a.action == b.action && a.entry_type == b.entry_type && a.seq_num == b.seq_num &&
         a.security_id == b.security_id && a.rpt_seq == b.rpt_seq && a.size == b.size &&
         a.price == b.price;
}

std::string show(const Ev& e) {
  char s[320];
  std::snprintf(s, sizeof s,
                "%s err %u pl %u idx %u tid %u ent %u mei %02x lvl %u act %u type %02x seq %u "
                "sid %u rpt %u size %u px %016llx",
                e.kind < 7 ? kKindName[e.kind] : "?", e.err, e.plausible, e.msg_index,
                e.template_id, e.entry_index, e.mei, e.level, e.action, e.entry_type, e.seq_num,
                e.security_id, e.rpt_seq, e.size, static_cast<unsigned long long>(e.price));
  return s;
}

// The model's callbacks as events (the hardware form the RTL must produce).
struct Recorder {
  std::vector<Ev> evs;
  void on_message(const m3::MsgCtx&) {}
  void on_message_end(const m3::MsgCtx& c) {
    Ev e;
    e.kind = kMsgEnd;
    e.msg_index = c.index;
    e.template_id = c.template_id;
    e.mei = c.mei;
    evs.push_back(e);
  }
  void on_book_entry(const m3::MsgCtx& c, std::uint32_t i, const m3::BookEntry& b) {
    Ev e;
    e.kind = kBook;
    e.msg_index = c.index;
    e.template_id = c.template_id;
    e.entry_index = static_cast<std::uint8_t>(i);
    e.price = static_cast<std::uint64_t>(b.price);
    e.size = static_cast<std::uint32_t>(b.size);
    e.security_id = static_cast<std::uint32_t>(b.security_id);
    e.rpt_seq = b.rpt_seq;
    e.level = b.level;
    e.action = b.action;
    e.entry_type = static_cast<std::uint8_t>(b.type);
    evs.push_back(e);
  }
  void seq(const m3::MsgCtx& c, std::int32_t sid, std::uint32_t rpt) {
    Ev e;
    e.kind = kSeq;
    e.msg_index = c.index;
    e.template_id = c.template_id;
    e.security_id = static_cast<std::uint32_t>(sid);
    e.rpt_seq = rpt;
    evs.push_back(e);
  }
  void on_trade(const m3::MsgCtx& c, const m3::TradeEntry& t) { seq(c, t.security_id, t.rpt_seq); }
  void on_seq_entry(const m3::MsgCtx& c, const m3::SeqEntry& s) {
    seq(c, s.security_id, s.rpt_seq);
  }
  void on_channel_reset(const m3::MsgCtx& c) {
    Ev e;
    e.kind = kReset;
    e.msg_index = c.index;
    e.template_id = c.template_id;
    evs.push_back(e);
  }
  void on_security_status(const m3::MsgCtx& c, const m3::SecurityStatus& s) {
    Ev e;
    e.kind = kStatus;
    e.msg_index = c.index;
    e.template_id = c.template_id;
    e.security_id = static_cast<std::uint32_t>(s.security_id);
    e.entry_type = s.trading_status;
    // security_group: the model's trimmed copy; the RTL's 6 raw bytes are trimmed the same way
    // (trailing NUL / space) before the comparison.
    std::uint64_t g = 0;
    for (int k = 0; k < 6; ++k)
      g |= static_cast<std::uint64_t>(static_cast<std::uint8_t>(s.security_group[k])) << (8 * k);
    e.price = g;
    evs.push_back(e);
  }
  void on_snapshot(const m3::MsgCtx&, const m3::SnapshotHeader&, const m3::SnapshotEntries&) {}
  void on_definition(const m3::MsgCtx&, const m3::Definition&) {}
};

std::uint64_t trim_group(std::uint64_t raw) {
  int n = 6;
  while (n > 0) {
    const auto c = static_cast<std::uint8_t>(raw >> (8 * (n - 1)));
    if (c != 0 && c != ' ') break;
    --n;
  }
  return n == 0 ? 0 : raw & (~0ULL >> (64 - 8 * n));
}

struct Expect {
  m3::MsgError err = m3::MsgError::kOk;
  std::vector<Ev> evs;    // PKT_HDR, callbacks, PKT_END
  bool plausible = false;  // plausible_packet
  bool hdr_only = false;   // plausible_packet without the length condition
};

// Byte of the packet each model event waits for (valid packets): an entry's last needed byte,
// from the layouts of docs/mdp3.md (SecurityID/RptSeq offsets per template).
void mark_last_bytes(const Bytes& p, Expect& x) {
  using ttq::load_le;
  std::size_t k = 1;  // evs[0] is PKT_HDR
  std::uint32_t off = m3::kPacketHeaderSize;
  while (off < p.size() && k < x.evs.size()) {
    const std::uint16_t size = load_le<std::uint16_t>(p.data() + off);
    const std::uint16_t root = load_le<std::uint16_t>(p.data() + off + 2);
    const std::uint16_t tid = load_le<std::uint16_t>(p.data() + off + 4);
    const std::uint32_t grp = off + 10 + root;
    const std::uint16_t bl = grp + 2 <= p.size() ? load_le<std::uint16_t>(p.data() + grp) : 0;
    std::uint32_t i = 0;
    while (k < x.evs.size() && x.evs[k].kind != kMsgEnd) {
      Ev& e = x.evs[k++];
      const std::uint32_t ent = grp + 3 + i++ * bl;
      if (e.kind == kBook) {
        e.last_byte = ent + 26;
      } else if (e.kind == kSeq) {
        std::uint32_t id = 4;
        if (tid == 42 || tid == 48 || tid == 33 || tid == 49) id = 12;
        if (tid == 34 || tid == 50) id = 24;
        if (tid == 35 || tid == 51) id = 8;
        e.last_byte = ent + id + 7;
      }
    }
    // MSG_END: a skipped template's (12, 47, unknown ones) is written by its header item;
    // every other waits for the message's last byte.
    const bool skipped = !(tid == 46 || tid == 32 || tid == 42 || tid == 48 || tid == 37 ||
                           (tid >= 33 && tid <= 35) || (tid >= 49 && tid <= 51) || tid == 4 ||
                           tid == 30 || tid == 52 || tid == 38 || tid == 54 || tid == 27);
    if (k < x.evs.size() && !skipped) x.evs[k].last_byte = off + size - 1;
    if (k < x.evs.size() && (tid == 46 || tid == 32) && grp + 3 <= p.size()) {
      const std::uint32_t n = p[grp + 2];
      const std::uint32_t gend = grp + 3 + n * bl;  // NoMDEntries' end
      x.evs[k].ord_end = n != 0 && gend + 8 == off + size && gend + 8 <= p.size() && p[gend + 7] == 0;
    }
    ++k;  // MSG_END
    off += size;
  }
  x.evs.back().last_byte = static_cast<std::int64_t>(p.size()) - 1;  // PKT_END: from tlast
}

Expect expect(const Bytes& p) {
  Expect x;
  Recorder r;
  const auto n = static_cast<std::uint32_t>(p.size());
  x.err = m3::decode_packet(p.data(), n, r);
  x.plausible = m3::plausible_packet(p.data(), n);
  x.hdr_only = n >= 22 && ttq::load_le<std::uint16_t>(p.data() + 12) >= 10 &&
               ttq::load_le<std::uint16_t>(p.data() + 18) == 1;
  Ev h;
  h.kind = kPktHdr;
  h.seq_num = n >= 22 ? ttq::load_le<std::uint32_t>(p.data()) : 0;
  x.evs.push_back(h);
  for (const Ev& e : r.evs) x.evs.push_back(e);
  Ev end;
  end.kind = kPktEnd;
  end.err = static_cast<std::uint8_t>(x.err);
  end.plausible = x.plausible;
  end.seq_num = h.seq_num;
  std::uint16_t count = 0;
  for (const Ev& e : r.evs) count = static_cast<std::uint16_t>(count + (e.kind == kMsgEnd));
  end.msg_index = count;
  x.evs.push_back(end);
  if (x.err == m3::MsgError::kOk) mark_last_bytes(p, x);
  return x;
}

// ---------------------------------------------------------------------------------------------
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : g_(seed) {}
  std::uint64_t bits() { return g_(); }
  std::uint32_t range(std::uint32_t lo, std::uint32_t hi) {  // inclusive
    return lo + static_cast<std::uint32_t>(g_() % (std::uint64_t{hi} - lo + 1));
  }
  bool chance(double p) { return static_cast<double>(g_() >> 11) * 0x1.0p-53 < p; }
  std::uint8_t byte() { return static_cast<std::uint8_t>(g_()); }

 private:
  std::mt19937_64 g_;
};

void put16(Bytes& b, std::size_t o, std::uint32_t v) {
  b[o] = static_cast<std::uint8_t>(v);
  b[o + 1] = static_cast<std::uint8_t>(v >> 8);
}
void put32(Bytes& b, std::size_t o, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b[o + i] = static_cast<std::uint8_t>(v >> (8 * i));
}
void put64(Bytes& b, std::size_t o, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) b[o + i] = static_cast<std::uint8_t>(v >> (8 * i));
}

// Where the interesting fields of a built message are (offsets in the packet).
struct MsgInfo {
  std::uint32_t off = 0, size = 0, root = 0;
  std::uint16_t tid = 0;
  std::int64_t grp = -1, grp2 = -1, ord = -1;  // group headers (grp2: 54's feed types)
  std::uint16_t bl = 0, min_bl = 0;
  std::uint8_t cnt = 0;
  bool book = false;
};
struct Pkt {
  Bytes b;
  std::vector<MsgInfo> msgs;
  int src = 0;
};
const char* const kSources[] = {"capture", "built", "minimum", "mutated"};

const std::uint16_t kTemplates[] = {46, 32, 42, 48, 37, 33, 49, 34, 50, 35, 51,
                                    4,  30, 52, 38, 54, 27, 12, 47, 39, 56};

std::uint16_t min_root(std::uint16_t t) {
  switch (t) {
    case 30: return 28;
    case 52: case 38: return 16;
    case 54: case 27: return 107;
    case 46: case 32: case 42: case 48: case 37: case 33: case 49: case 34: case 50: case 35:
    case 51: case 4: return 9;
    default: return 0;
  }
}
std::uint16_t min_entry(std::uint16_t t) {
  switch (t) {
    case 46: case 32: return 27;
    case 42: case 48: return 25;
    case 37: return 12;
    case 33: case 49: return 20;
    case 34: case 50: return 32;
    case 35: case 51: return 16;
    case 52: case 38: return 22;
    default: return 0;
  }
}

// A well-formed message of template t at packet offset `off` (bytes appended to p).
void build_msg(Rng& r, std::uint16_t t, Pkt& p) {
  MsgInfo mi;
  mi.off = static_cast<std::uint32_t>(p.b.size());
  mi.tid = t;
  const std::uint16_t mr = min_root(t);
  std::uint16_t root = static_cast<std::uint16_t>(mr + (r.chance(0.5) ? 0 : r.range(0, 12)));
  if (t == 54 || t == 27) root = static_cast<std::uint16_t>(r.chance(0.5) ? 216 : r.range(107, 230));
  if (t == 52 || t == 38) root = static_cast<std::uint16_t>(r.chance(0.5) ? 59 : r.range(16, 70));
  if (t == 30 && r.chance(0.5)) root = 30;
  if (t == 4 || t == 46 || t == 32 || t == 48 || t == 42 || t == 37) {
    if (r.chance(0.5)) root = 11;
  }
  Bytes m(10 + root);
  for (std::size_t i = 10; i < m.size(); ++i) m[i] = r.byte();
  put16(m, 2, root);
  put16(m, 4, t);
  put16(m, 6, 1);
  put16(m, 8, r.range(6, 13));
  mi.root = root;
  const auto group = [&](std::uint16_t bl, std::uint8_t cnt, bool eight) {
    const std::size_t g = m.size();
    m.resize(g + (eight ? 8 : 3));
    put16(m, g, bl);
    if (eight) {
      for (int i = 2; i < 7; ++i) m[g + i] = r.byte();
      m[g + 7] = cnt;
    } else {
      m[g + 2] = cnt;
    }
    const std::size_t e0 = m.size();
    m.resize(e0 + std::size_t{bl} * cnt);
    for (std::size_t i = e0; i < m.size(); ++i) m[i] = r.byte();
    return g;
  };
  if (t == 46 || t == 32) {
    mi.book = true;
    const std::uint16_t bl = static_cast<std::uint16_t>(r.chance(0.6) ? 32 : r.range(27, 48));
    const auto cnt = static_cast<std::uint8_t>(r.chance(0.1) ? 0 : r.range(1, 6));
    const std::size_t g = group(bl, cnt, false);
    mi.grp = mi.off + g;
    mi.bl = bl;
    mi.cnt = cnt;
    mi.min_bl = 27;
    for (std::uint32_t i = 0; i < cnt; ++i) {
      const std::size_t e = g + 3 + i * bl;
      std::uint8_t act = static_cast<std::uint8_t>(r.range(0, 5));
      const char types[] = {'0', '1', 'E', 'F', 'J'};
      char ty = types[r.chance(0.05) ? 4 : r.range(0, 3)];
      std::uint8_t lvl = static_cast<std::uint8_t>(r.range(1, 10));
      if ((act == 3 || ty == 'J') && r.chance(0.5)) lvl = 0;
      std::int64_t px = static_cast<std::int64_t>(r.bits() >> r.range(1, 40));
      if (r.chance(0.2)) px = -px;
      std::int32_t sz = static_cast<std::int32_t>(r.range(0, 1000000));
      if (act == 2 || act == 3 || act == 4 || ty == 'J') {
        if (r.chance(0.3)) px = m3::kNullPrice;
        if (r.chance(0.3)) sz = r.chance(0.5) ? m3::kNullInt32 : -5;
      }
      put64(m, e, static_cast<std::uint64_t>(px));
      put32(m, e + 8, static_cast<std::uint32_t>(sz));
      put32(m, e + 12, 100001 + r.range(0, 5));
      put32(m, e + 16, r.range(1, 1000000));
      m[e + 24] = lvl;
      m[e + 25] = act;
      m[e + 26] = static_cast<std::uint8_t>(ty);
    }
    if (r.chance(0.8)) {  // NoOrderIDEntries (v7+)
      const auto oc = static_cast<std::uint8_t>(r.chance(0.7) ? 0 : r.range(1, 3));
      mi.ord = mi.off + group(24, oc, true);
    }
  } else if (min_entry(t) != 0) {  // SeqNum templates and snapshots: entries of random bytes
    const std::uint16_t mn = min_entry(t);
    const std::uint16_t bl = static_cast<std::uint16_t>(r.chance(0.5) ? mn : r.range(mn, mn + 16));
    const auto cnt = static_cast<std::uint8_t>(r.chance(0.15) ? 0 : r.range(1, 5));
    mi.grp = mi.off + group(bl, cnt, false);
    mi.bl = bl;
    mi.cnt = cnt;
    mi.min_bl = mn;
  } else if (t == 54 || t == 27) {
    const auto ev = static_cast<std::uint8_t>(r.range(0, 2));
    mi.grp = mi.off + group(static_cast<std::uint16_t>(r.range(0, 9)), ev, false);
    const auto fc = static_cast<std::uint8_t>(r.range(0, 2));
    mi.grp2 = mi.off + group(static_cast<std::uint16_t>(r.range(4, 8)), fc, false);
    mi.min_bl = 4;
    if (r.chance(0.7)) group(4, 0, false);
  }
  // Trailing bytes within MsgSize (groups the decoder skips).
  if (r.chance(0.3)) m.resize(m.size() + r.range(1, 12), 0xA5);
  put16(m, 0, static_cast<std::uint32_t>(m.size()));
  mi.size = static_cast<std::uint32_t>(m.size());
  p.b.insert(p.b.end(), m.begin(), m.end());
  p.msgs.push_back(mi);
}

Pkt build_packet(Rng& r, std::uint32_t seq) {
  Pkt p;
  p.src = 1;
  p.b.resize(12);
  put32(p.b, 0, seq);
  put64(p.b, 4, r.bits());
  const std::uint32_t n = r.chance(0.3) ? 1 : r.range(1, 6);
  for (std::uint32_t i = 0; i < n; ++i) {
    const std::uint16_t t = kTemplates[r.range(0, sizeof kTemplates / 2 - 1)];
    build_msg(r, r.chance(0.4) ? (r.chance(0.5) ? 46 : 32) : t, p);
  }
  return p;
}

// One mutation aimed at `kind` (the model decides what the packet really is).
Pkt mutate(const Pkt& base, Rng& r, int kind) {
  Pkt p = base;
  p.src = 3;
  Bytes& b = p.b;
  const std::size_t nm = p.msgs.size();
  const MsgInfo& mi = p.msgs[r.range(0, static_cast<std::uint32_t>(nm - 1))];
  const MsgInfo& last = p.msgs.back();
  switch (kind) {
    case 0:  // PacketTooShort
      b.resize(r.range(1, 21));
      break;
    case 1:  // MsgHeaderTruncated: a partial header after the last message
      if (nm > 1 && r.chance(0.5)) {
        b.resize(last.off + r.range(1, 9));
      } else {
        for (std::uint32_t i = 0, k = r.range(1, 9); i < k; ++i) b.push_back(r.byte());
      }
      break;
    case 2:  // MsgSizeTooSmall
      put16(b, mi.off, r.range(0, 9));
      break;
    case 3:  // MsgSizeOverrun: cut inside the last message, or a MsgSize beyond the payload
      if (r.chance(0.5) && last.size > 10) {
        // half of these in the message's last 7 bytes (a 46/32's NoOrderIDEntries header: the
        // MSG_END bypass must see that its last byte is not kept)
        const std::uint32_t c = r.range(10, last.size - 1);
        b.resize(last.off + ((c & 1) != 0 && last.size > 17 ? last.size - 1 - c % 7 : c));
      } else {
        put16(b, mi.off, static_cast<std::uint32_t>(b.size() - mi.off) + r.range(1, 300));
      }
      break;
    case 4:  // BadSchemaId
      put16(b, mi.off + 6, r.chance(0.5) ? r.range(2, 0xFFFF) : 0);
      break;
    case 5:  // RootTooShort: past MsgSize, or below the template's minimum
      if (r.chance(0.5) || min_root(mi.tid) == 0) {
        put16(b, mi.off + 2, mi.size - 10 + r.range(1, 40));
      } else {
        put16(b, mi.off + 2, r.range(0, min_root(mi.tid) - 1u));
      }
      break;
    case 6: {  // GroupOverrun: count, blockLength, or the order group
      const MsgInfo* g = nullptr;
      for (const MsgInfo& x : p.msgs) {
        if (x.grp >= 0 && (!g || r.chance(0.5))) g = &x;
      }
      if (!g) break;
      const std::uint32_t roll = r.range(0, 3);
      if (roll == 0 && g->ord >= 0) {
        b[static_cast<std::size_t>(g->ord) + 7] = static_cast<std::uint8_t>(r.range(1, 255));
        put16(b, static_cast<std::size_t>(g->ord), r.range(24, 200));
      } else if (roll == 1) {
        b[static_cast<std::size_t>(g->grp) + 2] = static_cast<std::uint8_t>(g->cnt + r.range(1, 20));
      } else if (roll == 2 && g->grp2 >= 0) {
        b[static_cast<std::size_t>(g->grp2) + 2] = static_cast<std::uint8_t>(r.range(3, 255));
      } else {
        put16(b, static_cast<std::size_t>(g->grp), r.range(g->bl + 1u, 0xFFFF));
        if (b[static_cast<std::size_t>(g->grp) + 2] == 0) b[static_cast<std::size_t>(g->grp) + 2] = 1;
      }
      break;
    }
    case 7: {  // EntryTooShort
      const MsgInfo* g = nullptr;
      for (const MsgInfo& x : p.msgs) {
        if (x.grp >= 0 && x.min_bl > 0 && (!g || r.chance(0.5))) g = &x;
      }
      if (!g) break;
      const std::size_t h = static_cast<std::size_t>(g->tid == 54 || g->tid == 27 ? g->grp2 : g->grp);
      put16(b, h, r.range(0, g->min_bl - 1u));
      if (b[h + 2] == 0) b[h + 2] = static_cast<std::uint8_t>(r.range(1, 3));
      break;
    }
    default: {  // 8..11: book entry values; 12: byte flips; 13: truncation
      if (kind == 12) {
        for (std::uint32_t i = 0, k = r.range(1, 4); i < k; ++i)
          b[r.range(0, static_cast<std::uint32_t>(b.size() - 1))] ^= static_cast<std::uint8_t>(r.range(1, 255));
        break;
      }
      if (kind == 13) {
        b.resize(r.range(1, static_cast<std::uint32_t>(b.size())));
        break;
      }
      const MsgInfo* g = nullptr;
      for (const MsgInfo& x : p.msgs) {
        if (x.book && x.cnt > 0 && (!g || r.chance(0.5))) g = &x;
      }
      if (!g) break;
      const std::size_t e = static_cast<std::size_t>(g->grp) + 3 + r.range(0, g->cnt - 1u) * g->bl;
      if (kind == 8) {
        b[e + 25] = static_cast<std::uint8_t>(r.range(6, 255));
      } else if (kind == 9) {
        std::uint8_t t;
        do t = r.byte(); while (t == '0' || t == '1' || t == 'E' || t == 'F' || t == 'J');
        b[e + 26] = t;
        b[e + 25] = static_cast<std::uint8_t>(r.range(0, 5));
      } else if (kind == 10) {
        b[e + 24] = 0;
        b[e + 25] = static_cast<std::uint8_t>(r.chance(0.5) ? 0 : r.range(0, 5));
        if (b[e + 25] == 3) b[e + 25] = 2;
        if (b[e + 26] == 'J') b[e + 26] = '1';
      } else {
        const std::uint8_t acts[] = {0, 1, 5};
        b[e + 25] = acts[r.range(0, 2)];
        if (b[e + 26] == 'J') b[e + 26] = '0';
        if (b[e + 24] == 0) b[e + 24] = 1;
        const std::uint32_t roll = r.range(0, 2);
        if (roll == 0) put64(b, e, static_cast<std::uint64_t>(m3::kNullPrice));
        if (roll == 1) put32(b, e + 8, static_cast<std::uint32_t>(m3::kNullInt32));
        if (roll == 2) put32(b, e + 8, 0x80000000u | r.range(0, 0x7FFFFFFF));
      }
      break;
    }
  }
  if (b.empty()) b.push_back(r.byte());
  return p;
}

void add_captures(std::vector<Pkt>& out) {
  struct Cfg {
    std::uint64_t seed;
    int schema;
    bool implied;
    int snap;
    double halt;
  };
  const Cfg cfgs[] = {{1, 9, true, 40, 0.02}, {2, 8, true, 40, 0.02}, {3, 9, false, 0, 0.05},
                      {4, 8, false, 25, 0.0}, {5, 9, true, 15, 0.01}, {6, 6, true, 30, 0.02}};
  for (const Cfg& c : cfgs) {
    ttq::GenOptions o;
    o.seed = c.seed;
    o.instruments = 6;
    o.events = 1500;
    o.schema_version = c.schema;
    o.implied = c.implied;
    o.snapshot_every = c.snap;
    o.halt = c.halt;
    if (const char* err = ttq::validate(o)) {
      std::fprintf(stderr, "capgen options: %s\n", err);
      std::exit(2);
    }
    const auto path = std::filesystem::temp_directory_path() /
                      ("tb_mdp_framer_" + std::to_string(::getpid()) + "_" +
                       std::to_string(c.seed) + ".pcap");
    ttq::generate_capture(o, path.string(), nullptr, nullptr);
    std::string err;
    auto src = ttq::PcapSource::open(path.string(), err);
    if (!src) {
      std::fprintf(stderr, "%s\n", err.c_str());
      std::exit(2);
    }
    ttq::Frame f{};
    while (src->next(f)) {
      ttq::UdpView u{};
      if (ttq::parse_udp(f, u) != ttq::FrameDrop::kCount || u.len == 0) continue;
      Pkt p;
      p.b.assign(u.payload, u.payload + u.len);
      p.src = 0;
      out.push_back(std::move(p));
    }
    std::filesystem::remove(path);
  }
}

// ---------------------------------------------------------------------------------------------
struct Mode {
  const char* name;
  double p_gap, p_idle;  // idle before a packet's first beat / before a later beat
  int ready_pct;         // % of cycles m_axis_ev_tready is high (100: never)
  bool realistic_only;   // captures, built and minimum packets only
};

struct RunStats {
  std::uint64_t cycles = 0, beats = 0, mismatches = 0, tready_low = 0, events = 0;
  // Events per packet (PKT_HDR up to PKT_END, what ttq_core's packet store counts against
  // EV_PER_PKT) vs FastPath::packet_events: packets compared, and the differences where the
  // framer's count depends on timing (docs/pipeline.md "Packet event limit"), by verdict.
  std::uint64_t counted = 0;
  std::map<std::string, std::uint64_t> count_timing;
  std::map<std::uint64_t, std::uint64_t> book_lat, seq_lat, end_lat, end_lat_mut, hdr_lat;
  std::map<std::uint64_t, std::uint64_t> mend_lat;
  std::map<std::uint64_t, std::uint64_t> oend_lat;  // MSG_END after an empty NoOrderIDEntries
};

std::uint64_t bits_of(const VlWide<9>& w, int lo, int width) {
  std::uint64_t v = 0;
  for (int i = 0; i < width; ++i) {
    const int bit = lo + i;
    v |= static_cast<std::uint64_t>((w[bit / 32] >> (bit % 32)) & 1u) << i;
  }
  return v;
}

Ev decode_ev(const VlWide<9>& w) {
  Ev e;
  e.price = bits_of(w, 0, 64);
  e.size = static_cast<std::uint32_t>(bits_of(w, 64, 32));
  e.rpt_seq = static_cast<std::uint32_t>(bits_of(w, 96, 32));
  e.security_id = static_cast<std::uint32_t>(bits_of(w, 128, 32));
  e.seq_num = static_cast<std::uint32_t>(bits_of(w, 160, 32));
  e.entry_type = static_cast<std::uint8_t>(bits_of(w, 192, 8));
  e.action = static_cast<std::uint8_t>(bits_of(w, 200, 8));
  e.level = static_cast<std::uint8_t>(bits_of(w, 208, 8));
  e.mei = static_cast<std::uint8_t>(bits_of(w, 216, 8));
  e.entry_index = static_cast<std::uint8_t>(bits_of(w, 224, 8));
  e.template_id = static_cast<std::uint16_t>(bits_of(w, 232, 16));
  e.msg_index = static_cast<std::uint16_t>(bits_of(w, 248, 16));
  e.spare = static_cast<std::uint8_t>(bits_of(w, 264, 7));
  e.plausible = static_cast<std::uint8_t>(bits_of(w, 271, 1));
  e.err = static_cast<std::uint8_t>(bits_of(w, 272, 4));
  e.kind = static_cast<std::uint8_t>(bits_of(w, 276, 4));
  return e;
}

int g_reported = 0;
template <typename... A>
void report(RunStats& st, const char* fmt, A... a) {
  ++st.mismatches;
  if (g_reported++ < 40) {
    std::printf("MISMATCH ");
    std::printf(fmt, a...);
    std::printf("\n");
  }
}

std::string hex(const Bytes& b) {
  std::string s;
  char t[4];
  for (std::size_t i = 0; i < b.size() && i < 160; ++i) {
    std::snprintf(t, sizeof t, "%02x", b[i]);
    s += t;
  }
  return s;
}

struct OutEv {
  Ev e;
  std::uint64_t cycle;
};

// Where the framer's event count of a malformed packet can differ from packet_events' (its
// line-rate count; docs/pipeline.md "Packet event limit"), and in which direction:
// - kCutHeader: a header cut by the payload's end with templateId not all in the payload
//   (rem < 6): the framer classifies bytes past the payload (tdata lanes past tkeep, the next
//   beat), packet_events takes a skipped template's (1 event): the card writes that 1, or 0 --
//   never more (data, not timing: in every mode, line rate included).
// - kCutMessage: a book / SeqNum / status message cut by the payload's end (the items run before
//   the length was known): fewer when the walker is behind (events not taken: stalls), more
//   when it is ahead of the line-rate timing (input idles let it past the group header).
// - kFeedTypes: a 54/27 whose NoMDFeedTypes group fails (its MSG_END written when the message's
//   last byte is in by then): more when the walker is behind (stalls), fewer when the input is
//   slower (idles). A NoEvents failure writes nothing: exact.
enum class Dep { kNone, kCutHeader, kCutMessage, kFeedTypes };
const char* const kDepName[] = {"", "cut header", "cut message", "54/27 NoMDFeedTypes"};

Dep count_dep(const Bytes& p, const Expect& x) {
  using m3::MsgError;
  if (x.err == MsgError::kOk || x.err == MsgError::kPacketTooShort) return Dep::kNone;
  std::uint32_t off = m3::kPacketHeaderSize;
  for (const Ev& e : x.evs) {
    if (e.kind == kMsgEnd) off += ttq::load_le<std::uint16_t>(p.data() + off);
  }
  const std::uint32_t rem = static_cast<std::uint32_t>(p.size()) - off;
  if (x.err == MsgError::kMsgHeaderTruncated) return rem < 6 ? Dep::kCutHeader : Dep::kNone;
  const std::uint8_t* m = p.data() + off;
  const std::uint16_t tid = ttq::load_le<std::uint16_t>(m + 4);
  const bool walked = tid == 46 || tid == 32 || tid == 42 || tid == 48 || tid == 37 ||
                      (tid >= 33 && tid <= 35) || (tid >= 49 && tid <= 51) || tid == 30;
  if (x.err == MsgError::kMsgSizeOverrun && walked) return Dep::kCutMessage;
  if ((tid == 54 || tid == 27) &&
      (x.err == MsgError::kEntryTooShort || x.err == MsgError::kGroupOverrun)) {
    // NoEvents (min 0) at 10 + root: when it fits the message, the failure is NoMDFeedTypes'.
    const std::uint32_t size = ttq::load_le<std::uint16_t>(m);
    const std::uint32_t at = 10u + ttq::load_le<std::uint16_t>(m + 2);
    if (at + 3 <= size &&
        at + 3 + std::uint32_t{ttq::load_le<std::uint16_t>(m + at)} * m[at + 2] <= size)
      return Dep::kFeedTypes;
  }
  return Dep::kNone;
}

// A difference (card - packet_events) is allowed for a class only in the direction the mode's
// timing can cause: `stalls` (event back-pressure: the walker behind), `idles` (input gaps: the
// walker ahead of the input). At line rate (neither) only kCutHeader's, 1 fewer.
// `late_start`: the walker still behind the packets before at this one's start (kPktHdrLatency).
bool count_allowed(Dep d, std::int64_t diff, bool stalls, bool idles, bool late_start) {
  switch (d) {
    case Dep::kCutHeader:
      return diff == -1;
    case Dep::kCutMessage:
      return (diff < 0 && (stalls || late_start)) || (diff > 0 && idles);
    case Dep::kFeedTypes:
      return (diff > 0 && stalls) || (diff < 0 && idles);
    default:
      return false;
  }
}

RunStats run(const std::vector<Pkt>& all, const std::vector<Expect>& all_exp, const Mode& m,
             std::uint64_t seed) {
  RunStats st;
  std::vector<const Pkt*> pk;
  std::vector<const Expect*> ex;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (m.realistic_only && all[i].src == 3) continue;
    pk.push_back(&all[i]);
    ex.push_back(&all_exp[i]);
  }
  auto ctx = std::make_unique<VerilatedContext>();
  ctx->randReset(2);
  auto top = std::make_unique<Vttq_mdp_framer>(ctx.get());
  Rng r(seed);
  const bool no_stall = m.ready_pct >= 100;
  const auto tick = [&] {
    top->clk = 1;
    top->eval();
    top->clk = 0;
    top->eval();
  };
  top->clk = 0;
  top->rst = 1;
  top->s_axis_udp_tvalid = 0;
  top->m_axis_ev_tready = 1;
  for (int i = 0; i < 4; ++i) tick();
  top->rst = 0;
  top->eval();

  std::vector<std::vector<std::uint64_t>> in_cycles(pk.size());
  std::vector<std::vector<OutEv>> got(pk.size());
  std::size_t pi = 0, bi = 0, oi = 0;  // input packet/beat, output packet
  bool presenting = false;
  int ready_phase = m.ready_pct;
  std::uint64_t cycle = 0, progress = 0;
  while (oi < pk.size()) {
    if (cycle - progress > 100000) {
      report(st, "%s: no progress at cycle %llu (packet %zu)", m.name,
             static_cast<unsigned long long>(cycle), oi);
      break;
    }
    if (!presenting && pi < pk.size()) presenting = !r.chance(bi == 0 ? m.p_gap : m.p_idle);
    if (presenting) {
      const Bytes& b = pk[pi]->b;
      // Lanes past tkeep: random, or 0 in every other packet (the MSG_END bypass reads a lane's
      // "byte == 0" from the incoming beat and must check its tkeep).
      std::uint64_t d = r.bits();
      if ((pi & 1) != 0) d = 0;
      std::uint8_t keep = 0;
      for (std::size_t l = 0; l < 8; ++l) {
        const std::size_t k = 8 * bi + l;
        if (k < b.size()) {
          d &= ~(0xFFull << (8 * l));
          d |= static_cast<std::uint64_t>(b[k]) << (8 * l);
          keep |= static_cast<std::uint8_t>(1u << l);
        }
      }
      top->s_axis_udp_tdata = d;
      top->s_axis_udp_tkeep = keep;
      top->s_axis_udp_tlast = 8 * (bi + 1) >= b.size();
      top->s_axis_udp_tvalid = 1;
    } else {
      top->s_axis_udp_tdata = r.bits();
      top->s_axis_udp_tkeep = static_cast<std::uint8_t>(r.bits());
      top->s_axis_udp_tlast = r.bits() & 1;
      top->s_axis_udp_tvalid = 0;
    }
    if (!no_stall && r.chance(0.01)) {
      const std::uint32_t w = r.range(0, 9);
      ready_phase = w < 5 ? m.ready_pct : w < 7 ? 5 : w < 8 ? 100 : static_cast<int>(r.range(30, 100));
    }
    top->m_axis_ev_tready = static_cast<int>(r.range(0, 99)) < ready_phase;
    top->eval();
    if (no_stall && !top->s_axis_udp_tready) ++st.tready_low;
    if (top->s_axis_udp_tvalid && top->s_axis_udp_tready) {
      in_cycles[pi].push_back(cycle);
      ++st.beats;
      presenting = false;
      if (8 * (bi + 1) >= pk[pi]->b.size()) {
        ++pi;
        bi = 0;
      } else {
        ++bi;
      }
      progress = cycle;
    }
    if (top->m_axis_ev_tvalid && top->m_axis_ev_tready) {
      const Ev e = decode_ev(top->m_axis_ev_tdata);
      ++st.events;
      if (oi < pk.size()) {
        got[oi].push_back(OutEv{e, cycle});
        if ((top->m_axis_ev_tlast != 0) != (e.kind == kPktEnd))
          report(st, "%s: tlast %d on a %s event", m.name, top->m_axis_ev_tlast, kKindName[e.kind % 7]);
        if (e.kind == kPktEnd) ++oi;
      }
      progress = cycle;
    }
    tick();
    ++cycle;
  }
  for (int i = 0; i < 30; ++i) {
    top->s_axis_udp_tvalid = 0;
    top->m_axis_ev_tready = 1;
    top->eval();
    if (top->m_axis_ev_tvalid) {
      report(st, "%s: event after the last packet's PKT_END", m.name);
      break;
    }
    tick();
  }
  st.cycles = cycle;

  // Scoreboard, packet by packet.
  for (std::size_t i = 0; i < pk.size(); ++i) {
    const Expect& x = *ex[i];
    const Pkt& p = *pk[i];
    const auto& g = got[i];
    const auto fail = [&](const char* what, std::size_t k) {
      report(st, "%s: packet %zu (%s, %zu bytes, model %s): %s at event %zu: rtl %s / model %s  %s",
             m.name, i, kSources[p.src], p.b.size(), m3::to_string(x.err), what, k,
             k < g.size() ? show(g[k].e).c_str() : "-",
             k < x.evs.size() ? show(x.evs[k]).c_str() : "-", hex(p.b).c_str());
    };
    if (g.empty() || g.back().e.kind != kPktEnd) {
      fail("no PKT_END", g.size());
      continue;
    }
    // PKT_HDR first, exactly one PKT_HDR and one PKT_END.
    if (g.front().e.kind != kPktHdr) fail("first event not PKT_HDR", 0);
    for (std::size_t k = 1; k + 1 < g.size(); ++k) {
      if (g[k].e.kind == kPktHdr || g[k].e.kind == kPktEnd || g[k].e.kind > kPktEnd)
        fail("framing event inside a packet", k);
    }
    const Ev& h = g.front().e;
    // plausible at PKT_HDR: exact when the two definitions agree; otherwise the first message
    // is cut by the end of the payload (MsgSizeOverrun) and either value is allowed.
    if (x.plausible == x.hdr_only ? h.plausible != x.plausible
                                  : (x.err != m3::MsgError::kMsgSizeOverrun)) {
      fail("PKT_HDR plausible", 0);
    }
    if (p.b.size() <= 24 && h.plausible != x.plausible) fail("PKT_HDR plausible (short)", 0);
    if (p.b.size() >= 22 && h.seq_num != x.evs.front().seq_num) fail("PKT_HDR seq", 0);
    const Ev& e = g.back().e;
    const Ev& xe = x.evs.back();
    if (e.err != xe.err || e.msg_index != xe.msg_index || e.plausible != xe.plausible ||
        (p.b.size() >= 22 && e.seq_num != xe.seq_num) || e.spare != 0) {
      fail("PKT_END", g.size() - 1);
    }
    // Every packet, malformed ones included: the MSG_END of a message whose entries went out
    // (BOOK / SEQ events of its index) is written only if decode_packet completes that message
    // (its index below PKT_END's count): in cut-through mode ttq_core releases a message's
    // events to ttq_apply at its MSG_END. (A MSG_END without entries may be un-counted later by
    // design: a skipped template's, written by its header item, also one read from a truncated
    // header's stale bytes, and a 54/27's, written by NoMDFeedTypes' item; docs/rtl_mdp_framer.md.)
    for (std::size_t k = 1; k + 1 < g.size(); ++k) {
      const Ev& me = g[k].e;
      if (me.kind != kMsgEnd || me.msg_index < e.msg_index) continue;
      bool entries = false;
      for (std::size_t j = 1; j < k; ++j) {
        entries = entries || ((g[j].e.kind == kBook || g[j].e.kind == kSeq) &&
                              g[j].e.msg_index == me.msg_index);
      }
      if (entries) {
        fail("MSG_END of a message decode_packet does not complete", k);
        break;
      }
    }
    // The walker behind at the packet's start, by `late` cycles (kPktHdrLatency).
    const std::uint64_t hdr_at = p.b.size() >= 22 ? g.front().cycle - in_cycles[i][21 / 8] : 0;
    const std::uint64_t late = hdr_at > kPktHdrLatency ? hdr_at - kPktHdrLatency : 0;
    // The packet store's count (every event before PKT_END) is FastPath::packet_events' (its
    // line-rate count), but where count_allowed says the mode's timing or data past the payload
    // changes it, in that direction; those are tallied.
    {
      ++st.counted;
      const std::uint32_t want = ttq::FastPath::packet_events(
          p.b.data(), static_cast<std::uint32_t>(p.b.size()), 0);
      if (g.size() - 1 != want) {
        const Dep dep = count_dep(p.b, x);
        const std::int64_t diff =
            static_cast<std::int64_t>(g.size() - 1) - static_cast<std::int64_t>(want);
        const std::string why = std::string(kDepName[static_cast<int>(dep)]) +
                                (diff > 0 ? " (card more" : " (card fewer") +
                                (late > 0 ? ", walker late at the start)" : ")");
        if (!count_allowed(dep, diff, !no_stall, m.p_gap > 0 || m.p_idle > 0, late > 0)) {
          char what[160];
          std::snprintf(what, sizeof what, "events before PKT_END %zu, packet_events %u (%s)",
                        g.size() - 1, want, dep == Dep::kNone ? "exact" : why.c_str());
          fail(what, g.size() - 1);
        } else {
          ++st.count_timing[why];
        }
      }
    }
    if (x.err == m3::MsgError::kOk) {
      if (g.size() != x.evs.size()) {
        fail("event count", std::min(g.size(), x.evs.size()) - 1);
        continue;
      }
      for (std::size_t k = 1; k + 1 < g.size(); ++k) {
        Ev a = g[k].e;
        if (a.kind == kStatus) a.price = trim_group(a.price);
        if (!same(a, x.evs[k])) {
          fail("fields", k);
          break;
        }
      }
    }
    // Latencies (outputs always ready).
    const std::uint64_t tl = in_cycles[i].back();
    const std::uint64_t el = g.back().cycle - tl;
    // Mutated packets include runs of 1-beat packets (2 events each, 1 event/cycle): their
    // PKT_END, and that of a packet right behind them, may leave later than END_LAT, never
    // earlier. With realistic packets only it is exact.
    ++(p.src == 3 ? st.end_lat_mut : st.end_lat)[el];
    if (no_stall && (m.realistic_only ? el != kEndLatency : el < kEndLatency))
      fail("PKT_END latency", g.size() - 1);
    if (p.b.size() >= 22) ++st.hdr_lat[hdr_at];
    if (x.err == m3::MsgError::kOk) {
      for (std::size_t k = 1; k + 1 < g.size(); ++k) {
        const std::int64_t lb = x.evs[k].last_byte;
        if (lb < 0) continue;
        const std::uint64_t lat = g[k].cycle - in_cycles[i][static_cast<std::size_t>(lb / 8)];
        if (x.evs[k].kind == kMsgEnd) {
          ++st.mend_lat[lat];
          if (g[k].cycle < in_cycles[i][static_cast<std::size_t>(lb / 8)] + kMsgEndLatencyMin)
            fail("MSG_END before its message's last byte", k);
          // A 46/32 ending with an empty NoOrderIDEntries header: its MSG_END follows the last
          // BOOK by one cycle, or leaves in the cycle the beat holding the message's last byte
          // comes in (the bypass, straight out), whichever is later (docs/rtl_mdp_framer.md,
          // Latency).
          if (x.evs[k].ord_end && k >= 1 && x.evs[k - 1].kind == kBook) {
            ++st.oend_lat[lat];
            const std::uint64_t want =
                std::max(g[k - 1].cycle + 1, in_cycles[i][static_cast<std::size_t>(lb / 8)]);
            if (no_stall && g[k].cycle != want) fail("MSG_END after an empty NoOrderIDEntries", k);
          }
          continue;
        }
        const bool book = x.evs[k].kind == kBook;
        ++(book ? st.book_lat : st.seq_lat)[lat];
        const std::uint64_t want = kEntryLatency;
        const std::uint64_t behind =
            (book ? (k == 1 ? kBookBehindFirst : 0) : kSeqBehind) + late;
        if (no_stall && (lat < want || lat > want + behind)) {
          char what[64];
          std::snprintf(what, sizeof what, "entry latency %llu", static_cast<unsigned long long>(lat));
          fail(what, k);
        }
      }
    }
  }
  return st;
}

}  // namespace

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  Rng r(0x3d3d);
  std::vector<Pkt> pkts;
  add_captures(pkts);
  const std::size_t n_cap = pkts.size();
  std::vector<Pkt> built;
  for (int i = 0; i < 10000; ++i) built.push_back(build_packet(r, static_cast<std::uint32_t>(i)));
  for (const Pkt& p : built) pkts.push_back(p);
  // Runs of back-to-back minimum packets (22 bytes: header + a 10-byte heartbeat).
  for (int i = 0; i < 600; ++i) {
    Pkt p;
    p.src = 2;
    p.b = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 0, 12, 0, 1, 0, 9, 0};
    put32(p.b, 0, static_cast<std::uint32_t>(i));
    pkts.push_back(p);
  }
  std::vector<Pkt> muts;
  for (int rep = 0; rep < 1200; ++rep) {
    for (int kind = 0; kind < 14; ++kind) {
      Pkt q = mutate(built[r.range(0, static_cast<std::uint32_t>(built.size() - 1))], r, kind);
      if (r.chance(0.15)) q = mutate(q, r, 12);  // and a flip on top now and then
      muts.push_back(std::move(q));
    }
  }
  // Mix: captures keep their order, the rest is shuffled in between in small runs.
  std::vector<Pkt> rest(pkts.begin() + static_cast<std::ptrdiff_t>(n_cap), pkts.end());
  for (Pkt& q : muts) rest.push_back(std::move(q));
  for (std::size_t i = rest.size(); i > 1; --i)
    std::swap(rest[i - 1], rest[r.range(0, static_cast<std::uint32_t>(i - 1))]);
  // Keep the minimum packets together in runs so they arrive back to back.
  std::stable_partition(rest.begin(), rest.end(), [](const Pkt& p) { return p.src != 2; });
  std::vector<Pkt> all;
  std::size_t ri = 0;
  for (std::size_t i = 0; i < n_cap; ++i) {
    all.push_back(pkts[i]);
    if (i % 4 == 3 && ri < rest.size()) all.push_back(rest[ri++]);
  }
  while (ri < rest.size()) all.push_back(rest[ri++]);
  // Cut SeqNum messages (review 2026-11-30): a skipped template of 10-17 bytes (alignment), then
  // a Volume (37, entries of 12 bytes), SessionStats (35 / 51, 16) or TradeSummary (42, 32)
  // message of 3 entries, root 9 or 11, cut at every length from its header on: at line rate
  // the walker is still on the group header when a short entry's beat comes in.
  for (const int tpl : {37, 35, 51, 42}) {
    for (const int root : {9, 11}) {
      for (int pre = 10; pre <= 17; ++pre) {
        Bytes b(12, 0);
        put32(b, 0, static_cast<std::uint32_t>(900000 + pre));
        Bytes h(static_cast<std::size_t>(pre), 0);
        h[0] = static_cast<std::uint8_t>(pre);
        h[4] = 12;
        h[6] = 1;
        b.insert(b.end(), h.begin(), h.end());
        const int blk = tpl == 37 ? 12 : tpl == 42 ? 32 : 16;
        const int size = 10 + root + 3 + blk * 3;
        Bytes g(static_cast<std::size_t>(size), 0);
        g[0] = static_cast<std::uint8_t>(size);
        g[2] = static_cast<std::uint8_t>(root);
        g[4] = static_cast<std::uint8_t>(tpl);
        g[6] = 1;
        g[static_cast<std::size_t>(10 + root)] = static_cast<std::uint8_t>(blk);
        g[static_cast<std::size_t>(10 + root + 2)] = 3;
        b.insert(b.end(), g.begin(), g.end());
        for (std::size_t len = 12 + static_cast<std::size_t>(pre) + 10; len < b.size(); ++len) {
          Pkt q;
          q.src = 3;
          q.b.assign(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(len));
          all.push_back(std::move(q));
        }
      }
    }
  }

  std::vector<Expect> exp;
  exp.reserve(all.size());
  for (const Pkt& p : all) exp.push_back(expect(p.b));

  std::array<std::uint64_t, 13> by_reason{};
  std::map<int, std::uint64_t> by_src;
  std::map<int, std::uint64_t> tmpl_ok;
  std::uint64_t mism = 0;
  for (std::size_t i = 0; i < all.size(); ++i) {
    ++by_reason[static_cast<std::size_t>(exp[i].err)];
    ++by_src[all[i].src];
    if (exp[i].err == m3::MsgError::kOk) {
      for (const Ev& e : exp[i].evs)
        if (e.kind == kMsgEnd) ++tmpl_ok[e.template_id];
    }
  }
  std::printf("tb_mdp_framer: %zu packets (", all.size());
  for (auto& [s, c] : by_src) std::printf("%s %llu ", kSources[s], static_cast<unsigned long long>(c));
  std::printf(")\n  model verdicts:");
  for (std::size_t i = 0; i < by_reason.size(); ++i) {
    std::printf(" %s %llu", m3::to_string(static_cast<m3::MsgError>(i)),
                static_cast<unsigned long long>(by_reason[i]));
    if (by_reason[i] < 20) {
      std::printf(" (TOO FEW)");
      ++mism;
    }
  }
  std::printf("\n  templates in valid packets:");
  for (std::uint16_t t : kTemplates) {
    std::printf(" %u:%llu", t, static_cast<unsigned long long>(tmpl_ok[t]));
    if (tmpl_ok[t] == 0) {
      std::printf("(NONE)");
      ++mism;
    }
  }
  std::printf("\n");

  const Mode modes[] = {
      {"stalls", 0.3, 0.2, 70, false},     // random idles, random event back-pressure
      {"stalls-2", 0.02, 0.02, 40, false},  // back-to-back input, heavy back-pressure
      {"no-stall", 0.3, 0.2, 100, false},  // random idles, events always taken: latencies
      {"no-stall-real", 0.3, 0.2, 100, true},  // the same, realistic packets: PKT_END exact
      {"line-rate", 0.0, 0.0, 100, true},  // realistic packets back to back: tready never low
      // every packet back to back, events always taken: the event counts are packet_events'
      // but for a cut header's templateId past the payload (count_allowed)
      {"line-rate-all", 0.0, 0.0, 100, false},
  };
  std::uint64_t seed = 21;
  for (const Mode& m : modes) {
    const RunStats st = run(all, exp, m, seed++);
    mism += st.mismatches;
    using ull = unsigned long long;
    std::printf("  %-13s %llu cycles, %llu beats, %llu events, %llu mismatches", m.name,
                ull{st.cycles}, ull{st.beats}, ull{st.events}, ull{st.mismatches});
    if (m.ready_pct >= 100) {
      std::printf(", tready low %llu cycles", ull{st.tready_low});
      if (m.realistic_only && st.tready_low != 0) {
        std::printf(" (FAIL: realistic traffic stalled)");
        ++mism;
      }
      if (st.oend_lat.empty()) {
        std::printf(" (FAIL: no MSG_END after an empty NoOrderIDEntries was timed)");
        ++mism;
      }
    }
    const auto hist = [&](const char* what, const std::map<std::uint64_t, std::uint64_t>& h) {
      if (h.empty()) return;
      std::printf("; %s", what);
      if (h.size() <= 5) {
        for (auto& [l, c] : h) std::printf(" %llu:%llu", ull{l}, ull{c});
      } else {
        std::printf(" %llu..%llu", ull{h.begin()->first}, ull{h.rbegin()->first});
      }
    };
    hist("BOOK lat", st.book_lat);
    hist("SEQ lat", st.seq_lat);
    hist("MSG_END lat", st.mend_lat);
    hist("(empty NoOrderIDEntries)", st.oend_lat);
    hist("PKT_END lat", st.end_lat);
    hist("(mutated)", st.end_lat_mut);
    hist("PKT_HDR lat", st.hdr_lat);
    std::printf("; event counts of %llu packets = packet_events'", ull{st.counted});
    for (auto& [why, c] : st.count_timing) std::printf(" (timing: %s %llu)", why.c_str(), ull{c});
    std::printf("\n");
  }
  std::printf("tb_mdp_framer: %s (%llu mismatches)\n", mism ? "FAIL" : "PASS",
              static_cast<unsigned long long>(mism));
  return mism ? 1 : 0;
}
