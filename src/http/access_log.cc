#include "http/access_log.h"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <chrono>
#include <cstdio>

#include "core/time_format.h"

namespace hookline::http {
namespace {

constexpr size_t kFlushBytes = 256 << 10;

}  // namespace

AccessLog::AccessLog() : thread_([this] { Loop(); }) {}

AccessLog::~AccessLog() { Stop(); }

void AccessLog::Write(std::string_view method, std::string_view path, int status, double dur_ms,
                      std::string_view ip) {
  // The time prefix changes once a millisecond: each network thread keeps the last one.
  thread_local std::chrono::milliseconds last_ms{-1};
  thread_local std::string stamp;
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch());
  if (ms != last_ms) {
    last_ms = ms;
    stamp = FormatIsoMillis(now);
  }
  fmt::memory_buffer line;
  line.append(stamp);
  line.append(std::string_view(" info access: method="));
  line.append(method);
  line.append(std::string_view(" path="));
  line.append(path);
  fmt::format_to(std::back_inserter(line), FMT_COMPILE(" status={} dur_ms={:.3f} ip="), status,
                 dur_ms);
  line.append(ip);
  line.push_back('\n');
  std::lock_guard lock(mu_);
  buffer_.append(line.data(), line.size());
  if (buffer_.size() >= kFlushBytes) cv_.notify_one();
}

void AccessLog::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    cv_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
}

void AccessLog::Loop() {
  std::string out;
  for (;;) {
    bool last = false;
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, std::chrono::milliseconds(100),
                   [this] { return stopping_ || buffer_.size() >= kFlushBytes; });
      out.swap(buffer_);
      last = stopping_;
    }
    if (!out.empty()) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      std::fflush(stdout);
      out.clear();
    }
    if (last) return;
  }
}

}  // namespace hookline::http
