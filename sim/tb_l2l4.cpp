// Testbench of hw/rtl/ttq_l2l4.sv (the card's L2-L4 header check) against ttq::parse_udp, the
// model it must match bit for bit: every frame's drop reason, the payload bytes and side-band of
// good frames, the payload-stream contract for the others, and the latencies of docs/rtl_l2l4.md.
// Every frame's header record (cut-through) against ttq::header_verdict: one per frame, in order,
// before the verdict, ok / MsgSeqNum / destination, and its documented cycle.
// Frames: capgen captures (garbage, VLAN, IP options, loss, duplicates), hand-mutated frames for
// every drop reason, every prefix of real frames, random garbage.

#include <unistd.h>
#include <verilated.h>

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

#include "Vttq_l2l4.h"
#include "ttq/capgen.hpp"
#include "ttq/net.hpp"
#include "ttq/pcap_source.hpp"
#include "ttq/wire.hpp"

namespace {

using Bytes = std::vector<std::uint8_t>;

// Documented latencies (docs/rtl_l2l4.md), in cycles from input handshake to output handshake
// with every tready high.
constexpr std::uint64_t kPayloadLatency = 1;      // last payload byte in lanes < P mod 8
constexpr std::uint64_t kPayloadLatencyTail = 2;  // last payload byte in lanes >= P mod 8
constexpr std::uint64_t kVerdictLatency = 3;      // after the tlast beat
constexpr std::uint64_t kHdrLatency = 2;          // header record, after its trigger beat
constexpr std::uint8_t kNone = 10;                // ttq_pkg::DROP_NONE

struct TbFrame {
  Bytes b;
  bool fcs = false;
  int src = 0;  // index into kSources
};
const char* const kSources[] = {"capture", "built", "mutated", "prefix", "garbage"};

struct Expect {
  std::uint8_t reason = 0;
  Bytes payload;  // good frames: the datagram's payload
  std::uint32_t src_ip = 0, dst_ip = 0;
  std::uint16_t src_port = 0, dst_port = 0;
  Bytes emit;           // bytes the payload stream must carry for this frame (maybe none)
  std::uint32_t p = 0;  // payload offset in the frame (when emit is not empty)
  ttq::UdpView hdr{};   // header values of a frame that streams payload bytes
  // Header record (ttq::header_verdict), and the beat it is due after (docs/rtl_l2l4.md).
  bool h_ok = false;
  std::uint32_t h_seq = 0, h_ip = 0;
  std::uint16_t h_port = 0;
  std::size_t h_beat = 0;
  bool h_s6 = false;  // P mod 8 == 6 (for coverage)
};

// The header record's trigger beat, as docs/rtl_l2l4.md states it for any frame: the beat of byte
// P + 3, P = h + 4*IHL + 8 from the frame's tag and IHL fields whatever they hold, when that beat
// is beat 5 or later and the frame has it; else the frame's last beat.
std::size_t hdr_beat(const Bytes& b) {
  const std::size_t nb = (b.size() + 7) / 8;
  if (nb >= 6) {
    const auto tag = [&](std::size_t o) {
      const std::uint16_t t = ttq::load_be16(b.data() + o);
      return t == 0x8100 || t == 0x88A8;
    };
    std::size_t h = 14;
    if (tag(12)) h = tag(16) ? 22 : 18;
    const std::size_t m = (h + 4u * (b[h] & 0x0Fu) + 8 + 3) / 8;
    if (m >= 5 && m < nb) return m;
  }
  return nb - 1;
}

// The frame extended with zeros: parse_udp on it says whether the headers (everything but the
// length checks) pass, which is what decides whether the RTL streams payload bytes.
Bytes g_ext(70000, 0);

Expect expect(const TbFrame& f) {
  Expect e;
  const auto n = static_cast<std::uint32_t>(f.b.size());
  ttq::Frame fr{f.b.data(), n, n, 0, f.fcs};
  ttq::UdpView u{};
  const ttq::FrameDrop d = ttq::parse_udp(fr, u);
  e.reason = d == ttq::FrameDrop::kCount ? kNone : static_cast<std::uint8_t>(d);
  if (e.reason == kNone) {
    e.payload.assign(u.payload, u.payload + u.len);
    e.src_ip = u.src_ip;
    e.dst_ip = u.dst_ip;
    e.src_port = u.src_port;
    e.dst_port = u.dst_port;
  }
  if (g_ext.size() < n + 65600) g_ext.resize(n + 65600);  // room for any IP total length
  std::memcpy(g_ext.data(), f.b.data(), n);
  ttq::Frame fe{g_ext.data(), static_cast<std::uint32_t>(g_ext.size()),
                static_cast<std::uint32_t>(g_ext.size()), 0, false};
  ttq::UdpView ue{};
  if (ttq::parse_udp(fe, ue) == ttq::FrameDrop::kCount) {
    const auto p = static_cast<std::uint32_t>(ue.payload - g_ext.data());
    const std::uint32_t end = std::min(p + ue.len, n);
    if (end > p) {
      e.emit.assign(f.b.begin() + p, f.b.begin() + end);
      e.p = p;
      e.hdr = ue;
    }
  }
  std::memset(g_ext.data(), 0, n);
  ttq::UdpView uh{};
  e.h_ok = ttq::header_verdict(ttq::Frame{f.b.data(), n, n, 0, f.fcs}, uh);
  if (e.h_ok) {
    e.h_seq = ttq::load_le<std::uint32_t>(uh.payload);
    e.h_ip = uh.dst_ip;
    e.h_port = uh.dst_port;
    e.h_s6 = (uh.payload - f.b.data()) % 8 == 6;
  }
  e.h_beat = hdr_beat(f.b);
  return e;
}

// ---------------------------------------------------------------------------------------------
// Frame builders (from the protocol layouts, not from net.cpp).
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
  ttq::store_be16(b.data() + o, static_cast<std::uint16_t>(v));
}
std::uint16_t get16(const Bytes& b, std::size_t o) {
  return ttq::load_be16(b.data() + o);
}

