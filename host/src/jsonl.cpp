// JSON-lines writers: fixed key order, no spaces, integers only (byte-identical across backends).
#include "ttq/jsonl.hpp"

#include <iterator>

namespace ttq {

namespace {

void int_or_null(fmt::memory_buffer& out, bool null, std::int64_t v) {
  if (null) {
    fmt::format_to(std::back_inserter(out), "null");
  } else {
    fmt::format_to(std::back_inserter(out), "{}", v);
  }
}

}  // namespace

void append_entry_json(fmt::memory_buffer& out, const mdp3::MsgCtx& m, std::uint32_t entry,
                       const mdp3::BookEntry& e) {
  auto it = std::back_inserter(out);
  fmt::format_to(it, "{{\"seq\":{},\"msg\":{},\"entry\":{},\"template\":{},\"security_id\":{},"
                     "\"rpt_seq\":{},\"price\":",
                 m.seq, m.index, entry, m.template_id, e.security_id, e.rpt_seq);
  int_or_null(out, e.price == mdp3::kNullPrice, e.price);
  fmt::format_to(it, ",\"price_exp\":{},\"size\":", mdp3::price_exponent(m.template_id));
  int_or_null(out, e.size == mdp3::kNullInt32, e.size);
  fmt::format_to(it, ",\"orders\":");
  int_or_null(out, e.orders == mdp3::kNullInt32, e.orders);
  const char type[2] = {e.type, 0};
  fmt::format_to(it, ",\"level\":{},\"action\":{},\"type\":\"{}\"}}\n", e.level, e.action,
                 (e.type >= 0x20 && e.type < 0x7f) ? type : "?");
}

void append_top_json(fmt::memory_buffer& out, std::uint32_t seq, std::int32_t security_id,
                     const PublishedTop& t) {
  auto it = std::back_inserter(out);
  fmt::format_to(it, "{{\"seq\":{},\"security_id\":{},\"bid_px\":", seq, security_id);
  int_or_null(out, !t.bid, t.tob.bid_px);
  fmt::format_to(it, ",\"bid_sz\":");
  int_or_null(out, !t.bid, t.tob.bid_sz);
  fmt::format_to(it, ",\"ask_px\":");
  int_or_null(out, !t.ask, t.tob.ask_px);
  fmt::format_to(it, ",\"ask_sz\":");
  int_or_null(out, !t.ask, t.tob.ask_sz);
  fmt::format_to(it, ",\"stale\":{}}}\n", t.stale ? "true" : "false");
}

void append_quote_json(fmt::memory_buffer& out, const QuoteRecord& q) {
  fmt::format_to(std::back_inserter(out),
                 "{{\"seq\":{},\"security_id\":{},\"level\":{},\"bid_px\":{},\"bid_sz\":{},"
                 "\"ask_px\":{},\"ask_sz\":{},\"flags\":{}}}\n",
                 q.seq, q.security_id, q.level, q.bid_px, q.bid_sz, q.ask_px, q.ask_sz, q.flags);
}

}  // namespace ttq
