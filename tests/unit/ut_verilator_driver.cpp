// The verilator backend (drivers/verilator: the card's RTL top, Verilated) against the sw backend
// in card mode, through the Driver interface only: generated captures in bursts of random size,
// frames flagged with a bad FCS (which a pcap cannot carry), kill toggles, parameter and skew
// writes between bursts. Every burst's quote records must be identical, and so must every
// instrument's top_of_book (the card's published-top registers against FastPath's last_top),
// then the counters the card keeps; the same under feed.commit = "cut_through" (the card's MODE
// = 1) with truncated and malformed first copies besides the bad FCS. Skipped (with a warning)
// when this ttq has no verilator backend.
#include <fmt/format.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <numeric>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "ttq/capgen.hpp"
#include "ttq/driver.hpp"
#include "ttq/net.hpp"
#include "ttq/pcap_source.hpp"

using namespace ttq;

namespace {

std::int64_t capgen_tick(int i) {  // instrument 100000 + i: BTC, ETH, MBT, MET, ...
  static constexpr std::int64_t kTicks[] = {5'000'000'000, 250'000'000, 5'000'000'000, 500'000'000};
  return kTicks[(i - 1) % 4];
}

PipelineConfig card_config(int n_instr, std::uint32_t window, bool cut_through = false) {
  PipelineConfig c;
  c.fixed_instruments = true;
  c.cut_through = cut_through;
  c.reorder_window = window;
  c.channels = {ChannelConfig{310}, ChannelConfig{320}};
  c.lines = {
      LineConfig{capgen::kIncrementalIpA, capgen::kIncrementalPortA, 0, FeedKind::kIncremental,
                 'A'},
      LineConfig{capgen::kIncrementalIpB, capgen::kIncrementalPortB, 0, FeedKind::kIncremental,
                 'B'},
      LineConfig{0xE0002101, 16310, 1, FeedKind::kIncremental, 'A'},  // channel 320: no traffic
  };
  for (int i = 1; i <= n_instr; ++i) {
    InstrumentConfig ic;
    ic.security_id = 100000 + i;
    ic.tick = capgen_tick(i);
    ic.skew = SkewRegs{i % 3 - 1, i % 2};
    ic.channel = i == n_instr ? 1 : 0;  // the last one on the idle channel
    c.instruments.push_back(ic);
  }
  return c;
}

struct Capture {
  std::vector<std::vector<std::uint8_t>> bytes;
  std::vector<Frame> frames;
};

Capture generate(const GenOptions& o) {
  const auto path = std::filesystem::temp_directory_path() /
                    fmt::format("ttq_ut_verilator_{}_{}.pcap", ::getpid(), o.seed);
  generate_capture(o, path.string(), nullptr, nullptr);
  std::string err;
  auto src = PcapSource::open(path.string(), err);
  REQUIRE(src);
  Capture c;
  for (Frame f; src->next(f);) {
    c.bytes.emplace_back(f.data, f.data + f.len);
    f.data = nullptr;
    c.frames.push_back(f);
  }
  std::filesystem::remove(path);
  for (std::size_t i = 0; i < c.frames.size(); ++i) c.frames[i].data = c.bytes[i].data();
  return c;
}

// Late failures for feed.commit = "cut_through": with probability 1/every, the first copy of a
// MsgSeqNum on an incremental line (so mostly the one the arbiter would take at once) is cut
// inside its MDP payload after the MsgSeqNum (truncated: the IP header claims the whole packet)
// or has one message made malformed (its size overruns the packet). The other line's copy stays
// good.
struct Damage {
  std::size_t truncated = 0, malformed = 0;
};
Damage damage(Capture& c, std::uint64_t seed, std::uint64_t every) {
  Damage d;
  std::mt19937_64 rng(seed);
  std::set<std::uint32_t> seen;
  for (std::size_t i = 0; i < c.frames.size(); ++i) {
    Frame& f = c.frames[i];
    UdpView u{};
    if (parse_udp(f, u) != FrameDrop::kCount || u.len < 12) continue;
    if (u.dst_port != capgen::kIncrementalPortA && u.dst_port != capgen::kIncrementalPortB) {
      continue;
    }
    std::uint32_t seq;
    std::memcpy(&seq, u.payload, 4);
    if (!seen.insert(seq).second || rng() % every != 0) continue;
    const auto at = static_cast<std::uint32_t>(u.payload - f.data);
    if (rng() % 2 == 0) {
      f.len = at + 4 + static_cast<std::uint32_t>(rng() % (u.len - 4));  // some payload lost
      ++d.truncated;
      continue;
    }
    std::vector<std::uint32_t> msgs;  // the messages' offsets in the frame
    for (std::uint32_t off = at + 12; off + 2 <= at + u.len;) {
      const std::uint16_t size = static_cast<std::uint16_t>(f.data[off] | f.data[off + 1] << 8);
      if (size < 2) break;
      msgs.push_back(off);
      off += size;
    }
    if (msgs.empty()) continue;
    const std::uint32_t m = msgs[rng() % msgs.size()];
    c.bytes[i][m] = 0xFF;  // size 0xFFFF: overruns the packet, malformed from this message on
    c.bytes[i][m + 1] = 0xFF;
    ++d.malformed;
  }
  return d;
}

std::vector<QuoteRecord> drain(Driver& d) {
  std::vector<QuoteRecord> out;
  QuoteRecord buf[64];
  for (std::size_t n; (n = d.collect(buf)) > 0;) out.insert(out.end(), buf, buf + n);
  return out;
}

std::string show(const QuoteRecord& r) {
  return fmt::format("slot {} id {} seq {} bid {} x {} ask {} x {} flags {:02x}", r.slot,
                     r.security_id, r.seq, r.bid_px, r.bid_sz, r.ask_px, r.ask_sz, r.flags);
}

std::string show(bool known, const PublishedTop& t) {
  if (!known) return "unknown";
  return fmt::format("bid {} x {} ask {} x {} bid {} ask {} stale {}", t.tob.bid_px, t.tob.bid_sz,
                     t.tob.ask_px, t.tob.ask_sz, t.bid, t.ask, t.stale);
}

struct Run {
  std::unique_ptr<Driver> sw, v;
  std::vector<std::int32_t> ids;  // every configured instrument, and one unknown id
  std::size_t records = 0, steps = 0, tops = 0, stale_tops = 0;
  std::map<std::int32_t, QuoteRecord> last;  // latest live record per instrument

