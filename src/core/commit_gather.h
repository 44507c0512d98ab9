#pragma once
// CommitGather: when a store writer should wait for more jobs before it commits.
//
// Group commit already puts every job that queued during one commit into the next. Under a
// steady stream of small writes that is often only two or three jobs per transaction, and each
// transaction (and each WAL flush) costs far more than a row. So a writer that wakes to a small
// batch while jobs are arriving less than `max_wait` apart waits up to `max_wait` for the
// batch to reach `target` jobs, as PostgreSQL's commit_delay and MySQL's
// binlog_group_commit_sync_delay do. A job that arrives alone (the arrival gap is longer than
// `max_wait`) is committed at once, so a quiet service answers as fast as without it.
//
// A wait also ends once no job has come for a while (`quiet()`): four times the gap between the
// jobs that came during earlier waits. That keeps a few senders in a closed loop (each sends
// its next event only when the last one is answered) from waiting out `max_wait` for jobs that
// cannot come: their jobs arrive together, then nothing, and the batch commits soon after the
// last one. A stream from many senders keeps arriving and fills the batch.
//
// And a batch waits only while the machine is short of CPU: its idle share (core/cpu_idle.h,
// passed in through set_idle) at most `max_idle`. Fewer transactions save CPU, which is worth
// a later reply only when the CPUs are what limits the rate; with time to spare, a write that
// waits for company is just answered later. Pure logic, used by one writer thread; the caller
// passes the clock and reports each wait (`Held`).

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace hookline {

class CommitGather {
 public:
  using Clock = std::chrono::steady_clock;

  // The batch size a wait aims for, unless the caller says otherwise.
  static constexpr size_t kDefaultTarget = 16;

  // max_wait 0 turns gathering off; max_idle 1 waits whatever the machine's load.
  explicit CommitGather(std::chrono::microseconds max_wait, size_t target = kDefaultTarget,
                        double max_idle = 1.0)
      : max_wait_(max_wait), target_(target), max_idle_(max_idle), wait_gap_(max_wait / 4) {}

  // The machine's idle CPU share now (0 busy .. 1 idle); 0 until told.
  void set_idle(double share) { idle_ = share; }

  // The writer woke with `queued` jobs at `now`. True: wait until `want` jobs are queued or
  // `until` passes (then commit whatever is there); false: commit now (among other reasons,
  // because the machine has more idle CPU than max_idle).
  bool Hold(size_t queued, Clock::time_point now, size_t& want, Clock::time_point& until);

  // A wait ended: `arrivals` jobs came during it, the last one `span` after it began.
  void Held(size_t arrivals, Clock::duration span);

  // How long a wait goes on without a new job: four times the running average gap between the
  // jobs that came during waits, at least kMinQuiet, at most max_wait.
  Clock::duration quiet() const;
  static constexpr std::chrono::microseconds kMinQuiet{50};

  // The running average time between jobs (for tests and metrics).
  Clock::duration average_gap() const { return gap_; }

 private:
  const std::chrono::microseconds max_wait_;
  const size_t target_;
  const double max_idle_;
  double idle_ = 0;
  // Starts long: the first jobs after start never wait.
  Clock::duration gap_ = std::chrono::seconds(1);
  Clock::time_point last_{};
  // The average gap between jobs arriving during waits; starts at a quarter of max_wait, so the
  // first waits may run their full length.
  Clock::duration wait_gap_;
};

}  // namespace hookline
