// `ttq run`'s frame source: DPDK ports (NICs or virtual devices) polled in bursts of 32, mbufs
// turned into Frames (chained ones linearised into a preallocated scratch) and handed to the host
// loop -- on the same lcore (run to completion) or through an SPSC ring to a pipeline lcore
// (split). Nothing on the per-packet path allocates, locks or throws.
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_mempool.h>
#include <rte_version.h>

#include <boost/lockfree/spsc_queue.hpp>
#include <cstring>
#include <ctime>
#include <fmt/format.h>
#include <memory>

#include "ttq/run.hpp"

namespace ttq {

namespace {

constexpr std::uint16_t kBurst = 32;
constexpr std::uint32_t kMaxFrame = 16384;  // a chained (jumbo) frame is linearised up to this

struct RxQueue {
  std::uint16_t port;
  std::uint16_t queue;
  std::uint32_t ts_scale;  // NIC timestamp unit in ns (0: not trusted, host time instead)
};

// Host time in ns since the epoch from the TSC (one rdtsc per burst).
struct HostClock {
  std::uint64_t base_ns = 0, base_tsc = 0, hz = 1;
  void init() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    base_tsc = rte_rdtsc();
    base_ns = static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ull +
              static_cast<std::uint64_t>(ts.tv_nsec);
    hz = rte_get_tsc_hz();
    if (hz == 0) hz = 1;
  }
  std::uint64_t ns(std::uint64_t tsc) const {
    __extension__ typedef unsigned __int128 u128;
    const u128 d = static_cast<u128>(tsc - base_tsc) * 1'000'000'000u;
    return base_ns + static_cast<std::uint64_t>(d / hz);
  }
};

// Where each frame's timestamp comes from: the NIC's (when the port gives one in a known unit)
// or the host clock at the burst's receipt, both carried in the mbuf's timestamp dynfield in ns.
struct Stamp {
  int offset = -1;
  std::uint64_t flag = 0;
  HostClock clock;
  std::uint64_t& field(rte_mbuf* m) const {
    return *RTE_MBUF_DYNFIELD(m, offset, std::uint64_t*);
  }
  // RX side: NIC stamps are scaled to ns; frames without a usable one get the host time of this
  // burst.
  void stamp(rte_mbuf** m, std::uint16_t n, std::uint32_t scale) const {
    const std::uint64_t now = clock.ns(rte_rdtsc());
    for (std::uint16_t i = 0; i < n; ++i) {
      if (scale != 0 && (m[i]->ol_flags & flag) != 0) {
        field(m[i]) *= scale;
      } else {
        field(m[i]) = now;
        m[i]->ol_flags |= flag;
      }
    }
  }
};

// The mbufs of a burst as Frames.
class BurstFrames {
 public:
  BurstFrames() : scratch_(new std::uint8_t[kBurst * kMaxFrame]) {}
  // Returns how many frames were built (oversize ones are counted and left out).
  std::size_t build(rte_mbuf* const* m, std::uint16_t n, const Stamp& st, SourceCounters& sc) {
    std::size_t k = 0;
    for (std::uint16_t i = 0; i < n; ++i) {
      rte_mbuf* mb = m[i];
      const std::uint32_t len = rte_pktmbuf_pkt_len(mb);
      ++sc.rx_packets;
      sc.rx_bytes += len;
      Frame& f = frames_[k];
      if (mb->nb_segs == 1) {
        f.data = rte_pktmbuf_mtod(mb, const std::uint8_t*);
      } else if (len <= kMaxFrame) {
        std::uint8_t* dst = scratch_.get() + k * kMaxFrame;
        f.data = static_cast<const std::uint8_t*>(rte_pktmbuf_read(mb, 0, len, dst));
        if (f.data == nullptr) {
          ++sc.oversize;
          continue;
        }
      } else {
        ++sc.oversize;
        continue;
      }
      f.len = len;
      f.wire_len = len;
      f.ts_ns = st.field(mb);
      f.bad_fcs = false;
      ++k;
    }
    return k;
  }
  std::span<const Frame> frames(std::size_t n) const { return {frames_, n}; }
  const Frame& at(std::size_t i) const { return frames_[i]; }

 private:
  Frame frames_[kBurst]{};
  std::unique_ptr<std::uint8_t[]> scratch_;
};

struct Ports {
  std::vector<std::uint16_t> ids;
  std::vector<RxQueue> queues;
  rte_mempool* pool = nullptr;
  Stamp stamp;
  bool nic_ts = false;

