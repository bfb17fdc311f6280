// ttq.toml: every tunable of the pipeline, quoter, inventory skew and risk gate, with defaults.
// A key that is unknown, of the wrong type or out of range is an error that names it.
#pragma once

#include <stdexcept>
#include <string>

#include "ttq/fast_path.hpp"
#include "ttq/quoter.hpp"
#include "ttq/risk.hpp"

namespace ttq {

struct AppConfig {
  PipelineConfig pipeline;
  SkewParams skew;
  RiskLimits risk;
  KillState kill = KillState::kActive;
};

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads and validates a TOML file; throws ConfigError naming the file, key and problem.
AppConfig load_config(const std::string& path);
// Same, from TOML text (tests); `origin` names it in messages.
AppConfig parse_config(const std::string& text, const std::string& origin);

// "a.b.c.d:port" -> ip/port; false if malformed.
bool parse_endpoint(const std::string& s, std::uint32_t& ip, std::uint16_t& port);

}  // namespace ttq
