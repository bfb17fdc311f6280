// Venue: where accepted order intents go after the risk gate (log, simulated exchange, later real
// order entry). LogVenue writes one JSON line per intent, or only counts when it has no file.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>

#include "ttq/risk.hpp"

namespace ttq {

class Venue {
 public:
  virtual ~Venue() = default;
  virtual void send(const OrderIntent& intent) = 0;
};

// One line per intent, fields in this order, integers only (px is the PRICE9 mantissa):
// {"ts":T,"kind":"new","order_id":1,"security_id":S,"slot":N,"level":0,"side":"buy","px":P,"qty":Q}
class LogVenue final : public Venue {
 public:
  explicit LogVenue(std::FILE* out) : out_(out) {}  // not owned; nullptr = count only
  void send(const OrderIntent& intent) override;

  // Formats `intent` as its line (with '\n') into buf; returns the length, or 0 when it does not
  // fit. kLineMax always fits.
  static std::size_t format(const OrderIntent& intent, char* buf, std::size_t size);
  static constexpr std::size_t kLineMax = 256;

  std::uint64_t sent() const { return sent_; }
  std::uint64_t sent(OrderIntent::Kind k) const { return by_kind_[static_cast<std::size_t>(k)]; }
  std::uint64_t write_errors() const { return write_errors_; }

 private:
  std::FILE* out_;
  std::uint64_t sent_ = 0;
  std::array<std::uint64_t, 3> by_kind_{};
  std::uint64_t write_errors_ = 0;
};

}  // namespace ttq