  void refresh_stats(SourceCounters& sc) const {
    std::uint64_t missed = 0, errors = 0;
    for (std::uint16_t p : ids) {
      rte_eth_stats s{};
      if (rte_eth_stats_get(p, &s) == 0) {
        missed += s.imissed;
        errors += s.ierrors + s.rx_nombuf;
      }
    }
    sc.rx_missed = missed;
    sc.rx_errors = errors;
  }
  void stop() {
    for (std::uint16_t p : ids) {
      rte_eth_dev_stop(p);
      rte_eth_dev_close(p);
    }
    ids.clear();
  }
};

bool g_eal_ready = false;

bool init_eal(const std::vector<std::string>& args, std::string& error) {
  if (g_eal_ready) return true;
  std::vector<std::string> store;
  store.reserve(args.size() + 1);
  store.emplace_back("ttq");
  for (const auto& a : args) store.push_back(a);
  std::vector<char*> argv;
  for (auto& s : store) argv.push_back(s.data());
  argv.push_back(nullptr);
  const int rc = rte_eal_init(static_cast<int>(store.size()), argv.data());
  if (rc < 0) {
    error = fmt::format(
        "DPDK EAL init failed: {} (check the EAL arguments after '--'; without hugepages or a "
        "NIC use e.g. --no-huge --no-pci -m 256 --no-shconf --vdev=net_pcap0,rx_pcap=FILE)",
        rte_strerror(rte_errno));
    return false;
  }
  g_eal_ready = true;
  return true;
}

bool setup_ports(const RunConfig& rc, Ports& ports, std::string& error) {
  const std::uint16_t avail = rte_eth_dev_count_avail();
  if (avail == 0) {
    error =
        "no DPDK port: no NIC is bound to a DPDK driver and no --vdev probed (a vdev whose "
        "arguments are wrong is not an EAL error: check the --vdev string and that its files / "
        "interfaces exist)";
    return false;
  }
  if (rc.ports.empty()) {
    for (std::uint32_t p = 0; p < RTE_MAX_ETHPORTS; ++p) {
      if (rte_eth_dev_is_valid_port(static_cast<std::uint16_t>(p))) {
        ports.ids.push_back(static_cast<std::uint16_t>(p));
      }
    }
  } else {
    for (std::uint16_t p : rc.ports) {
      if (!rte_eth_dev_is_valid_port(p)) {
        error = fmt::format("config key 'run.ports': DPDK port {} does not exist ({} port(s) "
                            "available: 0..{})",
                            p, avail, avail - 1);
        return false;
      }
      ports.ids.push_back(p);
    }
  }
  const std::size_t nq = ports.ids.size() * rc.queues;
  const std::size_t need = nq * rc.rx_descriptors + (rc.split ? rc.split_ring : 0) + 2 * kBurst +
                           512;
  if (rc.mbufs < need) {
    error = fmt::format("config key 'run.mbufs' = {} is too small: {} RX queue(s) x {} "
                        "descriptors{} need at least {}",
                        rc.mbufs, nq, rc.rx_descriptors,
                        rc.split ? fmt::format(" + split_ring {}", rc.split_ring) : "", need);
    return false;
  }
  ports.pool = rte_pktmbuf_pool_create("ttq_rx", rc.mbufs, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                       static_cast<int>(rte_socket_id()));
  if (!ports.pool) {
    error = fmt::format("cannot create the mbuf pool ({} mbufs): {} (give the EAL more memory, "
                        "e.g. -m 512, or lower run.mbufs)",
                        rc.mbufs, rte_strerror(rte_errno));
    return false;
  }
  if (rte_mbuf_dyn_rx_timestamp_register(&ports.stamp.offset, &ports.stamp.flag) != 0) {
    error = fmt::format("cannot register the mbuf timestamp field: {}", rte_strerror(rte_errno));
    return false;
  }
  ports.stamp.clock.init();
  bool all_nic_ts = true;
  for (std::uint16_t p : ports.ids) {
    rte_eth_dev_info info{};
    if (rte_eth_dev_info_get(p, &info) != 0) {
      error = fmt::format("DPDK port {}: cannot read its device info", p);
      return false;
    }
    rte_eth_conf conf{};
    // net_pcap stamps every frame with the capture's time in microseconds (DPDK 22.11): the time
    // a replay of the same file sees (exactly, for a microsecond capture), so risk rate limits
    // and order timestamps match too. Other devices' timestamp units are device-specific: host
    // time is used for them.
    const bool pcap = std::strcmp(info.driver_name, "net_pcap") == 0;
    const std::uint32_t scale = pcap ? 1000u : 0u;
    if (!pcap) all_nic_ts = false;
    if (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER) {
      conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_SCATTER;  // jumbo frames arrive chained
    }
    if (rc.queues > info.max_rx_queues) {
      error = fmt::format("config key 'run.queues' = {}: DPDK port {} ({}) has at most {} RX "
                          "queue(s)",
                          rc.queues, p, info.driver_name, info.max_rx_queues);
      return false;
    }
    int r = rte_eth_dev_configure(p, rc.queues, 1, &conf);
    if (r != 0) {
      error = fmt::format("DPDK port {} ({}): configure failed: {}", p, info.driver_name,
                          rte_strerror(-r));
      return false;
    }
    std::uint16_t nrx = rc.rx_descriptors, ntx = 64;
    rte_eth_dev_adjust_nb_rx_tx_desc(p, &nrx, &ntx);
    const unsigned socket = static_cast<unsigned>(rte_eth_dev_socket_id(p) < 0
                                                      ? 0
                                                      : rte_eth_dev_socket_id(p));
    for (std::uint16_t q = 0; q < rc.queues; ++q) {
      r = rte_eth_rx_queue_setup(p, q, nrx, socket, nullptr, ports.pool);
      if (r != 0) {
        error = fmt::format("DPDK port {} RX queue {}: setup failed: {}", p, q, rte_strerror(-r));
        return false;
      }
      ports.queues.push_back(RxQueue{p, q, scale});
    }
    r = rte_eth_tx_queue_setup(p, 0, ntx, socket, nullptr);
    if (r != 0) {
      error = fmt::format("DPDK port {} TX queue: setup failed: {}", p, rte_strerror(-r));
      return false;
    }
    r = rte_eth_dev_start(p);
    if (r != 0) {
      error = fmt::format("DPDK port {} ({}): start failed: {}", p, info.driver_name,
                          rte_strerror(-r));
      return false;
    }
    // Multicast lines: take every frame the port sees; the L2-L4 stage filters by line.
    (void)rte_eth_promiscuous_enable(p);
    (void)rte_eth_allmulticast_enable(p);
  }
  ports.nic_ts = all_nic_ts;
  return true;
}

struct Runner {
  const RunOptions& opt;
  HostLoop& loop;
  Ports& ports;
  BurstFrames bf;
  std::uint64_t idle_tsc = 0;

