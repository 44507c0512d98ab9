#pragma once
// AccessLog: one line per request on stdout, without a system call or a thread wake-up per
// request. Network threads append formatted lines to a shared buffer under a short lock; a
// background thread writes the buffer out every 100 ms (or sooner when it passes 256 KiB), and
// Stop() writes what is left. The lines have the same shape as the rest of the log
// (`<UTC time> info access: method=... path=... status=... dur_ms=... ip=...`).
// Logs are not data: lines in the buffer when the process is SIGKILLed are lost.

#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace hookline::http {

class AccessLog {
 public:
  AccessLog();
  ~AccessLog();  // Stop()s
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  void Write(std::string_view method, std::string_view path, int status, double dur_ms,
             std::string_view ip);
  void Stop();

 private:
  void Loop();

  std::mutex mu_;  // guards buffer_ and stopping_
  std::condition_variable cv_;
  std::string buffer_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace hookline::http