// RFC 1071 checksum of the IPv4 header at ip (IHL from its first byte).
void reseal(Bytes& b, std::size_t ip) {
  const std::size_t hl = 4u * (b[ip] & 0x0Fu);
  if (hl < 20 || ip + hl > b.size()) return;
  put16(b, ip + 10, 0);
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i < hl; i += 2) sum += get16(b, ip + i);
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  put16(b, ip + 10, ~sum & 0xFFFF);
}

struct Built {
  Bytes b;
  std::size_t ip = 14;   // IPv4 header offset
  std::size_t udp = 34;  // UDP header offset
};

// Ethernet (ntags 802.1Q/802.1ad tags) + IPv4 (ihl words, options random) + UDP + payload + pad.
Built build(Rng& r, int ntags, int ihl, std::size_t plen, std::size_t pad) {
  Built x;
  Bytes& b = x.b;
  for (int i = 0; i < 12; ++i) b.push_back(r.byte());
  for (int t = 0; t < ntags; ++t) {
    const std::uint16_t tpid = r.chance(0.5) ? 0x8100 : 0x88A8;
    b.push_back(static_cast<std::uint8_t>(tpid >> 8));
    b.push_back(static_cast<std::uint8_t>(tpid));
    b.push_back(r.byte());
    b.push_back(r.byte());
  }
  b.push_back(0x08);
  b.push_back(0x00);
  x.ip = b.size();
  const std::size_t hl = 4u * static_cast<std::size_t>(ihl);
  b.resize(x.ip + hl + 8 + plen);
  for (std::size_t i = x.ip; i < b.size(); ++i) b[i] = r.byte();
  b[x.ip] = static_cast<std::uint8_t>(0x40 | ihl);
  put16(b, x.ip + 2, static_cast<std::uint32_t>(hl + 8 + plen));
  put16(b, x.ip + 6, r.chance(0.5) ? 0x4000 : 0);  // DF or nothing
  b[x.ip + 9] = 17;
  x.udp = x.ip + hl;
  put16(b, x.udp + 4, static_cast<std::uint32_t>(8 + plen));
  reseal(b, x.ip);
  for (std::size_t i = 0; i < pad; ++i) b.push_back(r.byte());
  return x;
}

// ---------------------------------------------------------------------------------------------
// The Verilated model and its AXI-Stream ports.
struct Packet {
  Bytes bytes;
  std::uint64_t last_cycle = 0;
  std::vector<std::pair<std::uint64_t, std::size_t>> beats;  // (cycle, bytes so far)
};
struct Verdict {
  std::uint8_t reason = 0;
  bool payload = false;
  std::uint16_t len = 0, src_port = 0, dst_port = 0;
  std::uint32_t src_ip = 0, dst_ip = 0, spare = 0;
  std::uint64_t cycle = 0;
};

struct HdrRec {
  bool ok = false;
  std::uint32_t seq = 0, ip = 0;
  std::uint16_t port = 0;
  std::uint64_t cycle = 0;
};

struct Mode {
  const char* name;
  double p_gap;       // idle before a frame's first beat
  double p_idle;      // idle before a later beat
  int ready_pct_udp;  // % of cycles m_axis_udp_tready is high (100: never drops)
  int ready_pct_vd;
};

struct RunStats {
  std::uint64_t cycles = 0, beats = 0, mismatches = 0;
  std::map<std::uint64_t, std::uint64_t> payload_lat, verdict_lat, hdr_lat;
};

std::uint32_t bits_of(const VlWide<4>& w, int lo, int width) {
  std::uint64_t v = 0;
  for (int i = 0; i < width; ++i) {
    const int bit = lo + i;
    v |= static_cast<std::uint64_t>((w[bit / 32] >> (bit % 32)) & 1u) << i;
  }
  return static_cast<std::uint32_t>(v);
}

int g_reported = 0;
std::uint64_t g_trace = 0;  // TB_TRACE=<cycles>: print the ports of the first cycles of each run
template <typename... A>
void report(RunStats& st, const char* fmt, A... a) {
  ++st.mismatches;
  if (g_reported++ < 30) {
    std::printf("MISMATCH ");
    std::printf(fmt, a...);
    std::printf("\n");
  }
}

std::string hex(const Bytes& b) {
  std::string s;
  char t[4];
  for (std::size_t i = 0; i < b.size() && i < 96; ++i) {
    std::snprintf(t, sizeof t, "%02x", b[i]);
    s += t;
  }
  return s;
}

