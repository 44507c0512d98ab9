#include "core/work_queue.h"

#include <gtest/gtest.h>

#include <memory>
#include <thread>
#include <vector>

namespace hookline {
namespace {

TEST(WorkQueue, BatchesWhatQueuedUpAndDrainsAfterClose) {
  WorkQueue<std::unique_ptr<int>> q;
  for (int i = 0; i < 5; ++i) {
    auto item = std::make_unique<int>(i);
    ASSERT_TRUE(q.Push(item));
    EXPECT_EQ(item, nullptr);  // moved in
  }
  std::vector<std::unique_ptr<int>> batch;
  ASSERT_TRUE(q.PopBatch(batch, 3));
  ASSERT_EQ(batch.size(), 3u);
  EXPECT_EQ(*batch[2], 2);
  q.Close();
  auto refused = std::make_unique<int>(9);
  EXPECT_FALSE(q.Push(refused));
  ASSERT_NE(refused, nullptr);  // left with the caller, who answers it
  auto next = q.Pop();  // closed, but what was queued is still handed out
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(**next, 3);
  batch.clear();
  ASSERT_TRUE(q.PopBatch(batch, 10));
  EXPECT_EQ(batch.size(), 1u);
  EXPECT_FALSE(q.Pop().has_value());
  EXPECT_FALSE(q.PopBatch(batch, 10));
}

TEST(WorkQueue, WorkersSeeEveryItemOnce) {
  WorkQueue<int> q;
  std::atomic<long> sum{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 3; ++w) {
    workers.emplace_back([&] {
      while (auto v = q.Pop()) sum += *v;
    });
  }
  for (int i = 1; i <= 10000; ++i) {
    int v = i;
    ASSERT_TRUE(q.Push(v));
  }
  q.Close();
  for (auto& t : workers) t.join();
  EXPECT_EQ(sum.load(), 10000L * 10001 / 2);
}

}  // namespace
}  // namespace hookline
