// HTTP/1.1 for the operator API (see http.hpp for the limits and why it is hand-written).
#include "ttq/api/http.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace ttq::api {

namespace {

bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string lower(std::string_view s) {
  std::string o(s);
  for (char& c : o)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return o;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string ssl_error_text() {
  const unsigned long e = ERR_get_error();
  if (!e) return "unknown TLS error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

void set_timeouts(int fd, int ms) {
  timeval tv{};
  tv.tv_sec = ms / 1000;
  tv.tv_usec = static_cast<decltype(tv.tv_usec)>((ms % 1000) * 1000);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

// One connection, plain or TLS.
struct Conn {
  int fd = -1;
  SSL* ssl = nullptr;
  long read(char* buf, std::size_t n) {
    if (ssl) {
      const int r = SSL_read(ssl, buf, static_cast<int>(n > 1 << 20 ? 1 << 20 : n));
      return r > 0 ? r : -1;
    }
    while (true) {
      const ssize_t r = ::recv(fd, buf, n, 0);
      if (r < 0 && errno == EINTR) continue;
      return r > 0 ? static_cast<long>(r) : -1;
    }
  }
  bool write_all(std::string_view d) {
    while (!d.empty()) {
      if (ssl) {
        const int r = SSL_write(ssl, d.data(), static_cast<int>(d.size() > 1 << 20 ? 1 << 20
                                                                                  : d.size()));
        if (r <= 0) return false;
        d.remove_prefix(static_cast<std::size_t>(r));
      } else {
        const ssize_t r = ::send(fd, d.data(), d.size(), MSG_NOSIGNAL);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        d.remove_prefix(static_cast<std::size_t>(r));
      }
    }
    return true;
  }
};

std::string error_json(std::string_view message, std::string_view code) {
  return std::string("{\"error\":\"") + std::string(message) + "\",\"code\":\"" +
         std::string(code) + "\"}";
}

}  // namespace

std::string_view HttpRequest::header(std::string_view lname, int* count) const {
  std::string_view v;
  int n = 0;
  for (const auto& [k, val] : headers) {
    if (k == lname) {
      if (n == 0) v = val;
      ++n;
    }
  }
  if (count) *count = n;
  return v;
}

HttpParse parse_request_head(std::string_view buf, const HttpLimits& limits, HttpRequest& req,
                             std::size_t& head_len, std::string& why) {
  const auto end = buf.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    if (buf.size() > limits.max_head) {
      why = "request head larger than " + std::to_string(limits.max_head) + " bytes";
      return HttpParse::kTooLarge;
    }
    return HttpParse::kIncomplete;
  }
  if (end + 4 > limits.max_head) {
    why = "request head larger than " + std::to_string(limits.max_head) + " bytes";
    return HttpParse::kTooLarge;
  }
  head_len = end + 4;
  const std::string_view head = buf.substr(0, end + 2);  // every line ends with CRLF
  req = HttpRequest{};

  // Request line: METHOD SP request-target SP HTTP-version
  const auto eol = head.find("\r\n");
  const std::string_view rl = head.substr(0, eol);
  const auto sp1 = rl.find(' ');
  const auto sp2 = sp1 == std::string_view::npos ? sp1 : rl.find(' ', sp1 + 1);
  if (sp1 == std::string_view::npos || sp2 == std::string_view::npos ||
      rl.find(' ', sp2 + 1) != std::string_view::npos) {
    why = "malformed request line";
    return HttpParse::kBad;
  }
  const std::string_view method = rl.substr(0, sp1), target = rl.substr(sp1 + 1, sp2 - sp1 - 1),
                         version = rl.substr(sp2 + 1);
  if (method.empty() || method.size() > 16) {
    why = "bad method";
    return HttpParse::kBad;
  }
  for (char c : method) {
    if (c < 'A' || c > 'Z') {
      why = "bad method";
      return HttpParse::kBad;
    }
  }
  if (target.empty() || target[0] != '/') {
    why = "request target must be an absolute path";
    return HttpParse::kBad;
  }
  for (char c : target) {
    if (c < 0x21 || c > 0x7e || c == '#') {
      why = "bad character in request target";
      return HttpParse::kBad;
    }
  }
  bool http10 = false;
  if (version == "HTTP/1.0") {
    http10 = true;
  } else if (version != "HTTP/1.1") {
    why = "unsupported HTTP version";
    return HttpParse::kBad;
  }
  req.method = std::string(method);
  req.target = std::string(target);
  const auto q = target.find('?');
  req.path = std::string(target.substr(0, q));
  req.query = q == std::string_view::npos ? std::string() : std::string(target.substr(q + 1));

  // Header fields.
  bool have_cl = false, have_host = false;
  std::string_view connection;
  for (std::size_t pos = eol + 2; pos < head.size();) {
    const auto le = head.find("\r\n", pos);
    const std::string_view line = head.substr(pos, le - pos);
    pos = le + 2;
    if (line.empty() || line[0] == ' ' || line[0] == '\t') {
      why = "obsolete line folding or empty header line";
      return HttpParse::kBad;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      why = "malformed header line";
      return HttpParse::kBad;
    }
    const std::string_view name = line.substr(0, colon);
    for (char c : name) {
      if (!is_tchar(c)) {
        why = "bad character in header name";
        return HttpParse::kBad;
      }
    }
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    for (char c : value) {
      const auto u = static_cast<unsigned char>(c);
      if ((u < 0x20 && c != '\t') || u == 0x7f || u > 0x7e) {
        why = "bad character in header value";
        return HttpParse::kBad;
      }
    }
    if (req.headers.size() == limits.max_headers) {
      why = "more than " + std::to_string(limits.max_headers) + " header fields";
      return HttpParse::kTooLarge;
    }
    req.headers.emplace_back(lower(name), std::string(value));
    const std::string& lname = req.headers.back().first;
    if (lname == "content-length") {
      std::size_t n = 0;
      const auto r = std::from_chars(value.data(), value.data() + value.size(), n);
      if (have_cl || value.empty() || value.size() > 15 || r.ec != std::errc() ||
          r.ptr != value.data() + value.size()) {
        why = "bad or repeated Content-Length";
        return HttpParse::kBad;
      }
      have_cl = true;
      req.content_length = n;
    } else if (lname == "transfer-encoding") {
      why = "Transfer-Encoding is not supported (send Content-Length)";
      return HttpParse::kNotImplemented;
    } else if (lname == "host") {
      if (have_host) {
        why = "repeated Host";
        return HttpParse::kBad;
      }
      have_host = true;
    } else if (lname == "connection") {
      connection = value;
    }
  }
  if (!http10 && !have_host) {
    why = "HTTP/1.1 request without Host";
    return HttpParse::kBad;
  }
  req.keep_alive = http10 ? iequals(connection, "keep-alive") : !iequals(connection, "close");
  return HttpParse::kOk;
}

const char* http_reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Status";
  }
}

