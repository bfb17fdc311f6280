// A small HTTP/1.1 server and client for the operator API, plain on loopback or TLS (OpenSSL).
// Hand-written so every limit is ours: head size, header count, body size, connections, idle
// time; no chunked bodies, no pipelining surprises (requests on a connection are answered in
// order), the raw request target kept byte for byte because it is what clients sign.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace ttq::api {

struct HttpLimits {
  std::size_t max_head = 8192;      // request line + headers, bytes
  std::size_t max_headers = 64;
  std::size_t max_body = 64 * 1024;
};

struct HttpRequest {
  std::string method;  // as sent (only upper-case tokens are accepted)
  std::string target;  // raw request target
  std::string path;    // target before the first '?'
  std::string query;   // raw text after the first '?', "" when none
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased, values trimmed
  std::string body;
  std::size_t content_length = 0;
  bool keep_alive = true;

  // The value of header `lname` (lower case); "" when absent. `count` (optional) = occurrences.
  std::string_view header(std::string_view lname, int* count = nullptr) const;
};

enum class HttpParse : std::uint8_t {
  kIncomplete,      // need more bytes
  kOk,              // head parsed; body follows (content_length bytes)
  kBad,             // 400
  kTooLarge,        // 431 (head) — a body too large is the caller's check (413)
  kNotImplemented,  // 501 (Transfer-Encoding)
};

// Parses the request head at the start of `buf` (the fuzz target's entry point). On kOk fills
// `req` (except body) and `head_len` (bytes up to and including the blank line).
HttpParse parse_request_head(std::string_view buf, const HttpLimits& limits, HttpRequest& req,
                             std::size_t& head_len, std::string& why);

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  bool close = false;  // close the connection after this response
};
const char* http_reason(int status);
std::string serialize_response(const HttpResponse& r, bool keep_alive);

struct HttpServerOptions {
  std::string bind_ip = "127.0.0.1";  // IPv4; plain HTTP only on 127.0.0.0/8
  std::uint16_t port = 0;             // 0 = any free port (see HttpServer::port)
  HttpLimits limits;
  std::size_t workers = 4;        // connections served at once
  std::size_t max_waiting = 64;   // accepted connections waiting for a worker; beyond: 503
  int idle_timeout_ms = 10'000;   // a connection silent this long is closed
  std::string tls_cert, tls_key;  // PEM files; both empty = plain HTTP
  std::vector<int> avoid_cpus;    // server threads never run on these CPUs (the fast path's
                                  // lcores), unless that would leave no CPU at all
};

bool is_loopback_ipv4(const std::string& ip);

using HttpHandler = std::function<HttpResponse(const HttpRequest& req, const std::string& remote)>;
// A request refused before it reached the handler (malformed, too large): for the audit log.
using HttpRejectHook = std::function<void(const HttpRequest& partial, const std::string& remote,
                                          int status, const std::string& why)>;

class HttpServer {
 public:
  HttpServer() = default;
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts the accept thread and the workers; false + why on failure
  // (including: plain HTTP on a non-loopback address, unreadable certificate or key).
  bool start(const HttpServerOptions& opt, HttpHandler handler, HttpRejectHook reject,
             std::string& error);
  void stop();  // closes every connection and joins every thread; idempotent
  std::uint16_t port() const { return port_; }
  bool tls() const { return ssl_ctx_ != nullptr; }

 private:
  void accept_loop();
  void worker_loop();
  void serve(int fd, const std::string& remote);
  void pin_thread() const;

  HttpServerOptions opt_;
  HttpHandler handler_;
  HttpRejectHook reject_;
  void* ssl_ctx_ = nullptr;  // SSL_CTX*
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> running_{false};
  std::thread acceptor_;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<int, std::string>> waiting_;  // fd, remote
  std::vector<int> active_;                          // fds being served (shut down by stop)
};

// http://host:port or https://host:port (host an IPv4 address or a name); false + why.
bool parse_base_url(const std::string& url, bool& tls, std::string& host, std::uint16_t& port,
                    std::string& error);

class HttpClient {
 public:
  struct Options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
    bool tls = false;
    std::string ca_file;  // PEM; "" = the system's trust store
    int timeout_ms = 10'000;
  };
  HttpClient() = default;
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  bool connect(const Options& opt, std::string& error);
  // One request/response on the connection (kept open unless the server closes it).
  bool request(std::string_view method, std::string_view target,
               const std::vector<std::pair<std::string, std::string>>& headers,
               std::string_view body, int& status, std::string& response_body,
               std::string& error);
  // Sends raw bytes and reads one response (tests: malformed requests).
  bool raw(std::string_view bytes, int& status, std::string& response_body, std::string& error);
  void close();
  bool connected() const { return fd_ >= 0; }

 private:
  bool send_all(std::string_view data);
  long recv_some(char* buf, std::size_t n);
  bool read_response(int& status, std::string& body, std::string& error);

  Options opt_;
  int fd_ = -1;
  void* ssl_ctx_ = nullptr;  // SSL_CTX*
  void* ssl_ = nullptr;      // SSL*
  std::string buf_;
};

}  // namespace ttq::api
