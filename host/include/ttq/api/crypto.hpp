// The few cryptographic primitives the operator API needs, on OpenSSL 3 (EVP_MAC, EVP_Digest,
// RAND_bytes, CRYPTO_memcmp, OPENSSL_cleanse), plus the text encodings keys and signatures use.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace ttq::api {

using Digest = std::array<std::uint8_t, 32>;  // SHA-256 / HMAC-SHA256 output
using Secret = std::array<std::uint8_t, 32>;  // a key's HMAC key

Digest sha256(std::string_view data);
std::string sha256_hex(std::string_view data);  // lowercase
Digest hmac_sha256(std::span<const std::uint8_t> key, std::string_view data);

// OS CSPRNG (RAND_bytes, seeded from getrandom); throws std::runtime_error if it fails.
void random_bytes(std::span<std::uint8_t> out);

// Constant time in the length of the inputs (CRYPTO_memcmp); false when the sizes differ.
bool equal_ct(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b);
// Overwrites memory in a way the compiler may not elide (OPENSSL_cleanse).
void cleanse(void* p, std::size_t n);
void cleanse(std::string& s);  // the whole capacity, then clears

std::string to_hex(std::span<const std::uint8_t> b);  // lowercase
// Exactly 2*out.size() hex digits (either case) -> bytes; false otherwise.
bool from_hex(std::string_view s, std::span<std::uint8_t> out);

// RFC 4648 section 5 alphabet, no padding.
std::string base64url_encode(std::span<const std::uint8_t> b);
// Strict: only the base64url alphabet, no padding, length exactly what out.size() bytes encode,
// unused trailing bits zero; false otherwise.
bool base64url_decode(std::string_view s, std::span<std::uint8_t> out);

}  // namespace ttq::api
