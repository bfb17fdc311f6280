// LogVenue: the venue of replay and demo runs. One JSON line per accepted intent, written with a
// stack buffer and fwrite so the per-intent path never allocates.

#include <cinttypes>
#include <cstdio>

#include "ttq/venue.hpp"

namespace ttq {

std::size_t LogVenue::format(const OrderIntent& in, char* buf, std::size_t size) {
  const int n = std::snprintf(
      buf, size,
      "{\"ts\":%" PRIu64 ",\"kind\":\"%s\",\"order_id\":%" PRIu64 ",\"security_id\":%" PRId32
      ",\"slot\":%u,\"level\":%u,\"side\":\"%s\",\"px\":%" PRId64 ",\"qty\":%" PRId32 "}\n",
      in.ts_ns, to_string(in.kind), in.order_id, in.security_id, static_cast<unsigned>(in.slot),
      static_cast<unsigned>(in.level), to_string(in.side), in.px, in.qty);
  if (n < 0 || static_cast<std::size_t>(n) >= size) return 0;
  return static_cast<std::size_t>(n);
}

void LogVenue::send(const OrderIntent& intent) {
  ++sent_;
  const auto k = static_cast<std::size_t>(intent.kind);
  if (k < by_kind_.size()) ++by_kind_[k];
  if (out_ == nullptr) return;
  char line[kLineMax];
  const std::size_t n = format(intent, line, sizeof line);
  if (n == 0 || std::fwrite(line, 1, n, out_) != n) ++write_errors_;
}

}  // namespace ttq