  // Both backends' records since the last call must be identical.
  void same(const std::string& after) {
    ++steps;
    const auto a = drain(*sw), b = drain(*v);
    const std::size_t n = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i) {
      if (std::memcmp(&a[i], &b[i], sizeof(QuoteRecord)) != 0) {
        FAIL(
            fmt::format("after {} (step {}, record {} of the step, {} before): sw {} / verilator "
                        "{}",
                        after, steps, i, records, show(a[i]), show(b[i])));
      }
      if (a[i].flags & (kQuoteBidLive | kQuoteAskLive)) last[a[i].security_id] = a[i];
    }
    if (a.size() != b.size()) {
      std::string list;
      for (std::size_t i = n; i < a.size(); ++i) list += "\n  sw only: " + show(a[i]);
      for (std::size_t i = n; i < b.size(); ++i) list += "\n  verilator only: " + show(b[i]);
      FAIL(fmt::format("after {} (step {}, {} records before): sw {} records, verilator {}{}",
                       after, steps, records, a.size(), b.size(), list));
    }
    records += a.size();
    // The risk gate's reference: the same top of book from both, for every instrument (twice
    // from the card: the second answer comes from the driver's cache).
    for (std::int32_t id : ids) {
      PublishedTop ta, tb, tc;
      const bool ka = sw->top_of_book(id, ta), kb = v->top_of_book(id, tb);
      const bool kc = v->top_of_book(id, tc);
      if (ka != kb || (ka && !(ta == tb)) || kc != kb || (kb && !(tc == tb))) {
        FAIL(fmt::format("after {} (step {}): top_of_book({}): sw {} / verilator {} (again: {})",
                         after, steps, id, show(ka, ta), show(kb, tb), show(kc, tc)));
      }
      if (ka) {
        ++tops;
        if (ta.stale) ++stale_tops;
      }
    }
  }
};

