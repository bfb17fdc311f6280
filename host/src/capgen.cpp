// Capture generator for tests, benchmarks and demos: a seeded market model whose every change is
// encoded straight from the MDP 3.0 brief (docs/capgen.md). It shares no code with the decoder or
// the book on purpose: round-trip tests compare those against the truth records written here.

#include "ttq/capgen.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ttq/wire.hpp"

namespace ttq {
namespace {

using Bytes = std::vector<std::uint8_t>;

// ---------------------------------------------------------------------------------------------
// Constants from the brief (docs/capgen.md cites the sections).

constexpr std::int64_t kNullPx = std::numeric_limits<std::int64_t>::max();
constexpr std::int32_t kNullI32 = 0x7FFFFFFF;
constexpr std::uint8_t kNullU8 = 0xFF;
constexpr std::uint16_t kNullDate = 0xFFFF;
constexpr std::uint16_t kSchemaId = 1;

enum Action : std::uint8_t {
  kNew = 0,
  kChange = 1,
  kDelete = 2,
  kDeleteThru = 3,
  kDeleteFrom = 4,
  kOverlay = 5,
};

enum Mei : std::uint8_t {
  kMeiLastTrade = 0x01,
  kMeiLastVolume = 0x02,
  kMeiLastQuote = 0x04,
  kMeiLastImplied = 0x10,
  kMeiEndOfEvent = 0x80,
};
constexpr std::uint8_t kMeiPublish = kMeiLastQuote | kMeiLastImplied | kMeiEndOfEvent;

constexpr std::uint8_t u8(int v) {
  return static_cast<std::uint8_t>(v);
}
constexpr std::uint16_t u16(std::size_t v) {
  return static_cast<std::uint16_t>(v);
}

// ---------------------------------------------------------------------------------------------
// Random numbers: raw mt19937_64 output (fully specified by the standard) mapped by our own
// helpers, so a seed gives the same capture with any standard library. Independent streams keep the
// canonical market identical whatever the line impairments or container format.

std::uint64_t splitmix64(std::uint64_t& s) {
  std::uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

class Rng {
 public:
  Rng(std::uint64_t seed, std::uint64_t stream) {
    std::uint64_t s = seed ^ (stream * 0xD1B54A32D192ED03ULL);
    eng_.seed(splitmix64(s));
  }
  std::uint64_t bits() { return eng_(); }
  std::uint64_t below(std::uint64_t n) { return bits() % (n == 0 ? 1 : n); }
  int range(int lo, int hi) {  // inclusive
    return lo + static_cast<int>(below(static_cast<std::uint64_t>(hi - lo) + 1));
  }
  std::int64_t range64(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo) + 1));
  }
  double unit() { return static_cast<double>(bits() >> 11) * 0x1.0p-53; }
  bool chance(double p) { return unit() < p; }

 private:
  std::mt19937_64 eng_;
};

// ---------------------------------------------------------------------------------------------
// Instruments.

struct Product {
  const char* code;
  const char* unit;          // UnitOfMeasure
  std::int64_t tick7;        // MinPriceIncrement as a PRICE (1e-7) mantissa
  std::int64_t start_ticks;  // front-month starting price in ticks
  int max_size;              // largest resting size in lots
  std::int64_t uom_qty9;     // UnitOfMeasureQty, Decimal9
};

