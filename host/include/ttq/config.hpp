// ttq.toml: every tunable of the pipeline, quoter, inventory skew and risk gate, with defaults.
// A key that is unknown, of the wrong type or out of range is an error that names it.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "ttq/fast_path.hpp"
#include "ttq/quoter.hpp"
#include "ttq/risk.hpp"

namespace ttq {

// `ttq run` ([run] in ttq.toml): which DPDK ports/queues carry the lines, and the threading.
struct RunConfig {
  std::vector<std::uint16_t> ports;  // DPDK port ids (e.g. line A's port, line B's); empty = all
  std::uint16_t queues = 1;          // RX queues per port, all polled
  bool split = false;                // "split": RX lcore -> ring -> pipeline lcore; else "rtc"
  std::uint16_t rx_descriptors = 1024;
  std::uint32_t mbufs = 16383;       // mbuf pool size
  std::uint32_t split_ring = 4096;   // frames between the RX and pipeline lcores (split mode)
  std::uint32_t status_ms = 1000;    // periodic status line on stderr; 0 = none
};

// The operator API served by `ttq run --api ADDR:PORT --keys FILE` ([api]; docs/api.md).
struct ApiConfig {
  std::int64_t timestamp_window_ms = 5000;  // |server clock - TTQ-Timestamp| accepted
  std::uint32_t nonce_cache_entries = 100'000;  // remembered nonces; full = 429
  std::int64_t rotation_grace_s = 300;      // old secret still valid after a rotation
  std::string tls_cert, tls_key;            // PEM; required for a non-loopback address
  std::string audit_log = "ttq-audit.jsonl";
  std::uint32_t max_body_bytes = 65536;
  std::uint32_t workers = 4;                // connections served at once
  std::uint32_t control_timeout_ms = 2000;  // wait for the loop's safe point
  std::int32_t avoid_cpu = -1;  // API threads kept off this CPU; -1 = the EAL's lcores (-l)
};

struct AppConfig {
  PipelineConfig pipeline;
  RunConfig run;
  ApiConfig api;
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
