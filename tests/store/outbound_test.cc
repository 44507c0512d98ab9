// The outbound aggregates (assessments, endpoints, the delivery queue) on every backend: ids,
// the render lease, emitting render.completed once with its outbox rows, delivery claims with
// leases and per-endpoint bounds, the result fence, manual retry; and two stores on one
// database (two instances) draining one queue, each delivery claimed once.
// (The scenarios of tests/unit/outbound_store_test.cc, typed over both backends.)

#include <atomic>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "backends.h"
#include "core/random.h"
#include "core/time_format.h"

namespace hookline::testing {
namespace {

using namespace store;  // NOLINT: test brevity
using std::chrono::milliseconds;
using std::chrono::seconds;

// A report with bytes that are not text: stored and read back exactly.
std::string Pdf() { return std::string("%PDF-1.4\0\xff binary", 17); }

template <class T, class Fn>
StatusOr<T> Wait(Fn&& call) {
  return Call<T>(std::forward<Fn>(call));
}

template <class B>
class OutboundTest : public StoreTest<B> {
 protected:
  std::string AddEndpoint(const std::string& id, bool enabled = true) {
    EndpointRecord e;
    e.id = id;
    e.url = "http://127.0.0.1:9/" + id;
    e.secret = "secret-" + id;
    e.events = {"render.completed"};
    e.enabled = enabled;
    e.created_at = e.updated_at = t0_;
    auto r = Wait<EndpointRecord>([&](auto d) { this->store().endpoints().Create(e, d); });
    EXPECT_TRUE(r.ok()) << r.status().message();
    return id;
  }

  // Creates, claims and completes one assessment; returns its id.
  std::string Rendered(int* queued = nullptr) {
    NewAssessment a{"Acme", std::nullopt, std::nullopt, {{"team_experience", 4}}, t0_};
    auto created =
        Wait<AssessmentRecord>([&](auto d) { this->store().assessments().Create(a, random_, d); });
    EXPECT_TRUE(created.ok()) << created.status().message();
    auto claimed = Wait<std::optional<AssessmentRecord>>(
        [&](auto d) { this->store().assessments().ClaimNextRender("w", t0_, seconds(60), d); });
    EXPECT_TRUE(claimed.ok() && claimed->has_value()) << claimed.status().message();
    if (!claimed.ok() || !claimed->has_value()) return "";
    CompletedRender c{
        (*claimed)->id, "w", Pdf(), t0_, "render.completed", (*claimed)->id + ":render.completed",
        "{\"body\":1}"};
    auto n = Wait<int>([&](auto d) { this->store().assessments().CompleteRender(c, d); });
    EXPECT_TRUE(n.ok()) << n.status().message();
    if (queued && n.ok()) *queued = *n;
    return (*claimed)->id;
  }

  std::vector<ClaimedDelivery> Claim(const std::string& worker, SysTime now, int limit = 10,
                                     int per_endpoint = 10, store::Store* on = nullptr) {
    ClaimRequest r{worker, now, seconds(30), limit, per_endpoint};
    auto& s = on ? *on : this->store();
    auto c = Wait<std::vector<ClaimedDelivery>>([&](auto d) { s.deliveries().ClaimDue(r, d); });
    EXPECT_TRUE(c.ok()) << c.status().message();
    return c.ok() ? *c : std::vector<ClaimedDelivery>{};
  }

  SeededRandom random_{42};
  SysTime t0_ = *ParseIso("2026-01-09T05:38:01.449Z");
};

TYPED_TEST_SUITE(OutboundTest, Backends, BackendNames);

TYPED_TEST(OutboundTest, IdsAreDatedAndDistinct) {
  std::set<std::string> ids;
  for (int i = 0; i < 50; ++i) {
    NewAssessment a{"A", std::nullopt, std::nullopt, {{"team_experience", 1}}, this->t0_};
    auto r = Wait<AssessmentRecord>(
        [&](auto d) { this->store().assessments().Create(a, this->random_, d); });
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->id.substr(0, 12), "FR-20260109-");
    EXPECT_EQ(r->id.size(), 18u);
    ids.insert(r->id);
  }
  EXPECT_EQ(ids.size(), 50u);
}

TYPED_TEST(OutboundTest, ExpiredRenderLeaseIsClaimedAgainAndTheOldOwnerIsFenced) {
  NewAssessment a{"A", std::nullopt, std::nullopt, {{"team_experience", 1}}, this->t0_};
  ASSERT_TRUE(Wait<AssessmentRecord>([&](auto d) {
                this->store().assessments().Create(a, this->random_, d);
              }).ok());
  auto first = Wait<std::optional<AssessmentRecord>>([&](auto d) {
    this->store().assessments().ClaimNextRender("old", this->t0_, seconds(60), d);
  });
  ASSERT_TRUE(first.ok() && first->has_value());
  auto none = Wait<std::optional<AssessmentRecord>>([&](auto d) {
    this->store().assessments().ClaimNextRender("new", this->t0_ + seconds(59), seconds(60), d);
  });
  EXPECT_FALSE(none->has_value());  // the lease still holds
  auto again = Wait<std::optional<AssessmentRecord>>([&](auto d) {
    this->store().assessments().ClaimNextRender("new", this->t0_ + seconds(61), seconds(60), d);
  });
  ASSERT_TRUE(again->has_value());
  EXPECT_EQ((*again)->id, (*first)->id);
  CompletedRender stale{(*first)->id, "old", "pdf", this->t0_, "render.completed", "x", "{}"};
  auto r = Wait<int>([&](auto d) { this->store().assessments().CompleteRender(stale, d); });
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);  // the old owner cannot complete it
}

