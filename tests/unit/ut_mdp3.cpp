// Decoder tests: the spec's worked example byte for byte, schema evolution, and every malformed
// case with its reason.
#include <catch2/catch.hpp>

#include <vector>

#include "test_support.hpp"
#include "ttq/mdp3.hpp"

using namespace ttq;
using namespace ttq::mdp3;
using test::Bytes;

namespace {

// Records everything the decoder reports.
struct Recorder {
  std::vector<MsgCtx> messages;
  std::vector<std::pair<std::uint32_t, BookEntry>> entries;
  std::vector<SeqEntry> seqs;
  std::vector<TradeEntry> trades;
  std::vector<Definition> defs;
  std::vector<SecurityStatus> statuses;
  std::vector<SnapshotHeader> snaps;
  std::vector<SnapshotEntry> snap_entries;
  int resets = 0;
  std::vector<std::uint8_t> ends;
  void on_message(const MsgCtx& m) { messages.push_back(m); }
  void on_message_end(const MsgCtx& m) { ends.push_back(m.mei); }
  void on_book_entry(const MsgCtx&, std::uint32_t i, const BookEntry& e) { entries.emplace_back(i, e); }
  void on_trade(const MsgCtx&, const TradeEntry& t) { trades.push_back(t); }
  void on_seq_entry(const MsgCtx&, const SeqEntry& s) { seqs.push_back(s); }
  void on_channel_reset(const MsgCtx&) { ++resets; }
  void on_security_status(const MsgCtx&, const SecurityStatus& s) { statuses.push_back(s); }
  void on_snapshot(const MsgCtx&, const SnapshotHeader& h, const SnapshotEntries& es) {
    snaps.push_back(h);
    for (std::uint32_t i = 0; i < es.count; ++i) snap_entries.push_back(es[i]);
  }
  void on_definition(const MsgCtx&, const Definition& d) { defs.push_back(d); }
};

// The UDP payload of the spec's worked example (section 5), typed from its hex table.
Bytes spec_example() {
  return Bytes{
      0xc4, 0x16, 0x00, 0x00,                          // MsgSeqNum 5828
      0x7b, 0x3c, 0x29, 0x6e, 0x77, 0x53, 0x86, 0x14,  // SendingTime
      0x58, 0x00, 0x0b, 0x00, 0x20, 0x00, 0x01, 0x00, 0x06, 0x00,  // MsgSize 88, bl 11, 32, 1, v6
      0xd9, 0x6d, 0x18, 0x6e, 0x77, 0x53, 0x86, 0x14,  // TransactTime
      0x04, 0x00, 0x00,                                // MEI LastQuoteMsg, padding
      0x20, 0x00, 0x02,                                // group blockLength 32, numInGroup 2
      0x20, 0xf2, 0x50, 0xf6, 0x00, 0x00, 0x00, 0x00,  // 4132500000
      0x02, 0x00, 0x00, 0x00, 0xe1, 0x48, 0x06, 0x00,  // size 2, SecurityID 411873
      0x97, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,  // RptSeq 151, orders 1
      0x03, 0x00, 0x31, 0x00, 0x00, 0x00, 0x00, 0x00,  // level 3, New, Offer, padding
      0x40, 0xae, 0x0f, 0xf7, 0x00, 0x00, 0x00, 0x00,  // 4145000000
      0x03, 0x00, 0x00, 0x00, 0xe1, 0x48, 0x06, 0x00,  // size 3, SecurityID 411873
      0x98, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,  // RptSeq 152, orders 1
      0x06, 0x01, 0x31, 0x00, 0x00, 0x00, 0x00, 0x00,  // level 6, Change, Offer, padding
      0x18, 0x00, 0x0b, 0x00, 0x20, 0x00, 0x01, 0x00, 0x06, 0x00,  // MsgSize 24, ...
      0xd9, 0x6d, 0x18, 0x6e, 0x77, 0x53, 0x86, 0x14,  // TransactTime
      0x80, 0x00, 0x00,                                // EndOfEvent
      0x20, 0x00, 0x00,                                // blockLength 32, numInGroup 0
  };
}

}  // namespace

