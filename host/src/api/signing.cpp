// Signing recipe and header checks of the operator API (docs/api.md gives the same text).
#include "ttq/api/signing.hpp"

namespace ttq::api {

std::string signed_string(std::string_view timestamp, std::string_view nonce,
                          std::string_view method, std::string_view path, std::string_view query,
                          std::string_view body) {
  std::string s;
  s.reserve(5 + timestamp.size() + nonce.size() + method.size() + path.size() + query.size() +
            64 + 6);
  s += "TTQ1\n";
  s += timestamp;
  s += '\n';
  s += nonce;
  s += '\n';
  for (char c : method) s += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  s += '\n';
  s += path;
  s += '\n';
  s += query;
  s += '\n';
  s += sha256_hex(body);
  return s;
}

std::string sign_request(const Secret& secret, std::string_view timestamp, std::string_view nonce,
                         std::string_view method, std::string_view path, std::string_view query,
                         std::string_view body) {
  return to_hex(hmac_sha256(secret, signed_string(timestamp, nonce, method, path, query, body)));
}

const char* to_string(HeaderError e) {
  switch (e) {
    case HeaderError::kNone: return "none";
    case HeaderError::kMissingKeyId: return "missing_key_id";
    case HeaderError::kBadKeyId: return "bad_key_id";
    case HeaderError::kMissingTimestamp: return "missing_timestamp";
    case HeaderError::kBadTimestamp: return "bad_timestamp";
    case HeaderError::kMissingNonce: return "missing_nonce";
    case HeaderError::kBadNonce: return "bad_nonce";
    case HeaderError::kMissingSignature: return "missing_signature";
    case HeaderError::kBadSignature: return "bad_signature_format";
  }
  return "?";
}

bool valid_token(std::string_view s, std::size_t min_len, std::size_t max_len) {
  if (s.size() < min_len || s.size() > max_len) return false;
  for (char c : s) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::string new_nonce() {
  std::array<std::uint8_t, 16> b{};
  random_bytes(b);
  return base64url_encode(b);
}

HeaderError parse_auth_headers(std::string_view key_id, std::string_view timestamp,
                               std::string_view nonce, std::string_view signature,
                               AuthHeaders& out) {
  if (key_id.empty()) return HeaderError::kMissingKeyId;
  if (!valid_token(key_id, 1, kKeyIdMax)) return HeaderError::kBadKeyId;
  if (timestamp.empty()) return HeaderError::kMissingTimestamp;
  // 15 digits reach the year 33658: no overflow, and no sign, space or exponent to canonicalise.
  if (timestamp.size() > 15) return HeaderError::kBadTimestamp;
  std::int64_t ts = 0;
  for (char c : timestamp) {
    if (c < '0' || c > '9') return HeaderError::kBadTimestamp;
    ts = ts * 10 + (c - '0');
  }
  if (nonce.empty()) return HeaderError::kMissingNonce;
  if (!valid_token(nonce, kNonceMin, kNonceMax)) return HeaderError::kBadNonce;
  if (signature.empty()) return HeaderError::kMissingSignature;
  if (signature.size() != 64) return HeaderError::kBadSignature;
  for (char c : signature) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return HeaderError::kBadSignature;
  }
  out.key_id = key_id;
  out.timestamp_text = timestamp;
  out.timestamp_ms = ts;
  out.nonce = nonce;
  from_hex(signature, out.signature);
  return HeaderError::kNone;
}

}  // namespace ttq::api
