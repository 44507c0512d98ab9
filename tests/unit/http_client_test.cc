// HttpClient against a real (tiny, blocking) HTTP server on 127.0.0.1, one thread per
// connection, so the tests see exactly what went over the wire and how many connections.

#include "delivery/http_client.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <future>
#include <mutex>
#include <set>
#include <thread>

namespace hookline::delivery {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using std::chrono::milliseconds;

struct Received {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;  // as sent, in order
  std::string body;
  int connection = 0;  // 1-based index of the accepted connection

  std::string Header(std::string_view name) const {
    for (const auto& [n, v] : headers) {
      if (beast::iequals(n, name)) return v;
    }
    return "<missing>";
  }
};

struct Reply {
  int status = 200;
  std::string body = "ok";
  std::vector<std::pair<std::string, std::string>> headers;
  bool chunked = false;
  bool close_after = false;  // close the socket after replying, WITHOUT "Connection: close"
  bool hang = false;         // read the request, never answer
};

class TestServer {
 public:
  using Handler = std::function<Reply(const Received&)>;

  explicit TestServer(Handler handler = [](const Received&) { return Reply{}; })
      : handler_(std::move(handler)),
        acceptor_(ioc_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    port_ = acceptor_.local_endpoint().port();
    accept_thread_ = std::thread([this] { AcceptLoop(); });
  }

  ~TestServer() {
    stop_ = true;
    {  // wake the blocking accept()
      beast::error_code ec;
      tcp::socket s(ioc_);
      s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ec);
    }
    accept_thread_.join();
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(mu_);
      for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);  // unblock reads of hanging connections
      threads.swap(threads_);
    }
    for (auto& t : threads) t.join();
  }

  std::string Url(const std::string& path = "/hook") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  uint16_t port() const { return port_; }
  int accepted() const { return accepted_.load(); }
  std::vector<Received> received() {
    std::lock_guard lock(mu_);
    return received_;
  }

 private:
  void AcceptLoop() {
    for (;;) {
      beast::error_code ec;
      tcp::socket socket = acceptor_.accept(ec);
      if (stop_) return;
      if (ec) continue;
      const int index = ++accepted_;
      std::lock_guard lock(mu_);
      fds_.push_back(socket.native_handle());
      threads_.emplace_back([this, index, s = std::make_shared<tcp::socket>(std::move(socket))] {
        Serve(*s, index);
      });
    }
  }

  void Serve(tcp::socket& socket, int index) {
    beast::flat_buffer buffer;
    for (;;) {
      beast::error_code ec;
      http::request_parser<http::string_body> parser;
      parser.body_limit(10 << 20);
      http::read(socket, buffer, parser, ec);
      if (ec) return;
      const auto& req = parser.get();
      Received got{
          std::string(req.method_string()), std::string(req.target()), {}, req.body(), index};
      for (const auto& field : req) {
        got.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
      }
      const Reply reply = handler_(got);
      {
        std::lock_guard lock(mu_);
        received_.push_back(std::move(got));
      }
      if (reply.hang) {
        char c;
        while (!ec) socket.read_some(asio::buffer(&c, 1), ec);  // until the client gives up
        return;
      }
      http::response<http::string_body> res{static_cast<http::status>(reply.status), 11};
      for (const auto& [n, v] : reply.headers) res.set(n, v);
      res.body() = reply.body;
      if (reply.chunked) {
        res.chunked(true);
      } else {
        res.prepare_payload();
      }
      http::write(socket, res, ec);
      if (ec || reply.close_after || !res.keep_alive()) {
        socket.shutdown(tcp::socket::shutdown_both, ec);
        return;
      }
    }
  }

  Handler handler_;
  asio::io_context ioc_;  // never run: blocking calls only
  tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::thread accept_thread_;
  std::mutex mu_;
  std::vector<std::thread> threads_;  // guarded by mu_
  std::vector<int> fds_;              // guarded by mu_
  std::vector<Received> received_;    // guarded by mu_
};