void check_counters(Driver& sw, Driver& v) {
  const PipelineCounters a = sw.counters(), b = v.counters();
  CHECK(a.frames == b.frames);
  CHECK(a.bytes == b.bytes);
  for (std::size_t i = 0; i < a.frame_drops.size(); ++i) {
    INFO("drop reason " << to_string(static_cast<FrameDrop>(i)));
    CHECK(a.frame_drops[i] == b.frame_drops[i]);
  }
  CHECK(a.packets == b.packets);
  // The card counts malformed packets without the reason (the total at index 0).
  const std::uint64_t malformed =
      std::accumulate(a.malformed.begin(), a.malformed.end(), std::uint64_t{0});
  CHECK(malformed == b.malformed[0]);
  CHECK(a.early_duplicates == b.early_duplicates);
  CHECK(a.arb.duplicates == b.arb.duplicates);
  CHECK(a.arb.held == b.arb.held);
  CHECK(a.arb.gaps == b.arb.gaps);
  CHECK(a.arb.lost == b.arb.lost);
  CHECK(a.seq_restarts == b.seq_restarts);
  CHECK(a.unknown_instruments == b.unknown_instruments);
  CHECK(a.book_entries == b.book_entries);
  CHECK(a.stale_events == b.stale_events);
  CHECK(a.quotes == b.quotes);
  CHECK(a.quote_overflow == b.quote_overflow);
  CHECK(a.snapshot_packets + a.definition_packets == b.snapshot_packets);
}

// Both backends, or false (and a warning) when this ttq has no verilator backend.
bool start(Run& run, const PipelineConfig& cfg) {
  std::string err;
  run.v = make_driver("verilator", cfg, err);
  if (!run.v) {
    REQUIRE(err.find("not built") != std::string::npos);
    WARN("skipped: " << err);
    return false;
  }
  run.sw = make_driver("sw", cfg, err);
  REQUIRE(run.sw);
  for (const InstrumentConfig& ic : cfg.instruments) run.ids.push_back(ic.security_id);
  run.ids.push_back(999);  // no slot: false from both
  run.same("start-up");
  return true;
}

// What happens between bursts (each with probability 1/n; 0 = never).
struct Ops {
  std::uint64_t kill = 0, params = 0, skew = 0;
};

