// `ttq ctl`: the operator API's client (docs/api.md). Signs each request with a key taken from
// --key-file, else TTQ_KEY_ID / TTQ_KEY_SECRET in the environment, else the file named by
// TTQ_KEY_FILE; prints the server's answer. Exit 0 on a 2xx answer, 1 otherwise, 2 on usage.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "command.hpp"
#include "ttq/api/audit_log.hpp"
#include "ttq/api/http.hpp"
#include "ttq/api/key_store.hpp"
#include "ttq/api/signing.hpp"

namespace {

using namespace ttq;

struct CtlOpts {
  std::string server, key_file, cacert;
  int timeout_ms = 10'000;
  std::string book_sid;
  std::vector<std::string> assignments;
  std::int64_t security_id = 0;
  std::string kill_state;
  std::string scopes;
  std::int64_t expires_in_s = 0;
  std::string key_id;
  std::uint64_t since = 0;
};

// KEY=VALUE lines (TTQ_KEY_ID, TTQ_KEY_SECRET); '#' comments.
bool read_credentials(const std::string& path, std::string& id, std::string& secret,
                      std::string& error) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = "cannot open key file '" + path + "'";
    return false;
  }
  std::string text;
  char buf[1024];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  api::cleanse(buf, sizeof buf);
  for (std::size_t pos = 0; pos < text.size();) {
    auto nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    const std::string_view line(text.data() + pos, nl - pos);
    pos = nl + 1;
    if (line.starts_with("TTQ_KEY_ID=")) id = std::string(line.substr(11));
    if (line.starts_with("TTQ_KEY_SECRET=")) secret = std::string(line.substr(15));
  }
  api::cleanse(text);
  if (id.empty() || secret.empty()) {
    error = "key file '" + path + "' needs TTQ_KEY_ID= and TTQ_KEY_SECRET= lines";
    return false;
  }
  return true;
}

int send(const CtlOpts& o, const std::string& method, const std::string& path,
         const std::string& query, const std::string& body) {
  std::string id, secret_b64, err;
  if (!o.key_file.empty()) {
    if (!read_credentials(o.key_file, id, secret_b64, err)) {
      std::fprintf(stderr, "ttq: %s\n", err.c_str());
      return 2;
    }
  } else if (std::getenv("TTQ_KEY_ID") && std::getenv("TTQ_KEY_SECRET")) {
    id = std::getenv("TTQ_KEY_ID");
    secret_b64 = std::getenv("TTQ_KEY_SECRET");
  } else if (const char* f = std::getenv("TTQ_KEY_FILE")) {
    if (!read_credentials(f, id, secret_b64, err)) {
      std::fprintf(stderr, "ttq: %s\n", err.c_str());
      return 2;
    }
  } else {
    std::fprintf(stderr, "ttq: no key: use --key-file, or set TTQ_KEY_ID and TTQ_KEY_SECRET "
                         "(or TTQ_KEY_FILE)\n");
    return 2;
  }
  api::Secret secret{};
  const bool decoded = api::decode_secret(secret_b64, secret);
  api::cleanse(secret_b64);
  if (!decoded) {
    std::fprintf(stderr, "ttq: the key secret is not 43 characters of base64url\n");
    return 2;
  }
  std::string url = o.server;
  if (url.empty()) url = std::getenv("TTQ_API_URL") ? std::getenv("TTQ_API_URL") : "";
  if (url.empty()) url = "http://127.0.0.1:8470";
  api::HttpClient::Options co;
  if (!api::parse_base_url(url, co.tls, co.host, co.port, err)) {
    std::fprintf(stderr, "ttq: %s\n", err.c_str());
    return 2;
  }
  co.ca_file = o.cacert;
  co.timeout_ms = o.timeout_ms;
  const std::string ts = std::to_string(
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count());
  const std::string nonce = api::new_nonce();
  const std::string sig = api::sign_request(secret, ts, nonce, method, path, query, body);
  api::cleanse(secret.data(), secret.size());
  api::HttpClient client;
  if (!client.connect(co, err)) {
    std::fprintf(stderr, "ttq: %s\n", err.c_str());
    return 1;
  }
  int status = 0;
  std::string answer;
  const std::string target = query.empty() ? path : path + "?" + query;
  if (!client.request(method, target,
                      {{std::string(api::kHdrKeyId), id},
                       {std::string(api::kHdrTimestamp), ts},
                       {std::string(api::kHdrNonce), nonce},
                       {std::string(api::kHdrSignature), sig}},
                      body, status, answer, err)) {
    std::fprintf(stderr, "ttq: %s\n", err.c_str());
    return 1;
  }
  std::fwrite(answer.data(), 1, answer.size(), stdout);
  if (!answer.empty() && answer.back() != '\n') std::fputc('\n', stdout);
  if (status < 200 || status > 299) {
    std::fprintf(stderr, "ttq: server answered %d\n", status);
    return 1;
  }
  return 0;
}

std::string json_string(const std::string& s) {
  std::string o;
  api::append_json_string(o, s);
  return o;
}

bool is_integer(const std::string& v) {
  std::size_t i = v.size() > 1 && v[0] == '-' ? 1 : 0;
  if (i == v.size() || v.size() > 20) return false;
  for (; i < v.size(); ++i)
    if (v[i] < '0' || v[i] > '9') return false;
  return true;
}

