// API keys: id, scopes, a 32-byte secret, optional expiry, the previous secret during a rotation's
// grace period, revocation. Persisted in a 0600 text file the store refuses to read when group- or
// world-accessible; every change is written (temp file, fsync, rename) before it takes effect.
// Secrets never leave this class except once, as the return value of create/rotate; revocation
// and destruction overwrite them (OPENSSL_cleanse). Thread-safe (one mutex).
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ttq/api/crypto.hpp"

namespace ttq::api {

enum class Scope : std::uint8_t { kRead = 1, kTrade = 2, kRisk = 4, kAdmin = 8 };
using ScopeSet = std::uint8_t;
const char* to_string(Scope s);                         // "read", "trade", "risk", "admin"
std::optional<Scope> parse_scope(std::string_view s);
std::string scopes_to_string(ScopeSet s);               // "read,trade" (fixed order)
// "read,trade,..." (comma-separated, no duplicates, at least one) -> set; nullopt when invalid.
std::optional<ScopeSet> parse_scopes(std::string_view csv);

// What a caller may learn about a key (never the secret).
struct KeyInfo {
  std::string id;
  ScopeSet scopes = 0;
  std::int64_t created_ms = 0;
  std::int64_t expires_ms = 0;  // 0 = never
  std::int64_t rotated_ms = 0;  // 0 = never rotated
  std::int64_t previous_valid_until_ms = 0;  // grace period end of the previous secret, 0 = none
  bool revoked = false;
  std::int64_t revoked_ms = 0;
};

// A secret handed out once; wipes itself when destroyed.
struct IssuedSecret {
  std::string id;
  std::string secret_b64;  // base64url, no padding (43 characters)
  IssuedSecret() = default;
  IssuedSecret(const IssuedSecret&) = delete;
  IssuedSecret& operator=(const IssuedSecret&) = delete;
  IssuedSecret(IssuedSecret&& o) noexcept;
  IssuedSecret& operator=(IssuedSecret&& o) noexcept;
  ~IssuedSecret();
};

enum class VerifyResult : std::uint8_t {
  kOk,            // the current secret matched
  kOkPrevious,    // the previous secret matched, inside its grace period
  kUnknownKey,
  kRevoked,
  kExpired,
  kBadSignature,  // includes: only the previous secret matched but its grace period is over
};
const char* to_string(VerifyResult r);  // "unknown_key", "revoked_key", ...

class KeyStore {
 public:
  // Empty store bound to `path` (nothing read or written yet).
  explicit KeyStore(std::string path);
  ~KeyStore();
  KeyStore(const KeyStore&) = delete;
  KeyStore& operator=(const KeyStore&) = delete;

  // Reads the file; false + why when missing, unreadable, group/world-accessible, or malformed
  // (the message names the line, never a secret).
  bool load(std::string& error);
  // Creates a new file (refuses to overwrite) with one key; false + why on failure.
  static bool init_file(const std::string& path, ScopeSet scopes, std::int64_t now_ms,
                        IssuedSecret& out, std::string& error);

  // Adds a key; persisted before it exists. false + why on an I/O failure.
  bool create(ScopeSet scopes, std::int64_t expires_ms, std::int64_t now_ms, IssuedSecret& out,
              std::string& error);
  enum class ChangeResult : std::uint8_t { kOk, kNotFound, kRevoked, kLastAdmin, kIoError };
  // New secret; the old one stays valid until now + grace_ms (a previous one still in its grace
  // period is dropped and wiped).
  ChangeResult rotate(std::string_view id, std::int64_t now_ms, std::int64_t grace_ms,
                      IssuedSecret& out, std::string& error);
  // Revoked at once, secrets wiped; the id stays (listed as revoked, never reused). Refuses to
  // revoke the last usable admin key (kLastAdmin).
  ChangeResult revoke(std::string_view id, std::int64_t now_ms, std::string& error);

  // HMAC-SHA256 of `signed_text` under the key's secret(s), compared in constant time.
  VerifyResult verify(std::string_view id, std::string_view signed_text, const Digest& signature,
                      std::int64_t now_ms, ScopeSet& scopes_out) const;

  std::vector<KeyInfo> list() const;
  std::size_t size() const;
  const std::string& path() const { return path_; }
  static bool valid_key_id(std::string_view id);  // 1..64 of [A-Za-z0-9_-]

 private:
  struct Key;
  bool persist_locked(const std::vector<Key*>& extra, std::string& error) const;
  Key* find_locked(std::string_view id);
  std::size_t usable_admins_locked(std::int64_t now_ms) const;

  std::string path_;
  mutable std::mutex mu_;
  std::vector<Key*> keys_;  // owned; raw so a Key never moves (no stray copies of secrets)
};

// A fresh key id: "k_" + 16 lowercase hex digits from the CSPRNG.
std::string new_key_id();

// base64url (43 characters, no padding) -> the 32-byte HMAC key; false when malformed.
bool decode_secret(std::string_view b64, Secret& secret);

}  // namespace ttq::api
