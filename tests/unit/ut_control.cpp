// Unit tests of the control seam (host/src/control.cpp) with real threads: a task runs on the loop
// thread, a task that times out never runs, a full queue refuses at once, and under a race between
// timeouts and the loop every execute() that returned true ran exactly once and no other did.
// Also the Engine a task sees through a real HostLoop (host/src/host_loop.cpp).

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

#include "ttq/control.hpp"
#include "ttq/host_loop.hpp"

using namespace std::chrono_literals;
using ttq::ControlChannel;
using ttq::ControlTask;
using ttq::Engine;

namespace {

struct FnTask final : ControlTask {
  explicit FnTask(std::function<void(Engine&)> f) : fn(std::move(f)) {}
  void run(Engine& e) override { fn(e); }
  std::function<void(Engine&)> fn;
};

std::shared_ptr<ControlTask> task(std::function<void(Engine&)> f) {
  return std::make_shared<FnTask>(std::move(f));
}

// A real host loop (software backend, default config) to hand tasks a real Engine.
std::unique_ptr<ttq::HostLoop> make_loop(ControlChannel* ch) {
  ttq::HostLoopOptions o;
  o.control = ch;
  std::string err;
  auto loop = ttq::HostLoop::create(o, err);
  REQUIRE(loop);
  return loop;
}

// Calls between_bursts() until told to stop (the loop thread).
struct LoopThread {
  explicit LoopThread(ttq::HostLoop& l, std::chrono::microseconds pause = 0us)
      : t([this, &l, pause] {
          id = std::this_thread::get_id();
          ready = true;
          while (!stop.load()) {
            l.between_bursts();
            if (pause.count()) std::this_thread::sleep_for(pause);
          }
        }) {
    while (!ready.load()) std::this_thread::yield();
  }
  ~LoopThread() {
    stop = true;
    t.join();
  }
  std::atomic<bool> stop{false}, ready{false};
  std::thread::id id;
  std::thread t;
};

}  // namespace

TEST_CASE("control: a task runs on the loop thread and sees the engine", "[control]") {
  ControlChannel ch;
  auto loop = make_loop(&ch);
  LoopThread lt(*loop);
  std::thread::id ran_on;
  ttq::KillState seen = ttq::KillState::kActive;
  const bool ok = ch.execute(task([&](Engine& e) {
                               ran_on = std::this_thread::get_id();
                               e.risk.set_kill(ttq::KillState::kHalted);
                               e.driver.set_kill(true);
                               e.orders.cancel_all(e.now_ns);
                               seen = e.risk.kill();
                               CHECK(e.backend == "sw");
                             }),
                             2000ms);
  REQUIRE(ok);
  CHECK(ran_on == lt.id);
  CHECK(ran_on != std::this_thread::get_id());
  CHECK(seen == ttq::KillState::kHalted);
  CHECK(ch.executed() == 1);
  CHECK(ch.timed_out() == 0);
}

TEST_CASE("control: a task the loop does not reach in time never runs", "[control]") {
  ControlChannel ch;
  auto loop = make_loop(&ch);
  bool ran = false;
  const auto t0 = std::chrono::steady_clock::now();
  CHECK_FALSE(ch.execute(task([&](Engine&) { ran = true; }), 30ms));
  const auto waited = std::chrono::steady_clock::now() - t0;
  CHECK(waited >= 30ms);
  CHECK(ch.timed_out() == 1);
  // The loop reaches its safe point afterwards: the cancelled task is dropped unrun.
  loop->between_bursts();
  CHECK_FALSE(ran);
  CHECK(ch.executed() == 0);
  // The channel still works.
  LoopThread lt(*loop);
  CHECK(ch.execute(task([&](Engine&) { ran = true; }), 2000ms));
  CHECK(ran);
}

TEST_CASE("control: a full queue refuses at once and the refused task never runs", "[control]") {
  ControlChannel ch(2);
  auto loop = make_loop(&ch);
  std::atomic<int> runs{0};
  // Two tasks time out but stay queued (cancelled) until the loop pops them: the queue is full.
  CHECK_FALSE(ch.execute(task([&](Engine&) { ++runs; }), 5ms));
  CHECK_FALSE(ch.execute(task([&](Engine&) { ++runs; }), 5ms));
  const auto t0 = std::chrono::steady_clock::now();
  CHECK_FALSE(ch.execute(task([&](Engine&) { ++runs; }), 5000ms));
  CHECK(std::chrono::steady_clock::now() - t0 < 1000ms);  // refused, not waited for
  CHECK(ch.rejected_full() == 1);
  CHECK(ch.timed_out() == 2);
  loop->between_bursts();
  CHECK(runs == 0);
  LoopThread lt(*loop);
  CHECK(ch.execute(task([&](Engine&) { ++runs; }), 2000ms));
  CHECK(runs == 1);
}

TEST_CASE("control: a throwing task is counted, the loop goes on", "[control]") {
  ControlChannel ch;
  auto loop = make_loop(&ch);
  LoopThread lt(*loop);
  CHECK(ch.execute(task([](Engine&) { throw std::runtime_error("boom"); }), 2000ms));
  CHECK(ch.failed() == 1);
  bool ran = false;
  CHECK(ch.execute(task([&](Engine&) { ran = true; }), 2000ms));
  CHECK(ran);
}

TEST_CASE("control: timeouts racing the loop: true <=> ran exactly once", "[control]") {
  ControlChannel ch(8);
  auto loop = make_loop(&ch);
  // The loop pauses between safe points, so timeouts of 0..2 ms hit every phase of a task's life.
  LoopThread lt(*loop, 300us);
  constexpr int kThreads = 3, kPerThread = 150;
  std::vector<std::vector<std::atomic<int>>> runs(kThreads);
  for (auto& v : runs) v = std::vector<std::atomic<int>>(kPerThread);
  std::vector<std::vector<int>> result(kThreads, std::vector<int>(kPerThread, -1));
  std::vector<std::thread> api;
  for (int t = 0; t < kThreads; ++t) {
    api.emplace_back([&, t] {
      std::mt19937 rng(static_cast<unsigned>(t + 1));
      for (int i = 0; i < kPerThread; ++i) {
        const auto to = std::chrono::milliseconds(rng() % 3);
        auto* slot = &runs[t][i];
        result[t][i] = ch.execute(task([slot](Engine&) { slot->fetch_add(1); }), to) ? 1 : 0;
      }
    });
  }
  for (auto& th : api) th.join();
  // Let the loop pop whatever cancelled tasks are still queued.
  std::this_thread::sleep_for(20ms);
  int ok = 0, refused = 0;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      INFO("thread " << t << " task " << i);
      REQUIRE(runs[t][i].load() == result[t][i]);
      (result[t][i] ? ok : refused)++;
    }
  }
  CHECK(ok > 0);
  CHECK(refused > 0);  // with 0 ms timeouts some must lose the race
  CHECK(ch.executed() == static_cast<std::uint64_t>(ok));
  CHECK(ch.timed_out() + ch.rejected_full() == static_cast<std::uint64_t>(refused));
}