std::function<int()> add_ctl(CLI::App& app) {
  auto o = std::make_shared<CtlOpts>();
  auto* sub = app.add_subcommand("ctl", "Operator API client: signed requests to `ttq run --api`");
  sub->require_subcommand(1);
  sub->add_option("--server", o->server,
                  "http://127.0.0.1:8470 (default; env TTQ_API_URL), or https://HOST:PORT");
  sub->add_option("--key-file", o->key_file,
                  "file with TTQ_KEY_ID= and TTQ_KEY_SECRET= lines (else the environment)");
  sub->add_option("--cacert", o->cacert, "PEM CA bundle that signs the server's certificate");
  sub->add_option("--timeout-ms", o->timeout_ms, "connect/read timeout");

  using Run = std::function<int()>;
  auto cmds = std::make_shared<std::vector<std::pair<CLI::App*, Run>>>();
  auto simple = [&](CLI::App* parent, const char* name, const char* help, const char* method,
                    const char* path) {
    CLI::App* c = parent->add_subcommand(name, help);
    cmds->emplace_back(c, [o, method, path] { return send(*o, method, path, "", ""); });
    return c;
  };
  simple(sub, "status", "GET /v1/status", "GET", "/v1/status");
  simple(sub, "metrics", "GET /v1/metrics (Prometheus text)", "GET", "/v1/metrics");
  simple(sub, "positions", "GET /v1/positions", "GET", "/v1/positions");
  simple(sub, "cancel-all", "POST /v1/cancel-all", "POST", "/v1/cancel-all");

  auto* book = sub->add_subcommand("book", "GET /v1/books/{security_id}");
  book->add_option("security_id", o->book_sid)->required();
  cmds->emplace_back(book, [o] { return send(*o, "GET", "/v1/books/" + o->book_sid, "", ""); });

  auto* params = sub->add_subcommand("params", "Quoter parameters: get, set");
  params->require_subcommand(1);
  simple(params, "get", "GET /v1/params", "GET", "/v1/params");
  auto* pset = params->add_subcommand("set", "PUT /v1/params quoter.FIELD=VALUE ...");
  pset->add_option("assignments", o->assignments, "quoter.FIELD=VALUE")->required();
  pset->add_option("--security-id", o->security_id, "one instrument (default: all)");
  cmds->emplace_back(pset, [o]() -> int {
    std::string body = "{";
    if (o->security_id != 0) body += "\"security_id\":" + std::to_string(o->security_id);
    for (const std::string& a : o->assignments) {
      const auto eq = a.find('=');
      if (eq == std::string::npos || eq == 0) {
        std::fprintf(stderr, "ttq: expected FIELD=VALUE, got '%s'\n", a.c_str());
        return 2;
      }
      const std::string k = a.substr(0, eq), v = a.substr(eq + 1);
      if (body.size() > 1) body += ',';
      body += json_string(k) + ":" + (is_integer(v) ? v : json_string(v));
    }
    body += "}";
    return send(*o, "PUT", "/v1/params", "", body);
  });

  auto* kill = sub->add_subcommand("kill", "POST /v1/kill: active, reducing or halted");
  kill->add_option("state", o->kill_state)->required()->check(
      CLI::IsMember({"active", "reducing", "halted", "ACTIVE", "REDUCING", "HALTED"}));
  cmds->emplace_back(kill, [o] {
    std::string s = o->kill_state;
    for (char& c : s)
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return send(*o, "POST", "/v1/kill", "", "{\"state\":\"" + s + "\"}");
  });

  auto* keys = sub->add_subcommand("keys", "API keys: list, create, rotate, revoke");
  keys->require_subcommand(1);
  simple(keys, "list", "GET /v1/keys", "GET", "/v1/keys");
  auto* kc = keys->add_subcommand("create", "POST /v1/keys (prints the new secret once)");
  kc->add_option("--scope", o->scopes, "read,trade,risk,admin (comma-separated)")->required();
  kc->add_option("--expires-in", o->expires_in_s, "seconds until the key expires");
  cmds->emplace_back(kc, [o]() -> int {
    const auto set = api::parse_scopes(o->scopes);
    if (!set) {
      std::fprintf(stderr, "ttq: --scope must be a comma-separated subset of "
                           "read,trade,risk,admin\n");
      return 2;
    }
    std::string body = "{\"scopes\":[";
    std::string list = api::scopes_to_string(*set);
    bool first = true;
    for (std::size_t pos = 0; pos <= list.size();) {
      auto comma = list.find(',', pos);
      if (comma == std::string::npos) comma = list.size();
      body += (first ? "\"" : ",\"") + list.substr(pos, comma - pos) + "\"";
      first = false;
      pos = comma + 1;
    }
    body += "]";
    if (o->expires_in_s > 0) body += ",\"expires_in_s\":" + std::to_string(o->expires_in_s);
    body += "}";
    return send(*o, "POST", "/v1/keys", "", body);
  });
  auto* kr = keys->add_subcommand("rotate", "POST /v1/keys/{id}/rotate");
  kr->add_option("id", o->key_id)->required();
  cmds->emplace_back(kr, [o] { return send(*o, "POST", "/v1/keys/" + o->key_id + "/rotate", "", ""); });
  auto* kd = keys->add_subcommand("revoke", "DELETE /v1/keys/{id}");
  kd->add_option("id", o->key_id)->required();
  cmds->emplace_back(kd, [o] { return send(*o, "DELETE", "/v1/keys/" + o->key_id, "", ""); });

  auto* audit = sub->add_subcommand("audit", "GET /v1/audit?since=N");
  audit->add_option("--since", o->since, "first record (default 1)");
  cmds->emplace_back(audit, [o] {
    return send(*o, "GET", "/v1/audit", o->since ? "since=" + std::to_string(o->since) : "", "");
  });

  return [cmds]() -> int {
    for (auto& [c, run] : *cmds)
      if (c->parsed()) return run();
    return 2;
  };
}

const cli::Registrar ctl_cmd({"ctl", 61, add_ctl});

}  // namespace