RunStats run(const std::vector<TbFrame>& frames, const std::vector<Expect>& exp, const Mode& m,
             std::uint64_t seed) {
  RunStats st;
  auto ctx = std::make_unique<VerilatedContext>();
  ctx->randReset(2);
  auto top = std::make_unique<Vttq_l2l4>(ctx.get());
  Rng r(seed);
  const bool no_stall = m.ready_pct_udp >= 100 && m.ready_pct_vd >= 100;

  top->clk = 0;
  top->rst = 1;
  top->s_axis_frame_tvalid = 0;
  top->m_axis_udp_tready = 1;
  top->m_axis_verdict_tready = 1;
  for (int i = 0; i < 4; ++i) {
    top->clk = 1;
    top->eval();
    top->clk = 0;
    top->eval();
  }
  top->rst = 0;
  top->eval();

  std::vector<std::vector<std::uint64_t>> in_cycles(frames.size());
  std::vector<Packet> packets;
  std::vector<Verdict> verdicts;
  std::vector<HdrRec> hdrs;
  Packet cur;
  std::size_t fi = 0, bi = 0;
  bool presenting = false;
  int ready_phase_udp = m.ready_pct_udp, ready_phase_vd = m.ready_pct_vd;
  std::uint64_t cycle = 0, idle_limit = 0;

  while (verdicts.size() < frames.size()) {
    if (cycle - idle_limit > 100000) {
      report(st, "%s: no progress at cycle %llu (frame %zu)", m.name,
             static_cast<unsigned long long>(cycle), verdicts.size());
      break;
    }
    // Inputs for this cycle.
    if (!presenting && fi < frames.size()) {
      const double p = bi == 0 ? m.p_gap : m.p_idle;
      presenting = !r.chance(p);
    }
    if (presenting) {
      const Bytes& b = frames[fi].b;
      std::uint64_t d = r.bits();
      std::uint8_t keep = 0;
      for (std::size_t l = 0; l < 8; ++l) {
        const std::size_t k = 8 * bi + l;
        if (k < b.size()) {
          d &= ~(0xFFull << (8 * l));
          d |= static_cast<std::uint64_t>(b[k]) << (8 * l);
          keep |= static_cast<std::uint8_t>(1u << l);
        }
      }
      const bool last = 8 * (bi + 1) >= b.size();
      top->s_axis_frame_tdata = d;
      top->s_axis_frame_tkeep = keep;
      top->s_axis_frame_tlast = last;
      top->s_axis_frame_tuser = last ? frames[fi].fcs : (r.bits() & 1);
      top->s_axis_frame_tvalid = 1;
    } else {
      top->s_axis_frame_tdata = r.bits();
      top->s_axis_frame_tkeep = static_cast<std::uint8_t>(r.bits());
      top->s_axis_frame_tlast = r.bits() & 1;
      top->s_axis_frame_tuser = r.bits() & 1;
      top->s_axis_frame_tvalid = 0;
    }
    if (!no_stall && r.chance(0.01)) {  // change the back-pressure weather now and then
      const auto weather = [&](int pct) {
        const std::uint32_t w = r.range(0, 9);
        return w < 5 ? pct : w < 7 ? 5 : w < 8 ? 100 : static_cast<int>(r.range(30, 100));
      };
      ready_phase_udp = weather(m.ready_pct_udp);
      ready_phase_vd = weather(m.ready_pct_vd);
    }
    top->m_axis_udp_tready = static_cast<int>(r.range(0, 99)) < ready_phase_udp;
    top->m_axis_verdict_tready = static_cast<int>(r.range(0, 99)) < ready_phase_vd;
    top->eval();

    if (no_stall && !top->s_axis_frame_tready) {
      report(st, "%s: s_axis_frame_tready low at cycle %llu with every output ready", m.name,
             static_cast<unsigned long long>(cycle));
    }
    // Handshakes.
    if (top->s_axis_frame_tvalid && top->s_axis_frame_tready) {
      in_cycles[fi].push_back(cycle);
      ++st.beats;
      presenting = false;
      if (8 * (bi + 1) >= frames[fi].b.size()) {
        ++fi;
        bi = 0;
      } else {
        ++bi;
      }
      idle_limit = cycle;
    }
    if (top->m_axis_udp_tvalid && top->m_axis_udp_tready) {
      const std::uint8_t keep = top->m_axis_udp_tkeep;
      const bool last = top->m_axis_udp_tlast;
      const bool thermo = keep != 0 && (keep & (keep + 1)) == 0;
      if (!last && keep != 0xFF)
        report(st, "%s: payload beat keep %02x without tlast", m.name, keep);
      if (last && !thermo)
        report(st, "%s: payload last beat keep %02x not contiguous", m.name, keep);
      for (int l = 0; l < 8; ++l) {
        if (keep & (1u << l))
          cur.bytes.push_back(static_cast<std::uint8_t>(top->m_axis_udp_tdata >> (8 * l)));
      }
      cur.beats.emplace_back(cycle, cur.bytes.size());
      if (last) {
        cur.last_cycle = cycle;
        packets.push_back(std::move(cur));
        cur = Packet{};
      }
      idle_limit = cycle;
    }
    if (top->m_axis_verdict_tvalid && top->m_axis_verdict_tready) {
      const VlWide<4>& w = top->m_axis_verdict_tdata;
      Verdict v;
      v.reason = static_cast<std::uint8_t>(bits_of(w, 0, 4));
      v.spare = bits_of(w, 4, 3) | bits_of(w, 120, 8) << 3;
      v.payload = bits_of(w, 7, 1);
      v.len = static_cast<std::uint16_t>(bits_of(w, 8, 16));
      v.dst_port = static_cast<std::uint16_t>(bits_of(w, 24, 16));
      v.src_port = static_cast<std::uint16_t>(bits_of(w, 40, 16));
      v.dst_ip = bits_of(w, 56, 32);
      v.src_ip = bits_of(w, 88, 32);
      v.cycle = cycle;
      verdicts.push_back(v);
      idle_limit = cycle;
    }
    if (top->m_hdr_valid) {
      hdrs.push_back(HdrRec{static_cast<bool>(top->m_hdr_ok), top->m_hdr_seq, top->m_hdr_dst_ip,
                            top->m_hdr_dst_port, cycle});
      idle_limit = cycle;
    }
    if (g_trace && cycle < g_trace) {
      std::printf("%6llu in v%d r%d l%d k%02x | udp v%d r%d l%d k%02x | vd v%d r%d %08x\n",
                  static_cast<unsigned long long>(cycle), top->s_axis_frame_tvalid,
                  top->s_axis_frame_tready, top->s_axis_frame_tlast, top->s_axis_frame_tkeep,
                  top->m_axis_udp_tvalid, top->m_axis_udp_tready, top->m_axis_udp_tlast,
                  top->m_axis_udp_tkeep, top->m_axis_verdict_tvalid, top->m_axis_verdict_tready,
                  top->m_axis_verdict_tdata[0]);
    }
    top->clk = 1;
    top->eval();
    top->clk = 0;
    top->eval();
    ++cycle;
  }
  // Drain: no payload beat may be left behind.
  for (int i = 0; i < 20; ++i) {
    top->s_axis_frame_tvalid = 0;
    top->m_axis_udp_tready = 1;
    top->m_axis_verdict_tready = 1;
    top->eval();
    if (top->m_axis_udp_tvalid || top->m_axis_verdict_tvalid || top->m_hdr_valid ||
        !cur.bytes.empty()) {
      report(st, "%s: output after the last verdict", m.name);
      break;
    }
    top->clk = 1;
    top->eval();
    top->clk = 0;
    top->eval();
  }
  st.cycles = cycle;

  // Scoreboard, frame by frame in order.
  std::size_t pk = 0;
  for (std::size_t i = 0; i < verdicts.size() && i < frames.size(); ++i) {
    const Verdict& v = verdicts[i];
    const Expect& e = exp[i];
    const TbFrame& f = frames[i];
    if (v.reason != e.reason) {
      report(st, "%s: frame %zu (%s, %zu bytes, fcs %d): reason %u, model %u  %s", m.name, i,
             kSources[f.src], f.b.size(), f.fcs, v.reason, e.reason, hex(f.b).c_str());
    }
    if (v.spare != 0) report(st, "%s: frame %zu: reserved verdict bits set", m.name, i);
    if (v.payload != !e.emit.empty()) {
      report(st, "%s: frame %zu (%s, %zu bytes, reason %u): payload flag %d, expected %zu bytes",
             m.name, i, kSources[f.src], f.b.size(), e.reason, v.payload, e.emit.size());
    }
    const Packet* p = nullptr;
    if (v.payload) {
      if (pk >= packets.size()) {
        report(st, "%s: frame %zu: payload flag but no payload packet left", m.name, i);
      } else {
        p = &packets[pk++];
        if (p->bytes != e.emit) {
          report(st, "%s: frame %zu (%s, reason %u): payload %zu bytes %s, expected %zu bytes %s",
                 m.name, i, kSources[f.src], e.reason, p->bytes.size(), hex(p->bytes).c_str(),
                 e.emit.size(), hex(e.emit).c_str());
        }
      }
    }
    if (v.payload && e.reason != kNone && e.reason != 7 && e.reason != 8) {
      report(st, "%s: frame %zu: payload streamed with reason %u", m.name, i, e.reason);
    }
    if (!e.emit.empty() &&
        (v.len != e.hdr.len || v.src_ip != e.hdr.src_ip || v.dst_ip != e.hdr.dst_ip ||
         v.src_port != e.hdr.src_port || v.dst_port != e.hdr.dst_port)) {
      report(st, "%s: frame %zu (reason %u): side-band of a streaming frame differs", m.name, i,
             e.reason);
    }
    if (e.reason == kNone) {
      if (v.len != e.payload.size() || v.src_ip != e.src_ip || v.dst_ip != e.dst_ip ||
          v.src_port != e.src_port || v.dst_port != e.dst_port) {
        report(
            st,
            "%s: frame %zu: side-band len %u %08x:%u -> %08x:%u, model len %zu %08x:%u -> %08x:%u",
            m.name, i, v.len, v.src_ip, v.src_port, v.dst_ip, v.dst_port, e.payload.size(),
            e.src_ip, e.src_port, e.dst_ip, e.dst_port);
      }
      if (e.emit != e.payload) report(st, "%s: frame %zu: testbench emit != payload", m.name, i);
    }
    // The header record: the model's decision, never after the verdict, never before its beat's
    // documented latency, exactly that latency with no stall.
    if (i < hdrs.size()) {
      const HdrRec& h = hdrs[i];
      if (h.ok != e.h_ok) {
        report(st, "%s: frame %zu (%s, %zu bytes, fcs %d, reason %u): header ok %d, model %d  %s",
               m.name, i, kSources[f.src], f.b.size(), f.fcs, e.reason, h.ok, e.h_ok,
               hex(f.b).c_str());
      } else if (h.ok && (h.seq != e.h_seq || h.ip != e.h_ip || h.port != e.h_port)) {
        report(st, "%s: frame %zu: header seq %08x %08x:%u, model %08x %08x:%u", m.name, i, h.seq,
               h.ip, h.port, e.h_seq, e.h_ip, e.h_port);
      }
      if (h.cycle >= v.cycle)
        report(st, "%s: frame %zu: header record not before the verdict", m.name, i);
      if (e.h_beat >= in_cycles[i].size()) {
        report(st, "%s: frame %zu: header beat %zu of %zu", m.name, i, e.h_beat,
               in_cycles[i].size());
      } else {
        const std::uint64_t hl = h.cycle - in_cycles[i][e.h_beat];
        ++st.hdr_lat[hl];
        if (h.cycle < in_cycles[i][e.h_beat] + kHdrLatency || (no_stall && hl != kHdrLatency)) {
          report(st, "%s: frame %zu (%s, %zu bytes): header record %lld cycles after beat %zu",
                 m.name, i, kSources[f.src], f.b.size(),
                 static_cast<long long>(h.cycle) - static_cast<long long>(in_cycles[i][e.h_beat]),
                 e.h_beat);
        }
      }
    }
    // Latencies (the documented numbers hold whenever no output back-pressure stalls the stage).
    const std::uint64_t vlat = v.cycle - in_cycles[i].back();
    ++st.verdict_lat[vlat];
    if (no_stall && vlat != kVerdictLatency) {
      report(st, "%s: frame %zu: verdict latency %llu", m.name, i,
             static_cast<unsigned long long>(vlat));
    }
    if (p && !e.emit.empty()) {
      const std::uint32_t q = e.p + static_cast<std::uint32_t>(e.emit.size()) - 1;
      const std::uint64_t plat = p->last_cycle - in_cycles[i][q / 8];
      const std::uint64_t want = (q % 8) < (e.p % 8) ? kPayloadLatency : kPayloadLatencyTail;
      ++st.payload_lat[plat];
      if (no_stall && plat != want) {
        report(
            st,
            "%s: frame %zu: payload latency %llu, documented %llu (last byte lane %u, P mod 8 %u)",
            m.name, i, static_cast<unsigned long long>(plat), static_cast<unsigned long long>(want),
            q % 8, e.p % 8);
      }
      for (const auto& [c, upto] : p->beats) {  // every beat, from its last byte's input beat
        const std::uint32_t qb = e.p + static_cast<std::uint32_t>(upto) - 1;
        const std::uint64_t lat = c - in_cycles[i][qb / 8];
        const std::uint64_t w = (qb % 8) < (e.p % 8) ? kPayloadLatency : kPayloadLatencyTail;
        if (no_stall && lat != w && upto <= e.emit.size()) {
          report(st, "%s: frame %zu: payload beat latency %llu, documented %llu", m.name, i,
                 static_cast<unsigned long long>(lat), static_cast<unsigned long long>(w));
        }
      }
      if (no_stall && v.cycle < p->last_cycle) {
        report(st, "%s: frame %zu: verdict before the payload's last beat", m.name, i);
      }
    }
  }
  if (pk != packets.size()) {
    report(st, "%s: %zu payload packets, %zu claimed by verdicts", m.name, packets.size(), pk);
  }
  if (verdicts.size() != frames.size()) {
    report(st, "%s: %zu verdicts for %zu frames", m.name, verdicts.size(), frames.size());
  }
  if (hdrs.size() != frames.size()) {
    report(st, "%s: %zu header records for %zu frames", m.name, hdrs.size(), frames.size());
  }
  return st;
}

