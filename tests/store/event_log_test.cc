// EventLog contract, run against every backend: what the payment webhook and GET /api/events
// rely on (insert-or-ignore by id, exactly one kInserted under concurrency, keyset paging,
// filters, health).

#include <atomic>
#include <boost/json/parse.hpp>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "backends.h"
#include "core/time_format.h"

namespace hookline::testing {
namespace {

using store::EventPage;
using store::EventQuery;
using store::EventRecord;
using store::InsertOutcome;

SysTime At(const char* iso) { return *ParseIso(iso); }

EventRecord Event(std::string id, SysTime at = At("2026-01-09T05:38:01.449Z"),
                  std::string source = "payment_service", std::string type = "payment.succeeded",
                  std::optional<std::string> lead = std::nullopt) {
  return EventRecord{std::move(id),     std::move(type),
                     std::move(source), R"({"amount":4900,"lead_id":"l1"})",
                     std::move(lead),   at};
}

template <class B>
class EventLogTest : public StoreTest<B> {
 protected:
  StatusOr<InsertOutcome> Insert(EventRecord e) {
    return Call<InsertOutcome>(
        [&](auto done) { this->store().events().Insert(std::move(e), done); });
  }
  StatusOr<EventPage> List(EventQuery q) {
    return Call<EventPage>([&](auto done) { this->store().events().List(std::move(q), done); });
  }
  std::vector<std::string> AllIds(EventQuery q = {}) {
    q.limit = 100000;
    auto page = List(q);
    EXPECT_TRUE(page.ok()) << page.status().message();
    std::vector<std::string> ids;
    if (page.ok()) {
      for (auto& e : page->items) ids.push_back(e.id);
    }
    return ids;
  }
};

TYPED_TEST_SUITE(EventLogTest, Backends, BackendNames);

TYPED_TEST(EventLogTest, InsertThenDuplicateKeepsTheFirst) {
  auto first =
      Event("evt_1", At("2026-01-09T05:38:01.449Z"), "payment_service", "payment.succeeded", "42");
  first.payload = R"({"lead_id":42,"note":"é \"quoted\" \\ back","n":[1,2.5,null,true]})";
  auto r = this->Insert(first);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, InsertOutcome::kInserted);

  auto again = Event("evt_1", At("2027-01-01T00:00:00.000Z"), "other", "other.type");
  r = this->Insert(again);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, InsertOutcome::kDuplicate);

  auto page = this->List({});
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->items.size(), 1u);
  const auto& got = page->items[0];
  EXPECT_EQ(got.id, "evt_1");
  EXPECT_EQ(got.type, "payment.succeeded");
  EXPECT_EQ(got.source, "payment_service");
  EXPECT_EQ(got.lead_id, std::optional<std::string>("42"));
  EXPECT_EQ(FormatIsoMillis(got.created_at), "2026-01-09T05:38:01.449Z");
  // PostgreSQL keeps jsonb, not the bytes: compare as JSON.
  EXPECT_EQ(boost::json::parse(got.payload), boost::json::parse(first.payload));
  EXPECT_FALSE(page->has_more);
}

TYPED_TEST(EventLogTest, MissingLeadIdIsNull) {
  ASSERT_TRUE(this->Insert(Event("evt_nolead")).ok());
  auto page = this->List({});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_FALSE(page->items[0].lead_id.has_value());
}

TYPED_TEST(EventLogTest, FiftyConcurrentInsertsOfOneIdYieldExactlyOneInserted) {
  constexpr int kThreads = 50;
  std::atomic<int> inserted{0}, duplicate{0}, failed{0};
  std::vector<std::thread> threads;
  std::atomic<bool> go{false};
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      while (!go.load()) std::this_thread::yield();
      auto e = Event("evt_same");
      e.payload = "{\"thread\":" + std::to_string(i) + "}";
      auto r = this->Insert(e);
      if (!r.ok()) {
        ++failed;
      } else if (*r == InsertOutcome::kInserted) {
        ++inserted;
      } else {
        ++duplicate;
      }
    });
  }
  go = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(inserted.load(), 1);
  EXPECT_EQ(duplicate.load(), kThreads - 1);
  EXPECT_EQ(this->AllIds().size(), 1u);
}

