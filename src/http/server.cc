#include "http/server.h"

#include "core/metrics.h"
#include "http/access_log.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <array>
#include <charconv>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>
#include <thread>
#include <vector>

namespace hookline::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using boost::system::error_code;

Method ToMethod(bhttp::verb v) {
  switch (v) {
    case bhttp::verb::get: return Method::kGet;
    case bhttp::verb::head: return Method::kHead;
    case bhttp::verb::post: return Method::kPost;
    case bhttp::verb::put: return Method::kPut;
    case bhttp::verb::patch: return Method::kPatch;
    case bhttp::verb::delete_: return Method::kDelete;
    case bhttp::verb::options: return Method::kOptions;
    default: return Method::kOther;
  }
}

using Executor = net::io_context::executor_type;
using Socket = net::basic_stream_socket<tcp, Executor>;
using Timer = net::basic_waitable_timer<std::chrono::steady_clock,
                                        net::wait_traits<std::chrono::steady_clock>, Executor>;

}  // namespace

// Threads: one io_context per network thread, each run by exactly one thread. The acceptor
// hands accepted sockets to the contexts in turn, so a connection lives on one thread for its
// whole life and needs no strand or lock; a reply produced on another thread (a store
// callback) is posted to the connection's context.
struct Server::Impl {
  Impl(ServerOptions o, const Router& r) : options(std::move(o)), router(r) {
    const int n = std::max(1, options.threads);
    for (int i = 0; i < n; ++i) iocs.push_back(std::make_unique<net::io_context>(1));
  }

  ServerOptions options;
  const Router& router;
  std::unique_ptr<AccessLog> access_log;
  std::atomic<size_t> open_connections{0};
  std::atomic<size_t> in_flight{0};
  std::atomic<bool> draining{false};
  // Declared after the counters so they are destroyed first: pending handlers (sessions) are
  // destroyed while the counters above still exist. iocs[0] also runs the acceptor, the
  // signals and the drain timer.
  std::vector<std::unique_ptr<net::io_context>> iocs;
  size_t next_ioc = 0;  // touched only by the acceptor's handler (iocs[0]'s thread)
  std::optional<tcp::acceptor> acceptor;
  std::optional<net::signal_set> signals;
  std::optional<net::steady_timer> drain_timer;

  std::atomic<int> refusing{0};  // connections being answered 503 right now

  void Accept();
  void Refuse(Socket socket);
  void BeginShutdown();
  void PollDrain(std::chrono::steady_clock::time_point deadline);
  void StopAll() {
    for (auto& ioc : iocs) ioc->stop();
  }
};

