// End-to-end receive benchmark of `ttq run`'s pieces on DPDK virtual devices, all in one process
// (one EAL): the same capture is opened by several net_pcap ports and each port is drained by one
// configuration, timed from its first to its last packet on one lcore:
//   drop      rte_eth_rx_burst + free: the plain DPDK receive-and-drop loop (the baseline)
//   driver    + mbufs -> Frames -> Driver (sw) submit/collect: decode, book, quote
//   risk      + the host loop's order manager and risk gate, venue counting only
//   venue     + the log venue writing JSON lines (to /dev/null)
//   split     the venue configuration with RX on this lcore and the rest on a second lcore,
//             mbufs through a Boost.Lockfree ring (needs -l 0-1; its cpu column is the RX lcore's)
// Differences between consecutive rows give the per-packet cost split. net_pcap reads the file
// with libpcap and copies every frame into an mbuf, which alone caps the rows above; so the same
// frames are also received from an in-memory net_ring port (rte_eth_from_ring: RX is a ring
// dequeue), copied into mbufs in chunks outside the timing, to show what the pipeline itself
// sustains on one lcore:
//   ring-drop, ring-driver, ring-risk, ring-venue   as drop, driver, risk and venue above
// Figures and the command: docs/performance.md.
// Usage: ttq_bench_dpdk [--events N] [--keep FILE] -- <EAL args>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <atomic>
#include <boost/lockfree/spsc_queue.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "ttq/capgen.hpp"
#include "ttq/host_loop.hpp"
#include "ttq/pcap_source.hpp"

namespace {

using namespace ttq;
constexpr std::uint16_t kBurst = 32;

// CPU time of this thread: on a machine shared with other work a polling lcore does not own its
// core, and wall time then counts the time others ran too. CPU time is what the lcore would take
// on a core of its own; both are reported.
std::uint64_t thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u +
         static_cast<std::uint64_t>(ts.tv_nsec);
}

struct Result {
  std::uint64_t packets = 0;
  std::uint64_t t0 = 0, t1 = 0;  // TSC of the first and last non-empty burst
  std::uint64_t cpu_ns = 0;      // thread CPU time over the same span
  double ns_per_packet() const {
    return packets ? static_cast<double>(t1 - t0) * 1e9 / static_cast<double>(rte_get_tsc_hz()) /
                         static_cast<double>(packets)
                   : 0.0;
  }
  double cpu_ns_per_packet() const {
    return packets ? static_cast<double>(cpu_ns) / static_cast<double>(packets) : 0.0;
  }
};

// Drains a port until it has been empty for 50 ms; `on_burst` handles (and frees) each burst.
// The CPU clock is read at the first burst and at the first empty poll after a busy spell (for
// net_pcap: the end of the file), so the idle wait is not counted.
template <typename F>
Result drain(std::uint16_t port, F&& on_burst) {
  Result r;
  rte_mbuf* m[kBurst];
  const std::uint64_t idle = rte_get_tsc_hz() / 20;
  std::uint64_t last = rte_rdtsc();
  std::uint64_t cpu0 = 0;
  bool busy = false;
  for (;;) {
    const std::uint16_t n = rte_eth_rx_burst(port, 0, m, kBurst);
    if (n == 0) {
      if (busy) {
        r.cpu_ns = thread_cpu_ns() - cpu0;
        busy = false;
      }
      if (r.packets && rte_rdtsc() - last > idle) break;
      if (!r.packets && rte_rdtsc() - last > 20 * idle) break;
      continue;
    }
    last = rte_rdtsc();
    if (r.packets == 0) {
      r.t0 = last;
      cpu0 = thread_cpu_ns();
    }
    busy = true;
    r.packets += n;
    on_burst(m, n);
    r.t1 = rte_rdtsc();
  }
  return r;
}

