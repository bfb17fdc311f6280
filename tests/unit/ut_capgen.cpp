// Unit tests of the capture generator (host/src/capgen.cpp): determinism, the capture files as
// libpcap reads them, line impairments against GenStats, and the truth records against the bytes
// on the wire. The MDP walking here is a few lines written from the brief, not the project decoder.

#include <pcap/pcap.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "ttq/capgen.hpp"
#include "ttq/fast_path.hpp"
#include "ttq/wire.hpp"

namespace {

namespace fs = std::filesystem;
using ttq::GenOptions;
using ttq::GenStats;
using Bytes = std::vector<std::uint8_t>;

class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    dir_ = fs::temp_directory_path() /
           ("ttq_ut_capgen_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::create_directories(dir_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

 private:
  fs::path dir_;
};

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

std::vector<std::string> lines_of(const std::string& path) {
  std::vector<std::string> out;
  std::istringstream in(slurp(path));
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

struct Run {
  GenStats st;
  std::string cap, decode, book;  // file paths
};

Run generate(const TempDir& dir, const std::string& name, const GenOptions& o) {
  Run r;
  r.cap = dir.path(name + (o.pcapng ? ".pcapng" : ".pcap"));
  r.decode = dir.path(name + ".decode.jsonl");
  r.book = dir.path(name + ".book.jsonl");
  std::FILE* td = std::fopen(r.decode.c_str(), "wb");
  std::FILE* tb = std::fopen(r.book.c_str(), "wb");
  REQUIRE(td != nullptr);
  REQUIRE(tb != nullptr);
  r.st = ttq::generate_capture(o, r.cap, td, tb);
  std::fclose(td);
  std::fclose(tb);
  return r;
}

struct Frame {
  std::uint64_t ts;
  Bytes data;
};

std::vector<Frame> read_capture(const std::string& path) {
  char err[PCAP_ERRBUF_SIZE];
  pcap_t* p =
      pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, err);
  REQUIRE(p != nullptr);
  CHECK(pcap_datalink(p) == DLT_EN10MB);
  std::vector<Frame> out;
  pcap_pkthdr* h = nullptr;
  const u_char* d = nullptr;
  int rc;
  while ((rc = pcap_next_ex(p, &h, &d)) == 1) {
    const std::uint64_t ts = static_cast<std::uint64_t>(h->ts.tv_sec) * 1'000'000'000ULL +
                             static_cast<std::uint64_t>(h->ts.tv_usec);
    CHECK(h->caplen == h->len);
    out.push_back(Frame{ts, Bytes(d, d + h->caplen)});
  }
  CHECK(rc == PCAP_ERROR_BREAK);  // clean end of file
  pcap_close(p);
  return out;
}

// What a strict receiver makes of a frame.
struct Parsed {
  bool ipv4 = false;  // EtherType IPv4, version 4, whole header present
  bool checksum_ok = false;
  bool vlan = false;
  int ihl = 0;
  bool mdp = false;  // unfragmented UDP, lengths consistent with the frame
  std::uint32_t dst = 0;
  std::uint16_t port = 0;
  Bytes payload;
};

Parsed parse(const Bytes& f) {
  Parsed p;
  if (f.size() < 14) return p;
  std::size_t o = 12;
  std::uint16_t et = ttq::load_be16(&f[o]);
  if (et == 0x8100) {
    p.vlan = true;
    o += 4;
    if (f.size() < o + 2) return p;
    et = ttq::load_be16(&f[o]);
  }
  o += 2;
  if (et != 0x0800 || f.size() < o + 20 || (f[o] >> 4) != 4) return p;
  p.ihl = (f[o] & 15) * 4;
  if (p.ihl < 20 || f.size() < o + static_cast<std::size_t>(p.ihl)) return p;
  p.ipv4 = true;
  std::uint32_t sum = 0;
  for (int i = 0; i < p.ihl; i += 2) sum += ttq::load_be16(&f[o + static_cast<std::size_t>(i)]);
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  p.checksum_ok = sum == 0xFFFF;
  const std::size_t total = ttq::load_be16(&f[o + 2]);
  const std::uint16_t frag = ttq::load_be16(&f[o + 6]);
  if (f[o + 9] != 17 || (frag & 0x3FFF) != 0 || o + total > f.size()) return p;
  const std::size_t u = o + static_cast<std::size_t>(p.ihl);
  if (total < static_cast<std::size_t>(p.ihl) + 8) return p;
  const std::size_t ulen = ttq::load_be16(&f[u + 4]);
  if (ulen != total - static_cast<std::size_t>(p.ihl) || ulen < 8 + 12) return p;
  p.dst = ttq::load_be32(&f[o + 16]);
  p.port = ttq::load_be16(&f[u + 2]);
  p.payload.assign(f.begin() + static_cast<std::ptrdiff_t>(u + 8),
                   f.begin() + static_cast<std::ptrdiff_t>(u + ulen));
  p.mdp = true;
  return p;
}

bool is_incremental(const Parsed& p) {
  return (p.dst == ttq::capgen::kIncrementalIpA && p.port == ttq::capgen::kIncrementalPortA) ||
         (p.dst == ttq::capgen::kIncrementalIpB && p.port == ttq::capgen::kIncrementalPortB);
}
bool is_recovery(const Parsed& p) {
  return (p.dst == ttq::capgen::kRecoveryIpA && p.port == ttq::capgen::kRecoveryPortA) ||
         (p.dst == ttq::capgen::kRecoveryIpB && p.port == ttq::capgen::kRecoveryPortB);
}
std::uint32_t seq_of(const Bytes& payload) {
  return ttq::load_le<std::uint32_t>(payload.data());
}

// Unique incremental packets by MsgSeqNum; every copy of one number must be byte-identical.
std::map<std::uint32_t, Bytes> incremental_packets(const std::vector<Frame>& frames) {
  std::map<std::uint32_t, Bytes> out;
  for (const Frame& f : frames) {
    const Parsed p = parse(f.data);
    if (!p.mdp || !is_incremental(p)) continue;
    auto [it, fresh] = out.emplace(seq_of(p.payload), p.payload);
    if (!fresh) REQUIRE(it->second == p.payload);
  }
  return out;
}

struct Msg {
  std::size_t off;  // from the payload start
  std::uint16_t size, block, tid, version;
};

std::vector<Msg> messages(const Bytes& pl) {
  std::vector<Msg> out;
  std::size_t off = 12;
  while (off < pl.size()) {
    REQUIRE(off + 10 <= pl.size());
    Msg m{off, ttq::load_le<std::uint16_t>(&pl[off]), ttq::load_le<std::uint16_t>(&pl[off + 2]),
          ttq::load_le<std::uint16_t>(&pl[off + 4]), ttq::load_le<std::uint16_t>(&pl[off + 8])};
    REQUIRE(ttq::load_le<std::uint16_t>(&pl[off + 6]) == 1);  // schemaId
    REQUIRE(m.size >= 10);
    out.push_back(m);
    off += m.size;
  }
  REQUIRE(off == pl.size());
  return out;
}

GenOptions small(std::uint64_t seed = 1) {
  GenOptions o;
  o.seed = seed;
  o.events = 1500;
  return o;
}

}  // namespace

