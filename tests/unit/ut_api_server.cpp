// Tests of the operator API (host/src/api/api_server.cpp, http.cpp) over real HTTP on loopback,
// against a real HostLoop (software backend) fed from a generated capture on its own loop thread:
// replay, tampering of each signed field, stale timestamps, revocation, rotation grace, the scope
// of every endpoint, audit chaining, malformed input, TLS, and a bounded multi-threaded load.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "ttq/api/api_server.hpp"
#include "ttq/api/signing.hpp"
#include "ttq/capgen.hpp"
#include "ttq/control.hpp"
#include "ttq/host_loop.hpp"
#include "ttq/pcap_source.hpp"

using namespace ttq;
using namespace ttq::api;
using Json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string temp_dir() {
  std::string t = (std::filesystem::temp_directory_path() / "ttq-api-XXXXXX").string();
  REQUIRE(::mkdtemp(t.data()));
  return t;
}

std::string slurp(const std::string& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A real engine: generated capture -> HostLoop (sw backend) on a loop thread that services the
// control channel between bursts, and keeps servicing it once the capture is done.
struct EngineRig {
  ControlChannel channel{64};
  std::unique_ptr<HostLoop> loop;
  std::thread thread;
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> frames_done{0};
  std::atomic<bool> drained{false};

  explicit EngineRig(const std::string& dir) {
    GenOptions g;
    g.seed = 7;
    g.instruments = 2;
    g.events = 400;
    const std::string cap = dir + "/cap.pcap";
    generate_capture(g, cap, nullptr, nullptr);
    HostLoopOptions o;
    o.control = &channel;
    std::string err;
    loop = HostLoop::create(o, err);
    REQUIRE(loop);
    auto src = PcapSource::open(cap, err);
    REQUIRE(src);
    thread = std::thread([this, s = std::move(src)]() mutable {
      std::vector<Frame> burst(32);
      while (!stop.load()) {
        const std::size_t n = s ? s->next_batch(burst) : 0;
        if (n) {
          loop->on_burst(std::span<const Frame>(burst.data(), n), burst[n - 1].ts_ns);
          frames_done += n;
        } else if (s) {
          loop->finish();
          s.reset();
          drained = true;
        } else {
          std::this_thread::sleep_for(20us);
        }
        loop->between_bursts();
      }
    });
    while (!drained.load()) std::this_thread::sleep_for(1ms);
  }
  ~EngineRig() {
    stop = true;
    thread.join();
  }
};

struct Key {
  std::string id;
  std::string secret_b64;
};

// One API server on 127.0.0.1:<ephemeral> with an admin key, a movable clock and a log capture.
struct ApiRig {
  std::string dir = temp_dir();
  std::unique_ptr<EngineRig> engine;
  ApiServer server;
  ApiOptions opt;
  Key admin;
  std::atomic<std::int64_t> clock_offset{0};
  std::mutex log_mu;
  std::vector<std::string> log_lines;

  explicit ApiRig(bool with_engine = true, std::size_t nonce_capacity = 100'000,
                  const std::string& tls_cert = "", const std::string& tls_key = "")
      : engine(with_engine ? std::make_unique<EngineRig>(dir) : nullptr),
        server(engine ? &engine->channel : nullptr) {
    IssuedSecret is;
    std::string err;
    REQUIRE(KeyStore::init_file(dir + "/keys", static_cast<ScopeSet>(Scope::kAdmin), now(), is,
                                err));
    admin = {is.id, is.secret_b64};
    opt.http.bind_ip = "127.0.0.1";
    opt.http.port = 0;
    opt.http.tls_cert = tls_cert;
    opt.http.tls_key = tls_key;
    opt.http.avoid_cpus = {0};
    opt.keys_file = dir + "/keys";
    opt.audit_file = dir + "/audit.jsonl";
    opt.nonce_capacity = nonce_capacity;
    opt.rotation_grace_ms = 2000;
    opt.clock_ms = [this] { return wall_ms() + clock_offset.load(); };
    opt.log = [this](const std::string& l) {
      std::lock_guard lk(log_mu);
      log_lines.push_back(l);
    };
    REQUIRE(server.start(opt, err));
  }
  ~ApiRig() {
    server.stop();
    engine.reset();
    std::filesystem::remove_all(dir);
  }
  std::int64_t now() const { return wall_ms() + clock_offset.load(); }
  std::string log_text() {
    std::lock_guard lk(log_mu);
    std::string s;
    for (const auto& l : log_lines) s += l + "\n";
    return s;
  }
  HttpClient::Options client_opts() const {
    HttpClient::Options o;
    o.host = "127.0.0.1";
    o.port = server.port();
    o.tls = !opt.http.tls_cert.empty();
    o.ca_file = opt.http.tls_cert;
    return o;
  }
};

// What gets signed and what gets sent, separately, so a test can alter one and not the other.
struct Fields {
  std::string method = "GET", path = "/v1/status", query, body, ts, nonce;
};

struct Reply {
  int status = 0;
  std::string body;
  Json json() const { return Json::parse(body, nullptr, false); }
};

using Headers = std::vector<std::pair<std::string, std::string>>;

Headers sign_headers(const Key& k, const Fields& f) {
  Secret s{};
  REQUIRE(decode_secret(k.secret_b64, s));
  return {{"TTQ-Key-Id", k.id},
          {"TTQ-Timestamp", f.ts},
          {"TTQ-Nonce", f.nonce},
          {"TTQ-Signature", sign_request(s, f.ts, f.nonce, f.method, f.path, f.query, f.body)}};
}

Reply send_with(HttpClient& c, const Fields& sent, const Headers& h) {
  Reply r;
  std::string err;
  const std::string target = sent.query.empty() ? sent.path : sent.path + "?" + sent.query;
  REQUIRE(c.request(sent.method, target, h, sent.body, r.status, r.body, err));
  return r;
}

Fields fields(ApiRig& rig, std::string method, std::string path, std::string body = "",
              std::string query = "") {
  Fields f;
  f.method = std::move(method);
  f.path = std::move(path);
  f.body = std::move(body);
  f.query = std::move(query);
  f.ts = std::to_string(rig.now());
  f.nonce = new_nonce();
  return f;
}

Reply call(ApiRig& rig, HttpClient& c, const Key& k, std::string method, std::string path,
           std::string body = "", std::string query = "") {
  const Fields f = fields(rig, std::move(method), std::move(path), std::move(body),
                          std::move(query));
  return send_with(c, f, sign_headers(k, f));
}

Key create_key(ApiRig& rig, HttpClient& c, const std::string& scopes_json) {
  const Reply r = call(rig, c, rig.admin, "POST", "/v1/keys", "{\"scopes\":" + scopes_json + "}");
  REQUIRE(r.status == 201);
  const Json j = r.json();
  return {j["id"].get<std::string>(), j["secret"].get<std::string>()};
}

std::vector<Json> audit_records(ApiRig& rig) {
  std::vector<Json> v;
  std::ifstream in(rig.opt.audit_file);
  for (std::string l; std::getline(in, l);) v.push_back(Json::parse(l));
  return v;
}

const std::string kUnauthorized = "{\"error\":\"unauthorized\",\"code\":\"unauthorized\"}\n";

}  // namespace

