#include "core/cpu_idle.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

namespace hookline {
namespace {

using namespace std::chrono_literals;

TEST(ParseProcStat, ReadsIdleAndTotalFromTheFirstLine) {
  // user nice system idle iowait irq softirq steal guest guest_nice
  const auto t = ParseProcStat("cpu  100 5 50 800 20 0 10 15 7 0\ncpu0 50 2 25 400 10 0 5 7 3 0\n");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->idle, 820u);    // idle + iowait
  EXPECT_EQ(t->total, 1000u);  // the first eight fields; guest time is already in user
}

TEST(ParseProcStat, RefusesAnythingElse) {
  EXPECT_FALSE(ParseProcStat(""));
  EXPECT_FALSE(ParseProcStat("cpu0 1 2 3 4 5 6 7 8\n"));
  EXPECT_FALSE(ParseProcStat("cpu  1 2 3 4\n"));  // fewer than eight numbers
  EXPECT_FALSE(ParseProcStat("intr 1 2 3 4 5 6 7 8\n"));
}

class CpuIdleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() /
             ("hookline-cpu-idle-" + std::to_string(::getpid()) + ".txt"))
                .string();
  }
  void TearDown() override { std::filesystem::remove(path_); }
  void Write(const std::string& text) { std::ofstream(path_) << text; }
  std::string path_;
};

TEST_F(CpuIdleTest, TheShareIsTheIdlePartOfTheTimeBetweenTwoReadings) {
  CpuIdle idle(path_, 100ms);
  const CpuIdle::Clock::time_point t0{};
  Write("cpu  100 0 100 800 0 0 0 0 0 0\n");
  EXPECT_EQ(idle.Share(t0 + 1s), 1.0);  // one reading: nothing to compare yet
  // 200 more ticks, 50 of them idle or waiting for the disk.
  Write("cpu  200 0 150 830 20 0 0 0 0 0\n");
  EXPECT_EQ(idle.Share(t0 + 1s + 50ms), 1.0);  // read again only after the interval
  EXPECT_DOUBLE_EQ(idle.Share(t0 + 1s + 100ms), 0.25);
  EXPECT_DOUBLE_EQ(idle.Share(t0 + 1s + 150ms), 0.25);
}

TEST_F(CpuIdleTest, AFileThatCannotBeReadCountsAsBusy) {
  CpuIdle idle(path_ + ".missing", 100ms);
  EXPECT_EQ(idle.Share(CpuIdle::Clock::now()), 0.0);
  Write("not /proc/stat\n");
  CpuIdle garbled(path_, 100ms);
  EXPECT_EQ(garbled.Share(CpuIdle::Clock::now()), 0.0);
}

TEST(CpuIdle, ReadsThisMachine) {
  CpuIdle idle;
  const auto t0 = CpuIdle::Clock::now();
  idle.Share(t0);
  usleep(20000);
  const double share = idle.Share(t0 + 200ms);
  EXPECT_GE(share, 0.0);
  EXPECT_LE(share, 1.0);
}

}  // namespace
}  // namespace hookline
