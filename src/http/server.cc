#include "http/server.h"

#include "core/metrics.h"
#include "http/access_log.h"

#include <spdlog/spdlog.h>

#include <array>
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

}  // namespace

struct Server::Impl {
  Impl(ServerOptions o, const Router& r) : options(std::move(o)), router(r) {}

  ServerOptions options;
  const Router& router;
  std::unique_ptr<AccessLog> access_log;
  std::atomic<size_t> open_connections{0};
  std::atomic<size_t> in_flight{0};
  std::atomic<bool> draining{false};
  // Declared last so it is destroyed first: pending handlers (sessions) are destroyed while
  // the counters above still exist.
  std::unique_ptr<net::io_context> ioc = std::make_unique<net::io_context>(options.threads);
  std::optional<tcp::acceptor> acceptor;
  std::optional<net::signal_set> signals;
  std::optional<net::steady_timer> drain_timer;

  std::atomic<int> refusing{0};  // connections being answered 503 right now

  void Accept();
  void Refuse(tcp::socket socket);
  void BeginShutdown();
  void PollDrain(std::chrono::steady_clock::time_point deadline);
};

namespace {

class Session;

// Shared by every copy of one Reply: answers 500 if the handler lost its Reply unanswered.
struct ReplyOnce {
  std::shared_ptr<Session> session;
  std::atomic<bool> done{false};
  ~ReplyOnce();
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, Server::Impl& server)
      : stream_(std::move(socket)), server_(server) {
    ++server_.open_connections;
    ++Metrics::Get().http_open_connections;
    error_code ec;
    const auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ip_ = ep.address().to_string();
    stream_.socket().set_option(tcp::no_delay(true), ec);
  }
  ~Session() {
    --server_.open_connections;
    --Metrics::Get().http_open_connections;
  }

  void Start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadHeader(); });
  }

  // From any thread: hands the response to this session's strand.
  void Send(Response response) {
    net::post(stream_.get_executor(), [self = shared_from_this(), r = std::move(response)]() mutable {
      self->Write(std::move(r));
    });
  }

 private:
  void ReadHeader() {
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(server_.options.max_header_bytes));
    parser_->body_limit(server_.options.max_body_bytes);
    stream_.expires_after(server_.options.read_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  void OnHeader(error_code ec, size_t) {
    if (ec) return OnReadError(ec);
    const auto& msg = parser_->get();
    if (beast::iequals(msg[bhttp::field::expect], "100-continue") && !parser_->is_done()) {
      continue_.emplace(bhttp::status::continue_, msg.version());
      bhttp::async_write(stream_, *continue_,
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
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](error_code ec, size_t) {
                        if (ec) return self->OnReadError(ec);
                        self->OnRequest();
                      });
  }

  void OnReadError(error_code ec) {
    if (ec == bhttp::error::body_limit) {
      return Fail(413, "request body is too large (at most " +
                           std::to_string(server_.options.max_body_bytes) + " bytes)");
    }
    if (ec == bhttp::error::header_limit) return Fail(431, "request headers are too large");
    if (ec == bhttp::error::end_of_stream || ec == net::error::eof ||
        ec == beast::error::timeout || ec == net::error::operation_aborted ||
        ec == net::error::connection_reset || ec == net::error::bad_descriptor) {
      return Close();  // the client left, or was too slow: nothing to answer
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
    ++server_.in_flight;
    ++Metrics::Get().http_in_flight;
    stream_.expires_never();  // a handler's own time limits apply while it works
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

  void Write(Response r) {
    response_ = {};
    response_.version(11);
    response_.result(static_cast<unsigned>(r.status));
    response_.set(bhttp::field::server, "hookline");
    response_.set(bhttp::field::content_type, r.content_type);
    for (auto& [k, v] : r.headers) response_.insert(k, v);
    response_.keep_alive(keep_alive_ && !r.close && !server_.draining.load());
    response_.body() = std::move(r.body);
    response_.prepare_payload();
    if (head_) response_.body().clear();
    status_ = r.status;
    bhttp::async_write(stream_, response_,
                       beast::bind_front_handler(&Session::OnWrite, shared_from_this()));
  }

  void OnWrite(error_code ec, size_t) {
    --server_.in_flight;
    --Metrics::Get().http_in_flight;
    if (status_ >= 100 && status_ < 600) {
      Metrics::Get().http_responses[status_ / 100].fetch_add(1, std::memory_order_relaxed);
    }
    if (server_.access_log) {
      const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::steady_clock::now() - started_)
                          .count();
      server_.access_log->Write(method_, path_, status_, us / 1000.0, remote_ip_);
    }
    if (ec || !response_.keep_alive()) return Close();
    ReadHeader();
  }

  void Close() {
    error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.close();
  }

  beast::tcp_stream stream_;
  Server::Impl& server_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::optional<bhttp::response<bhttp::empty_body>> continue_;
  bhttp::response<bhttp::string_body> response_;
  Request request_;
  std::string remote_ip_;
  std::string method_;
  std::string path_;
  std::chrono::steady_clock::time_point started_;
  int status_ = 0;
  bool keep_alive_ = true;
  bool head_ = false;
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
void Server::Impl::Refuse(tcp::socket socket) {
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
    tcp::socket socket;
    net::steady_timer timer;
    std::array<char, 4096> sink{};
    std::atomic<int>& counter;
    Refusal(tcp::socket s, std::atomic<int>& c)
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
  acceptor->async_accept(net::make_strand(*ioc), [this](error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor->is_open()) return;
    if (!ec) {
      if (open_connections.load() >= options.max_connections) {
        Refuse(std::move(socket));
        ++Metrics::Get().http_connections_refused;
        spdlog::warn("connection refused: {} open connections (HOOKLINE_MAX_CONNECTIONS)",
                     open_connections.load());
      } else {
        std::make_shared<Session>(std::move(socket), *this)->Start();
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
    ioc->stop();
    return;
  }
  drain_timer.emplace(*ioc, std::chrono::milliseconds(5));
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
  impl_->ioc.reset();
}

Status Server::Listen() {
  auto& o = impl_->options;
  error_code ec;
  const auto addr = net::ip::make_address(o.host, ec);
  if (ec) return Status::Invalid("HOST \"" + o.host + "\" is not an IP address");
  const tcp::endpoint ep(addr, o.port);
  tcp::acceptor acceptor(*impl_->ioc);
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
  impl.signals.emplace(*impl.ioc, SIGINT, SIGTERM);
  impl.signals->async_wait([&impl](error_code ec, int sig) {
    if (ec) return;
    spdlog::info("received {}", sig == SIGINT ? "SIGINT" : "SIGTERM");
    impl.BeginShutdown();
  });
  impl.Accept();
  const int n = std::max(1, impl.options.threads);
  std::vector<std::thread> threads;
  threads.reserve(n - 1);
  for (int i = 1; i < n; ++i) threads.emplace_back([&impl] { impl.ioc->run(); });
  impl.ioc->run();
  for (auto& t : threads) t.join();
  if (impl.access_log) impl.access_log->Stop();
}

void Server::Shutdown() {
  net::post(*impl_->ioc, [impl = impl_.get()] { impl->BeginShutdown(); });
}

}  // namespace hookline::http
