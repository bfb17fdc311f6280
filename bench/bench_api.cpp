// Operator API under load (docs/performance.md, "Operator API"): the fast path's packet rate over
// one pass of a generated capture with and without client threads hammering the API, and the
// API's request latency (p50/p99/max) under that load. The loop thread is pinned to the last CPU,
// the API's threads are kept off it (HttpServerOptions::avoid_cpus), as `ttq run` does.
//   ttq_bench_api [EVENTS=1000000] [CLIENT_THREADS=4]
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "ttq/api/api_server.hpp"
#include "ttq/api/signing.hpp"
#include "ttq/capgen.hpp"
#include "ttq/control.hpp"
#include "ttq/host_loop.hpp"
#include "ttq/pcap_source.hpp"

using namespace ttq;
using Clock = std::chrono::steady_clock;

namespace {

struct Captured {
  std::vector<std::vector<std::uint8_t>> bytes;
  std::vector<Frame> frames;
};

void pin(int cpu) {
  cpu_set_t s;
  CPU_ZERO(&s);
  CPU_SET(static_cast<unsigned>(cpu), &s);
  pthread_setaffinity_np(pthread_self(), sizeof s, &s);
}

// One pass of the capture through a fresh HostLoop on `cpu`; returns frames per second. The loop
// services `ch` between bursts, as `ttq run` does.
// With `phase`: sets 1 when ready, waits 200 ms, measures, publishes the rate in `measured` and
// sets 2, then keeps servicing the channel until the caller sets 3.
double run_pass(const Captured& cap, ControlChannel& ch, int cpu, std::atomic<int>* phase,
                std::atomic<double>* measured) {
  double rate = 0;
  std::thread t([&] {
    pin(cpu);
    HostLoopOptions o;
    o.control = &ch;
    std::string err;
    auto loop = HostLoop::create(o, err);
    if (!loop) std::abort();
    if (phase) {
      phase->store(1);
      const auto until = Clock::now() + std::chrono::milliseconds(200);  // clients get going
      while (Clock::now() < until) loop->between_bursts();
    }
    const auto t0 = Clock::now();
    for (std::size_t i = 0; i < cap.frames.size(); i += 32) {
      const std::size_t n = std::min<std::size_t>(32, cap.frames.size() - i);
      loop->on_burst(std::span<const Frame>(&cap.frames[i], n), cap.frames[i + n - 1].ts_ns);
      loop->between_bursts();
    }
    loop->finish();
    rate = static_cast<double>(cap.frames.size()) /
           std::chrono::duration<double>(Clock::now() - t0).count();
    // Keep serving the control channel until the clients stop (they may be mid-request).
    if (phase) {
      measured->store(rate);
      phase->store(2);
      while (phase->load() != 3) {
        loop->between_bursts();
        std::this_thread::sleep_for(std::chrono::microseconds(50));
      }
    }
  });
  t.join();
  return rate;
}

}  // namespace

