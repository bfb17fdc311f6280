// [backtest] / [strategy.*] parsing: defaults, every key documented in ttq.toml accepted, and the
// strict errors (unknown key, wrong type, out of range) naming the key.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "ttq/backtest.hpp"

using namespace ttq;

namespace {

std::string error_of(const std::string& text) {
  try {
    parse_backtest_config(text, "t.toml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("backtest config: values are read and converted") {
  const BacktestConfig c = parse_backtest_config(R"(
[backtest]
strategy = "glft"
cadence_ms = 250
order_latency_table = [[0, 1000], [5000000000, 3000]]
queue_model = "probabilistic"
queue_power = 3
maker_fee = -0.25
uptime_max_distance_bps = 50
[strategy.fixed]
bid_spread_bps = 12.5
order_levels = 3
ping_pong = true
[strategy.glft]
gamma = 0.05
)",
                                                 "t.toml");
  CHECK(c.strategy == StrategyKind::kGlft);
  CHECK(c.cadence_ns == 250'000'000);
  REQUIRE(c.exchange.order_latency.table.size() == 2);
  CHECK(c.exchange.order_latency.at(2'500'000'000) == 2000);
  CHECK(c.exchange.response_latency.constant_ns == 50'000);  // default kept
  CHECK(c.exchange.queue == QueueModel::kProbabilistic);
  CHECK(c.exchange.queue_power == 3.0);  // an integer is accepted for a number
  CHECK(c.exchange.maker_fee_nano == -250'000'000);
  CHECK(c.kpi.uptime_max_distance_bps == 50);
  CHECK(c.fixed.bid_spread_bps == 12.5);
  CHECK(c.fixed.order_levels == 3);
  CHECK(c.fixed.ping_pong);
  CHECK(c.glft.gamma == 0.05);
}

TEST_CASE("backtest config: strict errors name the key") {
  CHECK_THAT(error_of("[backtest]\ncadense_ms = 3\n"),
             Catch::Contains("unknown config key 'backtest.cadense_ms'"));
  CHECK_THAT(error_of("[backtest]\ncadence_ms = \"3\"\n"),
             Catch::Contains("'backtest.cadence_ms' must be an integer"));
  CHECK_THAT(error_of("[backtest]\ncadence_ms = 0\n"), Catch::Contains("'backtest.cadence_ms'"));
  CHECK_THAT(error_of("[backtest]\nstrategy = \"grid\"\n"), Catch::Contains("'backtest.strategy'"));
  CHECK_THAT(error_of("[backtest]\nfeed_latency_table = [[5, 1], [5, 2]]\n"),
             Catch::Contains("increase strictly"));
  CHECK_THAT(error_of("[strategy.fixed]\nbid_spread_bps = -1\n"),
             Catch::Contains("'strategy.fixed.bid_spread_bps'"));
  CHECK_THAT(error_of("[strategy.fixed]\norder_levels = 9\n"),
             Catch::Contains("'strategy.fixed.order_levels'"));
  CHECK_THAT(error_of("[strategy.fixed]\nping_pong = 1\n"),
             Catch::Contains("'strategy.fixed.ping_pong' must be true or false"));
  CHECK_THAT(error_of("[strategy.avellaneda_stoikov]\ngamma = 0\n"),
             Catch::Contains("'strategy.avellaneda_stoikov.gamma'"));
  CHECK_THAT(error_of("[strategy.glft]\nkappa = 1\n"),
             Catch::Contains("unknown config key 'strategy.glft.kappa'"));
  CHECK_THAT(error_of("[strategy.pmm]\n"), Catch::Contains("unknown config key 'strategy.pmm'"));
}

TEST_CASE("every [backtest] / [strategy.*] key documented in ttq.toml is accepted") {
  std::ifstream in(std::filesystem::path(__FILE__).parent_path() / "../../ttq.toml");
  REQUIRE(in);
  // Uncomment "# key = value" lines inside the backtest sections.
  const std::regex kv(R"(^# ([a-z_0-9]+ = .*?)(\s+#.*)?$)");
  std::ostringstream out;
  std::string line;
  bool inside = false;
  int keys = 0;
  while (std::getline(in, line)) {
    if (line.empty()) inside = false;  // each section ends at a blank line
    if (!line.empty() && line[0] == '[') {
      inside = line.rfind("[backtest]", 0) == 0 || line.rfind("[strategy.", 0) == 0;
      if (inside) out << line.substr(0, line.find(']') + 1) << "\n";
      continue;
    }
    std::smatch m;
    if (inside && std::regex_match(line, m, kv)) {
      out << m[1] << "\n";
      ++keys;
    }
  }
  CHECK(keys == 15 + 14 + 9 + 11);  // the parser's keys: [backtest], fixed, A-S, GLFT
  const BacktestConfig c = parse_backtest_config(out.str(), "ttq.toml (uncommented)");
  CHECK(c.strategy == StrategyKind::kFixed);
  CHECK(c.cadence_ns == 100'000'000);
}