TEST_CASE("spec worked example decodes to the spec's values", "[mdp3]") {
  const Bytes p = spec_example();
  REQUIRE(p.size() == 124);
  Recorder r;
  REQUIRE(decode_packet(p.data(), static_cast<std::uint32_t>(p.size()), r) == MsgError::kOk);
  REQUIRE(r.messages.size() == 2);
  CHECK(r.messages[0].seq == 5828);
  CHECK(r.messages[0].sending_time == 1478961300052196475ull);
  CHECK(r.messages[0].template_id == 32);
  CHECK(r.messages[0].version == 6);
  CHECK(r.messages[0].mei == kLastQuoteMsg);
  CHECK(r.messages[1].index == 1);
  CHECK(r.messages[1].mei == kEndOfEvent);
  REQUIRE(r.entries.size() == 2);
  const BookEntry& a = r.entries[0].second;
  CHECK(r.entries[0].first == 0);
  CHECK(a.price == 4132500000);
  CHECK(a.size == 2);
  CHECK(a.security_id == 411873);
  CHECK(a.rpt_seq == 151);
  CHECK(a.orders == 1);
  CHECK(a.level == 3);
  CHECK(a.action == kNew);
  CHECK(a.type == kOffer);
  const BookEntry& b = r.entries[1].second;
  CHECK(r.entries[1].first == 1);
  CHECK(b.price == 4145000000);
  CHECK(b.size == 3);
  CHECK(b.rpt_seq == 152);
  CHECK(b.level == 6);
  CHECK(b.action == kChange);
  CHECK(price_exponent(32) == -7);
  CHECK(to_price9(a.price, 32) == 413250000000);  // 413.25 x 1e9
}

TEST_CASE("schema evolution: larger root and entry blockLength are skipped by the wire lengths",
          "[mdp3]") {
  // Template 46 with a 13-byte root (2 unknown bytes appended) and 40-byte entries (8 appended).
  test::Writer w;
  w.u16(10 + 13 + 3 + 2 * 40 + 8).u16(13).u16(46).u16(1).u16(13);
  w.u64(7).u8(0x84).zeros(2).u16(0xBEEF);  // root + 2 new bytes
  w.u16(40).u8(2);
  for (std::uint32_t k = 0; k < 2; ++k) {
    w.i64(1000 + k).i32(5).i32(77).u32(10 + k).i32(1).u8(1 + k).u8(0).u8('0').i32(test::kNull32);
    w.zeros(1).u64(0xFFFFFFFFFFFFFFFFull);  // padding + 8 unknown bytes
  }
  w.u16(24).zeros(5).u8(0);
  const Bytes p = test::packet(9, {w.b});
  Recorder r;
  REQUIRE(decode_packet(p.data(), static_cast<std::uint32_t>(p.size()), r) == MsgError::kOk);
  REQUIRE(r.entries.size() == 2);
  CHECK(r.entries[1].second.price == 1001);
  CHECK(r.entries[1].second.rpt_seq == 11);
  CHECK(r.entries[1].second.level == 2);
  CHECK(r.messages[0].mei == 0x84);
}

TEST_CASE("unknown templates and trailing groups are skipped by MsgSize", "[mdp3]") {
  const Bytes p = test::packet(3, {test::opaque_message(47, 11, 40), test::heartbeat_message(),
                                   test::opaque_message(63, 20, 5),
                                   test::book_message({{100, 1, 5, 1, 1, 1, kNew, '0'}}, 0x80)});
  Recorder r;
  REQUIRE(decode_packet(p.data(), static_cast<std::uint32_t>(p.size()), r) == MsgError::kOk);
  REQUIRE(r.messages.size() == 4);
  CHECK(r.messages[0].template_id == 47);
  CHECK(r.messages[1].template_id == 12);
  CHECK(r.messages[2].template_id == 63);
  REQUIRE(r.entries.size() == 1);
  CHECK(r.entries[0].second.security_id == 5);
}