TYPED_TEST(OutboundTest, CompletionQueuesOneDeliveryPerEnabledSubscriber) {
  this->AddEndpoint("ep_a");
  this->AddEndpoint("ep_b");
  this->AddEndpoint("ep_off", /*enabled=*/false);
  int queued = 0;
  const auto id = this->Rendered(&queued);
  EXPECT_EQ(queued, 2);
  auto report = Wait<std::string>([&](auto d) { this->store().assessments().Report(id, d); });
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(*report, Pdf());  // bytes, with a NUL and a non-UTF-8 byte
  auto claimed = this->Claim("w1", this->t0_);
  ASSERT_EQ(claimed.size(), 2u);
  for (const auto& c : claimed) {
    EXPECT_EQ(c.delivery.body, "{\"body\":1}");
    EXPECT_EQ(c.delivery.webhook_id, id + ":render.completed");
    EXPECT_EQ(c.attempt_number, 1);
    EXPECT_EQ(c.secret, "secret-" + c.delivery.endpoint_id);
    EXPECT_EQ(c.delivery.id, DeliveryIdFor(c.delivery.webhook_id, c.delivery.endpoint_id));
  }
  EXPECT_TRUE(this->Claim("w2", this->t0_).empty());  // claimed ones are leased
}

TYPED_TEST(OutboundTest, PerEndpointBoundCountsDeliveriesInFlight) {
  this->AddEndpoint("ep_a");
  for (int i = 0; i < 5; ++i) this->Rendered();
  EXPECT_EQ(this->Claim("w1", this->t0_, 10, 2).size(), 2u);
  EXPECT_EQ(this->Claim("w2", this->t0_, 10, 2).size(), 0u);  // two already delivering
  EXPECT_EQ(this->Claim("w2", this->t0_, 10, 3).size(), 1u);
}

// The delivery worker claims the slots of a batch of results as soon as it has submitted the
// record, without waiting for its answer: writes must run in submission order, so the claim
// sees those rows recorded and their slots free.
TYPED_TEST(OutboundTest, AClaimSubmittedAfterARecordSeesItsSlotsFree) {
  this->AddEndpoint("ep_a");
  for (int i = 0; i < 6; ++i) this->Rendered();
  auto c = this->Claim("w1", this->t0_, 10, 2);  // both slots of ep_a
  ASSERT_EQ(c.size(), 2u);
  for (int round = 0; round < 2; ++round) {
    std::vector<AttemptResult> results(c.size());
    for (size_t i = 0; i < c.size(); ++i) {
      results[i].delivery_id = c[i].delivery.id;
      results[i].worker = "w1";
      results[i].now = this->t0_;
      results[i].attempt = {1, 1, this->t0_, 3, 200, std::nullopt, std::nullopt};
      results[i].outcome = AttemptOutcome::kDelivered;
    }
    std::promise<StatusOr<int>> recorded;
    std::promise<StatusOr<std::vector<ClaimedDelivery>>> claimed;
    this->store().deliveries().RecordAttempts(
        results, [&](StatusOr<int> r) { recorded.set_value(std::move(r)); });
    this->store().deliveries().ClaimDue(
        ClaimRequest{"w1", this->t0_, seconds(30), 10, 2},
        [&](StatusOr<std::vector<ClaimedDelivery>> r) { claimed.set_value(std::move(r)); });
    auto n = recorded.get_future().get();
    auto next = claimed.get_future().get();
    ASSERT_TRUE(n.ok() && next.ok());
    EXPECT_EQ(*n, 2);
    ASSERT_EQ(next->size(), 2u) << "round " << round;  // both slots were free again
    for (const auto& d : *next) {
      EXPECT_NE(d.delivery.id, c[0].delivery.id);
      EXPECT_NE(d.delivery.id, c[1].delivery.id);
    }
    EXPECT_TRUE(this->Claim("w2", this->t0_, 10, 2).empty());  // and now taken again
    c = std::move(*next);
  }
}

