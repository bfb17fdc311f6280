// ControlChannel: a Boost.Lockfree spsc_queue of pending tasks. Each task's state decides the race
// between the API's timeout and the loop picking it up: the loop moves queued -> running, the API
// moves queued -> cancelled; whichever CAS wins decides whether the task runs.
#include "ttq/control.hpp"

#include <boost/lockfree/spsc_queue.hpp>
#include <condition_variable>

namespace ttq {

struct ControlChannel::Pending {
  enum State : int { kQueued, kRunning, kDone, kCancelled };
  std::shared_ptr<ControlTask> task;
  std::atomic<int> state{kQueued};
  std::mutex m;
  std::condition_variable cv;
};

struct ControlChannel::Queue {
  explicit Queue(std::size_t n) : q(n) {}
  boost::lockfree::spsc_queue<std::shared_ptr<Pending>> q;
};

ControlChannel::ControlChannel(std::size_t capacity)
    : queue_(std::make_unique<Queue>(capacity == 0 ? 1 : capacity)) {}

ControlChannel::~ControlChannel() = default;

bool ControlChannel::execute(std::shared_ptr<ControlTask> task, std::chrono::milliseconds timeout) {
  if (!task) return false;
  auto p = std::make_shared<Pending>();
  p->task = std::move(task);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  {
    std::lock_guard<std::mutex> lk(producer_);
    if (!queue_->q.push(p)) {
      rejected_full_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    pending_.fetch_add(1, std::memory_order_release);
  }
  std::unique_lock<std::mutex> lk(p->m);
  if (p->cv.wait_until(lk, deadline,
                       [&] { return p->state.load(std::memory_order_acquire) == Pending::kDone; })) {
    return true;
  }
  int expected = Pending::kQueued;
  if (p->state.compare_exchange_strong(expected, Pending::kCancelled, std::memory_order_acq_rel)) {
    timed_out_.fetch_add(1, std::memory_order_relaxed);
    return false;  // the loop will pop it and drop it unrun
  }
  // The loop took it just in time: it runs to completion, so report it as run.
  p->cv.wait(lk, [&] { return p->state.load(std::memory_order_acquire) == Pending::kDone; });
  return true;
}

void ControlChannel::service_slow(Engine& e) {
  std::shared_ptr<Pending> p;
  while (queue_->q.pop(p)) {
    pending_.fetch_sub(1, std::memory_order_acq_rel);
    int expected = Pending::kQueued;
    if (p->state.compare_exchange_strong(expected, Pending::kRunning, std::memory_order_acq_rel)) {
      try {
        p->task->run(e);
      } catch (...) {
        failed_.fetch_add(1, std::memory_order_relaxed);
      }
      executed_.fetch_add(1, std::memory_order_relaxed);
      {
        std::lock_guard<std::mutex> lk(p->m);
        p->state.store(Pending::kDone, std::memory_order_release);
      }
      p->cv.notify_all();
    }
    p.reset();
  }
}

}  // namespace ttq