TEST_CASE("capgen: validate accepts the defaults and names every bad option", "[capgen]") {
  CHECK(ttq::validate(GenOptions{}) == nullptr);
  struct Bad {
    const char* name;
    void (*spoil)(GenOptions&);
  };
  const Bad bad[] = {
      {"instruments", [](GenOptions& o) { o.instruments = 0; }},
      {"instruments", [](GenOptions& o) { o.instruments = 257; }},
      {"events", [](GenOptions& o) { o.events = -1; }},
      {"schema_version", [](GenOptions& o) { o.schema_version = 5; }},
      {"schema_version", [](GenOptions& o) { o.schema_version = 14; }},
      {"depth", [](GenOptions& o) { o.depth = 0; }},
      {"depth", [](GenOptions& o) { o.depth = 21; }},
      {"loss_a", [](GenOptions& o) { o.loss_a = -0.1; }},
      {"loss_b", [](GenOptions& o) { o.loss_b = 1.5; }},
      {"loss_both", [](GenOptions& o) { o.loss_both = std::numeric_limits<double>::quiet_NaN(); }},
      {"loss_a + loss_b + loss_both",
       [](GenOptions& o) { o.loss_a = o.loss_b = o.loss_both = 0.4; }},
      {"dup", [](GenOptions& o) { o.dup = 2; }},
      {"jitter_packets", [](GenOptions& o) { o.jitter_packets = -1; }},
      {"jitter_packets", [](GenOptions& o) { o.jitter_packets = 65; }},
      {"reorder", [](GenOptions& o) { o.reorder = -1; }},
      {"garbage", [](GenOptions& o) { o.garbage = 1.01; }},
      {"snapshot_every", [](GenOptions& o) { o.snapshot_every = -5; }},
      {"vlan", [](GenOptions& o) { o.vlan = -0.5; }},
      {"ip_options", [](GenOptions& o) { o.ip_options = 3; }},
      {"halt", [](GenOptions& o) { o.halt = -1e-9; }},
      {"malformed_a", [](GenOptions& o) { o.malformed_a = 1.5; }},
      {"max_payload", [](GenOptions& o) { o.max_payload = 11; }},
      {"max_payload", [](GenOptions& o) { o.max_payload = 1401; }},
      {"jumbo", [](GenOptions& o) { o.jumbo = -0.5; }},
  };
  TempDir dir;
  for (const Bad& b : bad) {
    GenOptions o;
    b.spoil(o);
    const char* msg = ttq::validate(o);
    INFO(b.name);
    REQUIRE(msg != nullptr);
    CHECK(std::string(msg).find(b.name) != std::string::npos);
    CHECK_THROWS_AS(ttq::generate_capture(o, dir.path("bad.pcap"), nullptr, nullptr),
                    std::invalid_argument);
  }
  // Edges that are fine.
  GenOptions o;
  o.instruments = 256;
  o.depth = 20;
  o.schema_version = 6;
  o.loss_a = 0.5;
  o.loss_b = 0.5;
  o.jitter_packets = 0;
  o.events = 0;
  CHECK(ttq::validate(o) == nullptr);
  CHECK_THROWS_AS(
      ttq::generate_capture(GenOptions{}, dir.path("no/such/dir/x.pcap"), nullptr, nullptr),
      std::runtime_error);
}

TEST_CASE("capgen: same seed gives byte-identical files, another seed different ones", "[capgen]") {
  TempDir dir;
  GenOptions o = small(42);
  o.loss_a = 0.02;
  o.dup = 0.02;
  o.garbage = 0.05;
  o.vlan = 0.2;
  o.snapshot_every = 100;
  const Run a = generate(dir, "a", o);
  const Run b = generate(dir, "b", o);
  o.seed = 43;
  const Run c = generate(dir, "c", o);
  CHECK(slurp(a.cap) == slurp(b.cap));
  CHECK(slurp(a.decode) == slurp(b.decode));
  CHECK(slurp(a.book) == slurp(b.book));
  CHECK(slurp(a.cap) != slurp(c.cap));
  CHECK(slurp(a.decode) != slurp(c.decode));
  CHECK(a.st.frames == b.st.frames);
  CHECK(a.st.entries == b.st.entries);
}

