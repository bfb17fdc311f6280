// Hash-chained JSON-lines audit log. A record line is
//   {"seq":N,"time_ms":...,...,"prev":"<hash of record N-1>","hash":"<H>"}
// where H = SHA-256 (lowercase hex) of the line's bytes before `,"hash":`. verify checks, in
// order, that every line is such an object, that H matches, that seq counts up by one and that
// prev names the record before it.
#include "ttq/api/audit_log.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "ttq/api/crypto.hpp"

namespace ttq::api {

namespace {

constexpr std::string_view kHashKey = ",\"hash\":\"";

bool read_all(const std::string& path, std::string& text, std::string& error) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = "cannot open '" + path + "': " + std::strerror(errno);
    return false;
  }
  char buf[65536];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = "cannot read '" + path + "': " + std::strerror(errno);
      ::close(fd);
      return false;
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return true;
}

bool is_hex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"') {
      out += "\\\"";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c < 0x20 || c > 0x7e) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += ch;
    }
  }
  out += '"';
}

AuditLog::~AuditLog() {
  if (fd_ >= 0) ::close(fd_);
}

bool AuditLog::open(const std::string& path, std::string& error) {
  std::lock_guard lk(mu_);
  const int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    error = "cannot open audit log '" + path + "': " + std::strerror(errno);
    return false;
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    error = "audit log '" + path + "' is in use by another process";
    ::close(fd);
    return false;
  }
  std::string text;
  if (!read_all(path, text, error)) {
    ::close(fd);
    return false;
  }
  const AuditVerifyResult v = verify_audit_text(text);
  if (!v.ok) {
    error = "audit log '" + path + "' does not verify (line " + std::to_string(v.bad_line) +
            ": " + v.why + "); refusing to append to it";
    ::close(fd);
    return false;
  }
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
  path_ = path;
  seq_ = v.records;
  head_ = v.head;
  return true;
}

bool AuditLog::append(const AuditRecord& r, std::string& error) {
  std::lock_guard lk(mu_);
  if (fd_ < 0) {
    error = "audit log not open";
    return false;
  }
  std::string line;
  line.reserve(512 + r.path.size() + r.query.size() + r.reason.size());
  line += "{\"seq\":" + std::to_string(seq_ + 1);
  line += ",\"time_ms\":" + std::to_string(r.time_ms);
  auto field = [&](const char* name, std::string_view v) {
    line += ",\"";
    line += name;
    line += "\":";
    append_json_string(line, v);
  };
  field("key_id", r.key_id);
  field("remote", r.remote);
  field("method", r.method);
  field("path", r.path);
  field("query", r.query);
  field("nonce", r.nonce);
  field("body_sha256", r.body_sha256);
  line += ",\"status\":" + std::to_string(r.status);
  field("outcome", r.outcome);
  field("reason", r.reason);
  field("prev", head_);
  const std::string hash = sha256_hex(line);
  line += kHashKey;
  line += hash;
  line += "\"}\n";
  std::size_t off = 0;
  while (off < line.size()) {
    const ssize_t n = ::write(fd_, line.data() + off, line.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error = "cannot write audit log '" + path_ + "': " + std::strerror(errno);
      return false;
    }
    off += static_cast<std::size_t>(n);
  }
  // No stdio buffer sits in between (write(2) straight to the file); fsync puts it on disk.
  if (::fsync(fd_) != 0) {
    error = "cannot fsync audit log '" + path_ + "': " + std::strerror(errno);
    return false;
  }
  ++seq_;
  head_ = hash;
  return true;
}

std::uint64_t AuditLog::last_seq() const {
  std::lock_guard lk(mu_);
  return seq_;
}

std::string AuditLog::head_hash() const {
  std::lock_guard lk(mu_);
  return head_.empty() ? std::string(kZeroHash) : head_;
}

bool AuditLog::read_since(std::uint64_t since, std::size_t max, std::vector<std::string>& lines,
                          bool& more, std::string& error) const {
  std::string path;
  {
    std::lock_guard lk(mu_);
    path = path_;
  }
  std::string text;
  if (!read_all(path, text, error)) return false;
  more = false;
  std::uint64_t seq = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    const auto nl = text.find('\n', pos);
    if (nl == std::string::npos) break;  // a record being written
    ++seq;  // verified at open and appended only here: line n holds seq n
    if (seq >= since) {
      if (lines.size() == max) {
        more = true;
        break;
      }
      lines.emplace_back(text, pos, nl - pos);
    }
    pos = nl + 1;
  }
  return true;
}

AuditVerifyResult verify_audit_text(std::string_view text) {
  AuditVerifyResult res;
  std::string prev(kZeroHash);
  std::uint64_t line_no = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    const auto nl = text.find('\n', pos);
    ++line_no;
    auto bad = [&](std::string why) {
      res.ok = false;
      res.bad_line = line_no;
      res.why = std::move(why);
      res.head = prev;
      return res;
    };
    if (nl == std::string::npos) return bad("last line is not terminated (truncated write?)");
    const std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    const auto hk = line.rfind(kHashKey);
    if (hk == std::string_view::npos || line.size() != hk + kHashKey.size() + 64 + 2 ||
        line.substr(line.size() - 2) != "\"}") {
      return bad("not a record (no trailing \"hash\" field)");
    }
    const std::string_view body = line.substr(0, hk);
    const std::string_view hash = line.substr(hk + kHashKey.size(), 64);
    if (!is_hex64(hash)) return bad("\"hash\" is not 64 lowercase hex digits");
    if (sha256_hex(body) != hash) return bad("record edited: its hash does not match its content");
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception&) {
      return bad("not valid JSON");
    }
    if (!j.is_object() || !j.contains("seq") || !j["seq"].is_number_unsigned() ||
        !j.contains("prev") || !j["prev"].is_string()) {
      return bad("missing \"seq\" or \"prev\"");
    }
    const auto seq = j["seq"].get<std::uint64_t>();
    if (j["prev"].get<std::string>() != prev) {
      return bad(res.records == 0
                     ? "\"prev\" is not the chain's start: records before it were removed"
                     : "\"prev\" does not match the record before it (record " +
                           std::to_string(res.records) + "): a record was removed, inserted or "
                           "reordered here");
    }
    if (seq != res.records + 1) {
      return bad("\"seq\" is " + std::to_string(seq) + ", expected " +
                 std::to_string(res.records + 1));
    }
    ++res.records;
    prev = std::string(hash);
  }
  res.ok = true;
  res.head = prev;
  return res;
}

AuditVerifyResult verify_audit_file(const std::string& path) {
  std::string text, error;
  if (!read_all(path, text, error)) {
    AuditVerifyResult r;
    r.why = error;
    return r;
  }
  return verify_audit_text(text);
}

}  // namespace ttq::api
