#pragma once
// LatencyHistogram: durations counted into fixed buckets, for GET /metrics as a Prometheus
// histogram (`_bucket{le=...}`, `_sum`, `_count`). Averages from the `_total` counters hide what
// a webhook sender meets at the tail (a disk flush that takes ten times its median); the buckets
// show it. Lock-free: any thread may Observe; Render reads a relaxed snapshot in which the
// buckets are cumulative and `_count` equals the `+Inf` bucket.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace hookline {

class LatencyHistogram {
 public:
  // Upper bounds (inclusive, as Prometheus' `le`), in microseconds: 100 µs to 10 s.
  static constexpr std::array<uint64_t, 16> kBoundsMicros = {
      100,   250,    500,    1000,   2500,    5000,    10000,   25000,
      50000, 100000, 250000, 500000, 1000000, 2500000, 5000000, 10000000};

  void Observe(uint64_t micros);
  // Observes the time since `start` and returns it, in microseconds.
  uint64_t ObserveSince(std::chrono::steady_clock::time_point start);
  // Observations so far, and their total: what a `_total` counter beside the histogram shows.
  uint64_t count() const;
  uint64_t sum_micros() const { return sum_micros_.load(std::memory_order_relaxed); }
  // Appends the histogram's HELP and TYPE lines and its samples under `name`.
  void Render(std::string& out, const char* name, const char* help) const;

 private:
  std::array<std::atomic<uint64_t>, kBoundsMicros.size() + 1> buckets_{};  // the last: over 10 s
  std::atomic<uint64_t> sum_micros_{0};
};

}  // namespace hookline