TEST_CASE("capgen: libpcap reads every frame; checksums verify; stamps never go back", "[capgen]") {
  TempDir dir;
  GenOptions o = small(7);
  o.vlan = 0.3;
  o.ip_options = 0.3;
  o.garbage = 0.2;
  o.jitter_packets = 4;
  const Run r = generate(dir, "cap", o);
  const auto frames = read_capture(r.cap);
  REQUIRE(frames.size() == r.st.frames);
  CHECK(r.st.frames == 2 * r.st.packets + r.st.garbage);
  CHECK(r.st.garbage > 0);
  std::uint64_t prev = 0, ipv4 = 0, well_formed = 0, tagged = 0, options = 0;
  for (const Frame& f : frames) {
    CHECK(f.ts >= prev);
    prev = f.ts;
    const Parsed p = parse(f.data);
    if (p.ipv4) {
      ++ipv4;
      CHECK(p.checksum_ok);
    }
    if (p.mdp && is_incremental(p)) {
      ++well_formed;
      tagged += p.vlan ? 1 : 0;
      options += p.ihl > 20 ? 1 : 0;
    }
  }
  CHECK(frames.front().ts >= ttq::capgen::kStartTimeNs);
  CHECK(ipv4 > well_formed);  // some bad frames are IPv4 too; their checksums hold as well
  // No bad frame passes as a well-formed MDP packet on the incremental feed.
  CHECK(well_formed == r.st.frames - r.st.garbage);
  CHECK(tagged > well_formed / 5);
  CHECK(tagged < well_formed * 2 / 5);
  CHECK(options > well_formed / 5);
  CHECK(options < well_formed * 2 / 5);
  // The bad frames all differ from the real ones: count distinct kinds by what breaks.
  const auto packets = incremental_packets(frames);
  CHECK(packets.size() == r.st.packets);
}

TEST_CASE("capgen: jumbo packets hold more events than the card's packet store", "[capgen]") {
  TempDir dir;
  const GenOptions base = small(12);
  GenOptions o = base;
  o.jumbo = 0.2;
  const Run plain = generate(dir, "plain", base);
  const Run j = generate(dir, "jumbo", o);
  CHECK(plain.st.jumbo == 0);
  std::size_t big = 0, over = 0, longest = 0;
  for (const auto& [seq, pl] : incremental_packets(read_capture(j.cap))) {
    CHECK(pl.size() <= ttq::capgen::kJumboPayload);
    longest = std::max(longest, pl.size());
    if (pl.size() > ttq::capgen::kMaxPayload) ++big;
    const std::uint32_t n = ttq::FastPath::packet_events(
        pl.data(), static_cast<std::uint32_t>(pl.size()), 0);
    if (n > ttq::kCardPacketEvents) ++over;
  }
  CHECK(j.st.jumbo > 10);
  CHECK(big > 10);
  CHECK(big <= j.st.jumbo);  // a jumbo packet may end short (the last one, a lone message)
  // Their sizes spread over 1,401..8,972 bytes: on both sides of the packet store's 128.
  CHECK(over > big / 4);
  CHECK(over < big * 3 / 4);
  CHECK(longest > 6000);
}

TEST_CASE("capgen: max_payload packs fewer messages per packet", "[capgen]") {
  TempDir dir;
  const GenOptions base = small(11);
  GenOptions o = base;
  o.max_payload = 12;  // every message in a packet of its own
  const Run big = generate(dir, "big", base);
  const Run one = generate(dir, "one", o);
  std::size_t msgs_big = 0, msgs_one = 0, multi_big = 0;
  for (const auto& [seq, pl] : incremental_packets(read_capture(big.cap))) {
    const std::size_t n = messages(pl).size();
    msgs_big += n;
    multi_big += n > 1 ? 1 : 0;
    CHECK(pl.size() <= ttq::capgen::kMaxPayload);
  }
  for (const auto& [seq, pl] : incremental_packets(read_capture(one.cap))) {
    const std::size_t n = messages(pl).size();
    msgs_one += n;
    CHECK(n == 1);
  }
  CHECK(multi_big > 0);  // the default packs several messages per packet
  // Packing draws packet times from the same random stream, so the market is another one of
  // about the same size: one message per packet means more packets for fewer messages each.
  CHECK(one.st.packets == msgs_one);
  CHECK(one.st.packets > big.st.packets);
  CHECK(msgs_one * 10 > msgs_big * 9);
  CHECK(one.st.entries > 0);
  // A middle value: more than one message where they fit, never past the limit unless alone.
  o.max_payload = 200;
  const Run mid = generate(dir, "mid", o);
  std::size_t multi_mid = 0;
  for (const auto& [seq, pl] : incremental_packets(read_capture(mid.cap))) {
    const std::size_t n = messages(pl).size();
    multi_mid += n > 1 ? 1 : 0;
    CHECK((pl.size() <= 200 || n == 1));
  }
  CHECK(multi_mid > 0);
}

TEST_CASE("capgen: loss and duplicates change the frame count exactly as GenStats says",
          "[capgen]") {
  TempDir dir;
  const GenOptions base = small(9);
  const Run clean = generate(dir, "clean", base);
  CHECK(clean.st.frames == 2 * clean.st.packets);
  CHECK(clean.st.lost_a + clean.st.lost_b + clean.st.lost_both + clean.st.dups == 0);

  GenOptions o = base;
  o.loss_a = 0.05;
  o.loss_b = 0.04;
  o.loss_both = 0.01;
  o.dup = 0.03;
  o.reorder = 0.05;
  const Run lossy = generate(dir, "lossy", o);
  const GenStats& s = lossy.st;
  CHECK(s.packets == clean.st.packets);  // impairments never change the market
  CHECK(slurp(lossy.decode) == slurp(clean.decode));
  CHECK(slurp(lossy.book) == slurp(clean.book));
  CHECK(s.lost_a > 0);
  CHECK(s.lost_b > 0);
  CHECK(s.lost_both > 0);
  CHECK(s.dups > 0);
  CHECK(s.frames == 2 * s.packets - s.lost_a - s.lost_b - 2 * s.lost_both + s.dups);
  const auto frames = read_capture(lossy.cap);
  REQUIRE(frames.size() == s.frames);
  // Exactly the packets lost on both lines are missing; every other number is there.
  const auto packets = incremental_packets(frames);
  CHECK(packets.size() == s.packets - s.lost_both);
  CHECK(packets.rbegin()->first <= s.packets);
}

