// Card programming over the register map: what the host writes before it lets the card quote
// (the line table, the arbiter window, one slot per configured instrument, in the model's
// fixed-instrument order) and what it reads back (identity, commit outcome, errors, counters).
// Shared by the xrt and verilator backends so both drive the RTL exactly the same way.
#include "card_program.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "quoter_regs.hpp"
#include "ttq/card_regs.hpp"

namespace ttq {

namespace {

// The model's clamp of the skew registers (fast_path.cpp clamp_skew), so the card never refuses
// a value the model would take.
SkewRegs clamp_to_card(const SkewRegs& s) {
  constexpr auto kShift = static_cast<std::int32_t>(card::slot::kSkewShiftTicksMax);
  constexpr auto kAdj = static_cast<std::int32_t>(card::slot::kSizeAdjMax);
  return SkewRegs{std::clamp(s.shift_ticks, -kShift, kShift), std::clamp(s.size_adj, -kAdj, kAdj)};
}

const char* err_name(std::uint32_t code) {
  switch (static_cast<card::ErrCode>(code)) {
    case card::ErrCode::kNone:
      return "none";
    case card::ErrCode::kFieldRange:
      return "FIELD_RANGE (value outside the register's range)";
    case card::ErrCode::kRoWrite:
      return "RO_WRITE";
    case card::ErrCode::kPartialWrite:
      return "PARTIAL_WRITE";
    case card::ErrCode::kUnmapped:
      return "UNMAPPED (no register at that address)";
    case card::ErrCode::kSecurityId:
      return "SECURITY_ID (0 with VALID)";
    case card::ErrCode::kTick:
      return "TICK (0 with VALID)";
    case card::ErrCode::kRecipSh:
      return "RECIP_SH";
    case card::ErrCode::kRecip:
      return "RECIP";
    case card::ErrCode::kDLim:
      return "D_LIM";
    case card::ErrCode::kFloorCeiling:
      return "FLOOR_CEILING (price_floor > price_ceiling)";
  }
  return "unknown code";
}

}  // namespace

CardProgram::CardProgram(const PipelineConfig& cfg, RegisterBus& bus, CardLabels labels)
    : cfg_(cfg), bus_(bus), labels_(std::move(labels)) {
  // Slot i = the i-th configured instrument with a security_id, as FastPath builds its fixed
  // table (a repeated id keeps its first slot).
  for (const InstrumentConfig& ic : cfg_.instruments) {
    if (ic.security_id == 0) continue;
    if (std::any_of(slots_.begin(), slots_.end(),
                    [&](const Slot& s) { return s.security_id == ic.security_id; })) {
      continue;
    }
    Slot s;
    s.security_id = ic.security_id;
    s.tick = ic.tick > 0 ? ic.tick : cfg_.default_tick;
    s.ic = &ic;
    s.params = cfg_.quoter;
    s.skew = clamp_to_card(ic.skew);
    slots_.push_back(s);
  }
}

std::uint64_t CardProgram::read64(std::uint32_t lo) {
  const std::uint64_t l = bus_.read32(lo);  // reading LO snapshots HI (counters)
  const std::uint64_t h = bus_.read32(lo + 4);
  return (h << 32) | l;
}

void CardProgram::write64(std::uint32_t lo, std::uint64_t v) {
  bus_.write32(lo, static_cast<std::uint32_t>(v));
  bus_.write32(lo + 4, static_cast<std::uint32_t>(v >> 32));
}

bool CardProgram::check_identity(std::string& error) {
  const std::uint32_t id = bus_.read32(card::reg::kId);
  const std::uint32_t ver = bus_.read32(card::reg::kVersion);
  const std::uint64_t hash = read64(card::reg::kBuildHashLo);
  if (id != card::kId) {
    error =
        msg(fmt::format("{} is not a ttq card (ID register 0x{:08x}, expected 0x{:08x} "
                        "\"TTQ1\"): {}",
                        labels_.device, id, card::kId, labels_.fix_id));
    return false;
  }
  if (card::field::kVersionMajor.get(ver) != card::kVersionMajor ||
      card::field::kVersionMinor.get(ver) < card::kVersionMinor) {
    error =
        msg(fmt::format("the card's register map is version {}.{}.{}, this ttq drives "
                        "{}.{}.x: {}",
                        card::field::kVersionMajor.get(ver), card::field::kVersionMinor.get(ver),
                        card::field::kVersionPatch.get(ver), card::kVersionMajor,
                        card::kVersionMinor, labels_.fix_version));
    return false;
  }
  if (hash != card::kBuildHash) {
    error =
        msg(fmt::format("the card's BUILD_HASH {:016x} differs from this ttq's register map "
                        "{:016x}: {}",
                        hash, card::kBuildHash, labels_.fix_hash));
    return false;
  }
  const std::uint32_t caps0 = bus_.read32(card::reg::kCaps0);
  n_instr_ = card::field::kCaps0NInstr.get(caps0);
  depth_ = card::field::kCaps0Depth.get(caps0);
  ct_built_ = card::field::kCaps1CutThrough.get(bus_.read32(card::reg::kCaps1)) != 0;
  const std::uint32_t caps2 = bus_.read32(card::reg::kCaps2);
  n_lines_ = card::field::kCaps2NLines.get(caps2);
  n_ch_ = card::field::kCaps2NCh.get(caps2);
  return true;
}

// Card mode (docs/pipeline.md "Fixed instrument table", docs/card.md): everything the model in
// fixed_instruments mode takes from the config must fit the card, or the two would differ.
bool CardProgram::check_fits(std::string& error) {
  const PipelineConfig& c = cfg_;
  if (c.lines.empty()) {
    error =
        msg("the config has no feed lines: the card keeps only datagrams sent to a line in its "
            "line table, so list the lines in [[channel]] tables (incremental_a / "
            "incremental_b, and snapshot_* / definition_* if the capture has them); "
            "docs/card.md");
    return false;
  }
  if (c.lines.size() > n_lines_) {
    error =
        msg(fmt::format("the config has {} feed lines ([[channel]] addresses), the card's line "
                        "table holds {} (CAPS2.N_LINES)",
                        c.lines.size(), n_lines_));
    return false;
  }
  if (c.channels.size() > n_ch_) {
    error = msg(fmt::format("the config has {} [[channel]]s, the card arbitrates {} (CAPS2.N_CH)",
                            c.channels.size(), n_ch_));
    return false;
  }
  if (c.cut_through && !ct_built_) {
    // feed.commit = "auto" asks for cut-through in card mode (the shipping build's mode).
    error = msg(fmt::format(
        "{}: this card was built without cut-through commit (CAPS1.CUT_THROUGH = 0: it commits "
        "every packet on its verdict only); set feed.commit = \"verdict\", or load a card "
        "built with the ttq_core parameter CUT_THROUGH = 1, the default (docs/card.md \"Commit "
        "mode\")",
        c.commit_auto ? "feed.commit = \"auto\" (the default) selects cut-through commit in card "
                        "mode (feed.fixed_instruments = true)"
                      : "feed.commit = \"cut_through\""));
    return false;
  }
  if (c.max_packet_events != kCardPacketEvents) {
    error = msg(fmt::format("feed.max_packet_events = {}: the card's packet store holds {} "
                            "events per packet (ttq_core's EV_PER_PKT); leave the key at its "
                            "default",
                            c.max_packet_events, kCardPacketEvents));
    return false;
  }
  if (c.reorder_timeout_ns != 0) {
    error =
        msg("feed.reorder_timeout_us must be 0: the card's A/B arbiter waits by packets only "
            "(feed.reorder_window), never by time");
    return false;
  }
  if (c.reorder_window > kCardMaxReorderWindow) {
    error =
        msg(fmt::format("feed.reorder_window = {}: the card's A/B arbiter holds at most {} "
                        "packets per channel",
                        c.reorder_window, kCardMaxReorderWindow));
    return false;
  }
  if (c.quoter.levels != 1) {
    error = msg(fmt::format("[quoter] levels = {}: the card computes one level (levels = 1)",
                            c.quoter.levels));
    return false;
  }
  if (slots_.empty()) {
    error =
        msg("no [[instrument]] with a security_id: the card's slot table is written from the "
            "config (card mode), so list every instrument to quote with security_id and tick");
    return false;
  }
  if (slots_.size() > n_instr_) {
    error =
        msg(fmt::format("the card has {} instrument slots (CAPS0.N_INSTR); the config lists "
                        "{} instruments with a security_id",
                        n_instr_, slots_.size()));
    return false;
  }
  if (slots_.size() > c.max_instruments) {
    error =
        msg(fmt::format("the config lists {} instruments, more than feed.max_instruments = {}: "
                        "the model's table would be full",
                        slots_.size(), c.max_instruments));
    return false;
  }
  for (const Slot& s : slots_) {
    const InstrumentConfig& ic = *s.ic;
    const std::string who = fmt::format("[[instrument]] security_id {}", s.security_id);
    if (s.tick <= 0) {
      error = msg(who +
                  ": no tick: the card takes the tick from the config ([[instrument]] tick "
                  "or feed.default_tick), never from a definition");
      return false;
    }
    if (!sim::quoter_card_regs(s.tick, c.quoter.max_spread_ticks).valid) {
      error = msg(
          fmt::format("{}: tick {} is outside the card's range (0 < tick < 2^40)", who, s.tick));
      return false;
    }
    if (!ic.quote) {
      error = msg(who +
                  ": quote = false: the card quotes every instrument in its slot table; "
                  "leave the instrument out");
      return false;
    }
    if (ic.depth > depth_ || ic.implied_depth > depth_) {
      error =
          msg(fmt::format("{}: depth {} / implied_depth {}: the card keeps {} levels per side "
                          "(CAPS0.DEPTH)",
                          who, ic.depth, ic.implied_depth, depth_));
      return false;
    }
    if (ic.channel >= n_ch_) {
      error = msg(fmt::format("{}: channel index {} is beyond the card's {} channels", who,
                              ic.channel, n_ch_));
      return false;
    }
  }
  if (const char* bad = validate(c.quoter)) {
    error = msg(fmt::format("[quoter]: {}", bad));
    return false;
  }
  return true;
}

bool CardProgram::check_errors(const char* what, std::string& error) {
  const std::uint32_t e = bus_.read32(card::reg::kError);
  if (e == 0) return true;
  const std::uint32_t addr = bus_.read32(card::reg::kErrAddr);
  const std::uint32_t info = bus_.read32(card::reg::kErrInfo);
  error =
      msg(fmt::format("the card refused a register write while {} (ERROR 0x{:x}, latest at "
                      "0x{:05x}: {}); docs/registers.md",
                      what, e, addr, err_name(card::field::kErrInfoCode.get(info))));
  bus_.write32(card::reg::kError, e);  // W1C: leave the card clean for the next attempt
  return false;
}

bool CardProgram::program(std::string& error) {
  if (!check_fits(error)) return false;
  // Errors left from an earlier session are not ours: clear them (W1C) so the check after
  // programming sees only this session's refusals.
  bus_.write32(card::reg::kError, bus_.read32(card::reg::kError));

  // The commit mode first: MODE takes effect at a soft reset, which restarts the pipeline from
  // empty books and clears the counters and every slot's last sent quote, keeping the
  // configuration. Done before the slots are committed (a commit requotes its slot, which the
  // model's instruments start from: FastPath loaded = committed), and only when the mode in
  // force differs (a card fresh from reset runs commit on verdict: MODE resets to 0).
  const std::uint32_t want = cfg_.cut_through ? 1u : 0u;
  bus_.write32(card::reg::kMode, want);
  if (!check_errors("writing MODE", error)) return false;
  if (card::field::kStatusCutThrough.get(bus_.read32(card::reg::kStatus)) != want) {
    // KILL as the card has it is kept across the reset (soft_reset writes kill_).
    kill_ = card::field::kStatusKill.get(bus_.read32(card::reg::kStatus)) != 0;
    soft_reset();
    // The pipeline's work after a soft reset (ttq_apply's requote of every slot when KILL is
    // set) takes about one cycle per slot; a register access takes several.
    if (!wait_idle()) {
      error = msg("the card stays busy after CONTROL.SOFT_RESET (selecting the commit mode)");
      return false;
    }
    const std::uint32_t st = bus_.read32(card::reg::kStatus);
    if (card::field::kStatusCutThrough.get(st) != want) {
      error = msg(fmt::format("MODE = {} did not take effect at CONTROL.SOFT_RESET "
                              "(STATUS.CUT_THROUGH reads {}); docs/registers.md",
                              want, card::field::kStatusCutThrough.get(st)));
      return false;
    }
  }

  bus_.write32(card::reg::kArbWindow, cfg_.reorder_window);

  // Line table: VALID = 0 first, then the fields, then VALID (docs/registers.md, Line table).
  using namespace card::line;
  for (std::uint32_t l = 0; l < n_lines_; ++l) {
    bus_.write32(addr(l, kLineValid), 0);
    if (l >= cfg_.lines.size()) continue;
    const LineConfig& lc = cfg_.lines[l];
    bus_.write32(addr(l, kLineIp), lc.ip);
    bus_.write32(addr(l, kLinePort), lc.port);
    bus_.write32(addr(l, kLineChannel), lc.channel);
    bus_.write32(addr(l, kLineKind), static_cast<std::uint32_t>(lc.kind));
    bus_.write32(addr(l, kLineB), lc.line == 'B' ? 1u : 0u);
    bus_.write32(addr(l, kLineValid), 1);
  }
  if (!check_errors("writing the line table and ARB_WINDOW", error)) return false;

  for (std::uint32_t slot = 0; slot < slots_.size(); ++slot) {
    if (const char* bad = write_slot(slot)) {
      error = msg(fmt::format("slot {} (security_id {}): {}", slot, slots_[slot].security_id, bad));
      return false;
    }
  }
  return check_errors("writing the slot table", error);
}

const char* CardProgram::commit(std::uint32_t slot) {
  bus_.write32(card::slot::addr(slot, card::slot::kCommit), 1);
  const std::uint32_t st = bus_.read32(card::reg::kCommitStatus);
  if (card::field::kCommitStatusSlot.get(st) != slot) return "commit not acknowledged by the card";
  if (card::field::kCommitStatusResult.get(st) != 0) {
    return "the card refused the commit (COMMIT_STATUS.RESULT != 0; docs/registers.md)";
  }
  return nullptr;
}

// The quoter registers of a slot (everything set_params changes), not committed.
const char* CardProgram::write_params(std::uint32_t slot) {
  const Slot& s = slots_[slot];
  const QuoterParams& p = s.params;
  const auto r = sim::quoter_card_regs(s.tick, p.max_spread_ticks);
  if (!r.valid) return "tick or max_spread_ticks outside the card's range";
  using namespace card::slot;
  auto a = [slot](std::uint32_t off) { return addr(slot, off); };
  write64(a(kTick), r.tick);
  bus_.write32(a(kRecipSh), r.recip_sh);
  bus_.write32(a(kRecip), r.recip);
  write64(a(kDLim), r.d_lim);
  bus_.write32(a(kRefMode), p.ref_mode == RefMode::kMid ? 1u : 0u);
  bus_.write32(a(kBidOffsetTicks), static_cast<std::uint32_t>(p.bid_offset_ticks));
  bus_.write32(a(kAskOffsetTicks), static_cast<std::uint32_t>(p.ask_offset_ticks));
  bus_.write32(a(kMinSpreadTicks), static_cast<std::uint32_t>(p.min_spread_ticks));
  bus_.write32(a(kMaxSpreadTicks), static_cast<std::uint32_t>(p.max_spread_ticks));
  bus_.write32(a(kOrderSize), static_cast<std::uint32_t>(p.order_size));
  write64(a(kPriceFloor), static_cast<std::uint64_t>(p.price_floor));
  write64(a(kPriceCeiling), static_cast<std::uint64_t>(p.price_ceiling));
  bus_.write32(a(kRequoteToleranceTicks), static_cast<std::uint32_t>(p.requote_tolerance_ticks));
  return nullptr;
}

const char* CardProgram::write_slot(std::uint32_t slot) {
  const Slot& s = slots_[slot];
  const InstrumentConfig& ic = *s.ic;
  using namespace card::slot;
  auto a = [slot](std::uint32_t off) { return addr(slot, off); };
  bus_.write32(a(kSecurityId), static_cast<std::uint32_t>(s.security_id));
  bus_.write32(a(kValid), 1);
  if (const char* bad = write_params(slot)) return bad;
  bus_.write32(a(kDepth), ic.depth);
  bus_.write32(a(kImpliedDepth), ic.implied_depth);
  // SecurityGroup: char 0 in bits 7:0, at most 6 characters (the model keeps the same 6).
  std::uint64_t group = 0;
  for (std::size_t i = 0; i < std::min<std::size_t>(ic.group.size(), 6); ++i) {
    group |= static_cast<std::uint64_t>(static_cast<std::uint8_t>(ic.group[i])) << (8 * i);
  }
  write64(a(kGroup), group);
  bus_.write32(a(kSkewShiftTicks), static_cast<std::uint32_t>(s.skew.shift_ticks));
  bus_.write32(a(kSizeAdj), static_cast<std::uint32_t>(s.skew.size_adj));
  bus_.write32(a(kChannel), ic.channel);
  return commit(slot);
}

void CardProgram::set_kill(bool on) {
  kill_ = on;
  bus_.write32(card::reg::kControl, card::field::kControlKill.put(on ? 1u : 0u));
}

void CardProgram::flush() {
  bus_.write32(card::reg::kControl,
               card::field::kControlKill.put(kill_ ? 1u : 0u) | card::field::kControlFlush.put(1u));
}

void CardProgram::soft_reset() {
  bus_.write32(card::reg::kControl, card::field::kControlKill.put(kill_ ? 1u : 0u) |
                                        card::field::kControlSoftReset.put(1u));
  invalidate_tops();
}

bool CardProgram::busy() {
  return card::field::kStatusBusy.get(bus_.read32(card::reg::kStatus)) != 0;
}

bool CardProgram::wait_idle() {
  constexpr int kIdlePolls = 10'000;
  for (int i = 0; i < kIdlePolls; ++i) {
    if (!busy()) return true;
  }
  return false;
}

const char* CardProgram::set_skew(std::int32_t id, const SkewRegs& s) {
  for (std::uint32_t slot = 0; slot < slots_.size(); ++slot) {
    if (slots_[slot].security_id != id) continue;
    slots_[slot].skew = clamp_to_card(s);
    bus_.write32(card::slot::addr(slot, card::slot::kSkewShiftTicks),
                 static_cast<std::uint32_t>(slots_[slot].skew.shift_ticks));
    bus_.write32(card::slot::addr(slot, card::slot::kSizeAdj),
                 static_cast<std::uint32_t>(slots_[slot].skew.size_adj));
    return commit(slot);
  }
  return "unknown security_id";
}

const char* CardProgram::set_params(std::int32_t id, const QuoterParams& p) {
  if (const char* bad = validate(p)) return bad;
  if (p.levels > 1) return "levels: the card computes one level (levels = 1)";
  bool found = false;
  for (std::uint32_t slot = 0; slot < slots_.size(); ++slot) {
    if (id != 0 && slots_[slot].security_id != id) continue;
    found = true;
    if (!sim::quoter_card_regs(slots_[slot].tick, p.max_spread_ticks).valid) {
      return "max_spread_ticks outside the card's range";
    }
  }
  if (!found && id != 0) return "unknown security_id";
  for (std::uint32_t slot = 0; slot < slots_.size(); ++slot) {
    if (id != 0 && slots_[slot].security_id != id) continue;
    slots_[slot].params = p;
    if (const char* bad = write_params(slot)) return bad;
    if (const char* bad = commit(slot)) return bad;
  }
  if (id == 0) cfg_.quoter = p;
  return nullptr;
}

void CardProgram::read_counters(PipelineCounters& c) {
  using card::Counter;
  auto rd = [&](Counter k) { return read64(card::counter_lo(k)); };
  c.frames = rd(Counter::kFrames);
  for (unsigned i = card::kCounterDropFirst; i < card::kCounterDropEnd; ++i) {
    c.frame_drops[i - card::kCounterDropFirst] = rd(static_cast<Counter>(i));
  }
  c.packets = rd(Counter::kPackets);
  // The card counts malformed packets without the reason: the total sits at index 0 (kOk), which
  // the model never uses and the summary does not print.
  c.malformed[0] = rd(Counter::kMalformed);
  c.arb.duplicates = rd(Counter::kDuplicates);
  c.arb.gaps = rd(Counter::kGaps);
  c.arb.lost = rd(Counter::kLost);
  c.arb.held = rd(Counter::kHeld);
  c.early_duplicates = rd(Counter::kEarlyDuplicates);
  c.seq_restarts = rd(Counter::kSeqRestarts);
  c.unknown_instruments = rd(Counter::kUnknownInstruments);
  c.stale_events = rd(Counter::kStaleEvents);
  c.quotes = rd(Counter::kQuotes);
  c.quote_overflow = rd(Counter::kQuoteOverflow);
  c.book_entries = rd(Counter::kBookEntries);
  // Snapshot and definition packets together (the card does not tell them apart and leaves
  // both to the host): shown as snapshot packets.
  c.snapshot_packets = rd(Counter::kOtherLinePackets);
  // The packet store's limit (feed.max_packet_events). The card counts the packets it drops for
  // it in MALFORMED too (the total above), so malformed_oversize stays 0.
  oversize_packets_ = rd(Counter::kOversizePackets);
  c.oversize_packets = oversize_packets_;
}

PublishedTop CardProgram::read_top(std::uint32_t slot) {
  using namespace card::slot;
  // TOP_FLAGS bits (docs/registers.md, Published top of book).
  constexpr std::uint32_t kBid = 1u << 0, kAsk = 1u << 1, kStale = 1u << 2;
  auto a = [slot](std::uint32_t off) { return addr(slot, off); };
  const std::uint32_t flags = bus_.read32(a(kTopFlags));  // latches the other TOP_* words
  PublishedTop t;
  t.tob.bid_sz = static_cast<std::int32_t>(bus_.read32(a(kTopBidSz)));
  t.tob.bid_px = static_cast<std::int64_t>(read64(a(kTopBidPx)));
  t.tob.ask_px = static_cast<std::int64_t>(read64(a(kTopAskPx)));
  t.tob.ask_sz = static_cast<std::int32_t>(bus_.read32(a(kTopAskSz)));
  t.bid = (flags & kBid) != 0;
  t.ask = (flags & kAsk) != 0;
  t.stale = (flags & kStale) != 0;
  return t;
}

bool CardProgram::top_of_book(std::int32_t id, PublishedTop& out) {
  std::uint32_t slot = 0;
  while (slot < slots_.size() && slots_[slot].security_id != id) ++slot;
  if (slot == slots_.size()) return false;
  if (tops_.size() != slots_.size()) {
    tops_.assign(slots_.size(), PublishedTop{});
    top_gen_of_.assign(slots_.size(), 0);
  }
  if (top_gen_of_[slot] != top_gen_) {
    if (idle_gen_ != top_gen_) {
      // A card may still be applying the batch just submitted (xrt: the data mover returns when
      // the frames are in, not when they are applied). Bounded: a card that stays busy is read
      // as it is.
      wait_idle();
      idle_gen_ = top_gen_;
    }
    tops_[slot] = read_top(slot);
    top_gen_of_[slot] = top_gen_;
  }
  out = tops_[slot];
  return true;
}

const InstrumentConfig* CardProgram::config_of(std::int32_t id) const {
  for (const Slot& s : slots_) {
    if (s.security_id == id) return s.ic;
  }
  return nullptr;
}

bool CardProgram::instrument_info(std::int32_t id, Driver::InstrumentInfo& out) const {
  for (const Slot& s : slots_) {
    if (s.security_id != id) continue;
    out = Driver::InstrumentInfo{s.tick, s.ic->multiplier, s.ic->position};
    return true;
  }
  return false;
}

}  // namespace ttq
