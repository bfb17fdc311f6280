// CardProgram's commit mode (drivers/card_program.cpp) against a register-level fake of the card:
// feed.commit = "cut_through" is accepted exactly when CAPS1.CUT_THROUGH reads 1, MODE is written
// from feed.commit and made to take effect by CONTROL.SOFT_RESET before any slot is committed,
// and STATUS.CUT_THROUGH is checked after it. (The verilator tests run the real RTL, which is
// always built with the mode; only a fake can be a card without it.)
#include <catch2/catch.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "card_program.hpp"
#include "ttq/card_regs.hpp"

using namespace ttq;

namespace {

// Just enough of the register map for identity, programming and the mode.
struct FakeCard final : RegisterBus {
  bool ct_built = true;       // CAPS1.CUT_THROUGH
  bool mode_sticks = true;    // false: a broken card whose STATUS never shows MODE
  std::uint32_t mode = 0;     // MODE register
  std::uint32_t in_force = 0; // the mode in force (STATUS.CUT_THROUGH)
  std::uint32_t kill = 0;
  std::uint32_t commit_slot = 0xFFFF;
  std::vector<std::string> log;  // "MODE=1", "SOFT_RESET", "COMMIT 3", ...

  std::uint32_t read32(std::uint32_t a) override {
    using namespace card;
    switch (a) {
      case reg::kId: return kId;
      case reg::kVersion: return kVersion;
      case reg::kBuildHashLo: return static_cast<std::uint32_t>(kBuildHash);
      case reg::kBuildHashHi: return static_cast<std::uint32_t>(kBuildHash >> 32);
      case reg::kCaps0: return field::kCaps0NInstr.put(16) | field::kCaps0Depth.put(10);
      case reg::kCaps1: return field::kCaps1CutThrough.put(ct_built ? 1u : 0u);
      case reg::kCaps2: return field::kCaps2NLines.put(8) | field::kCaps2NCh.put(2);
      case reg::kStatus:
        return field::kStatusKill.put(kill) | field::kStatusCutThrough.put(in_force);
      case reg::kCommitStatus: return field::kCommitStatusSlot.put(commit_slot);
      default: return 0;  // ERROR and everything else
    }
  }
  void write32(std::uint32_t a, std::uint32_t v) override {
    using namespace card;
    if (a == reg::kMode) {
      mode = v;
      log.push_back("MODE=" + std::to_string(v));
    } else if (a == reg::kControl) {
      kill = field::kControlKill.get(v);
      if (field::kControlSoftReset.get(v) != 0) {
        log.push_back("SOFT_RESET kill=" + std::to_string(kill));
        if (mode_sticks) in_force = ct_built ? mode : 0;
      }
    } else if (a >= slot::kBase && (a - slot::kBase) % slot::kStride == slot::kCommit) {
      commit_slot = (a - slot::kBase) / slot::kStride;
      log.push_back("COMMIT " + std::to_string(commit_slot));
    }
  }
  std::size_t index(const std::string& what) const {
    for (std::size_t i = 0; i < log.size(); ++i) {
      if (log[i].rfind(what, 0) == 0) return i;
    }
    return log.size();
  }
};

PipelineConfig config(bool cut_through) {
  PipelineConfig c;
  c.fixed_instruments = true;
  c.cut_through = cut_through;
  c.channels = {ChannelConfig{310}};
  c.lines = {LineConfig{0xE0001F01, 14310, 0, FeedKind::kIncremental, 'A'}};
  for (int i = 1; i <= 3; ++i) {
    InstrumentConfig ic;
    ic.security_id = 100000 + i;
    ic.tick = 5'000'000'000;
    c.instruments.push_back(ic);
  }
  return c;
}

bool program(FakeCard& card, const PipelineConfig& cfg, std::string& err) {
  CardProgram p(cfg, card, CardLabels{"test backend", "the fake", "", "", ""});
  return p.check_identity(err) && p.program(err);
}

}  // namespace

