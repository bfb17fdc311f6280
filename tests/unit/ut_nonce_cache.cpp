// Unit tests of the replay memory (host/src/api/nonce_cache.cpp): a nonce is refused while its
// request could still be accepted, forgotten afterwards, and a full cache refuses instead of
// forgetting.
#include <catch2/catch.hpp>

#include "ttq/api/nonce_cache.hpp"

using ttq::api::NonceCache;

TEST_CASE("nonce cache: reuse refused until the entry expires, per key", "[api]") {
  NonceCache c(100);
  CHECK(c.check_and_insert("k1", "nonce-aaaaaaaaaaaa", 1000, 0) == NonceCache::Result::kFresh);
  CHECK(c.check_and_insert("k1", "nonce-aaaaaaaaaaaa", 1000, 500) == NonceCache::Result::kReplay);
  CHECK(c.check_and_insert("k1", "nonce-aaaaaaaaaaaa", 1000, 1000) ==
        NonceCache::Result::kReplay);  // inclusive
  CHECK(c.check_and_insert("k2", "nonce-aaaaaaaaaaaa", 1000, 500) == NonceCache::Result::kFresh);
  CHECK(c.check_and_insert("k1", "nonce-aaaaaaaaaaaa", 2001, 1001) == NonceCache::Result::kFresh);
}

TEST_CASE("nonce cache: full refuses new entries rather than forgetting, frees on expiry",
          "[api]") {
  NonceCache c(3);
  CHECK(c.check_and_insert("k", "a-0000000000000000", 100, 0) == NonceCache::Result::kFresh);
  CHECK(c.check_and_insert("k", "b-0000000000000000", 200, 0) == NonceCache::Result::kFresh);
  CHECK(c.check_and_insert("k", "c-0000000000000000", 300, 0) == NonceCache::Result::kFresh);
  CHECK(c.check_and_insert("k", "d-0000000000000000", 300, 50) == NonceCache::Result::kFull);
  // The old ones are still refused as replays, not forgotten.
  CHECK(c.check_and_insert("k", "a-0000000000000000", 100, 50) == NonceCache::Result::kReplay);
  CHECK(c.size() == 3);
  CHECK(c.check_and_insert("k", "d-0000000000000000", 300, 101) == NonceCache::Result::kFresh);
  CHECK(c.size() == 3);
}
