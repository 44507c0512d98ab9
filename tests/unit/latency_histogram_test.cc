#include "core/latency_histogram.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace hookline {
namespace {

// The `_bucket` samples of a rendered histogram, by their `le` label, and `_sum`/`_count`.
struct Parsed {
  std::map<std::string, uint64_t> buckets;
  std::vector<std::string> order;
  double sum = -1;
  uint64_t count = 0;
};

Parsed Parse(const std::string& text, const std::string& name) {
  Parsed p;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(name + "_bucket{le=\"", 0) == 0) {
      const auto open = line.find('"') + 1;
      const auto close = line.find('"', open);
      const std::string le = line.substr(open, close - open);
      p.buckets[le] = std::stoull(line.substr(line.rfind(' ') + 1));
      p.order.push_back(le);
    } else if (line.rfind(name + "_sum ", 0) == 0) {
      p.sum = std::stod(line.substr(line.rfind(' ') + 1));
    } else if (line.rfind(name + "_count ", 0) == 0) {
      p.count = std::stoull(line.substr(line.rfind(' ') + 1));
    }
  }
  return p;
}

TEST(LatencyHistogram, RendersPrometheusHistogramWithCumulativeBuckets) {
  LatencyHistogram h;
  h.Observe(40);        // <= 100 us
  h.Observe(100);       // a bound is inclusive (Prometheus' le)
  h.Observe(101);       // the next bucket, 250 us
  h.Observe(900);       // 1 ms
  h.Observe(30000000);  // 30 s: only +Inf
  std::string out;
  h.Render(out, "x_seconds", "Help text.");
  EXPECT_EQ(out.rfind("# HELP x_seconds Help text.\n# TYPE x_seconds histogram\n", 0), 0u) << out;
  const Parsed p = Parse(out, "x_seconds");
  ASSERT_EQ(p.order.size(), LatencyHistogram::kBoundsMicros.size() + 1) << out;
  EXPECT_EQ(p.order.front(), "0.0001");
  EXPECT_EQ(p.order[1], "0.00025");
  EXPECT_EQ(p.order[3], "0.001");
  EXPECT_EQ(p.order[13], "2.5");
  EXPECT_EQ(p.order[15], "10");
  EXPECT_EQ(p.order.back(), "+Inf");
  EXPECT_EQ(p.buckets.at("0.0001"), 2u);
  EXPECT_EQ(p.buckets.at("0.00025"), 3u);
  EXPECT_EQ(p.buckets.at("0.0005"), 3u);
  EXPECT_EQ(p.buckets.at("0.001"), 4u);
  EXPECT_EQ(p.buckets.at("10"), 4u);
  EXPECT_EQ(p.buckets.at("+Inf"), 5u);
  EXPECT_EQ(p.count, 5u);
  EXPECT_DOUBLE_EQ(p.sum, (40 + 100 + 101 + 900 + 30000000) / 1e6);
  // What the `_total` counters beside a histogram are rendered from.
  EXPECT_EQ(h.count(), 5u);
  EXPECT_EQ(h.sum_micros(), 40u + 100 + 101 + 900 + 30000000);
}

TEST(LatencyHistogram, ObserveSinceCountsTheTimeSinceStartAndReturnsIt) {
  LatencyHistogram h;
  const uint64_t us = h.ObserveSince(std::chrono::steady_clock::now() - std::chrono::seconds(20));
  EXPECT_GE(us, 20000000u);
  EXPECT_EQ(h.count(), 1u);
  EXPECT_EQ(h.sum_micros(), us);
  std::string out;
  h.Render(out, "w", "h");
  EXPECT_EQ(Parse(out, "w").buckets.at("10"), 0u);  // over 10 s: only +Inf
}

TEST(LatencyHistogram, AnEmptyHistogramRendersZeros) {
  LatencyHistogram h;
  std::string out;
  h.Render(out, "y", "h");
  const Parsed p = Parse(out, "y");
  EXPECT_EQ(p.buckets.at("+Inf"), 0u);
  EXPECT_EQ(p.count, 0u);
  EXPECT_EQ(p.sum, 0);
}

TEST(LatencyHistogram, ObservationsFromManyThreadsAreAllCounted) {
  LatencyHistogram h;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&h, t] {
      for (uint64_t i = 0; i < 10000; ++i) h.Observe((i * 37 + static_cast<uint64_t>(t)) % 3000);
    });
  }
  for (auto& t : threads) t.join();
  std::string out;
  h.Render(out, "z", "h");
  const Parsed p = Parse(out, "z");
  EXPECT_EQ(p.count, 40000u);
  uint64_t previous = 0;
  for (const auto& le : p.order) {  // cumulative: never decreasing
    EXPECT_GE(p.buckets.at(le), previous) << le;
    previous = p.buckets.at(le);
  }
  // Every value was under 3 ms; some were over 2.5 ms.
  EXPECT_EQ(p.buckets.at("0.005"), 40000u);
  EXPECT_LT(p.buckets.at("0.0025"), 40000u);
}

}  // namespace
}  // namespace hookline
