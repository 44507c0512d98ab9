#pragma once
// Clock: every piece of code that needs the time gets it from an injected Clock, so retry
// schedules and timestamps are tested without sleeping. SystemClock is the real one;
// ManualClock is for tests. Both are safe to call from any thread.

#include <atomic>
#include <chrono>

namespace hookline {

using SysTime = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time (UTC), for timestamps that are stored or shown.
  virtual SysTime Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  SysTime Now() const override { return std::chrono::system_clock::now(); }
  // The process-wide instance.
  static const SystemClock& Instance();
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(SysTime start) : now_(start.time_since_epoch().count()) {}
  SysTime Now() const override { return SysTime(SysTime::duration(now_.load())); }
  void Advance(std::chrono::nanoseconds d) {
    now_ += std::chrono::duration_cast<SysTime::duration>(d).count();
  }
  void Set(SysTime t) { now_ = t.time_since_epoch().count(); }

 private:
  std::atomic<SysTime::rep> now_;
};

}  // namespace hookline