TEST_CASE("card program: cut_through is refused by a card without CAPS1.CUT_THROUGH",
          "[card][cut_through]") {
  FakeCard card;
  card.ct_built = false;
  std::string err;
  CHECK_FALSE(program(card, config(true), err));
  CHECK_THAT(err, Catch::Contains("CAPS1.CUT_THROUGH = 0") &&
                      Catch::Contains("feed.commit = \"verdict\"") &&
                      Catch::Contains("CUT_THROUGH = 1"));
  CHECK(card.log.empty());  // refused before any write
  // The same card under verdict: MODE written 0, nothing else about the mode.
  FakeCard v;
  v.ct_built = false;
  REQUIRE(program(v, config(false), err));
  CHECK(v.index("MODE=0") < v.log.size());
  CHECK(v.index("SOFT_RESET") == v.log.size());
  CHECK(v.index("COMMIT 2") < v.log.size());
}

TEST_CASE("card program: feed.commit = auto on a card without CAPS1.CUT_THROUGH says what to do",
          "[card][cut_through]") {
  // The default config in card mode: parse_config resolves "auto" to cut_through.
  PipelineConfig c = config(true);
  c.commit_auto = true;
  FakeCard card;
  card.ct_built = false;
  std::string err;
  CHECK_FALSE(program(card, c, err));
  CHECK_THAT(err, Catch::Contains("feed.commit = \"auto\" (the default)") &&
                      Catch::Contains("CAPS1.CUT_THROUGH = 0") &&
                      Catch::Contains("set feed.commit = \"verdict\"") &&
                      Catch::Contains("CUT_THROUGH = 1"));
  CHECK(card.log.empty());  // refused before any write
  // Explicit cut_through is named as such, not as the default.
  err.clear();
  FakeCard e;
  e.ct_built = false;
  CHECK_FALSE(program(e, config(true), err));
  CHECK_THAT(err, Catch::Contains("feed.commit = \"cut_through\":") &&
                      !Catch::Contains("auto"));
  // auto on a CUT_THROUGH build: MODE 1.
  FakeCard ok;
  REQUIRE(program(ok, c, err));
  CHECK(ok.in_force == 1);
}

TEST_CASE("card program: cut_through selects MODE 1 with a soft reset before the commits",
          "[card][cut_through]") {
  FakeCard card;
  card.kill = 1;  // KILL as the card had it: kept through the soft reset
  std::string err;
  REQUIRE(program(card, config(true), err));
  CHECK(card.mode == 1);
  CHECK(card.in_force == 1);
  CHECK(card.kill == 1);
  const std::size_t mode = card.index("MODE=1"), reset = card.index("SOFT_RESET kill=1"),
                    commit = card.index("COMMIT 0");
  CHECK(mode < reset);
  CHECK(reset < commit);  // the reset forgets each slot's commit requote: it must come first
  CHECK(commit < card.log.size());
  CHECK(card.index("COMMIT 2") < card.log.size());

  // Programmed again in the same mode: no second soft reset.
  card.log.clear();
  REQUIRE(program(card, config(true), err));
  CHECK(card.index("SOFT_RESET") == card.log.size());
  // Back to verdict (a card left in cut-through mode by an earlier session): MODE 0, reset.
  REQUIRE(program(card, config(false), err));
  CHECK(card.in_force == 0);
  CHECK(card.index("MODE=0") < card.index("SOFT_RESET"));
  CHECK(card.index("SOFT_RESET") < card.log.size());
}

TEST_CASE("card program: a mode that does not take effect is an error", "[card][cut_through]") {
  FakeCard card;
  card.mode_sticks = false;
  std::string err;
  CHECK_FALSE(program(card, config(true), err));
  CHECK_THAT(err, Catch::Contains("STATUS.CUT_THROUGH reads 0"));
  CHECK(card.index("COMMIT") == card.log.size());
}
