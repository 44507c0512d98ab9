// The outbound aggregates on a real SQLite file: ids, the render lease, emitting
// render.completed once with its outbox rows, delivery claims with leases and per-endpoint
// bounds, the result fence, manual retry.

#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <set>

#include "core/time_format.h"
#include "store/store.h"

namespace hookline::store {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

template <class T, class Fn>
StatusOr<T> Wait(Fn&& call) {
  std::promise<StatusOr<T>> p;
  auto f = p.get_future();
  call([&p](StatusOr<T> r) { p.set_value(std::move(r)); });
  return f.get();
}

class OutboundStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("hookline-outbound-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    StoreOptions o;
    o.url.kind = DatabaseKind::kSqlite;
    o.url.sqlite_path = (dir_ / "t.db").string();
    auto s = OpenStore(o);
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_ = std::move(s.value());
  }
  void TearDown() override {
    store_->Close();
    std::filesystem::remove_all(dir_);
  }

  std::string AddEndpoint(const std::string& id, bool enabled = true) {
    EndpointRecord e;
    e.id = id;
    e.url = "http://127.0.0.1:9/" + id;
    e.secret = "secret-" + id;
    e.events = {"render.completed"};
    e.enabled = enabled;
    e.created_at = e.updated_at = t0_;
    auto r = Wait<EndpointRecord>([&](auto d) { store_->endpoints().Create(e, d); });
    EXPECT_TRUE(r.ok());
    return id;
  }

  // Creates, claims and completes one assessment; returns its id.
  std::string Rendered(int* queued = nullptr) {
    NewAssessment a{"Acme", std::nullopt, std::nullopt, {{"team_experience", 4}}, t0_};
    auto created =
        Wait<AssessmentRecord>([&](auto d) { store_->assessments().Create(a, random_, d); });
    EXPECT_TRUE(created.ok());
    auto claimed = Wait<std::optional<AssessmentRecord>>(
        [&](auto d) { store_->assessments().ClaimNextRender("w", t0_, seconds(60), d); });
    EXPECT_TRUE(claimed.ok() && claimed->has_value());
    CompletedRender c{(*claimed)->id,     "w",
                      "%PDF-1.4",         t0_,
                      "render.completed", (*claimed)->id + ":render.completed",
                      "{\"body\":1}"};
    auto n = Wait<int>([&](auto d) { store_->assessments().CompleteRender(c, d); });
    EXPECT_TRUE(n.ok());
    if (queued) *queued = *n;
    return (*claimed)->id;
  }

  std::vector<ClaimedDelivery> Claim(const std::string& worker, SysTime now, int limit = 10,
                                     int per_endpoint = 10) {
    ClaimRequest r{worker, now, seconds(30), limit, per_endpoint};
    auto c =
        Wait<std::vector<ClaimedDelivery>>([&](auto d) { store_->deliveries().ClaimDue(r, d); });
    EXPECT_TRUE(c.ok()) << c.status().message();
    return c.ok() ? *c : std::vector<ClaimedDelivery>{};
  }

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
  SeededRandom random_{42};
  SysTime t0_ = *ParseIso("2026-01-09T05:38:01.449Z");
};

TEST_F(OutboundStoreTest, IdsAreDatedAndDistinct) {
  std::set<std::string> ids;
  for (int i = 0; i < 50; ++i) {
    NewAssessment a{"A", std::nullopt, std::nullopt, {{"team_experience", 1}}, t0_};
    auto r = Wait<AssessmentRecord>([&](auto d) { store_->assessments().Create(a, random_, d); });
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->id.substr(0, 12), "FR-20260109-");
    EXPECT_EQ(r->id.size(), 18u);
    ids.insert(r->id);
  }
  EXPECT_EQ(ids.size(), 50u);
}

TEST_F(OutboundStoreTest, ExpiredRenderLeaseIsClaimedAgainAndTheOldOwnerIsFenced) {
  NewAssessment a{"A", std::nullopt, std::nullopt, {{"team_experience", 1}}, t0_};
  ASSERT_TRUE(
      Wait<AssessmentRecord>([&](auto d) { store_->assessments().Create(a, random_, d); }).ok());
  auto first = Wait<std::optional<AssessmentRecord>>(
      [&](auto d) { store_->assessments().ClaimNextRender("old", t0_, seconds(60), d); });
  ASSERT_TRUE(first.ok() && first->has_value());
  auto none = Wait<std::optional<AssessmentRecord>>([&](auto d) {
    store_->assessments().ClaimNextRender("new", t0_ + seconds(59), seconds(60), d);
  });
  EXPECT_FALSE(none->has_value());  // the lease still holds
  auto again = Wait<std::optional<AssessmentRecord>>([&](auto d) {
    store_->assessments().ClaimNextRender("new", t0_ + seconds(61), seconds(60), d);
  });
  ASSERT_TRUE(again->has_value());
  EXPECT_EQ((*again)->id, (*first)->id);
  CompletedRender stale{(*first)->id, "old", "pdf", t0_, "render.completed", "x", "{}"};
  auto r = Wait<int>([&](auto d) { store_->assessments().CompleteRender(stale, d); });
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);  // the old owner cannot complete it
}

