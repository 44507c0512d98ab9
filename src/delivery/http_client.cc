#include "delivery/http_client.h"

// Structure: an Attempt is one Post (deadline timer + exactly-once completion). It needs no
// strand: its timer is armed before the attempt is shared and cancelled once, by the winning
// Finish, and nothing else touches it. A Connection is one TCP/TLS connection (resolve, connect,
// handshake, one exchange at a time, idle timer), all on its own strand; the stream's own timeout
// (tcp_stream expires_at) stops its I/O at the attempt's deadline. The Impl owns the per-host pools
// under one mutex and hands connections to attempts. Attempts and connections talk only through the
// thread-safe Attempt::Finish and the pool calls, so the two strands never share state.

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <deque>
#include <map>
#include <mutex>

#include "delivery/url_policy.h"

#ifndef HOOKLINE_VERSION
#define HOOKLINE_VERSION "dev"
#endif

namespace hookline::delivery {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Strand = asio::strand<asio::io_context::executor_type>;
using SteadyClock = std::chrono::steady_clock;

// Past the snippet, a body is read and thrown away up to this many bytes so the connection
// can be reused; a larger one costs us a new connection rather than bandwidth.
constexpr size_t kMaxDrainBytes = size_t{64} * 1024;
constexpr size_t kReadChunk = size_t{8} * 1024;
constexpr uint32_t kMaxResponseHeaderBytes = 16 * 1024;
// 1xx responses before the final one; a server sending endless 100s is broken.
constexpr int kMaxInterimResponses = 4;

std::string PoolKey(const ParsedUrl& url) {
  return url.scheme + "://[" + url.host + "]:" + std::to_string(url.port);
}

bool IsIpLiteral(const std::string& host) {
  beast::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

bool EqualsNoCase(std::string_view a, std::string_view b) { return beast::iequals(a, b); }

bool HasControlChars(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

// Header names and values come from our own code, but a CR/LF in one would let it write
// arbitrary headers (or a second request): refuse rather than send.
bool ValidHeaders(const std::vector<std::pair<std::string, std::string>>& headers) {
  for (const auto& [name, value] : headers) {
    if (name.empty() || HasControlChars(name) || HasControlChars(value) ||
        name.find_first_of(" :\t") != std::string::npos) {
      return false;
    }
  }
  return true;
}

// "certificate verify failed: self-signed certificate" rather than OpenSSL's
// "certificate verify failed (SSL routines)".
std::string TlsErrorText(const beast::error_code& ec, SSL* ssl) {
  std::string text = "tls: ";
  if (ec.category() == asio::error::get_ssl_category()) {
    const char* reason = ERR_reason_error_string(static_cast<unsigned long>(ec.value()));
    text += reason != nullptr ? reason : ec.message();
    const long verify = SSL_get_verify_result(ssl);
    if (verify != X509_V_OK) {
      text += ": ";
      text += X509_verify_cert_error_string(verify);
    }
  } else {
    text += ec.message();
  }
  return text;
}

PostResult ErrorResult(std::string error) {
  PostResult result;
  result.error = std::move(error);
  return result;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// One Post: the deadline and the exactly-once completion.
class Attempt : public std::enable_shared_from_this<Attempt> {
 public:
  Attempt(asio::io_context& ioc, PostRequest request, ParsedUrl url,
          std::function<void(PostResult)> done, std::shared_ptr<std::atomic<size_t>> in_flight)
      : ioc_(ioc),
        timer_(ioc),
        request_(std::move(request)),
        url_(std::move(url)),
        key_(PoolKey(url_)),
        start_(SteadyClock::now()),
        deadline_(start_ + request_.timeout),
        done_(std::move(done)),
        in_flight_(std::move(in_flight)) {}

  const PostRequest& request() const { return request_; }
  const ParsedUrl& url() const { return url_; }
  const std::string& key() const { return key_; }
  SteadyClock::time_point deadline() const { return deadline_; }
  bool finished() const { return finished_.load(); }
  bool Expired() const { return SteadyClock::now() >= deadline_; }
  std::string TimeoutText() const {
    return "timeout after " + std::to_string(request_.timeout.count()) + " ms";
  }

  // Once, before the attempt is shared with a connection or the pool (or Finish is called).
  void StartTimer() {
    timer_.expires_at(deadline_);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->Finish(ErrorResult(self->TimeoutText()));
    });
  }

  // Any thread; the first call wins, later ones are ignored. `done` runs on an io_context
  // thread, posted, so a connection's handler never runs it inline.
  void Finish(PostResult result) {
    bool expected = false;
    if (!finished_.compare_exchange_strong(expected, true)) return;
    // Whatever broke at the deadline (reset, truncated TLS record), the cause is the deadline.
    if (result.http_status == 0 && Expired()) result.error = TimeoutText();
    asio::post(ioc_, [self = shared_from_this(), result = std::move(result)]() mutable {
      self->timer_.cancel();  // the only call on timer_ after StartTimer
      result.duration =
          std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - self->start_);
      auto done = std::move(self->done_);
      self->in_flight_->fetch_sub(1);
      done(std::move(result));
    });
  }

 private:
  asio::io_context& ioc_;
  asio::steady_timer timer_;  // see StartTimer and Finish
  const PostRequest request_;
  const ParsedUrl url_;
  const std::string key_;
  const SteadyClock::time_point start_;
  const SteadyClock::time_point deadline_;
  std::function<void(PostResult)> done_;  // moved out by the winning Finish
  std::shared_ptr<std::atomic<size_t>> in_flight_;
  std::atomic<bool> finished_{false};
};

class Connection;

// ---------------------------------------------------------------------------------------
class HttpClient::Impl : public std::enable_shared_from_this<HttpClient::Impl> {
 public:
  Impl(asio::io_context& ioc, HttpClientOptions options);