TEST_CASE("api: a signed request is served once; the same request again is refused",
          "[api][http]") {
  ApiRig rig;
  HttpClient c;
  std::string err;
  REQUIRE(c.connect(rig.client_opts(), err));
  const Key rd = create_key(rig, c, "[\"read\"]");
  const Fields f = fields(rig, "GET", "/v1/status");
  const Headers h = sign_headers(rd, f);
  const Reply first = send_with(c, f, h);
  REQUIRE(first.status == 200);
  const Json st = first.json();
  CHECK(st["backend"] == "sw");
  CHECK(st["kill_state"] == "ACTIVE");
  CHECK(st["frames"].get<std::uint64_t>() == rig.engine->frames_done.load());
  const Reply again = send_with(c, f, h);
  CHECK(again.status == 401);
  CHECK(again.body == kUnauthorized);  // says nothing about why
  // ... but the audit log and the server log do.
  const auto recs = audit_records(rig);
  REQUIRE(!recs.empty());
  CHECK(recs.back()["reason"] == "replay");
  CHECK(recs.back()["nonce"] == f.nonce);
  CHECK(rig.log_text().find("reason=replay") != std::string::npos);
  CHECK(rig.server.counters().replays == 1);
}

TEST_CASE("api: changing any signed field without re-signing is refused", "[api][http]") {
  ApiRig rig;
  HttpClient c;
  std::string err;
  REQUIRE(c.connect(rig.client_opts(), err));
  const Key tr = create_key(rig, c, "[\"trade\"]");
  const Fields orig = fields(rig, "PUT", "/v1/params", R"({"quoter.bid_offset_ticks":3})", "");
  const Headers h = sign_headers(tr, orig);
  auto header_with = [&](const std::string& name, const std::string& value) {
    Headers x = h;
    for (auto& [k, v] : x)
      if (k == name) v = value;
    return x;
  };
  struct Case {
    const char* what;
    Fields sent;
    Headers headers;
  };
  std::vector<Case> cases;
  Fields f = orig;
  f.method = "POST";
  cases.push_back({"method", f, h});
  f = orig;
  f.path = "/v1/Params";
  cases.push_back({"path", f, h});
  f = orig;
  f.query = "security_id=1";
  cases.push_back({"query", f, h});
  f = orig;
  f.body = R"({"quoter.bid_offset_ticks":4})";
  cases.push_back({"body", f, h});
  f = orig;
  cases.push_back(
      {"timestamp", f, header_with("TTQ-Timestamp", std::to_string(std::stoll(orig.ts) - 1))});
  cases.push_back({"nonce", f, header_with("TTQ-Nonce", new_nonce())});
  cases.push_back({"signature", f, header_with("TTQ-Signature", std::string(64, '0'))});
  cases.push_back({"key id", f, header_with("TTQ-Key-Id", rig.admin.id)});
  for (const Case& k : cases) {
    INFO(k.what);
    const Reply r = send_with(c, k.sent, k.headers);
    CHECK(r.status == 401);
    CHECK(r.body == kUnauthorized);
    CHECK(audit_records(rig).back()["reason"] == "bad_signature");
  }
  // None of the refused attempts consumed the nonce or changed anything.
  const Reply p = call(rig, c, tr, "GET", "/v1/params");
  CHECK(p.status == 403);  // trade key: no read scope
  const Reply ok = send_with(c, orig, h);
  REQUIRE(ok.status == 200);
  CHECK(ok.json()["changed"]["quoter.bid_offset_ticks"]["to"] == 3);
  CHECK(rig.server.counters().mutations_applied == 1);
}