// ---------------------------------------------------------------------------------------------
// Frame sets.
void add_captures(std::vector<TbFrame>& out, std::vector<Bytes>& good) {
  const std::uint64_t seeds[] = {1, 7, 42, 2026, 90210, 31337};
  for (std::uint64_t seed : seeds) {
    ttq::GenOptions o;
    o.seed = seed;
    o.instruments = 4;
    o.events = 1000;
    o.garbage = 0.15;
    o.vlan = 0.3;
    o.ip_options = 0.3;
    o.loss_a = 0.02;
    o.loss_b = 0.02;
    o.loss_both = 0.01;
    o.dup = 0.03;
    o.reorder = 0.01;
    o.snapshot_every = 60;
    o.pcapng = seed == 42;
    if (const char* err = ttq::validate(o)) {
      std::fprintf(stderr, "capgen options: %s\n", err);
      std::exit(2);
    }
    const auto path =
        std::filesystem::temp_directory_path() /
        ("tb_l2l4_" + std::to_string(::getpid()) + "_" + std::to_string(seed) + ".pcap");
    ttq::generate_capture(o, path.string(), nullptr, nullptr);
    std::string err;
    auto src = ttq::PcapSource::open(path.string(), err);
    if (!src) {
      std::fprintf(stderr, "%s\n", err.c_str());
      std::exit(2);
    }
    ttq::Frame f{};
    while (src->next(f)) {
      TbFrame t;
      t.b.assign(f.data, f.data + f.len);
      t.src = 0;
      ttq::UdpView u{};
      ttq::Frame g{t.b.data(), f.len, f.len, 0, false};
      if (ttq::parse_udp(g, u) == ttq::FrameDrop::kCount && good.size() < 400) good.push_back(t.b);
      out.push_back(std::move(t));
    }
    std::filesystem::remove(path);
  }
}

