#pragma once
// CommitGather: when a store writer should wait for more jobs before it commits.
//
// Group commit already puts every job that queued during one commit into the next. Under a
// steady stream of small writes that is often only two or three jobs per transaction, and each
// transaction (and each WAL flush) costs far more than a row. So a writer that wakes to a small
// batch while jobs are arriving less than `max_wait` apart waits up to `max_wait` for the
// batch to reach `target` jobs, as PostgreSQL's commit_delay and MySQL's
// binlog_group_commit_sync_delay do. A job that arrives alone (the arrival gap is longer than
// `max_wait`) is committed at once, so a quiet service answers as fast as without it. Pure logic,
// used by one writer thread; the caller passes the clock.

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace hookline {

class CommitGather {
 public:
  using Clock = std::chrono::steady_clock;

  // max_wait 0 turns gathering off.
  explicit CommitGather(std::chrono::microseconds max_wait, size_t target = 16)
      : max_wait_(max_wait), target_(target) {}

  // The writer woke with `queued` jobs at `now`. True: wait until `want` jobs are queued or
  // `until` passes (then commit whatever is there); false: commit now.
  bool Hold(size_t queued, Clock::time_point now, size_t& want, Clock::time_point& until);

  // The running average time between jobs (for tests and metrics).
  Clock::duration average_gap() const { return gap_; }

 private:
  const std::chrono::microseconds max_wait_;
  const size_t target_;
  // Starts long: the first jobs after start never wait.
  Clock::duration gap_ = std::chrono::seconds(1);
  Clock::time_point last_{};
};

}  // namespace hookline
