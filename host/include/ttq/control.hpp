// The control seam between an operator API thread (HTTP, CLI ctl, ...) and the host loop: the API
// queues a ControlTask, the loop runs it between bursts (a safe point, on its own thread, so the
// task may touch the Driver, RiskGate and OrderManager without locks), the API waits for the result.
// The loop's cost when nothing is queued is one atomic load per burst.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>

namespace ttq {

struct Engine;  // host_loop.hpp

class ControlTask {
 public:
  virtual ~ControlTask() = default;
  // Runs on the loop thread between bursts. An exception escaping here is caught and counted
  // (ControlChannel::failed()); the task counts as run.
  virtual void run(Engine& e) = 0;
};

class ControlChannel {
 public:
  explicit ControlChannel(std::size_t capacity = 64);
  ~ControlChannel();
  ControlChannel(const ControlChannel&) = delete;
  ControlChannel& operator=(const ControlChannel&) = delete;

  // API thread (any number of them): queue the task and wait until the loop ran it. Returns false
  // when the queue is full or the loop did not reach a safe point within `timeout`; then the task
  // is guaranteed never to run. Returns true once the task has run (if the loop picked it up just
  // as the timeout expired, this waits for the run to end and returns true).
  bool execute(std::shared_ptr<ControlTask> task, std::chrono::milliseconds timeout);

  // Loop thread, between bursts (a safe point): runs pending tasks; one atomic load when none.
  void service(Engine& e) {
    if (pending_.load(std::memory_order_acquire) != 0) service_slow(e);
  }

  std::uint64_t executed() const { return executed_.load(std::memory_order_relaxed); }
  std::uint64_t timed_out() const { return timed_out_.load(std::memory_order_relaxed); }
  std::uint64_t rejected_full() const { return rejected_full_.load(std::memory_order_relaxed); }
  std::uint64_t failed() const { return failed_.load(std::memory_order_relaxed); }

 private:
  struct Pending;
  struct Queue;
  void service_slow(Engine& e);

  std::unique_ptr<Queue> queue_;       // Boost.Lockfree spsc_queue of Pending
  std::mutex producer_;                // spsc: one producer at a time (API side only)
  alignas(64) std::atomic<std::uint32_t> pending_{0};  // items in the queue (incl. cancelled)
  std::atomic<std::uint64_t> executed_{0}, timed_out_{0}, rejected_full_{0}, failed_{0};
};

}  // namespace ttq