TEST_F(OutboundStoreTest, CompletionQueuesOneDeliveryPerEnabledSubscriber) {
  AddEndpoint("ep_a");
  AddEndpoint("ep_b");
  AddEndpoint("ep_off", /*enabled=*/false);
  int queued = 0;
  const auto id = Rendered(&queued);
  EXPECT_EQ(queued, 2);
  auto report = Wait<std::string>([&](auto d) { store_->assessments().Report(id, d); });
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(*report, "%PDF-1.4");
  auto claimed = Claim("w1", t0_);
  ASSERT_EQ(claimed.size(), 2u);
  for (const auto& c : claimed) {
    EXPECT_EQ(c.delivery.body, "{\"body\":1}");
    EXPECT_EQ(c.delivery.webhook_id, id + ":render.completed");
    EXPECT_EQ(c.attempt_number, 1);
    EXPECT_EQ(c.secret, "secret-" + c.delivery.endpoint_id);
    EXPECT_EQ(c.delivery.id, DeliveryIdFor(c.delivery.webhook_id, c.delivery.endpoint_id));
  }
  EXPECT_TRUE(Claim("w2", t0_).empty());  // claimed ones are leased
}

TEST_F(OutboundStoreTest, PerEndpointBoundCountsDeliveriesInFlight) {
  AddEndpoint("ep_a");
  for (int i = 0; i < 5; ++i) Rendered();
  EXPECT_EQ(Claim("w1", t0_, 10, 2).size(), 2u);
  EXPECT_EQ(Claim("w2", t0_, 10, 2).size(), 0u);  // two already delivering
  EXPECT_EQ(Claim("w2", t0_, 10, 3).size(), 1u);
}

TEST_F(OutboundStoreTest, ResultsScheduleRetryFailAndDeliverAndAreFenced) {
  AddEndpoint("ep_a");
  Rendered();
  auto c = Claim("w1", t0_);
  ASSERT_EQ(c.size(), 1u);
  const auto id = c[0].delivery.id;
  AttemptResult retry;
  retry.delivery_id = id;
  retry.worker = "w1";
  retry.attempt = {1, 1, t0_, 12, 500, std::nullopt, "oops"};
  retry.outcome = AttemptOutcome::kRetry;
  retry.next_attempt_at = t0_ + seconds(10);
  retry.now = t0_;
  AttemptResult stale = retry;
  stale.worker = "someone-else";
  auto n = Wait<int>([&](auto d) { store_->deliveries().RecordAttempts({stale, retry}, d); });
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);  // the stale owner's result is skipped
  EXPECT_TRUE(Claim("w1", t0_ + seconds(9)).empty());
  auto next = Wait<std::optional<SysTime>>([&](auto d) { store_->deliveries().NextDue(d); });
  ASSERT_TRUE(next.ok() && next->has_value());
  EXPECT_EQ(**next, t0_ + seconds(10));
  c = Claim("w1", t0_ + seconds(10));
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].attempt_number, 2);

  // The worker dies: its lease (30 s) ends, another claims the same attempt again.
  EXPECT_TRUE(Claim("w2", t0_ + seconds(39)).empty());
  c = Claim("w2", t0_ + seconds(41));
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].attempt_number, 2);
  AttemptResult failed = retry;
  failed.worker = "w2";
  failed.attempt.number = 2;
  failed.outcome = AttemptOutcome::kFailed;
  failed.next_attempt_at.reset();
  ASSERT_TRUE(Wait<int>([&](auto d) { store_->deliveries().RecordAttempts({failed}, d); }).ok());
  EXPECT_TRUE(Claim("w3", t0_ + seconds(1000)).empty());

  auto retried =
      Wait<DeliveryRecord>([&](auto d) { store_->deliveries().Retry(id, t0_ + seconds(50), d); });
  ASSERT_TRUE(retried.ok());
  EXPECT_EQ(retried->series, 2);
  EXPECT_EQ(retried->attempts, 0);
  c = Claim("w3", t0_ + seconds(50));
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].attempt_number, 1);
  EXPECT_EQ(c[0].delivery.series, 2);
  AttemptResult ok = retry;
  ok.worker = "w3";
  ok.attempt = {2, 1, t0_, 5, 200, std::nullopt, std::nullopt};
  ok.outcome = AttemptOutcome::kDelivered;
  ASSERT_TRUE(Wait<int>([&](auto d) { store_->deliveries().RecordAttempts({ok}, d); }).ok());
  EXPECT_TRUE(Claim("w4", t0_ + seconds(100000)).empty());  // delivered: never again
  auto again = Wait<DeliveryRecord>([&](auto d) { store_->deliveries().Retry(id, t0_, d); });
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  auto detail = Wait<DeliveryDetail>([&](auto d) { store_->deliveries().Get(id, d); });
  ASSERT_TRUE(detail.ok());
  ASSERT_EQ(detail->attempts.size(), 3u);
  EXPECT_EQ(detail->attempts[0].http_status, 500);
  EXPECT_EQ(detail->attempts[2].series, 2);
  EXPECT_EQ(detail->delivery.status, DeliveryStatus::kDelivered);
}

}  // namespace
}  // namespace hookline::store
