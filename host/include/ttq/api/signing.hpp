// The request-signing recipe of the operator API (docs/api.md, normative): which headers carry
// what, the exact string that is signed, and strict parsing of the header values. Shared by the
// server's authentication and by `ttq ctl`, so both read the same definition.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ttq/api/crypto.hpp"

namespace ttq::api {

inline constexpr std::string_view kHdrKeyId = "TTQ-Key-Id";
inline constexpr std::string_view kHdrTimestamp = "TTQ-Timestamp";
inline constexpr std::string_view kHdrNonce = "TTQ-Nonce";
inline constexpr std::string_view kHdrSignature = "TTQ-Signature";
inline constexpr std::size_t kNonceMin = 16, kNonceMax = 64;
inline constexpr std::size_t kKeyIdMax = 64;

// "TTQ1\n<timestamp>\n<nonce>\n<METHOD>\n<path>\n<query>\n<hex sha256(body)>" (no trailing \n).
// timestamp and nonce exactly as sent in the headers; query without the '?', "" when none.
std::string signed_string(std::string_view timestamp, std::string_view nonce,
                          std::string_view method, std::string_view path, std::string_view query,
                          std::string_view body);

// Lowercase hex HMAC-SHA256 of signed_string(...) under the 32-byte secret.
std::string sign_request(const Secret& secret, std::string_view timestamp, std::string_view nonce,
                         std::string_view method, std::string_view path, std::string_view query,
                         std::string_view body);

// What the four headers say once checked. Which check failed goes to the audit log and server log
// only; the caller is told `unauthorized`.
struct AuthHeaders {
  std::string_view key_id;
  std::string_view timestamp_text;  // as sent: it is what was signed
  std::int64_t timestamp_ms = 0;
  std::string_view nonce;
  Digest signature{};
};

enum class HeaderError : std::uint8_t {
  kNone,
  kMissingKeyId,
  kBadKeyId,  // not 1..64 of [A-Za-z0-9_-]
  kMissingTimestamp,
  kBadTimestamp,  // not 1..15 decimal digits
  kMissingNonce,
  kBadNonce,  // not 16..64 of [A-Za-z0-9_-]
  kMissingSignature,
  kBadSignature,  // not 64 lowercase hex digits
};
const char* to_string(HeaderError e);  // "missing_key_id", "bad_nonce", ...

// Checks the four header values (an empty view = header absent). The views in `out` point into
// the inputs.
HeaderError parse_auth_headers(std::string_view key_id, std::string_view timestamp,
                               std::string_view nonce, std::string_view signature,
                               AuthHeaders& out);

bool valid_token(std::string_view s, std::size_t min_len, std::size_t max_len);  // [A-Za-z0-9_-]

// A fresh nonce: 16 bytes from the CSPRNG, base64url (22 characters).
std::string new_nonce();

}  // namespace ttq::api