namespace {

class Session;

// Shared by every copy of one Reply: answers 500 if the handler lost its Reply unanswered.
struct ReplyOnce {
  std::shared_ptr<Session> session;
  std::atomic<bool> done{false};
  ~ReplyOnce();
};

// Content-Length is not sent with these (RFC 9110 8.6), and they carry no body.
bool NoBodyStatus(int status) { return status < 200 || status == 204 || status == 304; }

void AppendInt(std::string& out, uint64_t v) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, v);
  out.append(digits, end);
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Socket&& socket, Server::Impl& server)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), server_(server) {
    ++server_.open_connections;
    ++Metrics::Get().http_open_connections;
    error_code ec;
    const auto ep = socket_.remote_endpoint(ec);
    if (!ec) remote_ip_ = ep.address().to_string();
    socket_.set_option(tcp::no_delay(true), ec);
  }
  ~Session() {
    --server_.open_connections;
    --Metrics::Get().http_open_connections;
  }

  Executor executor() { return socket_.get_executor(); }

  // Called on the session's own thread.
  void Start() {
    deadline_ = std::chrono::steady_clock::now() + server_.options.read_timeout;
    ArmTimer(deadline_);
    ReadHeader();
  }

  // From any thread. On the session's own thread (a reply produced while the handler runs) the
  // response is written at once; from another thread it is posted to the session's context.
  void Send(Response response) {
    if (socket_.get_executor().running_in_this_thread()) return Write(std::move(response));
    net::post(socket_.get_executor(),
              [self = shared_from_this(), r = std::move(response)]() mutable {
                self->Write(std::move(r));
              });
  }

 private:
  // The read timeout covers a request's header and body, and the idle time of a kept-alive
  // connection. Rather than re-arming a timer for every read (a timer-queue update, often a
  // timerfd_settime, per request), a request only moves `deadline_`; the one timer of the
  // session wakes at the old deadline, and either closes the socket or sleeps until the new one.
  void ArmTimer(std::chrono::steady_clock::time_point at) {
    timer_.expires_at(at);
    timer_.async_wait([weak = weak_from_this()](error_code ec) {
      if (ec) return;
      if (auto self = weak.lock()) self->OnTimer();
    });
  }

  void OnTimer() {
    if (closed_) return;
    const auto now = std::chrono::steady_clock::now();
    if (!reading_) return ArmTimer(now + server_.options.read_timeout);
    if (now < deadline_) return ArmTimer(deadline_);
    // Too slow: the pending read ends with operation_aborted and the session closes.
    error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
  }

  void ReadHeader() {
    reading_ = true;
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(server_.options.max_header_bytes));
    parser_->body_limit(server_.options.max_body_bytes);
    bhttp::async_read_header(socket_, buffer_, *parser_,
                             beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  void OnHeader(error_code ec, size_t) {
    if (ec) return OnReadError(ec);
    const auto& msg = parser_->get();
    if (beast::iequals(msg[bhttp::field::expect], "100-continue") && !parser_->is_done()) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      net::async_write(socket_, net::buffer(kContinue.data(), kContinue.size()),
                       [self = shared_from_this()](error_code wec, size_t) {
                         if (wec) return self->Close();
                         self->ReadBody();
                       });
      return;
    }
    if (parser_->is_done()) return OnRequest();
    ReadBody();
  }

  void ReadBody() {
    // The body usually came in the same segment as the header and is already in `buffer_`:
    // parse it here instead of through another asynchronous read, whose completion would be
    // posted to the context even though it needs no I/O.
    while (!parser_->is_done() && buffer_.size() != 0) {
      error_code ec;
      const size_t n = parser_->put(buffer_.data(), ec);
      if (ec == bhttp::error::need_more) break;
      if (ec) return OnReadError(ec);
      buffer_.consume(n);
      if (n == 0) break;
    }
    if (parser_->is_done()) return OnRequest();
    bhttp::async_read(socket_, buffer_, *parser_,
                      [self = shared_from_this()](error_code ec, size_t) {
                        if (ec) return self->OnReadError(ec);
                        self->OnRequest();
                      });
  }

  void OnReadError(error_code ec) {
    reading_ = false;
    if (ec == bhttp::error::body_limit) {
      return Fail(413, "request body is too large (at most " +
                           std::to_string(server_.options.max_body_bytes) + " bytes)");
    }
    if (ec == bhttp::error::header_limit) return Fail(431, "request headers are too large");
    if (ec == bhttp::error::end_of_stream || ec == net::error::eof ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset ||
        ec == net::error::bad_descriptor) {
      return Close();  // the client left, or was too slow (closed by OnTimer): nothing to answer
    }
    if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category()) {
      return Fail(400, "malformed HTTP request");
    }
    Close();
  }

  // An error found while reading: answer it and close, the stream cannot be trusted further.
  void Fail(int status, std::string message) {
    started_ = std::chrono::steady_clock::now();
    method_ = "-";
    path_ = "-";
    ++server_.in_flight;
    ++Metrics::Get().http_in_flight;
    keep_alive_ = false;
    Write(Response::Error(status, message));
  }

  void OnRequest() {
    started_ = std::chrono::steady_clock::now();
    reading_ = false;  // a handler's own time limits apply while it works
    ++server_.in_flight;
    ++Metrics::Get().http_in_flight;
    auto& msg = parser_->get();
    keep_alive_ = msg.keep_alive();
    // Reuse the vectors' capacity across the requests of a kept-alive connection.
    request_.headers.clear();
    request_.path_params.clear();
    request_.query = {};
    request_.method = ToMethod(msg.method());
    head_ = request_.method == Method::kHead;
    request_.target = msg.target();
    const auto q = request_.target.find('?');
    request_.path = request_.target.substr(0, q);
    if (q != std::string_view::npos) request_.query = request_.target.substr(q + 1);
    request_.body = msg.body();
    request_.remote_ip = remote_ip_;
    for (const auto& field : msg) request_.headers.emplace_back(field.name_string(), field.value());
    method_ = msg.method_string();
    path_ = request_.path;

    auto once = std::make_shared<ReplyOnce>();
    once->session = shared_from_this();
    server_.router.Dispatch(request_, [once](Response r) {
      if (once->done.exchange(true)) return;  // a second reply is a bug; the first one stands
      once->session->Send(std::move(r));
    });
  }

  // Serialises the status line and header fields into `head_bytes_` (its capacity is reused by
  // the requests of a kept-alive connection) and writes them with the body in one gather write.
  void Write(Response r) {
    status_ = r.status;
    close_after_ = !keep_alive_ || r.close || server_.draining.load();
    body_ = std::move(r.body);
    auto& h = head_bytes_;
    h.clear();
    h += "HTTP/1.1 ";
    AppendInt(h, static_cast<unsigned>(r.status));
    h += ' ';
    const auto reason = bhttp::obsolete_reason(static_cast<bhttp::status>(r.status));
    h.append(reason.data(), reason.size());
    h += "\r\nServer: hookline\r\nContent-Type: ";
    h += r.content_type;
    h += "\r\n";
    for (const auto& [k, v] : r.headers) {
      h += k;
      h += ": ";
      h += v;
      h += "\r\n";
    }
    if (close_after_) h += "Connection: close\r\n";
    if (NoBodyStatus(r.status)) {
      body_.clear();
    } else {
      h += "Content-Length: ";
      AppendInt(h, body_.size());
      h += "\r\n";
    }
    h += "\r\n";
    if (head_) body_.clear();  // HEAD: the GET's Content-Length, no body
    const std::array<net::const_buffer, 2> bufs{net::buffer(head_bytes_), net::buffer(body_)};
    net::async_write(socket_, bufs,
                     beast::bind_front_handler(&Session::OnWrite, shared_from_this()));
  }

  void OnWrite(error_code ec, size_t) {
    --server_.in_flight;
    --Metrics::Get().http_in_flight;
    if (status_ >= 100 && status_ < 600) {
      Metrics::Get().http_responses[status_ / 100].fetch_add(1, std::memory_order_relaxed);
    }
    const uint64_t us = Metrics::Get().http_request_duration.ObserveSince(started_);
    if (server_.access_log) {
      server_.access_log->Write(method_, path_, status_, us / 1000.0, remote_ip_);
    }
    if (ec || close_after_) return Close();
    deadline_ = std::chrono::steady_clock::now() + server_.options.read_timeout;
    ReadHeader();
  }

  void Close() {
    closed_ = true;
    reading_ = false;
    error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    socket_.close(ec);
    timer_.cancel();
  }

  Socket socket_;
  Timer timer_;
  Server::Impl& server_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::string head_bytes_;
  std::string body_;
  Request request_;
  std::string remote_ip_;
  std::string method_;
  std::string path_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point deadline_;  // of the current read, while reading_
  int status_ = 0;
  bool keep_alive_ = true;
  bool close_after_ = false;
  bool head_ = false;
  bool reading_ = false;
  bool closed_ = false;
};

