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
  // Moves `item` in and wakes a worker; returns false, leaving `item` as it was, once closed.
  bool Push(T& item) {
    std::lock_guard lock(mu_);
    if (closed_) return false;
    items_.push_back(std::move(item));
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
    return PopBatchHeld(out, max, [](const std::deque<T>&, size_t&,
                                     std::chrono::steady_clock::time_point&) { return false; });
  }

  // As PopBatch, but a writer that gathers larger batches (core/commit_gather.h) may wait for
  // more: `hold(items, want, until)` runs under the queue's lock once there is work (`items`
  // is what is queued); if it returns true, the wait goes on until `want` items are queued (at
  // most `max`), `until` passes or the queue closes. For a queue with a single worker.
  template <class Hold>
  bool PopBatchHeld(std::vector<T>& out, size_t max, Hold&& hold) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return closed_ || !items_.empty(); });
    if (items_.empty()) return false;
    size_t want = 0;
    std::chrono::steady_clock::time_point until;
    if (!closed_ && hold(std::as_const(items_), want, until) && items_.size() < want) {
      want_ = want < max ? want : max;
      cv_.wait_until(lock, until, [this] { return closed_ || items_.size() >= want_; });
      want_ = 1;
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
  std::mutex mu_;  // guards items_ and closed_
  std::condition_variable cv_;
  std::deque<T> items_;
  bool closed_ = false;
  size_t want_ = 1;  // how many queued items wake the worker (more while it gathers a batch)
};

}  // namespace hookline
