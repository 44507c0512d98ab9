#include "core/commit_gather.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <thread>
#include <vector>

#include "core/work_queue.h"

namespace hookline {
namespace {

using namespace std::chrono_literals;
using Clock = CommitGather::Clock;

TEST(CommitGather, AJobThatArrivesAloneIsCommittedAtOnce) {
  CommitGather g(1000us);
  const Clock::time_point t0{};
  size_t want = 0;
  Clock::time_point until;
  // The first job after start, and a job after a pause: no waiting.
  EXPECT_FALSE(g.Hold(1, t0 + 1s, want, until));
  EXPECT_FALSE(g.Hold(1, t0 + 3s, want, until));
  EXPECT_GT(g.average_gap(), 1000us);
}

TEST(CommitGather, UnderASteadyStreamASmallBatchWaitsForMore) {
  CommitGather g(1000us, 16);
  Clock::time_point now{};
  size_t want = 0;
  Clock::time_point until;
  // Two jobs every 200 us: the average gap falls below the wait, then small batches wait.
  bool held = false;
  for (int i = 0; i < 80 && !held; ++i) {
    now += 200us;
    held = g.Hold(2, now, want, until);
  }
  ASSERT_TRUE(held);
  EXPECT_LE(g.average_gap(), 1000us);
  EXPECT_EQ(want, 16u);
  EXPECT_EQ(until, now + 1000us);
  // A batch that already has the target is committed at once.
  now += 200us;
  EXPECT_FALSE(g.Hold(16, now, want, until));
  // One long pause ends the waiting for the next job at once.
  now += 50ms;
  EXPECT_FALSE(g.Hold(1, now, want, until));
}

TEST(CommitGather, ZeroWaitNeverHolds) {
  CommitGather g(0us);
  Clock::time_point now{};
  size_t want = 0;
  Clock::time_point until;
  for (int i = 0; i < 100; ++i) {
    now += 10us;
    EXPECT_FALSE(g.Hold(1, now, want, until));
  }
}

TEST(WorkQueue, HeldPopWaitsForTheWantedCountOrTheDeadline) {
  WorkQueue<int> q;
  int v = 1;
  ASSERT_TRUE(q.Push(v));
  std::vector<int> out;
  // Wants 3: the producer adds two more; the pop returns with all three, well before the
  // (far) deadline.
  std::thread producer([&] {
    std::this_thread::sleep_for(20ms);
    for (int i = 2; i <= 3; ++i) {
      int x = i;
      q.Push(x);
    }
  });
  const auto t0 = Clock::now();
  ASSERT_TRUE(q.PopBatchHeld(
      out, 100, [&](const std::deque<int>& queued, size_t& want, Clock::time_point& until) {
        EXPECT_EQ(queued.size(), 1u);
        want = 3;
        until = t0 + 10s;
        return true;
      }));
  producer.join();
  EXPECT_EQ(out, (std::vector<int>{1, 2, 3}));
  EXPECT_LT(Clock::now() - t0, 5s);

  // Nobody adds more: the pop returns what is there once the deadline passes.
  out.clear();
  ASSERT_TRUE(q.Push(v));
  const auto t1 = Clock::now();
  ASSERT_TRUE(
      q.PopBatchHeld(out, 100, [&](const std::deque<int>&, size_t& want, Clock::time_point& until) {
        want = 5;
        until = t1 + 30ms;
        return true;
      }));
  EXPECT_EQ(out, (std::vector<int>{1}));
  EXPECT_GE(Clock::now() - t1, 30ms);

  // Close() ends a held wait: what is queued is still handed out.
  out.clear();
  ASSERT_TRUE(q.Push(v));
  std::thread closer([&] {
    std::this_thread::sleep_for(20ms);
    q.Close();
  });
  ASSERT_TRUE(
      q.PopBatchHeld(out, 100, [&](const std::deque<int>&, size_t& want, Clock::time_point& until) {
        want = 5;
        until = Clock::now() + 10s;
        return true;
      }));
  closer.join();
  EXPECT_EQ(out, (std::vector<int>{1}));
  out.clear();
  EXPECT_FALSE(q.PopBatchHeld(
      out, 100, [](const std::deque<int>&, size_t&, Clock::time_point&) { return false; }));
}

}  // namespace
}  // namespace hookline