ReplyOnce::~ReplyOnce() {
  if (!done.load() && session) {
    session->Send(Response::Error(500, "internal error: the request was not answered"));
  }
}

}  // namespace

// Over the connection cap: answer a short 503 and close gracefully. The client's request may
// already be in our receive buffer, and closing a socket with unread data sends a reset that
// can destroy the 503 before the client reads it; so shut down our side, drain the client's
// bytes until it closes (or 1 s passes), then close. Bounded: past 256 at once, just close.
void Server::Impl::Refuse(Socket socket) {
  static constexpr std::string_view kBusy =
      "HTTP/1.1 503 Service Unavailable\r\nServer: hookline\r\nContent-Type: application/json\r\n"
      "Retry-After: 1\r\nConnection: close\r\nContent-Length: 37\r\n\r\n"
      "{\"error\":\"too many open connections\"}";
  if (refusing.load() >= 256) {
    error_code ec;
    socket.close(ec);
    return;
  }
  struct Refusal {
    Socket socket;
    Timer timer;
    std::array<char, 4096> sink{};
    std::atomic<int>& counter;
    Refusal(Socket s, std::atomic<int>& c)
        : socket(std::move(s)), timer(socket.get_executor()), counter(c) {
      ++counter;
    }
    ~Refusal() { --counter; }
    static void Drain(const std::shared_ptr<Refusal>& self) {
      self->socket.async_read_some(net::buffer(self->sink), [self](error_code ec, size_t) {
        if (ec) {
          error_code ignored;
          self->timer.cancel();
          self->socket.close(ignored);
          return;
        }
        Drain(self);
      });
    }
  };
  auto r = std::make_shared<Refusal>(std::move(socket), refusing);
  r->timer.expires_after(std::chrono::seconds(1));
  r->timer.async_wait([r](error_code ec) {
    if (!ec) {
      error_code ignored;
      r->socket.close(ignored);
    }
  });
  net::async_write(r->socket, net::buffer(kBusy.data(), kBusy.size()),
                   [r](error_code ec, size_t) {
                     error_code ignored;
                     if (ec) return r->socket.close(ignored);
                     r->socket.shutdown(tcp::socket::shutdown_send, ignored);
                     Refusal::Drain(r);
                   });
}

