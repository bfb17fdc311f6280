// Unit tests of the A/B line arbiter (host/include/ttq/arbiter.hpp): the exact order of applied
// packets and declared gaps, and every counter, for duplicates, loss on one or both lines,
// reordering, the window edge, timeouts, flush, oversize packets and sequence wrap.
// docs/arbitration.md states the rules these tests pin down.

#include <catch2/catch.hpp>
#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "ttq/arbiter.hpp"

using ttq::ArbiterCounters;
using ttq::SeqArbiter;

namespace {

using Events = std::vector<std::string>;

// The byte pattern of packet `seq`: MsgSeqNum little-endian, then bytes that depend on seq and
// position, so a held copy that was not copied (or was copied short) shows up.
std::uint8_t pattern(std::uint32_t seq, std::uint32_t i) {
  return static_cast<std::uint8_t>(seq * 7u + i);
}

// Records what the arbiter releases: "seq" per applied packet, "gap first+count" per gap.
struct Rec {
  Events ev;
  std::vector<std::uint32_t> lens;
  bool bad_bytes = false;

  void apply(const std::uint8_t* d, std::uint32_t len, std::uint32_t seq) {
    guard();
    ev.push_back(std::to_string(seq));
    lens.push_back(len);
    if (len < 4 ||
        (d[0] | d[1] << 8 | d[2] << 16 | static_cast<std::uint32_t>(d[3]) << 24) != seq) {
      bad_bytes = true;
      return;
    }
    for (std::uint32_t i = 4; i < len; ++i) {
      if (d[i] != pattern(seq, i)) bad_bytes = true;
    }
  }
  void gap(std::uint32_t first, std::uint32_t count) {
    guard();
    ev.push_back("gap " + std::to_string(first) + "+" + std::to_string(count));
  }
  // A runaway arbiter (e.g. an endless release loop) fails the test instead of hanging it.
  void guard() const {
    if (ev.size() > 10000) throw std::runtime_error("arbiter produced more than 10000 events");
  }
};

// Offers packet `seq` (len bytes) and wipes the buffer afterwards: held packets must be copies.
void offer(SeqArbiter& a, Rec& r, std::uint32_t seq, std::uint64_t ts = 0,
           std::uint32_t len = 64) {
  std::vector<std::uint8_t> b(len);
  for (std::uint32_t i = 0; i < 4 && i < len; ++i) b[i] = static_cast<std::uint8_t>(seq >> (8 * i));
  for (std::uint32_t i = 4; i < len; ++i) b[i] = pattern(seq, i);
  a.offer(seq, b.data(), len, ts, r);
  std::fill(b.begin(), b.end(), std::uint8_t{0xEE});
}

std::string counters(const SeqArbiter& a) {
  const ArbiterCounters& c = a.counters();
  return "applied=" + std::to_string(c.applied) + " dup=" + std::to_string(c.duplicates) +
         " held=" + std::to_string(c.held) + " gaps=" + std::to_string(c.gaps) +
         " lost=" + std::to_string(c.lost) + " oversize=" + std::to_string(c.oversize);
}

Events range(std::uint32_t first, std::uint32_t last) {
  Events e;
  for (std::uint32_t s = first; s <= last; ++s) e.push_back(std::to_string(s));
  return e;
}

Events cat(Events a, const Events& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

TEST_CASE("arbiter: packets in order are applied at once", "[arbiter]") {
  SeqArbiter a(8, 0);
  Rec r;
  for (std::uint32_t s = 1; s <= 5; ++s) offer(a, r, s);
  CHECK(r.ev == Events{"1", "2", "3", "4", "5"});
  CHECK(counters(a) == "applied=5 dup=0 held=0 gaps=0 lost=0 oversize=0");
  CHECK(a.expected() == 6);
  CHECK(a.held_now() == 0);
  CHECK_FALSE(r.bad_bytes);
}

TEST_CASE("arbiter: the first packet sets the start", "[arbiter]") {
  SeqArbiter a(8, 0);
  Rec r;
  offer(a, r, 1000);
  offer(a, r, 1001);
  offer(a, r, 999);   // before the start: already "processed"
  offer(a, r, 1000);
  CHECK(r.ev == Events{"1000", "1001"});
  CHECK(counters(a) == "applied=2 dup=2 held=0 gaps=0 lost=0 oversize=0");
}

TEST_CASE("arbiter: the copy on the other line is a duplicate", "[arbiter]") {
  SeqArbiter a(8, 0);
  Rec r;
  SECTION("A first every time") {
    for (std::uint32_t s = 1; s <= 3; ++s) {
      offer(a, r, s);  // A
      offer(a, r, s);  // B
    }
  }
  SECTION("the leader changes") {
    offer(a, r, 1);  // A
    offer(a, r, 1);  // B
    offer(a, r, 2);  // B
    offer(a, r, 2);  // A
    offer(a, r, 3);  // A
    offer(a, r, 3);  // B
  }
  CHECK(r.ev == Events{"1", "2", "3"});
  CHECK(counters(a) == "applied=3 dup=3 held=0 gaps=0 lost=0 oversize=0");
}

TEST_CASE("arbiter: loss on one line is filled by the other", "[arbiter]") {
  SeqArbiter a(8, 0);
  Rec r;
  SECTION("A lost 3") {
    offer(a, r, 1);  // A
    offer(a, r, 1);  // B
    offer(a, r, 2);  // A
    offer(a, r, 2);  // B
    offer(a, r, 4);  // A: early, held
    CHECK(r.ev == Events{"1", "2"});
    CHECK(a.held_now() == 1);
    offer(a, r, 3);  // B fills the hole; 4 follows from the slot
    offer(a, r, 4);  // B
    offer(a, r, 5);  // A
    offer(a, r, 5);  // B
  }
  SECTION("B lost 3") {
    offer(a, r, 1);  // B
    offer(a, r, 1);  // A
    offer(a, r, 2);  // B
    offer(a, r, 2);  // A
    offer(a, r, 4);  // B: early, held
    offer(a, r, 3);  // A fills
    offer(a, r, 4);  // A
    offer(a, r, 5);  // B
    offer(a, r, 5);  // A
  }
  CHECK(r.ev == Events{"1", "2", "3", "4", "5"});
  CHECK(counters(a) == "applied=5 dup=4 held=1 gaps=0 lost=0 oversize=0");
  CHECK(a.held_now() == 0);
  CHECK_FALSE(r.bad_bytes);
}

TEST_CASE("arbiter: loss on both lines is declared after window-1 later packets", "[arbiter]") {
  SeqArbiter a(8, 0);
  Rec r;
  SECTION("one packet lost") {
    offer(a, r, 1);
    for (std::uint32_t s = 3; s <= 8; ++s) offer(a, r, s);  // 6 held: still waiting
    CHECK(r.ev == Events{"1"});
    CHECK(a.held_now() == 6);
    offer(a, r, 9);  // the 7th held packet: 2 is given up
    CHECK(r.ev == cat({"1", "gap 2+1"}, range(3, 9)));
    CHECK(counters(a) == "applied=8 dup=0 held=7 gaps=1 lost=1 oversize=0");
    CHECK(a.held_now() == 0);
    for (std::uint32_t s = 3; s <= 9; ++s) offer(a, r, s);  // the other line's copies
    offer(a, r, 2);  // too late
    CHECK(counters(a) == "applied=8 dup=8 held=7 gaps=1 lost=1 oversize=0");
    CHECK(r.ev.size() == 9);
    CHECK_FALSE(r.bad_bytes);
  }
  SECTION("two consecutive packets lost: one gap of 2") {
    offer(a, r, 1);
    for (std::uint32_t s = 4; s <= 9; ++s) offer(a, r, s);  // 6 held
    CHECK(r.ev == Events{"1"});
    // The 7th later packet again decides, here through the window edge (10 - 2 = 8) rather than
    // the held count: it is applied directly, never held.
    offer(a, r, 10);
    CHECK(r.ev == cat({"1", "gap 2+2"}, range(4, 10)));
    CHECK(counters(a) == "applied=8 dup=0 held=6 gaps=1 lost=2 oversize=0");
  }
  SECTION("two separate holes: the second gets its own full wait") {
    offer(a, r, 1);
    offer(a, r, 3);
    for (std::uint32_t s = 5; s <= 10; ++s) offer(a, r, s);  // 7 held at 10
    CHECK(r.ev == Events{"1", "gap 2+1", "3"});
    CHECK(a.held_now() == 6);  // 5..10 wait for 4
    offer(a, r, 11);
    CHECK(r.ev == cat({"1", "gap 2+1", "3", "gap 4+1"}, range(5, 11)));
    CHECK(counters(a) == "applied=9 dup=0 held=8 gaps=2 lost=2 oversize=0");
  }
}

TEST_CASE("arbiter: one line lagging the other", "[arbiter]") {
  // The leading line L lost `lost`; the other line F trails it by k packets: F's copy of s
  // arrives right after L's copy of s + k.
  auto run = [](std::uint32_t window, std::uint32_t k, std::uint32_t lost, Rec& r) {
    SeqArbiter a(window, 0);
    for (std::uint32_t t = 1; t <= 20 + k; ++t) {
      if (t <= 20 && t != lost) offer(a, r, t);  // L
      if (t > k) offer(a, r, t - k);              // F
    }
    return counters(a);
  };
  SECTION("no loss, F 7 behind: all from L, no waiting") {
    Rec r;
    CHECK(run(8, 7, 0, r) == "applied=20 dup=20 held=0 gaps=0 lost=0 oversize=0");
    CHECK(r.ev == range(1, 20));
  }
  SECTION("L lost 5, F 6 behind: 6 packets held, F fills in time") {
    Rec r;
    CHECK(run(8, 6, 5, r) == "applied=20 dup=19 held=6 gaps=0 lost=0 oversize=0");
    CHECK(r.ev == range(1, 20));
    CHECK_FALSE(r.bad_bytes);
  }
  SECTION("L lost 5, F 7 behind: the 7th held packet declares 5 lost first") {
    Rec r;
    CHECK(run(8, 7, 5, r) == "applied=19 dup=20 held=7 gaps=1 lost=1 oversize=0");
    CHECK(r.ev == cat(cat(range(1, 4), {"gap 5+1"}), range(6, 20)));
  }
  SECTION("window 4: F may trail by 2, not by 3") {
    Rec r2;
    CHECK(run(4, 2, 5, r2) == "applied=20 dup=19 held=2 gaps=0 lost=0 oversize=0");
    Rec r3;
    CHECK(run(4, 3, 5, r3) == "applied=19 dup=20 held=3 gaps=1 lost=1 oversize=0");
    CHECK(r3.ev == cat(cat(range(1, 4), {"gap 5+1"}), range(6, 20)));
  }
}

TEST_CASE("arbiter: reordering within one line", "[arbiter]") {
  SeqArbiter a(8, 0);
  Rec r;
  SECTION("two packets swapped") {
    offer(a, r, 1);
    offer(a, r, 3);
    offer(a, r, 2);
    offer(a, r, 4);
    CHECK(r.ev == Events{"1", "2", "3", "4"});
    CHECK(counters(a) == "applied=4 dup=0 held=1 gaps=0 lost=0 oversize=0");
  }
  SECTION("three packets reversed") {
    offer(a, r, 1);
    offer(a, r, 4);
    offer(a, r, 3);
    offer(a, r, 2);
    offer(a, r, 5);
    CHECK(r.ev == Events{"1", "2", "3", "4", "5"});
    CHECK(counters(a) == "applied=5 dup=0 held=2 gaps=0 lost=0 oversize=0");
  }
  SECTION("7 packets reversed: 6 held, still in time") {
    offer(a, r, 1);
    for (std::uint32_t s = 8; s >= 2; --s) offer(a, r, s);
    CHECK(r.ev == range(1, 8));
    CHECK(counters(a) == "applied=8 dup=0 held=6 gaps=0 lost=0 oversize=0");
  }
  SECTION("8 packets reversed: too late for the first") {
    offer(a, r, 1);
    for (std::uint32_t s = 9; s >= 2; --s) offer(a, r, s);
    CHECK(r.ev == cat({"1", "gap 2+1"}, range(3, 9)));
    CHECK(counters(a) == "applied=8 dup=1 held=7 gaps=1 lost=1 oversize=0");
  }
  CHECK_FALSE(r.bad_bytes);
}

TEST_CASE("arbiter: window 0 and 1 declare a gap at once", "[arbiter]") {
  for (std::uint32_t w : {0u, 1u}) {
    INFO("window " << w);
    SeqArbiter a(w, 0);
    Rec r;
    offer(a, r, 1);
    offer(a, r, 3);
    offer(a, r, 2);  // late: the gap is already declared
    offer(a, r, 4);
    offer(a, r, 10);
    CHECK(r.ev == Events{"1", "gap 2+1", "3", "4", "gap 5+5", "10"});
    CHECK(counters(a) == "applied=4 dup=1 held=0 gaps=2 lost=6 oversize=0");
    CHECK(a.held_now() == 0);
  }
}

TEST_CASE("arbiter: window 2 holds nothing for long", "[arbiter]") {
  // Held count reaches window-1 = 1 with the first early packet: it is released at once, like
  // window 1, except that a far jump is reported as two runs (the part outside the window, then
  // the hole just before the packet).
  SeqArbiter a(2, 0);
  Rec r;
  offer(a, r, 1);
  offer(a, r, 3);
  CHECK(r.ev == Events{"1", "gap 2+1", "3"});
  offer(a, r, 10);
  CHECK(r.ev == Events{"1", "gap 2+1", "3", "gap 4+5", "gap 9+1", "10"});
  CHECK(counters(a) == "applied=3 dup=0 held=2 gaps=3 lost=7 oversize=0");
}

TEST_CASE("arbiter: a packet beyond the window", "[arbiter]") {
  SeqArbiter a(8, 0);
  Rec r;
  offer(a, r, 1);
  SECTION("the last number inside the window is held; one more forces the release") {
    offer(a, r, 9);  // 9 - 2 = 7 < 8
    CHECK(r.ev == Events{"1"});
    CHECK(a.held_now() == 1);
    offer(a, r, 10);  // 10 - 2 = 8: the hole before the lowest held packet (9) goes, then 10 fits
    CHECK(r.ev == Events{"1", "gap 2+7", "9", "10"});
    CHECK(a.held_now() == 0);
    CHECK(a.expected() == 11);
    CHECK(counters(a) == "applied=3 dup=0 held=1 gaps=1 lost=7 oversize=0");
  }
  SECTION("nothing held: one gap brings it to the window's far end") {
    offer(a, r, 20);
    CHECK(r.ev == Events{"1", "gap 2+11"});
    CHECK(a.expected() == 13);
    CHECK(a.held_now() == 1);
    for (std::uint32_t s = 13; s <= 19; ++s) offer(a, r, s);  // the rest does arrive
    CHECK(r.ev == cat({"1", "gap 2+11"}, range(13, 20)));
    CHECK(counters(a) == "applied=9 dup=0 held=1 gaps=1 lost=11 oversize=0");
  }
  SECTION("nothing held, and the rest never comes") {
    offer(a, r, 20);
    a.flush(r);
    CHECK(r.ev == Events{"1", "gap 2+11", "gap 13+7", "20"});
    CHECK(counters(a) == "applied=2 dup=0 held=1 gaps=2 lost=18 oversize=0");
  }
  SECTION("held packets are released, lowest first, until it fits") {
    offer(a, r, 3);
    offer(a, r, 5);
    offer(a, r, 12);  // 12 - 2 = 10: release 3 (gap 2), 12 - 4 = 8: release 5 (gap 4), then hold
    CHECK(r.ev == Events{"1", "gap 2+1", "3", "gap 4+1", "5"});
    CHECK(a.held_now() == 1);
    for (std::uint32_t s = 6; s <= 11; ++s) offer(a, r, s);
    CHECK(r.ev == cat({"1", "gap 2+1", "3", "gap 4+1", "5"}, range(6, 12)));
    CHECK(counters(a) == "applied=10 dup=0 held=3 gaps=2 lost=2 oversize=0");
  }
  SECTION("held packets released, then still too far: one more gap") {
    offer(a, r, 3);
    offer(a, r, 30);
    CHECK(r.ev == Events{"1", "gap 2+1", "3", "gap 4+19"});
    CHECK(a.expected() == 23);
    a.flush(r);
    CHECK(r.ev == Events{"1", "gap 2+1", "3", "gap 4+19", "gap 23+7", "30"});
    CHECK(counters(a) == "applied=3 dup=0 held=2 gaps=3 lost=27 oversize=0");
  }
  CHECK_FALSE(r.bad_bytes);
}

TEST_CASE("arbiter: timeout releases held packets", "[arbiter]") {
  SECTION("measured from the oldest held packet, released on a later offer") {
    SeqArbiter a(8, 100);
    Rec r;
    offer(a, r, 1, 0);
    offer(a, r, 3, 10);
    offer(a, r, 4, 50);
    offer(a, r, 5, 109);  // 109 < 10 + 100: still waiting
    CHECK(r.ev == Events{"1"});
    CHECK(a.held_now() == 3);
    offer(a, r, 6, 110);  // 110 >= 10 + 100: 2 is lost, then 6 is next in line
    CHECK(r.ev == Events{"1", "gap 2+1", "3", "4", "5", "6"});
    CHECK(counters(a) == "applied=5 dup=0 held=3 gaps=1 lost=1 oversize=0");
  }
  SECTION("nothing happens without an offer; flush still releases") {
    SeqArbiter a(8, 100);
    Rec r;
    offer(a, r, 1, 0);
    offer(a, r, 3, 0);
    CHECK(r.ev == Events{"1"});
    a.flush(r);
    CHECK(r.ev == Events{"1", "gap 2+1", "3"});
  }
  SECTION("a late duplicate also triggers the release") {
    SeqArbiter a(8, 100);
    Rec r;
    offer(a, r, 1, 0);
    offer(a, r, 3, 0);
    offer(a, r, 1, 500);
    CHECK(r.ev == Events{"1", "gap 2+1", "3"});
    CHECK(counters(a) == "applied=2 dup=1 held=1 gaps=1 lost=1 oversize=0");
  }
  SECTION("timeout 0: no time limit") {
    SeqArbiter a(8, 0);
    Rec r;
    offer(a, r, 1, 0);
    offer(a, r, 3, 0);
    offer(a, r, 4, 1'000'000'000'000ULL);
    CHECK(r.ev == Events{"1"});
    CHECK(a.held_now() == 2);
  }
  SECTION("after a partial drain the clock restarts from the oldest packet still held") {
    SeqArbiter a(8, 100);
    Rec r;
    offer(a, r, 1, 0);
    offer(a, r, 3, 0);
    offer(a, r, 5, 90);
    offer(a, r, 2, 95);  // fills 2: 2 and 3 go, 5 still waits for 4 and is now the oldest
    CHECK(r.ev == Events{"1", "2", "3"});
    offer(a, r, 6, 100);  // 100 < 90 + 100: no timeout yet
    offer(a, r, 7, 189);
    CHECK(r.ev == Events{"1", "2", "3"});
    CHECK(a.held_now() == 3);
    offer(a, r, 8, 190);  // 190 >= 90 + 100
    CHECK(r.ev == Events{"1", "2", "3", "gap 4+1", "5", "6", "7", "8"});
    CHECK(counters(a) == "applied=7 dup=0 held=4 gaps=1 lost=1 oversize=0");
  }
  SECTION("every hole whose packets waited too long goes on the same offer") {
    SeqArbiter a(8, 100);
    Rec r;
    offer(a, r, 1, 0);
    offer(a, r, 3, 0);
    offer(a, r, 5, 50);
    offer(a, r, 7, 99);
    CHECK(a.held_now() == 3);
    offer(a, r, 9, 160);  // 3 has waited 160 and 5 has waited 110 (>= 100); 7 only 61
    CHECK(r.ev == Events{"1", "gap 2+1", "3", "gap 4+1", "5"});
    CHECK(a.held_now() == 2);  // 7 and 9
    offer(a, r, 10, 199);  // 7 has waited 100; 9 and 10 still wait for 8
    CHECK(r.ev == Events{"1", "gap 2+1", "3", "gap 4+1", "5", "gap 6+1", "7"});
    CHECK(a.held_now() == 2);
    CHECK(counters(a) == "applied=4 dup=0 held=5 gaps=3 lost=3 oversize=0");
  }
}

TEST_CASE("arbiter: flush at the end of input", "[arbiter]") {
  SeqArbiter a(8, 0);
  Rec r;
  a.flush(r);  // nothing offered yet
  CHECK(r.ev.empty());
  offer(a, r, 1);
  offer(a, r, 3);
  offer(a, r, 5);
  a.flush(r);
  CHECK(r.ev == Events{"1", "gap 2+1", "3", "gap 4+1", "5"});
  CHECK(a.held_now() == 0);
  CHECK(a.expected() == 6);
  a.flush(r);  // nothing held: nothing happens
  offer(a, r, 6);
  CHECK(r.ev == Events{"1", "gap 2+1", "3", "gap 4+1", "5", "6"});
  CHECK(counters(a) == "applied=4 dup=0 held=2 gaps=2 lost=2 oversize=0");
  CHECK_FALSE(r.bad_bytes);
}

TEST_CASE("arbiter: packets too large to hold", "[arbiter]") {
  constexpr std::uint32_t kBig = SeqArbiter::kSlotBytes + 1;
  SeqArbiter a(8, 0);
  Rec r;
  offer(a, r, 1);
  SECTION("an early oversize packet gives up its hole at once") {
    offer(a, r, 3, 0, kBig);
    CHECK(r.ev == Events{"1", "gap 2+1", "3"});
    CHECK(r.lens.back() == kBig);
    CHECK(counters(a) == "applied=2 dup=0 held=0 gaps=1 lost=1 oversize=1");
  }
  SECTION("exactly kSlotBytes is held and copied whole") {
    offer(a, r, 3, 0, SeqArbiter::kSlotBytes);
    CHECK(a.held_now() == 1);
    offer(a, r, 2);
    CHECK(r.ev == Events{"1", "2", "3"});
    CHECK(r.lens.back() == SeqArbiter::kSlotBytes);
    CHECK(counters(a) == "applied=3 dup=0 held=1 gaps=0 lost=0 oversize=0");
  }
  SECTION("held packets below it are released first, in order") {
    offer(a, r, 3);
    offer(a, r, 5, 0, kBig);
    CHECK(r.ev == Events{"1", "gap 2+1", "3", "gap 4+1", "5"});
    CHECK(a.held_now() == 0);
    a.flush(r);
    offer(a, r, 6);
    CHECK(r.ev == Events{"1", "gap 2+1", "3", "gap 4+1", "5", "6"});
    CHECK(counters(a) == "applied=4 dup=0 held=1 gaps=2 lost=2 oversize=1");
  }
  SECTION("held packets above it keep waiting") {
    offer(a, r, 3);
    offer(a, r, 7);
    offer(a, r, 5, 0, kBig);
    CHECK(r.ev == Events{"1", "gap 2+1", "3", "gap 4+1", "5"});
    CHECK(a.held_now() == 1);
    offer(a, r, 6);
    CHECK(r.ev == Events{"1", "gap 2+1", "3", "gap 4+1", "5", "6", "7"});
    CHECK(counters(a) == "applied=5 dup=0 held=2 gaps=2 lost=2 oversize=1");
  }
  SECTION("held run reaching right up to it: no extra gap") {
    offer(a, r, 3);
    offer(a, r, 4);
    offer(a, r, 5, 0, kBig);
    CHECK(r.ev == Events{"1", "gap 2+1", "3", "4", "5"});
    CHECK(counters(a) == "applied=4 dup=0 held=2 gaps=1 lost=1 oversize=1");
  }
  SECTION("an oversize packet that is next in line needs no copy") {
    offer(a, r, 2, 0, kBig);
    CHECK(r.ev == Events{"1", "2"});
    CHECK(counters(a) == "applied=2 dup=0 held=0 gaps=0 lost=0 oversize=0");
  }
  SECTION("far beyond the window: the window gap, then the rest of the hole") {
    offer(a, r, 20, 0, kBig);
    CHECK(r.ev == Events{"1", "gap 2+11", "gap 13+7", "20"});
    CHECK(counters(a) == "applied=2 dup=0 held=0 gaps=2 lost=18 oversize=1");
  }
  CHECK_FALSE(r.bad_bytes);
}

TEST_CASE("arbiter: window 1 never copies, so size does not matter", "[arbiter]") {
  SeqArbiter a(1, 0);
  Rec r;
  offer(a, r, 1);
  offer(a, r, 3, 0, SeqArbiter::kSlotBytes + 100);
  CHECK(r.ev == Events{"1", "gap 2+1", "3"});
  CHECK(counters(a) == "applied=2 dup=0 held=0 gaps=1 lost=1 oversize=0");
}

TEST_CASE("arbiter: sequence numbers across 2^32", "[arbiter]") {
  SECTION("window 8: held packets on both sides of the wrap") {
    SeqArbiter a(8, 0);
    Rec r;
    offer(a, r, 0xFFFFFFFDu);
    offer(a, r, 0xFFFFFFFFu);  // held
    offer(a, r, 0u);           // held
    offer(a, r, 0xFFFFFFFEu);  // fills: FFFFFFFE, FFFFFFFF, 0
    offer(a, r, 1u);
    offer(a, r, 0xFFFFFFFFu);  // "before" 2 by signed difference: a duplicate
    CHECK(r.ev == Events{"4294967293", "4294967294", "4294967295", "0", "1"});
    CHECK(counters(a) == "applied=5 dup=1 held=2 gaps=0 lost=0 oversize=0");
    CHECK(a.expected() == 2);
    CHECK_FALSE(r.bad_bytes);
  }
  SECTION("window 1: a gap across the wrap") {
    SeqArbiter a(1, 0);
    Rec r;
    offer(a, r, 0xFFFFFFFEu);
    offer(a, r, 1u);
    CHECK(r.ev == Events{"4294967294", "gap 4294967295+2", "1"});
    CHECK(counters(a) == "applied=2 dup=0 held=0 gaps=1 lost=2 oversize=0");
  }
  SECTION("window 8: a hole across the wrap, released by flush") {
    SeqArbiter a(8, 0);
    Rec r;
    offer(a, r, 0xFFFFFFFEu);
    offer(a, r, 1u);
    a.flush(r);
    CHECK(r.ev == Events{"4294967294", "gap 4294967295+2", "1"});
  }
  SECTION("window 6 (not a power of two) across the wrap") {
    // FFFFFFFD and 1 are 4 apart but equal modulo 6 (2^32 is not a multiple of 6): a ring indexed
    // by seq mod 6 would put both in one slot.
    SeqArbiter a(6, 0);
    Rec r;
    offer(a, r, 0xFFFFFFFBu);
    offer(a, r, 0xFFFFFFFDu);  // held
    offer(a, r, 1u);           // held
    CHECK(a.held_now() == 2);
    offer(a, r, 0xFFFFFFFCu);  // fills: FFFFFFFC, FFFFFFFD; 1 waits for FFFFFFFE..0
    CHECK(r.ev == Events{"4294967291", "4294967292", "4294967293"});
    a.flush(r);
    CHECK(r.ev == Events{"4294967291", "4294967292", "4294967293", "gap 4294967294+3", "1"});
    CHECK(counters(a) == "applied=4 dup=0 held=2 gaps=1 lost=3 oversize=0");
    CHECK(a.held_now() == 0);
    CHECK_FALSE(r.bad_bytes);
  }
  SECTION("2^31 or more ahead counts as behind: a duplicate") {
    SeqArbiter a(8, 0);
    Rec r;
    offer(a, r, 10);
    offer(a, r, 11 + 0x80000000u);  // signed difference from 11 is INT32_MIN
    CHECK(r.ev == Events{"10"});
    CHECK(counters(a) == "applied=1 dup=1 held=0 gaps=0 lost=0 oversize=0");
  }
  SECTION("2^31 - 1 ahead is still ahead") {
    SeqArbiter a(1, 0);
    Rec r;
    offer(a, r, 10);
    offer(a, r, 11 + 0x7FFFFFFFu);
    CHECK(r.ev == Events{"10", "gap 11+2147483647", "2147483658"});
    CHECK(counters(a) == "applied=2 dup=0 held=0 gaps=1 lost=2147483647 oversize=0");
  }
}

TEST_CASE("arbiter: a restarted sequence needs reset()", "[arbiter]") {
  SeqArbiter a(8, 0);
  Rec r;
  offer(a, r, 5'000'000);
  offer(a, r, 5'000'002);  // held
  offer(a, r, 1);          // the weekly restart: looks like an old packet
  offer(a, r, 2);
  CHECK(r.ev == Events{"5000000"});
  CHECK(counters(a) == "applied=1 dup=2 held=1 gaps=0 lost=0 oversize=0");
  a.reset();  // forgets the sequence and drops what is held, without declaring anything
  CHECK(a.held_now() == 0);
  offer(a, r, 1);
  offer(a, r, 2);
  a.flush(r);
  CHECK(r.ev == Events{"5000000", "1", "2"});
  CHECK(counters(a) == "applied=3 dup=2 held=1 gaps=0 lost=0 oversize=0");
}

TEST_CASE("arbiter: the window is capped at kMaxWindow", "[arbiter]") {
  SeqArbiter a(1000, 0);
  Rec r;
  offer(a, r, 1);
  for (std::uint32_t s = 3; s <= 64; ++s) offer(a, r, s);  // 62 held: still waiting
  CHECK(r.ev == Events{"1"});
  CHECK(a.held_now() == 62);
  offer(a, r, 65);  // 63 = kMaxWindow - 1 held
  CHECK(r.ev == cat({"1", "gap 2+1"}, range(3, 65)));
  CHECK_FALSE(r.bad_bytes);
}