// cut_through: both backends with feed.commit = "cut_through" (the card: MODE = 1), frames
// damaged (damage above) besides the bad FCS, and a third run, the sw backend under "verdict"
// on the same frames and operations, whose records are those of cut_through without the
// speculative ones and the corrections: how many there were is the difference (asserted).
void compare(const GenOptions& o, int n_instr, std::uint32_t window, Ops ops,
             bool cut_through = false) {
  const PipelineConfig cfg = card_config(n_instr, window, cut_through);
  Run run;
  if (!start(run, cfg)) return;
  std::unique_ptr<Driver> verdict;
  std::size_t verdict_records = 0;
  if (cut_through) {
    std::string err;
    verdict = make_driver("sw", card_config(n_instr, window), err);
    REQUIRE(verdict);
  }
  auto also = [&](auto&& op) {
    if (verdict) {
      op(*verdict);
      verdict_records += drain(*verdict).size();
    }
  };

  Capture cap = generate(o);
  Damage dmg;
  if (cut_through) dmg = damage(cap, o.seed * 31 + 7, 30);
  std::mt19937_64 rng(o.seed * 7919);
  auto pick = [&](std::uint64_t n) { return rng() % n; };
  std::vector<Frame> burst;
  bool kill = false;
  std::size_t bad_fcs = 0, kills = 0, params = 0, skews = 0;
  for (std::size_t i = 0; i < cap.frames.size();) {
    const std::size_t n = std::min<std::size_t>(1 + pick(40), cap.frames.size() - i);
    burst.assign(cap.frames.begin() + static_cast<std::ptrdiff_t>(i),
                 cap.frames.begin() + static_cast<std::ptrdiff_t>(i + n));
    for (Frame& f : burst) {
      if (pick(40) == 0) {
        f.bad_fcs = true;
        ++bad_fcs;
      }
    }
    i += n;
    run.sw->submit(burst);
    run.v->submit(burst);
    also([&](Driver& d) { d.submit(burst); });
    run.same("a burst");

    if (ops.kill && pick(ops.kill) == 0) {
      kill = !kill;
      ++kills;
      run.sw->set_kill(kill);
      run.v->set_kill(kill);
      also([&](Driver& d) { d.set_kill(kill); });
      run.same(kill ? "kill on" : "kill off");
    }
    if (ops.params && pick(ops.params) == 0) {
      const std::int32_t id =
          pick(8) == 0
              ? 0
              : 100001 + static_cast<std::int32_t>(pick(static_cast<std::uint64_t>(n_instr)));
      QuoterParams p;
      p.ref_mode = pick(2) ? RefMode::kMid : RefMode::kJoin;
      p.bid_offset_ticks = static_cast<std::int32_t>(pick(4)) - 1;
      p.ask_offset_ticks = static_cast<std::int32_t>(pick(4)) - 1;
      p.min_spread_ticks = static_cast<std::int32_t>(pick(4));
      p.max_spread_ticks = 5 + static_cast<std::int32_t>(pick(1000));
      p.order_size = static_cast<std::int32_t>(pick(6));
      p.requote_tolerance_ticks = static_cast<std::int32_t>(pick(3));
      const auto it = run.last.find(id);
      if (it != run.last.end() && pick(2)) {  // a floor / ceiling around the current quote
        const std::int64_t t = capgen_tick(id - 100000);
        p.price_floor = it->second.ask_px - t * static_cast<std::int64_t>(pick(3));
        p.price_ceiling = it->second.bid_px + t * static_cast<std::int64_t>(pick(3));
        if (p.price_floor > p.price_ceiling) std::swap(p.price_floor, p.price_ceiling);
      }
      ++params;
      const char* a = run.sw->set_params(id, p);
      const char* b = run.v->set_params(id, p);
      REQUIRE((a == nullptr) == (b == nullptr));
      also([&](Driver& d) { d.set_params(id, p); });
      run.same(fmt::format("set_params({})", id));
    }
    if (ops.skew && pick(ops.skew) == 0) {
      const auto id = 100001 + static_cast<std::int32_t>(pick(static_cast<std::uint64_t>(n_instr)));
      const SkewRegs s{static_cast<std::int32_t>(pick(7)) - 3,
                       static_cast<std::int32_t>(pick(5)) - 2};
      ++skews;
      run.sw->set_skew(id, s);
      run.v->set_skew(id, s);
      also([&](Driver& d) { d.set_skew(id, s); });
      run.same(fmt::format("set_skew({})", id));
    }
  }
  run.sw->finish();
  run.v->finish();
  also([&](Driver& d) { d.finish(); });
  run.same("finish");
  // An unknown instrument is refused by both.
  CHECK(run.sw->set_params(999, QuoterParams{}) != nullptr);
  CHECK(run.v->set_params(999, QuoterParams{}) != nullptr);
  check_counters(*run.sw, *run.v);
  INFO(fmt::format(
      "{} frames ({} bad FCS), {} records, {} kills, {} parameter and {} skew writes, "
      "{} tops compared ({} stale)",
      cap.frames.size(), bad_fcs, run.records, kills, params, skews, run.tops, run.stale_tops));
  CHECK(run.records > 100);
  CHECK(run.tops > 100);
  CHECK(run.stale_tops > 0);
  CHECK(bad_fcs > 0);
  CHECK(run.v->counters().frame_drops[static_cast<std::size_t>(FrameDrop::kBadFcs)] == bad_fcs);
  if (cut_through) {
    const std::uint64_t undone = run.sw->counters().spec_undone;
    const std::size_t extra = run.records - verdict_records;  // speculative + corrections
    WARN(fmt::format("cut_through: {} frames truncated, {} made malformed, {} bad FCS; {} packets "
                     "undone, {} records ({} under verdict: {} speculative or corrections); {} "
                     "tops compared ({} stale)",
                     dmg.truncated, dmg.malformed, bad_fcs, undone, run.records, verdict_records,
                     extra, run.tops, run.stale_tops));
    CHECK(run.records >= verdict_records);
    CHECK(undone >= 20);
    CHECK(extra >= 20);
    CHECK(dmg.truncated > 0);
    CHECK(dmg.malformed > 0);
  }
}

}  // namespace

TEST_CASE("verilator backend = sw card mode: schema 9, loss, reordering, halts, bad FCS, kill",
          "[verilator]") {
  GenOptions o;
  o.seed = 31;
  o.instruments = 11;
  o.events = 6000;
  o.loss_a = o.loss_b = 0.02;
  o.loss_both = 0.0005;
  o.dup = 0.03;
  o.reorder = 0.02;
  o.jitter_packets = 4;
  o.garbage = 0.03;
  o.vlan = 0.05;
  o.halt = 0.003;
  compare(o, 10, 8, Ops{150, 0, 0});
}

