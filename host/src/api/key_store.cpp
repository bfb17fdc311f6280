// API key store (docs/api.md, "Keys"). File format, one record per line:
//   ttq-keys 1
//   key <id> scopes=<csv> created=<ms> expires=<ms> rotated=<ms> secret=<b64url>
//       [prev=<b64url> prev_until=<ms>]                    (one line in the file)
//   revoked <id> scopes=<csv> created=<ms> revoked=<ms>
// Lines starting with '#' and blank lines are ignored. Parsed by hand so that every buffer that
// held a secret can be wiped.
#include "ttq/api/key_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <memory>

namespace ttq::api {

namespace {

constexpr Scope kAllScopes[] = {Scope::kRead, Scope::kTrade, Scope::kRisk, Scope::kAdmin};

std::string errno_text() { return std::strerror(errno); }

bool parse_i64(std::string_view s, std::int64_t& out) {
  if (s.empty()) return false;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size() && out >= 0;
}

// Writes all of `data` to a new file (O_EXCL, 0600) and fsyncs it.
bool write_new_file(const std::string& path, const std::string& data, std::string& error) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    error = "cannot create '" + path + "': " + errno_text();
    return false;
  }
  std::size_t off = 0;
  while (off < data.size()) {
    const ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error = "cannot write '" + path + "': " + errno_text();
      ::close(fd);
      ::unlink(path.c_str());
      return false;
    }
    off += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    error = "cannot fsync '" + path + "': " + errno_text();
    ::close(fd);
    ::unlink(path.c_str());
    return false;
  }
  ::close(fd);
  return true;
}

