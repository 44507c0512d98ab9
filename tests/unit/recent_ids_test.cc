#include "core/recent_ids.h"

#include <gtest/gtest.h>

#include <array>
#include <deque>
#include <random>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

namespace hookline {
namespace {

TEST(RecentIds, RemembersAndForgetsOldestPastCapacity) {
  RecentIds ids(160);  // 16 shards of 10
  EXPECT_FALSE(ids.Contains("a"));
  ids.Add("a");
  ids.Add("a");
  EXPECT_TRUE(ids.Contains("a"));
  for (int i = 0; i < 10000; ++i) ids.Add("id" + std::to_string(i));
  EXPECT_FALSE(ids.Contains("a"));  // evicted long ago
  EXPECT_TRUE(ids.Contains("id9999"));
  int kept = 0;
  for (int i = 0; i < 10000; ++i) kept += ids.Contains("id" + std::to_string(i));
  EXPECT_LE(kept, 16 * 10);
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

TEST(RecentIds, MatchesAModelOfOneFifoPerShardUnderChurn) {
  // Random adds (new ids and repeats, short and long, forgotten and remembered ones) against
  // the plain model: each shard keeps the last PerShard() distinct ids added to it. Removal
  // from the open-addressing table shifts its neighbours back; a slip there loses an id that
  // is still remembered or keeps one that was forgotten, and this finds either.
  RecentIds ids(16 * 50);
  const size_t per = ids.PerShard();
  std::array<std::deque<std::string>, RecentIds::kShards> fifo;
  std::array<std::unordered_set<std::string>, RecentIds::kShards> kept;
  std::mt19937 rng(7);
  auto make = [&rng](uint32_t n) {
    return (rng() % 4 == 0 ? "evt_long_identifier_from_a_payment_service_" : "e") +
           std::to_string(n);
  };
  for (int step = 0; step < 200000; ++step) {
    const std::string id = make(rng() % 4000);
    const size_t s = RecentIds::ShardOf(id);
    ASSERT_EQ(ids.Contains(id), kept[s].count(id) == 1) << id << " at step " << step;
    ids.Add(id);
    if (kept[s].insert(id).second) {
      fifo[s].push_back(id);
      if (fifo[s].size() > per) {
        kept[s].erase(fifo[s].front());
        fifo[s].pop_front();
      }
    }
    if (step % 5000 == 0) {  // every remembered id is found, and a few forgotten ones are not
      for (const auto& q : fifo) {
        for (const auto& k : q) ASSERT_TRUE(ids.Contains(k)) << k << " at step " << step;
      }
    }
  }
  EXPECT_FALSE(ids.Contains("never added"));
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