TEST_CASE("other templates: definition, status, reset, snapshot, trades, volume, stats", "[mdp3]") {
  test::Writer trade;  // template 48, one entry + NoOrderIDEntries with 2 entries of 16 B
  trade.u16(10 + 11 + 3 + 32 + 8 + 32).u16(11).u16(48).u16(1).u16(9);
  trade.u64(1).u8(0x01).zeros(2).u16(32).u8(1);
  trade.i64(5000).i32(4).i32(42).u32(8).i32(2).u8(1).u8(0).u32(99).zeros(2);
  trade.u16(16).zeros(5).u8(2).zeros(32);
  test::Writer vol;  // template 37, 16-byte entries
  vol.u16(10 + 11 + 3 + 16).u16(11).u16(37).u16(1).u16(9).u64(1).u8(0x02).zeros(2);
  vol.u16(16).u8(1).i32(1234).i32(42).u32(9).u8(0).zeros(3);
  test::Writer sess;  // template 51, 24-byte entries: SecurityID @8, RptSeq @12
  sess.u16(10 + 11 + 3 + 24).u16(11).u16(51).u16(1).u16(9).u64(1).u8(0x08).zeros(2);
  sess.u16(24).u8(1).i64(1).i32(42).u32(10).zeros(8);
  test::Writer lim;  // template 50, 32-byte entries: SecurityID @24, RptSeq @28
  lim.u16(10 + 11 + 3 + 32).u16(11).u16(50).u16(1).u16(9).u64(1).u8(0).zeros(2);
  lim.u16(32).u8(1).i64(1).i64(2).i64(3).i32(42).u32(11);
  test::Writer daily;  // template 49, 32-byte entries: SecurityID @12, RptSeq @16
  daily.u16(10 + 11 + 3 + 32).u16(11).u16(49).u16(1).u16(9).u64(1).u8(0).zeros(2);
  daily.u16(32).u8(1).i64(1).i32(3).i32(42).u32(12).zeros(12);
  const Bytes p = test::packet(
      1, {test::definition_message(42, "BTCZ6", 5000000000, 10, 2),
          test::security_status_message(42, 2, "BT"), test::channel_reset_message(), trade.b,
          vol.b, sess.b, lim.b, daily.b,
          test::snapshot_message(42, 77, 900, {{'0', 1, 100, 3}, {'F', 2, 300, 4}})});
  Recorder r;
  REQUIRE(decode_packet(p.data(), static_cast<std::uint32_t>(p.size()), r) == MsgError::kOk);
  REQUIRE(r.defs.size() == 1);
  CHECK(r.defs[0].security_id == 42);
  CHECK(std::string(r.defs[0].symbol) == "BTCZ6");
  CHECK(r.defs[0].tick == 5000000000);
  CHECK(r.defs[0].depth == 10);
  CHECK(r.defs[0].implied_depth == 2);
  CHECK(r.defs[0].appl_id == 310);
  REQUIRE(r.statuses.size() == 1);
  CHECK(r.statuses[0].security_id == 42);
  CHECK(r.statuses[0].trading_status == 2);
  CHECK(std::string(r.statuses[0].security_group) == "BT");
  CHECK(r.resets == 1);
  REQUIRE(r.trades.size() == 1);
  CHECK(r.trades[0].price == 5000);
  CHECK(r.trades[0].size == 4);
  CHECK(r.trades[0].rpt_seq == 8);
  CHECK(r.trades[0].aggressor == 1);
  REQUIRE(r.seqs.size() == 4);
  CHECK(r.seqs[0].security_id == 42);
  CHECK(r.seqs[0].rpt_seq == 9);   // volume
  CHECK(r.seqs[1].rpt_seq == 10);  // session statistics
  CHECK(r.seqs[2].rpt_seq == 11);  // limits banding
  CHECK(r.seqs[3].rpt_seq == 12);  // daily statistics
  REQUIRE(r.snaps.size() == 1);
  CHECK(r.snaps[0].security_id == 42);
  CHECK(r.snaps[0].rpt_seq == 77);
  CHECK(r.snaps[0].last_msg_seq_processed == 900);
  REQUIRE(r.snap_entries.size() == 2);
  CHECK(r.snap_entries[1].type == 'F');
  CHECK(r.snap_entries[1].level == 2);
  CHECK(r.snap_entries[1].price == 300);
  CHECK(r.snap_entries[1].size == 4);
}