TEST_CASE("capgen: the pcapng variant opens with libpcap and holds the same frames", "[capgen]") {
  TempDir dir;
  GenOptions o = small(5);
  o.garbage = 0.1;
  const Run pcap = generate(dir, "p", o);
  o.pcapng = true;
  const Run ng = generate(dir, "n", o);
  CHECK(slurp(ng.cap).substr(0, 4) == std::string("\x0A\x0D\x0D\x0A", 4));
  const auto a = read_capture(pcap.cap);
  const auto b = read_capture(ng.cap);
  REQUIRE(a.size() == b.size());
  REQUIRE(b.size() == ng.st.frames);
  for (std::size_t i = 0; i < a.size(); ++i) {
    REQUIRE(a[i].ts == b[i].ts);
    REQUIRE(a[i].data == b[i].data);
  }
}

TEST_CASE("capgen: A and B copies are identical and never more than jitter_packets apart",
          "[capgen]") {
  for (int jitter : {0, 1, 3}) {
    TempDir dir;
    GenOptions o = small(11);
    o.jitter_packets = jitter;
    const Run r = generate(dir, "j", o);
    const auto frames = read_capture(r.cap);
    std::uint32_t max_seen[2] = {0, 0};
    std::uint32_t count[2] = {0, 0};
    std::map<std::uint32_t, Bytes> first;
    int b_first = 0;
    for (const Frame& f : frames) {
      const Parsed p = parse(f.data);
      REQUIRE(p.mdp);
      const int line = p.dst == ttq::capgen::kIncrementalIpA ? 0 : 1;
      const std::uint32_t k = seq_of(p.payload);
      INFO("jitter " << jitter << " seq " << k << " line " << line);
      REQUIRE(k == count[line] + 1);  // each line in order (no reordering asked for)
      count[line] = k;
      max_seen[line] = k;
      // The other line has not run ahead by more than jitter, nor fallen behind by more.
      CHECK(max_seen[1 - line] <= k + static_cast<std::uint32_t>(jitter));
      CHECK(max_seen[1 - line] + static_cast<std::uint32_t>(jitter) + 1 >= k);
      auto [it, fresh] = first.emplace(k, p.payload);
      if (!fresh) {
        CHECK(it->second == p.payload);
      } else {
        b_first += line;
      }
    }
    CHECK(count[0] == r.st.packets);
    CHECK(count[1] == r.st.packets);
    CHECK(b_first > 0);  // B wins some races
    CHECK(b_first < static_cast<int>(r.st.packets));
  }
}

TEST_CASE("capgen: malformed_a spoils only line A's copies, inside their last message",
          "[capgen]") {
  TempDir dir;
  const GenOptions base = small(12);
  const Run clean = generate(dir, "clean", base);
  GenOptions o = base;
  o.malformed_a = 0.1;
  const Run bad = generate(dir, "bad", o);
  CHECK(bad.st.packets == clean.st.packets);
  CHECK(bad.st.frames == clean.st.frames);
  CHECK(clean.st.malformed_a == 0);
  CHECK(bad.st.malformed_a > clean.st.packets / 20);
  CHECK(bad.st.malformed_a < clean.st.packets / 5);
  const auto a = read_capture(clean.cap), b = read_capture(bad.cap);
  REQUIRE(a.size() == b.size());
  std::uint64_t spoilt = 0, multi = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    INFO("frame " << i);
    CHECK(a[i].ts == b[i].ts);  // its own random stream: every frame where it was
    const Parsed pa = parse(a[i].data), pb = parse(b[i].data);
    REQUIRE(pb.mdp);  // the frame stays valid (lengths, checksum)
    CHECK(pb.checksum_ok);
    REQUIRE(pa.payload.size() == pb.payload.size());
    if (a[i].data == b[i].data) continue;
    // Line A's incremental copy; only its last message's MsgSize differs, now past the end.
    REQUIRE(is_incremental(pb));
    CHECK(pb.dst == ttq::capgen::kIncrementalIpA);
    const std::vector<Msg> ms = messages(pa.payload);
    const std::size_t last = ms.back().off;
    for (std::size_t k = 0; k < pb.payload.size(); ++k) {
      if (k != last && k != last + 1) CHECK(pa.payload[k] == pb.payload[k]);
    }
    const std::uint16_t size = ttq::load_le<std::uint16_t>(&pb.payload[last]);
    CHECK(size > ms.back().size);
    CHECK(size <= ms.back().size + 16);
    ++spoilt;
    multi += ms.size() > 1;
  }
  CHECK(spoilt >= bad.st.malformed_a);  // duplicates of a spoilt copy are spoilt too
  CHECK(multi > 0);                     // some with intact messages before the bad one
}