void fsync_dir_of(const std::string& path) {
  const auto slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

const char* to_string(Scope s) {
  switch (s) {
    case Scope::kRead: return "read";
    case Scope::kTrade: return "trade";
    case Scope::kRisk: return "risk";
    case Scope::kAdmin: return "admin";
  }
  return "?";
}

std::optional<Scope> parse_scope(std::string_view s) {
  for (Scope sc : kAllScopes)
    if (s == to_string(sc)) return sc;
  return std::nullopt;
}

std::string scopes_to_string(ScopeSet set) {
  std::string s;
  for (Scope sc : kAllScopes) {
    if (!(set & static_cast<ScopeSet>(sc))) continue;
    if (!s.empty()) s += ',';
    s += to_string(sc);
  }
  return s;
}

std::optional<ScopeSet> parse_scopes(std::string_view csv) {
  ScopeSet set = 0;
  while (true) {
    const auto comma = csv.find(',');
    const std::string_view part = csv.substr(0, comma);
    const auto sc = parse_scope(part);
    if (!sc || (set & static_cast<ScopeSet>(*sc))) return std::nullopt;
    set = static_cast<ScopeSet>(set | static_cast<ScopeSet>(*sc));
    if (comma == std::string_view::npos) break;
    csv.remove_prefix(comma + 1);
  }
  return set;
}

const char* to_string(VerifyResult r) {
  switch (r) {
    case VerifyResult::kOk: return "ok";
    case VerifyResult::kOkPrevious: return "ok_previous_secret";
    case VerifyResult::kUnknownKey: return "unknown_key";
    case VerifyResult::kRevoked: return "revoked_key";
    case VerifyResult::kExpired: return "expired_key";
    case VerifyResult::kBadSignature: return "bad_signature";
  }
  return "?";
}

IssuedSecret::IssuedSecret(IssuedSecret&& o) noexcept
    : id(std::move(o.id)), secret_b64(std::move(o.secret_b64)) {
  cleanse(o.secret_b64);
}
IssuedSecret& IssuedSecret::operator=(IssuedSecret&& o) noexcept {
  if (this != &o) {
    cleanse(secret_b64);
    id = std::move(o.id);
    secret_b64 = std::move(o.secret_b64);
    cleanse(o.secret_b64);
  }
  return *this;
}
IssuedSecret::~IssuedSecret() { cleanse(secret_b64); }

std::string new_key_id() {
  std::array<std::uint8_t, 8> b{};
  random_bytes(b);
  return "k_" + to_hex(b);
}

bool decode_secret(std::string_view b64, Secret& secret) { return base64url_decode(b64, secret); }

struct KeyStore::Key {
  KeyInfo info;
  Secret secret{};
  bool has_prev = false;
  Secret prev{};
  Key() = default;
  Key(const Key&) = delete;
  Key& operator=(const Key&) = delete;
  ~Key() { wipe(); }
  void wipe() {
    cleanse(secret.data(), secret.size());
    cleanse(prev.data(), prev.size());
    has_prev = false;
  }
  bool usable_admin(std::int64_t now_ms) const {
    return !info.revoked && (info.scopes & static_cast<ScopeSet>(Scope::kAdmin)) &&
           (info.expires_ms == 0 || now_ms < info.expires_ms);
  }
};

namespace {

// Appends one record line; the caller wipes `out` when done.
void append_key_line(std::string& out, const KeyInfo& info, const Secret* secret,
                     const Secret* prev) {
  out += info.revoked ? "revoked " : "key ";
  out += info.id;
  out += " scopes=" + scopes_to_string(info.scopes);
  out += " created=" + std::to_string(info.created_ms);
  if (info.revoked) {
    out += " revoked=" + std::to_string(info.revoked_ms);
  } else {
    out += " expires=" + std::to_string(info.expires_ms);
    out += " rotated=" + std::to_string(info.rotated_ms);
    std::string b = base64url_encode(*secret);
    out += " secret=" + b;
    cleanse(b);
    if (prev) {
      b = base64url_encode(*prev);
      out += " prev=" + b;
      cleanse(b);
      out += " prev_until=" + std::to_string(info.previous_valid_until_ms);
    }
  }
  out += '\n';
}

constexpr char kFileHeader[] =
    "# ttq API keys (docs/api.md). Holds secrets: keep it mode 0600, never share or commit it.\n"
    "ttq-keys 1\n";

}  // namespace

KeyStore::KeyStore(std::string path) : path_(std::move(path)) {}

KeyStore::~KeyStore() {
  for (Key* k : keys_) delete k;
}

std::size_t KeyStore::size() const {
  std::lock_guard lk(mu_);
  return keys_.size();
}

bool KeyStore::load(std::string& error) {
  const int fd = ::open(path_.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    error = "cannot open key file '" + path_ + "': " + errno_text();
    return false;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    error = "key file '" + path_ + "' is not a regular file";
    return false;
  }
  // Checked on the opened descriptor, so the file read is the file checked.
  if (st.st_mode & (S_IRWXG | S_IRWXO)) {
    ::close(fd);
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    error = "key file '" + path_ + "' is accessible by group or others (mode " + mode +
            "); refusing to read it: chmod 600 '" + path_ + "'";
    return false;
  }
  if (st.st_uid != ::geteuid()) {
    ::close(fd);
    error = "key file '" + path_ + "' is not owned by the user running ttq; refusing to read it";
    return false;
  }
  std::string text;
  char buf[4096];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = "cannot read key file '" + path_ + "': " + errno_text();
      ::close(fd);
      cleanse(buf, sizeof buf);
      cleanse(text);
      return false;
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > (16u << 20)) break;
  }
  ::close(fd);
  cleanse(buf, sizeof buf);

  std::vector<Key*> parsed;
  auto fail = [&](std::size_t line, const std::string& why) {
    for (Key* k : parsed) delete k;
    cleanse(text);
    error = "key file '" + path_ + "' line " + std::to_string(line) + ": " + why;
    return false;
  };
  std::size_t line_no = 0, pos = 0;
  bool header = false;
  while (pos < text.size()) {
    const auto nl = text.find('\n', pos);
    const std::string_view line(text.data() + pos,
                                (nl == std::string::npos ? text.size() : nl) - pos);
    pos = nl == std::string::npos ? text.size() : nl + 1;
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string_view> tok;
    for (std::size_t i = 0; i < line.size();) {
      const auto sp = line.find(' ', i);
      const auto end = sp == std::string_view::npos ? line.size() : sp;
      if (end > i) tok.push_back(line.substr(i, end - i));
      i = end + 1;
    }
    if (!header) {
      if (tok.size() != 2 || tok[0] != "ttq-keys" || tok[1] != "1") {
        return fail(line_no, "expected the header 'ttq-keys 1'");
      }
      header = true;
      continue;
    }
    if (tok.size() < 2 || (tok[0] != "key" && tok[0] != "revoked")) {
      return fail(line_no, "expected 'key <id> ...' or 'revoked <id> ...'");
    }
    auto k = std::make_unique<Key>();
    k->info.revoked = tok[0] == "revoked";
    if (!valid_key_id(tok[1])) return fail(line_no, "bad key id");
    k->info.id = std::string(tok[1]);
    for (const Key* other : parsed)
      if (other->info.id == k->info.id) return fail(line_no, "duplicate key id " + k->info.id);
    bool have_secret = false, have_prev = false, have_prev_until = false, have_scopes = false;
    for (std::size_t i = 2; i < tok.size(); ++i) {
      const auto eq = tok[i].find('=');
      if (eq == std::string_view::npos) return fail(line_no, "expected name=value");
      const std::string_view name = tok[i].substr(0, eq), value = tok[i].substr(eq + 1);
      bool ok = true;
      if (name == "scopes") {
        const auto s = parse_scopes(value);
        ok = s.has_value();
        if (ok) k->info.scopes = *s;
        have_scopes = ok;
      } else if (name == "created") {
        ok = parse_i64(value, k->info.created_ms);
      } else if (name == "expires" && !k->info.revoked) {
        ok = parse_i64(value, k->info.expires_ms);
      } else if (name == "rotated" && !k->info.revoked) {
        ok = parse_i64(value, k->info.rotated_ms);
      } else if (name == "revoked" && k->info.revoked) {
        ok = parse_i64(value, k->info.revoked_ms);
      } else if (name == "secret" && !k->info.revoked) {
        ok = decode_secret(value, k->secret);
        have_secret = ok;
      } else if (name == "prev" && !k->info.revoked) {
        ok = decode_secret(value, k->prev);
        have_prev = ok;
      } else if (name == "prev_until" && !k->info.revoked) {
        ok = parse_i64(value, k->info.previous_valid_until_ms);
        have_prev_until = ok;
      } else {
        return fail(line_no, "unknown field '" + std::string(name) + "'");
      }
      // The value is never echoed: it may be a secret.
      if (!ok) return fail(line_no, "bad value for '" + std::string(name) + "'");
    }
    if (!have_scopes) return fail(line_no, "missing scopes=");
    if (!k->info.revoked && !have_secret) return fail(line_no, "missing secret=");
    if (have_prev != have_prev_until) return fail(line_no, "prev= and prev_until= go together");
    k->has_prev = have_prev;
    parsed.push_back(k.release());
  }
  cleanse(text);
  if (!header) {
    for (Key* k : parsed) delete k;
    error = "key file '" + path_ + "' is empty (expected the header 'ttq-keys 1')";
    return false;
  }
  std::lock_guard lk(mu_);
  for (Key* k : keys_) delete k;
  keys_ = std::move(parsed);
  return true;
}