namespace {

MsgError check(const Bytes& p) {
  return validate_packet(p.data(), static_cast<std::uint32_t>(p.size()));
}

}  // namespace

TEST_CASE("malformed packets are refused with a reason", "[mdp3]") {
  const Bytes good = test::packet(1, {test::book_message({{100, 1, 5, 1, 1, 1, kNew, '0'}}, 0x84)});
  REQUIRE(check(good) == MsgError::kOk);

  SECTION("too short") { CHECK(check(Bytes(good.begin(), good.begin() + 21)) == MsgError::kPacketTooShort); }
  SECTION("message header cut") {
    Bytes p = good;
    p.insert(p.end(), {4, 0, 0, 0, 0});  // 5 trailing bytes: not a message header
    CHECK(check(p) == MsgError::kMsgHeaderTruncated);
  }
  SECTION("MsgSize below 10") {
    Bytes p = good;
    p[12] = 9;
    p[13] = 0;
    CHECK(check(p) == MsgError::kMsgSizeTooSmall);
  }
  SECTION("MsgSize past the payload") {
    Bytes p = good;
    p[12] = static_cast<std::uint8_t>(p[12] + 1);
    CHECK(check(p) == MsgError::kMsgSizeOverrun);
  }
  SECTION("schema id") {
    Bytes p = good;
    p[18] = 2;
    CHECK(check(p) == MsgError::kBadSchemaId);
  }
  SECTION("root past MsgSize") {
    Bytes p = good;
    p[14] = 0xFF;
    CHECK(check(p) == MsgError::kRootTooShort);
  }
  SECTION("root too small for MEI") {
    Bytes p = test::packet(1, {test::opaque_message(46, 8, 3)});
    CHECK(check(p) == MsgError::kRootTooShort);
  }
  SECTION("entries past MsgSize") {
    Bytes p = good;
    p[12 + 10 + 11 + 2] = 2;  // numInGroup 2 with one entry present
    CHECK(check(p) == MsgError::kGroupOverrun);
  }
  SECTION("entry blockLength too small") {
    Bytes p = good;
    p[12 + 10 + 11] = 20;
    CHECK(check(p) == MsgError::kEntryTooShort);
  }
  SECTION("update action") {
    const Bytes p = test::packet(1, {test::book_message({{100, 1, 5, 1, 1, 1, 6, '0'}}, 0x84)});
    CHECK(check(p) == MsgError::kBadAction);
  }
  SECTION("entry type") {
    const Bytes p = test::packet(1, {test::book_message({{100, 1, 5, 1, 1, 1, kNew, '2'}}, 0x84)});
    CHECK(check(p) == MsgError::kBadEntryType);
  }
  SECTION("level 0 on a New") {
    const Bytes p = test::packet(1, {test::book_message({{100, 1, 5, 1, 1, 0, kNew, '1'}}, 0x84)});
    CHECK(check(p) == MsgError::kBadLevel);
  }
  SECTION("null price on a New") {
    const Bytes p = test::packet(
        1, {test::book_message({{test::kNullPx, 1, 5, 1, 1, 1, kNew, '1'}}, 0x84)});
    CHECK(check(p) == MsgError::kNullPriceOrSize);
  }
  SECTION("negative size on a Change") {
    const Bytes p = test::packet(1, {test::book_message({{100, -1, 5, 1, 1, 1, kChange, '1'}}, 0x84)});
    CHECK(check(p) == MsgError::kNullPriceOrSize);
  }
  SECTION("a bad second message refuses the packet before any callback") {
    Bytes bad = test::book_message({{100, 1, 5, 2, 1, 1, 9, '0'}}, 0x80);
    const Bytes p = test::packet(1, {test::book_message({{100, 1, 5, 1, 1, 1, kNew, '0'}}, 0x84), bad});
    CHECK(check(p) == MsgError::kBadAction);
  }
}

