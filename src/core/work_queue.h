#pragma once
// WorkQueue<T>: the hand-off between the threads that submit work and the worker threads that
// do it (the store writers, readers and completer). Any thread may Push; workers Pop or
// PopBatch, which wait for work. After Close(), Push refuses (the caller answers the item
// itself) and the workers drain what is left, then get "closed and empty" and end.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

namespace hookline {

template <class T>
class WorkQueue {
 public:
  using Clock = std::chrono::steady_clock;

  // What a worker gathering a batch waits for (PopBatchHeld), and what came while it waited.
  struct HoldPlan {
    size_t want = 0;
    Clock::time_point until;
    Clock::duration quiet = Clock::duration::max();
    size_t arrivals = 0;      // items pushed during the wait
    Clock::duration span{};   // from the start of the wait to the last of them
    bool went_quiet = false;  // the wait ended because nothing was pushed for `quiet`
  };

  // Moves `item` in and wakes a worker; returns false, leaving `item` as it was, once closed.
  bool Push(T& item) {
    std::lock_guard lock(mu_);
    if (closed_) return false;
    items_.push_back(std::move(item));
    if (holding_) {
      last_push_ = Clock::now();
      ++pushes_;
    }
    // A worker gathering a batch (PopBatchHeld) is woken only once there is enough.
    if (items_.size() >= want_) cv_.notify_one();
    return true;
  }

  // Waits for an item; nullopt once closed and drained.
  std::optional<T> Pop() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return closed_ || !items_.empty(); });
    if (items_.empty()) return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    return item;
  }

  // Waits for work, then moves up to `max` items onto `out` (group commit takes everything that
  // queued up meanwhile); false once closed and drained.
  bool PopBatch(std::vector<T>& out, size_t max) {
    return PopBatchHeld(
        out, max, [](const std::deque<T>&, HoldPlan&) { return false; }, [](const HoldPlan&) {});
  }

  // As PopBatch, but a writer that gathers larger batches (core/commit_gather.h) may wait for
  // more: `hold(items, plan)` runs under the queue's lock once there is work (`items` is what is
  // queued); if it returns true, the wait goes on until `plan.want` items are queued (at most
  // `max`), `plan.until` passes, nothing has been pushed for `plan.quiet` (counted from the start
  // of the wait, then from each push) or the queue closes. Then `held(plan)` runs, with what
  // arrived meanwhile filled in. For a queue with a single worker.
  template <class Hold, class Held>
  bool PopBatchHeld(std::vector<T>& out, size_t max, Hold&& hold, Held&& held) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return closed_ || !items_.empty(); });
    if (items_.empty()) return false;
    HoldPlan plan;
    if (!closed_ && hold(std::as_const(items_), plan) && items_.size() < plan.want) {
      want_ = plan.want < max ? plan.want : max;
      const auto start = Clock::now();
      holding_ = true;
      last_push_ = start;
      pushes_ = 0;
      const auto enough = [this] { return closed_ || items_.size() >= want_; };
      for (;;) {
        // The earlier of the deadline and the end of the quiet time after the last push
        // (`quiet` may be the largest duration: compared, never added, unless it fits).
        const auto deadline =
            plan.until - last_push_ > plan.quiet ? last_push_ + plan.quiet : plan.until;
        if (cv_.wait_until(lock, deadline, enough)) break;
        const auto now = Clock::now();
        if (now >= plan.until) break;
        if (now - last_push_ >= plan.quiet) {
          plan.went_quiet = true;
          break;
        }
      }
      holding_ = false;
      want_ = 1;
      plan.arrivals = pushes_;
      plan.span = last_push_ - start;
      held(std::as_const(plan));
    }
    while (!items_.empty() && out.size() < max) {
      out.push_back(std::move(items_.front()));
      items_.pop_front();
    }
    return true;
  }

  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    cv_.notify_all();
  }

 private:
  std::condition_variable cv_;
  std::mutex mu_;  // guards everything below
  std::deque<T> items_;
  bool closed_ = false;
  size_t want_ = 1;  // how many queued items wake the worker (more while it gathers a batch)
  // While the worker gathers a batch: the time of the last push, and how many came.
  bool holding_ = false;
  Clock::time_point last_push_;
  size_t pushes_ = 0;
};

}  // namespace hookline
