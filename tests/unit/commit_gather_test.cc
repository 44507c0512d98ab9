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

TEST(CommitGather, ASmallBatchWaitsOnlyWhileTheMachineIsShortOfCpu) {
  CommitGather g(1000us, 16, 0.25);
  Clock::time_point now{};
  size_t want = 0;
  Clock::time_point until;
  // A steady stream: two jobs every 200 us, on a machine with half its CPU idle: no waiting.
  g.set_idle(0.5);
  for (int i = 0; i < 80; ++i) {
    now += 200us;
    EXPECT_FALSE(g.Hold(2, now, want, until));
  }
  EXPECT_LE(g.average_gap(), 1000us);  // the stream is still seen
  // The same stream once the machine is at most 25% idle: the batch waits for more.
  g.set_idle(0.25);
  now += 200us;
  EXPECT_TRUE(g.Hold(2, now, want, until));
  g.set_idle(0.05);
  now += 200us;
  EXPECT_TRUE(g.Hold(2, now, want, until));
  EXPECT_EQ(until, now + 1000us);
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

TEST(CommitGather, TheQuietTimeFollowsTheGapsBetweenJobsThatCameDuringWaits) {
  CommitGather g(4000us);
  // Before any wait: the whole of max_wait.
  EXPECT_EQ(g.quiet(), 4000us);
  // A few senders in a closed loop: their jobs come 20 us apart, then nothing. The quiet time
  // falls towards four gaps, never below kMinQuiet.
  for (int i = 0; i < 40; ++i) g.Held(7, 140us);
  EXPECT_LT(g.quiet(), 150us);
  EXPECT_GE(g.quiet(), CommitGather::kMinQuiet);
  // A wait in which nothing came changes nothing.
  const auto before = g.quiet();
  g.Held(0, 0us);
  EXPECT_EQ(g.quiet(), before);
  // A stream of jobs 250 us apart: four gaps, 1 ms.
  for (int i = 0; i < 60; ++i) g.Held(14, 3500us);
  const double quiet_us = std::chrono::duration<double, std::micro>(g.quiet()).count();
  EXPECT_NEAR(quiet_us, 1000, 20);
  // Slow arrivals: capped at max_wait.
  for (int i = 0; i < 60; ++i) g.Held(1, 3000us);
  EXPECT_EQ(g.quiet(), 4000us);
}

using Queue = WorkQueue<int>;

// A hold lambda for the tests: wants `want` items by `until`, quiet time `quiet`.
auto Plan(size_t want, Clock::time_point until, Clock::duration quiet = Clock::duration::max()) {
  return [=](const std::deque<int>&, Queue::HoldPlan& plan) {
    plan.want = want;
    plan.until = until;
    plan.quiet = quiet;
    return true;
  };
}

// A producer for the tests: pushes 2, 3, ... into `q`, each after its delay.
std::thread PushAfter(Queue& q, std::vector<std::chrono::milliseconds> delays) {
  return std::thread([&q, delays] {
    int x = 1;
    for (const auto delay : delays) {
      std::this_thread::sleep_for(delay);
      int item = ++x;
      q.Push(item);
    }
  });
}

TEST(WorkQueue, HeldPopWaitsForTheWantedCountOrTheDeadline) {
  Queue q;
  int v = 1;
  ASSERT_TRUE(q.Push(v));
  std::vector<int> out;
  // Wants 3: the producer adds two more; the pop returns with all three, well before the
  // (far) deadline, and reports the two arrivals.
  std::thread producer = PushAfter(q, {20ms, 0ms});
  const auto t0 = Clock::now();
  Queue::HoldPlan seen;
  ASSERT_TRUE(q.PopBatchHeld(
      out, 100,
      [&](const std::deque<int>& queued, Queue::HoldPlan& plan) {
        EXPECT_EQ(queued.size(), 1u);
        plan.want = 3;
        plan.until = t0 + 10s;
        return true;
      },
      [&](const Queue::HoldPlan& plan) { seen = plan; }));
  producer.join();
  EXPECT_EQ(out, (std::vector<int>{1, 2, 3}));
  EXPECT_LT(Clock::now() - t0, 5s);
  EXPECT_EQ(seen.arrivals, 2u);
  EXPECT_GE(seen.span, 20ms);
  EXPECT_FALSE(seen.went_quiet);

  // Nobody adds more: the pop returns what is there once the deadline passes.
  out.clear();
  ASSERT_TRUE(q.Push(v));
  const auto t1 = Clock::now();
  ASSERT_TRUE(q.PopBatchHeld(out, 100, Plan(5, t1 + 30ms), [&](const auto& plan) { seen = plan; }));
  EXPECT_EQ(out, (std::vector<int>{1}));
  EXPECT_GE(Clock::now() - t1, 30ms);
  EXPECT_EQ(seen.arrivals, 0u);
  EXPECT_FALSE(seen.went_quiet);  // the deadline ended it

  // Close() ends a held wait: what is queued is still handed out.
  out.clear();
  ASSERT_TRUE(q.Push(v));
  std::thread closer([&] {
    std::this_thread::sleep_for(20ms);
    q.Close();
  });
  ASSERT_TRUE(q.PopBatchHeld(out, 100, Plan(5, Clock::now() + 10s), [](const auto&) {}));
  closer.join();
  EXPECT_EQ(out, (std::vector<int>{1}));
  out.clear();
  EXPECT_FALSE(q.PopBatchHeld(
      out, 100, [](const std::deque<int>&, Queue::HoldPlan&) { return false; },
      [](const auto&) {}));
}

TEST(WorkQueue, HeldPopEndsWhenNothingCameForTheQuietTime) {
  Queue q;
  int v = 1;
  ASSERT_TRUE(q.Push(v));
  std::vector<int> out;
  // Two more come 10 ms apart, then nothing: with a quiet time of 100 ms the pop returns all
  // three about 100 ms after the last one, long before the 10 s deadline.
  std::thread producer = PushAfter(q, {10ms, 10ms});
  const auto t0 = Clock::now();
  Queue::HoldPlan seen;
  ASSERT_TRUE(
      q.PopBatchHeld(out, 100, Plan(16, t0 + 10s, 100ms), [&](const auto& plan) { seen = plan; }));
  const auto took = Clock::now() - t0;
  producer.join();
  EXPECT_EQ(out, (std::vector<int>{1, 2, 3}));
  EXPECT_GE(took, 120ms);  // the quiet time counts from the last push, not from the start
  EXPECT_LT(took, 5s);
  EXPECT_EQ(seen.arrivals, 2u);
  EXPECT_GE(seen.span, 20ms);
  EXPECT_TRUE(seen.went_quiet);

  // Nothing comes at all: the quiet time counts from the start of the wait.
  out.clear();
  ASSERT_TRUE(q.Push(v));
  const auto t1 = Clock::now();
  ASSERT_TRUE(q.PopBatchHeld(out, 100, Plan(16, t1 + 10s, 30ms), [](const auto&) {}));
  EXPECT_EQ(out, (std::vector<int>{1}));
  EXPECT_GE(Clock::now() - t1, 30ms);
  EXPECT_LT(Clock::now() - t1, 5s);
}

}  // namespace
}  // namespace hookline