  void Post(PostRequest request, std::function<void(PostResult)> done);
  void Shutdown();
  size_t InFlight() const { return in_flight_->load(); }

  // Called by a Connection, on its strand.
  void Release(const std::shared_ptr<Connection>& conn);    // exchange done, connection healthy
  void Closed(const std::string& key);                      // connection gone, its slot is free
  void Reconnect(const std::shared_ptr<Attempt>& attempt);  // stale retry: same slot, new conn
  void IdleExpired(const std::shared_ptr<Connection>& conn, uint64_t idle_generation);

  asio::io_context& ioc() { return ioc_; }
  // The TLS context, its trust store loaded on first use: reading the system's CA bundle
  // (~140 certificates) took about a quarter of hookline's start-up, and many installations deliver
  // over TLS only once an endpoint exists. Thread-safe. Without a trust store every TLS
  // attempt fails its certificate check, and says so in the attempt's error.
  ssl::context& tls() {
    std::call_once(tls_trust_loaded_, [this] {
      boost::system::error_code ec;
      tls_.set_default_verify_paths(ec);
      if (ec) spdlog::error("cannot load the system's CA certificates: {}", ec.message());
    });
    return tls_;
  }
  const HttpClientOptions& options() const { return options_; }
  const std::string& user_agent() const { return user_agent_; }

 private:
  struct HostPool {
    size_t open = 0;                                // connections alive: busy + idle + being opened
    std::vector<std::shared_ptr<Connection>> idle;  // most recently used last
    std::deque<std::shared_ptr<Attempt>> waiting;   // FIFO
  };

  void Acquire(const std::shared_ptr<Attempt>& attempt);
  void OpenNew(const std::shared_ptr<Attempt>& attempt);
  // Next attempt in the queue that has not finished (timed out) meanwhile. Requires mu_.
  static std::shared_ptr<Attempt> PopWaiting(HostPool& pool);

  asio::io_context& ioc_;
  const HttpClientOptions options_;
  const std::string user_agent_;
  ssl::context tls_;
  std::once_flag tls_trust_loaded_;
  std::shared_ptr<std::atomic<size_t>> in_flight_ = std::make_shared<std::atomic<size_t>>(0);

  std::mutex mu_;
  std::map<std::string, HostPool> hosts_;  // guarded by mu_
  bool shut_down_ = false;                 // guarded by mu_
};

// ---------------------------------------------------------------------------------------
// One connection. Every member function runs on strand_, except the constructor.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(std::shared_ptr<HttpClient::Impl> impl, const ParsedUrl& url)
      : impl_(std::move(impl)),
        key_(PoolKey(url)),
        host_(url.host),
        host_header_(HostHeader(url)),
        port_(url.port),
        strand_(asio::make_strand(impl_->ioc())),
        resolver_(strand_),
        idle_timer_(strand_) {
    if (url.tls) {
      tls_ = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(strand_, impl_->tls());
    } else {
      plain_ = std::make_unique<beast::tcp_stream>(strand_);
    }
  }

  const Strand& strand() const { return strand_; }
  const std::string& key() const { return key_; }