std::string serialize_response(const HttpResponse& r, bool keep_alive) {
  std::string s = "HTTP/1.1 " + std::to_string(r.status) + " " + http_reason(r.status) + "\r\n";
  s += "Content-Type: " + r.content_type + "\r\n";
  s += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
  s += "Cache-Control: no-store\r\n";
  s += keep_alive && !r.close ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
  s += "\r\n";
  s += r.body;
  return s;
}

bool is_loopback_ipv4(const std::string& ip) {
  in_addr a{};
  if (::inet_pton(AF_INET, ip.c_str(), &a) != 1) return false;
  return (ntohl(a.s_addr) >> 24) == 127;
}

// ---------------------------------------------------------------------------------------------
// Server

HttpServer::~HttpServer() { stop(); }

bool HttpServer::start(const HttpServerOptions& opt, HttpHandler handler, HttpRejectHook reject,
                       std::string& error) {
  if (running_) {
    error = "server already running";
    return false;
  }
  opt_ = opt;
  handler_ = std::move(handler);
  reject_ = std::move(reject);
  in_addr addr{};
  if (::inet_pton(AF_INET, opt.bind_ip.c_str(), &addr) != 1) {
    error = "API address '" + opt.bind_ip + "' is not an IPv4 address";
    return false;
  }
  const bool want_tls = !opt.tls_cert.empty() || !opt.tls_key.empty();
  if (!want_tls && !is_loopback_ipv4(opt.bind_ip)) {
    error = "API address " + opt.bind_ip +
            " is not loopback: plain HTTP is allowed only on 127.0.0.0/8; set api.tls_cert and "
            "api.tls_key";
    return false;
  }
  if (opt.workers == 0) {
    error = "API needs at least one worker";
    return false;
  }
  // A peer that closes early must not kill the process through SIGPIPE (OpenSSL writes with
  // write(2), which cannot take MSG_NOSIGNAL).
  ::signal(SIGPIPE, SIG_IGN);
  if (want_tls) {
    if (opt.tls_cert.empty() || opt.tls_key.empty()) {
      error = "TLS needs both api.tls_cert and api.tls_key";
      return false;
    }
    SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx) {
      error = "TLS: " + ssl_error_text();
      return false;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    if (SSL_CTX_use_certificate_chain_file(ctx, opt.tls_cert.c_str()) != 1) {
      error = "TLS certificate '" + opt.tls_cert + "': " + ssl_error_text();
      SSL_CTX_free(ctx);
      return false;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, opt.tls_key.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1) {
      error = "TLS key '" + opt.tls_key + "': " + ssl_error_text();
      SSL_CTX_free(ctx);
      return false;
    }
    ssl_ctx_ = ctx;
  }
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = std::string("socket: ") + std::strerror(errno);
    return false;
  }
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr = addr;
  sa.sin_port = htons(opt.port);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || ::listen(fd, 128) != 0) {
    error = "cannot listen on " + opt.bind_ip + ":" + std::to_string(opt.port) + ": " +
            std::strerror(errno);
    ::close(fd);
    return false;
  }
  socklen_t len = sizeof sa;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  port_ = ntohs(sa.sin_port);
  listen_fd_ = fd;
  running_ = true;
  for (std::size_t i = 0; i < opt.workers; ++i) workers_.emplace_back([this] { worker_loop(); });
  acceptor_ = std::thread([this] { accept_loop(); });
  return true;
}

