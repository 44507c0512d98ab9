#include "core/cpu_idle.h"

#include <cstdio>
#include <cstdlib>

namespace hookline {

std::optional<CpuTimes> ParseProcStat(std::string_view text) {
  constexpr std::string_view kPrefix = "cpu ";
  text = text.substr(0, text.find('\n'));
  if (text.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  const std::string line(text.substr(kPrefix.size()));
  const char* p = line.c_str();
  uint64_t field[8] = {};
  for (auto& f : field) {
    char* end = nullptr;
    f = std::strtoull(p, &end, 10);
    if (end == p) return std::nullopt;  // fewer than eight numbers
    p = end;
  }
  CpuTimes t;
  t.idle = field[3] + field[4];
  for (const uint64_t f : field) t.total += f;
  return t;
}

double CpuIdle::Share(Clock::time_point now) {
  if (read_at_ != Clock::time_point{} && now - read_at_ < interval_) return share_;
  read_at_ = now;
  char buf[512];
  size_t n = 0;
  if (FILE* f = std::fopen(path_.c_str(), "re")) {
    n = std::fread(buf, 1, sizeof buf, f);
    std::fclose(f);
  }
  const auto times = ParseProcStat(std::string_view(buf, n));
  if (!times) {
    last_.reset();
    share_ = 0;
    return share_;
  }
  if (last_ && times->total > last_->total && times->idle >= last_->idle) {
    share_ = static_cast<double>(times->idle - last_->idle) /
             static_cast<double>(times->total - last_->total);
  }
  last_ = times;
  return share_;
}

}  // namespace hookline