void add_built(std::vector<TbFrame>& out, Rng& r) {
  // Every tag count (3 tags: not IPv4), every IHL, payload lengths over every end lane.
  for (int tags = 0; tags <= 3; ++tags) {
    for (int ihl = 5; ihl <= 15; ++ihl) {
      for (std::size_t plen = 0; plen <= 40; ++plen) {
        const std::size_t pad = r.chance(0.3) ? r.range(1, 20) : 0;
        TbFrame t{build(r, tags, ihl, plen, pad).b, false, 1};
        out.push_back(t);
      }
    }
  }
  // Larger payloads, up to a jumbo-ish datagram.
  for (int i = 0; i < 300; ++i) {
    const auto plen =
        static_cast<std::size_t>(r.chance(0.1) ? r.range(1400, 9000) : r.range(41, 1472));
    TbFrame t{build(r, static_cast<int>(r.range(0, 2)), static_cast<int>(r.range(5, 15)), plen,
                    r.chance(0.2) ? r.range(1, 30) : 0)
                  .b,
              false, 1};
    out.push_back(t);
  }
}

// One mutation of a well-formed frame, each aimed at one check (and the checks around it).
void add_mutations(std::vector<TbFrame>& out, Rng& r) {
  for (int rep = 0; rep < 1500; ++rep) {
    const int tags = static_cast<int>(r.range(0, 2));
    const int ihl = r.chance(0.5) ? 5 : static_cast<int>(r.range(5, 15));
    const std::size_t plen = r.chance(0.5) ? r.range(0, 24) : r.range(25, 200);
    for (int kind = 0; kind < 23; ++kind) {
      Built x = build(r, tags, ihl, plen, r.chance(0.25) ? r.range(1, 16) : 0);
      Bytes& b = x.b;
      const std::size_t ip = x.ip, udp = x.udp, hl = 4u * static_cast<std::size_t>(ihl);
      const std::size_t total = get16(b, ip + 2);
      bool seal = true, fcs = false;
      const auto u32 = [](std::size_t v) { return static_cast<std::uint32_t>(v); };
      switch (kind) {
        case 0:  // version
          b[ip] = static_cast<std::uint8_t>((r.range(0, 15) << 4) | static_cast<unsigned>(ihl));
          if ((b[ip] >> 4) == 4) b[ip] ^= 0x10;
          break;
        case 1:  // IHL < 5
          b[ip] = static_cast<std::uint8_t>(0x40 | r.range(0, 4));
          break;
        case 2:  // total length shorter than the header
          put16(b, ip + 2, r.range(0, u32(hl) - 1));
          break;
        case 3:  // no room for a UDP header
          put16(b, ip + 2, u32(hl) + r.range(0, 7));
          break;
        case 4:  // truncated
          put16(b, ip + 2, u32(total) + r.range(1, 64));
          break;
        case 5:  // MF
          put16(b, ip + 6, get16(b, ip + 6) | 0x2000);
          break;
        case 6:  // fragment offset
          put16(b, ip + 6, (get16(b, ip + 6) & 0xE000) | r.range(1, 0x1FFF));
          break;
        case 7:  // not UDP
          b[ip + 9] = r.byte();
          if (b[ip + 9] == 17) b[ip + 9] = 6;
          break;
        case 8:  // UDP length < 8
          put16(b, udp + 4, r.range(0, 7));
          break;
        case 9:  // empty datagram: good, no payload
          put16(b, udp + 4, 8);
          break;
        case 10:  // UDP length beyond the IP payload
          put16(b, udp + 4, u32(total - hl) + r.range(1, 100));
          break;
        case 11:  // UDP length shorter than the IP payload: good
          if (total - hl > 8) put16(b, udp + 4, r.range(8, u32(total - hl)));
          break;
        case 12:  // checksum field damaged
          seal = false;
          b[ip + 10 + r.range(0, 1)] ^= static_cast<std::uint8_t>(1u << r.range(0, 7));
          break;
        case 13:  // header bit flipped, checksum not resealed
          seal = false;
          b[ip + r.range(0, u32(hl) - 1)] ^= 0x01;
          break;
        case 14:  // EtherType
          put16(b, ip - 2, r.chance(0.5) ? 0x86DD : (r.chance(0.5) ? 0x0806 : r.range(0, 0xFFFF)));
          break;
        case 15:  // bad FCS on a good frame
          fcs = true;
          break;
        case 16:  // bad FCS on a bad frame
          fcs = true;
          put16(b, ip - 2, 0x86DD);
          break;
        case 17:  // cut anywhere
          b.resize(r.range(1, u32(b.size())));
          fcs = r.chance(0.3);
          break;
        case 18:  // total length shorter than the frame: Ethernet padding, good
          put16(b, ip + 2, u32(total) - r.range(1, u32(total - hl)));
          break;
        case 19: {  // byte flips anywhere in the headers
          const auto hi = u32(std::min<std::size_t>(b.size(), udp + 8) - 1);
          for (int k = 0, nk = static_cast<int>(r.range(1, 3)); k < nk; ++k)
            b[r.range(0, hi)] ^= r.byte();
          seal = r.chance(0.7);
          break;
        }
        case 20:  // UDP length exactly the IP payload: good
          put16(b, udp + 4, u32(total - hl));
          break;
        case 21:  // huge length claims
          put16(b, ip + 2, 0xFFFF);
          put16(b, udp + 4, 0xFFFF - u32(hl));
          break;
        default: {  // too short for a UDP header, and cut inside the datagram it claims
          const std::uint32_t t = u32(hl) + r.range(1, 7);
          put16(b, ip + 2, t);
          reseal(b, ip);
          b.resize(ip + r.range(u32(hl), t - 1));
          seal = false;
          break;
        }
      }
      if (seal) reseal(b, ip);
      // Now and then also cut the frame, so each check meets every length check around it.
      if (r.chance(0.3) && b.size() > ip)
        b.resize(r.range(static_cast<std::uint32_t>(ip), static_cast<std::uint32_t>(b.size())));
      out.push_back(TbFrame{b, fcs, 2});
    }
  }
}