class HttpClientTest : public ::testing::Test {
 protected:
  HttpClientTest() {
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { ioc_.run(); });
  }
  ~HttpClientTest() override {
    client_.reset();  // before the io_context stops: it closes idle connections
    work_.reset();
    for (auto& t : threads_) t.join();
  }

  HttpClient& Client(HttpClientOptions options = Local()) {
    client_ = std::make_unique<HttpClient>(ioc_, std::move(options));
    return *client_;
  }
  static HttpClientOptions Local() {
    HttpClientOptions o;
    o.allow_private = true;  // the test server is on 127.0.0.1
    return o;
  }

  static PostRequest Request(std::string url, std::string body = "{}",
                             milliseconds timeout = milliseconds(3000)) {
    PostRequest r;
    r.url = std::move(url);
    r.headers = {{"Content-Type", "application/json"}};
    r.body = std::move(body);
    r.timeout = timeout;
    return r;
  }

  // Posts and waits; the promise would throw (and fail the test) if done ran twice.
  PostResult PostAndWait(PostRequest request) {
    auto promise = std::make_shared<std::promise<PostResult>>();
    auto future = promise->get_future();
    client_->Post(std::move(request),
                  [promise](PostResult r) { promise->set_value(std::move(r)); });
    return future.get();
  }

  std::future<PostResult> PostAsync(PostRequest request) {
    auto promise = std::make_shared<std::promise<PostResult>>();
    auto future = promise->get_future();
    client_->Post(std::move(request),
                  [promise](PostResult r) { promise->set_value(std::move(r)); });
    return future;
  }

  asio::io_context ioc_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(ioc_);
  std::vector<std::thread> threads_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(HttpClientTest, PostArrivesWithExactBodyAndHeaders) {
  TestServer server;
  HttpClientOptions options = Local();
  options.user_agent = "hookline/9.9.9";
  auto& client = Client(options);
  const std::string body("{\"a\":\"\xc3\xa9\"}\r\n\0\xff tail", 17);
  PostRequest request = Request(server.Url("/in/hook?x=1"), body);
  request.headers.emplace_back("X-Webhook-Id", "render.completed:FR-1");
  request.headers.emplace_back("Content-Length", "999");  // ours, ignored
  const PostResult result = PostAndWait(std::move(request));
  EXPECT_EQ(result.error, "");
  EXPECT_EQ(result.http_status, 200);
  EXPECT_EQ(result.body_snippet, "ok");
  EXPECT_GT(result.duration.count(), 0);
  EXPECT_EQ(client.InFlight(), 0u);

  const auto received = server.received();
  ASSERT_EQ(received.size(), 1u);
  const Received& r = received[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/in/hook?x=1");
  EXPECT_EQ(r.body, body);
  EXPECT_EQ(r.Header("Host"), "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(r.Header("User-Agent"), "hookline/9.9.9");
  EXPECT_EQ(r.Header("Content-Type"), "application/json");
  EXPECT_EQ(r.Header("Content-Length"), "17");
  EXPECT_EQ(r.Header("X-Webhook-Id"), "render.completed:FR-1");
}

TEST_F(HttpClientTest, DefaultUserAgentNamesHookline) {
  TestServer server;
  Client();
  EXPECT_EQ(PostAndWait(Request(server.Url())).http_status, 200);
  EXPECT_EQ(server.received().at(0).Header("User-Agent"), "hookline/" HOOKLINE_VERSION);
}

TEST_F(HttpClientTest, KeepAliveReusesOneConnection) {
  TestServer server;
  Client();
  EXPECT_EQ(PostAndWait(Request(server.Url(), "1")).http_status, 200);
  EXPECT_EQ(PostAndWait(Request(server.Url(), "2")).http_status, 200);
  EXPECT_EQ(server.accepted(), 1);
  EXPECT_EQ(server.received().size(), 2u);
}

TEST_F(HttpClientTest, ServerConnectionCloseIsNotPooled) {
  TestServer server([](const Received&) {
    Reply r;
    r.headers = {{"Connection", "close"}};
    return r;
  });
  Client();
  EXPECT_EQ(PostAndWait(Request(server.Url())).http_status, 200);
  EXPECT_EQ(PostAndWait(Request(server.Url())).http_status, 200);
  EXPECT_EQ(server.accepted(), 2);
}

TEST_F(HttpClientTest, StalePooledConnectionIsRetriedOnAFreshOne) {
  // The server drops each connection after one response, without saying so.
  TestServer server([](const Received&) {
    Reply r;
    r.close_after = true;
    return r;
  });
  Client();
  EXPECT_EQ(PostAndWait(Request(server.Url(), "1")).http_status, 200);
  const PostResult second = PostAndWait(Request(server.Url(), "2"));
  EXPECT_EQ(second.error, "");
  EXPECT_EQ(second.http_status, 200);
  EXPECT_EQ(server.accepted(), 2);
  ASSERT_EQ(server.received().size(), 2u);
  EXPECT_EQ(server.received()[1].body, "2");
}

TEST_F(HttpClientTest, ServerErrorIsReportedAsStatus) {
  TestServer server([](const Received&) {
    Reply r;
    r.status = 500;
    r.body = "boom";
    return r;
  });
  Client();
  const PostResult result = PostAndWait(Request(server.Url()));
  EXPECT_EQ(result.http_status, 500);
  EXPECT_EQ(result.error, "");
  EXPECT_EQ(result.body_snippet, "boom");
  EXPECT_FALSE(result.retry_after.has_value());
}

TEST_F(HttpClientTest, RetryAfterIsReturned) {
  TestServer server([](const Received&) {
    Reply r;
    r.status = 503;
    r.headers = {{"Retry-After", "120"}};
    return r;
  });
  Client();
  const PostResult result = PostAndWait(Request(server.Url()));
  EXPECT_EQ(result.http_status, 503);
  EXPECT_EQ(result.retry_after, "120");
}

TEST_F(HttpClientTest, SilentServerTimesOut) {
  TestServer server([](const Received&) {
    Reply r;
    r.hang = true;
    return r;
  });
  Client();
  const auto start = std::chrono::steady_clock::now();
  const PostResult result = PostAndWait(Request(server.Url(), "{}", milliseconds(300)));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(result.http_status, 0);
  EXPECT_EQ(result.error, "timeout after 300 ms");
  EXPECT_GE(elapsed, milliseconds(290));
  EXPECT_LT(elapsed, milliseconds(1000));
  EXPECT_GE(result.duration, milliseconds(290));
}

TEST_F(HttpClientTest, SlowReceiverDoesNotStallOthers) {
  TestServer slow([](const Received&) {
    Reply r;
    r.hang = true;
    return r;
  });
  TestServer fast;
  auto& client = Client();
  auto slow_result = PostAsync(Request(slow.Url(), "{}", milliseconds(400)));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(PostAndWait(Request(fast.Url())).http_status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(300));
  EXPECT_EQ(client.InFlight(), 1u);  // the slow one is still waiting
  EXPECT_EQ(slow_result.get().error, "timeout after 400 ms");
}

TEST_F(HttpClientTest, ConnectionRefusedIsAnError) {
  uint16_t port;
  {
    asio::io_context ioc;
    tcp::acceptor a(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port = a.local_endpoint().port();
  }  // closed: nothing listens there now
  Client();
  const PostResult result =
      PostAndWait(Request("http://127.0.0.1:" + std::to_string(port) + "/hook"));
  EXPECT_EQ(result.http_status, 0);
  EXPECT_EQ(result.error, "connect: Connection refused");
}

TEST_F(HttpClientTest, LargeResponseIsCappedAndConnectionClosed) {
  std::string big(size_t{100} * 1024, 'x');
  for (size_t i = 0; i < big.size(); i += 100) big[i] = static_cast<char>('a' + (i / 100) % 26);
  TestServer server([&big](const Received& r) {
    Reply reply;
    reply.status = 400;
    reply.body = big;
    reply.chunked = r.body == "chunked";
    return reply;
  });
  HttpClientOptions options = Local();
  options.max_response_bytes = 1000;
  Client(options);
  for (const char* mode : {"content-length", "chunked"}) {
    const PostResult result = PostAndWait(Request(server.Url(), mode));
    EXPECT_EQ(result.http_status, 400) << mode;
    EXPECT_EQ(result.error, "") << mode;
    EXPECT_EQ(result.body_snippet, big.substr(0, 1000)) << mode;
  }
  // Too big to drain: each response cost its connection.
  EXPECT_EQ(server.accepted(), 2);
}

TEST_F(HttpClientTest, ModerateResponseIsDrainedAndConnectionReused) {
  const std::string body(size_t{10} * 1024, 'y');
  TestServer server([&body](const Received&) {
    Reply reply;
    reply.body = body;
    return reply;
  });
  HttpClientOptions options = Local();
  options.max_response_bytes = 1000;
  Client(options);
  for (int i = 0; i < 2; ++i) {
    const PostResult result = PostAndWait(Request(server.Url()));
    EXPECT_EQ(result.http_status, 200);
    EXPECT_EQ(result.body_snippet.size(), 1000u);
  }
  EXPECT_EQ(server.accepted(), 1);
}

TEST_F(HttpClientTest, PrivateAddressRefusedWithoutConnecting) {
  TestServer server;
  Client(HttpClientOptions{});  // allow_private = false
  PostResult result = PostAndWait(Request(server.Url()));
  EXPECT_EQ(result.http_status, 0);
  EXPECT_EQ(result.error, "address 127.0.0.1 is loopback (refused)");
  // The check is on what a NAME resolves to, not on the URL text.
  result = PostAndWait(Request("http://localhost:" + std::to_string(server.port()) + "/"));
  EXPECT_NE(result.error.find("is loopback (refused)"), std::string::npos) << result.error;
  EXPECT_EQ(server.accepted(), 0);
}

TEST_F(HttpClientTest, FiftyConcurrentPostsAllComplete) {
  TestServer server;
  HttpClientOptions options = Local();
  options.max_connections_per_host = 4;
  auto& client = Client(options);
  std::vector<std::future<PostResult>> results;
  results.reserve(50);
  for (int i = 0; i < 50; ++i) {
    results.push_back(PostAsync(Request(server.Url(), std::to_string(i))));
  }
  for (auto& f : results) {
    const PostResult r = f.get();
    EXPECT_EQ(r.http_status, 200) << r.error;
  }
  EXPECT_EQ(client.InFlight(), 0u);
  EXPECT_LE(server.accepted(), 4);
  std::set<std::string> bodies;
  for (const auto& r : server.received()) bodies.insert(r.body);
  EXPECT_EQ(bodies.size(), 50u);
}

TEST_F(HttpClientTest, OverTheLimitRequestsWaitInFifoOrder) {
  TestServer server;
  HttpClientOptions options = Local();
  options.max_connections_per_host = 1;
  Client(options);
  std::vector<std::future<PostResult>> results;
  results.reserve(5);
  for (int i = 0; i < 5; ++i) {
    results.push_back(PostAsync(Request(server.Url(), std::to_string(i))));
  }
  for (auto& f : results) EXPECT_EQ(f.get().http_status, 200);
  EXPECT_EQ(server.accepted(), 1);
  const auto received = server.received();
  ASSERT_EQ(received.size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(received[i].body, std::to_string(i));
}

TEST_F(HttpClientTest, WaitingForASlotCountsAgainstTheTimeout) {
  TestServer server([](const Received&) {
    Reply r;
    r.hang = true;
    return r;
  });
  HttpClientOptions options = Local();
  options.max_connections_per_host = 1;
  Client(options);
  auto first = PostAsync(Request(server.Url(), "1", milliseconds(350)));
  const PostResult second = PostAndWait(Request(server.Url(), "2", milliseconds(150)));
  EXPECT_EQ(second.error, "timeout after 150 ms");
  EXPECT_EQ(first.get().error, "timeout after 350 ms");
  EXPECT_EQ(server.accepted(), 1);
}

TEST_F(HttpClientTest, ShutdownFailsWaitingRequests) {
  TestServer server([](const Received&) {
    Reply r;
    r.hang = true;
    return r;
  });
  HttpClientOptions options = Local();
  options.max_connections_per_host = 1;
  Client(options);
  auto first = PostAsync(Request(server.Url(), "1", milliseconds(300)));
  auto second = PostAsync(Request(server.Url(), "2", milliseconds(3000)));
  std::this_thread::sleep_for(milliseconds(50));
  client_.reset();
  EXPECT_EQ(second.get().error, "client shut down");
  EXPECT_EQ(first.get().error, "timeout after 300 ms");  // in flight: finishes normally
}

TEST_F(HttpClientTest, TlsToAPlainServerIsATlsError) {
  TestServer server;
  Client();
  const PostResult result =
      PostAndWait(Request("https://127.0.0.1:" + std::to_string(server.port()) + "/"));
  EXPECT_EQ(result.http_status, 0);
  EXPECT_EQ(result.error.rfind("tls: ", 0), 0u) << result.error;
}

TEST_F(HttpClientTest, BadInputIsReportedOnAnIoThread) {
  Client();
  const auto test_thread = std::this_thread::get_id();
  std::promise<std::pair<PostResult, std::thread::id>> promise;
  client_->Post(Request("ftp://example.com/"), [&promise](PostResult r) {
    promise.set_value({std::move(r), std::this_thread::get_id()});
  });
  auto [result, thread] = promise.get_future().get();
  EXPECT_EQ(result.error, "url must use http or https");
  EXPECT_NE(thread, test_thread);

  PostRequest injected = Request("http://127.0.0.1:1/");
  injected.headers.emplace_back("X-Evil", "a\r\nX-Injected: 1");
  EXPECT_EQ(PostAndWait(std::move(injected)).error, "invalid request header");
}

}  // namespace
}  // namespace hookline::delivery
