#pragma once
// HttpClient: the outbound HTTP/1.1 POST client of the delivery worker (Boost.Beast + OpenSSL).
//
// Contract:
// - Post() is thread-safe and never blocks on the network. `done` is invoked exactly once, on
//   a thread running the io_context, with the outcome: an HTTP status (any status, 2xx or not,
//   is a received response) or an error text for the attempt log. done must not block long:
//   it runs on a network thread.
// - PostRequest::timeout bounds the WHOLE attempt: waiting for a free connection slot,
//   resolve, connect, TLS handshake, write and read. The time spent waiting in the per-host
//   queue counts too (a host that is saturated makes its own requests time out, not others').
// - Connections are kept alive and reused per (scheme, host, port), at most
//   max_connections_per_host open at once (busy + idle); further requests to that host wait in
//   FIFO order. Hosts are independent: a slow receiver ties up only its own connections.
// - A pooled connection that fails on write or read before any response byte arrives (the
//   server closed it while idle - the standard keep-alive race) is retried once on a fresh
//   connection within the same deadline. A request that reached the server may thus be sent
//   twice only if the server read it and closed without answering a byte; receivers dedupe on
//   X-Webhook-Id anyway.
// - SSRF: unless allow_private, every address the host name resolves to is checked with
//   IsForbiddenAddress at connect time and forbidden ones are never connected to (DNS
//   rebinding cannot bypass a check made at endpoint creation).
// - Host names are resolved by Asio's resolver, which runs getaddrinfo on ONE background
//   thread per io_context: a name whose DNS hangs delays other hosts' new connections (not
//   pooled connections, not IP literals) until the system resolver gives up. Each attempt
//   still ends at its own deadline.
// - HTTPS: system CA store, peer and host name verification, SNI, TLS 1.2 minimum.
// - The response body is read up to max_response_bytes (kept as a snippet); the rest is read
//   and discarded up to 64 KiB so the connection can be reused, beyond that the connection is
//   closed. The status is reported either way. Bodies and header values are never logged.
// - The io_context must outlive the HttpClient. Destroying the HttpClient fails requests still
//   waiting for a connection ("client shut down") and closes idle connections; requests on a
//   connection finish normally (the machinery keeps itself alive until they do), as long as the
//   io_context keeps running.
//
// All Beast/Asio templates live in http_client.cc; this header stays cheap to include.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hookline::delivery {

struct PostRequest {
  std::string url;  // validated before with ParseEndpointUrl (re-parsed here; bad -> error)
  // Extra headers, e.g. Content-Type and the X-Webhook-* ones. Host, Content-Length,
  // Transfer-Encoding and Connection belong to the client and are ignored here.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;                          // sent byte for byte
  std::chrono::milliseconds timeout{10000};  // the WHOLE attempt (see above)
};

struct PostResult {
  int http_status = 0;  // 0 when no response was received
  // Empty when a response was received; else what went wrong, for the attempt log:
  // "connect: Connection refused", "timeout after 10000 ms", "tls: certificate verify failed:
  // ...", "address 10.0.0.1 is private (refused)", "url must use http or https", ...
  std::string error;
  std::string body_snippet;                // at most max_response_bytes of the body
  std::optional<std::string> retry_after;  // the Retry-After header, if present
  std::chrono::microseconds duration{0};   // from Post() to the result
};

struct HttpClientOptions {
  bool allow_private = false;
  size_t max_response_bytes = 4096;
  size_t max_connections_per_host = 16;
  std::string user_agent;  // "hookline/<version>"; empty -> "hookline/" HOOKLINE_VERSION
  std::chrono::seconds idle_keepalive{30};  // an idle pooled connection is closed after this
};

class HttpClient {
 public:
  HttpClient(boost::asio::io_context& ioc, HttpClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  void Post(PostRequest request, std::function<void(PostResult)> done);

  // Requests posted whose `done` has not been invoked yet.
  size_t InFlight() const;

  class Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace hookline::delivery