  bool stopping() const { return opt.stop && opt.stop->load(std::memory_order_relaxed); }

  void process(rte_mbuf** mbufs, std::uint16_t n) {
    SourceCounters& sc = loop.source();
    const std::size_t nf = bf.build(mbufs, n, ports.stamp, sc);
    if (nf) loop.on_burst(bf.frames(nf), bf.at(nf - 1).ts_ns);
    rte_pktmbuf_free_bulk(mbufs, n);
  }

  // Run to completion: RX, pipeline, risk and venue on this lcore.
  void rtc() {
    SourceCounters& sc = loop.source();
    rte_mbuf* mbufs[kBurst];
    const std::uint64_t hz = rte_get_tsc_hz();
    std::uint64_t last_pkt = rte_rdtsc(), next_stats = last_pkt + hz;
    while (!stopping()) {
      bool any = false;
      for (const RxQueue& q : ports.queues) {
        const std::uint16_t n = rte_eth_rx_burst(q.port, q.queue, mbufs, kBurst);
        ++sc.polls;
        if (n == 0) {
          ++sc.empty_polls;
          continue;
        }
        any = true;
        ports.stamp.stamp(mbufs, n, q.ts_scale);
        process(mbufs, n);
        loop.between_bursts();
      }
      if (!any) {
        loop.between_bursts();
        const std::uint64_t now = rte_rdtsc();
        if (now > next_stats) {
          ports.refresh_stats(sc);
          next_stats = now + hz;
        }
        if (idle_tsc && now - last_pkt > idle_tsc) break;
      } else if (idle_tsc || (sc.polls & 1023u) == 0) {
        last_pkt = rte_rdtsc();
        if (last_pkt > next_stats) {
          ports.refresh_stats(sc);
          next_stats = last_pkt + hz;
        }
      }
    }
  }

  // Split: this (main) lcore receives and hands mbufs over the ring; a worker lcore runs the
  // pipeline, risk, venue and the control seam.
  using Ring = boost::lockfree::spsc_queue<rte_mbuf*>;
  struct Split {
    Runner* self;
    Ring* ring;
    std::atomic<bool> rx_done{false};
  };