TEST_CASE("verilator backend = sw card mode: schema 8, no implied book, window 2, kill",
          "[verilator]") {
  GenOptions o;
  o.seed = 32;
  o.instruments = 6;
  o.events = 8000;
  o.schema_version = 8;
  o.depth = 5;
  o.implied = false;
  o.loss_a = o.loss_b = 0.03;
  o.dup = 0.05;
  o.reorder = 0.03;
  o.jitter_packets = 3;
  o.garbage = 0.05;
  compare(o, 6, 2, Ops{300, 0, 0});
}

// feed.commit = "cut_through" on both (the card selected by MODE, CardProgram::program): late
// failures (bad FCS, truncated, malformed) of packets the card applies as they stream, so
// speculative records and corrections, on the captures of the two cases above; parameter and
// skew writes in the second.
TEST_CASE("verilator backend = sw card mode, cut_through: loss, reordering, late failures, kill",
          "[verilator][cut_through]") {
  GenOptions o;
  o.seed = 35;
  o.instruments = 11;
  o.events = 20000;
  o.loss_a = o.loss_b = 0.01;  // milder than above: books that go stale stay so in card mode
  o.dup = 0.03;
  o.reorder = 0.02;
  o.jitter_packets = 4;
  o.garbage = 0.03;
  o.vlan = 0.05;
  o.halt = 0.003;
  compare(o, 10, 8, Ops{150, 0, 0}, /*cut_through=*/true);
}

TEST_CASE("verilator backend = sw card mode, cut_through: schema 8, no implied book, params, skew",
          "[verilator][cut_through]") {
  GenOptions o;
  o.seed = 36;
  o.instruments = 6;
  o.events = 20000;
  o.schema_version = 8;
  o.depth = 5;
  o.implied = false;
  o.loss_a = o.loss_b = 0.01;
  o.dup = 0.05;
  o.reorder = 0.02;
  o.jitter_packets = 3;
  o.garbage = 0.05;
  compare(o, 6, 8, Ops{300, 40, 30}, /*cut_through=*/true);
}

// Parameter and skew writes between bursts. Both requote the instrument at once: the model in
// set_params / set_skew, the card on the slot's commit (ttq_apply's cfg_commit).
TEST_CASE("verilator backend = sw card mode: parameter and skew writes between bursts",
          "[verilator]") {
  GenOptions o;
  o.seed = 33;
  o.instruments = 9;
  o.events = 5000;
  o.loss_a = o.loss_b = 0.02;
  o.dup = 0.02;
  o.reorder = 0.01;
  o.garbage = 0.02;
  compare(o, 9, 8, Ops{200, 25, 20});
}

// Replays a small capture in one burst, then `change`, then compares what each backend emits.
template <class Change>
void after_change(int split_at_percent, Change change) {
  GenOptions o;
  o.seed = 34;
  o.instruments = 1;
  o.events = 200;
  const PipelineConfig cfg = card_config(2, 8);  // instrument 100002 (idle channel) unused
  Run run;
  if (!start(run, cfg)) return;
  const Capture cap = generate(o);
  const auto split = static_cast<std::ptrdiff_t>(cap.frames.size() * split_at_percent / 100);
  const std::vector<Frame> head(cap.frames.begin(), cap.frames.begin() + split);
  const std::vector<Frame> tail(cap.frames.begin() + split, cap.frames.end());
  run.sw->submit(head);
  run.v->submit(head);
  run.same("the first part of the capture");
  REQUIRE(run.last.count(100001) == 1);  // a live quote to change
  change(*run.sw);
  change(*run.v);
  run.same("the change");
  run.sw->submit(tail);
  run.v->submit(tail);
  run.same("the rest of the capture");
}

TEST_CASE("verilator backend: set_params requotes at once", "[verilator]") {
  after_change(50, [](Driver& d) {
    QuoterParams p;
    p.order_size = 2;  // every live quote's size changes: the model requotes at once
    REQUIRE(d.set_params(0, p) == nullptr);
  });
}

TEST_CASE("verilator backend: set_skew requotes at once", "[verilator]") {
  after_change(50, [](Driver& d) { d.set_skew(100001, SkewRegs{2, -1}); });
}