// The capture through a net_ring port: chunks of frames are copied into mbufs and enqueued on
// the port's ring (not timed), then drained with rx_burst and `on_burst` (timed: first to last
// burst of each chunk). The ring is empty again after each chunk, so the measured loop never
// waits on the fill.
template <typename F>
Result drain_ring(std::uint16_t port, rte_ring* ring, rte_mempool* pool, const std::string& cap,
                  F&& on_burst) {
  const unsigned chunk = rte_ring_free_count(ring);
  Result r;
  std::string err;
  auto src = PcapSource::open(cap, err);
  if (!src) {
    std::fprintf(stderr, "%s\n", err.c_str());
    return r;
  }
  std::uint64_t tsc = 0;
  Frame f{};
  for (;;) {
    unsigned filled = 0;
    while (filled < chunk && src->next(f)) {
      rte_mbuf* m = rte_pktmbuf_alloc(pool);
      if (m == nullptr) break;
      char* dst = rte_pktmbuf_append(m, static_cast<std::uint16_t>(f.len));
      if (dst == nullptr || rte_ring_enqueue(ring, m) != 0) {
        rte_pktmbuf_free(m);
        continue;
      }
      std::memcpy(dst, f.data, f.len);
      ++filled;
    }
    if (filled == 0) break;
    rte_mbuf* m[kBurst];
    const std::uint64_t cpu0 = thread_cpu_ns();
    const std::uint64_t t0 = rte_rdtsc();
    for (;;) {
      const std::uint16_t n = rte_eth_rx_burst(port, 0, m, kBurst);
      if (n == 0) break;
      r.packets += n;
      on_burst(m, n);
    }
    tsc += rte_rdtsc() - t0;
    r.cpu_ns += thread_cpu_ns() - cpu0;
  }
  r.t0 = 0;
  r.t1 = tsc;
  return r;
}

std::size_t to_frames(rte_mbuf** m, std::uint16_t n, Frame* f) {
  std::size_t k = 0;
  for (std::uint16_t i = 0; i < n; ++i) {
    if (m[i]->nb_segs != 1) continue;
    f[k].data = rte_pktmbuf_mtod(m[i], const std::uint8_t*);
    f[k].len = f[k].wire_len = rte_pktmbuf_pkt_len(m[i]);
    f[k].ts_ns = 0;
    f[k].bad_fcs = false;
    ++k;
  }
  return k;
}

// Host time of a burst (the order manager's clock, as in `ttq run` without NIC timestamps).
std::uint64_t now_ns() {
  return static_cast<std::uint64_t>(static_cast<double>(rte_rdtsc()) * 1e9 /
                                    static_cast<double>(rte_get_tsc_hz()));
}

bool setup_port(std::uint16_t p, rte_mempool* pool) {
  rte_eth_conf conf{};
  if (rte_eth_dev_configure(p, 1, 1, &conf) != 0) return false;
  if (rte_eth_rx_queue_setup(p, 0, 1024, 0, nullptr, pool) != 0) return false;
  if (rte_eth_tx_queue_setup(p, 0, 64, 0, nullptr) != 0) return false;
  return rte_eth_dev_start(p) == 0;
}

struct SplitCtx {
  boost::lockfree::spsc_queue<rte_mbuf*>* ring;
  HostLoop* loop;
  std::atomic<bool> done{false};
};

