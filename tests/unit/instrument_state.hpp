// Field-by-field comparison of two instruments' state (book, RptSeq, flags, publication), for
// tests that run the same frames through two FastPaths that must end alike (one pass vs the
// validated way, cut-through vs verdict after an undo).
#pragma once

#include <catch2/catch.hpp>

#include "ttq/fast_path.hpp"

namespace ttq::test {

inline void same_side(const BookSide& x, const BookSide& y) {
  CHECK(x.occupied == y.occupied);
  for (std::uint32_t k = 0; k < kMaxDepth; ++k) {
    INFO("level " << k + 1);
    CHECK(x.level[k].px == y.level[k].px);
    CHECK(x.level[k].sz == y.level[k].sz);
    CHECK(x.level[k].orders == y.level[k].orders);
  }
}

// Everything a packet can change in an instrument.
inline void same_instrument(const Instrument& x, const Instrument& y) {
  INFO("instrument " << x.security_id);
  CHECK(x.security_id == y.security_id);
  same_side(x.book.bids(), y.book.bids());
  same_side(x.book.asks(), y.book.asks());
  same_side(x.book.implied_bids(), y.book.implied_bids());
  same_side(x.book.implied_asks(), y.book.implied_asks());
  CHECK(x.book.top_version() == y.book.top_version());
  CHECK(x.book.complete() == y.book.complete());
  CHECK(x.last_rpt == y.last_rpt);
  CHECK(x.rpt_known == y.rpt_known);
  CHECK(x.stale == y.stale);
  CHECK(x.suspect == y.suspect);
  CHECK(x.halted == y.halted);
  CHECK(x.dirty == y.dirty);
  CHECK(x.last_top == y.last_top);
  CHECK(x.last_sent == y.last_sent);
  CHECK(x.quoted_tob == y.quoted_tob);
  CHECK(x.quoted_pull == y.quoted_pull);
  CHECK(x.quote_inputs_valid == y.quote_inputs_valid);
  CHECK(x.pub_valid == y.pub_valid);
  CHECK(x.pub_state == y.pub_state);
  CHECK(x.pub_tick == y.pub_tick);
  CHECK(x.pub_book == y.pub_book);
}

}  // namespace ttq::test
