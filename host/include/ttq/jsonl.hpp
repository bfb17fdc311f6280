// JSON-lines formats printed by `ttq decode`, `ttq book` and `--quotes-jsonl` (docs/formats.md).
// Each writer appends one line, newline included, to a caller-provided buffer.
#pragma once

#include <fmt/format.h>

#include <cstdint>

#include "ttq/fast_path.hpp"
#include "ttq/mdp3.hpp"
#include "ttq/quote.hpp"

namespace ttq {

void append_entry_json(fmt::memory_buffer& out, const mdp3::MsgCtx& m, std::uint32_t entry,
                       const mdp3::BookEntry& e);
void append_top_json(fmt::memory_buffer& out, std::uint32_t seq, std::int32_t security_id,
                     const PublishedTop& t);
void append_quote_json(fmt::memory_buffer& out, const QuoteRecord& q);

}  // namespace ttq