TEST_CASE("null fields that are allowed: Delete with null size, J reset, DeleteThru level 0",
          "[mdp3]") {
  const Bytes p = test::packet(
      1, {test::book_message({{test::kNullPx, test::kNull32, 5, 1, test::kNull32, 2, kDelete, '0'},
                              {test::kNullPx, test::kNull32, 5, 2, test::kNull32, 0, kNew, 'J'},
                              {test::kNullPx, test::kNull32, 5, 3, test::kNull32, 0, kDeleteThru, '1'}},
                             0x84)});
  Recorder r;
  REQUIRE(decode_packet(p.data(), static_cast<std::uint32_t>(p.size()), r) == MsgError::kOk);
  REQUIRE(r.entries.size() == 3);
  CHECK(r.entries[0].second.size == kNullInt32);
  CHECK(r.entries[1].second.type == 'J');
}

TEST_CASE("to_price9: 1e-7 mantissas x100, saturating where x100 has no int64 form", "[mdp3]") {
  constexpr std::int64_t kMax = 0x7FFFFFFFFFFFFFFFLL;
  CHECK(to_price9(4132500000, 32) == 413250000000);
  CHECK(to_price9(-87500000, 42) == -8750000000);  // spreads go negative: -8.75
  CHECK(to_price9(4132500000, 46) == 4132500000);  // already PRICE9
  CHECK(to_price9(92233720368547758, 32) == 9223372036854775800);  // INT64_MAX / 100: exact
  CHECK(to_price9(92233720368547759, 32) == kMax);                 // one more: saturates
  CHECK(to_price9(-92233720368547758, 38) == -9223372036854775800);
  CHECK(to_price9(-92233720368547759, 38) == -kMax - 1);
}

// check_book_entry tests the common entry as one combined expression and falls back to the rule
// chain (check_book_entry_slow) only when that fails: both must name the same error for every
// action, every type byte, level 0 / non-zero and every kind of price and size.
TEST_CASE("entry check: the combined test agrees with the rule chain everywhere", "[mdp3]") {
  const std::int64_t prices[] = {kNullPrice, 0, -5, 123456789};
  const std::int32_t sizes[] = {kNullInt32, -1, 0, 7, kNullInt32 - 1};
  const std::uint8_t levels[] = {0, 1, 10, 255};
  int ok = 0;
  for (int action = 0; action < 256; ++action) {
    for (int type = 0; type < 256; ++type) {
      for (std::uint8_t level : levels) {
        for (std::int64_t price : prices) {
          for (std::int32_t size : sizes) {
            const BookEntry e{price, size, 1, 1, 1, level, static_cast<std::uint8_t>(action),
                              static_cast<char>(type)};
            const MsgError fast = detail::check_book_entry(e);
            REQUIRE(fast == detail::check_book_entry_slow(e));
            ok += fast == MsgError::kOk;
          }
        }
      }
    }
  }
  CHECK(ok > 0);
}

namespace {

// A kRecords handler (the fast path's validation pass): book entries come as one group per
// message, to be read from the packet; everything else as with any handler.
struct GroupRecorder : Recorder {
  static constexpr bool kRecords = true;
  struct Group {
    std::uint32_t message;  // index into messages
    const std::uint8_t* first;
    std::uint16_t block_length, count;
  };
  std::vector<Group> groups;
  void on_book_entry(const MsgCtx&, std::uint32_t, const BookEntry&) { FAIL("per-entry call"); }
  void on_book_entries(const MsgCtx&, const std::uint8_t* first, std::uint16_t block_length,
                       std::uint16_t count) {
    groups.push_back(Group{static_cast<std::uint32_t>(messages.size() - 1), first, block_length,
                           count});
  }
};

}  // namespace

