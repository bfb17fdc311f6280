// Config tests: defaults, every section, and clear errors naming the key for bad input.
#include <catch2/catch.hpp>

#include <string>

#include "ttq/config.hpp"

using namespace ttq;

namespace {

std::string error_of(const std::string& text) {
  try {
    parse_config(text, "test.toml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("an empty config gives the defaults", "[config]") {
  const AppConfig c = parse_config("", "empty");
  CHECK(c.pipeline.reorder_window == 8);
  CHECK(c.pipeline.lines.empty());
  CHECK(c.pipeline.quote_all);
  CHECK(c.pipeline.quoter.levels == 1);
  CHECK(c.kill == KillState::kActive);
}

TEST_CASE("every section is read", "[config]") {
  const AppConfig c = parse_config(R"(
[feed]
reorder_window = 4
reorder_timeout_us = 250
default_tick = 5000000000
[quoter]
ref_mode = "mid"
bid_offset_ticks = 2
ask_offset_ticks = 3
levels = 3
price_ceiling = 100000000000000
[skew]
price_skew_q8 = 128
target_position = 2
[risk]
max_order_qty = 7
max_notional = 1000000
collar_ticks = 0
collar_bps = 50
kill_state = "reducing"
[quote]
all = false
[[channel]]
id = 310
incremental_a = "224.0.31.1:14310"
incremental_b = "224.0.32.1:15310"
snapshot_a = "224.0.31.2:14311"
[[instrument]]
symbol = "BTCZ6"
tick = 5000000000
multiplier = 5
position = -3
)",
                                   "full");
  CHECK(c.pipeline.reorder_window == 4);
  CHECK(c.pipeline.reorder_timeout_ns == 250000);
  CHECK(c.pipeline.default_tick == 5000000000);
  CHECK(c.pipeline.quoter.ref_mode == RefMode::kMid);
  CHECK(c.pipeline.quoter.bid_offset_ticks == 2);
  CHECK(c.pipeline.quoter.ask_offset_ticks == 3);
  CHECK(c.pipeline.quoter.levels == 3);
  CHECK(c.pipeline.quoter.price_ceiling == 100000000000000);
  CHECK(c.skew.price_skew_q8 == 128);
  CHECK(c.skew.target_position == 2);
  CHECK(c.risk.max_order_qty == 7);
  CHECK(c.risk.max_notional == 1000000LL * 1000000000LL);
  CHECK(c.risk.collar_bps == 50);
  CHECK(c.kill == KillState::kReducing);
  CHECK_FALSE(c.pipeline.quote_all);
  REQUIRE(c.pipeline.channels.size() == 1);
  CHECK(c.pipeline.channels[0].id == 310);
  REQUIRE(c.pipeline.lines.size() == 3);
  CHECK(c.pipeline.lines[1].ip == 0xE0002001);
  CHECK(c.pipeline.lines[1].port == 15310);
  CHECK(c.pipeline.lines[1].line == 'B');
  CHECK(c.pipeline.lines[2].kind == FeedKind::kSnapshot);
  REQUIRE(c.pipeline.instruments.size() == 1);
  CHECK(c.pipeline.instruments[0].symbol == "BTCZ6");
  CHECK(c.pipeline.instruments[0].multiplier == 5);
  CHECK(c.pipeline.instruments[0].position == -3);
}

TEST_CASE("bad keys and values are errors that name the key", "[config]") {
  CHECK(error_of("[quoter]\nbid_ofset_ticks = 1\n").find("unknown config key 'quoter.bid_ofset_ticks'") !=
        std::string::npos);
  CHECK(error_of("[nope]\n").find("unknown config key 'nope'") != std::string::npos);
  CHECK(error_of("[quoter]\nlevels = 9\n").find("quoter.levels") != std::string::npos);
  CHECK(error_of("[quoter]\nlevels = \"two\"\n").find("'quoter.levels' must be an integer") !=
        std::string::npos);
  CHECK(error_of("[quoter]\nref_mode = \"best\"\n").find("quoter.ref_mode") != std::string::npos);
  CHECK(error_of("[feed]\nreorder_window = 65\n").find("'feed.reorder_window' must be in 0..64") !=
        std::string::npos);
  CHECK(error_of("[feed]\ndefault_tick = -1\n").find("feed.default_tick") != std::string::npos);
  CHECK(error_of("[risk]\nkill_state = \"off\"\n").find("risk.kill_state") != std::string::npos);
  CHECK(error_of("[[channel]]\nid = 1\nincremental_a = \"224.0.31.1\"\n")
            .find("channel[0].incremental_a") != std::string::npos);
  CHECK(error_of("[[channel]]\nid = 1\nsnapshot_a = \"224.0.31.1:1\"\n")
            .find("channel[0].incremental_a' is required") != std::string::npos);
  CHECK(error_of("[[channel]]\nincremental_a = \"224.0.31.1:1\"\nincremental_b = \"224.0.31.1:1\"\n")
            .find("repeats the address") != std::string::npos);
  CHECK(error_of("[[instrument]]\ntick = 5\n").find("instrument[0].security_id' or symbol is required") !=
        std::string::npos);
  CHECK(error_of("[quoter\n").find("test.toml:1") != std::string::npos);  // syntax error, located
}

TEST_CASE("endpoints", "[config]") {
  std::uint32_t ip = 0;
  std::uint16_t port = 0;
  CHECK(parse_endpoint("224.0.31.1:14310", ip, port));
  CHECK(ip == 0xE0001F01);
  CHECK(port == 14310);
  CHECK_FALSE(parse_endpoint("224.0.31.1:0", ip, port));
  CHECK_FALSE(parse_endpoint("224.0.31.1:65536", ip, port));
  CHECK_FALSE(parse_endpoint("224.0.31:1", ip, port));
  CHECK_FALSE(parse_endpoint("224.0.31.256:1", ip, port));
  CHECK_FALSE(parse_endpoint("224.0.31.1:1x", ip, port));
}

TEST_CASE("fixed instrument table keys", "[config]") {
  const AppConfig c = parse_config(R"(
[feed]
fixed_instruments = true
[[channel]]
id = 310
incremental_a = "224.0.31.1:14310"
[[channel]]
id = 320
incremental_a = "224.0.32.1:14320"
[[instrument]]
security_id = 42
tick = 5000000000
depth = 4
implied_depth = 0
group = "BT"
channel = 320
)", "t.toml");
  CHECK(c.pipeline.fixed_instruments);
  REQUIRE(c.pipeline.instruments.size() == 1);
  const InstrumentConfig& ic = c.pipeline.instruments[0];
  CHECK(ic.depth == 4);
  CHECK(ic.implied_depth == 0);
  CHECK(ic.group == "BT");
  CHECK(ic.channel == 1);  // index of channel id 320
  CHECK(error_of("[[instrument]]\nsecurity_id = 1\ndepth = 17\n").find("instrument[0].depth") !=
        std::string::npos);
  CHECK(error_of("[[instrument]]\nsecurity_id = 1\ngroup = \"TOOLONG\"\n")
            .find("instrument[0].group") != std::string::npos);
  CHECK(error_of("[[instrument]]\nsecurity_id = 1\nchannel = 7\n")
            .find("instrument[0].channel' names no [[channel]] id") != std::string::npos);
  CHECK(error_of("[feed]\nfixed_instruments = 1\n").find("feed.fixed_instruments") !=
        std::string::npos);
}

TEST_CASE("feed.commit: auto follows card mode, explicit values, errors name the key",
          "[config][cut_through]") {
  // "auto", the default: cut_through exactly in card mode (docs/pipeline.md "Cut-through commit").
  for (const char* commit : {"", "commit = \"auto\"\n"}) {
    INFO("commit line: " << commit);
    const PipelineConfig card =
        parse_config(std::string("[feed]\nfixed_instruments = true\n") + commit, "t").pipeline;
    CHECK(card.cut_through);
    CHECK(card.commit_auto);
    const PipelineConfig sw = parse_config(std::string("[feed]\n") + commit, "t").pipeline;
    CHECK_FALSE(sw.cut_through);
    CHECK(sw.commit_auto);
  }
  CHECK(parse_config("", "t").pipeline.commit_auto);  // no [feed] at all
  CHECK_FALSE(parse_config("", "t").pipeline.cut_through);
  // The key's position does not matter (the table is read whole).
  CHECK(parse_config("[feed]\ncommit = \"auto\"\nfixed_instruments = true\n", "t")
            .pipeline.cut_through);
  // Explicit values.
  const PipelineConfig v =
      parse_config("[feed]\nfixed_instruments = true\ncommit = \"verdict\"\n", "t").pipeline;
  CHECK_FALSE(v.cut_through);
  CHECK_FALSE(v.commit_auto);
  CHECK_FALSE(parse_config("[feed]\ncommit = \"verdict\"\n", "t").pipeline.cut_through);
  const PipelineConfig ct =
      parse_config("[feed]\nfixed_instruments = true\ncommit = \"cut_through\"\n", "t").pipeline;
  CHECK(ct.cut_through);
  CHECK_FALSE(ct.commit_auto);
  // Errors.
  const std::string no_table = error_of("[feed]\ncommit = \"cut_through\"\n");
  CHECK(no_table.find("feed.commit") != std::string::npos);
  CHECK(no_table.find("fixed_instruments = true") != std::string::npos);
  CHECK(error_of("[feed]\nfixed_instruments = false\ncommit = \"cut_through\"\n")
            .find("feed.commit") != std::string::npos);
  const std::string bad = error_of("[feed]\ncommit = \"late\"\n");
  CHECK(bad.find("feed.commit") != std::string::npos);
  CHECK(bad.find("\"auto\", \"verdict\" or \"cut_through\"") != std::string::npos);
  CHECK(error_of("[feed]\ncommit = 1\n").find("feed.commit") != std::string::npos);
  CHECK(error_of("[feed]\ncommit = \"Auto\"\n").find("feed.commit") != std::string::npos);
}
