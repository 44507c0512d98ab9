#pragma once
// CpuIdle: how much of the machine's CPU time went unused lately, from Linux's /proc/stat.
//
// The SQLite group commit (core/commit_gather.h) trades a little latency for fewer
// transactions, which only pays when the CPUs are short: on a machine with time to spare, a
// write that waits for company is just a later reply. So the writer asks this first. Share()
// reads the file again at most every `interval` and returns the idle share of the time between
// the last two readings (0: every CPU busy, 1: all idle); 1 until there are two. /proc/stat
// counts the whole machine: in a container with a CPU quota it is the host's load, not the
// container's. If the file cannot be read or parsed, Share() says 0 (busy), so the group commit
// behaves as it would without this check. Used by one thread.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace hookline {

// The first line of /proc/stat, "cpu  user nice system idle iowait irq softirq steal ...", in
// clock ticks: the idle part (idle + iowait) and the total of the first eight fields.
struct CpuTimes {
  uint64_t idle = 0;
  uint64_t total = 0;
};
std::optional<CpuTimes> ParseProcStat(std::string_view text);

class CpuIdle {
 public:
  using Clock = std::chrono::steady_clock;
  explicit CpuIdle(std::string path = "/proc/stat",
                   Clock::duration interval = std::chrono::milliseconds(100))
      : path_(std::move(path)), interval_(interval) {}

  double Share(Clock::time_point now);

 private:
  const std::string path_;
  const Clock::duration interval_;
  Clock::time_point read_at_{};
  std::optional<CpuTimes> last_;
  double share_ = 1;
};

}  // namespace hookline