TEST_CASE("capgen: decode truth matches the entries on the wire, in every schema", "[capgen]") {
  for (int version : {6, 7, 8, 9, 10}) {
    TempDir dir;
    GenOptions o = small(13);
    o.schema_version = version;
    o.halt = 0.01;
    const Run r = generate(dir, "s", o);
    const auto truth = lines_of(r.decode);
    REQUIRE(truth.size() == r.st.entries);
    const auto packets = incremental_packets(read_capture(r.cap));
    REQUIRE(packets.size() == r.st.packets);
    const bool v9 = version >= 9;
    std::size_t t = 0;
    std::map<std::int32_t, std::uint32_t> rpt;
    std::set<int> templates;
    std::uint64_t prev_send = 0;
    std::uint32_t expect_seq = 1;
    auto check_rpt = [&](std::int32_t sid, std::uint32_t r_seq) {
      auto [it, fresh] = rpt.emplace(sid, r_seq);
      if (fresh) {
        CHECK(r_seq == 1);
      } else {
        CHECK(r_seq == it->second + 1);
        it->second = r_seq;
      }
    };
    for (const auto& [seq, pl] : packets) {
      REQUIRE(seq == expect_seq++);
      const std::uint64_t send = ttq::load_le<std::uint64_t>(&pl[4]);
      if (prev_send == 0) {
        CHECK(send == ttq::capgen::kStartTimeNs);
      } else {
        CHECK(send > prev_send);
        CHECK(send - prev_send >= 1'000);      // packets 1 us to 3 ms apart (bursty)
        CHECK(send - prev_send <= 3'000'000);
      }
      prev_send = send;
      const auto msgs = messages(pl);
      for (std::size_t mi = 0; mi < msgs.size(); ++mi) {
        const Msg& m = msgs[mi];
        templates.insert(m.tid);
        CHECK(m.version == version);
        const std::uint8_t* root = &pl[m.off + 10];
        if (m.tid == 46 || m.tid == 32 || m.tid == 48 || m.tid == 42 || m.tid == 37) {
          CHECK(m.block == 11);
          CHECK(ttq::load_le<std::uint64_t>(root) <= send);  // TransactTime before SendingTime
        }
        if (m.tid == 46 || m.tid == 32) {
          CHECK(m.tid == (v9 ? 46 : 32));
          const std::size_t n = root[13];
          CHECK(ttq::load_le<std::uint16_t>(root + 11) == 32);
          CHECK(m.size == 24 + 32 * n + (version >= 7 ? 8 : 0));  // v6 32 has no order group
          if (version >= 7) {  // empty NoOrderIDEntries: groupSize8Byte, blockLength 24
            CHECK(ttq::load_le<std::uint16_t>(root + 14 + 32 * n) == 24);
            CHECK(root[14 + 32 * n + 7] == 0);
          }
          for (std::size_t k = 0; k < n; ++k) {
            const std::uint8_t* e = root + 14 + 32 * k;
            const auto px = ttq::load_le<std::int64_t>(e);
            const auto sz = ttq::load_le<std::int32_t>(e + 8);
            const auto sid = ttq::load_le<std::int32_t>(e + 12);
            const auto r_seq = ttq::load_le<std::uint32_t>(e + 16);
            const auto orders = ttq::load_le<std::int32_t>(e + 20);
            check_rpt(sid, r_seq);
            if (version >= 10) CHECK(ttq::load_le<std::int32_t>(e + 27) == 0x7FFFFFFF);
            const char type = static_cast<char>(e[26]);
            if (type == 'E' || type == 'F') CHECK(orders == 0x7FFFFFFF);
            auto num = [](bool null, long long v) {
              return null ? std::string("null") : std::to_string(v);
            };
            const std::string expect =
                "{\"seq\":" + std::to_string(seq) + ",\"msg\":" + std::to_string(mi) +
                ",\"entry\":" + std::to_string(k) + ",\"template\":" + std::to_string(m.tid) +
                ",\"security_id\":" + std::to_string(sid) +
                ",\"rpt_seq\":" + std::to_string(r_seq) + ",\"price\":" + num(px == INT64_MAX, px) +
                ",\"price_exp\":" + (v9 ? "-9" : "-7") + ",\"size\":" + num(sz == 0x7FFFFFFF, sz) +
                ",\"orders\":" + num(orders == 0x7FFFFFFF, orders) +
                ",\"level\":" + std::to_string(e[24]) + ",\"action\":" + std::to_string(e[25]) +
                ",\"type\":\"" + std::string(1, type) + "\"}";
            REQUIRE(t < truth.size());
            REQUIRE(truth[t] == expect);
            ++t;
          }
        } else if (m.tid == 48 || m.tid == 42) {
          CHECK(m.tid == (v9 ? 48 : 42));
          const std::size_t n = root[13];
          const std::uint8_t* g = root + 14 + 32 * n;
          CHECK(ttq::load_le<std::uint16_t>(g) == 16);
          CHECK(g[7] >= 1);
          CHECK(g[7] <= 3);
          CHECK(m.size == 24 + 32 * n + 8 + 16 * g[7]);
          for (std::size_t k = 0; k < n; ++k) {
            check_rpt(ttq::load_le<std::int32_t>(root + 14 + 32 * k + 12),
                      ttq::load_le<std::uint32_t>(root + 14 + 32 * k + 16));
          }
        } else if (m.tid == 37) {
          const std::size_t n = root[13];
          CHECK(m.size == 24 + 16 * n);
          for (std::size_t k = 0; k < n; ++k) {
            check_rpt(ttq::load_le<std::int32_t>(root + 14 + 16 * k + 4),
                      ttq::load_le<std::uint32_t>(root + 14 + 16 * k + 8));
          }
        } else if (m.tid == 30) {
          CHECK(m.size == 40);
          CHECK((root[27] == 2 || root[27] == 17));
        } else if (m.tid == 12) {
          CHECK(m.size == 10);
        } else {
          CHECK(m.tid == (v9 ? 54 : 27));
        }
      }
    }
    CHECK(t == truth.size());
    CHECK(rpt.size() == 4);
    const std::set<int> expect =
        v9 ? std::set<int>{30, 37, 46, 48, 54} : std::set<int>{27, 30, 32, 37, 42};
    for (int tid : expect) CHECK(templates.count(tid) == 1);
  }
}

TEST_CASE("capgen: definitions carry symbol, id, tick, display factor and feed depths",
          "[capgen]") {
  for (int version : {8, 9, 10}) {
    for (bool implied : {false, true}) {
      TempDir dir;
      GenOptions o = small(3);
      o.events = 10;
      o.schema_version = version;
      o.implied = implied;
      o.depth = 5;
      const Run r = generate(dir, "d", o);
      const auto packets = incremental_packets(read_capture(r.cap));
      const Bytes& first = packets.begin()->second;
      const auto msgs = messages(first);
      REQUIRE(msgs.size() == 4);
      const char* symbols[4] = {"BTCZ6", "ETHZ6", "MBTZ6", "METZ6"};
      const std::int64_t ticks9[4] = {5'000'000'000, 250'000'000, 5'000'000'000, 500'000'000};
      for (int i = 0; i < 4; ++i) {
        const Msg& m = msgs[static_cast<std::size_t>(i)];
        const std::size_t root = version >= 10 ? 224 : 216;
        CHECK(m.tid == (version >= 9 ? 54 : 27));
        CHECK(m.block == root);
        const std::uint8_t* b = &first[m.off + 10];
        CHECK(std::string(reinterpret_cast<const char*>(b + 35)) == symbols[i]);
        CHECK(ttq::load_le<std::int32_t>(b + 55) == 100001 + i);
        CHECK(ttq::load_le<std::int64_t>(b + 91) == (version >= 9 ? ticks9[i] : ticks9[i] / 100));
        CHECK(ttq::load_le<std::int64_t>(b + 99) == (version >= 9 ? 1'000'000'000 : 10'000'000));
        const std::uint8_t* g = b + root;
        CHECK(ttq::load_le<std::uint16_t>(g) == 9);  // NoEvents
        CHECK(g[2] == 0);
        g += 3;
        CHECK(ttq::load_le<std::uint16_t>(g) == 4);  // NoMDFeedTypes
        REQUIRE(g[2] == (implied ? 2 : 1));
        CHECK(std::string(reinterpret_cast<const char*>(g + 3), 3) == "GBX");
        CHECK(g[6] == 5);
        if (implied) {
          CHECK(std::string(reinterpret_cast<const char*>(g + 7), 3) == "GBI");
          CHECK(g[10] == 2);
        }
        g += 3 + 4 * g[2];
        CHECK(ttq::load_le<std::uint16_t>(g) == 4);      // NoInstAttrib
        CHECK(ttq::load_le<std::uint16_t>(g + 3) == 5);  // NoLotTypeRules
        CHECK(m.size == 10 + root + 3 + 3 + 4 * (implied ? 2 : 1) + 3 + 3);
      }
    }
  }
}

TEST_CASE("capgen: snapshots reflect the last incremental packet and the instrument's RptSeq",
          "[capgen]") {
  TempDir dir;
  GenOptions o = small(17);
  o.snapshot_every = 40;
  o.instruments = 6;
  const Run r = generate(dir, "snap", o);
  const auto frames = read_capture(r.cap);
  // RptSeq per instrument as of the end of every incremental packet.
  const auto packets = incremental_packets(frames);
  std::map<std::uint32_t, std::map<std::int32_t, std::uint32_t>> rpt_after;
  std::map<std::int32_t, std::uint32_t> rpt;
  for (const auto& [seq, pl] : packets) {
    for (const Msg& m : messages(pl)) {
      const std::uint8_t* root = &pl[m.off + 10];
      const std::size_t stride = m.tid == 37 ? 16 : 32;
      const std::size_t id_at = m.tid == 37 ? 4 : 12;
      if (m.tid != 46 && m.tid != 48 && m.tid != 37) continue;
      for (std::size_t k = 0; k < root[13]; ++k) {
        const std::uint8_t* e = root + 14 + stride * k;
        rpt[ttq::load_le<std::int32_t>(e + id_at)] = ttq::load_le<std::uint32_t>(e + id_at + 4);
      }
    }
    rpt_after[seq] = rpt;
  }
  std::map<std::uint32_t, Bytes> snaps;
  for (const Frame& f : frames) {
    const Parsed p = parse(f.data);
    if (!p.mdp || !is_recovery(p)) continue;
    auto [it, fresh] = snaps.emplace(seq_of(p.payload), p.payload);
    if (!fresh) CHECK(it->second == p.payload);
  }
  const std::size_t loops = packets.size() / 40;
  REQUIRE(loops > 0);
  CHECK(snaps.size() == loops * 6);
  CHECK(r.st.packets == packets.size() + snaps.size());
  std::uint32_t expect_seq = 1;
  for (const auto& [seq, pl] : snaps) {
    CHECK(seq == expect_seq++);
    const auto msgs = messages(pl);
    REQUIRE(msgs.size() == 1);
    CHECK(msgs[0].tid == 52);
    CHECK(msgs[0].block == 59);
    const std::uint8_t* b = &pl[22];
    const auto last = ttq::load_le<std::uint32_t>(b);
    const auto sid = ttq::load_le<std::int32_t>(b + 8);
    CHECK(last % 40 == 0);
    CHECK(ttq::load_le<std::uint32_t>(b + 4) == 6);  // TotNumReports
    CHECK(ttq::load_le<std::uint32_t>(b + 12) == rpt_after.at(last).at(sid));
    const std::size_t n = b[61];
    CHECK(ttq::load_le<std::uint16_t>(b + 59) == 22);
    CHECK(msgs[0].size == 10 + 59 + 3 + 22 * n);
    std::map<char, int> levels;  // per MDEntryType: levels 1, 2, 3.. in order, none skipped
    for (std::size_t k = 0; k < n; ++k) {
      const std::uint8_t* e = b + 62 + 22 * k;
      const char type = static_cast<char>(e[21]);
      CHECK(static_cast<std::int8_t>(e[16]) == ++levels[type]);
      CHECK(levels[type] <= ((type == 'E' || type == 'F') ? 2 : 10));
    }
    std::set<char> types;
    for (const auto& [type, count] : levels) types.insert(type);
    CHECK(types.count('0') == 1);
    CHECK(types.count('1') == 1);
  }
}

TEST_CASE("capgen: book truth is the same market in every schema and is never crossed",
          "[capgen]") {
  TempDir dir;
  GenOptions o = small(19);
  o.schema_version = 6;
  const Run v6 = generate(dir, "v6", o);
  o.schema_version = 9;
  const Run v9 = generate(dir, "v9", o);
  o.schema_version = 10;
  o.implied = true;
  const Run v10 = generate(dir, "v10", o);
  CHECK(slurp(v6.book) == slurp(v9.book));  // PRICE mantissas x100 == PRICE9 mantissas
  CHECK(slurp(v9.book) == slurp(v10.book));
  const auto lines = lines_of(v9.book);
  REQUIRE(lines.size() > 100);
  std::set<std::string> ids;
  for (const std::string& l : lines) {
    long long seq = 0, sid = 0, bid = 0, bsz = 0, ask = 0, asz = 0;
    REQUIRE(std::sscanf(l.c_str(),
                        "{\"seq\":%lld,\"security_id\":%lld,\"bid_px\":%lld,\"bid_sz\":%lld,"
                        "\"ask_px\":%lld,\"ask_sz\":%lld,\"stale\":false}",
                        &seq, &sid, &bid, &bsz, &ask, &asz) == 6);
    ids.insert(std::to_string(sid));
    CHECK(bid < ask);
    CHECK(bsz > 0);
    CHECK(asz > 0);
    CHECK(bid % 250'000'000 == 0);  // every tick is a multiple of 0.25
  }
  CHECK(ids.size() == 4);
}

TEST_CASE("capgen: halts are followed by resumes and silence the instrument meanwhile",
          "[capgen]") {
  TempDir dir;
  GenOptions o = small(23);
  o.halt = 0.02;
  const Run r = generate(dir, "halt", o);
  const auto packets = incremental_packets(read_capture(r.cap));
  std::map<std::int32_t, bool> halted;
  int halts = 0, resumes = 0;
  for (const auto& [seq, pl] : packets) {
    for (const Msg& m : messages(pl)) {
      const std::uint8_t* root = &pl[m.off + 10];
      if (m.tid == 30) {
        const auto sid = ttq::load_le<std::int32_t>(root + 20);
        const bool halt = root[27] == 2;
        CHECK(halted[sid] != halt);
        halted[sid] = halt;
        (halt ? halts : resumes) += 1;
        CHECK(root[26] == 0x80);
      } else if (m.tid == 46 || m.tid == 48) {
        for (std::size_t k = 0; k < root[13]; ++k) {
          CHECK_FALSE(halted[ttq::load_le<std::int32_t>(root + 14 + 32 * k + 12)]);
        }
      }
    }
  }
  CHECK(halts > 5);
  CHECK(resumes >= halts - 4);
}

namespace {

// The brief's action table and publication rule, applied to the wire bytes (not to the truth).
struct ReplayBook {
  struct Level {
    bool on = false;
    std::int64_t px = 0;
    std::int32_t sz = 0;
  };
  std::vector<Level> side[4];  // '0', '1', 'E', 'F'
  std::string printed = "null,null,null,null";
};

std::vector<std::string> replay_book_truth(const std::map<std::uint32_t, Bytes>& packets,
                                           int depth) {
  std::map<std::int32_t, ReplayBook> books;
  std::vector<std::int32_t> touched;
  std::vector<std::string> out;
  for (const auto& [seq, pl] : packets) {
    for (const Msg& m : messages(pl)) {
      const std::uint8_t* root = &pl[m.off + 10];
      std::uint8_t mei = 0;
      if (m.tid == 46 || m.tid == 32) {
        mei = root[8];
        const int scale = m.tid == 46 ? 1 : 100;
        for (std::size_t k = 0; k < root[13]; ++k) {
          const std::uint8_t* e = root + 14 + 32 * k;
          const auto sid = ttq::load_le<std::int32_t>(e + 12);
          ReplayBook& b = books[sid];
          if (b.side[0].empty()) {
            for (int s = 0; s < 4; ++s) b.side[s].resize(s < 2 ? depth : 2);
          }
          if (std::find(touched.begin(), touched.end(), sid) == touched.end()) {
            touched.push_back(sid);
          }
          const char type = static_cast<char>(e[26]);
          if (type == 'J') {
            for (auto& v : b.side) std::fill(v.begin(), v.end(), ReplayBook::Level{});
            continue;
          }
          auto& v = b.side[std::string("01EF").find(type)];
          const int d = static_cast<int>(v.size());
          const int n = e[24];
          REQUIRE(n >= 1);
          REQUIRE(n <= d);
          const auto px = ttq::load_le<std::int64_t>(e);  // null (INT64_MAX) on DeleteThru
          const ReplayBook::Level lv{true, px == INT64_MAX ? px : px * scale,
                                     ttq::load_le<std::int32_t>(e + 8)};
          switch (e[25]) {
            case 0:
              v.insert(v.begin() + (n - 1), lv);
              v.pop_back();
              break;
            case 1:
              REQUIRE(v[n - 1].px == lv.px);
              v[n - 1] = lv;
              break;
            case 2:
              v.erase(v.begin() + (n - 1));
              v.emplace_back();
              break;
            case 3:
              std::fill(v.begin(), v.end(), ReplayBook::Level{});
              break;
            case 4:
              v.erase(v.begin(), v.begin() + n);
              v.resize(static_cast<std::size_t>(d));
              break;
            case 5:
              v[n - 1] = lv;
              break;
            default:
              FAIL("unknown MDUpdateAction");
          }
        }
      } else if (m.tid == 30) {
        mei = root[26];
      } else if (m.tid == 54 || m.tid == 27) {
        mei = root[0];
      }
      if ((mei & 0x94) == 0) continue;
      for (std::int32_t sid : touched) {
        ReplayBook& b = books[sid];
        auto best = [](const ReplayBook::Level& o, const ReplayBook::Level& i, bool bid) {
          if (!o.on && !i.on) return std::string("null,null");
          ReplayBook::Level w = o;
          if (o.on && i.on && o.px == i.px) {
            w.sz = o.sz + i.sz;
          } else if (!o.on || (i.on && (bid ? i.px > o.px : i.px < o.px))) {
            w = i;
          }
          return std::to_string(w.px) + "," + std::to_string(w.sz);
        };
        const std::string bid = best(b.side[0][0], b.side[2][0], true);
        const std::string ask = best(b.side[1][0], b.side[3][0], false);
        const std::string now = bid + "," + ask;
        if (now == b.printed) continue;
        b.printed = now;
        const auto comma = [](const std::string& s) { return s.find(','); };
        out.push_back("{\"seq\":" + std::to_string(seq) + ",\"security_id\":" +
                      std::to_string(sid) + ",\"bid_px\":" + bid.substr(0, comma(bid)) +
                      ",\"bid_sz\":" + bid.substr(comma(bid) + 1) +
                      ",\"ask_px\":" + ask.substr(0, comma(ask)) +
                      ",\"ask_sz\":" + ask.substr(comma(ask) + 1) + ",\"stale\":false}");
      }
      touched.clear();
    }
  }
  return out;
}

}  // namespace

TEST_CASE("capgen: book truth equals the wire replayed through the brief's action table",
          "[capgen]") {
  struct Case {
    int version, depth;
    bool implied;
    std::uint64_t seed;
  };
  for (const Case& c : {Case{9, 10, true, 29}, Case{6, 3, true, 31}, Case{10, 1, false, 37},
                        Case{8, 5, true, 41}}) {
    TempDir dir;
    GenOptions o = small(c.seed);
    o.events = 3000;
    o.schema_version = c.version;
    o.depth = c.depth;
    o.implied = c.implied;
    o.halt = 0.01;
    o.instruments = 6;
    o.jitter_packets = 3;
    o.loss_a = 0.05;  // single-line loss: the canonical stream is still complete
    o.reorder = 0.05;
    const Run r = generate(dir, "replay", o);
    const auto packets = incremental_packets(read_capture(r.cap));
    REQUIRE(packets.size() == r.st.packets);
    const auto mine = replay_book_truth(packets, c.depth);
    const auto truth = lines_of(r.book);
    INFO("schema " << c.version << " depth " << c.depth);
    REQUIRE(mine.size() == truth.size());
    for (std::size_t i = 0; i < truth.size(); ++i) REQUIRE(mine[i] == truth[i]);
  }
}

TEST_CASE("capgen: the stream exercises every action, entry type and template", "[capgen]") {
  TempDir dir;
  GenOptions o = small(43);
  o.events = 6000;
  o.halt = 0.005;
  const Run r = generate(dir, "cover", o);
  std::set<std::string> seen;
  for (const std::string& l : lines_of(r.decode)) {
    seen.insert(l.substr(l.find("\"action\":"), 10));
    seen.insert(l.substr(l.find("\"type\":"), 10));
  }
  for (const char* want : {"\"action\":0", "\"action\":1", "\"action\":2", "\"action\":3",
                           "\"action\":4", "\"action\":5", "\"type\":\"0\"", "\"type\":\"1\"",
                           "\"type\":\"E\"", "\"type\":\"F\"", "\"type\":\"J\""}) {
    INFO(want);
    CHECK(seen.count(want) == 1);
  }
  // Delete without a refill (book thinner than the depth) and with one both occur.
  const auto lines = lines_of(r.decode);
  int refilled = 0, bare = 0, spanning = 0, mixed = 0, empty_tail = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const bool outright_delete =
        lines[i].find("\"action\":2,\"type\":\"0\"") != std::string::npos ||
        lines[i].find("\"action\":2,\"type\":\"1\"") != std::string::npos;
    if (!outright_delete) continue;
    const bool next_is_bottom_new =
        i + 1 < lines.size() && lines[i + 1].find("\"level\":10,\"action\":0") != std::string::npos;
    (next_is_bottom_new ? refilled : bare) += 1;
  }
  CHECK(refilled > 50);
  CHECK(bare > 50);
  const auto packets = incremental_packets(read_capture(r.cap));
  std::set<int> templates;
  for (const auto& [seq, pl] : packets) {
    const auto msgs = messages(pl);
    for (const Msg& m : msgs) {
      templates.insert(m.tid);
      if (m.tid != 46) continue;
      const std::uint8_t* root = &pl[m.off + 10];
      std::set<std::int32_t> ids;
      for (std::size_t k = 0; k < root[13]; ++k) {
        ids.insert(ttq::load_le<std::int32_t>(root + 14 + 32 * k + 12));
      }
      mixed += ids.size() > 1 ? 1 : 0;
      empty_tail += root[13] == 0 && root[8] == 0x80 ? 1 : 0;
    }
    // The last message of a packet without EndOfEvent: the event goes on in the next packet.
    const Msg& last = msgs.back();
    const std::uint8_t* root = &pl[last.off + 10];
    if ((last.tid == 46 || last.tid == 48 || last.tid == 37) && (root[8] & 0x80) == 0) ++spanning;
  }
  CHECK(mixed > 20);
  CHECK(spanning > 20);
  CHECK(empty_tail > 100);
  for (int tid : {12, 30, 37, 46, 48, 54}) {
    INFO(tid);
    CHECK(templates.count(tid) == 1);
  }
}