TEST_CASE("recording handler: book entries as groups, read back equal to a plain decode",
          "[mdp3]") {
  // Template 46 with 40-byte entries (8 unknown bytes appended: the group's stride, not 32, must
  // be used), a template 32 message with two entries, a trade, a volume message, and an empty
  // book message.
  test::Writer w;
  w.u16(10 + 11 + 3 + 3 * 40).u16(11).u16(46).u16(1).u16(9);
  w.u64(7).u8(0x84).zeros(2);
  w.u16(40).u8(3);
  for (std::uint32_t k = 0; k < 3; ++k) {
    w.i64(1000 + k).i32(5 + static_cast<std::int32_t>(k)).i32(77).u32(10 + k).i32(1)
        .u8(static_cast<std::uint8_t>(1 + k)).u8(static_cast<std::uint8_t>(k)).u8('1')
        .i32(test::kNull32);
    w.zeros(1).u64(0xFFFFFFFFFFFFFFFFull);
  }
  const Bytes p = test::packet(
      21, {w.b,
           test::book_message(
               {{4132500, 2, 78, 3, 1, 2, kNew, '0'},
                {test::kNullPx, test::kNull32, 78, 4, test::kNull32, 1, kDelete, 'E'}},
               0x00, 32, 6),
           test::book_message({}, 0x80)});
  const auto len = static_cast<std::uint32_t>(p.size());
  Recorder plain;
  REQUIRE(decode_packet(p.data(), len, plain) == MsgError::kOk);
  GroupRecorder rec;
  REQUIRE(decode_packet(p.data(), len, rec) == MsgError::kOk);
  REQUIRE(rec.messages.size() == plain.messages.size());
  REQUIRE(rec.ends.size() == plain.ends.size());
  REQUIRE(rec.groups.size() == 3);
  CHECK(rec.groups[0].block_length == 40);
  CHECK(rec.groups[2].count == 0);
  std::vector<std::pair<std::uint32_t, BookEntry>> read_back;
  for (const auto& g : rec.groups) {
    CHECK(rec.messages[g.message].template_id == plain.messages[g.message].template_id);
    for (std::uint32_t k = 0; k < g.count; ++k) {
      read_back.emplace_back(k, detail::load_book_entry(g.first + k * g.block_length));
    }
  }
  REQUIRE(read_back.size() == plain.entries.size());
  REQUIRE(read_back.size() == 5);
  for (std::size_t i = 0; i < read_back.size(); ++i) {
    INFO("entry " << i);
    const BookEntry& a = read_back[i].second;
    const BookEntry& b = plain.entries[i].second;
    CHECK(read_back[i].first == plain.entries[i].first);
    CHECK(a.price == b.price);
    CHECK(a.size == b.size);
    CHECK(a.security_id == b.security_id);
    CHECK(a.rpt_seq == b.rpt_seq);
    CHECK(a.orders == b.orders);
    CHECK(a.level == b.level);
    CHECK(a.action == b.action);
    CHECK(a.type == b.type);
  }
  CHECK(read_back[2].second.price == 1002);  // the 40-byte stride
  CHECK(read_back[3].second.security_id == 78);

  SECTION("a bad entry in any message refuses the packet with the plain decoder's error") {
    for (std::uint8_t action : {std::uint8_t{6}, std::uint8_t{kNew}}) {
      const char type = action == kNew ? '7' : '0';
      const Bytes bad = test::packet(
          22, {test::book_message({{100, 1, 5, 1, 1, 1, kNew, '0'}}, 0x84),
               test::book_message(
                   {{100, 1, 5, 2, 1, 1, kChange, '0'}, {100, 1, 5, 3, 1, 1, action, type}},
                   0x80)});
      const auto blen = static_cast<std::uint32_t>(bad.size());
      GroupRecorder r;
      const MsgError want = validate_packet(bad.data(), blen);
      CHECK(want != MsgError::kOk);
      CHECK(decode_packet(bad.data(), blen, r) == want);
      CHECK(r.groups.size() == 1);  // the first message only: the second was refused first
    }
  }
}