// One RecordAttempts batch of several rows (PostgreSQL records a batch in one statement):
// each row gets its own outcome and attempt; a fenced row gets neither.
TYPED_TEST(OutboundTest, OneBatchRecordsEachRowAndSkipsOnlyTheFencedOne) {
  this->AddEndpoint("ep_a");
  this->AddEndpoint("ep_b");
  this->AddEndpoint("ep_c");
  this->Rendered();
  auto c = this->Claim("w1", this->t0_);
  ASSERT_EQ(c.size(), 3u);
  std::vector<AttemptResult> results(3);
  for (size_t i = 0; i < 3; ++i) {
    results[i].delivery_id = c[i].delivery.id;
    results[i].worker = "w1";
    results[i].now = this->t0_ + seconds(1);
  }
  results[0].attempt = {1, 1, this->t0_, 7, 204, std::nullopt, "ok \"quoted\" \\ {x,y}"};
  results[0].outcome = AttemptOutcome::kDelivered;
  results[1].attempt = {1, 1, this->t0_, 9, 500, std::nullopt, std::nullopt};
  results[1].outcome = AttemptOutcome::kRetry;
  results[1].next_attempt_at = this->t0_ + seconds(5);
  results[1].worker = "someone-else";  // lost its claim
  results[2].attempt = {1, 1, this->t0_, 10000, std::nullopt, "timeout after 10000 ms",
                        std::nullopt};
  results[2].outcome = AttemptOutcome::kFailed;
  auto n = Wait<int>([&](auto d) { this->store().deliveries().RecordAttempts(results, d); });
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_EQ(*n, 2);
  std::vector<DeliveryDetail> got;
  for (size_t i = 0; i < 3; ++i) {
    auto d = Wait<DeliveryDetail>(
        [&](auto done) { this->store().deliveries().Get(c[i].delivery.id, done); });
    ASSERT_TRUE(d.ok());
    got.push_back(*d);
  }
  EXPECT_EQ(got[0].delivery.status, DeliveryStatus::kDelivered);
  EXPECT_EQ(got[0].delivery.delivered_at, this->t0_ + seconds(1));
  ASSERT_EQ(got[0].attempts.size(), 1u);
  EXPECT_EQ(got[0].attempts[0].http_status, 204);
  EXPECT_EQ(got[0].attempts[0].duration_ms, 7);
  EXPECT_EQ(got[0].attempts[0].response_snippet, "ok \"quoted\" \\ {x,y}");
  EXPECT_EQ(got[1].delivery.status, DeliveryStatus::kDelivering);
  EXPECT_TRUE(got[1].attempts.empty());
  EXPECT_EQ(got[2].delivery.status, DeliveryStatus::kFailed);
  EXPECT_EQ(got[2].delivery.last_error, "timeout after 10000 ms");
  EXPECT_EQ(got[2].delivery.attempts, 1);
  ASSERT_EQ(got[2].attempts.size(), 1u);
  EXPECT_FALSE(got[2].attempts[0].http_status.has_value());
  EXPECT_EQ(got[2].attempts[0].error, "timeout after 10000 ms");
  EXPECT_FALSE(got[2].attempts[0].response_snippet.has_value());
}