int main(int argc, char** argv) {
  const int events = argc > 1 ? std::atoi(argv[1]) : 1'000'000;
  const int clients = argc > 2 ? std::atoi(argv[2]) : 4;
  const int ncpu = static_cast<int>(std::thread::hardware_concurrency());
  const int loop_cpu = ncpu - 1;
  const std::string dir = (std::filesystem::temp_directory_path() /
                           ("ttq-bench-api-" + std::to_string(::getpid())))
                              .string();
  std::filesystem::create_directories(dir);

  GenOptions g;
  g.seed = 5;
  g.instruments = 8;
  g.events = events;
  generate_capture(g, dir + "/c.pcap", nullptr, nullptr);
  Captured cap;
  std::string err;
  auto src = PcapSource::open(dir + "/c.pcap", err);
  Frame f;
  while (src->next(f)) {
    cap.bytes.emplace_back(f.data, f.data + f.len);
    f.data = cap.bytes.back().data();
    cap.frames.push_back(f);
  }
  for (std::size_t i = 0; i < cap.frames.size(); ++i) cap.frames[i].data = cap.bytes[i].data();

  // Baseline: no API traffic (the channel is serviced but empty).
  double base = 0;
  for (int i = 0; i < 3; ++i) {
    ControlChannel ch;
    base = std::max(base, run_pass(cap, ch, loop_cpu, nullptr, nullptr));
  }

  // Under load.
  ControlChannel ch;
  api::IssuedSecret admin;
  api::KeyStore::init_file(dir + "/keys", static_cast<api::ScopeSet>(api::Scope::kAdmin), 0,
                           admin, err);
  api::ApiServer server(&ch);
  api::ApiOptions ao;
  ao.keys_file = dir + "/keys";
  ao.audit_file = dir + "/audit.jsonl";
  ao.http.avoid_cpus = {loop_cpu};
  ao.log = [](const std::string&) {};
  if (!server.start(ao, err)) {
    std::fprintf(stderr, "%s\n", err.c_str());
    return 1;
  }
  // An operator key with read + trade, created directly in the store.
  api::IssuedSecret op;
  server.keys().create(3, 0, 0, op, err);
  api::Secret secret{};
  api::decode_secret(op.secret_b64, secret);

  std::atomic<bool> started{false}, stop{false};
  std::vector<std::vector<double>> lat(static_cast<std::size_t>(clients));
  std::vector<std::thread> ts;
  std::atomic<std::uint64_t> failed{0};
  for (int c = 0; c < clients; ++c) {
    ts.emplace_back([&, c] {
      // Clients stay off the loop's CPU too (on a real host they are other machines).
      if (ncpu > 1) {
        cpu_set_t set;
        CPU_ZERO(&set);
        for (int cpu = 0; cpu < loop_cpu; ++cpu) CPU_SET(static_cast<unsigned>(cpu), &set);
        pthread_setaffinity_np(pthread_self(), sizeof set, &set);
      }
      while (!started.load()) std::this_thread::yield();
      api::HttpClient cl;
      api::HttpClient::Options co;
      co.port = server.port();
      if (!cl.connect(co, err)) std::abort();
      for (std::uint64_t i = 0; !stop.load(); ++i) {
        const bool put = i % 4 == 3;
        const std::string method = put ? "PUT" : "GET";
        const std::string path = put ? "/v1/params" : (i % 4 == 0 ? "/v1/metrics" : "/v1/status");
        const std::string body = put ? "{\"quoter.order_size\":" + std::to_string(1 + i % 3) + "}"
                                     : "";
        const std::string tsv = std::to_string(
            std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count());
        const std::string nonce = api::new_nonce();
        const auto t0 = Clock::now();
        const std::string sig = api::sign_request(secret, tsv, nonce, method, path, "", body);
        int status = 0;
        std::string resp, e;
        const bool ok = cl.request(method, path,
                                   {{"TTQ-Key-Id", op.id},
                                    {"TTQ-Timestamp", tsv},
                                    {"TTQ-Nonce", nonce},
                                    {"TTQ-Signature", sig}},
                                   body, status, resp, e);
        lat[static_cast<std::size_t>(c)].push_back(
            std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
        if (!ok || status != 200) ++failed;
      }
    });
  }
  std::atomic<int> phase{0};
  std::atomic<double> measured{0};
  std::thread loop_thread([&] { run_pass(cap, ch, loop_cpu, &phase, &measured); });
  while (phase.load() < 1) std::this_thread::yield();
  started = true;
  while (phase.load() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  stop = true;
  for (auto& t : ts) t.join();
  phase = 3;
  loop_thread.join();
  const double loaded = measured.load();
  server.stop();
  std::vector<double> all;
  for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) {
    return all.empty() ? 0.0 : all[std::min(all.size() - 1, static_cast<std::size_t>(p * static_cast<double>(all.size())))];
  };
  const api::ApiCounters ac = server.counters();
  std::printf("frames per pass          %zu\n", cap.frames.size());
  std::printf("fast path, no API load   %.3f Mframes/s (best of 3)\n", base / 1e6);
  std::printf("fast path, API load      %.3f Mframes/s (%d client threads)  %+.1f%%\n",
              loaded / 1e6, clients, (loaded / base - 1) * 100);
  std::printf("API requests             %zu (failed %llu), %llu control tasks on the loop\n",
              all.size(), static_cast<unsigned long long>(failed.load()),
              static_cast<unsigned long long>(ac.tasks_run));
  std::printf("API latency us           p50 %.1f  p99 %.1f  max %.1f\n", pct(0.50), pct(0.99),
              all.empty() ? 0.0 : all.back());
  std::filesystem::remove_all(dir);
  return 0;
}
