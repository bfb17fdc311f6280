// Bounded (key, nonce) memory for replay protection (docs/api.md, "Replay").
#include "ttq/api/nonce_cache.hpp"

namespace ttq::api {

void NonceCache::expire_locked(std::int64_t now_ms) {
  // An entry is needed while now <= expires (the window is inclusive at both ends).
  while (!by_expiry_.empty() && by_expiry_.top().expires_ms < now_ms) {
    seen_.erase(by_expiry_.top().key);
    by_expiry_.pop();
  }
}

NonceCache::Result NonceCache::check_and_insert(std::string_view key_id, std::string_view nonce,
                                                std::int64_t expires_ms, std::int64_t now_ms) {
  std::string key;
  key.reserve(key_id.size() + 1 + nonce.size());
  key += key_id;
  key += '\n';  // never inside a key id or a nonce
  key += nonce;
  std::lock_guard lk(mu_);
  expire_locked(now_ms);
  if (seen_.count(key)) return Result::kReplay;
  if (seen_.size() >= capacity_) return Result::kFull;
  seen_.emplace(key, expires_ms);
  by_expiry_.push(Entry{expires_ms, std::move(key)});
  return Result::kFresh;
}

std::size_t NonceCache::size() const {
  std::lock_guard lk(mu_);
  return seen_.size();
}

}  // namespace ttq::api