TYPED_TEST(OutboundTest, ResultsScheduleRetryFailAndDeliverAndAreFenced) {
  this->AddEndpoint("ep_a");
  this->Rendered();
  auto c = this->Claim("w1", this->t0_);
  ASSERT_EQ(c.size(), 1u);
  const auto id = c[0].delivery.id;
  AttemptResult retry;
  retry.delivery_id = id;
  retry.worker = "w1";
  retry.attempt = {1, 1, this->t0_, 12, 500, std::nullopt, "oops"};
  retry.outcome = AttemptOutcome::kRetry;
  retry.next_attempt_at = this->t0_ + seconds(10);
  retry.now = this->t0_;
  AttemptResult stale = retry;
  stale.worker = "someone-else";
  auto n = Wait<int>([&](auto d) { this->store().deliveries().RecordAttempts({stale, retry}, d); });
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);  // the stale owner's result is skipped
  EXPECT_TRUE(this->Claim("w1", this->t0_ + seconds(9)).empty());
  auto next = Wait<std::optional<SysTime>>([&](auto d) { this->store().deliveries().NextDue(d); });
  ASSERT_TRUE(next.ok() && next->has_value());
  EXPECT_EQ(**next, this->t0_ + seconds(10));
  c = this->Claim("w1", this->t0_ + seconds(10));
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].attempt_number, 2);

  // The worker dies: its lease (30 s) ends. Attempt 2 is recorded as interrupted and counted;
  // another worker makes attempt 3.
  EXPECT_TRUE(this->Claim("w2", this->t0_ + seconds(39)).empty());
  c = this->Claim("w2", this->t0_ + seconds(41));
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].attempt_number, 3);
  EXPECT_EQ(c[0].delivery.attempts, 2);
  AttemptResult failed = retry;
  failed.worker = "w2";
  failed.attempt.number = 3;
  failed.outcome = AttemptOutcome::kFailed;
  failed.next_attempt_at.reset();
  ASSERT_TRUE(
      Wait<int>([&](auto d) { this->store().deliveries().RecordAttempts({failed}, d); }).ok());
  EXPECT_TRUE(this->Claim("w3", this->t0_ + seconds(1000)).empty());

  auto retried = Wait<DeliveryRecord>(
      [&](auto d) { this->store().deliveries().Retry(id, this->t0_ + seconds(50), d); });
  ASSERT_TRUE(retried.ok());
  EXPECT_EQ(retried->series, 2);
  EXPECT_EQ(retried->attempts, 0);
  c = this->Claim("w3", this->t0_ + seconds(50));
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].attempt_number, 1);
  EXPECT_EQ(c[0].delivery.series, 2);
  AttemptResult ok = retry;
  ok.worker = "w3";
  ok.attempt = {2, 1, this->t0_, 5, 200, std::nullopt, std::nullopt};
  ok.outcome = AttemptOutcome::kDelivered;
  ASSERT_TRUE(Wait<int>([&](auto d) { this->store().deliveries().RecordAttempts({ok}, d); }).ok());
  EXPECT_TRUE(this->Claim("w4", this->t0_ + seconds(100000)).empty());  // delivered: never again
  auto again =
      Wait<DeliveryRecord>([&](auto d) { this->store().deliveries().Retry(id, this->t0_, d); });
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  auto detail = Wait<DeliveryDetail>([&](auto d) { this->store().deliveries().Get(id, d); });
  ASSERT_TRUE(detail.ok());
  ASSERT_EQ(detail->attempts.size(), 4u);
  EXPECT_EQ(detail->attempts[0].http_status, 500);
  EXPECT_EQ(detail->attempts[1].number, 2);
  EXPECT_EQ(detail->attempts[1].error, kInterruptedAttempt);
  EXPECT_EQ(detail->attempts[1].started_at, this->t0_ + seconds(10));  // when it was claimed
  EXPECT_FALSE(detail->attempts[1].http_status.has_value());
  EXPECT_EQ(detail->attempts[2].number, 3);
  EXPECT_EQ(detail->attempts[3].series, 2);
  EXPECT_EQ(detail->delivery.status, DeliveryStatus::kDelivered);
}

