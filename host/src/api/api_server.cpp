// The operator API: authentication middleware, routing, handlers (docs/api.md). Order of checks
// on every request: auth headers well-formed -> key known, live, signature matches (current
// secret, or the previous one inside its rotation grace) -> timestamp inside the window -> nonce
// never seen (else replay; a full cache answers 429) -> route -> scope -> handler. The caller
// learns only `unauthorized` or `stale` about a failed authentication; the audit log and the
// server log say exactly which check failed.
#include "ttq/api/api_server.hpp"

#include <fmt/format.h>

#include <cinttypes>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>

#include "ttq/api/signing.hpp"
#include "ttq/control.hpp"
#include "ttq/host_loop.hpp"

namespace ttq::api {

namespace {

using Json = nlohmann::json;

std::string json_str(std::string_view s) {
  std::string o;
  append_json_string(o, s);
  return o;
}

HttpResponse json_response(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.body += '\n';
  return r;
}

HttpResponse error_response(int status, std::string_view message, std::string_view code) {
  return json_response(status,
                       "{\"error\":" + json_str(message) + ",\"code\":" + json_str(code) + "}");
}

// A ControlTask running a function; counts its runs for the API's counters.
class FnTask final : public ControlTask {
 public:
  FnTask(const std::function<void(Engine&)>& fn, std::atomic<std::uint64_t>& runs)
      : fn_(fn), runs_(runs) {}
  void run(Engine& e) override {
    runs_.fetch_add(1, std::memory_order_relaxed);
    fn_(e);
  }

