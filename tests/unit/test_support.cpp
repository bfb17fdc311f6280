// Byte builders for hand-made packets (see test_support.hpp).
#include "test_support.hpp"

namespace ttq::test {

namespace {

void header(Writer& w, std::size_t msg_size, std::uint16_t root, std::uint16_t tmpl,
            std::uint16_t version) {
  w.u16(msg_size).u16(root).u16(tmpl).u16(1).u16(version);
}

}  // namespace

Bytes book_message(const std::vector<BookEntrySpec>& entries, std::uint8_t mei,
                   std::uint16_t template_id, std::uint16_t version, bool order_group,
                   std::uint64_t transact_time) {
  Writer body;
  body.u64(transact_time).u8(mei).zeros(2);
  body.u16(32).u8(entries.size());
  for (const BookEntrySpec& e : entries) {
    body.i64(e.px).i32(e.size).i32(e.security_id).u32(e.rpt_seq).i32(e.orders);
    body.u8(e.level).u8(e.action).u8(static_cast<std::uint8_t>(e.type));
    body.i32(kNull32).zeros(1);  // TradeableSize (v>=10; padding before), padding
  }
  if (order_group) body.u16(24).zeros(5).u8(0);
  Writer w;
  header(w, 10 + body.b.size(), 11, template_id, version);
  w.bytes(body.b);
  return w.b;
}

Bytes snapshot_message(std::int32_t security_id, std::uint32_t rpt_seq,
                       std::uint32_t last_seq_processed, const std::vector<SnapEntrySpec>& es) {
  Writer body;
  body.u32(last_seq_processed).u32(1).i32(security_id).u32(rpt_seq);
  body.u64(0).u64(0).u16(0).u8(17);                   // TransactTime, LastUpdateTime, date, status
  body.i64(kNullPx).i64(kNullPx).i64(kNullPx);        // limits: 59-byte root
  body.u16(22).u8(es.size());
  for (const SnapEntrySpec& e : es) {
    body.i64(e.px).i32(e.size).i32(kNull32).u8(static_cast<std::uint8_t>(e.level));
    body.u16(0xFFFF).u8(0xFF).u8(0xFF).u8(static_cast<std::uint8_t>(e.type));
  }
  Writer w;
  header(w, 10 + body.b.size(), 59, 52, 9);
  w.bytes(body.b);
  return w.b;
}

Bytes definition_message(std::int32_t security_id, const std::string& symbol, std::int64_t tick9,
                         std::uint8_t depth, std::uint8_t implied_depth, const std::string& group) {
  Writer root;
  root.u8(0x80).u32(1).u8('A').u64(0).u8(17).u16(310).u8(0).u8(0);  // MEI..UnderlyingProduct
  root.chars("XCME", 4).chars(group, 6).chars(group, 6).chars(symbol, 20).i32(security_id);
  root.zeros(91 - root.b.size());
  root.i64(tick9).i64(1000000000);  // MinPriceIncrement @91, DisplayFactor @99
  root.zeros(216 - root.b.size());
  Writer body;
  body.bytes(root.b);
  body.u16(9).u8(0);  // NoEvents: none
  const std::uint8_t feeds = implied_depth > 0 ? 2 : 1;
  body.u16(4).u8(feeds).chars("GBX", 3).u8(depth);
  if (implied_depth > 0) body.chars("GBI", 3).u8(implied_depth);
  body.u16(4).u8(0);  // NoInstAttrib
  body.u16(5).u8(0);  // NoLotTypeRules
  Writer w;
  header(w, 10 + body.b.size(), 216, 54, 9);
  w.bytes(body.b);
  return w.b;
}

Bytes channel_reset_message(std::uint8_t mei) {
  Writer w;
  header(w, 10 + 9 + 3 + 2, 9, 4, 9);
  w.u64(0).u8(mei).u16(2).u8(1).u16(310);
  return w.b;
}

Bytes security_status_message(std::int32_t security_id, std::uint8_t status,
                              const std::string& group, std::uint8_t mei) {
  Writer w;
  header(w, 10 + 30, 30, 30, 9);
  w.u64(0).chars(group, 6).chars("", 6).i32(security_id).u16(0).u8(mei).u8(status).u8(0).u8(0);
  return w.b;
}

Bytes heartbeat_message() {
  Writer w;
  header(w, 10, 0, 12, 9);
  return w.b;
}

Bytes opaque_message(std::uint16_t template_id, std::uint16_t root_len, std::uint16_t extra) {
  Writer w;
  header(w, 10u + root_len + extra, root_len, template_id, 9);
  w.zeros(root_len + extra);
  return w.b;
}

Bytes packet(std::uint32_t seq, const std::vector<Bytes>& messages, std::uint64_t sending_time) {
  Writer w;
  w.u32(seq).u64(sending_time);
  for (const Bytes& m : messages) w.bytes(m);
  return w.b;
}

Bytes udp_frame(const Bytes& payload, const FrameSpec& s) {
  Writer w;
  const std::uint32_t ip = s.dst_ip;
  const std::uint8_t mac[6] = {0x01, 0x00, 0x5e, static_cast<std::uint8_t>((ip >> 16) & 0x7f),
                               static_cast<std::uint8_t>(ip >> 8), static_cast<std::uint8_t>(ip)};
  for (std::uint8_t m : mac) w.u8(m);
  for (int i = 0; i < 6; ++i) w.u8(0x02);
  for (int t = 0; t < s.vlan_tags; ++t) w.u8(0x81).u8(0x00).u8(0x00).u8(100 + t);
  w.u8(0x08).u8(0x00);
  const std::size_t ihl = 20 + 4 * static_cast<std::size_t>(s.ip_option_words);
  const std::size_t total = ihl + 8 + payload.size();
  const std::size_t ip_off = w.b.size();
  w.u8(0x40 | (ihl / 4)).u8(0).u8(total >> 8).u8(total & 0xFF);
  w.u8(0).u8(0).u8(0x40).u8(0);  // id 0, DF
  w.u8(64).u8(17).u8(0).u8(0);   // TTL, UDP, checksum placeholder
  for (std::uint32_t a : {s.src_ip, s.dst_ip}) {
    w.u8(a >> 24).u8((a >> 16) & 0xFF).u8((a >> 8) & 0xFF).u8(a & 0xFF);
  }
  for (int i = 0; i < s.ip_option_words; ++i) w.u8(1).u8(1).u8(1).u8(1);  // NOP options
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i < ihl; i += 2) sum += (w.b[ip_off + i] << 8) | w.b[ip_off + i + 1];
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  const std::uint16_t csum = static_cast<std::uint16_t>(~sum);
  w.b[ip_off + 10] = static_cast<std::uint8_t>(csum >> 8);
  w.b[ip_off + 11] = static_cast<std::uint8_t>(csum);
  const std::size_t udp_len = 8 + payload.size();
  w.u8(s.src_port >> 8).u8(s.src_port & 0xFF).u8(s.dst_port >> 8).u8(s.dst_port & 0xFF);
  w.u8(udp_len >> 8).u8(udp_len & 0xFF).u8(0).u8(0);
  w.bytes(payload);
  return w.b;
}

}  // namespace ttq::test