TYPED_TEST(OutboundTest, AnInterruptedLastAttemptFailsTheDeliveryAndTheFencedResultIsDropped) {
  this->AddEndpoint("ep_a");
  this->Rendered();
  ClaimRequest r{"w1", this->t0_, seconds(30), 10, 10, /*max_attempts=*/2};
  auto claim = [&](const std::string& worker, SysTime now) {
    r.worker = worker;
    r.now = now;
    auto c = Wait<std::vector<ClaimedDelivery>>(
        [&](auto d) { this->store().deliveries().ClaimDue(r, d); });
    EXPECT_TRUE(c.ok()) << c.status().message();
    return c.ok() ? *c : std::vector<ClaimedDelivery>{};
  };
  auto c = claim("w1", this->t0_);
  ASSERT_EQ(c.size(), 1u);
  const auto id = c[0].delivery.id;
  // Attempt 1 is interrupted (w1 stalls past its lease); w2 makes attempt 2, also interrupted.
  c = claim("w2", this->t0_ + seconds(31));
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].attempt_number, 2);
  EXPECT_TRUE(claim("w3", this->t0_ + seconds(60)).empty());  // w2's lease still holds
  EXPECT_TRUE(claim("w3", this->t0_ + seconds(62)).empty());  // attempt 2 was the last
  auto detail = Wait<DeliveryDetail>([&](auto d) { this->store().deliveries().Get(id, d); });
  ASSERT_TRUE(detail.ok());
  EXPECT_EQ(detail->delivery.status, DeliveryStatus::kFailed);
  EXPECT_EQ(detail->delivery.attempts, 2);
  EXPECT_EQ(detail->delivery.last_error, kInterruptedAttempt);
  EXPECT_FALSE(detail->delivery.next_attempt_at.has_value());
  ASSERT_EQ(detail->attempts.size(), 2u);
  EXPECT_EQ(detail->attempts[0].started_at, this->t0_);
  EXPECT_EQ(detail->attempts[1].started_at, this->t0_ + seconds(31));
  for (const auto& a : detail->attempts) EXPECT_EQ(a.error, kInterruptedAttempt);
  // w1 wakes up with a 2xx for attempt 1: fenced, nothing changes.
  AttemptResult late;
  late.delivery_id = id;
  late.worker = "w1";
  late.attempt = {1, 1, this->t0_, 40000, 200, std::nullopt, std::nullopt};
  late.outcome = AttemptOutcome::kDelivered;
  late.now = this->t0_ + seconds(63);
  auto n = Wait<int>([&](auto d) { this->store().deliveries().RecordAttempts({late}, d); });
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0);
  // By hand it starts again at attempt 1 of series 2.
  auto retried = Wait<DeliveryRecord>(
      [&](auto d) { this->store().deliveries().Retry(id, this->t0_ + seconds(70), d); });
  ASSERT_TRUE(retried.ok()) << retried.status().message();
  c = claim("w4", this->t0_ + seconds(70));
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].attempt_number, 1);
  EXPECT_EQ(c[0].delivery.series, 2);
}

TYPED_TEST(OutboundTest, DeletingAnEndpointFailsItsPendingAndInFlightDeliveries) {
  this->AddEndpoint("ep_a");
  this->Rendered();
  this->Rendered();
  auto c = this->Claim("w1", this->t0_, 1);  // one in flight, one still pending
  ASSERT_EQ(c.size(), 1u);
  auto del = Wait<bool>(
      [&](auto d) { this->store().endpoints().Delete("ep_a", this->t0_ + seconds(1), d); });
  ASSERT_TRUE(del.ok()) << del.status().message();
  // The in-flight attempt's late result is fenced out: it does not revive the delivery.
  AttemptResult late;
  late.delivery_id = c[0].delivery.id;
  late.worker = "w1";
  late.attempt = {1, 1, this->t0_, 900, std::nullopt, std::string("timeout"), std::nullopt};
  late.outcome = AttemptOutcome::kRetry;
  late.next_attempt_at = this->t0_ + seconds(2);
  late.now = this->t0_ + seconds(2);
  auto n = Wait<int>([&](auto d) { this->store().deliveries().RecordAttempts({late}, d); });
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0);
  DeliveryQuery q;
  auto page = Wait<DeliveryPage>([&](auto d) { this->store().deliveries().List(q, d); });
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 2u);
  for (const auto& d : page->items) {
    EXPECT_EQ(d.status, DeliveryStatus::kFailed) << d.id;
    EXPECT_EQ(d.last_error, std::optional<std::string>("endpoint deleted")) << d.id;
  }
  EXPECT_TRUE(this->Claim("w2", this->t0_ + seconds(1000)).empty());
}

TYPED_TEST(OutboundTest, TwoInstancesDrainOneQueueEachDeliveryClaimedOnce) {
  auto second = this->Open();
  ASSERT_NE(second, nullptr);
  for (int i = 0; i < 6; ++i) this->AddEndpoint("ep_" + std::to_string(i));
  for (int i = 0; i < 10; ++i) this->Rendered();  // 60 deliveries
  std::mutex mu;                                  // guards seen, duplicates
  std::set<std::string> seen;
  int duplicates = 0;
  std::vector<std::thread> workers;
  for (int w = 0; w < 6; ++w) {
    workers.emplace_back([&, w] {
      store::Store* on = w % 2 == 0 ? &this->store() : second.get();
      for (int round = 0; round < 40; ++round) {
        auto got = this->Claim("w" + std::to_string(w), this->t0_, 4, 100, on);
        std::lock_guard lock(mu);
        for (auto& c : got) duplicates += !seen.insert(c.delivery.id).second;
      }
    });
  }
  for (auto& t : workers) t.join();
  EXPECT_EQ(duplicates, 0);
  EXPECT_EQ(seen.size(), 60u);
  second->Close();
}

}  // namespace
}  // namespace hookline::testing