constexpr Product kProducts[] = {
    {"BTC", "BTC", 50'000'000, 19'450, 12, 5'000'000'000},  // 5 index points, ~97,250
    {"ETH", "ETH", 2'500'000, 14'450, 40, 50'000'000'000},  // 0.25, ~3,612.50
    {"MBT", "BTC", 50'000'000, 19'452, 150, 100'000'000},   // micro bitcoin, 5 points
    {"MET", "ETH", 5'000'000, 7'226, 250, 100'000'000},     // micro ether, 0.50
};
constexpr char kMonthCodes[] = "FGHJKMNQUVXZ";

struct Level {
  std::int64_t px;  // ticks
  std::int32_t size;
  std::int32_t orders;  // kNullI32 on implied levels
  bool operator==(const Level&) const = default;
};

// One side of one book as the exchange holds it: every price, best first. Only the top `depth`
// levels are visible on the feed.
struct Side {
  bool bid = true;
  bool implied = false;
  int depth = 0;
  std::vector<Level> lv;

  bool better(std::int64_t a, std::int64_t b) const { return bid ? a > b : a < b; }
  std::int64_t dir() const { return bid ? 1 : -1; }  // +dir = a better price
  char type() const { return bid ? (implied ? 'E' : '0') : (implied ? 'F' : '1'); }
  int size() const { return static_cast<int>(lv.size()); }
  int visible() const { return std::min(size(), depth); }
  int find(std::int64_t px) const {
    for (int i = 0; i < size(); ++i) {
      if (lv[i].px == px) return i;
    }
    return -1;
  }
  int insert_pos(std::int64_t px) const {
    int i = 0;
    while (i < size() && !better(px, lv[i].px)) ++i;
    return i;
  }
};

// A level as a receiver applying the wire entries sees it.
struct Slot {
  bool on = false;
  Level l{};
};

struct Tob {
  bool bid_on = false, ask_on = false;
  std::int64_t bid_px = 0, ask_px = 0;  // ticks
  std::int32_t bid_sz = 0, ask_sz = 0;
  bool operator==(const Tob&) const = default;
};

enum SideIdx { kBid = 0, kAsk = 1, kImpBid = 2, kImpAsk = 3 };

struct Instrument {
  std::int32_t security_id = 0;
  char symbol[21] = {};
  const Product* prod = nullptr;
  int year = 0, month = 0;
  std::int64_t tick7 = 0, tick9 = 0;
  std::int64_t ref_ticks = 0;  // reference mid, for rebuilds
  std::int64_t start_ticks = 0;
  Side side[4];               // bid, ask, implied bid, implied ask (exchange state)
  std::vector<Slot> view[4];  // the same books as the wire entries build them
  int target_levels = 0;      // outright prices per side the market refills to
  std::uint32_t rpt_seq = 0;  // last RptSeq put on the wire
  std::int32_t volume = 0;
  bool halted = false;
  std::uint64_t resume_at = 0;
  std::uint8_t wire_status = 17;  // SecurityTradingStatus as last sent
  std::uint64_t last_tt = 0;      // TransactTime of the last entry sent
  bool in_event = false;          // touched by the event being generated
  bool in_pub = false;            // touched since the last publication point
  Tob printed{};
};

// ---------------------------------------------------------------------------------------------
// One market event before encoding.

struct BookEntry {
  int inst;
  std::int64_t px;  // ticks, unless px_null
  bool px_null;
  std::int32_t size;
  std::int32_t orders;
  std::uint8_t level;
  std::uint8_t action;
  char type;
};

struct TradeEntry {
  int inst;
  std::int64_t px;  // ticks
  std::int32_t size;
  std::int32_t orders;
  std::uint8_t aggressor;
};

struct OrderRef {
  std::uint64_t order_id;
  std::int32_t qty;
};

struct VolumeEntry {
  int inst;
  std::int32_t volume;
};

struct Event {
  std::vector<TradeEntry> trades;
  std::vector<OrderRef> order_refs;
  std::vector<VolumeEntry> volume;
  std::vector<BookEntry> outright, implied;  // implied entries go on the wire after outright ones
  std::vector<int> touched;
  void clear() {
    trades.clear();
    order_refs.clear();
    volume.clear();
    outright.clear();
    implied.clear();
    touched.clear();
  }
};

// ---------------------------------------------------------------------------------------------
// Capture files, written by hand (nanosecond pcap or pcapng) so the bytes are ours to the last one.

class CaptureWriter {
 public:
  CaptureWriter(const std::string& path, bool pcapng) : pcapng_(pcapng) {
    f_ = std::fopen(path.c_str(), "wb");
    if (f_ == nullptr) throw std::runtime_error("capgen: cannot open " + path);
    std::setvbuf(f_, nullptr, _IOFBF, 1 << 20);
    std::uint8_t h[64] = {};
    if (!pcapng_) {
      store_le<std::uint32_t>(h, 0xA1B23C4Du);  // nanosecond-resolution pcap
      store_le<std::uint16_t>(h + 4, 2);
      store_le<std::uint16_t>(h + 6, 4);
      store_le<std::uint32_t>(h + 16, 65535);  // snaplen
      store_le<std::uint32_t>(h + 20, 1);      // LINKTYPE_ETHERNET
      put(h, 24);
      return;
    }
    // Section Header Block with shb_userappl, then an Interface Description Block whose
    // if_tsresol = 9 says timestamps count nanoseconds.
    static constexpr char kApp[] = "ttq capgen";  // 10 bytes, padded to 12
    store_le<std::uint32_t>(h, 0x0A0D0D0Au);
    store_le<std::uint32_t>(h + 4, 48);
    store_le<std::uint32_t>(h + 8, 0x1A2B3C4Du);
    store_le<std::uint16_t>(h + 12, 1);
    store_le<std::uint16_t>(h + 14, 0);
    store_le<std::uint64_t>(h + 16, ~0ULL);  // section length unknown
    store_le<std::uint16_t>(h + 24, 4);      // shb_userappl
    store_le<std::uint16_t>(h + 26, 10);
    std::memcpy(h + 28, kApp, 10);
    // h[40..43] opt_endofopt (zeros)
    store_le<std::uint32_t>(h + 44, 48);
    put(h, 48);
    std::uint8_t i[32] = {};
    store_le<std::uint32_t>(i, 1);
    store_le<std::uint32_t>(i + 4, 32);
    store_le<std::uint16_t>(i + 8, 1);  // LINKTYPE_ETHERNET
    store_le<std::uint32_t>(i + 12, 65535);
    store_le<std::uint16_t>(i + 16, 9);  // if_tsresol
    store_le<std::uint16_t>(i + 18, 1);
    i[20] = 9;  // 10^-9 s
    // i[24..27] opt_endofopt
    store_le<std::uint32_t>(i + 28, 32);
    put(i, 32);
  }
  CaptureWriter(const CaptureWriter&) = delete;
  CaptureWriter& operator=(const CaptureWriter&) = delete;
  ~CaptureWriter() {
    if (f_ != nullptr) std::fclose(f_);
  }

  void write(std::uint64_t ts_ns, const std::uint8_t* data, std::size_t len) {
    const auto n = static_cast<std::uint32_t>(len);
    std::uint8_t h[28] = {};
    if (!pcapng_) {
      store_le<std::uint32_t>(h, static_cast<std::uint32_t>(ts_ns / 1'000'000'000ULL));
      store_le<std::uint32_t>(h + 4, static_cast<std::uint32_t>(ts_ns % 1'000'000'000ULL));
      store_le<std::uint32_t>(h + 8, n);
      store_le<std::uint32_t>(h + 12, n);
      put(h, 16);
      put(data, len);
      return;
    }
    const std::uint32_t padded = (n + 3u) & ~3u;
    const std::uint32_t total = 32u + padded;
    store_le<std::uint32_t>(h, 6);  // Enhanced Packet Block
    store_le<std::uint32_t>(h + 4, total);
    store_le<std::uint32_t>(h + 8, 0);  // interface 0
    store_le<std::uint32_t>(h + 12, static_cast<std::uint32_t>(ts_ns >> 32));
    store_le<std::uint32_t>(h + 16, static_cast<std::uint32_t>(ts_ns));
    store_le<std::uint32_t>(h + 20, n);
    store_le<std::uint32_t>(h + 24, n);
    put(h, 28);
    put(data, len);
    static constexpr std::uint8_t kZero[4] = {};
    put(kZero, padded - n);
    std::uint8_t t[4];
    store_le<std::uint32_t>(t, total);
    put(t, 4);
  }

  void close() {
    const bool bad = std::ferror(f_) != 0;
    const int rc = std::fclose(f_);
    f_ = nullptr;
    if (bad || rc != 0) throw std::runtime_error("capgen: write error on the capture file");
  }

 private:
  void put(const void* p, std::size_t n) {
    if (n != 0 && std::fwrite(p, 1, n, f_) != n) {
      throw std::runtime_error("capgen: write error on the capture file");
    }
  }
  std::FILE* f_ = nullptr;
  bool pcapng_;
};

// ---------------------------------------------------------------------------------------------
// Ethernet / IPv4 / UDP framing.

struct LineAddr {
  std::uint32_t src_ip;
  std::uint8_t src_mac[6];
  std::uint8_t ttl;
  std::uint16_t vlan_id;
  std::uint16_t ip_id;
};

struct IpSpec {
  std::uint32_t dst_ip = 0;
  std::uint8_t proto = 17;
  std::uint16_t frag = 0;  // flags (3 bits) and fragment offset
  std::uint8_t version = 4;
  int opt_words = 0;  // IPv4 option words (IHL = 5 + opt_words)
  bool vlan = false;
};

std::uint16_t ip_checksum(const std::uint8_t* p, std::size_t n) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < n; i += 2) sum += load_be16(p + i);
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

// Ethernet + IPv4 headers for an L4 body of l4_len bytes; returns the frame sized to the headers.
Bytes ip_headers(LineAddr& line, const IpSpec& s, std::size_t l4_len) {
  const std::size_t eth = s.vlan ? 18 : 14;
  const std::size_t ihl = 5 + static_cast<std::size_t>(s.opt_words);
  Bytes f(eth + ihl * 4);
  std::uint8_t* p = f.data();
  if ((s.dst_ip >> 28) == 0xE) {  // IPv4 multicast -> 01:00:5e + low 23 bits
    p[0] = 0x01;
    p[1] = 0x00;
    p[2] = 0x5E;
    p[3] = static_cast<std::uint8_t>((s.dst_ip >> 16) & 0x7F);
    p[4] = static_cast<std::uint8_t>(s.dst_ip >> 8);
    p[5] = static_cast<std::uint8_t>(s.dst_ip);
  } else {
    static constexpr std::uint8_t kGw[6] = {0x00, 0x1C, 0x73, 0x99, 0x00, 0x01};
    std::memcpy(p, kGw, 6);
  }
  std::memcpy(p + 6, line.src_mac, 6);
  std::size_t o = 12;
  if (s.vlan) {
    store_be16(p + o, 0x8100);
    store_be16(p + o + 2, line.vlan_id);
    o += 4;
  }
  store_be16(p + o, 0x0800);
  std::uint8_t* ip = p + eth;
  ip[0] = static_cast<std::uint8_t>((s.version << 4) | ihl);
  ip[1] = 0;
  store_be16(ip + 2, static_cast<std::uint16_t>(ihl * 4 + l4_len));
  store_be16(ip + 4, line.ip_id++);
  store_be16(ip + 6, s.frag);
  ip[8] = line.ttl;
  ip[9] = s.proto;
  store_be32(ip + 12, line.src_ip);
  store_be32(ip + 16, s.dst_ip);
  if (s.opt_words > 0) {  // Router Alert, then NOPs, closed by End of Option List
    std::uint8_t* opt = ip + 20;
    const std::size_t len = ihl * 4 - 20;
    opt[0] = 0x94;
    opt[1] = 0x04;
    for (std::size_t i = 4; i < len; ++i) opt[i] = 0x01;
    if (len > 4) opt[len - 1] = 0x00;
  }
  store_be16(ip + 10, ip_checksum(ip, ihl * 4));
  return f;
}

Bytes udp_frame(LineAddr& line, const IpSpec& s, std::uint16_t port, const std::uint8_t* payload,
                std::size_t n, std::size_t udp_len_claim = 0) {
  Bytes f = ip_headers(line, s, 8 + n);
  const std::size_t o = f.size();
  f.resize(o + 8 + n);
  store_be16(f.data() + o, port);
  store_be16(f.data() + o + 2, port);
  store_be16(f.data() + o + 4, static_cast<std::uint16_t>(udp_len_claim ? udp_len_claim : 8 + n));
  // UDP checksum 0 = not computed, which IPv4 allows.
  if (n) std::memcpy(f.data() + o + 8, payload, n);
  return f;
}

// ---------------------------------------------------------------------------------------------
// The two lines: copies, loss, duplicates, jitter, in-line reordering and bad frames, merged into
// one time-ordered file. Frames get a sort key (packet number scaled by kUnit plus an offset);
// anything whose key can no longer be undercut is written, so memory stays bounded.

class LineMux {
 public:
  static constexpr std::int64_t kUnit = 1 << 20;

  LineMux(const GenOptions& o, CaptureWriter& w, GenStats& st)
      : o_(o), w_(w), st_(st), rng_(o.seed, 2), mal_(o.seed, 3), jitter_(o.jitter_packets) {
    line_[0] = LineAddr{capgen::kSourceIpA, {0x00, 0x1C, 0x73, 0x00, 0x00, 0x01}, 61, 310, 1};
    line_[1] = LineAddr{capgen::kSourceIpB, {0x00, 0x1C, 0x73, 0x00, 0x00, 0x02}, 59, 320, 1};
  }

  void incremental(std::uint32_t seq, const Bytes& payload, std::uint64_t send_ts) {
    const std::int64_t base = key_base(seq);
    const std::int64_t step = kUnit * 9 / 10;  // < kUnit keeps line B in order
    b_offset_ =
        std::clamp(b_offset_ + rng_.range64(-step, step), -jitter_ * kUnit, jitter_ * kUnit);
    const int lost = draw_loss();
    static constexpr std::uint32_t kIp[2] = {capgen::kIncrementalIpA, capgen::kIncrementalIpB};
    static constexpr std::uint16_t kPort[2] = {capgen::kIncrementalPortA,
                                               capgen::kIncrementalPortB};
    for (int l = 0; l < 2; ++l) {
      if (lost & (1 << l)) continue;
      Pending f;
      f.key = l == 0 ? base : base + b_offset_;
      f.tie = rng_.bits();
      f.base_ts = send_ts + static_cast<std::uint64_t>(l == 0 ? rng_.range(3000, 3400)
                                                              : rng_.range(3100, 3500));
      IpSpec s = frame_spec(kIp[l]);
      if (l == 0 && o_.malformed_a > 0 && mal_.chance(o_.malformed_a)) {
        const Bytes bad = malformed(payload);
        f.bytes = udp_frame(line_[l], s, kPort[l], bad.data(), bad.size());
        ++st_.malformed_a;
      } else {
        f.bytes = udp_frame(line_[l], s, kPort[l], payload.data(), payload.size());
      }
      push_line(l, std::move(f));
    }
    if (rng_.chance(o_.garbage)) {
      Pending g;
      g.key = base + rng_.range64(1, kUnit / 2);
      g.tie = rng_.bits();
      g.base_ts = send_ts + static_cast<std::uint64_t>(rng_.range(0, 5000));
      g.bytes = garbage(payload);
      push(std::move(g));
      ++st_.garbage;
    }
    // Every frame made from now on has a key >= (seq + 8) * kUnit (line B leads by at most J
    // packets; a held copy swaps only with the next packet's), so lower keys are final.
    flush(base - (jitter_ + 1) * kUnit);
  }

  void snapshot(std::uint32_t after_seq, int index, const Bytes& payload, std::uint64_t send_ts) {
    const std::int64_t base = key_base(after_seq) + kUnit / 2 + 16 * index;
    const int lost = draw_loss();
    const int a_second = static_cast<int>(rng_.bits() & 1);
    static constexpr std::uint32_t kIp[2] = {capgen::kRecoveryIpA, capgen::kRecoveryIpB};
    static constexpr std::uint16_t kPort[2] = {capgen::kRecoveryPortA, capgen::kRecoveryPortB};
    for (int l = 0; l < 2; ++l) {
      if (lost & (1 << l)) continue;
      Pending f;
      f.key = base + (l == 0 ? a_second : 1 - a_second);
      f.tie = rng_.bits();
      f.base_ts = send_ts + static_cast<std::uint64_t>(rng_.range(3000, 3500));
      IpSpec s = frame_spec(kIp[l]);
      f.bytes = udp_frame(line_[l], s, kPort[l], payload.data(), payload.size());
      push_dup(std::move(f));
    }
  }

  void finish() {
    for (int l = 0; l < 2; ++l) {
      if (has_held_[l]) push_dup(std::move(held_[l]));
      has_held_[l] = false;
    }
    flush(std::numeric_limits<std::int64_t>::max());
  }

 private:
  struct Pending {
    std::int64_t key = 0;
    std::uint64_t tie = 0;
    std::uint64_t order = 0;
    std::uint64_t base_ts = 0;
    Bytes bytes;
  };
  struct Later {  // min-heap on (key, tie, order)
    bool operator()(const Pending& a, const Pending& b) const {
      if (a.key != b.key) return a.key > b.key;
      if (a.tie != b.tie) return a.tie > b.tie;
      return a.order > b.order;
    }
  };

  std::int64_t key_base(std::uint32_t seq) const {
    return (static_cast<std::int64_t>(seq) + jitter_ + 8) * kUnit;
  }

  int draw_loss() {  // bit 0: lost on A, bit 1: lost on B
    const double u = rng_.unit();
    if (u < o_.loss_both) {
      ++st_.lost_both;
      return 3;
    }
    if (u < o_.loss_both + o_.loss_a) {
      ++st_.lost_a;
      return 1;
    }
    if (u < o_.loss_both + o_.loss_a + o_.loss_b) {
      ++st_.lost_b;
      return 2;
    }
    return 0;
  }

  IpSpec frame_spec(std::uint32_t dst) {
    IpSpec s;
    s.dst_ip = dst;
    s.vlan = rng_.chance(o_.vlan);
    s.opt_words = rng_.chance(o_.ip_options) ? rng_.range(1, 10) : 0;
    return s;
  }

  // In-line reordering: each line holds its latest copy back one packet so it can swap places with
  // the next one; a copy that moved is not swapped again.
  void push_line(int l, Pending f) {
    bool swapped = false;
    if (has_held_[l]) {
      if (!held_swapped_[l] && rng_.chance(o_.reorder)) {
        std::swap(held_[l].key, f.key);
        swapped = true;
      }
      push_dup(std::move(held_[l]));
    }
    held_[l] = std::move(f);
    has_held_[l] = true;
    held_swapped_[l] = swapped;
  }

  void push_dup(Pending f) {
    if (rng_.chance(o_.dup)) {
      Pending d;
      d.key = f.key + rng_.range64(1, kUnit);
      d.tie = rng_.bits();
      d.base_ts = f.base_ts + static_cast<std::uint64_t>(rng_.range(100, 3000));
      d.bytes = f.bytes;
      push(std::move(d));
      ++st_.dups;
    }
    push(std::move(f));
  }

  void push(Pending f) {
    f.order = order_++;
    heap_.push_back(std::move(f));
    std::push_heap(heap_.begin(), heap_.end(), Later{});
  }

  void flush(std::int64_t below) {
    while (!heap_.empty() && heap_.front().key < below) {
      std::pop_heap(heap_.begin(), heap_.end(), Later{});
      Pending& f = heap_.back();
      // 10GbE serialisation of the previous frame (+preamble, FCS, gap) keeps stamps increasing.
      const std::uint64_t ts = std::max(last_ts_ + (last_len_ + 24) * 8 / 10, f.base_ts);
      w_.write(ts, f.bytes.data(), f.bytes.size());
      last_ts_ = ts;
      last_len_ = f.bytes.size();
      ++st_.frames;
      heap_.pop_back();
    }
  }

  void random_fill(std::uint8_t* p, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<std::uint8_t>(rng_.bits());
  }

  // A frame no receiver may take as an MDP packet; payload is the canonical packet it follows.
  Bytes garbage(const Bytes& payload) {
    LineAddr& a = line_[0];
    IpSpec s = frame_spec(capgen::kIncrementalIpA);
    Bytes f;
    switch (rng_.range(0, 7)) {
      case 0: {  // runt
        f.resize(static_cast<std::size_t>(rng_.range(1, 13)));
        random_fill(f.data(), f.size());
        break;
      }
      case 1: {  // ARP request, padded to the Ethernet minimum
        f.assign(60, 0);
        std::memset(f.data(), 0xFF, 6);
        std::memcpy(f.data() + 6, a.src_mac, 6);
        store_be16(f.data() + 12, 0x0806);
        std::uint8_t* r = f.data() + 14;
        store_be16(r, 1);
        store_be16(r + 2, 0x0800);
        r[4] = 6;
        r[5] = 4;
        store_be16(r + 6, 1);
        std::memcpy(r + 8, a.src_mac, 6);
        store_be32(r + 14, a.src_ip);
        store_be32(r + 24, 0x0A0000FE);
        break;
      }
      case 2: {                  // IPv4 fragment to line A
        if (rng_.chance(0.5)) {  // first fragment: UDP header claiming the whole packet
          const std::size_t part =
              std::min<std::size_t>(8 * static_cast<std::size_t>(rng_.range(1, 4)),
                                    (payload.size() - 1) & ~std::size_t{7});
          s.frag = 0x2000;  // MF
          f = udp_frame(a, s, capgen::kIncrementalPortA, payload.data(), part, 8 + payload.size());
          // udp_frame sized the IP total length to what is present; a first fragment is exactly
          // that.
        } else {
          s.frag = static_cast<std::uint16_t>((rng_.chance(0.5) ? 0x2000 : 0) | rng_.range(1, 185));
          const auto n = static_cast<std::size_t>(rng_.range(16, 200));
          f = ip_headers(a, s, n);
          const std::size_t o = f.size();
          f.resize(o + n);
          random_fill(f.data() + o, n);
        }
        break;
      }
      case 3: {  // UDP to a port no feed uses
        Bytes junk(static_cast<std::size_t>(rng_.range(20, 300)));
        random_fill(junk.data(), junk.size());
        f = udp_frame(a, s, 9999, junk.data(), junk.size());
        break;
      }
      case 4: {  // UDP length larger than the datagram
        Bytes junk(static_cast<std::size_t>(rng_.range(20, 300)));
        random_fill(junk.data(), junk.size());
        f = udp_frame(a, s, capgen::kIncrementalPortA, junk.data(), junk.size(),
                      8 + junk.size() + static_cast<std::size_t>(rng_.range(1, 200)));
        break;
      }
      case 5: {  // a copy of the packet cut inside one of its messages; IP/UDP claim the full size
        f = udp_frame(a, s, capgen::kIncrementalPortA, payload.data(), payload.size());
        std::vector<std::pair<std::size_t, std::size_t>> msgs;
        for (std::size_t off = 12; off + 2 <= payload.size();) {
          const std::size_t sz = load_le<std::uint16_t>(payload.data() + off);
          msgs.emplace_back(off, sz);
          off += sz;
        }
        const auto& m = msgs[rng_.below(msgs.size())];
        const std::size_t cut =
            m.first + static_cast<std::size_t>(rng_.range(1, static_cast<int>(m.second) - 1));
        f.resize(f.size() - payload.size() + cut);
        break;
      }
      case 6: {  // IPv4 header with a wrong version nibble, checksum valid for the bytes present
        static constexpr std::uint8_t kVersions[4] = {0, 5, 6, 15};
        s.version = kVersions[rng_.below(4)];
        f = udp_frame(a, s, capgen::kIncrementalPortA, payload.data(), payload.size());
        break;
      }
      default: {  // TCP to the feed's address and port
        s.proto = 6;
        const auto n = static_cast<std::size_t>(rng_.range(10, 200));
        f = ip_headers(a, s, 20 + n);
        const std::size_t o = f.size();
        f.resize(o + 20 + n);
        std::uint8_t* t = f.data() + o;
        store_be16(t, 40000);
        store_be16(t + 2, capgen::kIncrementalPortA);
        store_be32(t + 4, static_cast<std::uint32_t>(rng_.bits()));
        store_be32(t + 8, static_cast<std::uint32_t>(rng_.bits()));
        t[12] = 5 << 4;
        t[13] = 0x18;  // PSH ACK
        store_be16(t + 14, 65535);
        random_fill(t + 20, n);
        break;
      }
    }
    return f;
  }

  // malformed_a: the packet with its last message's MsgSize raised by 1..16, so that the message
  // runs past the packet's end (MsgSizeOverrun) while the messages before it are intact: a
  // receiver that applies messages as they stream has applied those when the packet turns out
  // bad (the cut-through card's undo). The frame around it (IP/UDP lengths) stays valid.
  Bytes malformed(const Bytes& payload) {
    Bytes bad = payload;
    std::size_t last = 12;  // the first message, after MsgSeqNum and SendingTime
    for (std::size_t off = last; off + 2 <= bad.size();) {
      const std::uint16_t size = load_le<std::uint16_t>(bad.data() + off);
      if (size < 2) break;  // never in a generated packet
      last = off;
      off += size;
    }
    store_le<std::uint16_t>(bad.data() + last,
                            static_cast<std::uint16_t>(load_le<std::uint16_t>(bad.data() + last) +
                                                       mal_.range(1, 16)));
    return bad;
  }

  const GenOptions& o_;
  CaptureWriter& w_;
  GenStats& st_;
  Rng rng_;
  Rng mal_;  // malformed_a's own stream: every other frame is as without it
  std::int64_t jitter_;
  LineAddr line_[2];
  std::int64_t b_offset_ = 0;
  Pending held_[2];
  bool has_held_[2] = {false, false};
  bool held_swapped_[2] = {false, false};
  std::vector<Pending> heap_;
  std::uint64_t order_ = 0;
  std::uint64_t last_ts_ = 0;
  std::uint64_t last_len_ = 0;
};

// ---------------------------------------------------------------------------------------------
// JSON lines for the truth files.

class JsonLine {
 public:
  JsonLine& raw(std::string_view s) {
    s_.append(s);
    return *this;
  }
  template <typename T>
  JsonLine& num(T v) {
    char b[24];
    auto r = std::to_chars(b, b + sizeof b, v);
    s_.append(b, r.ptr);
    return *this;
  }
  template <typename T>
  JsonLine& num_or_null(bool is_null, T v) {
    return is_null ? raw("null") : num(v);
  }
  void flush_to(std::FILE* f) {
    s_.push_back('\n');
    if (std::fwrite(s_.data(), 1, s_.size(), f) != s_.size()) {
      throw std::runtime_error("capgen: write error on a truth file");
    }
    s_.clear();
  }

 private:
  std::string s_;
};

// ---------------------------------------------------------------------------------------------
// The generator: market model, MDP encoding into canonical packets, truth records.

class Generator {
 public:
  Generator(const GenOptions& o, LineMux& mux, GenStats& st, std::FILE* td, std::FILE* tb)
      : o_(o), mux_(mux), st_(st), td_(td), tb_(tb), rng_(o.seed, 1), jumbo_rng_(o.seed, 4) {
    v9_ = o.schema_version >= 9;
    inst_.resize(static_cast<std::size_t>(o.instruments));
    for (int i = 0; i < o.instruments; ++i) init_instrument(i);
    pkt_.reserve(capgen::kMaxPayload + 64);
  }

  void run() {
    for (int i = 0; i < n_inst(); ++i) put_definition(i);
    close_packet();
    for (int i = 0; i < n_inst(); ++i) initial_build(i);
    for (int e = 0; e < o_.events; ++e) {
      events_done_ = static_cast<std::uint64_t>(e);
      for (int i = 0; i < n_inst(); ++i) {
        Instrument& in = inst(i);
        if (in.halted && in.resume_at <= events_done_) status_event(i, false);
      }
      if (o_.halt > 0 && rng_.chance(o_.halt)) {
        const int h = pick_instrument();
        if (h >= 0) status_event(h, true);
      }
      market_event();
    }
    close_packet();
  }

 private:
  // ----- instruments ------------------------------------------------------------------------

  int n_inst() const { return static_cast<int>(inst_.size()); }
  Instrument& inst(int i) { return inst_[static_cast<std::size_t>(i)]; }

  void init_instrument(int i) {
    Instrument& in = inst(i);
    const int expiry = i / 4;
    in.prod = &kProducts[i % 4];
    const int m = 11 + expiry;  // December 2026 first
    in.year = 2026 + m / 12;
    in.month = m % 12 + 1;
    std::snprintf(in.symbol, sizeof in.symbol, "%s%c%d", in.prod->code, kMonthCodes[m % 12],
                  in.year % 10);
    in.security_id = capgen::kFirstSecurityId + i;
    in.tick7 = in.prod->tick7;
    in.tick9 = in.tick7 * 100;
    in.start_ticks = in.prod->start_ticks + in.prod->start_ticks * expiry / 250;  // contango
    in.ref_ticks = in.start_ticks;
    in.target_levels = thin_target(expiry == 0);
    for (int s = 0; s < 4; ++s) {
      in.side[s].bid = (s % 2) == 0;
      in.side[s].implied = s >= 2;
      in.side[s].depth = s >= 2 ? 2 : o_.depth;
      in.view[s].assign(static_cast<std::size_t>(in.side[s].depth), Slot{});
    }
  }

  // Front months trade more: the smaller of two uniform picks; halted instruments are skipped.
  int pick_instrument(int exclude = -1) {
    const int n = n_inst();
    for (int t = 0; t < 8; ++t) {
      const int i = std::min(rng_.range(0, n - 1), rng_.range(0, n - 1));
      if (i != exclude && !inst(i).halted) return i;
    }
    const int start = rng_.range(0, n - 1);
    for (int k = 0; k < n; ++k) {
      const int i = (start + k) % n;
      if (i != exclude && !inst(i).halted) return i;
    }
    return -1;
  }

  std::int32_t rand_size(const Instrument& in) {
    const double u = rng_.unit();
    return 1 + static_cast<std::int32_t>(u * u * in.prod->max_size);
  }
  std::int32_t rand_orders(std::int32_t size) { return rng_.range(1, std::min(size, 8)); }
  int biased_rank(int n) {
    const double u = rng_.unit();
    return std::min(n - 1, static_cast<int>(u * u * n));
  }

  // ----- exchange-side book operations; each appends the entries CME would send ---------------

  void touch(int ii) {
    Instrument& in = inst(ii);
    if (!in.in_event) {
      in.in_event = true;
      ev_.touched.push_back(ii);
    }
  }

  void emit(int ii, const Side& s, std::uint8_t action, int level, const Level* l) {
    BookEntry e{ii, 0, true, kNullI32, kNullI32, u8(level), action, s.type()};
    if (l != nullptr) {
      e.px = l->px;
      e.px_null = false;
      e.size = l->size;
      e.orders = s.implied ? kNullI32 : l->orders;
    }
    (s.implied ? ev_.implied : ev_.outright).push_back(e);
  }

  void op_add(int ii, int si, Level l) {
    touch(ii);
    Side& s = inst(ii).side[si];
    if (s.implied) l.orders = kNullI32;
    const int r = s.insert_pos(l.px);
    s.lv.insert(s.lv.begin() + r, l);
    if (r < s.depth) emit(ii, s, kNew, r + 1, &l);  // the old level D falls off silently
  }

  void op_change(int ii, int si, int r, std::int32_t size, std::int32_t orders) {
    touch(ii);
    Side& s = inst(ii).side[si];
    Level& l = s.lv[static_cast<std::size_t>(r)];
    l.size = size;
    l.orders = s.implied ? kNullI32 : orders;
    if (r < s.depth) emit(ii, s, kChange, r + 1, &l);
  }

  void op_remove(int ii, int si, int r) {
    touch(ii);
    Side& s = inst(ii).side[si];
    const Level old = s.lv[static_cast<std::size_t>(r)];
    s.lv.erase(s.lv.begin() + r);
    if (r >= s.depth) return;
    const Level gone{old.px, 0, 0};
    emit(ii, s, kDelete, r + 1, &gone);
    // The bottom level the shift emptied is refilled by a New when a deeper price exists.
    if (s.size() >= s.depth) {
      emit(ii, s, kNew, s.depth, &s.lv[static_cast<std::size_t>(s.depth - 1)]);
    }
  }

  void op_overlay(int ii, int si, int r, Level l) {
    touch(ii);
    Side& s = inst(ii).side[si];
    if (s.implied) l.orders = kNullI32;
    s.lv[static_cast<std::size_t>(r)] = l;
    if (r < s.depth) emit(ii, s, kOverlay, r + 1, &l);
  }

  void op_delete_from(int ii, int si, int k) {  // 1 <= k <= min(depth, size)
    touch(ii);
    Side& s = inst(ii).side[si];
    const Level last{s.lv[static_cast<std::size_t>(k - 1)].px, 0, 0};
    s.lv.erase(s.lv.begin(), s.lv.begin() + k);
    emit(ii, s, kDeleteFrom, k, &last);
    for (int i = s.depth - k; i < s.visible(); ++i) {
      emit(ii, s, kNew, i + 1, &s.lv[static_cast<std::size_t>(i)]);
    }
  }

  void op_delete_thru(int ii, int si) {
    touch(ii);
    Side& s = inst(ii).side[si];
    s.lv.clear();
    emit(ii, s, kDeleteThru, 1, nullptr);
  }

  void op_reset(int ii) {
    touch(ii);
    Instrument& in = inst(ii);
    for (Side& s : in.side) s.lv.clear();
    ev_.outright.push_back(BookEntry{ii, 0, true, kNullI32, kNullI32, kNullU8, kNew, 'J'});
  }

  // ----- market behaviour -----------------------------------------------------------------------

  void rebuild_side(int ii, int si) {
    Instrument& in = inst(ii);
    Side& s = in.side[si];
    const std::int64_t dir = s.dir();
    std::int64_t px;
    if (!s.implied) {
      const Side& o = in.side[si ^ 1];
      if (!o.lv.empty()) {
        px = o.lv[0].px - dir * rng_.range(1, 2);
      } else {
        px = s.bid ? in.ref_ticks - rng_.range(0, 1) : in.ref_ticks + rng_.range(1, 2);
      }
      const int n = std::max(3, in.target_levels + rng_.range(-1, 3));
      for (int j = 0; j < n; ++j) {
        const std::int32_t sz = rand_size(in);
        op_add(ii, si, Level{px, sz, rand_orders(sz)});
        px -= dir * (rng_.chance(0.8) ? 1 : rng_.range(2, 3));
      }
    } else {
      const Side& same = in.side[si - 2];
      if (same.lv.empty()) return;
      px = same.lv[0].px - dir * rng_.range(0, 2);
      const int n = rng_.range(1, 3);
      for (int j = 0; j < n; ++j) {
        op_add(ii, si, Level{px, rand_size(in) * 2, kNullI32});
        px -= dir * rng_.range(1, 2);
      }
    }
  }

  void add_quote(int ii, int si) {
    Instrument& in = inst(ii);
    Side& s = in.side[si];
    const Side& o = in.side[si ^ 1];
    if (s.lv.empty()) {
      rebuild_side(ii, si);
      return;
    }
    const std::int64_t dir = s.dir();
    const std::int64_t best = s.lv[0].px;
    const std::int64_t limit = o.lv.empty() ? best + dir * 3 : o.lv[0].px - dir;
    const std::int64_t room = (limit - best) * dir;
    std::int64_t px;
    if (room > 0 && rng_.chance(0.3)) {
      px = best + dir * rng_.range64(1, std::min<std::int64_t>(room, 3));
    } else {
      px = best - dir * rng_.range(0, s.depth + 3);
    }
    const int f = s.find(px);
    if (f >= 0) {
      const Level& l = s.lv[static_cast<std::size_t>(f)];
      const std::int32_t add = rand_size(in);
      op_change(ii, si, f, l.size + add, std::min(l.orders + 1, l.size + add));
      return;
    }
    const std::int32_t sz = rand_size(in);
    op_add(ii, si, Level{px, sz, rand_orders(sz)});
  }

  void quote_op(int ii) {
    Instrument& in = inst(ii);
    const int si = rng_.chance(0.5) ? kBid : kAsk;
    Side& s = in.side[si];
    const double u = rng_.unit();
    if (u < 0.45 || s.size() < 3) {
      add_quote(ii, si);
    } else if (u < 0.8) {
      const int r = biased_rank(s.visible());
      const Level& l = s.lv[static_cast<std::size_t>(r)];
      std::int32_t sz = l.size + (rng_.chance(0.5) ? rand_size(in) : -rng_.range(1, l.size));
      if (sz < 1 || sz == l.size) sz = l.size + 1;
      const std::int32_t orders = std::clamp(l.orders + rng_.range(-1, 1), 1, sz);
      op_change(ii, si, r, sz, orders);
    } else if (s.size() > 3) {
      op_remove(ii, si, biased_rank(s.visible()));
    } else {
      add_quote(ii, si);
    }
  }

  void overlay_op(int ii) {
    Instrument& in = inst(ii);
    const int si = rng_.chance(0.5) ? kBid : kAsk;
    Side& s = in.side[si];
    const Side& o = in.side[si ^ 1];
    if (s.visible() < 1) return quote_op(ii);
    const int r = rng_.range(0, s.visible() - 1);
    const std::int64_t dir = s.dir();
    const std::size_t ur = static_cast<std::size_t>(r);
    const std::int64_t best_ok =
        r == 0 ? (o.lv.empty() ? s.lv[0].px + dir * 3 : o.lv[0].px - dir) : s.lv[ur - 1].px - dir;
    const std::int64_t worst_ok = r + 1 < s.size() ? s.lv[ur + 1].px + dir : s.lv[ur].px - dir * 3;
    const std::int64_t span = (best_ok - worst_ok) * dir + 1;
    if (span < 2) return quote_op(ii);
    std::int64_t k = rng_.range64(0, span - 1);
    if (worst_ok + dir * k == s.lv[ur].px) k = (k + 1) % span;
    const std::int32_t sz = rand_size(in);
    op_overlay(ii, si, r, Level{worst_ok + dir * k, sz, rand_orders(sz)});
  }

  void trade_op(int ii) {
    Instrument& in = inst(ii);
    const bool buy = rng_.chance(0.5);
    const int rs = buy ? kAsk : kBid;  // resting side hit by the aggressor
    Side& r = in.side[rs];
    if (r.size() < 3) return quote_op(ii);
    const double u = rng_.unit();
    int kfull = u < 0.7 ? 0 : (u < 0.9 ? 1 : rng_.range(2, 3));
    kfull = std::min(kfull, r.size() - 2);
    std::int32_t partial = 0;
    const Level& next = r.lv[static_cast<std::size_t>(kfull)];
    if (kfull == 0 || rng_.chance(0.6)) {
      if (next.size > 1) {
        partial = rng_.range(1, next.size - 1);
      } else if (kfull == 0) {
        kfull = 1;
      }
    }
    std::int32_t total = 0;
    for (int j = 0; j < kfull; ++j) {
      const Level& l = r.lv[static_cast<std::size_t>(j)];
      ev_.trades.push_back(TradeEntry{ii, l.px, l.size, l.orders + 1, u8(buy ? 1 : 2)});
      total += l.size;
    }
    std::int32_t filled_orders = 0;
    if (partial > 0) {
      const Level& l = r.lv[static_cast<std::size_t>(kfull)];
      filled_orders = rng_.range(0, l.orders - 1);
      ev_.trades.push_back(TradeEntry{ii, l.px, partial, filled_orders + 2, u8(buy ? 1 : 2)});
      total += partial;
    }
    const int refs = std::min(rng_.range(1, 3), total);
    for (int j = 0; j < refs; ++j) {
      next_order_id_ += static_cast<std::uint64_t>(rng_.range(1, 97));
      const std::int32_t q = j + 1 < refs ? total / refs : total - (total / refs) * (refs - 1);
      ev_.order_refs.push_back(OrderRef{next_order_id_, q});
    }
    in.volume += total;
    if (rng_.chance(0.3)) ev_.volume.push_back(VolumeEntry{ii, in.volume});

    const std::int64_t last_full_px = kfull > 0 ? r.lv[static_cast<std::size_t>(kfull - 1)].px : 0;
    if (kfull >= 2 && kfull <= r.depth && rng_.chance(0.7)) {
      op_delete_from(ii, rs, kfull);  // the price moved through several levels
    } else {
      for (int j = 0; j < kfull; ++j) op_remove(ii, rs, 0);
    }
    if (partial > 0) {
      const Level& l = r.lv[0];
      op_change(ii, rs, 0, l.size - partial, l.orders - filled_orders);
    } else if (kfull > 0 && rng_.chance(0.35)) {
      // The aggressor's remainder rests at the last price it cleared.
      const std::int32_t sz = rand_size(in);
      op_add(ii, rs ^ 1, Level{last_full_px, sz, 1});
    }
  }

  void implied_op(int ii) {
    Instrument& in = inst(ii);
    const int si = rng_.chance(0.5) ? kImpBid : kImpAsk;
    Side& s = in.side[si];
    const Side& same = in.side[si - 2];
    if (same.lv.empty() || in.side[(si - 2) ^ 1].lv.empty()) return;
    const double u = rng_.unit();
    if (s.lv.empty() || (s.size() < 4 && u < 0.45)) {
      const std::int64_t px = same.lv[0].px - s.dir() * rng_.range(0, 3);
      const int f = s.find(px);
      if (f >= 0) {
        op_change(ii, si, f, s.lv[static_cast<std::size_t>(f)].size + rand_size(in), kNullI32);
      } else {
        op_add(ii, si, Level{px, rand_size(in) * 2, kNullI32});
      }
    } else if (u < 0.8) {
      const int r = rng_.range(0, s.visible() - 1);
      const std::int32_t old = s.lv[static_cast<std::size_t>(r)].size;
      std::int32_t sz = rand_size(in) * 2;
      if (sz == old) ++sz;
      op_change(ii, si, r, sz, kNullI32);
    } else {
      op_remove(ii, si, rng_.range(0, s.visible() - 1));
    }
  }

  // Implied prices never cross the outright book or each other.
  void reconcile_implied(int ii) {
    Instrument& in = inst(ii);
    const Side& ob = in.side[kBid];
    const Side& oa = in.side[kAsk];
    Side& ib = in.side[kImpBid];
    Side& ia = in.side[kImpAsk];
    while (!ib.lv.empty() && !oa.lv.empty() && ib.lv[0].px >= oa.lv[0].px)
      op_remove(ii, kImpBid, 0);
    while (!ia.lv.empty() && !ob.lv.empty() && ia.lv[0].px <= ob.lv[0].px)
      op_remove(ii, kImpAsk, 0);
    while (!ib.lv.empty() && !ia.lv.empty() && ib.lv[0].px >= ia.lv[0].px)
      op_remove(ii, kImpBid, 0);
    while (ib.size() > 4) op_remove(ii, kImpBid, ib.size() - 1);
    while (ia.size() > 4) op_remove(ii, kImpAsk, ia.size() - 1);
  }

  // Front months keep hidden levels below the visible depth, so a Delete pulls one up with a New
  // at the bottom; back months (and now and then any book) are thinner than the depth, so Deletes
  // leave the bottom empty and News push nothing off.
  int thin_target(bool front) {
    return front ? o_.depth + 3 : rng_.range(std::max(3, o_.depth / 2), o_.depth + 3);
  }

  void replenish(int ii) {
    Instrument& in = inst(ii);
    if (rng_.chance(0.01)) in.target_levels = thin_target(rng_.chance(0.5));
    for (int si = kBid; si <= kAsk; ++si) {
      Side& s = in.side[si];
      if (s.lv.empty()) rebuild_side(ii, si);
      while (s.size() < in.target_levels) {
        const std::int32_t sz = rand_size(in);
        op_add(ii, si, Level{s.lv.back().px - s.dir() * rng_.range(1, 2), sz, rand_orders(sz)});
      }
      while (s.size() > std::max(in.target_levels, s.depth) + 10) op_remove(ii, si, s.size() - 1);
    }
  }

  void finish_event_model() {
    for (std::size_t t = 0; t < ev_.touched.size(); ++t) {  // touched may grow: index loop
      const int ii = ev_.touched[t];
      replenish(ii);
      if (o_.implied) reconcile_implied(ii);
    }
    if (ev_.outright.empty() && ev_.implied.empty()) {
      // Every change so far was below the visible depth; make the event visible.
      const int ii = ev_.touched.empty() ? 0 : ev_.touched[0];
      Side& s = inst(ii).side[kBid];
      const Level& l = s.lv[0];
      op_change(ii, kBid, 0, l.size + 1, std::min(l.orders + 1, l.size + 1));
    }
    for (int ii : ev_.touched) {
      Instrument& in = inst(ii);
      if (!in.side[kBid].lv.empty() && !in.side[kAsk].lv.empty()) {
        in.ref_ticks = (in.side[kBid].lv[0].px + in.side[kAsk].lv[0].px) / 2;
      }
    }
  }

  void initial_build(int ii) {
    ev_.clear();
    rebuild_side(ii, kBid);
    rebuild_side(ii, kAsk);
    if (o_.implied) {
      rebuild_side(ii, kImpBid);
      rebuild_side(ii, kImpAsk);
    }
    finish_event_model();
    emit_event();
  }

  void market_event() {
    ev_.clear();
    int ii = pick_instrument();
    if (ii < 0) {  // everything halted: resume the one due first
      ii = 0;
      for (int i = 1; i < n_inst(); ++i) {
        if (inst(i).resume_at < inst(ii).resume_at) ii = i;
      }
      status_event(ii, false);
      ev_.clear();
    }
    const double u = rng_.unit();
    if (u < 0.002) {
      op_reset(ii);  // Book Reset, then a rebuild with News
      rebuild_side(ii, kBid);
      rebuild_side(ii, kAsk);
      if (o_.implied) {
        rebuild_side(ii, kImpBid);
        rebuild_side(ii, kImpAsk);
      }
    } else if (u < 0.007) {
      const int si = rng_.chance(0.5) ? kBid : kAsk;
      op_delete_thru(ii, si);
      rebuild_side(ii, si);
    } else if (u < 0.13) {
      trade_op(ii);
    } else if (u < 0.16) {
      overlay_op(ii);
    } else {
      const double k = rng_.unit();
      const int n = k < 0.7 ? 1 : (k < 0.9 ? 2 : 3);
      for (int j = 0; j < n; ++j) quote_op(ii);
    }
    if (o_.implied && rng_.chance(0.3)) implied_op(ii);
    if (n_inst() > 1 && rng_.chance(0.08)) {  // a second instrument in the same event
      const int jj = pick_instrument(ii);
      if (jj >= 0) {
        if (o_.implied && rng_.chance(0.5)) {
          implied_op(jj);
        } else {
          quote_op(jj);
        }
      }
    }
    finish_event_model();
    emit_event();
  }

  void status_event(int ii, bool halt) {
    Instrument& in = inst(ii);
    in.halted = halt;
    if (halt) in.resume_at = events_done_ + static_cast<std::uint64_t>(rng_.range(20, 200));
    event_tt_set_ = false;
    put(40, [&] { write_status(ii, halt); });
    after_event();
  }

  // ----- encoding -------------------------------------------------------------------------------

  std::uint8_t* grow(std::size_t n) {
    const std::size_t off = pkt_.size();
    pkt_.resize(off + n);  // zero-filled: padding and empty fields are 0
    return pkt_.data() + off;
  }

  static void msg_header(std::uint8_t* p, std::size_t size, std::size_t block, int tid,
                         int version) {
    store_le<std::uint16_t>(p, u16(size));
    store_le<std::uint16_t>(p + 2, u16(block));
    store_le<std::uint16_t>(p + 4, u16(static_cast<std::size_t>(tid)));
    store_le<std::uint16_t>(p + 6, kSchemaId);
    store_le<std::uint16_t>(p + 8, u16(static_cast<std::size_t>(version)));
  }

  std::int64_t wire_px(const Instrument& in, std::int64_t ticks) const {
    return ticks * (v9_ ? in.tick9 : in.tick7);
  }

  void open_packet() {
    ++inc_seq_;
    // Bursty like a real futures channel: mostly 1-50 us apart, a quarter 0.1-3 ms apart
    // (about 2,400 packets/s on average).
    const int gap_ns = rng_.chance(0.75) ? rng_.range(1000, 50000) : rng_.range(100000, 3000000);
    send_ts_ = inc_seq_ == 1 ? capgen::kStartTimeNs : send_ts_ + static_cast<std::uint64_t>(gap_ns);
    pkt_.assign(12, 0);
    store_le<std::uint32_t>(pkt_.data(), inc_seq_);
    store_le<std::uint64_t>(pkt_.data() + 4, send_ts_);
    msg_index_ = 0;
    vused_ = 12;
    open_ = true;
    // Its own stream: without jumbo packets nothing is drawn and every file is as before.
    jumbo_ = o_.jumbo > 0 && jumbo_rng_.chance(o_.jumbo);
    if (jumbo_) {
      // Filled to a size spread over 1,401..8,972 bytes: about 45 to 280 framer events, so the
      // packets fall on both sides of the card's 128 (and some on it).
      jumbo_cap_ = static_cast<std::size_t>(jumbo_rng_.range(
          static_cast<int>(capgen::kMaxPayload) + 1, static_cast<int>(capgen::kJumboPayload)));
      ++st_.jumbo;
    }
  }

  void close_packet() {
    if (!open_) return;
    open_ = false;
    mux_.incremental(inc_seq_, pkt_, send_ts_);
    ++st_.packets;
    if (o_.snapshot_every > 0 && inc_seq_ % static_cast<std::uint32_t>(o_.snapshot_every) == 0) {
      snapshot_loop();
    }
  }

  // Packing decisions use the message size of the newest layout (vsize), so every schema version
  // splits the same market into the same packets and sequence numbers.
  template <typename Write>
  void put(std::size_t vsize, Write&& write) {
    const std::size_t cap =
        jumbo_ ? jumbo_cap_ : static_cast<std::size_t>(o_.max_payload);
    if (open_ && vused_ + vsize > cap) close_packet();
    if (!open_) open_packet();
    if (!event_tt_set_) {
      event_tt_ =
          std::max(last_tt_ + 1, send_ts_ - static_cast<std::uint64_t>(rng_.range(300, 5000)));
      last_tt_ = event_tt_;
      event_tt_set_ = true;
    }
    write();
    vused_ += vsize;
    ++msg_index_;
  }

  void after_event() {
    if (rng_.chance(0.45)) {
      if (!jumbo_) close_packet();  // a jumbo packet is filled until the next event does not fit
      if (rng_.chance(0.01)) {  // a quiet moment: heartbeat packet (a heartbeat in a jumbo one)
        event_tt_set_ = false;
        put(10, [&] { msg_header(grow(10), 10, 0, 12, o_.schema_version); });
        if (!jumbo_) close_packet();
      }
    }
  }

  static std::size_t book_msg_size(std::size_t n, int version) {
    const bool order_group = version >= 7;  // 46 always has it; 32 since v7
    return 24 + 32 * n + (order_group ? 8 : 0);
  }

  void emit_event() {
    event_tt_set_ = false;
    book_.clear();
    book_.insert(book_.end(), ev_.outright.begin(), ev_.outright.end());
    book_.insert(book_.end(), ev_.implied.begin(), ev_.implied.end());
    chunks_.clear();
    for (std::size_t at = 0; at < book_.size();) {
      std::size_t n = std::min<std::size_t>(20, book_.size() - at);
      if (n >= 2 && rng_.chance(0.12))
        n = static_cast<std::size_t>(rng_.range(1, static_cast<int>(n) - 1));
      chunks_.push_back(n);
      at += n;
    }
    const bool empty_tail = rng_.chance(0.1);
    const std::size_t n_msgs = (ev_.trades.empty() ? 0 : 1) + (ev_.volume.empty() ? 0 : 1) +
                               chunks_.size() + (empty_tail ? 1 : 0);
    std::size_t m = 0;
    auto next_msg = [&] {
      ++m;
      if (m < n_msgs && rng_.chance(0.06) && !jumbo_)
        close_packet();  // the event continues in the next packet
    };
    auto last_flag = [&](std::uint8_t mei) {
      return m + 1 == n_msgs ? static_cast<std::uint8_t>(mei | kMeiEndOfEvent) : mei;
    };
    if (!ev_.trades.empty()) {
      const std::size_t vs = 24 + 32 * ev_.trades.size() + 8 + 16 * ev_.order_refs.size();
      const std::uint8_t mei = last_flag(kMeiLastTrade);
      put(vs, [&] { write_trade(mei); });
      next_msg();
    }
    if (!ev_.volume.empty()) {
      const std::uint8_t mei = last_flag(kMeiLastVolume);
      put(24 + 16 * ev_.volume.size(), [&] { write_volume(mei); });
      next_msg();
    }
    std::size_t at = 0;
    for (std::size_t c = 0; c < chunks_.size(); ++c) {
      std::uint8_t mei = 0;
      if (c + 1 == chunks_.size()) {
        mei = kMeiLastQuote | (ev_.implied.empty() ? 0 : kMeiLastImplied);
      }
      mei = last_flag(mei);
      const std::size_t n = chunks_[c];
      put(book_msg_size(n, 10), [&] { write_book(&book_[at], n, mei); });
      at += n;
      next_msg();
    }
    if (empty_tail) {
      put(book_msg_size(0, 10), [&] { write_book(nullptr, 0, kMeiEndOfEvent); });
      next_msg();
    }
    for (int ii : ev_.touched) {
      check_view(ii);
      inst(ii).in_event = false;
    }
    after_event();
  }

  void write_book(const BookEntry* e, std::size_t n, std::uint8_t mei) {
    const int ver = o_.schema_version;
    const std::size_t size = book_msg_size(n, ver);
    std::uint8_t* p = grow(size);
    msg_header(p, size, 11, v9_ ? 46 : 32, ver);
    store_le<std::uint64_t>(p + 10, event_tt_);
    p[18] = mei;
    store_le<std::uint16_t>(p + 21, 32);
    p[23] = static_cast<std::uint8_t>(n);
    for (std::size_t i = 0; i < n; ++i) {
      const BookEntry& b = e[i];
      Instrument& in = inst(b.inst);
      std::uint8_t* q = p + 24 + 32 * i;
      const std::uint32_t rpt = ++in.rpt_seq;
      const std::int64_t px = b.px_null ? kNullPx : wire_px(in, b.px);
      store_le<std::int64_t>(q, px);
      store_le<std::int32_t>(q + 8, b.size);
      store_le<std::int32_t>(q + 12, in.security_id);
      store_le<std::uint32_t>(q + 16, rpt);
      store_le<std::int32_t>(q + 20, b.orders);
      q[24] = b.level;
      q[25] = b.action;
      q[26] = static_cast<std::uint8_t>(b.type);
      if (ver >= 10) store_le<std::int32_t>(q + 27, kNullI32);  // TradeableSize
      in.last_tt = event_tt_;
      ++st_.entries;
      if (td_ != nullptr) {
        line_.raw("{\"seq\":").num(inc_seq_).raw(",\"msg\":").num(msg_index_);
        line_.raw(",\"entry\":").num(i).raw(",\"template\":").num(v9_ ? 46 : 32);
        line_.raw(",\"security_id\":").num(in.security_id).raw(",\"rpt_seq\":").num(rpt);
        line_.raw(",\"price\":").num_or_null(px == kNullPx, px);
        line_.raw(",\"price_exp\":").num(v9_ ? -9 : -7);
        line_.raw(",\"size\":").num_or_null(b.size == kNullI32, b.size);
        line_.raw(",\"orders\":").num_or_null(b.orders == kNullI32, b.orders);
        line_.raw(",\"level\":").num(b.level).raw(",\"action\":").num(b.action);
        const char type[2] = {b.type, 0};
        line_.raw(",\"type\":\"").raw(type).raw("\"}");
        line_.flush_to(td_);
      }
      apply_view(in, b);
      if (!in.in_pub) {
        in.in_pub = true;
        pub_.push_back(b.inst);
      }
    }
    if (ver >= 7) {  // NoOrderIDEntries, empty
      std::uint8_t* g = p + 24 + 32 * n;
      store_le<std::uint16_t>(g, 24);
      g[7] = 0;
    }
    publish(mei);
  }

  void write_trade(std::uint8_t mei) {
    const int ver = o_.schema_version;
    const std::size_t n = ev_.trades.size();
    const std::size_t m = ev_.order_refs.size();
    const std::size_t size = 24 + 32 * n + 8 + 16 * m;
    std::uint8_t* p = grow(size);
    msg_header(p, size, 11, v9_ ? 48 : 42, ver);
    store_le<std::uint64_t>(p + 10, event_tt_);
    p[18] = mei;
    store_le<std::uint16_t>(p + 21, 32);
    p[23] = static_cast<std::uint8_t>(n);
    for (std::size_t i = 0; i < n; ++i) {
      const TradeEntry& t = ev_.trades[i];
      Instrument& in = inst(t.inst);
      std::uint8_t* q = p + 24 + 32 * i;
      store_le<std::int64_t>(q, wire_px(in, t.px));
      store_le<std::int32_t>(q + 8, t.size);
      store_le<std::int32_t>(q + 12, in.security_id);
      store_le<std::uint32_t>(q + 16, ++in.rpt_seq);
      store_le<std::int32_t>(q + 20, t.orders);
      q[24] = t.aggressor;
      q[25] = kNew;
      if (ver >= 7) store_le<std::uint32_t>(q + 26, ++trade_id_);  // MDTradeEntryID
      in.last_tt = event_tt_;
    }
    std::uint8_t* g = p + 24 + 32 * n;
    store_le<std::uint16_t>(g, 16);
    g[7] = static_cast<std::uint8_t>(m);
    for (std::size_t j = 0; j < m; ++j) {
      store_le<std::uint64_t>(g + 8 + 16 * j, ev_.order_refs[j].order_id);
      store_le<std::int32_t>(g + 16 + 16 * j, ev_.order_refs[j].qty);
    }
    publish(mei);
  }

  void write_volume(std::uint8_t mei) {
    const std::size_t n = ev_.volume.size();
    const std::size_t size = 24 + 16 * n;
    std::uint8_t* p = grow(size);
    msg_header(p, size, 11, 37, o_.schema_version);
    store_le<std::uint64_t>(p + 10, event_tt_);
    p[18] = mei;
    store_le<std::uint16_t>(p + 21, 16);
    p[23] = static_cast<std::uint8_t>(n);
    for (std::size_t i = 0; i < n; ++i) {
      Instrument& in = inst(ev_.volume[i].inst);
      std::uint8_t* q = p + 24 + 16 * i;
      store_le<std::int32_t>(q, ev_.volume[i].volume);
      store_le<std::int32_t>(q + 4, in.security_id);
      store_le<std::uint32_t>(q + 8, ++in.rpt_seq);
      q[12] = kNew;
      in.last_tt = event_tt_;
    }
    publish(mei);
  }

  void write_status(int ii, bool halt) {
    Instrument& in = inst(ii);
    std::uint8_t* p = grow(40);
    msg_header(p, 40, 30, 30, o_.schema_version);
    std::uint8_t* r = p + 10;
    store_le<std::uint64_t>(r, event_tt_);
    std::memcpy(r + 8, in.prod->code, 3);   // SecurityGroup
    std::memcpy(r + 14, in.prod->code, 3);  // Asset
    store_le<std::int32_t>(r + 20, in.security_id);
    store_le<std::uint16_t>(r + 24, capgen::kTradeDate);
    r[26] = kMeiEndOfEvent;
    r[27] = halt ? 2 : 17;  // Trading halt / Ready to trade
    r[28] = halt ? 1 : 0;   // HaltReason: surveillance intervention / group schedule
    r[29] = 0;              // SecurityTradingEvent: no event
    in.wire_status = r[27];
    publish(kMeiEndOfEvent);
  }

  void put_definition(int ii) {
    const std::size_t nf = o_.implied ? 2 : 1;
    const std::size_t vsize = 10 + 224 + 3 + 3 + 4 * nf + 3 + 3;
    event_tt_set_ = false;
    put(vsize, [&] { write_definition(ii, nf); });
  }

  void write_definition(int ii, std::size_t nf) {
    const Instrument& in = inst(ii);
    const int ver = o_.schema_version;
    const std::size_t root = ver >= 10 ? 224 : 216;
    const std::size_t size = 10 + root + 3 + 3 + 4 * nf + 3 + 3;
    std::uint8_t* p = grow(size);
    msg_header(p, size, root, v9_ ? 54 : 27, ver);
    std::uint8_t* r = p + 10;
    auto chars = [&](std::size_t off, std::string_view s) {
      std::memcpy(r + off, s.data(), s.size());
    };
    const std::int64_t px_scale = v9_ ? in.tick9 : in.tick7;  // mantissa per tick
    r[0] = kMeiEndOfEvent;
    store_le<std::uint32_t>(r + 1, static_cast<std::uint32_t>(n_inst()));  // TotNumReports
    r[5] = 'A';                                                            // SecurityUpdateAction
    store_le<std::uint64_t>(r + 6, capgen::kStartTimeNs - 3'600'000'000'000ULL);
    r[14] = 17;                           // MDSecurityTradingStatus: ready to trade
    store_le<std::int16_t>(r + 15, 318);  // ApplID
    r[17] = 99;                           // MarketSegmentID
    r[18] = 2;                            // UnderlyingProduct
    chars(19, "XCME");                    // SecurityExchange
    chars(23, in.prod->code);             // SecurityGroup
    chars(29, in.prod->code);             // Asset
    chars(35, in.symbol);                 // Symbol
    store_le<std::int32_t>(r + 55, in.security_id);
    chars(59, "FUT");                                                      // SecurityType
    chars(65, "FFCXSX");                                                   // CFICode
    store_le<std::uint16_t>(r + 71, static_cast<std::uint16_t>(in.year));  // MaturityMonthYear
    r[73] = static_cast<std::uint8_t>(in.month);
    r[74] = kNullU8;
    r[75] = kNullU8;
    chars(76, "USD");                                                  // Currency
    chars(79, "USD");                                                  // SettlCurrency
    r[82] = 'F';                                                       // MatchAlgorithm: FIFO
    store_le<std::uint32_t>(r + 83, 1);                                // MinTradeVol
    store_le<std::uint32_t>(r + 87, 999);                              // MaxTradeVol
    store_le<std::int64_t>(r + 91, px_scale);                          // MinPriceIncrement
    store_le<std::int64_t>(r + 99, v9_ ? 1'000'000'000 : 10'000'000);  // DisplayFactor 1.0
    r[107] = kNullU8;                                                  // MainFraction
    r[108] = kNullU8;                                                  // SubFraction
    r[109] = kNullU8;                                                  // PriceDisplayFormat
    chars(110, in.prod->unit);                                         // UnitOfMeasure
    store_le<std::int64_t>(r + 140, v9_ ? in.prod->uom_qty9 : in.prod->uom_qty9 / 100);
    store_le<std::int64_t>(r + 148, in.start_ticks * px_scale);  // TradingReferencePrice
    r[156] = 0;                                                  // SettlPriceType
    store_le<std::int32_t>(r + 157, kNullI32);                   // OpenInterestQty
    store_le<std::int32_t>(r + 161, kNullI32);                   // ClearedVolume
    store_le<std::int64_t>(r + 165, high_limit(in) * px_scale);
    store_le<std::int64_t>(r + 173, low_limit(in) * px_scale);
    store_le<std::int64_t>(r + 181, kNullPx);     // MaxPriceVariation
    store_le<std::int32_t>(r + 189, kNullI32);    // DecayQuantity
    store_le<std::uint16_t>(r + 193, kNullDate);  // DecayStartDate
    store_le<std::int32_t>(r + 195, kNullI32);    // OriginalContractSize
    store_le<std::int32_t>(r + 199, kNullI32);    // ContractMultiplier
    r[203] = 0x7F;                                // ContractMultiplierUnit
    r[204] = 0x7F;                                // FlowScheduleType
    const double tick_value =
        static_cast<double>(px_scale) * static_cast<double>(in.prod->uom_qty9) / 1e9;
    store_le<std::int64_t>(r + 205, std::llround(tick_value));  // MinPriceIncrementAmount
    r[213] = 'N';                                               // UserDefinedInstrument
    store_le<std::uint16_t>(r + 214, static_cast<std::uint16_t>(capgen::kTradeDate - 1));
    if (root >= 224)
      store_le<std::uint64_t>(r + 216,
                              0x5454510000000000ULL | static_cast<std::uint32_t>(in.security_id));
    std::uint8_t* g = r + root;
    store_le<std::uint16_t>(g, 9);  // NoEvents: none
    g[2] = 0;
    g += 3;
    store_le<std::uint16_t>(g, 4);  // NoMDFeedTypes
    g[2] = static_cast<std::uint8_t>(nf);
    std::memcpy(g + 3, "GBX", 3);
    g[6] = static_cast<std::uint8_t>(o_.depth);
    if (nf == 2) {
      std::memcpy(g + 7, "GBI", 3);
      g[10] = 2;
    }
    g += 3 + 4 * nf;
    store_le<std::uint16_t>(g, 4);  // NoInstAttrib: none
    g[2] = 0;
    g += 3;
    store_le<std::uint16_t>(g, 5);  // NoLotTypeRules: none
    g[2] = 0;
    publish(kMeiEndOfEvent);
  }

  static std::int64_t high_limit(const Instrument& in) { return in.start_ticks * 107 / 100; }
  static std::int64_t low_limit(const Instrument& in) { return in.start_ticks * 93 / 100; }

  void snapshot_loop() {
    const int ver = o_.schema_version;
    for (int i = 0; i < n_inst(); ++i) {
      const Instrument& in = inst(i);
      std::size_t n = 0;
      for (const auto& v : in.view) {
        for (const Slot& sl : v) n += sl.on ? 1 : 0;
      }
      const std::size_t size = 10 + 59 + 3 + 22 * n;
      snap_.assign(12 + size, 0);
      rec_ts_ = std::max(rec_ts_ + 1, send_ts_ + 500 * static_cast<std::uint64_t>(i + 1));
      store_le<std::uint32_t>(snap_.data(), ++rec_seq_);
      store_le<std::uint64_t>(snap_.data() + 4, rec_ts_);
      std::uint8_t* p = snap_.data() + 12;
      msg_header(p, size, 59, v9_ ? 52 : 38, ver);
      std::uint8_t* r = p + 10;
      const std::int64_t px_scale = v9_ ? in.tick9 : in.tick7;
      store_le<std::uint32_t>(r, inc_seq_);  // LastMsgSeqNumProcessed
      store_le<std::uint32_t>(r + 4, static_cast<std::uint32_t>(n_inst()));
      store_le<std::int32_t>(r + 8, in.security_id);
      store_le<std::uint32_t>(r + 12, in.rpt_seq);
      store_le<std::uint64_t>(r + 16, in.last_tt);
      store_le<std::uint64_t>(r + 24, in.last_tt);
      store_le<std::uint16_t>(r + 32, capgen::kTradeDate);
      r[34] = in.wire_status;
      store_le<std::int64_t>(r + 35, high_limit(in) * px_scale);
      store_le<std::int64_t>(r + 43, low_limit(in) * px_scale);
      store_le<std::int64_t>(r + 51, kNullPx);
      store_le<std::uint16_t>(r + 59, 22);
      r[61] = static_cast<std::uint8_t>(n);
      std::uint8_t* q = r + 62;
      for (int si = 0; si < 4; ++si) {
        const Side& s = in.side[si];
        for (std::size_t lvl = 0; lvl < in.view[si].size(); ++lvl) {
          const Slot& sl = in.view[si][lvl];
          if (!sl.on) continue;
          store_le<std::int64_t>(q, sl.l.px * px_scale);
          store_le<std::int32_t>(q + 8, sl.l.size);
          store_le<std::int32_t>(q + 12, sl.l.orders);
          q[16] = static_cast<std::uint8_t>(lvl + 1);  // MDPriceLevel, int8
          store_le<std::uint16_t>(q + 17, kNullDate);  // TradingReferenceDate
          q[19] = kNullU8;                             // OpenCloseSettlFlag
          q[20] = 0;                                   // SettlPriceType
          q[21] = static_cast<std::uint8_t>(s.type());
          q += 22;
        }
      }
      mux_.snapshot(inc_seq_, i, snap_, rec_ts_);
      ++st_.packets;
    }
  }

  // ----- the receiver's view and the book truth -------------------------------------------------

  static int side_of(char type) {
    switch (type) {
      case '0':
        return kBid;
      case '1':
        return kAsk;
      case 'E':
        return kImpBid;
      default:
        return kImpAsk;
    }
  }

  [[noreturn]] static void internal(const char* what) {
    throw std::logic_error(std::string("capgen internal error: ") + what);
  }

  // The brief's action table, applied to what the wire says; check_view() holds it to the
  // exchange-side book after every event.
  static void apply_view(Instrument& in, const BookEntry& e) {
    if (e.type == 'J') {
      for (auto& v : in.view) std::fill(v.begin(), v.end(), Slot{});
      return;
    }
    auto& v = in.view[side_of(e.type)];
    const int d = static_cast<int>(v.size());
    const int n = e.level;
    if (n < 1 || n > d) internal("entry level outside the book depth");
    const Slot s{true, Level{e.px, e.size, e.orders}};
    switch (e.action) {
      case kNew:
        for (int i = d - 1; i >= n; --i) v[i] = v[i - 1];
        v[n - 1] = s;
        break;
      case kChange:
        if (!v[n - 1].on || v[n - 1].l.px != e.px) internal("Change at a different price");
        v[n - 1].l.size = e.size;
        v[n - 1].l.orders = e.orders;
        break;
      case kDelete:  // we send the removed price: hold it to the level it removes
        if (!v[n - 1].on || v[n - 1].l.px != e.px) internal("Delete of a different price");
        for (int i = n - 1; i + 1 < d; ++i) v[i] = v[i + 1];
        v[d - 1] = Slot{};
        break;
      case kDeleteThru:
        std::fill(v.begin(), v.end(), Slot{});
        break;
      case kDeleteFrom:
        if (!v[n - 1].on || v[n - 1].l.px != e.px) internal("DeleteFrom at a different price");
        for (int i = 0; i < d; ++i) v[i] = i + n < d ? v[i + n] : Slot{};
        break;
      case kOverlay:
        v[n - 1] = s;
        break;
      default:
        internal("unknown action");
    }
  }

  void check_view(int ii) {
    const Instrument& in = inst(ii);
    for (int si = 0; si < 4; ++si) {
      const Side& s = in.side[si];
      const auto& v = in.view[si];
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (i < s.lv.size()) {
          if (!v[i].on || !(v[i].l == s.lv[i])) internal("wire view differs from the book");
        } else if (v[i].on) {
          internal("wire view has a level the book does not");
        }
      }
    }
  }

  static Tob consolidated(const Instrument& in) {
    Tob t;
    auto best = [](const Slot& o, const Slot& im, bool bid, bool& on, std::int64_t& px,
                   std::int32_t& sz) {
      on = o.on || im.on;
      if (!on) return;
      if (o.on && im.on && o.l.px == im.l.px) {
        px = o.l.px;
        sz = o.l.size + im.l.size;
        return;
      }
      const Slot* w = &o;
      if (!o.on || (im.on && (bid ? im.l.px > o.l.px : im.l.px < o.l.px))) w = &im;
      px = w->l.px;
      sz = w->l.size;
    };
    best(in.view[kBid][0], in.view[kImpBid][0], true, t.bid_on, t.bid_px, t.bid_sz);
    best(in.view[kAsk][0], in.view[kImpAsk][0], false, t.ask_on, t.ask_px, t.ask_sz);
    return t;
  }

  void publish(std::uint8_t mei) {
    if ((mei & kMeiPublish) == 0) return;
    for (int ii : pub_) {
      Instrument& in = inst(ii);
      in.in_pub = false;
      const Tob t = consolidated(in);
      if (t == in.printed) continue;
      in.printed = t;
      if (tb_ == nullptr) continue;
      line_.raw("{\"seq\":").num(inc_seq_).raw(",\"security_id\":").num(in.security_id);
      line_.raw(",\"bid_px\":").num_or_null(!t.bid_on, t.bid_px * in.tick9);
      line_.raw(",\"bid_sz\":").num_or_null(!t.bid_on, t.bid_sz);
      line_.raw(",\"ask_px\":").num_or_null(!t.ask_on, t.ask_px * in.tick9);
      line_.raw(",\"ask_sz\":").num_or_null(!t.ask_on, t.ask_sz);
      line_.raw(",\"stale\":false}");
      line_.flush_to(tb_);
    }
    pub_.clear();
  }

  // ----- state
  // ------------------------------------------------------------------------------------

  const GenOptions& o_;
  LineMux& mux_;
  GenStats& st_;
  std::FILE* td_;
  std::FILE* tb_;
  Rng rng_;
  Rng jumbo_rng_;       // GenOptions::jumbo's draws only
  bool jumbo_ = false;  // the open packet is a jumbo one, filled to jumbo_cap_ bytes
  std::size_t jumbo_cap_ = 0;
  bool v9_ = true;
  std::vector<Instrument> inst_;
  Event ev_;
  std::vector<BookEntry> book_;
  std::vector<std::size_t> chunks_;
  std::vector<int> pub_;
  JsonLine line_;
  Bytes pkt_, snap_;
  bool open_ = false;
  std::uint32_t inc_seq_ = 0, rec_seq_ = 0;
  std::uint64_t send_ts_ = 0, rec_ts_ = 0;
  std::uint64_t event_tt_ = 0, last_tt_ = 0;
  bool event_tt_set_ = false;
  int msg_index_ = 0;
  std::size_t vused_ = 0;
  std::uint64_t events_done_ = 0;
  std::uint64_t next_order_id_ = 6'400'000'000ULL;
  std::uint32_t trade_id_ = 0;
};

bool is_probability(double p) {
  return p >= 0.0 && p <= 1.0;
}

}  // namespace

const char* validate(const GenOptions& o) {
  if (o.instruments < 1 || o.instruments > capgen::kMaxInstruments) {
    return "instruments must be in 1..256";
  }
  if (o.events < 0) return "events must be >= 0";
  if (o.schema_version < 6 || o.schema_version > 13) return "schema_version must be in 6..13";
  if (o.depth < 1 || o.depth > capgen::kMaxDepth) return "depth must be in 1..20";
  if (!is_probability(o.loss_a)) return "loss_a must be a probability in [0,1]";
  if (!is_probability(o.loss_b)) return "loss_b must be a probability in [0,1]";
  if (!is_probability(o.loss_both)) return "loss_both must be a probability in [0,1]";
  if (o.loss_a + o.loss_b + o.loss_both > 1.0)
    return "loss_a + loss_b + loss_both must not exceed 1";
  if (!is_probability(o.dup)) return "dup must be a probability in [0,1]";
  if (o.jitter_packets < 0 || o.jitter_packets > capgen::kMaxJitter) {
    return "jitter_packets must be in 0..64";
  }
  if (!is_probability(o.reorder)) return "reorder must be a probability in [0,1]";
  if (!is_probability(o.garbage)) return "garbage must be a probability in [0,1]";
  if (o.snapshot_every < 0) return "snapshot_every must be >= 0";
  if (!is_probability(o.vlan)) return "vlan must be a probability in [0,1]";
  if (!is_probability(o.ip_options)) return "ip_options must be a probability in [0,1]";
  if (!is_probability(o.halt)) return "halt must be a probability in [0,1]";
  if (!is_probability(o.malformed_a)) return "malformed_a must be a probability in [0,1]";
  if (!is_probability(o.jumbo)) return "jumbo must be a probability in [0,1]";
  if (o.max_payload < 12 || o.max_payload > static_cast<int>(capgen::kMaxPayload)) {
    return "max_payload must be in 12..1400";
  }
  return nullptr;
}

GenStats generate_capture(const GenOptions& opts, const std::string& out_path,
                          std::FILE* truth_decode, std::FILE* truth_book) {
  if (const char* bad = validate(opts)) throw std::invalid_argument(std::string("capgen: ") + bad);
  GenStats st;
  CaptureWriter writer(out_path, opts.pcapng);
  LineMux mux(opts, writer, st);
  Generator gen(opts, mux, st, truth_decode, truth_book);
  gen.run();
  mux.finish();
  writer.close();
  return st;
}

}  // namespace ttq
