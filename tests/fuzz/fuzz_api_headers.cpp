// libFuzzer target for the operator API's request parsing (docs/api.md): the HTTP/1.1 request
// head (host/src/api/http.cpp) and the four TTQ-* authentication headers with the signing recipe
// (host/src/api/signing.cpp), plus the secret encoding. Input: raw request bytes as a client
// would send them. Checks the parser's promises, not only "no crash": a parsed head is inside the
// input, path + '?' + query is the target, header names are lower case; parsed auth headers meet
// the recipe's character rules; a signature the harness computes for the parsed fields verifies
// and one bit flipped does not; base64url decoding round-trips canonically.
// TTQ_FUZZ_SEED_DIR=<dir> writes a few valid and invalid requests and exits.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ttq/api/crypto.hpp"
#include "ttq/api/http.hpp"
#include "ttq/api/signing.hpp"

namespace {

using namespace ttq::api;

[[noreturn]] void broken(const char* what) {
  std::fprintf(stderr, "contract broken: %s\n", what);
  std::abort();
}

void write_seeds(const std::string& dir) {
  const char* seeds[] = {
      "GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1:8470\r\nTTQ-Key-Id: k_0123456789abcdef\r\n"
      "TTQ-Timestamp: 1767225600000\r\nTTQ-Nonce: AbCdEfGhIjKlMnOp\r\nTTQ-Signature: "
      "2177e3819416cfe4ee57c67a03cc419326bb0d11f15446455da06132c783d308\r\n\r\n",
      "PUT /v1/params HTTP/1.1\r\nHost: x\r\nContent-Length: 29\r\nTTQ-Key-Id: k\r\n"
      "TTQ-Timestamp: 1767225600000\r\nTTQ-Nonce: n0nce-Example_0001\r\nTTQ-Signature: "
      "fcf2015de814d6d22e93f7a9357de278e3a7835bcbd20fd156fcc62dfbb6db42\r\n\r\n"
      "{\"quoter.bid_offset_ticks\":2}",
      "GET /v1/audit?since=5 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
      "POST /v1/keys HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
      "DELETE /v1/keys/k_1 HTTP/1.1\r\nHost: x\r\nTTQ-Key-Id: a\r\nTTQ-Key-Id: b\r\n\r\n",
  };
  int i = 0;
  for (const char* s : seeds) {
    const std::string path = dir + "/seed-" + std::to_string(i++);
    if (std::FILE* f = std::fopen(path.c_str(), "wb")) {
      std::fwrite(s, 1, std::string_view(s).size(), f);
      std::fclose(f);
    }
  }
}

Secret fixed_secret() {
  Secret s{};
  for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<std::uint8_t>(i * 7 + 1);
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (const char* dir = std::getenv("TTQ_FUZZ_SEED_DIR")) {
    write_seeds(dir);
    std::exit(0);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  HttpLimits lim;
  lim.max_head = 2048;
  lim.max_headers = 16;
  HttpRequest req;
  std::size_t head_len = 0;
  std::string why;
  const HttpParse p = parse_request_head(in, lim, req, head_len, why);
  if (p == HttpParse::kOk) {
    if (head_len > size || head_len > lim.max_head) broken("head beyond input or limit");
    if (req.headers.size() > lim.max_headers) broken("header count over limit");
    const std::string rebuilt = req.query.empty() && req.target.find('?') == std::string::npos
                                    ? req.path
                                    : req.path + "?" + req.query;
    if (rebuilt != req.target) broken("path/query do not rebuild the target");
    for (const auto& [k, v] : req.headers)
      for (char c : k)
        if (c >= 'A' && c <= 'Z') broken("header name not lower-cased");
    int n = 0;
    const std::string_view kid = req.header("ttq-key-id", &n), ts = req.header("ttq-timestamp"),
                           nonce = req.header("ttq-nonce"), sig = req.header("ttq-signature");
    AuthHeaders ah;
    if (parse_auth_headers(kid, ts, nonce, sig, ah) == HeaderError::kNone) {
      if (!valid_token(ah.key_id, 1, kKeyIdMax)) broken("key id accepted with bad characters");
      if (!valid_token(ah.nonce, kNonceMin, kNonceMax)) broken("nonce accepted out of spec");
      if (ah.timestamp_ms < 0) broken("negative timestamp");
      const std::size_t body_len = std::min(req.content_length, size - head_len);
      const std::string_view body = in.substr(head_len, body_len);
      const std::string text =
          signed_string(ah.timestamp_text, ah.nonce, req.method, req.path, req.query, body);
      const Secret s = fixed_secret();
      Digest mac = hmac_sha256(s, text);
      // The harness's own signature verifies; the sent one only if it happens to equal it.
      if (!equal_ct(mac, mac)) broken("equal_ct(x, x) false");
      const bool sent_ok = equal_ct(mac, ah.signature);
      if (sent_ok != (to_hex(mac) == sig)) broken("constant-time compare disagrees with ==");
      mac[static_cast<std::size_t>(size) % mac.size()] ^= 1;
      if (equal_ct(mac, hmac_sha256(s, text))) broken("one flipped bit still verifies");
    }
  } else if (p == HttpParse::kIncomplete) {
    if (size > lim.max_head && in.find("\r\n\r\n") == std::string_view::npos) {
      broken("incomplete beyond the head limit");
    }
  }
  // Secret encoding: strict and canonical.
  Secret s{};
  if (base64url_decode(in, s) && base64url_encode(s) != in) broken("base64url not canonical");
  std::array<std::uint8_t, 8> h{};
  if (from_hex(in, h) && size != 16) broken("hex length");
  return 0;
}
