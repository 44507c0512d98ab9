#include "core/recent_ids.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace hookline {
namespace {

TEST(RecentIds, RemembersAndForgetsOldestPastCapacity) {
  RecentIds ids(160);  // 16 shards of 11
  EXPECT_FALSE(ids.Contains("a"));
  ids.Add("a");
  ids.Add("a");
  EXPECT_TRUE(ids.Contains("a"));
  for (int i = 0; i < 10000; ++i) ids.Add("id" + std::to_string(i));
  EXPECT_FALSE(ids.Contains("a"));  // evicted long ago
  EXPECT_TRUE(ids.Contains("id9999"));
  int kept = 0;
  for (int i = 0; i < 10000; ++i) kept += ids.Contains("id" + std::to_string(i));
  EXPECT_LE(kept, 16 * 11);
  EXPECT_GT(kept, 100);
}

TEST(RecentIds, LongIdsSurviveTheirNeighboursComingAndGoing) {
  // Ids longer than the short-string buffer live on the heap; the set holds views of them, so
  // every Add and eviction must leave the remaining views valid (ASan checks this in CI).
  RecentIds ids(1600);
  auto id = [](int i) { return "evt_long_identifier_from_a_payment_service_" + std::to_string(i); };
  for (int i = 0; i < 20000; ++i) {
    ids.Add(id(i));
    ASSERT_TRUE(ids.Contains(id(i)));
  }
  for (int i = 19900; i < 20000; ++i) EXPECT_TRUE(ids.Contains(id(i))) << i;
  EXPECT_FALSE(ids.Contains(id(0)));
  EXPECT_FALSE(ids.Contains(id(20000)));
  EXPECT_FALSE(ids.Contains("evt_long_identifier_from_a_payment_service_1999"));
}

TEST(RecentIds, ConcurrentAddAndContains) {
  RecentIds ids;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&ids, t] {
      for (int i = 0; i < 5000; ++i) {
        const auto id = std::to_string(t) + ":" + std::to_string(i);
        ids.Add(id);
        EXPECT_TRUE(ids.Contains(id));
      }
    });
  }
  for (auto& th : threads) th.join();
}

}  // namespace
}  // namespace hookline
