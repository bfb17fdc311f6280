// `ttq gen`: a deterministic synthetic MDP 3.0 capture (docs/capgen.md), with truth files.
#include <string>

#include "command.hpp"
#include "ttq/capgen.hpp"

namespace {

using namespace ttq;

struct GenOpts {
  GenOptions g;
  std::string out_path, truth_decode_path, truth_book_path;
};

std::function<int()> add_gen(CLI::App& app) {
  auto o = std::make_shared<GenOpts>();
  auto* sub = app.add_subcommand("gen", "Write a deterministic synthetic MDP 3.0 capture");
  sub->add_option("--out", o->out_path, "output .pcap/.pcapng")->required();
  sub->add_option("--seed", o->g.seed, "random seed");
  sub->add_option("--instruments", o->g.instruments, "number of futures");
  sub->add_option("--events", o->g.events, "market events");
  sub->add_option("--schema", o->g.schema_version, "schema version: >=9 templates 46/48/52/54, 6-8: 32/42/38/27");
  sub->add_option("--depth", o->g.depth, "GBX market depth");
  sub->add_option("--implied", o->g.implied, "implied levels (true/false)");
  sub->add_option("--loss-a", o->g.loss_a, "probability a packet is lost on line A only");
  sub->add_option("--loss-b", o->g.loss_b, "probability a packet is lost on line B only");
  sub->add_option("--loss-both", o->g.loss_both, "probability a packet is lost on both lines");
  sub->add_option("--dup", o->g.dup, "probability a copy is duplicated");
  sub->add_option("--jitter", o->g.jitter_packets, "max packets B leads/lags A");
  sub->add_option("--reorder", o->g.reorder, "probability two adjacent packets swap within a line");
  sub->add_option("--garbage", o->g.garbage, "probability of a bad frame after a packet");
  sub->add_option("--snapshot-every", o->g.snapshot_every, "snapshot loop every N packets (0 = none)");
  sub->add_option("--vlan", o->g.vlan, "probability of an 802.1Q tag");
  sub->add_option("--ip-options", o->g.ip_options, "probability of IPv4 options");
  sub->add_option("--halt", o->g.halt, "probability per event of a halt");
  sub->add_option("--max-payload", o->g.max_payload,
                  "UDP payload bytes a packet is filled to (12..1400; small values give one"
                  " message per packet)");
  sub->add_option("--jumbo", o->g.jumbo,
                  "probability a packet is a jumbo one (up to 8972 payload bytes, filled with"
                  " whole events: more events than the card's packet store holds)");
  sub->add_flag("--pcapng", o->g.pcapng, "write pcapng");
  sub->add_option("--truth-decode", o->truth_decode_path, "write the generator's decode truth (JSONL)");
  sub->add_option("--truth-book", o->truth_book_path, "write the generator's top-of-book truth (JSONL)");
  return [o]() -> int {
    if (const char* bad = validate(o->g)) {
      std::fprintf(stderr, "ttq gen: %s\n", bad);
      return 2;
    }
    cli::FilePtr td = cli::open_out(o->truth_decode_path), tb = cli::open_out(o->truth_book_path);
    const GenStats s = generate_capture(o->g, o->out_path, td.get(), tb.get());
    std::printf("wrote %s: %llu frames, %llu packets, %llu book entries (lost A %llu, B %llu, "
                "both %llu; duplicates %llu; bad frames %llu)\n",
                o->out_path.c_str(), static_cast<unsigned long long>(s.frames),
                static_cast<unsigned long long>(s.packets),
                static_cast<unsigned long long>(s.entries),
                static_cast<unsigned long long>(s.lost_a),
                static_cast<unsigned long long>(s.lost_b),
                static_cast<unsigned long long>(s.lost_both),
                static_cast<unsigned long long>(s.dups),
                static_cast<unsigned long long>(s.garbage));
    if (s.jumbo) {
      std::printf("  %llu jumbo packets\n", static_cast<unsigned long long>(s.jumbo));
    }
    return 0;
  };
}

const cli::Registrar gen_cmd({"gen", 40, add_gen});

}  // namespace
