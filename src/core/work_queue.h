#pragma once
// WorkQueue<T>: the hand-off between the threads that submit work and the worker threads that
// do it (the store writers, readers and completer). Any thread may Push; workers Pop or
// PopBatch, which wait for work. After Close(), Push refuses (the caller answers the item
// itself) and the workers drain what is left, then get "closed and empty" and end.

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
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
    cv_.notify_one();
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
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return closed_ || !items_.empty(); });
    if (items_.empty()) return false;
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
};

}  // namespace hookline