void Server::Impl::Accept() {
  auto& ioc = *iocs[next_ioc];
  next_ioc = (next_ioc + 1) % iocs.size();
  acceptor->async_accept(ioc.get_executor(), [this](error_code ec, Socket socket) {
    if (ec == net::error::operation_aborted || !acceptor->is_open()) return;
    if (!ec) {
      if (open_connections.load() >= options.max_connections) {
        Refuse(std::move(socket));
        ++Metrics::Get().http_connections_refused;
        spdlog::warn("connection refused: {} open connections (HOOKLINE_MAX_CONNECTIONS)",
                     open_connections.load());
      } else {
        auto session = std::make_shared<Session>(std::move(socket), *this);
        net::post(session->executor(), [session] { session->Start(); });
      }
    } else {
      spdlog::warn("accept failed: {}", ec.message());
    }
    Accept();
  });
}

void Server::Impl::BeginShutdown() {
  if (draining.exchange(true)) return;
  spdlog::info("shutting down: no new connections, finishing {} in-flight request(s)",
               in_flight.load());
  error_code ec;
  if (acceptor) acceptor->close(ec);
  if (signals) signals->cancel(ec);
  PollDrain(std::chrono::steady_clock::now() + options.shutdown_grace);
}

void Server::Impl::PollDrain(std::chrono::steady_clock::time_point deadline) {
  if (in_flight.load() == 0 || std::chrono::steady_clock::now() >= deadline) {
    if (in_flight.load() != 0) {
      spdlog::warn("shutdown grace over with {} request(s) unanswered", in_flight.load());
    }
    StopAll();
    return;
  }
  drain_timer.emplace(*iocs[0], std::chrono::milliseconds(5));
  drain_timer->async_wait([this, deadline](error_code) { PollDrain(deadline); });
}

Server::Server(ServerOptions options, const Router& router)
    : impl_(std::make_unique<Impl>(std::move(options), router)) {
  if (impl_->options.access_log) impl_->access_log = std::make_unique<AccessLog>();
}

Server::~Server() {
  error_code ec;
  impl_->drain_timer.reset();
  impl_->signals.reset();
  impl_->acceptor.reset();
  impl_->iocs.clear();
}

Status Server::Listen() {
  auto& o = impl_->options;
  error_code ec;
  const auto addr = net::ip::make_address(o.host, ec);
  if (ec) return Status::Invalid("HOST \"" + o.host + "\" is not an IP address");
  const tcp::endpoint ep(addr, o.port);
  tcp::acceptor acceptor(*impl_->iocs[0]);
  acceptor.open(ep.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(ep, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::Unavailable("cannot listen on " + o.host + ":" + std::to_string(o.port) +
                               ": " + ec.message());
  }
  impl_->acceptor.emplace(std::move(acceptor));
  return Status::Ok();
}

uint16_t Server::port() const {
  error_code ec;
  return impl_->acceptor ? impl_->acceptor->local_endpoint(ec).port() : 0;
}

void Server::Run() {
  auto& impl = *impl_;
  impl.signals.emplace(*impl.iocs[0], SIGINT, SIGTERM);
  impl.signals->async_wait([&impl](error_code ec, int sig) {
    if (ec) return;
    spdlog::info("received {}", sig == SIGINT ? "SIGINT" : "SIGTERM");
    impl.BeginShutdown();
  });
  impl.Accept();
  // The other contexts may have no connection for a while: keep them running until StopAll().
  std::vector<net::executor_work_guard<net::io_context::executor_type>> guards;
  std::vector<std::thread> threads;
  for (size_t i = 1; i < impl.iocs.size(); ++i) {
    guards.push_back(net::make_work_guard(*impl.iocs[i]));
    threads.emplace_back([ioc = impl.iocs[i].get()] { ioc->run(); });
    pthread_setname_np(threads.back().native_handle(), "hl-http");  // the first is the caller's
  }
  impl.iocs[0]->run();
  for (auto& t : threads) t.join();
  if (impl.access_log) impl.access_log->Stop();
}

void Server::Shutdown() {
  net::post(*impl_->iocs[0], [impl = impl_.get()] { impl->BeginShutdown(); });
}

}  // namespace hookline::http