void HttpServer::stop() {
  if (!running_.exchange(false)) {
    if (ssl_ctx_) {
      SSL_CTX_free(static_cast<SSL_CTX*>(ssl_ctx_));
      ssl_ctx_ = nullptr;
    }
    return;
  }
  ::shutdown(listen_fd_, SHUT_RDWR);
  {
    std::lock_guard lk(mu_);
    for (int fd : active_) ::shutdown(fd, SHUT_RDWR);
    for (auto& w : waiting_) ::close(w.first);
    waiting_.clear();
  }
  cv_.notify_all();
  if (acceptor_.joinable()) acceptor_.join();
  for (auto& t : workers_) t.join();
  workers_.clear();
  ::close(listen_fd_);
  listen_fd_ = -1;
  if (ssl_ctx_) {
    SSL_CTX_free(static_cast<SSL_CTX*>(ssl_ctx_));
    ssl_ctx_ = nullptr;
  }
}

void HttpServer::pin_thread() const {
  ::pthread_setname_np(::pthread_self(), "ttq-api");
  if (opt_.avoid_cpus.empty()) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::pthread_getaffinity_np(::pthread_self(), sizeof set, &set) != 0) return;
  for (int cpu : opt_.avoid_cpus)
    if (cpu >= 0 && cpu < CPU_SETSIZE) CPU_CLR(static_cast<unsigned>(cpu), &set);
  if (CPU_COUNT(&set) > 0) ::pthread_setaffinity_np(::pthread_self(), sizeof set, &set);
}

void HttpServer::accept_loop() {
  pin_thread();
  while (running_) {
    sockaddr_in peer{};
    socklen_t len = sizeof peer;
    const int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (!running_) break;
      // EMFILE and friends: back off instead of spinning.
      ::usleep(10'000);
      continue;
    }
    char ip[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof ip);
    std::string remote = std::string(ip) + ":" + std::to_string(ntohs(peer.sin_port));
    set_timeouts(fd, opt_.idle_timeout_ms);
    std::unique_lock lk(mu_);
    if (!running_) {
      ::close(fd);
      break;
    }
    if (waiting_.size() >= opt_.max_waiting) {
      lk.unlock();
      if (!ssl_ctx_) {
        HttpResponse r{503, "application/json", error_json("server busy", "busy"), true};
        Conn c{fd, nullptr};
        c.write_all(serialize_response(r, false));
      }
      ::close(fd);
      continue;
    }
    waiting_.emplace_back(fd, std::move(remote));
    lk.unlock();
    cv_.notify_one();
  }
}

void HttpServer::worker_loop() {
  pin_thread();
  while (true) {
    std::pair<int, std::string> job;
    {
      std::unique_lock lk(mu_);
      cv_.wait(lk, [this] { return !running_ || !waiting_.empty(); });
      if (!running_) return;
      job = std::move(waiting_.front());
      waiting_.pop_front();
      active_.push_back(job.first);
    }
    serve(job.first, job.second);
    {
      std::lock_guard lk(mu_);
      std::erase(active_, job.first);
    }
    ::close(job.first);
  }
}

