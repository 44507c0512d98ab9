// The delivery worker's decisions with an injected clock and a fake queue: what it records
// after a failed attempt (the retry time is exactly now + backoff), when it gives up, and the
// exact body of render.completed.

#include "delivery/delivery_worker.h"

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <condition_variable>
#include <mutex>

#include "core/time_format.h"
#include "report/render_worker.h"

namespace hookline::delivery {
namespace {

using std::chrono::milliseconds;

// Hands out the prepared claims once, then nothing; collects what is recorded.
class FakeQueue final : public store::DeliveryStore {
 public:
  std::vector<store::ClaimedDelivery> claims;
  std::vector<store::AttemptResult> recorded;
  std::vector<store::ClaimRequest> requests;
  std::mutex mu;
  std::condition_variable cv;

  void ClaimDue(store::ClaimRequest r,
                store::Callback<std::vector<store::ClaimedDelivery>> done) override {
    std::vector<store::ClaimedDelivery> out;
    {
      std::lock_guard lock(mu);
      requests.push_back(r);
      out.swap(claims);
    }
    done(std::move(out));
  }
  void RecordAttempts(std::vector<store::AttemptResult> results,
                      store::Callback<int> done) override {
    const int n = static_cast<int>(results.size());
    {
      std::lock_guard lock(mu);
      for (auto& r : results) recorded.push_back(std::move(r));
      cv.notify_all();
    }
    done(n);
  }
  void NextDue(store::Callback<std::optional<SysTime>> done) override {
    done(std::optional<SysTime>());
  }
  void Retry(std::string, SysTime, store::Callback<store::DeliveryRecord> done) override {
    done(Status::Internal("unused"));
  }
  void List(store::DeliveryQuery, store::Callback<store::DeliveryPage> done) override {
    done(Status::Internal("unused"));
  }
  void Get(std::string, store::Callback<store::DeliveryDetail> done) override {
    done(Status::Internal("unused"));
  }

  void WaitRecorded(size_t n) {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return recorded.size() >= n; }));
  }
};

// A port nothing listens on: connections are refused at once.
uint16_t ClosedPort() {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor a(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

store::ClaimedDelivery Claim(uint16_t port, int attempt) {
  store::ClaimedDelivery c;
  c.delivery.id = "dlv_1";
  c.delivery.endpoint_id = "ep_1";
  c.delivery.webhook_id = "FR-20260109-123456:render.completed";
  c.delivery.body = "{}";
  c.delivery.series = 1;
  c.delivery.attempts = attempt - 1;
  c.url = "http://127.0.0.1:" + std::to_string(port) + "/hook";
  c.secret = "secret";
  c.attempt_number = attempt;
  return c;
}

DeliveryWorkerOptions Options() {
  DeliveryWorkerOptions o;
  o.policy.max_attempts = 3;
  o.policy.base = milliseconds(10000);
  o.policy.factor = 4;
  o.policy.jitter = 0;  // the exact schedule
  o.timeout = milliseconds(2000);
  o.allow_private = true;
  o.worker_id = "test";
  return o;
}

TEST(DeliveryWorkerTest, FailedAttemptIsRescheduledByTheInjectedClock) {
  ManualClock clock(*ParseIso("2026-01-09T05:38:01.449Z"));
  SeededRandom random(7);
  FakeQueue queue;
  const auto port = ClosedPort();
  queue.claims = {Claim(port, 2)};
  DeliveryWorker worker(queue, clock, random, Options());
  worker.Start();
  queue.WaitRecorded(1);
  worker.Stop();
  const auto& r = queue.recorded[0];
  EXPECT_EQ(r.delivery_id, "dlv_1");
  EXPECT_EQ(r.worker, "test/delivery");
  EXPECT_EQ(r.outcome, store::AttemptOutcome::kRetry);
  EXPECT_EQ(r.attempt.number, 2);
  EXPECT_FALSE(r.attempt.http_status.has_value());
  ASSERT_TRUE(r.attempt.error.has_value());
  EXPECT_NE(r.attempt.error->find("refused"), std::string::npos) << *r.attempt.error;
  // After attempt 2: base * factor = 40 s from the (frozen) clock.
  ASSERT_TRUE(r.next_attempt_at.has_value());
  EXPECT_EQ(FormatIsoMillis(*r.next_attempt_at), "2026-01-09T05:38:41.449Z");
  EXPECT_EQ(r.attempt.started_at, clock.Now());
  // The claim asked for a lease and the per-endpoint bound.
  ASSERT_FALSE(queue.requests.empty());
  EXPECT_EQ(queue.requests[0].now, clock.Now());
  EXPECT_GT(queue.requests[0].lease, milliseconds(2000));
}

TEST(DeliveryWorkerTest, LastAttemptFailsTheDelivery) {
  ManualClock clock(*ParseIso("2026-01-09T05:38:01.449Z"));
  SeededRandom random(7);
  FakeQueue queue;
  queue.claims = {Claim(ClosedPort(), 3)};
  DeliveryWorker worker(queue, clock, random, Options());
  worker.Start();
  queue.WaitRecorded(1);
  worker.Stop();
  EXPECT_EQ(queue.recorded[0].outcome, store::AttemptOutcome::kFailed);
  EXPECT_FALSE(queue.recorded[0].next_attempt_at.has_value());
}

// A full claim that takes every slot: the worker must wait for the results (not spin on the
// "there may be more" kick while holding its lock, which kept the results from being handed
// over) and record them; later claims ask only for the slots that are free.
TEST(DeliveryWorkerTest, ClaimThatFillsEverySlotIsRecorded) {
  ManualClock clock(*ParseIso("2026-01-09T05:38:01.449Z"));
  SeededRandom random(7);
  FakeQueue queue;
  const auto port = ClosedPort();
  queue.claims = {Claim(port, 1), Claim(port, 1)};
  queue.claims[1].delivery.id = "dlv_2";
  auto options = Options();
  options.max_in_flight = 2;
  options.claim_batch = 2;
  DeliveryWorker worker(queue, clock, random, options);
  worker.Start();
  queue.WaitRecorded(2);
  worker.Stop();
  std::lock_guard lock(queue.mu);
  ASSERT_EQ(queue.recorded.size(), 2u);
  for (const auto& r : queue.requests) EXPECT_LE(r.limit, 2);
  EXPECT_EQ(queue.requests[0].limit, 2);
}

TEST(DeliveryWorkerTest, SnippetIsCappedValidUtf8) {
  EXPECT_EQ(SafeSnippet("ok", 10), "ok");
  EXPECT_EQ(SafeSnippet("abcdef", 3), "abc");
  EXPECT_EQ(SafeSnippet("\xff"
                        "a",
                        10),
            "\xEF\xBF\xBD"
            "a");
  EXPECT_EQ(SafeSnippet("\xD0\x96\xD0\x96", 3), "\xD0\x96");  // never half a character
}

TEST(RenderCompletedTest, BodyAndWebhookIdAreExact) {
  const auto t = *ParseIso("2026-01-09T05:38:01.449Z");
  EXPECT_EQ(report::RenderCompletedBody("FR-20260109-123456", t),
            R"({"event":"render.completed","assessment_id":"FR-20260109-123456",)"
            R"("status":"completed","timestamp":"2026-01-09T05:38:01.449Z"})");
  EXPECT_EQ(report::WebhookIdFor("FR-20260109-123456", "render.completed"),
            "FR-20260109-123456:render.completed");
}

}  // namespace
}  // namespace hookline::delivery