  // Guarded by Impl::mu_: whether the connection sits in its pool's idle list, and which
  // idle period it is in (so a stale idle-timer expiry cannot close a connection in use).
  bool in_idle = false;
  uint64_t idle_generation = 0;

  // Resolve, check the addresses, connect, TLS handshake, then the exchange.
  void Open(std::shared_ptr<Attempt> attempt) {
    attempt_ = std::move(attempt);
    beast::error_code ec;
    const auto address = asio::ip::make_address(host_, ec);
    if (!ec) return Connect({tcp::endpoint(address, port_)});  // a literal needs no DNS
    resolver_.async_resolve(host_, std::to_string(port_),
                            beast::bind_front_handler(&Connection::OnResolve, shared_from_this()));
  }

  // Sends attempt's request on this (connected) connection and reads the response.
  void Exchange(std::shared_ptr<Attempt> attempt, bool reused) {
    idle_timer_.cancel();
    attempt_ = std::move(attempt);
    reused_ = reused;
    if (attempt_->finished()) return ReturnToPool();  // timed out while waiting for us
    BuildRequest();
    result_ = PostResult{};
    got_response_byte_ = false;
    interim_responses_ = 0;
    body_seen_ = 0;
    close_after_snippet_ = false;
    Tcp().expires_at(attempt_->deadline());
    // The head from the reused buffer and the body from the attempt, in one gather write.
    const std::array<asio::const_buffer, 2> wire{asio::buffer(head_),
                                                 asio::buffer(attempt_->request().body)};
    WithStream([this, &wire](auto& stream) {
      asio::async_write(stream, wire,
                        beast::bind_front_handler(&Connection::OnWrite, shared_from_this()));
    });
  }

  void StartIdleTimer(uint64_t generation) {
    idle_timer_.expires_after(impl_->options().idle_keepalive);
    idle_timer_.async_wait([self = shared_from_this(), generation](beast::error_code ec) {
      if (!ec) self->impl_->IdleExpired(self, generation);
    });
  }

  // Drops the connection without a TLS close_notify: we have nothing more to say, and a
  // graceful shutdown could wait on a hostile peer.
  void Close() {
    idle_timer_.cancel();
    resolver_.cancel();
    beast::error_code ec;
    Tcp().socket().shutdown(tcp::socket::shutdown_both, ec);
    Tcp().close();
  }

 private:
  beast::tcp_stream& Tcp() { return tls_ ? beast::get_lowest_layer(*tls_) : *plain_; }

  template <class F>
  void WithStream(F&& f) {
    if (tls_) {
      f(*tls_);
    } else {
      f(*plain_);
    }
  }

  void OnResolve(beast::error_code ec, tcp::resolver::results_type results) {
    if (ec) return Fail("resolve: " + ec.message());
    std::vector<tcp::endpoint> candidates;
    for (const auto& entry : results) candidates.push_back(entry.endpoint());
    Connect(std::move(candidates));
  }

  void Connect(std::vector<tcp::endpoint> candidates) {
    if (attempt_->finished()) return Dead();
    // The SSRF check, on what the name resolves to NOW. Forbidden addresses are skipped, never
    // connected to; only when none is left does the attempt fail.
    std::vector<tcp::endpoint> allowed;
    std::string refused;
    for (const auto& endpoint : candidates) {
      const auto kind = ForbiddenAddressKind(endpoint.address());
      if (kind && !impl_->options().allow_private) {
        if (refused.empty()) {
          refused = "address " + endpoint.address().to_string() + " is " + std::string(*kind) +
                    " (refused)";
        }
        continue;
      }
      allowed.push_back(endpoint);
    }
    if (allowed.empty()) return Fail(refused.empty() ? "resolve: no address" : refused);
    Tcp().expires_at(attempt_->deadline());
    Tcp().async_connect(allowed,
                        beast::bind_front_handler(&Connection::OnConnect, shared_from_this()));
  }

  void OnConnect(beast::error_code ec, const tcp::endpoint&) {
    if (ec) return Fail("connect: " + ec.message());
    if (!tls_) return Exchange(std::move(attempt_), /*reused=*/false);
    SSL* ssl = tls_->native_handle();
    // SNI only for names (RFC 6066); verification for names and IP literals alike.
    const bool ip_literal = IsIpLiteral(host_);
    if (!ip_literal && SSL_set_tlsext_host_name(ssl, host_.c_str()) != 1) {
      return Fail("tls: cannot set server name");
    }
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    const int set_ok = ip_literal ? X509_VERIFY_PARAM_set1_ip_asc(param, host_.c_str())
                                  : X509_VERIFY_PARAM_set1_host(param, host_.c_str(), 0);
    if (set_ok != 1) return Fail("tls: cannot set the name to verify");
    tls_->async_handshake(ssl::stream_base::client,
                          beast::bind_front_handler(&Connection::OnHandshake, shared_from_this()));
  }

