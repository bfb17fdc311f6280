// TOML configuration: strict (unknown keys are errors), with defaults for everything.
#include "ttq/config.hpp"

#include <fmt/format.h>

#include <limits>
#include <string>
#include <toml++/toml.h>

#include "config_reader.hpp"

namespace ttq {

namespace {

using Limits64 = std::numeric_limits<std::int64_t>;

using Reader = detail::ConfigReader;

void read_feed(const Reader& r, const toml::table& t, PipelineConfig& p) {
  r.check_keys(t, "feed.", {"reorder_window", "reorder_timeout_us", "max_instruments",
                            "default_tick", "quote_queue", "fixed_instruments", "commit",
                            "max_packet_events"});
  r.get_bool(t, "feed.", "fixed_instruments", p.fixed_instruments);
  // feed.commit: "auto" (the default) is the card's shipping mode in card mode, cut_through
  // with fixed_instruments, verdict without (docs/pipeline.md "Cut-through commit").
  std::string commit = "auto";
  if (const toml::node* n = t.get("commit")) {
    const auto v = n->value_exact<std::string>();
    if (!v || (*v != "auto" && *v != "verdict" && *v != "cut_through")) {
      r.fail("feed.commit", "must be \"auto\", \"verdict\" or \"cut_through\"");
    }
    commit = *v;
  }
  p.commit_auto = commit == "auto";
  p.cut_through = p.commit_auto ? p.fixed_instruments : commit == "cut_through";
  if (p.cut_through && !p.fixed_instruments) {
    r.fail("feed.commit",
           "\"cut_through\" is the card's semantics and needs feed.fixed_instruments = true "
           "(the card's instrument table; docs/pipeline.md \"Cut-through commit\")");
  }
  r.get_int(t, "feed.", "reorder_window", p.reorder_window, 0, SeqArbiter::kMaxWindow);
  std::int64_t us = 0;
  r.get_int(t, "feed.", "reorder_timeout_us", us, 0, 60'000'000);
  p.reorder_timeout_ns = static_cast<std::uint64_t>(us) * 1000u;
  r.get_int(t, "feed.", "max_instruments", p.max_instruments, 1, 65535);
  r.get_int(t, "feed.", "default_tick", p.default_tick, 0, std::int64_t{1} << 40);
  r.get_int(t, "feed.", "quote_queue", p.quote_queue, 16, 1 << 24);
  // 0 = no limit (software only); the card's is kCardPacketEvents (CardProgram::check_fits).
  r.get_int(t, "feed.", "max_packet_events", p.max_packet_events, 0, 1 << 20);
}

void read_quoter(const Reader& r, const toml::table& t, QuoterParams& q) {
  r.check_keys(t, "quoter.",
               {"ref_mode", "bid_offset_ticks", "ask_offset_ticks", "min_spread_ticks",
                "max_spread_ticks", "levels", "level_spacing_ticks", "order_size", "size_step",
                "requote_tolerance_ticks", "price_floor", "price_ceiling"});
  if (const toml::node* n = t.get("ref_mode")) {
    const auto v = n->value_exact<std::string>();
    if (!v || (*v != "join" && *v != "mid")) r.fail("quoter.ref_mode", "must be \"join\" or \"mid\"");
    q.ref_mode = *v == "mid" ? RefMode::kMid : RefMode::kJoin;
  }
  constexpr std::int64_t i32max = std::numeric_limits<std::int32_t>::max();
  constexpr std::int64_t i32min = std::numeric_limits<std::int32_t>::min();
  r.get_int(t, "quoter.", "bid_offset_ticks", q.bid_offset_ticks, i32min, i32max);
  r.get_int(t, "quoter.", "ask_offset_ticks", q.ask_offset_ticks, i32min, i32max);
  r.get_int(t, "quoter.", "min_spread_ticks", q.min_spread_ticks, i32min, i32max);
  r.get_int(t, "quoter.", "max_spread_ticks", q.max_spread_ticks, i32min, i32max);
  r.get_int(t, "quoter.", "levels", q.levels, 0, 255);
  r.get_int(t, "quoter.", "level_spacing_ticks", q.level_spacing_ticks, i32min, i32max);
  r.get_int(t, "quoter.", "order_size", q.order_size, i32min, i32max);
  r.get_int(t, "quoter.", "size_step", q.size_step, i32min, i32max);
  r.get_int(t, "quoter.", "requote_tolerance_ticks", q.requote_tolerance_ticks, i32min, i32max);
  r.get_int(t, "quoter.", "price_floor", q.price_floor, Limits64::min(), Limits64::max());
  r.get_int(t, "quoter.", "price_ceiling", q.price_ceiling, Limits64::min(), Limits64::max());
  if (const char* bad = validate(q)) throw ConfigError(fmt::format("{}: {}", r.origin, bad));
}

void read_skew(const Reader& r, const toml::table& t, SkewParams& s) {
  r.check_keys(t, "skew.", {"price_skew_q8", "size_skew_q8", "target_position"});
  r.get_int(t, "skew.", "price_skew_q8", s.price_skew_q8, -(1 << 24), 1 << 24);
  r.get_int(t, "skew.", "size_skew_q8", s.size_skew_q8, -(1 << 24), 1 << 24);
  r.get_int(t, "skew.", "target_position", s.target_position, -(1LL << 40), 1LL << 40);
}

void read_risk(const Reader& r, const toml::table& t, AppConfig& c) {
  r.check_keys(t, "risk.", {"max_order_qty", "max_notional", "max_position", "collar_ticks",
                            "collar_bps", "rate_per_sec_instrument", "burst_instrument",
                            "rate_per_sec_global", "burst_global", "kill_state"});
  RiskLimits& l = c.risk;
  constexpr std::int64_t i32max = std::numeric_limits<std::int32_t>::max();
  r.get_int(t, "risk.", "max_order_qty", l.max_order_qty, 0, i32max);
  // Given in currency units in the file; held as a PRICE9 mantissa.
  std::int64_t notional = l.max_notional / 1'000'000'000LL;
  r.get_int(t, "risk.", "max_notional", notional, 0, Limits64::max() / 1'000'000'000LL);
  l.max_notional = notional * 1'000'000'000LL;
  r.get_int(t, "risk.", "max_position", l.max_position, 0, std::int64_t{1} << 40);
  r.get_int(t, "risk.", "collar_ticks", l.collar_ticks, 0, i32max);
  r.get_int(t, "risk.", "collar_bps", l.collar_bps, 0, 1'000'000);
  r.get_int(t, "risk.", "rate_per_sec_instrument", l.rate_per_sec_instrument, 0, i32max);
  r.get_int(t, "risk.", "burst_instrument", l.burst_instrument, 0, i32max);
  r.get_int(t, "risk.", "rate_per_sec_global", l.rate_per_sec_global, 0, i32max);
  r.get_int(t, "risk.", "burst_global", l.burst_global, 0, i32max);
  if (const toml::node* n = t.get("kill_state")) {
    const auto v = n->value_exact<std::string>();
    if (v && *v == "active") c.kill = KillState::kActive;
    else if (v && *v == "reducing") c.kill = KillState::kReducing;
    else if (v && *v == "halted") c.kill = KillState::kHalted;
    else r.fail("risk.kill_state", "must be \"active\", \"reducing\" or \"halted\"");
  }
  if (const char* bad = validate(l)) throw ConfigError(fmt::format("{}: {}", r.origin, bad));
}

void read_line(const Reader& r, const toml::table& t, const std::string& prefix,
               std::string_view key, std::uint16_t channel, FeedKind kind, char line,
               PipelineConfig& p) {
  const toml::node* n = t.get(key);
  if (!n) return;
  const auto v = n->value_exact<std::string>();
  LineConfig lc;
  if (!v || !parse_endpoint(*v, lc.ip, lc.port)) {
    r.fail(prefix + std::string(key), "must be \"a.b.c.d:port\"");
  }
  for (const LineConfig& other : p.lines) {
    if (other.ip == lc.ip && other.port == lc.port) {
      r.fail(prefix + std::string(key), fmt::format("repeats the address {}", *v));
    }
  }
  lc.channel = channel;
  lc.kind = kind;
  lc.line = line;
  p.lines.push_back(lc);
}

void read_channels(const Reader& r, const toml::node& n, PipelineConfig& p) {
  const toml::array* arr = n.as_array();
  if (!arr || !arr->is_array_of_tables()) r.fail("channel", "must be an array of tables ([[channel]])");
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const toml::table& t = *arr->get(i)->as_table();
    const std::string prefix = fmt::format("channel[{}].", i);
    r.check_keys(t, prefix, {"id", "incremental_a", "incremental_b", "snapshot_a", "snapshot_b",
                             "definition_a", "definition_b"});
    ChannelConfig cc;
    r.get_int(t, prefix, "id", cc.id, 0, 1 << 20);
    const auto ch = static_cast<std::uint16_t>(p.channels.size());
    p.channels.push_back(cc);
    read_line(r, t, prefix, "incremental_a", ch, FeedKind::kIncremental, 'A', p);
    read_line(r, t, prefix, "incremental_b", ch, FeedKind::kIncremental, 'B', p);
    read_line(r, t, prefix, "snapshot_a", ch, FeedKind::kSnapshot, 'A', p);
    read_line(r, t, prefix, "snapshot_b", ch, FeedKind::kSnapshot, 'B', p);
    read_line(r, t, prefix, "definition_a", ch, FeedKind::kDefinition, 'A', p);
    read_line(r, t, prefix, "definition_b", ch, FeedKind::kDefinition, 'B', p);
    if (!t.get("incremental_a") && !t.get("incremental_b")) {
      r.fail(prefix + "incremental_a", "is required (a channel needs at least one Incremental line)");
    }
  }
}

void read_instruments(const Reader& r, const toml::node& n, PipelineConfig& p) {
  const toml::array* arr = n.as_array();
  if (!arr || !arr->is_array_of_tables()) {
    r.fail("instrument", "must be an array of tables ([[instrument]])");
  }
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const toml::table& t = *arr->get(i)->as_table();
    const std::string prefix = fmt::format("instrument[{}].", i);
    r.check_keys(t, prefix, {"security_id", "symbol", "tick", "quote", "multiplier", "position",
                             "depth", "implied_depth", "group", "channel"});
    InstrumentConfig ic;
    r.get_int(t, prefix, "security_id", ic.security_id, 1, std::numeric_limits<std::int32_t>::max());
    if (const toml::node* s = t.get("symbol")) {
      const auto v = s->value_exact<std::string>();
      if (!v || v->empty() || v->size() > 20) r.fail(prefix + "symbol", "must be a string of 1..20 characters");
      ic.symbol = *v;
    }
    if (ic.security_id == 0 && ic.symbol.empty()) {
      r.fail(prefix + "security_id", "or symbol is required");
    }
    r.get_int(t, prefix, "tick", ic.tick, 1, std::int64_t{1} << 40);
    r.get_bool(t, prefix, "quote", ic.quote);
    r.get_int(t, prefix, "multiplier", ic.multiplier, 1, std::numeric_limits<std::int32_t>::max());
    r.get_int(t, prefix, "position", ic.position, -(1LL << 40), 1LL << 40);
    r.get_int(t, prefix, "depth", ic.depth, 1, kMaxDepth);
    r.get_int(t, prefix, "implied_depth", ic.implied_depth, 0, kMaxDepth);
    if (const toml::node* g = t.get("group")) {
      const auto v = g->value_exact<std::string>();
      if (!v || v->size() > 6) r.fail(prefix + "group", "must be a string of at most 6 characters");
      ic.group = *v;
    }
    if (const toml::node* c = t.get("channel")) {
      std::int64_t id = -1;
      r.get_int(t, prefix, "channel", id, 0, std::numeric_limits<std::uint32_t>::max());
      (void)c;
      bool found = false;
      for (std::size_t k = 0; k < p.channels.size(); ++k) {
        if (p.channels[k].id == static_cast<std::uint32_t>(id)) {
          ic.channel = static_cast<std::uint16_t>(k);
          found = true;
        }
      }
      if (!found) r.fail(prefix + "channel", "names no [[channel]] id");
    }
    p.instruments.push_back(ic);
  }
}

void read_run(const Reader& r, const toml::table& t, RunConfig& rc) {
  r.check_keys(t, "run.", {"ports", "queues", "mode", "rx_descriptors", "mbufs", "split_ring",
                           "status_ms"});
  if (const toml::node* n = t.get("ports")) {
    const toml::array* a = n->as_array();
    if (!a || a->size() > 8) r.fail("run.ports", "must be an array of up to 8 DPDK port ids");
    rc.ports.clear();
    for (const toml::node& e : *a) {
      const auto v = e.value_exact<std::int64_t>();
      if (!v || *v < 0 || *v >= 1024) r.fail("run.ports", "must hold integers in 0..1023");
      for (std::uint16_t p : rc.ports) {
        if (p == *v) r.fail("run.ports", fmt::format("repeats port {}", *v));
      }
      rc.ports.push_back(static_cast<std::uint16_t>(*v));
    }
  }
  r.get_int(t, "run.", "queues", rc.queues, 1, 16);
  if (const toml::node* n = t.get("mode")) {
    const auto v = n->value_exact<std::string>();
    if (!v || (*v != "rtc" && *v != "split")) r.fail("run.mode", "must be \"rtc\" or \"split\"");
    rc.split = *v == "split";
  }
  r.get_int(t, "run.", "rx_descriptors", rc.rx_descriptors, 64, 32768);
  r.get_int(t, "run.", "mbufs", rc.mbufs, 1023, 1 << 22);
  r.get_int(t, "run.", "split_ring", rc.split_ring, 64, 1 << 20);
  r.get_int(t, "run.", "status_ms", rc.status_ms, 0, 3'600'000);
}

void read_card(const Reader& r, const toml::table& t, CardConfig& c) {
  r.check_keys(t, "card.", {"xclbin", "device", "kernel"});
  if (const toml::node* n = t.get("xclbin")) {
    const auto v = n->value_exact<std::string>();
    if (!v || v->empty()) r.fail("card.xclbin", "must be a non-empty path");
    c.xclbin = *v;
  }
  r.get_int(t, "card.", "device", c.device, 0, 255);
  if (const toml::node* n = t.get("kernel")) {
    const auto v = n->value_exact<std::string>();
    if (!v || v->empty()) r.fail("card.kernel", "must be a non-empty name");
    c.kernel = *v;
  }
}

void read_api(const Reader& r, const toml::table& t, ApiConfig& a) {
  r.check_keys(t, "api.", {"timestamp_window_ms", "nonce_cache_entries", "rotation_grace_s",
                           "tls_cert", "tls_key", "audit_log", "max_body_bytes", "workers",
                           "control_timeout_ms", "avoid_cpu"});
  r.get_int(t, "api.", "timestamp_window_ms", a.timestamp_window_ms, 100, 600'000);
  r.get_int(t, "api.", "nonce_cache_entries", a.nonce_cache_entries, 16, 10'000'000);
  r.get_int(t, "api.", "rotation_grace_s", a.rotation_grace_s, 0, 30LL * 86400);
  for (auto [key, out] : {std::pair<std::string_view, std::string*>{"tls_cert", &a.tls_cert},
                          {"tls_key", &a.tls_key},
                          {"audit_log", &a.audit_log}}) {
    if (const toml::node* n = t.get(key)) {
      const auto v = n->value_exact<std::string>();
      if (!v || v->empty()) r.fail("api." + std::string(key), "must be a non-empty path");
      *out = *v;
    }
  }
  if (a.tls_cert.empty() != a.tls_key.empty()) {
    r.fail("api.tls_cert", "and api.tls_key must be given together");
  }
  r.get_int(t, "api.", "max_body_bytes", a.max_body_bytes, 256, 16 << 20);
  r.get_int(t, "api.", "workers", a.workers, 1, 256);
  r.get_int(t, "api.", "control_timeout_ms", a.control_timeout_ms, 10, 60'000);
  r.get_int(t, "api.", "avoid_cpu", a.avoid_cpu, -1, 4095);
}

}  // namespace

bool parse_endpoint(const std::string& s, std::uint32_t& ip, std::uint16_t& port) {
  const auto colon = s.rfind(':');
  if (colon == std::string::npos) return false;
  if (!parse_ipv4(s.substr(0, colon).c_str(), ip)) return false;
  const std::string ps = s.substr(colon + 1);
  if (ps.empty() || ps.size() > 5 || ps.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  const unsigned long v = std::stoul(ps);
  if (v == 0 || v > 65535) return false;
  port = static_cast<std::uint16_t>(v);
  return true;
}

AppConfig parse_config(const std::string& text, const std::string& origin) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    throw ConfigError(fmt::format("{}:{}:{}: {}", origin, where.line, where.column, e.description()));
  }
  Reader r{origin};
  r.check_keys(root, "", {"feed", "quoter", "skew", "risk", "quote", "channel", "instrument", "run",
                          "card", "api", "backtest", "strategy"});  // the last two: backtest.cpp
  AppConfig c;
  c.pipeline.commit_auto = true;  // feed.commit's default, resolved in read_feed (verdict without)
  if (const toml::table* t = r.table(root, "feed")) read_feed(r, *t, c.pipeline);
  if (const toml::table* t = r.table(root, "quoter")) read_quoter(r, *t, c.pipeline.quoter);
  if (const toml::table* t = r.table(root, "skew")) read_skew(r, *t, c.skew);
  if (const toml::table* t = r.table(root, "risk")) read_risk(r, *t, c);
  if (const toml::table* t = r.table(root, "run")) read_run(r, *t, c.run);
  if (const toml::table* t = r.table(root, "api")) read_api(r, *t, c.api);
  if (const toml::table* t = r.table(root, "card")) read_card(r, *t, c.pipeline.card);
  if (const toml::node* n = root.get("channel")) read_channels(r, *n, c.pipeline);
  if (const toml::node* n = root.get("instrument")) read_instruments(r, *n, c.pipeline);
  if (const toml::table* t = r.table(root, "quote")) {
    r.check_keys(*t, "quote.", {"all"});
    r.get_bool(*t, "quote.", "all", c.pipeline.quote_all);
  }
  return c;
}

AppConfig load_config(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw ConfigError(fmt::format("cannot open config file '{}'", path));
  std::string text;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  std::fclose(f);
  return parse_config(text, path);
}

}  // namespace ttq