TEST_CASE("api: a timestamp outside the window is refused as stale", "[api][http]") {
  ApiRig rig;
  HttpClient c;
  std::string err;
  REQUIRE(c.connect(rig.client_opts(), err));
  for (std::int64_t skew : {-5'100, 5'200, -60'000, 3'600'000}) {
    Fields f = fields(rig, "GET", "/v1/keys");
    f.ts = std::to_string(rig.now() + skew);
    const Reply r = send_with(c, f, sign_headers(rig.admin, f));
    CHECK(r.status == 401);
    CHECK(r.json()["code"] == "stale");
    CHECK(audit_records(rig).back()["reason"].get<std::string>().starts_with("stale_timestamp"));
  }
  for (std::int64_t skew : {-4'800, 4'800}) {
    Fields f = fields(rig, "GET", "/v1/keys");
    f.ts = std::to_string(rig.now() + skew);
    CHECK(send_with(c, f, sign_headers(rig.admin, f)).status == 200);
  }
  // A stale request with a bad signature is "unauthorized", not "stale": staleness is only
  // reported to holders of the key.
  Fields f = fields(rig, "GET", "/v1/keys");
  f.ts = std::to_string(rig.now() - 10'000);
  Headers h = sign_headers(rig.admin, f);
  h[3].second = std::string(64, 'a');
  CHECK(send_with(c, f, h).body == kUnauthorized);
}

TEST_CASE("api: the timestamp window is configurable", "[api][http]") {
  ApiRig rig(false);
  rig.server.stop();
  ApiServer narrow(nullptr);
  ApiOptions o = rig.opt;
  o.window_ms = 1000;
  o.audit_file = rig.dir + "/audit2.jsonl";
  std::string err;
  REQUIRE(narrow.start(o, err));
  HttpClient c;
  auto co = rig.client_opts();
  co.port = narrow.port();
  REQUIRE(c.connect(co, err));
  Fields f = fields(rig, "GET", "/v1/keys");
  f.ts = std::to_string(rig.now() - 1'500);
  CHECK(send_with(c, f, sign_headers(rig.admin, f)).json()["code"] == "stale");
  f = fields(rig, "GET", "/v1/keys");
  f.ts = std::to_string(rig.now() - 500);
  CHECK(send_with(c, f, sign_headers(rig.admin, f)).status == 200);
  narrow.stop();
}

TEST_CASE("api: a revoked key is refused on its very next request", "[api][http]") {
  ApiRig rig;
  HttpClient c;
  std::string err;
  REQUIRE(c.connect(rig.client_opts(), err));
  const Key rd = create_key(rig, c, "[\"read\"]");
  CHECK(call(rig, c, rd, "GET", "/v1/positions").status == 200);
  const Reply del = call(rig, c, rig.admin, "DELETE", "/v1/keys/" + rd.id);
  REQUIRE(del.status == 200);
  const Reply r = call(rig, c, rd, "GET", "/v1/positions");
  CHECK(r.status == 401);
  CHECK(r.body == kUnauthorized);
  CHECK(audit_records(rig).back()["reason"] == "revoked_key");
  CHECK(call(rig, c, rig.admin, "DELETE", "/v1/keys/" + rd.id).status == 409);
  CHECK(call(rig, c, rig.admin, "POST", "/v1/keys/" + rd.id + "/rotate").status == 409);
  // The secret is gone from the key file, and listed keys never carry secrets.
  CHECK(slurp(rig.opt.keys_file).find(rd.secret_b64) == std::string::npos);
  const Reply list = call(rig, c, rig.admin, "GET", "/v1/keys");
  REQUIRE(list.status == 200);
  CHECK(list.body.find("secret") == std::string::npos);
  CHECK(list.body.find(rig.admin.secret_b64) == std::string::npos);
  CHECK(list.json()["keys"][1]["revoked"] == true);
  // Secrets never reach the audit log or the server log.
  const std::string audit = slurp(rig.opt.audit_file);
  CHECK(audit.find(rd.secret_b64) == std::string::npos);
  CHECK(audit.find(rig.admin.secret_b64) == std::string::npos);
  CHECK(rig.log_text().find(rd.secret_b64) == std::string::npos);
  // The last admin key cannot be revoked.
  CHECK(call(rig, c, rig.admin, "DELETE", "/v1/keys/" + rig.admin.id).status == 409);
}

TEST_CASE("api: after rotation the old secret works during the grace period, then never",
          "[api][http]") {
  ApiRig rig;  // grace 2000 ms of the server clock
  HttpClient c;
  std::string err;
  REQUIRE(c.connect(rig.client_opts(), err));
  const Key old_key = create_key(rig, c, "[\"read\"]");
  const Reply rot = call(rig, c, rig.admin, "POST", "/v1/keys/" + old_key.id + "/rotate");
  REQUIRE(rot.status == 200);
  const Key new_key{old_key.id, rot.json()["secret"].get<std::string>()};
  CHECK(new_key.secret_b64 != old_key.secret_b64);
  CHECK(call(rig, c, old_key, "GET", "/v1/params").status == 200);
  CHECK(audit_records(rig).size() == 2);  // GETs that succeed are not audited
  CHECK(call(rig, c, new_key, "GET", "/v1/params").status == 200);
  rig.clock_offset = 1'900;
  CHECK(call(rig, c, old_key, "GET", "/v1/params").status == 200);
  rig.clock_offset = 2'001;
  const Reply late = call(rig, c, old_key, "GET", "/v1/params");
  CHECK(late.status == 401);
  CHECK(late.body == kUnauthorized);
  CHECK(audit_records(rig).back()["reason"] == "bad_signature");
  CHECK(call(rig, c, new_key, "GET", "/v1/params").status == 200);
  rig.clock_offset = 0;  // the old secret was wiped when its grace ended: never again
  CHECK(call(rig, c, old_key, "GET", "/v1/params").status == 401);
}

TEST_CASE("api: each scope reaches its endpoints and no others", "[api][http]") {
  ApiRig rig;
  HttpClient c;
  std::string err;
  REQUIRE(c.connect(rig.client_opts(), err));
  std::map<std::string, Key> keys{{"read", create_key(rig, c, "[\"read\"]")},
                                  {"trade", create_key(rig, c, "[\"trade\"]")},
                                  {"risk", create_key(rig, c, "[\"risk\"]")},
                                  {"admin", rig.admin}};
  struct Endpoint {
    const char* scope;
    const char* method;
    const char* path;
    const char* body;
    const char* query;
  };
  const Endpoint eps[] = {
      {"read", "GET", "/v1/status", "", ""},
      {"read", "GET", "/v1/metrics", "", ""},
      {"read", "GET", "/v1/books/100001", "", ""},
      {"read", "GET", "/v1/positions", "", ""},
      {"read", "GET", "/v1/params", "", ""},
      {"trade", "PUT", "/v1/params", R"({"quoter.order_size":1})", ""},
      {"risk", "POST", "/v1/kill", R"({"state":"ACTIVE"})", ""},
      {"risk", "POST", "/v1/cancel-all", "", ""},
      {"admin", "POST", "/v1/keys", R"({"scopes":["read"],"expires_in_s":60})", ""},
      {"admin", "GET", "/v1/keys", "", ""},
      {"admin", "POST", "/v1/keys/k_0000000000000000/rotate", "", ""},
      {"admin", "DELETE", "/v1/keys/k_0000000000000000", "", ""},
      {"admin", "GET", "/v1/audit", "", "since=1"},
  };
  for (const Endpoint& ep : eps) {
    for (const auto& [scope, key] : keys) {
      INFO(ep.method << " " << ep.path << " with a " << scope << " key");
      const Reply r = call(rig, c, key, ep.method, ep.path, ep.body, ep.query);
      if (scope == ep.scope) {
        CHECK(r.status != 401);
        CHECK(r.status != 403);
        // Reached the handler: success, or the handler's own 404 for the made-up key id.
        CHECK((r.status == 200 || r.status == 201 ||
               (r.status == 404 && std::string(ep.path).find("k_0000") != std::string::npos)));
      } else {
        CHECK(r.status == 403);
        CHECK(r.json()["code"] == "forbidden");
      }
    }
  }
  // A key may hold several scopes.
  const Key rt = create_key(rig, c, "[\"read\",\"trade\"]");
  CHECK(call(rig, c, rt, "GET", "/v1/params").status == 200);
  CHECK(call(rig, c, rt, "PUT", "/v1/params", R"({"quoter.order_size":2})").status == 200);
  CHECK(call(rig, c, rt, "POST", "/v1/kill", R"({"state":"ACTIVE"})").status == 403);
  // Unknown paths and methods, after authentication.
  CHECK(call(rig, c, rt, "GET", "/v1/nothing").status == 404);
  CHECK(call(rig, c, rt, "DELETE", "/v1/params").status == 405);
  CHECK(call(rig, c, rt, "GET", "/v1/status/").status == 404);
}

TEST_CASE("api: params, kill and cancel-all reach the engine through the control seam",
          "[api][http]") {
  ApiRig rig;
  HttpClient c;
  std::string err;
  REQUIRE(c.connect(rig.client_opts(), err));
  const Key k = create_key(rig, c, "[\"read\",\"trade\",\"risk\"]");
  Reply r = call(rig, c, k, "PUT", "/v1/params",
                 R"({"quoter.bid_offset_ticks":2,"quoter.ref_mode":"mid","quoter.levels":1})");
  REQUIRE(r.status == 200);
  Json j = r.json();
  CHECK(j["changed"].size() == 2);  // levels was already 1
  CHECK(j["changed"]["quoter.bid_offset_ticks"]["from"] == 0);
  CHECK(j["changed"]["quoter.bid_offset_ticks"]["to"] == 2);
  CHECK(j["changed"]["quoter.ref_mode"]["to"] == "mid");
  CHECK(call(rig, c, k, "GET", "/v1/params").json()["all"]["quoter.bid_offset_ticks"] == 2);
  // One instrument.
  r = call(rig, c, k, "PUT", "/v1/params", R"({"security_id":100001,"quoter.order_size":5})");
  REQUIRE(r.status == 200);
  CHECK(call(rig, c, k, "GET", "/v1/params").json()["instruments"]["100001"]["quoter.order_size"] ==
        5);
  // Refused values change nothing: validation by the Driver, field names, types, ranges.
  for (const char* bad : {R"({"quoter.levels":0})", R"({"quoter.levels":300})",
                          R"({"quoter.max_spread_ticks":70000})", R"({"quoter.nope":1})",
                          R"({"quoter.order_size":"5"})", R"({"quoter.order_size":1.5})",
                          R"({"quoter.ref_mode":"best"})", R"([1])", "not json", "{}"}) {
    INFO(bad);
    r = call(rig, c, k, "PUT", "/v1/params", bad);
    CHECK(r.status == 400);
  }
  CHECK(call(rig, c, k, "PUT", "/v1/params", R"({"security_id":999,"quoter.order_size":1})")
            .status == 404);
  CHECK(call(rig, c, k, "GET", "/v1/params").json()["all"]["quoter.levels"] == 1);
  const auto applied = rig.server.counters().mutations_applied;
  CHECK(applied == 2);

  r = call(rig, c, k, "POST", "/v1/kill", R"({"state":"HALTED"})");
  REQUIRE(r.status == 200);
  CHECK(r.json()["previous"] == "ACTIVE");
  CHECK(call(rig, c, k, "GET", "/v1/status").json()["kill_state"] == "HALTED");
  CHECK(call(rig, c, k, "GET", "/v1/metrics").body.find("ttq_kill_state{state=\"HALTED\"} 1") !=
        std::string::npos);
  CHECK(call(rig, c, k, "POST", "/v1/kill", R"({"state":"PAUSED"})").status == 400);
  CHECK(call(rig, c, k, "POST", "/v1/kill", R"({"state":"reducing"})").json()["state"] ==
        "REDUCING");
  CHECK(call(rig, c, k, "POST", "/v1/cancel-all").status == 200);
  CHECK(call(rig, c, k, "GET", "/v1/status").json()["working_orders"] == 0);

  r = call(rig, c, k, "GET", "/v1/books/100001");
  REQUIRE(r.status == 200);
  CHECK(r.json()["levels"][0].contains("bid_px"));
  CHECK(call(rig, c, k, "GET", "/v1/books/42").status == 404);
  CHECK(call(rig, c, k, "GET", "/v1/books/abc").status == 400);
  r = call(rig, c, k, "GET", "/v1/positions");
  REQUIRE(r.status == 200);
  CHECK(r.json()["positions"].size() >= 1);
  const std::string metrics = call(rig, c, k, "GET", "/v1/metrics").body;
  CHECK(metrics.find("# TYPE ttq_frames_total counter\nttq_frames_total " +
                     std::to_string(rig.engine->frames_done.load()) + "\n") != std::string::npos);
  // Every mutation was audited, and the chain verifies.
  const AuditVerifyResult v = verify_audit_file(rig.opt.audit_file);
  CHECK(v.ok);
  std::size_t puts_ok = 0;
  for (const Json& a : audit_records(rig))
    if (a["method"] == "PUT" && a["status"] == 200) ++puts_ok;
  CHECK(puts_ok == 2);
}

TEST_CASE("api: audit chain of a run verifies, and fails on an edit, removal or reorder",
          "[api][http]") {
  ApiRig rig;
  {
    HttpClient c;
    std::string err;
    REQUIRE(c.connect(rig.client_opts(), err));
    const Key k = create_key(rig, c, "[\"risk\"]");
    for (int i = 0; i < 5; ++i) call(rig, c, k, "POST", "/v1/kill", R"({"state":"ACTIVE"})");
    call(rig, c, k, "GET", "/v1/status");  // refused: audited
  }
  rig.server.stop();
  const AuditVerifyResult ok = verify_audit_file(rig.opt.audit_file);
  REQUIRE(ok.ok);
  CHECK(ok.records == 7);
  std::vector<std::string> lines;
  {
    std::ifstream in(rig.opt.audit_file);
    for (std::string l; std::getline(in, l);) lines.push_back(l);
  }
  auto text = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& l : v) s += l + "\n";
    return s;
  };
  auto edited = lines;
  edited[3].replace(edited[3].find("\"outcome\":\"ok\""), 14, "\"outcome\":\"no\"");
  CHECK(verify_audit_text(text(edited)).bad_line == 4);
  auto removed = lines;
  removed.erase(removed.begin() + 3);
  CHECK(verify_audit_text(text(removed)).bad_line == 4);
  auto reordered = lines;
  std::swap(reordered[4], reordered[5]);
  CHECK(verify_audit_text(text(reordered)).bad_line == 5);
}

TEST_CASE("api: malformed requests are refused and never crash the server", "[api][http]") {
  ApiRig rig(false);
  const std::string ok_head = "GET /v1/keys HTTP/1.1\r\nHost: x\r\n";
  const std::vector<std::string> bad = {
      "GARBAGE\r\n\r\n",
      "GET /v1/keys HTTP/1.1\r\n\r\n",                   // no Host
      "get /v1/keys HTTP/1.1\r\nHost: x\r\n\r\n",        // lower-case method
      "GET v1/keys HTTP/1.1\r\nHost: x\r\n\r\n",         // not an absolute path
      "GET /v1/keys HTTP/2.0\r\nHost: x\r\n\r\n",
      "GET /v1/k\x01ys HTTP/1.1\r\nHost: x\r\n\r\n",
      ok_head + "X: a\r\n b\r\n\r\n",                    // obsolete folding
      ok_head + "Content-Length: 1\r\nContent-Length: 1\r\n\r\nx",
      ok_head + "Content-Length: -1\r\n\r\n",
      ok_head + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      ok_head + "Bad Name: 1\r\n\r\n",
      ok_head + "X: \x7f\r\n\r\n",
      ok_head + "Content-Length: 99999999\r\n\r\n",      // > max body
      ok_head + std::string(9000, 'a') + ": b\r\n\r\n",  // head too large
  };
  for (const std::string& req : bad) {
    HttpClient c;
    std::string err, body;
    int status = 0;
    REQUIRE(c.connect(rig.client_opts(), err));
    REQUIRE(c.raw(req, status, body, err));
    CHECK(status >= 400);
    CHECK(status < 502);
  }
  // Broken authentication headers: unauthorized, with the exact reason in the audit log.
  const std::vector<std::pair<std::string, std::string>> auth_cases = {
      {"", "missing_key_id"},
      {"TTQ-Key-Id: k\r\n", "missing_timestamp"},
      {"TTQ-Key-Id: k\r\nTTQ-Timestamp: 12a\r\n", "bad_timestamp"},
      {"TTQ-Key-Id: k\r\nTTQ-Timestamp: 1\r\nTTQ-Nonce: short\r\n", "bad_nonce"},
      {"TTQ-Key-Id: k\r\nTTQ-Timestamp: 1\r\nTTQ-Nonce: 0123456789abcdef\r\nTTQ-Signature: "
       "zz\r\n",
       "bad_signature_format"},
      {"TTQ-Key-Id: k\r\nTTQ-Key-Id: j\r\n", "repeated_auth_header"},
  };
  for (const auto& [hdrs, reason] : auth_cases) {
    HttpClient c;
    std::string err, body;
    int status = 0;
    REQUIRE(c.connect(rig.client_opts(), err));
    REQUIRE(c.raw(ok_head + hdrs + "\r\n", status, body, err));
    CHECK(status == 401);
    CHECK(body == kUnauthorized);
    CHECK(audit_records(rig).back()["reason"] == reason);
  }
  // Still serving, and the log still verifies.
  HttpClient c;
  std::string err;
  REQUIRE(c.connect(rig.client_opts(), err));
  CHECK(call(rig, c, rig.admin, "GET", "/v1/keys").status == 200);
  CHECK(verify_audit_file(rig.opt.audit_file).ok);
}

TEST_CASE("api: a full nonce cache refuses with 429 instead of forgetting", "[api][http]") {
  ApiRig rig(false, 4);
  HttpClient c;
  std::string err;
  REQUIRE(c.connect(rig.client_opts(), err));
  std::vector<std::pair<Fields, Headers>> sent;
  for (int i = 0; i < 4; ++i) {
    const Fields f = fields(rig, "GET", "/v1/keys");
    sent.emplace_back(f, sign_headers(rig.admin, f));
    CHECK(send_with(c, f, sent.back().second).status == 200);
  }
  const Reply full = call(rig, c, rig.admin, "GET", "/v1/keys");
  CHECK(full.status == 429);
  CHECK(full.json()["code"] == "rate_limited");
  CHECK(send_with(c, sent[0].first, sent[0].second).status == 401);  // still remembered
  rig.clock_offset = 5'000 + 5'001;  // every entry expired (timestamp + window < now)
  CHECK(call(rig, c, rig.admin, "GET", "/v1/keys").status == 200);
}

TEST_CASE("api: refuses a readable key file and plain HTTP off loopback", "[api][http]") {
  ApiRig rig(false);
  rig.server.stop();
  std::string err;
  {
    ApiServer s(nullptr);
    ApiOptions o = rig.opt;
    o.audit_file = rig.dir + "/a2.jsonl";
    ::chmod(o.keys_file.c_str(), 0644);
    CHECK_FALSE(s.start(o, err));
    CHECK(err.find("group or others") != std::string::npos);
    ::chmod(o.keys_file.c_str(), 0600);
  }
  {
    ApiServer s(nullptr);
    ApiOptions o = rig.opt;
    o.audit_file = rig.dir + "/a3.jsonl";
    o.http.bind_ip = "0.0.0.0";
    CHECK_FALSE(s.start(o, err));
    CHECK(err.find("not loopback") != std::string::npos);
  }
}

TEST_CASE("api: TLS on loopback with a self-signed certificate", "[api][http]") {
  const std::string dir = temp_dir();
  const std::string cert = dir + "/cert.pem", key = dir + "/key.pem";
  const std::string cmd =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
      "-subj /CN=localhost -addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout " +
      key + " -out " + cert + " >/dev/null 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);
  {
    ApiRig rig(false, 1000, cert, key);
    HttpClient c;
    std::string err;
    REQUIRE(c.connect(rig.client_opts(), err));
    CHECK(call(rig, c, rig.admin, "GET", "/v1/keys").status == 200);
    // Plain HTTP to the TLS port gets no answer.
    HttpClient plain;
    auto po = rig.client_opts();
    po.tls = false;
    po.timeout_ms = 2000;
    REQUIRE(plain.connect(po, err));
    int status = 0;
    std::string body;
    CHECK_FALSE(plain.raw("GET /v1/keys HTTP/1.1\r\nHost: x\r\n\r\n", status, body, err));
    // A client that does not trust the certificate refuses the server.
    HttpClient untrusting;
    auto uo = rig.client_opts();
    uo.ca_file = "/etc/ssl/certs/ca-certificates.crt";
    CHECK_FALSE(untrusting.connect(uo, err));
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("api: server threads are named and kept off the fast path's CPU", "[api][http]") {
  ApiRig rig(false);
  if (std::thread::hardware_concurrency() < 2) SUCCEED("one CPU: nothing to avoid");
  // The threads name and pin themselves when they start: wait for all of them.
  std::vector<std::string> cpu_lists;
  for (int attempt = 0; attempt < 200 && cpu_lists.size() != 5; ++attempt) {
    cpu_lists.clear();
    for (const auto& t : std::filesystem::directory_iterator("/proc/self/task")) {
      if (slurp(t.path().string() + "/comm") != "ttq-api\n") continue;
      const std::string status = slurp(t.path().string() + "/status");
      const auto at = status.find("Cpus_allowed_list:");
      REQUIRE(at != std::string::npos);
      cpu_lists.push_back(status.substr(at + 19, status.find('\n', at) - at - 19));
    }
    std::this_thread::sleep_for(5ms);
  }
  CHECK(cpu_lists.size() == 5);  // acceptor + 4 workers
  for (const std::string& list : cpu_lists) {
    INFO("Cpus_allowed_list: " << list);
    if (std::thread::hardware_concurrency() >= 2) {
      // avoid_cpus = {0}: the list starts at CPU 1 or later ("1", "1-3", ...).
      CHECK_FALSE(list.empty());
      CHECK(list.find_first_not_of(" \t") != std::string::npos);
      const std::string trimmed = list.substr(list.find_first_not_of(" \t"));
      CHECK(trimmed[0] != '0');
      CHECK(trimmed.find(",0") == std::string::npos);
    }
  }
}

TEST_CASE("api: load: several client threads, thousands of signed requests, none lost or "
          "double-applied",
          "[api][http][load]") {
  ApiRig rig;
  HttpClient admin;
  std::string err;
  REQUIRE(admin.connect(rig.client_opts(), err));
  const Key k = create_key(rig, admin, "[\"read\",\"trade\"]");
  constexpr int kThreads = 4, kPerThread = 300;
  std::atomic<int> ok_put{0}, ok_get{0}, replay_refused{0}, other{0};
  std::vector<std::thread> threads;
  const auto t0 = std::chrono::steady_clock::now();
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      HttpClient c;
      std::string e;
      if (!c.connect(rig.client_opts(), e)) {
        other += kPerThread;
        return;
      }
      for (int i = 0; i < kPerThread; ++i) {
        const bool put = i % 2 == 0;
        const Fields f = fields(rig, put ? "PUT" : "GET", "/v1/params",
                                put ? "{\"quoter.order_size\":" + std::to_string(1 + t) + "}"
                                    : "");
        const Headers h = sign_headers(k, f);
        Reply r;
        const std::string target = f.path;
        if (!c.request(f.method, target, h, f.body, r.status, r.body, e)) {
          ++other;
          continue;
        }
        if (r.status == 200) ++(put ? ok_put : ok_get);
        else ++other;
        // The same bytes again: must be refused, never applied twice.
        if (!c.request(f.method, target, h, f.body, r.status, r.body, e)) {
          ++other;
          continue;
        }
        if (r.status == 401) ++replay_refused;
        else ++other;
      }
    });
  }
  for (auto& th : threads) th.join();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  WARN("load: " << 2 * kThreads * kPerThread << " requests in " << secs << " s");
  CHECK(other == 0);
  CHECK(ok_put == kThreads * kPerThread / 2);
  CHECK(ok_get == kThreads * kPerThread / 2);
  CHECK(replay_refused == kThreads * kPerThread);
  const ApiCounters ac = rig.server.counters();
  CHECK(ac.mutations_applied == static_cast<std::uint64_t>(ok_put.load()));
  CHECK(ac.replays == static_cast<std::uint64_t>(kThreads * kPerThread));
  // The audit log holds each applied PUT exactly once (by nonce) and every refused replay.
  std::set<std::string> put_nonces;
  std::size_t replays = 0;
  for (const Json& a : audit_records(rig)) {
    if (a["method"] == "PUT" && a["status"] == 200) {
      CHECK(put_nonces.insert(a["nonce"].get<std::string>()).second);
    }
    if (a["reason"] == "replay") ++replays;
  }
  CHECK(put_nonces.size() == static_cast<std::size_t>(ok_put.load()));
  CHECK(replays == static_cast<std::size_t>(kThreads * kPerThread));
  CHECK(verify_audit_file(rig.opt.audit_file).ok);
}
