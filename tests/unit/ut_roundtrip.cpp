// Round trip: `ttq gen` capture -> decode / book -> the generator's own record of what it encoded,
// compared line by line. The generator encodes from the spec independently of the decoder.
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ttq/capgen.hpp"
#include "ttq/fast_path.hpp"
#include "ttq/jsonl.hpp"
#include "ttq/pcap_source.hpp"

using namespace ttq;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

std::string read_all(std::FILE* f) {
  std::string s;
  std::rewind(f);
  char buf[1 << 14];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
  return s;
}

struct Collector final : PipelineObserver {
  fmt::memory_buffer entries, tops;
  void on_book_entry(const mdp3::MsgCtx& m, std::uint32_t i, const mdp3::BookEntry& e) override {
    append_entry_json(entries, m, i, e);
  }
  void on_top(std::uint32_t seq, const Instrument& in, const PublishedTop& t) override {
    append_top_json(tops, seq, in.security_id, t);
  }
};

struct Outcome {
  std::vector<std::string> decoded, truth_decode, tops, truth_book;
  PipelineCounters counters;
  GenStats stats;
};

Outcome run(const GenOptions& g) {
  const auto dir = std::filesystem::temp_directory_path() / "ttq_roundtrip";
  std::filesystem::create_directories(dir);
  const std::string cap = (dir / (std::to_string(g.seed) + (g.pcapng ? ".pcapng" : ".pcap"))).string();
  std::FILE* td = std::tmpfile();
  std::FILE* tb = std::tmpfile();
  REQUIRE(td);
  REQUIRE(tb);
  Outcome o;
  o.stats = generate_capture(g, cap, td, tb);
  o.truth_decode = lines_of(read_all(td));
  o.truth_book = lines_of(read_all(tb));
  std::fclose(td);
  std::fclose(tb);

  std::string err;
  auto src = PcapSource::open(cap, err);
  REQUIRE(src);
  FastPath fp(PipelineConfig{});
  Collector c;
  fp.set_observer(&c);
  Frame f{};
  while (src->next(f)) fp.process(f);
  fp.finish();
  o.decoded = lines_of(fmt::to_string(c.entries));
  o.tops = lines_of(fmt::to_string(c.tops));
  o.counters = fp.counters();
  std::filesystem::remove(cap);
  return o;
}

// Compares line by line so a failure names the first differing line.
void require_same(const std::vector<std::string>& got, const std::vector<std::string>& want) {
  const std::size_t n = std::min(got.size(), want.size());
  for (std::size_t i = 0; i < n; ++i) {
    INFO("line " << i + 1);
    REQUIRE(got[i] == want[i]);
  }
  REQUIRE(got.size() == want.size());
}

}  // namespace

TEST_CASE("round trip: clean capture, schema 9, implied levels", "[roundtrip]") {
  GenOptions g;
  g.seed = 11;
  g.events = 3000;
  const Outcome o = run(g);
  REQUIRE(o.truth_decode.size() > 3000);
  require_same(o.decoded, o.truth_decode);
  require_same(o.tops, o.truth_book);
  CHECK(o.counters.arb.gaps == 0);
  CHECK(o.counters.stale_events == 0);
  CHECK(o.counters.book_corrupt == 0);
  CHECK(o.counters.arb.duplicates == o.stats.packets);  // every packet came on A and B
}

TEST_CASE("round trip: loss on one line, duplicates, reordering, jitter, bad frames", "[roundtrip]") {
  GenOptions g;
  g.seed = 12;
  g.events = 3000;
  g.loss_a = 0.05;
  g.loss_b = 0.05;
  g.dup = 0.05;
  g.reorder = 0.05;
  g.jitter_packets = 3;
  g.garbage = 0.1;
  g.vlan = 0.3;
  g.ip_options = 0.3;
  const Outcome o = run(g);
  REQUIRE(o.stats.lost_a > 0);
  REQUIRE(o.stats.lost_b > 0);
  REQUIRE(o.stats.garbage > 0);
  require_same(o.decoded, o.truth_decode);
  require_same(o.tops, o.truth_book);
  CHECK(o.counters.arb.gaps == 0);
  CHECK(o.counters.arb.lost == 0);
  CHECK(o.counters.stale_events == 0);
  // Every frame is accounted for exactly once.
  std::uint64_t sum = o.counters.packets + o.counters.early_duplicates;
  for (std::uint64_t d : o.counters.frame_drops) sum += d;
  for (std::uint64_t m : o.counters.malformed) sum += m;
  CHECK(sum == o.counters.frames);
  CHECK(o.counters.frames == o.stats.frames);
}

TEST_CASE("round trip: schema 6 (templates 32/42/27), pcapng, no implied book", "[roundtrip]") {
  GenOptions g;
  g.seed = 13;
  g.events = 2000;
  g.schema_version = 6;
  g.pcapng = true;
  g.implied = false;
  const Outcome o = run(g);
  REQUIRE(o.truth_decode.front().find("\"template\":32") != std::string::npos);
  require_same(o.decoded, o.truth_decode);
  require_same(o.tops, o.truth_book);
}

TEST_CASE("round trip: snapshots on the recovery feed and halts", "[roundtrip]") {
  GenOptions g;
  g.seed = 14;
  g.events = 3000;
  g.snapshot_every = 40;
  g.halt = 0.01;
  g.instruments = 6;
  const Outcome o = run(g);
  require_same(o.decoded, o.truth_decode);
  require_same(o.tops, o.truth_book);
  CHECK(o.counters.snapshot_packets > 0);
  // Books built from the feed's start are not known to be complete until their first snapshot,
  // which is applied once per instrument; every later snapshot of a healthy book is ignored.
  CHECK(o.counters.recoveries == static_cast<std::uint64_t>(g.instruments));
  CHECK(o.counters.snapshots_ignored > 0);
  CHECK(o.counters.halts > 0);
}

TEST_CASE("round trip: loss on both lines is seen as gaps; what arrives still decodes exactly",
          "[roundtrip]") {
  GenOptions g;
  g.seed = 15;
  g.events = 3000;
  g.loss_both = 0.02;
  const Outcome o = run(g);
  REQUIRE(o.stats.lost_both > 0);
  CHECK(o.counters.arb.lost == o.stats.lost_both);
  // The decoded entries are the truth with the lost packets' entries left out, in order.
  std::size_t j = 0;
  for (const std::string& line : o.decoded) {
    while (j < o.truth_decode.size() && o.truth_decode[j] != line) ++j;
    REQUIRE(j < o.truth_decode.size());
    ++j;
  }
  CHECK(o.decoded.size() < o.truth_decode.size());
  CHECK(o.counters.suspect_events > 0);
}