  static int worker_main(void* arg) {
    auto* s = static_cast<Split*>(arg);
    Runner& r = *s->self;
    rte_mbuf* mbufs[kBurst];
    for (;;) {
      const std::size_t n = s->ring->pop(mbufs, kBurst);
      if (n == 0) {
        r.loop.between_bursts();
        if (s->rx_done.load(std::memory_order_acquire) && s->ring->read_available() == 0) break;
        rte_pause();
        continue;
      }
      r.process(mbufs, static_cast<std::uint16_t>(n));
      r.loop.between_bursts();
    }
    return 0;
  }

  bool split(std::string& error) {
    const unsigned worker = rte_get_next_lcore(rte_lcore_id(), 1, 0);
    if (worker >= RTE_MAX_LCORE) {
      error = "run.mode = \"split\" needs two lcores: give the EAL e.g. -l 0-1";
      return false;
    }
    Ring ring(opt.config.run.split_ring);
    Split s{this, &ring};
    if (rte_eal_remote_launch(&Runner::worker_main, &s, worker) != 0) {
      error = fmt::format("cannot launch the pipeline on lcore {}", worker);
      return false;
    }
    SourceCounters& sc = loop.source();
    rte_mbuf* mbufs[kBurst];
    std::uint64_t last_pkt = rte_rdtsc();
    std::uint64_t polls = 0, empty = 0, full = 0;  // the worker owns sc: merged at the end
    while (!stopping()) {
      bool any = false;
      for (const RxQueue& q : ports.queues) {
        const std::uint16_t n = rte_eth_rx_burst(q.port, q.queue, mbufs, kBurst);
        ++polls;
        if (n == 0) {
          ++empty;
          continue;
        }
        any = true;
        ports.stamp.stamp(mbufs, n, q.ts_scale);
        std::size_t done = ring.push(mbufs, n);
        if (done < n) ++full;
        // Back-pressure: wait for the pipeline rather than drop (the NIC counts what it misses).
        while (done < n && !stopping()) done += ring.push(mbufs + done, n - done);
        if (done < n) rte_pktmbuf_free_bulk(mbufs + done, static_cast<unsigned>(n - done));
      }
      const std::uint64_t now = rte_rdtsc();
      if (any) {
        last_pkt = now;
      } else if (idle_tsc && now - last_pkt > idle_tsc) {
        break;
      }
    }
    s.rx_done.store(true, std::memory_order_release);
    rte_eal_wait_lcore(worker);
    sc.polls += polls;
    sc.empty_polls += empty;
    sc.ring_full += full;
    return true;
  }
};

}  // namespace

bool run_dpdk(const RunOptions& opt, LoopResult& out, std::string& error) {
  HostLoopOptions lo;
  lo.backend = opt.backend;
  lo.config = opt.config;
  lo.quotes_out = opt.quotes_out;
  lo.orders_out = opt.orders_out;
  lo.control = opt.control;
  lo.status_out = opt.config.run.status_ms ? opt.status_out : nullptr;
  lo.status_every = std::chrono::milliseconds(opt.config.run.status_ms);
  // The Driver first: a missing card or backend fails before the NIC is touched.
  auto loop = HostLoop::create(lo, error);
  if (!loop) return false;
  if (opt.before_eal && !opt.before_eal(error)) return false;
  if (!init_eal(opt.eal_args, error)) return false;

  Ports ports;
  if (!setup_ports(opt.config.run, ports, error)) {
    ports.stop();
    return false;
  }
  if (opt.status_out) {
    std::string list;
    for (const RxQueue& q : ports.queues) list += fmt::format(" {}:{}", q.port, q.queue);
    std::fprintf(opt.status_out,
                 "ttq run: backend %s, %s on lcore %u, receiving on port:queue%s, %s timestamps\n",
                 opt.backend.c_str(), opt.config.run.split ? "split" : "run-to-completion",
                 rte_lcore_id(), list.c_str(), ports.nic_ts ? "capture (net_pcap)" : "host");
    std::fflush(opt.status_out);
  }
  Runner r{opt, *loop, ports, {}, 0};
  r.idle_tsc = static_cast<std::uint64_t>(opt.idle_exit_ms) * rte_get_tsc_hz() / 1000u;
  bool ok = true;
  if (opt.config.run.split) {
    ok = r.split(error);
  } else {
    r.rtc();
  }
  loop->finish();
  ports.refresh_stats(loop->source());
  out = loop->result();
  ports.stop();
  return ok;
}

}  // namespace ttq