void HttpServer::serve(int fd, const std::string& remote) {
  Conn c{fd, nullptr};
  if (ssl_ctx_) {
    c.ssl = SSL_new(static_cast<SSL_CTX*>(ssl_ctx_));
    if (!c.ssl) return;
    SSL_set_fd(c.ssl, fd);
    if (SSL_accept(c.ssl) != 1) {
      ERR_clear_error();
      SSL_free(c.ssl);
      return;
    }
  }
  std::string buf;
  char chunk[16384];
  bool open = true;
  while (open && running_) {
    HttpRequest req;
    std::size_t head_len = 0;
    std::string why;
    HttpParse p;
    while ((p = parse_request_head(buf, opt_.limits, req, head_len, why)) == HttpParse::kIncomplete) {
      const long n = c.read(chunk, sizeof chunk);
      if (n <= 0) {
        open = false;
        break;
      }
      buf.append(chunk, static_cast<std::size_t>(n));
    }
    if (!open) break;
    if (p != HttpParse::kOk) {
      const int status = p == HttpParse::kTooLarge ? 431 : p == HttpParse::kNotImplemented ? 501
                                                                                           : 400;
      if (reject_) reject_(req, remote, status, why);
      HttpResponse r{status, "application/json", error_json("bad request", "bad_request"), true};
      c.write_all(serialize_response(r, false));
      break;
    }
    if (req.content_length > opt_.limits.max_body) {
      why = "body of " + std::to_string(req.content_length) + " bytes exceeds " +
            std::to_string(opt_.limits.max_body);
      if (reject_) reject_(req, remote, 413, why);
      HttpResponse r{413, "application/json", error_json("body too large", "too_large"), true};
      c.write_all(serialize_response(r, false));
      break;
    }
    while (buf.size() < head_len + req.content_length) {
      const long n = c.read(chunk, sizeof chunk);
      if (n <= 0) {
        open = false;
        break;
      }
      buf.append(chunk, static_cast<std::size_t>(n));
    }
    if (!open) break;
    req.body.assign(buf, head_len, req.content_length);
    buf.erase(0, head_len + req.content_length);
    HttpResponse resp;
    try {
      resp = handler_(req, remote);
    } catch (const std::exception&) {
      resp = HttpResponse{500, "application/json", error_json("internal error", "internal"), true};
    }
    const bool keep = req.keep_alive && !resp.close;
    if (!c.write_all(serialize_response(resp, keep)) || !keep) break;
  }
  if (c.ssl) {
    SSL_shutdown(c.ssl);
    SSL_free(c.ssl);
  }
  ERR_clear_error();
}

// ---------------------------------------------------------------------------------------------
// Client

bool parse_base_url(const std::string& url, bool& tls, std::string& host, std::uint16_t& port,
                    std::string& error) {
  std::string_view u = url;
  if (u.starts_with("http://")) {
    tls = false;
    u.remove_prefix(7);
  } else if (u.starts_with("https://")) {
    tls = true;
    u.remove_prefix(8);
  } else {
    error = "server URL must start with http:// or https:// (got '" + url + "')";
    return false;
  }
  while (!u.empty() && u.back() == '/') u.remove_suffix(1);
  const auto colon = u.rfind(':');
  host = std::string(u.substr(0, colon));
  port = tls ? 443 : 80;
  if (colon != std::string_view::npos) {
    unsigned v = 0;
    const std::string_view ps = u.substr(colon + 1);
    const auto r = std::from_chars(ps.data(), ps.data() + ps.size(), v);
    if (r.ec != std::errc() || r.ptr != ps.data() + ps.size() || v == 0 || v > 65535) {
      error = "bad port in server URL '" + url + "'";
      return false;
    }
    port = static_cast<std::uint16_t>(v);
  }
  if (host.empty() || host.find('/') != std::string::npos) {
    error = "bad host in server URL '" + url + "'";
    return false;
  }
  return true;
}

HttpClient::~HttpClient() {
  close();
  if (ssl_ctx_) SSL_CTX_free(static_cast<SSL_CTX*>(ssl_ctx_));
}

void HttpClient::close() {
  if (ssl_) {
    SSL_shutdown(static_cast<SSL*>(ssl_));
    SSL_free(static_cast<SSL*>(ssl_));
    ssl_ = nullptr;
  }
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buf_.clear();
  ERR_clear_error();
}

