// Unit tests of the request-signing recipe (host/src/api/signing.cpp, crypto.cpp). The worked
// example is docs/api.md's; its expected values were computed with the openssl command line
// (printf ... | openssl dgst -sha256 [-mac HMAC -macopt hexkey:...]), not with this code.
#include <catch2/catch.hpp>
#include <string>

#include "ttq/api/crypto.hpp"
#include "ttq/api/signing.hpp"

using namespace ttq::api;

namespace {
Secret example_secret() {
  Secret s{};
  for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<std::uint8_t>(i);
  return s;
}
}  // namespace

TEST_CASE("signing: docs/api.md worked example 1 (PUT with a body), byte for byte", "[api]") {
  const std::string body = R"({"quoter.bid_offset_ticks":2})";
  CHECK(sha256_hex(body) == "f398e5413a3f9f447f2fa509f6ff2f4ea22ce96691d6d91cc8b099ae79efa1c0");
  const std::string s =
      signed_string("1767225600000", "n0nce-Example_0001", "PUT", "/v1/params", "", body);
  CHECK(s ==
        "TTQ1\n1767225600000\nn0nce-Example_0001\nPUT\n/v1/params\n\n"
        "f398e5413a3f9f447f2fa509f6ff2f4ea22ce96691d6d91cc8b099ae79efa1c0");
  CHECK(sign_request(example_secret(), "1767225600000", "n0nce-Example_0001", "PUT", "/v1/params",
                     "", body) ==
        "fcf2015de814d6d22e93f7a9357de278e3a7835bcbd20fd156fcc62dfbb6db42");
  // The secret as the user sees it (base64url, no padding) decodes to the same 32 bytes.
  Secret decoded{};
  REQUIRE(base64url_decode("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", decoded));
  CHECK(decoded == example_secret());
  CHECK(base64url_encode(example_secret()) == "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8");
}

TEST_CASE("signing: docs/api.md worked example 2 (GET with a query, no body)", "[api]") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(signed_string("1767225600000", "AbCdEfGhIjKlMnOp", "GET", "/v1/audit", "since=5", "") ==
        "TTQ1\n1767225600000\nAbCdEfGhIjKlMnOp\nGET\n/v1/audit\nsince=5\n"
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sign_request(example_secret(), "1767225600000", "AbCdEfGhIjKlMnOp", "GET", "/v1/audit",
                     "since=5", "") ==
        "2177e3819416cfe4ee57c67a03cc419326bb0d11f15446455da06132c783d308");
}

TEST_CASE("signing: RFC 4231 HMAC-SHA256 test case 2", "[api]") {
  const std::string key = "Jefe";
  const auto d = hmac_sha256(
      std::span(reinterpret_cast<const std::uint8_t*>(key.data()), key.size()),
      "what do ya want for nothing?");
  CHECK(to_hex(d) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("signing: header values are checked strictly", "[api]") {
  const std::string sig(64, 'a');
  AuthHeaders h;
  CHECK(parse_auth_headers("k_1", "1767225600000", "0123456789abcdef", sig, h) ==
        HeaderError::kNone);
  CHECK(h.timestamp_ms == 1767225600000);
  CHECK(parse_auth_headers("", "1", "0123456789abcdef", sig, h) == HeaderError::kMissingKeyId);
  CHECK(parse_auth_headers("k 1", "1", "0123456789abcdef", sig, h) == HeaderError::kBadKeyId);
  CHECK(parse_auth_headers(std::string(65, 'k'), "1", "0123456789abcdef", sig, h) ==
        HeaderError::kBadKeyId);
  CHECK(parse_auth_headers("k", "", "0123456789abcdef", sig, h) ==
        HeaderError::kMissingTimestamp);
  for (const char* ts : {"-1", "+1", "1.0", "1e3", " 1", "0x10", "1234567890123456"}) {
    CHECK(parse_auth_headers("k", ts, "0123456789abcdef", sig, h) == HeaderError::kBadTimestamp);
  }
  CHECK(parse_auth_headers("k", "1", "", sig, h) == HeaderError::kMissingNonce);
  CHECK(parse_auth_headers("k", "1", "0123456789abcde", sig, h) == HeaderError::kBadNonce);
  CHECK(parse_auth_headers("k", "1", std::string(65, 'n'), sig, h) == HeaderError::kBadNonce);
  CHECK(parse_auth_headers("k", "1", "0123456789abcde!", sig, h) == HeaderError::kBadNonce);
  CHECK(parse_auth_headers("k", "1", std::string(64, 'n'), sig, h) == HeaderError::kNone);
  CHECK(parse_auth_headers("k", "1", "0123456789abcdef", "", h) ==
        HeaderError::kMissingSignature);
  CHECK(parse_auth_headers("k", "1", "0123456789abcdef", std::string(64, 'A'), h) ==
        HeaderError::kBadSignature);  // lowercase hex only
  CHECK(parse_auth_headers("k", "1", "0123456789abcdef", std::string(63, 'a'), h) ==
        HeaderError::kBadSignature);
}

TEST_CASE("signing: base64url decoding is strict", "[api]") {
  Secret s{};
  CHECK_FALSE(base64url_decode("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", s));  // padding
  CHECK_FALSE(base64url_decode("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+", s));  // '+'
  CHECK_FALSE(base64url_decode("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh", s));   // short
  CHECK_FALSE(base64url_decode("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9", s));  // bits
  std::array<std::uint8_t, 5> five{};
  for (int len = 0; len <= 5; ++len) {
    std::array<std::uint8_t, 5> in{250, 1, 2, 253, 254};
    const std::string e = base64url_encode(std::span(in.data(), static_cast<std::size_t>(len)));
    REQUIRE(base64url_decode(e, std::span(five.data(), static_cast<std::size_t>(len))));
    for (int i = 0; i < len; ++i) CHECK(five[static_cast<std::size_t>(i)] == in[static_cast<std::size_t>(i)]);
  }
  CHECK(new_nonce().size() == 22);
  CHECK(valid_token(new_nonce(), kNonceMin, kNonceMax));
  CHECK(new_nonce() != new_nonce());
}