  void OnHandshake(beast::error_code ec) {
    if (ec) return Fail(TlsErrorText(ec, tls_->native_handle()));
    Exchange(std::move(attempt_), /*reused=*/false);
  }

  // The request head, written into head_ (its capacity is kept across exchanges): what
  // Beast's serializer wrote for an http::request with these fields and prepare_payload(),
  // without building a field list and copying the body per attempt. The target, host and
  // header names and values were checked when the request was posted (ParseEndpointUrl,
  // ValidHeaders), so none holds a CR or LF.
  void BuildRequest() {
    const PostRequest& in = attempt_->request();
    head_.clear();
    head_.append("POST ").append(attempt_->url().target).append(" HTTP/1.1\r\nHost: ");
    head_.append(host_header_).append("\r\nUser-Agent: ").append(impl_->user_agent());
    head_.append("\r\n");
    for (const auto& [name, value] : in.headers) {
      if (EqualsNoCase(name, "Host") || EqualsNoCase(name, "Content-Length") ||
          EqualsNoCase(name, "Transfer-Encoding") || EqualsNoCase(name, "Connection")) {
        continue;  // ours
      }
      head_.append(name).append(": ").append(value).append("\r\n");
    }
    head_.append("Content-Length: ").append(std::to_string(in.body.size())).append("\r\n\r\n");
  }

  void OnWrite(beast::error_code ec, size_t) {
    if (ec) return StaleOrFail("write: ", ec);
    ReadHeader();
  }

  void ReadHeader() {
    parser_.emplace();
    // No body limit in the parser: it would reject a large Content-Length before reading a
    // byte, losing the snippet. The body loop below enforces our limits itself.
    parser_->body_limit(boost::none);
    parser_->header_limit(kMaxResponseHeaderBytes);
    WithStream([this](auto& stream) {
      http::async_read_header(stream, buffer_, *parser_,
                              beast::bind_front_handler(&Connection::OnHeader, shared_from_this()));
    });
  }

  void OnHeader(beast::error_code ec, size_t) {
    if (ec) {
      if (!got_response_byte_ && !parser_->got_some()) return StaleOrFail("read: ", ec);
      return Fail("read: " + ec.message());
    }
    got_response_byte_ = true;
    const int status = static_cast<int>(parser_->get().result_int());
    if (status >= 100 && status < 200) {  // interim (100 Continue etc.): the final one follows
      if (++interim_responses_ > kMaxInterimResponses) return Fail("read: too many 1xx responses");
      return ReadHeader();
    }
    result_.http_status = status;
    if (auto it = parser_->get().find(http::field::retry_after); it != parser_->get().end()) {
      result_.retry_after = std::string(it->value());
    }
    if (auto length = parser_->content_length(); length && *length > DrainLimit()) {
      close_after_snippet_ = true;  // do not read what we would discard anyway
    }
    ReadBody();
  }

  size_t DrainLimit() const {
    return std::max(kMaxDrainBytes, impl_->options().max_response_bytes);
  }

  void ReadBody() {
    if (parser_->is_done()) return Complete(parser_->keep_alive());
    auto& body = parser_->get().body();
    body.data = chunk_.data();
    body.size = chunk_.size();
    WithStream([this](auto& stream) {
      http::async_read(stream, buffer_, *parser_,
                       beast::bind_front_handler(&Connection::OnBody, shared_from_this()));
    });
  }

  void OnBody(beast::error_code ec, size_t) {
    if (ec == http::error::need_buffer) ec = {};  // the chunk is full: normal
    const size_t got = chunk_.size() - parser_->get().body().size;
    const size_t cap = impl_->options().max_response_bytes;
    if (result_.body_snippet.size() < cap) {
      result_.body_snippet.append(chunk_.data(), std::min(got, cap - result_.body_snippet.size()));
    }
    body_seen_ += got;
    // The status line arrived: a body cut short or too long still reports the status.
    if (ec || body_seen_ > DrainLimit()) return Complete(/*reusable=*/false);
    if (close_after_snippet_ && result_.body_snippet.size() >= cap) return Complete(false);
    ReadBody();
  }