bool KeyStore::valid_key_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

bool KeyStore::init_file(const std::string& path, ScopeSet scopes, std::int64_t now_ms,
                         IssuedSecret& out, std::string& error) {
  Key k;
  k.info.id = new_key_id();
  k.info.scopes = scopes;
  k.info.created_ms = now_ms;
  random_bytes(k.secret);
  std::string text = kFileHeader;
  append_key_line(text, k.info, &k.secret, nullptr);
  const bool ok = write_new_file(path, text, error);
  cleanse(text);
  if (!ok) return false;
  fsync_dir_of(path);
  out.id = k.info.id;
  out.secret_b64 = base64url_encode(k.secret);
  return true;
}

bool KeyStore::persist_locked(const std::vector<Key*>& extra, std::string& error) const {
  std::string text = kFileHeader;
  auto add = [&](const Key* k) {
    append_key_line(text, k->info, &k->secret, k->has_prev ? &k->prev : nullptr);
  };
  for (const Key* k : keys_) add(k);
  for (const Key* k : extra) add(k);
  const std::string tmp = path_ + ".tmp";
  ::unlink(tmp.c_str());  // a leftover of a crash between create and rename
  bool ok = write_new_file(tmp, text, error);
  cleanse(text);
  if (!ok) return false;
  if (::rename(tmp.c_str(), path_.c_str()) != 0) {
    error = "cannot replace key file '" + path_ + "': " + errno_text();
    ::unlink(tmp.c_str());
    return false;
  }
  fsync_dir_of(path_);
  return true;
}

KeyStore::Key* KeyStore::find_locked(std::string_view id) {
  for (Key* k : keys_)
    if (k->info.id == id) return k;
  return nullptr;
}

std::size_t KeyStore::usable_admins_locked(std::int64_t now_ms) const {
  std::size_t n = 0;
  for (const Key* k : keys_) n += k->usable_admin(now_ms) ? 1 : 0;
  return n;
}