// Overlapping ids from many threads, submitted without waiting, so the writer's batches hold
// several copies of one id and ids that other batches (other connections) also carry.
TYPED_TEST(EventLogTest, OverlappingConcurrentInsertsYieldOneInsertedPerId) {
  constexpr int kThreads = 8, kIds = 300;
  std::mutex mu;  // guards inserted_per_id and failed
  std::map<std::string, int> inserted_per_id;
  int failed = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::pair<std::string, std::future<StatusOr<InsertOutcome>>>> pending;
      auto submit = [&](const std::string& id) {
        auto p = std::make_shared<std::promise<StatusOr<InsertOutcome>>>();
        pending.emplace_back(id, p->get_future());
        this->store().events().Insert(Event(id),
                                      [p](StatusOr<InsertOutcome> r) { p->set_value(r); });
      };
      for (int k = 0; k < kIds; ++k) {
        const auto id = "evt_" + std::to_string((k * 7 + t * 13) % kIds);
        submit(id);
        if (k % 10 == 0) submit(id);  // the same id twice in a row: likely one batch
      }
      for (auto& [id, f] : pending) {
        auto r = f.get();
        std::lock_guard lock(mu);
        if (!r.ok()) {
          ++failed;
        } else {
          inserted_per_id[id] += *r == InsertOutcome::kInserted;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failed, 0);
  ASSERT_EQ(inserted_per_id.size(), static_cast<size_t>(kIds));
  for (const auto& [id, n] : inserted_per_id) EXPECT_EQ(n, 1) << id;
  EXPECT_EQ(this->AllIds().size(), static_cast<size_t>(kIds));
}

TYPED_TEST(EventLogTest, OneNewIdTwiceAmongManyGetsOneInserted) {
  // Submitted back to back without waiting: the writer sees them in one batch.
  std::vector<std::future<StatusOr<InsertOutcome>>> pending;
  std::vector<std::string> ids;
  for (int i = 0; i < 200; ++i) ids.push_back("evt_b" + std::to_string(i % 100));  // each twice
  for (const auto& id : ids) {
    auto p = std::make_shared<std::promise<StatusOr<InsertOutcome>>>();
    pending.push_back(p->get_future());
    this->store().events().Insert(Event(id), [p](StatusOr<InsertOutcome> r) { p->set_value(r); });
  }
  std::map<std::string, int> inserted;
  for (size_t i = 0; i < ids.size(); ++i) {
    auto r = pending[i].get();
    ASSERT_TRUE(r.ok()) << r.status().message();
    inserted[ids[i]] += *r == InsertOutcome::kInserted;
  }
  ASSERT_EQ(inserted.size(), 100u);
  for (const auto& [id, n] : inserted) EXPECT_EQ(n, 1) << id;
}

TYPED_TEST(EventLogTest, ListPagesNewestFirstWithoutGapsOrRepeats) {
  // 25 events; several share a timestamp, so the id breaks ties.
  std::set<std::string> want;
  for (int i = 0; i < 25; ++i) {
    const auto at = At("2026-01-09T00:00:00.000Z") + std::chrono::seconds(i / 3);
    auto id = "evt_" + std::string(1, static_cast<char>('a' + i % 26)) + std::to_string(i);
    want.insert(id);
    ASSERT_TRUE(this->Insert(Event(id, at)).ok());
  }
  std::vector<EventRecord> seen;
  EventQuery q;
  q.limit = 10;
  for (int pages = 0;; ++pages) {
    ASSERT_LT(pages, 5);
    auto page = this->List(q);
    ASSERT_TRUE(page.ok()) << page.status().message();
    for (auto& e : page->items) seen.push_back(e);
    if (!page->has_more) break;
    EXPECT_EQ(page->items.size(), 10u);
    const auto& last = page->items.back();
    q.after = std::make_pair(FormatIsoMillis(last.created_at), last.id);
  }
  ASSERT_EQ(seen.size(), 25u);
  std::set<std::string> got;
  for (size_t i = 0; i < seen.size(); ++i) {
    got.insert(seen[i].id);
    if (i > 0) {
      const auto& a = seen[i - 1];
      const auto& b = seen[i];
      EXPECT_TRUE(a.created_at > b.created_at || (a.created_at == b.created_at && a.id > b.id))
          << a.id << " then " << b.id;
    }
  }
  EXPECT_EQ(got, want);
}

TYPED_TEST(EventLogTest, ListFilters) {
  ASSERT_TRUE(this->Insert(Event("a", At("2026-01-01T00:00:00.000Z"), "payment_service",
                                 "payment.succeeded", "l1"))
                  .ok());
  ASSERT_TRUE(
      this->Insert(Event("b", At("2026-01-02T00:00:00.000Z"), "landing", "page_view")).ok());
  ASSERT_TRUE(
      this->Insert(Event("c", At("2026-01-03T00:00:00.000Z"), "landing", "form_submit", "l1"))
          .ok());
  EventQuery q;
  q.source = "landing";
  EXPECT_EQ(this->AllIds(q), (std::vector<std::string>{"c", "b"}));
  q = {};
  q.type = "payment.succeeded";
  EXPECT_EQ(this->AllIds(q), (std::vector<std::string>{"a"}));
  q = {};
  q.lead_id = "l1";
  EXPECT_EQ(this->AllIds(q), (std::vector<std::string>{"c", "a"}));
  q = {};
  q.since = At("2026-01-02T00:00:00.000Z");
  q.until = At("2026-01-03T00:00:00.000Z");
  EXPECT_EQ(this->AllIds(q), (std::vector<std::string>{"b"}));
}

TYPED_TEST(EventLogTest, RowsSurviveReopen) {
  ASSERT_TRUE(this->Insert(Event("evt_keep")).ok());
  this->store_->Close();
  this->store_ = this->Open();
  ASSERT_NE(this->store_, nullptr);
  EXPECT_EQ(this->AllIds(), (std::vector<std::string>{"evt_keep"}));
  auto r = this->Insert(Event("evt_keep"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, InsertOutcome::kDuplicate);
}

TYPED_TEST(EventLogTest, HealthNamesBackendAndSchemaVersion) {
  auto h = Call<store::HealthInfo>([&](auto done) { this->store().Health(done); });
  ASSERT_TRUE(h.ok()) << h.status().message();
  EXPECT_EQ(h->backend, TypeParam::kName);
  EXPECT_EQ(h->schema_version, store::LatestSchemaVersion(this->kind()));
}

TYPED_TEST(EventLogTest, ClosedStoreAnswersUnavailable) {
  this->store().Close();
  auto r = this->Insert(Event("evt_late"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  auto page = this->List({});
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), StatusCode::kUnavailable);
}

TYPED_TEST(EventLogTest, TwoStoresOnOneDatabaseShareIdempotency) {
  auto second = this->Open();
  ASSERT_NE(second, nullptr);
  auto r1 = this->Insert(Event("evt_shared"));
  auto r2 =
      Call<InsertOutcome>([&](auto done) { second->events().Insert(Event("evt_shared"), done); });
  ASSERT_TRUE(r1.ok() && r2.ok());
  EXPECT_EQ(*r1, InsertOutcome::kInserted);
  EXPECT_EQ(*r2, InsertOutcome::kDuplicate);
  second->Close();
}

}  // namespace
}  // namespace hookline::testing