 private:
  const std::function<void(Engine&)>& fn_;  // outlives the task: execute() waits for the run
  std::atomic<std::uint64_t>& runs_;
};

const char* kill_name(KillState k) {
  switch (k) {
    case KillState::kActive: return "ACTIVE";
    case KillState::kReducing: return "REDUCING";
    case KillState::kHalted: return "HALTED";
  }
  return "?";
}

std::int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string ipv4_text(std::uint32_t ip) {
  return fmt::format("{}.{}.{}.{}", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
}

const char* feed_kind_name(FeedKind k) {
  switch (k) {
    case FeedKind::kIncremental: return "incremental";
    case FeedKind::kSnapshot: return "snapshot";
    case FeedKind::kDefinition: return "definition";
  }
  return "?";
}

std::string scopes_json(ScopeSet set) {
  std::string arr = "[";
  for (Scope s : {Scope::kRead, Scope::kTrade, Scope::kRisk, Scope::kAdmin}) {
    if (!(set & static_cast<ScopeSet>(s))) continue;
    if (arr.size() > 1) arr += ',';
    arr += '"';
    arr += to_string(s);
    arr += '"';
  }
  return arr + "]";
}

bool parse_positive_i32(std::string_view s, std::int32_t& out) {
  if (s.empty() || s.size() > 10) return false;
  std::int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  if (v <= 0 || v > std::numeric_limits<std::int32_t>::max()) return false;
  out = static_cast<std::int32_t>(v);
  return true;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Quoter parameter names

namespace {

struct IntField {
  const char* name;
  std::int64_t lo, hi;
  std::int64_t (*get)(const QuoterParams&);
  void (*set)(QuoterParams&, std::int64_t);
};

constexpr std::int64_t kI32Min = std::numeric_limits<std::int32_t>::min();
constexpr std::int64_t kI32Max = std::numeric_limits<std::int32_t>::max();
constexpr std::int64_t kI64Min = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kI64Max = std::numeric_limits<std::int64_t>::max();

#define TTQ_I32_FIELD(f)                                                              \
  IntField {                                                                          \
    "quoter." #f, kI32Min, kI32Max, [](const QuoterParams& p) -> std::int64_t { return p.f; }, \
        [](QuoterParams& p, std::int64_t v) { p.f = static_cast<std::int32_t>(v); }   \
  }

const IntField kIntFields[] = {
    TTQ_I32_FIELD(bid_offset_ticks),
    TTQ_I32_FIELD(ask_offset_ticks),
    TTQ_I32_FIELD(min_spread_ticks),
    TTQ_I32_FIELD(max_spread_ticks),
    IntField{"quoter.levels", 0, 255,
             [](const QuoterParams& p) -> std::int64_t { return p.levels; },
             [](QuoterParams& p, std::int64_t v) { p.levels = static_cast<std::uint8_t>(v); }},
    TTQ_I32_FIELD(level_spacing_ticks),
    TTQ_I32_FIELD(order_size),
    TTQ_I32_FIELD(size_step),
    TTQ_I32_FIELD(requote_tolerance_ticks),
    IntField{"quoter.price_floor", kI64Min, kI64Max,
             [](const QuoterParams& p) -> std::int64_t { return p.price_floor; },
             [](QuoterParams& p, std::int64_t v) { p.price_floor = v; }},
    IntField{"quoter.price_ceiling", kI64Min, kI64Max,
             [](const QuoterParams& p) -> std::int64_t { return p.price_ceiling; },
             [](QuoterParams& p, std::int64_t v) { p.price_ceiling = v; }},
};
#undef TTQ_I32_FIELD

}  // namespace

bool set_quoter_field(QuoterParams& p, const std::string& name, bool is_int, std::int64_t iv,
                      const std::string& sv, std::string& why) {
  if (name == "quoter.ref_mode") {
    if (is_int || (sv != "join" && sv != "mid")) {
      why = "quoter.ref_mode must be \"join\" or \"mid\"";
      return false;
    }
    p.ref_mode = sv == "mid" ? RefMode::kMid : RefMode::kJoin;
    return true;
  }
  for (const IntField& f : kIntFields) {
    if (name != f.name) continue;
    if (!is_int) {
      why = name + " must be an integer";
      return false;
    }
    if (iv < f.lo || iv > f.hi) {
      why = fmt::format("{} must be in {}..{} (got {})", name, f.lo, f.hi, iv);
      return false;
    }
    f.set(p, iv);
    return true;
  }
  why = "unknown parameter '" + name + "' (known: quoter.ref_mode";
  for (const IntField& f : kIntFields) why += std::string(", ") + f.name;
  why += ")";
  return false;
}

void append_quoter_json(std::string& out, const QuoterParams& p) {
  out += "{\"quoter.ref_mode\":";
  out += p.ref_mode == RefMode::kMid ? "\"mid\"" : "\"join\"";
  for (const IntField& f : kIntFields) out += fmt::format(",\"{}\":{}", f.name, f.get(p));
  out += '}';
}

// ---------------------------------------------------------------------------------------------

struct ApiServer::Ctx {
  const HttpRequest& req;
  const std::string& remote;
  std::int64_t now = 0;
  std::string body_hash;
  std::string key_id;  // as sent, truncated for the log
  std::string nonce;
  ScopeSet scopes = 0;
  std::string reason;  // for the audit record
  std::vector<std::string_view> params;
  bool mutating = false;
};

struct ApiServer::Route {
  const char* method;
  const char* pattern;  // "{x}" matches one non-empty segment
  Scope scope;
  HttpResponse (ApiServer::*fn)(Ctx&);
};

ApiServer::ApiServer(ControlChannel* control) : control_(control) {}

ApiServer::~ApiServer() { stop(); }

std::int64_t ApiServer::now_ms() const { return opt_.clock_ms ? opt_.clock_ms() : system_now_ms(); }

void ApiServer::log(const std::string& line) const {
  if (opt_.log) {
    opt_.log(line);
  } else {
    std::fprintf(stderr, "ttq api: %s\n", line.c_str());
  }
}

bool ApiServer::start(const ApiOptions& opt, std::string& error) {
  opt_ = opt;
  if (opt_.window_ms <= 0 || opt_.nonce_capacity == 0) {
    error = "api: timestamp window and nonce cache size must be > 0";
    return false;
  }
  keys_ = std::make_unique<KeyStore>(opt_.keys_file);
  if (!keys_->load(error)) return false;
  nonces_ = std::make_unique<NonceCache>(opt_.nonce_capacity);
  if (!audit_.open(opt_.audit_file, error)) return false;
  if (!http_.start(
          opt_.http, [this](const HttpRequest& r, const std::string& remote) {
            return handle(r, remote);
          },
          [this](const HttpRequest& r, const std::string& remote, int status,
                 const std::string& why) { on_reject(r, remote, status, why); },
          error)) {
    return false;
  }
  log(fmt::format("listening on {}://{}:{} ({} keys, audit {} at record {})",
                  http_.tls() ? "https" : "http", opt_.http.bind_ip, http_.port(), keys_->size(),
                  opt_.audit_file, audit_.last_seq()));
  return true;
}

void ApiServer::stop() { http_.stop(); }

ApiCounters ApiServer::counters() const {
  std::lock_guard lk(counters_mu_);
  ApiCounters c = counters_;
  c.tasks_run = tasks_run_.load(std::memory_order_relaxed);
  c.mutations_applied = mutations_.load(std::memory_order_relaxed);
  return c;
}

void ApiServer::record(const Ctx& c, const HttpResponse& r, const std::string& outcome) {
  AuditRecord a;
  a.time_ms = c.now;
  a.key_id = c.key_id;
  a.remote = c.remote;
  a.method = c.req.method;
  a.path = c.req.path;
  a.query = c.req.query;
  a.nonce = c.nonce;
  a.body_sha256 = c.body_hash;
  a.status = r.status;
  a.outcome = outcome;
  a.reason = c.reason;
  std::string err;
  if (!audit_.append(a, err)) {
    {
      std::lock_guard lk(counters_mu_);
      ++counters_.audit_failures;
    }
    log("AUDIT WRITE FAILED: " + err);
  }
}

void ApiServer::on_reject(const HttpRequest& req, const std::string& remote, int status,
                          const std::string& why) {
  AuditRecord a;
  a.time_ms = now_ms();
  a.key_id = std::string(req.header("ttq-key-id").substr(0, 128));
  a.remote = remote;
  a.method = req.method;
  a.path = req.path.substr(0, 512);
  a.query = req.query.substr(0, 512);
  a.status = status;
  a.outcome = "bad_request";
  a.reason = why;
  std::string err;
  if (!audit_.append(a, err)) log("AUDIT WRITE FAILED: " + err);
  {
    std::lock_guard lk(counters_mu_);
    ++counters_.requests;
    ++counters_.bad_request;
  }
  log(fmt::format("{} refused {} ({})", status, remote, why));
}

HttpResponse ApiServer::handle(const HttpRequest& req, const std::string& remote) {
  Ctx c{req, remote, 0, {}, {}, {}, 0, {}, {}, false};
  c.now = now_ms();
  c.body_hash = sha256_hex(req.body);
  c.mutating = req.method != "GET";
  int n_kid = 0, n_ts = 0, n_nonce = 0, n_sig = 0;
  const std::string_view kid = req.header("ttq-key-id", &n_kid);
  const std::string_view ts = req.header("ttq-timestamp", &n_ts);
  const std::string_view nonce = req.header("ttq-nonce", &n_nonce);
  const std::string_view sig = req.header("ttq-signature", &n_sig);
  c.key_id = std::string(kid.substr(0, 128));
  c.nonce = std::string(nonce.substr(0, 128));

  auto finish = [&](HttpResponse r, const std::string& outcome) {
    if (c.mutating || r.status >= 400) record(c, r, outcome);
    std::lock_guard lk(counters_mu_);
    ++counters_.requests;
    if (r.status < 300) ++counters_.ok;
    else if (outcome == "unauthorized") ++counters_.unauthorized;
    else if (outcome == "stale") ++counters_.stale;
    else if (r.status == 403) ++counters_.forbidden;
    else if (r.status == 429) ++counters_.rate_limited;
    else if (r.status >= 503) ++counters_.unavailable;
    else ++counters_.bad_request;
    if (c.reason == "replay") ++counters_.replays;
    return r;
  };
  auto deny = [&](int status, const char* code, const char* message, std::string reason) {
    c.reason = std::move(reason);
    log(fmt::format("{} {} {} {} {} key={:?} reason={}", status, code, remote, req.method,
                    req.path.substr(0, 256), c.key_id, c.reason));
    return finish(error_response(status, message, code), code);
  };

  if (n_kid > 1 || n_ts > 1 || n_nonce > 1 || n_sig > 1) {
    return deny(401, "unauthorized", "unauthorized", "repeated_auth_header");
  }
  AuthHeaders ah;
  const HeaderError he = parse_auth_headers(kid, ts, nonce, sig, ah);
  if (he != HeaderError::kNone) return deny(401, "unauthorized", "unauthorized", to_string(he));
  const std::string text =
      signed_string(ah.timestamp_text, ah.nonce, req.method, req.path, req.query, req.body);
  const VerifyResult vr = keys_->verify(ah.key_id, text, ah.signature, c.now, c.scopes);
  if (vr != VerifyResult::kOk && vr != VerifyResult::kOkPrevious) {
    return deny(401, "unauthorized", "unauthorized", to_string(vr));
  }
  const std::int64_t skew = c.now - ah.timestamp_ms;
  if (skew > opt_.window_ms || skew < -opt_.window_ms) {
    return deny(401, "stale", "stale timestamp",
                fmt::format("stale_timestamp skew_ms={} window_ms={}", skew, opt_.window_ms));
  }
  switch (nonces_->check_and_insert(ah.key_id, ah.nonce, ah.timestamp_ms + opt_.window_ms,
                                    c.now)) {
    case NonceCache::Result::kFresh: break;
    case NonceCache::Result::kReplay:
      return deny(401, "unauthorized", "unauthorized", "replay");
    case NonceCache::Result::kFull:
      return deny(429, "rate_limited", "too many requests", "nonce_cache_full");
  }
  if (vr == VerifyResult::kOkPrevious) c.reason = "previous_secret_in_grace";
  HttpResponse r = dispatch(c);
  std::string outcome = "ok";
  if (r.status >= 400) {
    const auto j = Json::parse(r.body, nullptr, false);
    outcome = j.is_object() && j.contains("code") && j["code"].is_string()
                  ? j["code"].get<std::string>()
                  : "error";
  }
  if (r.status >= 400) {
    log(fmt::format("{} {} {} {} {} key={} reason={}", r.status, outcome, remote, req.method,
                    req.path.substr(0, 256), c.key_id, c.reason));
  }
  return finish(std::move(r), outcome);
}

HttpResponse ApiServer::dispatch(Ctx& c) {
  static const Route kRoutes[] = {
      {"GET", "/v1/status", Scope::kRead, &ApiServer::get_status},
      {"GET", "/v1/metrics", Scope::kRead, &ApiServer::get_metrics},
      {"GET", "/v1/books/{security_id}", Scope::kRead, &ApiServer::get_book},
      {"GET", "/v1/positions", Scope::kRead, &ApiServer::get_positions},
      {"GET", "/v1/params", Scope::kRead, &ApiServer::get_params},
      {"PUT", "/v1/params", Scope::kTrade, &ApiServer::put_params},
      {"POST", "/v1/kill", Scope::kRisk, &ApiServer::post_kill},
      {"POST", "/v1/cancel-all", Scope::kRisk, &ApiServer::post_cancel_all},
      {"POST", "/v1/keys", Scope::kAdmin, &ApiServer::post_keys},
      {"GET", "/v1/keys", Scope::kAdmin, &ApiServer::get_keys},
      {"POST", "/v1/keys/{id}/rotate", Scope::kAdmin, &ApiServer::post_rotate},
      {"DELETE", "/v1/keys/{id}", Scope::kAdmin, &ApiServer::delete_key},
      {"GET", "/v1/audit", Scope::kAdmin, &ApiServer::get_audit},
  };
  const std::string_view path = c.req.path;
  bool path_matched = false;
  for (const Route& r : kRoutes) {
    std::string_view pat = r.pattern, p = path;
    std::vector<std::string_view> params;
    bool ok = true;
    while (ok && (!pat.empty() || !p.empty())) {
      if (pat.empty() || p.empty() || pat[0] != '/' || p[0] != '/') {
        ok = false;
        break;
      }
      pat.remove_prefix(1);
      p.remove_prefix(1);
      const auto ps = pat.find('/'), qs = p.find('/');
      const std::string_view a = pat.substr(0, ps), b = p.substr(0, qs);
      if (a.starts_with('{')) {
        if (b.empty()) ok = false;
        params.push_back(b);
      } else if (a != b) {
        ok = false;
      }
      pat.remove_prefix(a.size());
      p.remove_prefix(b.size());
    }
    if (!ok) continue;
    path_matched = true;
    if (c.req.method != r.method) continue;
    if (!(c.scopes & static_cast<ScopeSet>(r.scope))) {
      c.reason = std::string("scope_required=") + to_string(r.scope) +
                 " key_scopes=" + scopes_to_string(c.scopes);
      return error_response(403, "forbidden", "forbidden");
    }
    c.params = std::move(params);
    return (this->*r.fn)(c);
  }
  if (path_matched) {
    c.reason = "method_not_allowed";
    return error_response(405, "method not allowed", "method_not_allowed");
  }
  c.reason = "no_such_endpoint";
  return error_response(404, "not found", "not_found");
}

bool ApiServer::on_loop(const std::function<void(Engine&)>& fn) {
  if (!control_) return false;
  auto task = std::make_shared<FnTask>(fn, tasks_run_);
  return control_->execute(task, opt_.control_timeout);
}

namespace {
HttpResponse loop_unavailable(bool attached) {
  return attached ? error_response(503, "engine did not reach a safe point in time; not applied",
                                   "unavailable")
                  : error_response(503, "no engine attached", "unavailable");
}
}  // namespace

// ---------------------------------------------------------------------------------------------
// Read scope

HttpResponse ApiServer::get_status(Ctx& c) {
  if (!c.req.query.empty() || !c.req.body.empty()) {
    c.reason = "unexpected query or body";
    return error_response(400, "no query or body expected", "bad_request");
  }
  std::string body;
  const bool ran = on_loop([&](Engine& e) {
    const PipelineCounters& pc = e.driver.counters();
    std::size_t books = 0, stale = 0;
    for (std::size_t s = 0; s < e.risk.max_slots(); ++s) {
      const InstrumentRiskInfo* in = e.risk.instrument(static_cast<std::uint16_t>(s));
      if (!in) continue;
      ++books;
      PublishedTop top;
      if (e.driver.top_of_book(in->security_id, top) && top.stale) ++stale;
    }
    const double uptime = std::chrono::duration<double>(std::chrono::system_clock::now() -
                                                        e.started)
                              .count();
    body = fmt::format("{{\"backend\":{},\"uptime_s\":{:.3f},\"kill_state\":\"{}\",\"lines\":[",
                       json_str(e.backend), uptime, kill_name(e.risk.kill()));
    bool first = true;
    for (const LineConfig& l : e.lines) {
      body += fmt::format("{}{{\"channel\":{},\"kind\":\"{}\",\"line\":\"{}\",\"address\":\"{}:{}\"}}",
                          first ? "" : ",",
                          l.channel < e.config.pipeline.channels.size()
                              ? e.config.pipeline.channels[l.channel].id
                              : l.channel,
                          feed_kind_name(l.kind), l.line, ipv4_text(l.ip), l.port);
      first = false;
    }
    body += fmt::format(
        "],\"frames\":{},\"packets\":{},\"gaps\":{},\"lost\":{},\"stale_events\":{},"
        "\"books\":{},\"stale_books\":{},\"quotes\":{},\"orders_accepted\":{},"
        "\"risk_rejected\":{},\"working_orders\":{},\"rx_missed\":{}}}",
        pc.frames, pc.packets, pc.arb.gaps, pc.arb.lost, pc.stale_events, books, stale, pc.quotes,
        e.risk.accepted(), e.risk.rejected_total(), e.orders.working_orders(), e.source.rx_missed);
  });
  if (!ran) return loop_unavailable(control_ != nullptr);
  return json_response(200, std::move(body));
}

HttpResponse ApiServer::get_metrics(Ctx& c) {
  if (!c.req.query.empty()) {
    c.reason = "unexpected query";
    return error_response(400, "no query expected", "bad_request");
  }
  PipelineCounters pc;
  RiskCounters rc;
  OrderManagerCounters oc;
  SourceCounters sc;
  LoopCounters lc;
  KillState kill = KillState::kActive;
  double uptime = 0;
  const bool ran = on_loop([&](Engine& e) {
    pc = e.driver.counters();
    rc = e.risk.counters();
    oc = e.orders.counters();
    sc = e.source;
    lc = e.loop;
    kill = e.risk.kill();
    uptime = std::chrono::duration<double>(std::chrono::system_clock::now() - e.started).count();
  });
  if (!ran) return loop_unavailable(control_ != nullptr);
  const ApiCounters ac = counters();
  std::string b;
  auto metric = [&](const char* name, const char* type, const char* help, std::uint64_t v) {
    b += fmt::format("# HELP {0} {1}\n# TYPE {0} {2}\n{0} {3}\n", name, help, type, v);
  };
  metric("ttq_uptime_seconds", "gauge", "Seconds since the engine started.",
         static_cast<std::uint64_t>(uptime));
  metric("ttq_frames_total", "counter", "Frames submitted to the fast path.", pc.frames);
  metric("ttq_packets_total", "counter", "Well-formed MDP packets.", pc.packets);
  b += "# HELP ttq_frame_drops_total Frames dropped before decoding, by reason.\n"
       "# TYPE ttq_frame_drops_total counter\n";
  for (std::size_t i = 0; i < pc.frame_drops.size(); ++i) {
    b += fmt::format("ttq_frame_drops_total{{reason=\"{}\"}} {}\n",
                     to_string(static_cast<FrameDrop>(i)), pc.frame_drops[i]);
  }
  metric("ttq_gaps_total", "counter", "Sequence gap events.", pc.arb.gaps);
  metric("ttq_lost_total", "counter", "Sequence numbers lost on both lines.", pc.arb.lost);
  metric("ttq_duplicates_total", "counter", "Duplicate packets dropped.", pc.arb.duplicates);
  metric("ttq_stale_events_total", "counter", "Books that went stale.", pc.stale_events);
  metric("ttq_recoveries_total", "counter", "Stale books rebuilt from a snapshot.",
         pc.recoveries);
  metric("ttq_book_entries_total", "counter", "Book entries applied.", pc.book_entries);
  metric("ttq_quotes_total", "counter", "Quote records emitted.", pc.quotes);
  metric("ttq_quote_overflow_total", "counter", "Quote records lost (queue full).",
         pc.quote_overflow);
  metric("ttq_spec_undone_total", "counter",
         "Packets applied in part and undone (feed.commit = cut_through).", pc.spec_undone);
  metric("ttq_oversize_packets_total", "counter",
         "Payloads over feed.max_packet_events (the card's OVERSIZE_PACKETS).",
         pc.oversize_packets);
  metric("ttq_risk_checked_total", "counter", "Order intents checked by the risk gate.",
         rc.checked);
  metric("ttq_risk_accepted_total", "counter", "Order intents accepted.", rc.accepted);
  b += "# HELP ttq_risk_rejected_total Order intents rejected, by reason.\n"
       "# TYPE ttq_risk_rejected_total counter\n";
  for (std::size_t i = 0; i < rc.rejected.size(); ++i) {
    b += fmt::format("ttq_risk_rejected_total{{reason=\"{}\"}} {}\n",
                     to_string(static_cast<RiskReject>(i)), rc.rejected[i]);
  }
  metric("ttq_order_fills_total", "counter", "Fills applied.", oc.fills);
  b += "# HELP ttq_kill_state Kill state (1 for the current one).\n# TYPE ttq_kill_state gauge\n";
  for (KillState k : {KillState::kActive, KillState::kReducing, KillState::kHalted}) {
    b += fmt::format("ttq_kill_state{{state=\"{}\"}} {}\n", kill_name(k), k == kill ? 1 : 0);
  }
  metric("ttq_rx_packets_total", "counter", "Frames the source handed to the loop.",
         sc.rx_packets);
  metric("ttq_rx_missed_total", "counter", "Frames the NIC dropped (no descriptors).",
         sc.rx_missed);
  metric("ttq_loop_bursts_total", "counter", "Non-empty bursts processed.", lc.bursts);
  metric("ttq_api_requests_total", "counter", "API requests answered.", ac.requests);
  b += "# HELP ttq_api_refused_total API requests refused, by code.\n"
       "# TYPE ttq_api_refused_total counter\n";
  b += fmt::format("ttq_api_refused_total{{code=\"unauthorized\"}} {}\n", ac.unauthorized);
  b += fmt::format("ttq_api_refused_total{{code=\"stale\"}} {}\n", ac.stale);
  b += fmt::format("ttq_api_refused_total{{code=\"forbidden\"}} {}\n", ac.forbidden);
  b += fmt::format("ttq_api_refused_total{{code=\"rate_limited\"}} {}\n", ac.rate_limited);
  b += fmt::format("ttq_api_refused_total{{code=\"bad_request\"}} {}\n", ac.bad_request);
  b += fmt::format("ttq_api_refused_total{{code=\"unavailable\"}} {}\n", ac.unavailable);
  metric("ttq_api_replays_total", "counter", "Requests refused as replays.", ac.replays);
  metric("ttq_api_tasks_total", "counter", "Control tasks the API ran on the loop.",
         ac.tasks_run);
  metric("ttq_api_nonce_cache_entries", "gauge", "Nonces remembered.", nonces_->size());
  metric("ttq_api_audit_records", "gauge", "Records in the audit log.", audit_.last_seq());
  metric("ttq_api_audit_failures_total", "counter", "Audit records that could not be written.",
         ac.audit_failures);
  HttpResponse r;
  r.content_type = "text/plain; version=0.0.4";
  r.body = std::move(b);
  return r;
}

HttpResponse ApiServer::get_book(Ctx& c) {
  std::int32_t sid = 0;
  if (!parse_positive_i32(c.params.at(0), sid)) {
    c.reason = "bad security_id";
    return error_response(400, "security_id must be a positive integer", "bad_request");
  }
  PublishedTop top;
  bool known = false;
  const bool ran = on_loop([&](Engine& e) { known = e.driver.top_of_book(sid, top); });
  if (!ran) return loop_unavailable(control_ != nullptr);
  if (!known) {
    c.reason = "unknown security_id";
    return error_response(404, "unknown security_id", "not_found");
  }
  std::string b = fmt::format("{{\"security_id\":{},\"stale\":{},\"levels\":[{{\"level\":0", sid,
                              top.stale);
  if (top.bid) b += fmt::format(",\"bid_px\":{},\"bid_sz\":{}", top.tob.bid_px, top.tob.bid_sz);
  if (top.ask) b += fmt::format(",\"ask_px\":{},\"ask_sz\":{}", top.tob.ask_px, top.tob.ask_sz);
  b += "}]}";
  return json_response(200, std::move(b));
}

HttpResponse ApiServer::get_positions(Ctx&) {
  struct Pos {
    std::int32_t sid;
    std::uint16_t slot;
    std::int64_t position, working_bid, working_ask;
  };
  std::vector<Pos> v;
  const bool ran = on_loop([&](Engine& e) {
    for (std::size_t s = 0; s < e.risk.max_slots(); ++s) {
      const auto slot = static_cast<std::uint16_t>(s);
      const InstrumentRiskInfo* in = e.risk.instrument(slot);
      if (!in) continue;
      v.push_back(Pos{in->security_id, slot, e.risk.position(slot),
                      e.orders.working_qty(slot, Side::kBuy),
                      e.orders.working_qty(slot, Side::kSell)});
    }
  });
  if (!ran) return loop_unavailable(control_ != nullptr);
  std::string b = "{\"positions\":[";
  for (std::size_t i = 0; i < v.size(); ++i) {
    b += fmt::format("{}{{\"security_id\":{},\"slot\":{},\"position\":{},\"working_bid\":{},"
                     "\"working_ask\":{}}}",
                     i ? "," : "", v[i].sid, v[i].slot, v[i].position, v[i].working_bid,
                     v[i].working_ask);
  }
  b += "]}";
  return json_response(200, std::move(b));
}

HttpResponse ApiServer::get_params(Ctx&) {
  std::string b;
  const bool ran = on_loop([&](Engine& e) {
    if (!params_.seeded) {
      params_.all = e.config.pipeline.quoter;
      params_.seeded = true;
    }
    b = "{\"all\":";
    append_quoter_json(b, params_.all);
    b += ",\"instruments\":{";
    bool first = true;
    for (const auto& [sid, p] : params_.per_instrument) {
      b += fmt::format("{}\"{}\":", first ? "" : ",", sid);
      append_quoter_json(b, p);
      first = false;
    }
    b += "}}";
  });
  if (!ran) return loop_unavailable(control_ != nullptr);
  return json_response(200, std::move(b));
}

// ---------------------------------------------------------------------------------------------
// Trade scope

HttpResponse ApiServer::put_params(Ctx& c) {
  const Json j = Json::parse(c.req.body, nullptr, false);
  if (!j.is_object() || j.empty()) {
    c.reason = "body is not a non-empty JSON object";
    return error_response(400, "body must be a JSON object of parameters", "bad_request");
  }
  // Parse and range-check on this thread; the loop only merges and applies.
  struct Change {
    std::string name;
    bool is_int;
    std::int64_t iv;
    std::string sv;
  };
  std::vector<Change> changes;
  std::int32_t sid = 0;
  for (const auto& [k, v] : j.items()) {
    if (k == "security_id") {
      if (!v.is_number_integer() || v.get<std::int64_t>() < 0 ||
          v.get<std::int64_t>() > kI32Max) {
        c.reason = "bad security_id";
        return error_response(400, "security_id must be a non-negative integer", "bad_request");
      }
      sid = static_cast<std::int32_t>(v.get<std::int64_t>());
      continue;
    }
    Change ch{k, v.is_number_integer(), 0, {}};
    if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(kI64Max)) {
      ch.is_int = false;
    } else if (ch.is_int) {
      ch.iv = v.get<std::int64_t>();
    } else if (v.is_string()) {
      ch.sv = v.get<std::string>();
    }
    QuoterParams probe;
    std::string why;
    if (!set_quoter_field(probe, ch.name, ch.is_int, ch.iv, ch.sv, why)) {
      c.reason = why;
      return error_response(400, why, "invalid_params");
    }
    changes.push_back(std::move(ch));
  }
  if (changes.empty()) {
    c.reason = "no parameters";
    return error_response(400, "no parameters to set", "bad_request");
  }
  std::string b, why;
  int status = 200;
  const bool ran = on_loop([&](Engine& e) {
    if (!params_.seeded) {
      params_.all = e.config.pipeline.quoter;
      params_.seeded = true;
    }
    QuoterParams before = params_.all;
    if (sid != 0) {
      const auto it = params_.per_instrument.find(sid);
      if (it != params_.per_instrument.end()) before = it->second;
    }
    QuoterParams next = before;
    for (const Change& ch : changes) set_quoter_field(next, ch.name, ch.is_int, ch.iv, ch.sv, why);
    if (const char* bad = e.driver.set_params(sid, next)) {
      why = bad;
      status = std::string_view(bad) == "unknown security_id" ? 404 : 400;
      return;
    }
    mutations_.fetch_add(1, std::memory_order_relaxed);
    if (sid == 0) {
      params_.all = next;
      params_.per_instrument.clear();  // set_params(0) replaced every instrument's parameters
    } else {
      params_.per_instrument[sid] = next;
    }
    std::string bj, nj;
    append_quoter_json(bj, before);
    append_quoter_json(nj, next);
    const Json jb = Json::parse(bj), jn = Json::parse(nj);
    b = fmt::format("{{\"security_id\":{},\"changed\":{{", sid);
    bool first = true;
    for (const auto& [k, v] : jn.items()) {
      if (jb[k] == v) continue;
      b += fmt::format("{}{}:{{\"from\":{},\"to\":{}}}", first ? "" : ",", json_str(k),
                       jb[k].dump(), v.dump());
      first = false;
    }
    b += "},\"params\":" + nj + "}";
  });
  if (!ran) {
    c.reason = "control task not run";
    return loop_unavailable(control_ != nullptr);
  }
  if (status != 200) {
    c.reason = "driver refused: " + why;
    return error_response(status, why, status == 404 ? "not_found" : "invalid_params");
  }
  return json_response(200, std::move(b));
}

// ---------------------------------------------------------------------------------------------
// Risk scope

HttpResponse ApiServer::post_kill(Ctx& c) {
  const Json j = Json::parse(c.req.body, nullptr, false);
  KillState k{};
  std::string s = j.is_object() && j.size() == 1 && j.contains("state") && j["state"].is_string()
                      ? j["state"].get<std::string>()
                      : std::string();
  for (char& ch : s)
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
  if (s == "ACTIVE") k = KillState::kActive;
  else if (s == "REDUCING") k = KillState::kReducing;
  else if (s == "HALTED") k = KillState::kHalted;
  else {
    c.reason = "bad kill state";
    return error_response(400, "body must be {\"state\": \"ACTIVE\"|\"REDUCING\"|\"HALTED\"}",
                          "bad_request");
  }
  KillState before{};
  std::size_t cancelled = 0;
  const bool ran = on_loop([&](Engine& e) {
    before = e.risk.kill();
    e.risk.set_kill(k);
    // HALTED also raises the fast path's kill (quotes pulled at once) and pulls working orders.
    e.driver.set_kill(k == KillState::kHalted);
    if (k == KillState::kHalted) {
      cancelled = e.orders.working_orders();
      e.orders.cancel_all(e.now_ns);
    }
    mutations_.fetch_add(1, std::memory_order_relaxed);
  });
  if (!ran) {
    c.reason = "control task not run";
    return loop_unavailable(control_ != nullptr);
  }
  c.reason = fmt::format("{} -> {}", kill_name(before), kill_name(k));
  return json_response(200, fmt::format("{{\"state\":\"{}\",\"previous\":\"{}\",\"cancelled\":{}}}",
                                        kill_name(k), kill_name(before), cancelled));
}

HttpResponse ApiServer::post_cancel_all(Ctx& c) {
  if (!c.req.body.empty() && c.req.body != "{}") {
    c.reason = "unexpected body";
    return error_response(400, "no body expected", "bad_request");
  }
  std::size_t cancelled = 0;
  const bool ran = on_loop([&](Engine& e) {
    cancelled = e.orders.working_orders();
    e.orders.cancel_all(e.now_ns);
    mutations_.fetch_add(1, std::memory_order_relaxed);
  });
  if (!ran) {
    c.reason = "control task not run";
    return loop_unavailable(control_ != nullptr);
  }
  c.reason = fmt::format("cancelled={}", cancelled);
  return json_response(200, fmt::format("{{\"cancelled\":{}}}", cancelled));
}

// ---------------------------------------------------------------------------------------------
// Admin scope

HttpResponse ApiServer::post_keys(Ctx& c) {
  const Json j = Json::parse(c.req.body, nullptr, false);
  ScopeSet scopes = 0;
  std::int64_t expires_ms = 0;
  bool ok = j.is_object() && j.contains("scopes") && j["scopes"].is_array() &&
            !j["scopes"].empty();
  const Json empty = Json::object();
  for (const auto& [k, v] : (ok ? j : empty).items()) {
    if (k == "scopes") {
      for (const Json& s : v) {
        const auto sc = s.is_string() ? parse_scope(s.template get<std::string>()) : std::nullopt;
        if (!sc || (scopes & static_cast<ScopeSet>(*sc))) ok = false;
        else scopes = static_cast<ScopeSet>(scopes | static_cast<ScopeSet>(*sc));
      }
    } else if (k == "expires_in_s") {
      const std::int64_t secs = v.is_number_integer() ? v.template get<std::int64_t>() : 0;
      if (secs <= 0 || secs > 10LL * 366 * 86400) {
        ok = false;
      } else {
        expires_ms = c.now + secs * 1000;
      }
    } else {
      ok = false;
    }
  }
  if (!ok) {
    c.reason = "bad key request";
    return error_response(400,
                          "body must be {\"scopes\": [\"read\"|\"trade\"|\"risk\"|\"admin\", ...], "
                          "\"expires_in_s\": N (optional)}",
                          "bad_request");
  }
  IssuedSecret is;
  std::string err;
  if (!keys_->create(scopes, expires_ms, c.now, is, err)) {
    c.reason = "key store: " + err;
    log("key store write failed: " + err);
    return error_response(500, "could not store the key", "internal");
  }
  c.reason = "created " + is.id + " scopes=" + scopes_to_string(scopes);
  return json_response(
      201, fmt::format("{{\"id\":\"{}\",\"secret\":\"{}\",\"scopes\":{},\"expires_ms\":{}}}",
                       is.id, is.secret_b64, scopes_json(scopes), expires_ms));
}

HttpResponse ApiServer::post_rotate(Ctx& c) {
  const std::string id(c.params.at(0));
  IssuedSecret is;
  std::string err;
  switch (keys_->rotate(id, c.now, opt_.rotation_grace_ms, is, err)) {
    case KeyStore::ChangeResult::kOk: break;
    case KeyStore::ChangeResult::kNotFound:
      c.reason = "no such key " + id.substr(0, 64);
      return error_response(404, "no such key", "not_found");
    case KeyStore::ChangeResult::kRevoked:
    case KeyStore::ChangeResult::kLastAdmin:
      c.reason = "key is revoked";
      return error_response(409, "key is revoked", "conflict");
    case KeyStore::ChangeResult::kIoError:
      c.reason = "key store: " + err;
      log("key store write failed: " + err);
      return error_response(500, "could not store the key", "internal");
  }
  c.reason = fmt::format("rotated {} grace_ms={}", id, opt_.rotation_grace_ms);
  return json_response(
      200, fmt::format("{{\"id\":\"{}\",\"secret\":\"{}\",\"previous_valid_until_ms\":{}}}", is.id,
                       is.secret_b64,
                       opt_.rotation_grace_ms > 0 ? c.now + opt_.rotation_grace_ms : 0));
}

HttpResponse ApiServer::delete_key(Ctx& c) {
  const std::string id(c.params.at(0));
  std::string err;
  switch (keys_->revoke(id, c.now, err)) {
    case KeyStore::ChangeResult::kOk: break;
    case KeyStore::ChangeResult::kNotFound:
      c.reason = "no such key " + id.substr(0, 64);
      return error_response(404, "no such key", "not_found");
    case KeyStore::ChangeResult::kRevoked:
      c.reason = "already revoked";
      return error_response(409, "key is already revoked", "conflict");
    case KeyStore::ChangeResult::kLastAdmin:
      c.reason = "last admin key";
      return error_response(409, "refusing to revoke the last usable admin key", "conflict");
    case KeyStore::ChangeResult::kIoError:
      c.reason = "key store: " + err;
      log("key store write failed: " + err);
      return error_response(500, "could not store the change", "internal");
  }
  c.reason = "revoked " + id;
  return json_response(200, fmt::format("{{\"id\":\"{}\",\"revoked\":true}}", id));
}

HttpResponse ApiServer::get_keys(Ctx&) {
  std::string b = "{\"keys\":[";
  bool first = true;
  for (const KeyInfo& k : keys_->list()) {
    const std::string scopes = scopes_json(k.scopes);
    b += fmt::format(
        "{}{{\"id\":\"{}\",\"scopes\":{},\"created_ms\":{},\"expires_ms\":{},\"rotated_ms\":{},"
        "\"previous_valid_until_ms\":{},\"revoked\":{},\"revoked_ms\":{}}}",
        first ? "" : ",", k.id, scopes, k.created_ms, k.expires_ms, k.rotated_ms,
        k.previous_valid_until_ms, k.revoked, k.revoked_ms);
    first = false;
  }
  b += "]}";
  return json_response(200, std::move(b));
}

HttpResponse ApiServer::get_audit(Ctx& c) {
  std::uint64_t since = 1;
  const std::string_view q = c.req.query;
  if (!q.empty()) {
    bool ok = q.starts_with("since=") && q.size() > 6 && q.size() <= 6 + 19;
    std::uint64_t v = 0;
    for (char ch : q.substr(ok ? 6 : 0)) {
      if (ch < '0' || ch > '9') ok = false;
      v = v * 10 + static_cast<std::uint64_t>(ch - '0');
    }
    if (!ok) {
      c.reason = "bad query";
      return error_response(400, "query must be since=N", "bad_request");
    }
    since = v;
  }
  std::vector<std::string> lines;
  bool more = false;
  std::string err;
  if (!audit_.read_since(since, 1000, lines, more, err)) {
    c.reason = err;
    return error_response(500, "cannot read the audit log", "internal");
  }
  std::string b = "{\"records\":[";
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i) b += ',';
    b += lines[i];
  }
  b += fmt::format("],\"more\":{},\"head\":\"{}\",\"last_seq\":{}}}", more, audit_.head_hash(),
                   audit_.last_seq());
  return json_response(200, std::move(b));
}

}  // namespace ttq::api