bool KeyStore::create(ScopeSet scopes, std::int64_t expires_ms, std::int64_t now_ms,
                      IssuedSecret& out, std::string& error) {
  auto k = std::make_unique<Key>();
  k->info.scopes = scopes;
  k->info.created_ms = now_ms;
  k->info.expires_ms = expires_ms;
  random_bytes(k->secret);
  std::lock_guard lk(mu_);
  do {
    k->info.id = new_key_id();
  } while (find_locked(k->info.id));
  if (!persist_locked({k.get()}, error)) return false;
  out.id = k->info.id;
  out.secret_b64 = base64url_encode(k->secret);
  keys_.push_back(k.release());
  return true;
}

KeyStore::ChangeResult KeyStore::rotate(std::string_view id, std::int64_t now_ms,
                                        std::int64_t grace_ms, IssuedSecret& out,
                                        std::string& error) {
  std::lock_guard lk(mu_);
  Key* k = find_locked(id);
  if (!k) return ChangeResult::kNotFound;
  if (k->info.revoked) return ChangeResult::kRevoked;
  // Prepare the new state aside; the live key changes only once the file holds it.
  Secret fresh{};
  random_bytes(fresh);
  Key next;
  next.info = k->info;
  next.info.rotated_ms = now_ms;
  next.prev = k->secret;
  next.has_prev = grace_ms > 0;
  next.info.previous_valid_until_ms = grace_ms > 0 ? now_ms + grace_ms : 0;
  next.secret = fresh;
  cleanse(fresh.data(), fresh.size());
  // Persist with `next` in place of `k`.
  std::vector<Key*> saved = keys_;
  std::replace(keys_.begin(), keys_.end(), k, &next);
  const bool ok = persist_locked({}, error);
  keys_ = std::move(saved);
  if (!ok) return ChangeResult::kIoError;
  k->wipe();
  k->info = next.info;
  k->secret = next.secret;
  k->prev = next.prev;
  k->has_prev = next.has_prev;
  if (!k->has_prev) cleanse(k->prev.data(), k->prev.size());
  out.id = k->info.id;
  out.secret_b64 = base64url_encode(k->secret);
  return ChangeResult::kOk;  // `next` wipes itself
}

KeyStore::ChangeResult KeyStore::revoke(std::string_view id, std::int64_t now_ms,
                                        std::string& error) {
  std::lock_guard lk(mu_);
  Key* k = find_locked(id);
  if (!k) return ChangeResult::kNotFound;
  if (k->info.revoked) return ChangeResult::kRevoked;
  if (k->usable_admin(now_ms) && usable_admins_locked(now_ms) == 1) {
    return ChangeResult::kLastAdmin;
  }
  const KeyInfo before = k->info;
  k->info.revoked = true;
  k->info.revoked_ms = now_ms;
  if (!persist_locked({}, error)) {
    k->info = before;
    return ChangeResult::kIoError;
  }
  k->wipe();
  k->info.previous_valid_until_ms = 0;
  return ChangeResult::kOk;
}

VerifyResult KeyStore::verify(std::string_view id, std::string_view signed_text,
                              const Digest& signature, std::int64_t now_ms,
                              ScopeSet& scopes_out) const {
  std::lock_guard lk(mu_);
  Key* k = nullptr;  // the pointees are not const: an expired previous secret is wiped below
  for (Key* c : keys_)
    if (c->info.id == id) k = c;
  if (!k) return VerifyResult::kUnknownKey;
  if (k->info.revoked) return VerifyResult::kRevoked;
  if (k->info.expires_ms != 0 && now_ms >= k->info.expires_ms) return VerifyResult::kExpired;
  Digest mac = hmac_sha256(k->secret, signed_text);
  VerifyResult r = VerifyResult::kBadSignature;
  if (equal_ct(mac, signature)) {
    r = VerifyResult::kOk;
  } else if (k->has_prev && now_ms < k->info.previous_valid_until_ms) {
    mac = hmac_sha256(k->prev, signed_text);
    if (equal_ct(mac, signature)) r = VerifyResult::kOkPrevious;
  }
  if (k->has_prev && now_ms >= k->info.previous_valid_until_ms) {
    // Grace period over: the old secret is never needed again.
    cleanse(k->prev.data(), k->prev.size());
    k->has_prev = false;
  }
  cleanse(mac.data(), mac.size());
  if (r == VerifyResult::kOk || r == VerifyResult::kOkPrevious) scopes_out = k->info.scopes;
  return r;
}

std::vector<KeyInfo> KeyStore::list() const {
  std::lock_guard lk(mu_);
  std::vector<KeyInfo> v;
  v.reserve(keys_.size());
  for (const Key* k : keys_) v.push_back(k->info);
  return v;
}

}  // namespace ttq::api