  void Complete(bool reusable) {
    auto attempt = std::move(attempt_);
    attempt->Finish(std::move(result_));
    // Bytes after a complete response mean the peer is confused: do not reuse.
    if (reusable && buffer_.size() == 0) return ReturnToPool();
    Dead();
  }

  // A pooled connection that fails before any response byte was most likely closed by the
  // server while idle: try once more on a fresh connection, keeping this one's slot.
  void StaleOrFail(const char* what, beast::error_code ec) {
    if (reused_ && ec != beast::error::timeout && !attempt_->finished() && !attempt_->Expired()) {
      Close();
      impl_->Reconnect(attempt_);
      attempt_.reset();
      return;
    }
    Fail(what + ec.message());
  }

  void Fail(std::string error) {
    if (attempt_) attempt_->Finish(ErrorResult(std::move(error)));
    Dead();
  }

  void Dead() {
    attempt_.reset();
    Close();
    impl_->Closed(key_);
  }

  void ReturnToPool() {
    attempt_.reset();
    parser_.reset();
    impl_->Release(shared_from_this());
  }

  const std::shared_ptr<HttpClient::Impl> impl_;
  const std::string key_;
  const std::string host_;
  const std::string host_header_;  // the Host header's value
  const uint16_t port_;
  Strand strand_;
  tcp::resolver resolver_;
  asio::steady_timer idle_timer_;
  std::unique_ptr<beast::tcp_stream> plain_;                   // http
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls_;  // https
  beast::flat_buffer buffer_;  // kept across exchanges: it belongs to the connection

  // The exchange in progress.
  std::shared_ptr<Attempt> attempt_;
  bool reused_ = false;
  std::string head_;  // the request head of the exchange (BuildRequest)
  std::optional<http::response_parser<http::buffer_body>> parser_;
  std::array<char, kReadChunk> chunk_{};
  PostResult result_;
  bool got_response_byte_ = false;
  int interim_responses_ = 0;
  size_t body_seen_ = 0;
  bool close_after_snippet_ = false;
};

// ---------------------------------------------------------------------------------------
HttpClient::Impl::Impl(asio::io_context& ioc, HttpClientOptions options)
    : ioc_(ioc),
      options_(std::move(options)),
      user_agent_(options_.user_agent.empty() ? "hookline/" HOOKLINE_VERSION : options_.user_agent),
      tls_(ssl::context::tls_client) {
  // Start-up configuration: a failure here is a broken installation, so it throws. The trust
  // store is loaded by tls() on the first TLS connection.
  tls_.set_verify_mode(ssl::verify_peer);
  tls_.set_options(ssl::context::default_workarounds | ssl::context::no_compression);
  if (SSL_CTX_set_min_proto_version(tls_.native_handle(), TLS1_2_VERSION) != 1) {
    throw std::runtime_error("cannot set the minimum TLS version");
  }
}

void HttpClient::Impl::Post(PostRequest request, std::function<void(PostResult)> done) {
  auto parsed = ParseEndpointUrl(request.url);
  const bool url_ok = parsed.ok();
  std::string url_error = url_ok ? std::string() : parsed.status().message();
  in_flight_->fetch_add(1);
  auto attempt = std::make_shared<Attempt>(ioc_, std::move(request),
                                           url_ok ? std::move(parsed).value() : ParsedUrl{},
                                           std::move(done), in_flight_);
  if (!url_ok) return attempt->Finish(ErrorResult(std::move(url_error)));
  // Never echo the offending header: it may carry a signature.
  if (!ValidHeaders(attempt->request().headers)) {
    return attempt->Finish(ErrorResult("invalid request header"));
  }
  // Armed here, before Acquire shares the attempt, so no Finish can race with it. Acquire
  // runs on the caller's thread so that Posts from one thread keep their order in the
  // per-host FIFO.
  attempt->StartTimer();
  Acquire(attempt);
}

void HttpClient::Impl::Acquire(const std::shared_ptr<Attempt>& attempt) {
  std::shared_ptr<Connection> idle;
  bool open_new = false;
  {
    std::lock_guard lock(mu_);
    if (shut_down_) {
      // Finish outside the lock would be tidier, but Finish only posts: it never re-enters.
      attempt->Finish(ErrorResult("client shut down"));
      return;
    }
    HostPool& pool = hosts_[attempt->key()];
    if (!pool.idle.empty()) {
      idle = std::move(pool.idle.back());
      pool.idle.pop_back();
      idle->in_idle = false;
    } else if (pool.open < options_.max_connections_per_host) {
      ++pool.open;
      open_new = true;
    } else {
      pool.waiting.push_back(attempt);
    }
  }
  if (idle) {
    asio::post(idle->strand(), [idle, attempt] { idle->Exchange(attempt, /*reused=*/true); });
  } else if (open_new) {
    OpenNew(attempt);
  }
}

