// OpenSSL 3 wrappers for the operator API (docs/api.md). Failures of the library itself (out of
// memory, a missing provider) throw; they are not input errors and never happen per request.
#include "ttq/api/crypto.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <memory>
#include <stdexcept>

namespace ttq::api {

namespace {

struct MacDeleter {
  void operator()(EVP_MAC* m) const { EVP_MAC_free(m); }
};
struct MacCtxDeleter {
  void operator()(EVP_MAC_CTX* c) const { EVP_MAC_CTX_free(c); }
};

// Fetched once: EVP_MAC_fetch walks the provider tables and is not free.
EVP_MAC* hmac_algorithm() {
  static const std::unique_ptr<EVP_MAC, MacDeleter> mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  if (!mac) throw std::runtime_error("OpenSSL: HMAC is not available");
  return mac.get();
}

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Digest sha256(std::string_view data) {
  Digest d{};
  unsigned int n = 0;
  if (EVP_Digest(data.data(), data.size(), d.data(), &n, EVP_sha256(), nullptr) != 1 ||
      n != d.size()) {
    throw std::runtime_error("OpenSSL: SHA-256 failed");
  }
  return d;
}

std::string sha256_hex(std::string_view data) { return to_hex(sha256(data)); }

Digest hmac_sha256(std::span<const std::uint8_t> key, std::string_view data) {
  std::unique_ptr<EVP_MAC_CTX, MacCtxDeleter> ctx(EVP_MAC_CTX_new(hmac_algorithm()));
  if (!ctx) throw std::runtime_error("OpenSSL: EVP_MAC_CTX_new failed");
  char digest_name[] = "SHA256";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
      OSSL_PARAM_construct_end()};
  Digest d{};
  std::size_t n = 0;
  if (EVP_MAC_init(ctx.get(), key.data(), key.size(), params) != 1 ||
      EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(data.data()),
                     data.size()) != 1 ||
      EVP_MAC_final(ctx.get(), d.data(), &n, d.size()) != 1 || n != d.size()) {
    throw std::runtime_error("OpenSSL: HMAC-SHA256 failed");
  }
  return d;
}

void random_bytes(std::span<std::uint8_t> out) {
  if (out.size() > 0x7fffffff || RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
    throw std::runtime_error("OpenSSL: RAND_bytes failed (no entropy?)");
  }
}

bool equal_ct(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

void cleanse(void* p, std::size_t n) {
  if (p && n) OPENSSL_cleanse(p, n);
}

void cleanse(std::string& s) {
  // The whole buffer, not only size(): earlier, longer contents may still sit past the end.
  if (s.capacity()) OPENSSL_cleanse(s.data(), s.capacity());
  s.clear();
}

std::string to_hex(std::span<const std::uint8_t> b) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s(b.size() * 2, '\0');
  for (std::size_t i = 0; i < b.size(); ++i) {
    s[2 * i] = kHex[b[i] >> 4];
    s[2 * i + 1] = kHex[b[i] & 15];
  }
  return s;
}

bool from_hex(std::string_view s, std::span<std::uint8_t> out) {
  if (s.size() != out.size() * 2) return false;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = hex_value(s[2 * i]), lo = hex_value(s[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return true;
}

std::string base64url_encode(std::span<const std::uint8_t> b) {
  std::string s;
  s.reserve((b.size() * 4 + 2) / 3);
  std::size_t i = 0;
  for (; i + 3 <= b.size(); i += 3) {
    const std::uint32_t v = std::uint32_t{b[i]} << 16 | std::uint32_t{b[i + 1]} << 8 | b[i + 2];
    s += kB64[v >> 18 & 63];
    s += kB64[v >> 12 & 63];
    s += kB64[v >> 6 & 63];
    s += kB64[v & 63];
  }
  if (b.size() - i == 1) {
    const std::uint32_t v = std::uint32_t{b[i]} << 16;
    s += kB64[v >> 18 & 63];
    s += kB64[v >> 12 & 63];
  } else if (b.size() - i == 2) {
    const std::uint32_t v = std::uint32_t{b[i]} << 16 | std::uint32_t{b[i + 1]} << 8;
    s += kB64[v >> 18 & 63];
    s += kB64[v >> 12 & 63];
    s += kB64[v >> 6 & 63];
  }
  return s;
}

bool base64url_decode(std::string_view s, std::span<std::uint8_t> out) {
  const std::size_t rem = out.size() % 3;
  const std::size_t want = out.size() / 3 * 4 + (rem == 0 ? 0 : rem + 1);
  if (s.size() != want) return false;
  std::uint32_t acc = 0;
  int bits = 0;
  std::size_t o = 0;
  for (char c : s) {
    const int v = b64_value(c);
    if (v < 0) return false;
    acc = (acc << 6 | static_cast<std::uint32_t>(v)) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = static_cast<std::uint8_t>(acc >> bits);
    }
  }
  // Leftover bits must be zero so each secret has exactly one accepted spelling.
  return (acc & ((1u << bits) - 1)) == 0;
}

}  // namespace ttq::api
