// The operator API served by `ttq run --api ADDR:PORT --keys FILE` (docs/api.md): HTTP/1.1 + JSON,
// every request HMAC-signed (signing.hpp), replay-checked (nonce_cache.hpp), scoped
// (key_store.hpp) and, when it mutates or is refused, recorded in the hash-chained audit log
// (audit_log.hpp) before it is answered. Everything that reads or changes the engine is a
// ControlTask run on the host loop's thread at a safe point (control.hpp): the API's threads
// never touch fast-path state and are kept off the fast path's CPU.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "ttq/api/audit_log.hpp"
#include "ttq/api/http.hpp"
#include "ttq/api/key_store.hpp"
#include "ttq/api/nonce_cache.hpp"
#include "ttq/quoter.hpp"

namespace ttq {
class ControlChannel;
struct Engine;
}  // namespace ttq

namespace ttq::api {

struct ApiOptions {
  HttpServerOptions http;             // address, port, TLS files, limits, workers, avoid_cpu
  std::string keys_file;              // required (KeyStore)
  std::string audit_file = "ttq-audit.jsonl";
  std::int64_t window_ms = 5000;      // |server clock - TTQ-Timestamp| accepted
  std::size_t nonce_capacity = 100'000;
  std::int64_t rotation_grace_ms = 300'000;  // old secret still valid after a rotation
  std::chrono::milliseconds control_timeout{2000};  // wait for the loop's safe point
  // Server clock in Unix milliseconds; default the system clock. Tests move it.
  std::function<std::int64_t()> clock_ms;
  // One line per refused request / failure (never a secret); default: stderr.
  std::function<void(const std::string&)> log;
};

// Counters the API keeps about itself (also in /v1/metrics).
struct ApiCounters {
  std::uint64_t requests = 0;
  std::uint64_t ok = 0;            // 2xx
  std::uint64_t unauthorized = 0;  // 401 unauthorized (bad/unknown/revoked key, signature, replay)
  std::uint64_t stale = 0;         // 401 stale
  std::uint64_t replays = 0;       // of unauthorized: nonce reuse
  std::uint64_t forbidden = 0;     // 403
  std::uint64_t rate_limited = 0;  // 429 (nonce cache full)
  std::uint64_t bad_request = 0;   // 400, 404, 405, 409, 413, 431, 501
  std::uint64_t unavailable = 0;   // 503/504: the loop did not run the task in time
  std::uint64_t tasks_run = 0;     // control tasks that ran on the loop thread
  std::uint64_t mutations_applied = 0;  // of those: changes to the engine (params, kill, cancel)
  std::uint64_t audit_failures = 0;
};

class ApiServer {
 public:
  // `control` may be nullptr: the engine endpoints then answer 503 (key and audit endpoints work).
  explicit ApiServer(ControlChannel* control);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Loads the key file, opens the audit log, starts listening. false + why.
  bool start(const ApiOptions& opt, std::string& error);
  void stop();
  std::uint16_t port() const { return http_.port(); }

  // The whole request path minus the socket (authentication, routing, handlers, audit).
  HttpResponse handle(const HttpRequest& req, const std::string& remote);

  ApiCounters counters() const;
  KeyStore& keys() { return *keys_; }
  AuditLog& audit() { return audit_; }
  std::size_t nonces() const { return nonces_ ? nonces_->size() : 0; }

 private:
  struct Ctx;
  struct Route;
  HttpResponse dispatch(Ctx& c);
  // Runs fn on the loop thread at a safe point and waits; false when it did not run.
  bool on_loop(const std::function<void(Engine&)>& fn);
  void record(const Ctx& c, const HttpResponse& r, const std::string& outcome);
  void on_reject(const HttpRequest& req, const std::string& remote, int status,
                 const std::string& why);
  void log(const std::string& line) const;
  std::int64_t now_ms() const;

  // Handlers.
  HttpResponse get_status(Ctx& c);
  HttpResponse get_metrics(Ctx& c);
  HttpResponse get_book(Ctx& c);
  HttpResponse get_positions(Ctx& c);
  HttpResponse get_params(Ctx& c);
  HttpResponse put_params(Ctx& c);
  HttpResponse post_kill(Ctx& c);
  HttpResponse post_cancel_all(Ctx& c);
  HttpResponse post_keys(Ctx& c);
  HttpResponse post_rotate(Ctx& c);
  HttpResponse delete_key(Ctx& c);
  HttpResponse get_keys(Ctx& c);
  HttpResponse get_audit(Ctx& c);

  ControlChannel* control_;
  ApiOptions opt_;
  std::unique_ptr<KeyStore> keys_;
  std::unique_ptr<NonceCache> nonces_;
  AuditLog audit_;
  HttpServer http_;
  mutable std::mutex counters_mu_;
  ApiCounters counters_;
  std::atomic<std::uint64_t> tasks_run_{0}, mutations_{0};  // bumped on the loop thread

  // Quoter parameters as the API last set them; touched only inside control tasks (the loop
  // thread), so concurrent PUTs are serialised by the loop. Seeded from the engine's config.
  struct ParamsState {
    bool seeded = false;
    QuoterParams all;
    std::map<std::int32_t, QuoterParams> per_instrument;
  };
  ParamsState params_;
};

// Quoter parameter fields as the API names them ("quoter.bid_offset_ticks", ...).
// Sets field `name` of `p` from a JSON-ish value: integer fields take `iv`, ref_mode takes `sv`
// ("join"/"mid"). false + why when the name is unknown or the value does not fit the field.
bool set_quoter_field(QuoterParams& p, const std::string& name, bool is_int, std::int64_t iv,
                      const std::string& sv, std::string& why);
// Appends {"quoter.ref_mode":"join","quoter.bid_offset_ticks":0,...} to `out`.
void append_quoter_json(std::string& out, const QuoterParams& p);

}  // namespace ttq::api
