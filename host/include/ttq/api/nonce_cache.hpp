// Replay protection: remembers every (key id, nonce) that authenticated, until the request's
// timestamp leaves the acceptance window (timestamp + window), so a copy of a request is refused
// for exactly as long as it would otherwise be accepted. Bounded: when `capacity` live entries are
// held, a new one is refused (the caller answers 429) rather than an old one forgotten.
// Thread-safe (one mutex).
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <queue>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ttq::api {

class NonceCache {
 public:
  explicit NonceCache(std::size_t capacity) : capacity_(capacity) {}

  enum class Result : std::uint8_t { kFresh, kReplay, kFull };
  // Records (key_id, nonce) until `expires_ms` unless already present (kReplay) or full (kFull).
  Result check_and_insert(std::string_view key_id, std::string_view nonce,
                          std::int64_t expires_ms, std::int64_t now_ms);

  std::size_t size() const;
  std::size_t capacity() const { return capacity_; }

 private:
  void expire_locked(std::int64_t now_ms);

  struct Entry {
    std::int64_t expires_ms;
    std::string key;
    bool operator>(const Entry& o) const { return expires_ms > o.expires_ms; }
  };
  std::size_t capacity_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::int64_t> seen_;  // key -> expires_ms
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> by_expiry_;
};

}  // namespace ttq::api
