#include "core/commit_gather.h"

#include <algorithm>

namespace hookline {

bool CommitGather::Hold(size_t queued, Clock::time_point now, size_t& want,
                        Clock::time_point& until) {
  if (queued == 0) return false;
  if (last_ != Clock::time_point{}) {
    // These jobs arrived since the last batch was taken: a running average (1/8 weight) of the
    // time between jobs. One long pause moves it past max_wait at once.
    const auto gap = (now - last_) / static_cast<int64_t>(queued);
    gap_ += (gap - gap_) / 8;
  }
  last_ = now;
  if (max_wait_.count() <= 0 || queued >= target_ || gap_ > max_wait_ || idle_ > max_idle_) {
    return false;
  }
  want = target_;
  until = now + max_wait_;
  return true;
}

void CommitGather::Held(size_t arrivals, Clock::duration span) {
  // A wait in which nothing came has no gap to learn from. Counting its time as one would make
  // the quiet time grow whenever fewer than four jobs come per wait, up to the whole wait
  // (bench/RESULTS.md, finding 30). So a quiet time learned too short for a later, sparser
  // stream stays short until a wait catches a job: batches are smaller then, never later.
  if (arrivals == 0) return;
  const auto gap = span / static_cast<int64_t>(arrivals);
  wait_gap_ += (gap - wait_gap_) / 4;
}

CommitGather::Clock::duration CommitGather::quiet() const {
  const Clock::duration q = std::max<Clock::duration>(4 * wait_gap_, kMinQuiet);
  return std::min<Clock::duration>(q, max_wait_);
}

}  // namespace hookline