void HttpClient::Impl::OpenNew(const std::shared_ptr<Attempt>& attempt) {
  auto conn = std::make_shared<Connection>(shared_from_this(), attempt->url());
  asio::post(conn->strand(), [conn, attempt] { conn->Open(attempt); });
}

void HttpClient::Impl::Reconnect(const std::shared_ptr<Attempt>& attempt) { OpenNew(attempt); }

std::shared_ptr<Attempt> HttpClient::Impl::PopWaiting(HostPool& pool) {
  while (!pool.waiting.empty()) {
    auto next = std::move(pool.waiting.front());
    pool.waiting.pop_front();
    if (!next->finished()) return next;
  }
  return nullptr;
}

void HttpClient::Impl::Release(const std::shared_ptr<Connection>& conn) {
  std::shared_ptr<Attempt> next;
  uint64_t generation = 0;
  {
    std::lock_guard lock(mu_);
    HostPool& pool = hosts_[conn->key()];
    if (shut_down_) {
      --pool.open;
    } else if ((next = PopWaiting(pool)) == nullptr) {
      conn->in_idle = true;
      generation = ++conn->idle_generation;
      pool.idle.push_back(conn);
    }
  }
  // We are on conn's strand: an Acquire that takes it from the idle list meanwhile posts its
  // Exchange behind us, so the idle timer armed here is cancelled by that Exchange.
  if (next) {
    conn->Exchange(std::move(next), /*reused=*/true);
  } else if (generation != 0) {
    conn->StartIdleTimer(generation);
  } else {
    conn->Close();
  }
}

void HttpClient::Impl::Closed(const std::string& key) {
  std::shared_ptr<Attempt> next;
  {
    std::lock_guard lock(mu_);
    auto it = hosts_.find(key);
    if (it == hosts_.end()) return;
    HostPool& pool = it->second;
    --pool.open;
    if (!shut_down_ && (next = PopWaiting(pool)) != nullptr) {
      ++pool.open;
    } else if (pool.open == 0 && pool.idle.empty() && pool.waiting.empty()) {
      hosts_.erase(it);
    }
  }
  if (next) OpenNew(next);
}

void HttpClient::Impl::IdleExpired(const std::shared_ptr<Connection>& conn,
                                   uint64_t idle_generation) {
  {
    std::lock_guard lock(mu_);
    if (!conn->in_idle || conn->idle_generation != idle_generation) return;  // taken meanwhile
    HostPool& pool = hosts_[conn->key()];
    std::erase(pool.idle, conn);
    conn->in_idle = false;
    --pool.open;
    // Nobody can be waiting while a connection of this host was idle; tidy the map.
    if (pool.open == 0 && pool.waiting.empty()) hosts_.erase(conn->key());
  }
  conn->Close();
}

void HttpClient::Impl::Shutdown() {
  std::vector<std::shared_ptr<Connection>> idle;
  std::vector<std::shared_ptr<Attempt>> waiting;
  {
    std::lock_guard lock(mu_);
    shut_down_ = true;
    for (auto& [key, pool] : hosts_) {
      for (auto& conn : pool.idle) {
        conn->in_idle = false;
        idle.push_back(std::move(conn));
      }
      pool.open -= pool.idle.size();
      pool.idle.clear();
      waiting.insert(waiting.end(), pool.waiting.begin(), pool.waiting.end());
      pool.waiting.clear();
    }
  }
  for (auto& conn : idle) asio::post(conn->strand(), [conn] { conn->Close(); });
  for (auto& attempt : waiting) attempt->Finish(ErrorResult("client shut down"));
}

// ---------------------------------------------------------------------------------------
HttpClient::HttpClient(asio::io_context& ioc, HttpClientOptions options)
    : impl_(std::make_shared<Impl>(ioc, std::move(options))) {}

HttpClient::~HttpClient() { impl_->Shutdown(); }

void HttpClient::Post(PostRequest request, std::function<void(PostResult)> done) {
  impl_->Post(std::move(request), std::move(done));
}

size_t HttpClient::InFlight() const { return impl_->InFlight(); }

}  // namespace hookline::delivery