// Every prefix (1..200 bytes) of real and built frames of every header shape.
void add_prefixes(std::vector<TbFrame>& out, const std::vector<Bytes>& good, Rng& r) {
  std::vector<Bytes> bases;
  for (int tags = 0; tags <= 3; ++tags) {
    for (int ihl : {5, 6, 9, 15}) bases.push_back(build(r, tags, ihl, 120, 0).b);
  }
  for (std::size_t i = 0; i < good.size() && i < 120; i += 4) bases.push_back(good[i]);
  for (const Bytes& b : bases) {
    for (std::size_t n = 1; n <= std::min<std::size_t>(200, b.size()); ++n) {
      out.push_back(
          TbFrame{Bytes(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(n)), r.chance(0.05), 3});
    }
  }
}

void add_garbage(std::vector<TbFrame>& out, Rng& r) {
  for (int i = 0; i < 20000; ++i) {
    Bytes b(r.range(1, 300));
    for (auto& x : b) x = r.byte();
    if (r.chance(0.5) && b.size() > 22) {  // plausible start: tags, IPv4, version 4
      std::size_t o = 12;
      for (int t = 0, nt = static_cast<int>(r.range(0, 2)); t < nt; ++t, o += 4) {
        put16(b, o, r.chance(0.5) ? 0x8100 : 0x88A8);
      }
      put16(b, o, 0x0800);
      if (o + 2 < b.size()) b[o + 2] = static_cast<std::uint8_t>(0x40 | r.range(0, 15));
      if (r.chance(0.7) && o + 22 <= b.size()) {
        b[o + 2 + 9] = 17;
        b[o + 2 + 6] &= 0x80;
        b[o + 2 + 7] = 0;
        reseal(b, o + 2);
      }
    }
    out.push_back(TbFrame{b, r.chance(0.03), 4});
  }
}

}  // namespace

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  if (const char* t = std::getenv("TB_TRACE")) g_trace = std::strtoull(t, nullptr, 10);
  Rng r(0x7171);
  std::vector<TbFrame> frames;
  std::vector<Bytes> good;
  add_captures(frames, good);
  add_built(frames, r);
  add_mutations(frames, r);
  add_prefixes(frames, good, r);
  add_garbage(frames, r);
  // Shuffle so that every kind of frame follows every other kind back to back.
  for (std::size_t i = frames.size(); i > 1; --i)
    std::swap(frames[i - 1], frames[r.range(0, static_cast<std::uint32_t>(i - 1))]);

  std::uint64_t mism = 0;
  std::vector<Expect> exp;
  exp.reserve(frames.size());
  for (const TbFrame& f : frames) exp.push_back(expect(f));

  // Coverage the scoreboard must have seen, or the test proves little.
  std::array<std::uint64_t, 11> by_reason{};
  std::map<int, std::uint64_t> by_src;
  std::uint64_t shapes[2][8] = {};  // good frames: (P mod 8 == 6) x last payload byte lane
  std::uint64_t emitting_bad = 0, empty_good = 0;
  std::uint64_t h_ok[2] = {}, h_late[2] = {}, h_not = 0;  // by P mod 8; late: fails at tlast
  std::map<std::uint8_t, std::uint64_t> h_late_by;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    ++by_reason[exp[i].reason];
    ++by_src[frames[i].src];
    if (exp[i].reason == kNone && !exp[i].emit.empty()) {
      const std::uint32_t q = exp[i].p + static_cast<std::uint32_t>(exp[i].emit.size()) - 1;
      ++shapes[exp[i].p % 8 == 6][q % 8];
    }
    if (exp[i].reason == kNone && exp[i].emit.empty()) ++empty_good;
    if (exp[i].reason != kNone && !exp[i].emit.empty()) ++emitting_bad;
    if (exp[i].h_ok) {
      ++h_ok[exp[i].h_s6];
      if (exp[i].reason != kNone) {
        ++h_late[exp[i].h_s6];
        ++h_late_by[exp[i].reason];
      }
      // The documented trigger rule must give the MsgSeqNum's beat for every passing header.
      const Expect& e = exp[i];
      const std::size_t p =
          e.emit.empty() ? 0 : e.p;  // every passing header streams: P + 4 bytes are present
      if (e.emit.empty() || (p + 3) / 8 != e.h_beat) {
        std::printf("  testbench: frame %zu header beat %zu, payload at %zu\n", i, e.h_beat, p);
        ++mism;
      }
    } else {
      ++h_not;
    }
  }
  std::printf("tb_l2l4: %zu frames (", frames.size());
  for (auto& [s, c] : by_src)
    std::printf("%s %llu ", kSources[s], static_cast<unsigned long long>(c));
  std::printf(")\n  model reasons:");
  for (int i = 0; i <= 10; ++i) {
    std::printf(" %s %llu", i == 10 ? "ok" : ttq::to_string(static_cast<ttq::FrameDrop>(i)),
                static_cast<unsigned long long>(by_reason[static_cast<std::size_t>(i)]));
    if (i != 9 && by_reason[static_cast<std::size_t>(i)] < 20) {
      std::printf(" (TOO FEW)");
      ++mism;
    }
  }
  std::printf(
      "\n  good frames with an empty payload %llu, bad frames that stream payload bytes %llu\n",
      static_cast<unsigned long long>(empty_good), static_cast<unsigned long long>(emitting_bad));
  std::printf(
      "  header records: ok %llu (P mod 8 = 2: %llu, 6: %llu), of which failing at tlast "
      "%llu / %llu (",
      static_cast<unsigned long long>(h_ok[0] + h_ok[1]), static_cast<unsigned long long>(h_ok[0]),
      static_cast<unsigned long long>(h_ok[1]), static_cast<unsigned long long>(h_late[0]),
      static_cast<unsigned long long>(h_late[1]));
  for (auto& [r, c] : h_late_by)
    std::printf("%s %llu ", ttq::to_string(static_cast<ttq::FrameDrop>(r)),
                static_cast<unsigned long long>(c));
  std::printf("), not ok %llu\n", static_cast<unsigned long long>(h_not));
  for (int s = 0; s < 2; ++s) {
    if (h_ok[s] < 1000 || h_late[s] < 100) {
      std::printf("  too few header records that pass (or pass and fail late), P mod 8 = %d\n",
                  s ? 6 : 2);
      ++mism;
    }
  }
  for (int s = 0; s < 2; ++s) {
    for (int l = 0; l < 8; ++l) {
      if (shapes[s][l] == 0) {
        std::printf("  no good frame with P mod 8 = %d ending in lane %d\n", s ? 6 : 2, l);
        ++mism;
      }
    }
  }

  const Mode modes[] = {
      {"stalls", 0.3, 0.2, 70, 70},       // random idles, random back-pressure on both outputs
      {"stalls-2", 0.05, 0.05, 40, 90},   // mostly back-to-back input, heavy payload back-pressure
      {"stalls-3", 0.5, 0.5, 90, 30},     // sparse input, heavy verdict back-pressure
      {"no-stall", 0.3, 0.2, 100, 100},   // random idles, outputs always ready: latency asserted
      {"line-rate", 0.0, 0.0, 100, 100},  // back-to-back beats: one beat per cycle, never stalled
  };
  std::uint64_t seed = 11;
  for (const Mode& m : modes) {
    const RunStats st = run(frames, exp, m, seed++);
    mism += st.mismatches;
    using ull = unsigned long long;
    std::printf("  %-9s %llu cycles, %llu beats, %llu mismatches", m.name, ull{st.cycles},
                ull{st.beats}, ull{st.mismatches});
    // Cycles -> count; under back-pressure only the range is worth printing.
    const auto hist = [&](const char* what, const std::map<std::uint64_t, std::uint64_t>& h) {
      if (h.empty()) return;
      std::printf("; %s latency", what);
      if (h.size() <= 4) {
        for (auto& [l, c] : h) std::printf(" %llu:%llu", ull{l}, ull{c});
      } else {
        std::printf(" %llu..%llu", ull{h.begin()->first}, ull{h.rbegin()->first});
      }
    };
    hist("payload", st.payload_lat);
    hist("verdict", st.verdict_lat);
    hist("header", st.hdr_lat);
    std::printf("\n");
  }
  std::printf("tb_l2l4: %s (%llu mismatches)\n", mism ? "FAIL" : "PASS",
              static_cast<unsigned long long>(mism));
  return mism ? 1 : 0;
}
