#pragma once
// Server: the HTTP/1.1 listener (Boost.Beast), one async session per connection, a fixed pool
// of network threads, each with its own io_context; a connection stays on the thread it was
// handed to when accepted. All Beast and Asio templates live in server.cc.
//
// Limits it enforces before a handler runs: header size (431), body size (413, answered from
// the Content-Length before the body is read), the time to read a request and the idle time of
// a kept-alive connection (the socket is closed), and the number of open connections (503).
// Expect: 100-continue is honoured.
//
// Run() blocks until SIGINT/SIGTERM (or Shutdown()): it then stops accepting, lets in-flight
// requests finish and their replies be written (up to `shutdown_grace`), and returns. Replies
// that handlers send after Run() returned are dropped, so the owner stops its workers first
// and destroys the Server last.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"
#include "http/router.h"

namespace hookline::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
  int threads = 2;
  size_t max_connections = 10000;
  size_t max_body_bytes = 1 << 20;
  size_t max_header_bytes = 16 << 10;
  std::chrono::milliseconds read_timeout{15000};
  std::chrono::milliseconds shutdown_grace{10000};
  bool access_log = true;
};

class Server {
 public:
  Server(ServerOptions options, const Router& router);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens. Fails (e.g. address in use) without throwing.
  Status Listen();
  // The bound port (useful with port 0).
  uint16_t port() const;
  // Serves until a signal or Shutdown(); see the header comment.
  void Run();
  // Thread-safe, idempotent: begins the graceful stop.
  void Shutdown();

  struct Impl;  // server.cc only

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace hookline::http