bool HttpClient::connect(const Options& opt, std::string& error) {
  close();
  opt_ = opt;
  ::signal(SIGPIPE, SIG_IGN);
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const std::string port = std::to_string(opt.port);
  if (::getaddrinfo(opt.host.c_str(), port.c_str(), &hints, &res) != 0 || !res) {
    error = "cannot resolve '" + opt.host + "'";
    return false;
  }
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || ::connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
    error = "cannot connect to " + opt.host + ":" + port + ": " + std::strerror(errno);
    if (fd >= 0) ::close(fd);
    ::freeaddrinfo(res);
    return false;
  }
  ::freeaddrinfo(res);
  set_timeouts(fd, opt.timeout_ms);
  fd_ = fd;
  if (!opt.tls) return true;
  if (!ssl_ctx_) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) {
      error = "TLS: " + ssl_error_text();
      close();
      return false;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    const int ok = opt.ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx)
                                       : SSL_CTX_load_verify_locations(ctx, opt.ca_file.c_str(),
                                                                       nullptr);
    if (ok != 1) {
      error = "TLS CA file '" + opt.ca_file + "': " + ssl_error_text();
      SSL_CTX_free(ctx);
      close();
      return false;
    }
    ssl_ctx_ = ctx;
  }
  SSL* ssl = SSL_new(static_cast<SSL_CTX*>(ssl_ctx_));
  ssl_ = ssl;
  SSL_set_fd(ssl, fd);
  in_addr a{};
  if (::inet_pton(AF_INET, opt.host.c_str(), &a) == 1) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), opt.host.c_str());
  } else {
    SSL_set_tlsext_host_name(ssl, opt.host.c_str());
    SSL_set1_host(ssl, opt.host.c_str());
  }
  if (SSL_connect(ssl) != 1) {
    const long v = SSL_get_verify_result(ssl);
    error = "TLS handshake with " + opt.host + ":" + port + " failed: " +
            (v != X509_V_OK ? X509_verify_cert_error_string(v) : ssl_error_text());
    close();
    return false;
  }
  return true;
}

bool HttpClient::send_all(std::string_view d) {
  Conn c{fd_, static_cast<SSL*>(ssl_)};
  return c.write_all(d);
}

long HttpClient::recv_some(char* buf, std::size_t n) {
  Conn c{fd_, static_cast<SSL*>(ssl_)};
  return c.read(buf, n);
}

bool HttpClient::read_response(int& status, std::string& body, std::string& error) {
  char chunk[16384];
  std::size_t end;
  while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
    if (buf_.size() > 65536) {
      error = "response head too large";
      close();
      return false;
    }
    const long n = recv_some(chunk, sizeof chunk);
    if (n <= 0) {
      error = "connection closed before a response";
      close();
      return false;
    }
    buf_.append(chunk, static_cast<std::size_t>(n));
  }
  const std::string head = lower(std::string_view(buf_).substr(0, end + 2));
  if (head.size() < 12 || !head.starts_with("http/1.")) {
    error = "not an HTTP response";
    close();
    return false;
  }
  status = std::atoi(head.c_str() + 9);
  std::size_t len = 0;
  const auto cl = head.find("\r\ncontent-length:");
  if (cl != std::string::npos) len = std::strtoul(head.c_str() + cl + 17, nullptr, 10);
  const bool server_closes = head.find("\r\nconnection: close") != std::string::npos;
  const std::size_t total = end + 4 + len;
  while (buf_.size() < total) {
    const long n = recv_some(chunk, sizeof chunk);
    if (n <= 0) {
      error = "connection closed inside a response body";
      close();
      return false;
    }
    buf_.append(chunk, static_cast<std::size_t>(n));
  }
  body.assign(buf_, end + 4, len);
  buf_.erase(0, total);
  if (server_closes) close();
  return true;
}

bool HttpClient::request(std::string_view method, std::string_view target,
                         const std::vector<std::pair<std::string, std::string>>& headers,
                         std::string_view body, int& status, std::string& response_body,
                         std::string& error) {
  if (fd_ < 0 && !connect(opt_, error)) return false;
  std::string req;
  req.reserve(256 + target.size() + body.size());
  req += method;
  req += ' ';
  req += target;
  req += " HTTP/1.1\r\nHost: " + opt_.host + ":" + std::to_string(opt_.port) + "\r\n";
  for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
  if (!body.empty() || method == "PUT" || method == "POST") {
    req += "Content-Type: application/json\r\n";
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n";
  req += body;
  return raw(req, status, response_body, error);
}

bool HttpClient::raw(std::string_view bytes, int& status, std::string& response_body,
                     std::string& error) {
  if (fd_ < 0 && !connect(opt_, error)) return false;
  if (!send_all(bytes)) {
    error = "cannot send the request";
    close();
    return false;
  }
  return read_response(status, response_body, error);
}

}  // namespace ttq::api