int split_worker(void* arg) {
  auto* s = static_cast<SplitCtx*>(arg);
  rte_mbuf* m[kBurst];
  Frame f[kBurst];
  for (;;) {
    const std::size_t n = s->ring->pop(m, kBurst);
    if (n == 0) {
      if (s->done.load(std::memory_order_acquire) && s->ring->read_available() == 0) break;
      continue;
    }
    const std::size_t k = to_frames(m, static_cast<std::uint16_t>(n), f);
    s->loop->on_burst({f, k}, now_ns());
    rte_pktmbuf_free_bulk(m, static_cast<unsigned>(n));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  int events = 300000;
  std::string keep;
  int i = 1;
  for (; i < argc; ++i) {
    if (std::strcmp(argv[i], "--") == 0) break;
    if (std::strcmp(argv[i], "--events") == 0 && i + 1 < argc) events = std::atoi(argv[++i]);
    else if (std::strcmp(argv[i], "--keep") == 0 && i + 1 < argc) keep = argv[++i];
  }
  const std::string cap = keep.empty() ? "/tmp/ttq_bench_dpdk.pcap" : keep;
  GenOptions g;
  g.seed = 7;
  g.events = events;
  g.instruments = 8;
  g.loss_a = g.loss_b = 0.001;
  const GenStats gs = generate_capture(g, cap, nullptr, nullptr);
  std::printf("capture %s: %llu frames, %llu book entries\n", cap.c_str(),
              static_cast<unsigned long long>(gs.frames),
              static_cast<unsigned long long>(gs.entries));

  const char* names[] = {"drop", "driver", "risk", "venue", "split"};
  constexpr int kPorts = 5;
  std::vector<std::string> args{"ttq_bench_dpdk"};
  for (int j = i + 1; j < argc; ++j) args.emplace_back(argv[j]);
  for (int p = 0; p < kPorts; ++p) args.push_back("--vdev=net_pcap" + std::to_string(p) +
                                                  ",rx_pcap=" + cap);
  args.emplace_back("--vdev=net_ring0");  // rings ETH_RXTX<queue>_net_ring0, filled here
  std::vector<char*> av;
  for (auto& a : args) av.push_back(a.data());
  if (rte_eal_init(static_cast<int>(av.size()), av.data()) < 0) {
    std::fprintf(stderr, "EAL init failed: %s\n", rte_strerror(rte_errno));
    return 1;
  }
  if (rte_eth_dev_count_avail() < kPorts) {
    std::fprintf(stderr, "expected %d net_pcap ports\n", kPorts);
    return 1;
  }
  rte_mempool* pool = rte_pktmbuf_pool_create("bench", 16383, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                              static_cast<int>(rte_socket_id()));
  if (!pool) {
    std::fprintf(stderr, "mbuf pool: %s\n", rte_strerror(rte_errno));
    return 1;
  }
  std::uint16_t port[kPorts];  // net_pcap<i>
  for (int p = 0; p < kPorts; ++p) {
    const std::string name = "net_pcap" + std::to_string(p);
    if (rte_eth_dev_get_port_by_name(name.c_str(), &port[p]) != 0 || !setup_port(port[p], pool)) {
      std::fprintf(stderr, "port %s setup failed\n", name.c_str());
      return 1;
    }
  }

  Result res[kPorts];
  // drop: the plain DPDK receive-and-drop loop.
  res[0] = drain(port[0], [](rte_mbuf** m, std::uint16_t n) { rte_pktmbuf_free_bulk(m, n); });
  // driver: decode, book and quote (submit + collect, records discarded).
  {
    std::string err;
    auto d = make_driver("sw", PipelineConfig{}, err);
    std::vector<QuoteRecord> recs(4096);
    Frame f[kBurst];
    res[1] = drain(port[1], [&](rte_mbuf** m, std::uint16_t n) {
      const std::size_t k = to_frames(m, n, f);
      d->submit({f, k});
      while (d->collect(recs) != 0) {
      }
      rte_pktmbuf_free_bulk(m, n);
    });
  }
  std::FILE* devnull = std::fopen("/dev/null", "w");
  auto host_loop = [&](std::FILE* orders) {
    HostLoopOptions o;
    o.orders_out = orders;
    std::string err;
    return HostLoop::create(o, err);
  };
  LoopResult lr[kPorts];
  for (int p = 2; p <= 3; ++p) {
    auto loop = host_loop(p == 3 ? devnull : nullptr);
    Frame f[kBurst];
    res[p] = drain(port[p], [&](rte_mbuf** m, std::uint16_t n) {
      const std::size_t k = to_frames(m, n, f);
      loop->on_burst({f, k}, now_ns());
      rte_pktmbuf_free_bulk(m, n);
      loop->between_bursts();
    });
    loop->finish();
    lr[p] = loop->result();
  }
  // split: RX here, the host loop with the log venue on the next lcore.
  const unsigned worker = rte_get_next_lcore(rte_lcore_id(), 1, 0);
  bool split_ran = false;
  if (worker < RTE_MAX_LCORE) {
    auto loop = host_loop(devnull);
    boost::lockfree::spsc_queue<rte_mbuf*> ring(4096);
    SplitCtx s{&ring, loop.get()};
    rte_eal_remote_launch(split_worker, &s, worker);
    res[4] = drain(port[4], [&](rte_mbuf** m, std::uint16_t n) {
      std::size_t done = 0;
      while (done < n) done += ring.push(m + done, n - done);
    });
    s.done.store(true, std::memory_order_release);
    rte_eal_wait_lcore(worker);
    res[4].t1 = rte_rdtsc();  // until the pipeline lcore has finished too
    loop->finish();
    lr[4] = loop->result();
    split_ran = true;
  }

  // The same configurations from memory (net_ring).
  constexpr int kRing = 4;
  const char* ring_names[kRing] = {"ring-drop", "ring-driver", "ring-risk", "ring-venue"};
  Result rres[kRing];
  LoopResult rloop;
  bool ring_ran = false;
  std::uint16_t rp = 0;
  rte_mempool* ring_pool =
      rte_pktmbuf_pool_create("bench_ring", 8192 + 512, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                              static_cast<int>(rte_socket_id()));
  const bool have_ring = ring_pool && rte_eth_dev_get_port_by_name("net_ring0", &rp) == 0 &&
                         setup_port(rp, ring_pool);
  rte_ring* ring = have_ring ? rte_ring_lookup("ETH_RXTX0_net_ring0") : nullptr;
  if (ring != nullptr) {
    rres[0] = drain_ring(rp, ring, ring_pool, cap,
                         [](rte_mbuf** m, std::uint16_t n) { rte_pktmbuf_free_bulk(m, n); });
    {
      std::string err;
      auto d = make_driver("sw", PipelineConfig{}, err);
      std::vector<QuoteRecord> recs(4096);
      Frame f[kBurst];
      rres[1] = drain_ring(rp, ring, ring_pool, cap, [&](rte_mbuf** m, std::uint16_t n) {
        const std::size_t k = to_frames(m, n, f);
        d->submit({f, k});
        while (d->collect(recs) != 0) {
        }
        rte_pktmbuf_free_bulk(m, n);
      });
    }
    for (int p = 2; p <= 3; ++p) {  // ring-risk (venue counts only), ring-venue (log JSON)
      auto loop = host_loop(p == 3 ? devnull : nullptr);
      Frame f[kBurst];
      rres[p] = drain_ring(rp, ring, ring_pool, cap, [&](rte_mbuf** m, std::uint16_t n) {
        const std::size_t k = to_frames(m, n, f);
        loop->on_burst({f, k}, now_ns());
        rte_pktmbuf_free_bulk(m, n);
        loop->between_bursts();
      });
      loop->finish();
      rloop = loop->result();
    }
    ring_ran = true;
    rte_eth_dev_stop(rp);
    rte_eth_dev_close(rp);
  } else {
    std::fprintf(stderr, "net_ring port not available: ring rows skipped\n");
  }

  std::printf("%-11s %10s %9s %7s %8s %9s %7s %8s\n", "config", "packets", "ns/pkt", "Mpps",
              "vs drop", "cpu ns", "Mpps", "vs drop");
  auto row = [](const char* name, const Result& r, const Result& base) {
    const double ns = r.ns_per_packet(), cpu = r.cpu_ns_per_packet();
    std::printf("%-11s %10llu %9.1f %7.2f %7.2fx %9.1f %7.2f %7.2fx\n", name,
                static_cast<unsigned long long>(r.packets), ns, ns > 0 ? 1e3 / ns : 0.0,
                base.ns_per_packet() > 0 ? ns / base.ns_per_packet() : 0.0, cpu,
                cpu > 0 ? 1e3 / cpu : 0.0,
                base.cpu_ns_per_packet() > 0 ? cpu / base.cpu_ns_per_packet() : 0.0);
  };
  for (int p = 0; p < kPorts; ++p) {
    if (p == 4 && !split_ran) {
      std::printf("%-11s (needs a second lcore: -l 0-1)\n", names[p]);
      continue;
    }
    row(names[p], res[p], res[0]);
  }
  const double rx = res[0].cpu_ns_per_packet();
  std::printf("cost split per packet, cpu: RX %.1f ns, decode+book+quote %.1f ns, risk (order "
              "manager + gate) %.1f ns, venue (log JSON) %.1f ns\n",
              rx, res[1].cpu_ns_per_packet() - rx,
              res[2].cpu_ns_per_packet() - res[1].cpu_ns_per_packet(),
              res[3].cpu_ns_per_packet() - res[2].cpu_ns_per_packet());
  if (ring_ran) {
    for (int p = 0; p < kRing; ++p) row(ring_names[p], rres[p], rres[0]);
    std::printf("from memory, cpu: RX %.1f ns, decode+book+quote %.1f ns, risk (order manager + "
                "gate) %.1f ns, venue (log JSON) %.1f ns per packet (ring-venue: quotes %llu, orders "
                "%llu)\n",
                rres[0].cpu_ns_per_packet(),
                rres[1].cpu_ns_per_packet() - rres[0].cpu_ns_per_packet(),
                rres[2].cpu_ns_per_packet() - rres[1].cpu_ns_per_packet(),
                rres[3].cpu_ns_per_packet() - rres[2].cpu_ns_per_packet(),
                static_cast<unsigned long long>(rloop.pipeline.quotes),
                static_cast<unsigned long long>(rloop.venue_sent));
  }
  std::printf("quotes %llu, orders %llu (risk rejections %llu); peak RSS %ld KiB\n",
              static_cast<unsigned long long>(lr[3].pipeline.quotes),
              static_cast<unsigned long long>(lr[3].venue_sent),
              static_cast<unsigned long long>(lr[3].risk.rejected_total), peak_rss_kb());
  std::fclose(devnull);
  for (int p = 0; p < kPorts; ++p) {
    rte_eth_dev_stop(port[p]);
    rte_eth_dev_close(port[p]);
  }
  rte_eal_cleanup();
  if (keep.empty()) std::remove(cap.c_str());
  return 0;
}
