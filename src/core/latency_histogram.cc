#include "core/latency_histogram.h"

#include <fmt/format.h>

#include <algorithm>

namespace hookline {

void LatencyHistogram::Observe(uint64_t micros) {
  const auto it = std::lower_bound(kBoundsMicros.begin(), kBoundsMicros.end(), micros);
  buckets_[static_cast<size_t>(it - kBoundsMicros.begin())].fetch_add(1, std::memory_order_relaxed);
  sum_micros_.fetch_add(micros, std::memory_order_relaxed);
}

uint64_t LatencyHistogram::ObserveSince(std::chrono::steady_clock::time_point start) {
  const auto micros = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                                std::chrono::steady_clock::now() - start)
                                                .count());
  Observe(micros);
  return micros;
}

uint64_t LatencyHistogram::count() const {
  uint64_t n = 0;
  for (const auto& b : buckets_) n += b.load(std::memory_order_relaxed);
  return n;
}

void LatencyHistogram::Render(std::string& out, const char* name, const char* help) const {
  out += fmt::format("# HELP {0} {1}\n# TYPE {0} histogram\n", name, help);
  uint64_t cumulative = 0;
  for (size_t i = 0; i < buckets_.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    if (i < kBoundsMicros.size()) {
      // The bound in seconds: 0.0001, 0.00025, ..., 2.5, 10.
      out += fmt::format("{}_bucket{{le=\"{:g}\"}} {}\n", name,
                         static_cast<double>(kBoundsMicros[i]) / 1e6, cumulative);
    } else {
      out += fmt::format("{}_bucket{{le=\"+Inf\"}} {}\n", name, cumulative);
    }
  }
  out += fmt::format("{}_sum {}\n{}_count {}\n", name, static_cast<double>(sum_micros()) / 1e6,
                     name, cumulative);
}

}  // namespace hookline
