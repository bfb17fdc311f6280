// Deterministic CME MDP 3.0 capture generator: encodes a seeded synthetic market (definitions, MBP
// book updates with implied levels, trades, volume, status, snapshots) straight from the protocol
// brief, puts it on the A/B lines with optional impairments, and records its own truth for tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

namespace ttq {

struct GenOptions {
  std::uint64_t seed = 1;
  int instruments = 4;     // futures 100001..: BTCZ6, ETHZ6, MBTZ6, METZ6, BTCF7, ...
  int events = 2000;       // market events (book changes / trades); start-up builds not counted
  int schema_version = 9;  // >= 9: templates 46/48/52/54 (PRICE9); 6..8: 32/42/38/27 (1e-7)
  int depth = 10;          // GBX MarketDepth in the definition
  bool implied = true;     // implied E/F levels 1..2 and a GBI feed type of depth 2
  double loss_a = 0;       // probability a packet is lost on A only
  double loss_b = 0;       // ... on B only
  double loss_both = 0;    // ... on both lines
  double dup = 0;          // probability that a copy is duplicated on its line
  int jitter_packets = 2;  // max packets by which B may lead/lag A
  double reorder = 0;      // probability of swapping two adjacent packets within one line
  double garbage = 0;      // probability of inserting a bad frame after an incremental packet
  int snapshot_every = 0;  // >0: every N incremental packets a snapshot loop on the recovery feed
  double vlan = 0;         // probability a frame carries an 802.1Q tag
  double ip_options = 0;   // probability IPv4 has options (IHL > 5)
  bool pcapng = false;     // pcapng (SHB, IDB with if_tsresol=9, EPB) instead of nanosecond pcap
  double halt = 0;         // probability per event of a SecurityStatus halt, resumed later
  int max_payload = 1400;  // UDP payload bytes an incremental packet is filled to (12..1400); a
                           // single larger message still gets a packet of its own
  double malformed_a = 0;  // per incremental packet: line A's copy is malformed inside (its last
                           // message's MsgSize runs past the packet's end), its frame valid
  double jumbo = 0;        // per incremental packet: it is a jumbo one, filled with whole events
                           // to a size drawn from 1,401..capgen::kJumboPayload bytes (~45 to
                           // ~280 framer events: around the card's packet store's 128,
                           // feed.max_packet_events)
};

// packets: canonical MDP packets, incremental + snapshot, each counted once (not per line).
// entries: 46/32 entries (= truth_decode lines). lost_a / lost_b: packets lost on that line only;
// lost_both: on both lines (loss and dup apply to snapshot packets too). malformed_a: packets
// whose line-A copy was made malformed (its duplicates too; not counted when lost on A). Always:
//   frames == 2 * packets - lost_a - lost_b - 2 * lost_both + dups + garbage
struct GenStats {
  std::uint64_t frames = 0, packets = 0, entries = 0, lost_a = 0, lost_b = 0, lost_both = 0,
                dups = 0, garbage = 0, malformed_a = 0, jumbo = 0;
};

// Writes the capture to out_path; if truth_decode / truth_book are non-null, writes the JSON-lines
// truth records (docs/capgen.md). Throws std::invalid_argument when validate() fails and
// std::runtime_error when the file cannot be written.
GenStats generate_capture(const GenOptions& opts, const std::string& out_path,
                          std::FILE* truth_decode, std::FILE* truth_book);

// nullptr when the options are usable, else a message naming the bad option.
const char* validate(const GenOptions& opts);

// The generator's fixed network plan and clock, for tests and tools.
namespace capgen {
inline constexpr std::uint32_t kIncrementalIpA = 0xE0001F01;  // 224.0.31.1
inline constexpr std::uint32_t kIncrementalIpB = 0xE0002001;  // 224.0.32.1
inline constexpr std::uint16_t kIncrementalPortA = 14310;
inline constexpr std::uint16_t kIncrementalPortB = 15310;
inline constexpr std::uint32_t kRecoveryIpA = 0xE0001F02;  // 224.0.31.2
inline constexpr std::uint32_t kRecoveryIpB = 0xE0002002;  // 224.0.32.2
inline constexpr std::uint16_t kRecoveryPortA = 14311;
inline constexpr std::uint16_t kRecoveryPortB = 15311;
inline constexpr std::uint32_t kSourceIpA = 0x0A000001;                // 10.0.0.1
inline constexpr std::uint32_t kSourceIpB = 0x0A000002;                // 10.0.0.2
inline constexpr std::uint64_t kStartTimeNs = 1795789800000000000ULL;  // 2026-11-27 14:30:00 UTC
inline constexpr std::uint16_t kTradeDate = 20784;  // 2026-11-27, days since epoch
inline constexpr std::int32_t kFirstSecurityId = 100001;
inline constexpr int kMaxInstruments = 256;
inline constexpr int kMaxDepth = 20;
inline constexpr int kMaxJitter = 64;
inline constexpr std::size_t kMaxPayload = 1400;  // UDP payload cap (MTU with options)
inline constexpr std::size_t kJumboPayload = 8972;  // a jumbo packet's (9,000-byte IP MTU)
}  // namespace capgen

}  // namespace ttq
