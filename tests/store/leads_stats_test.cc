// Leads and funnel statistics contract (store/leads.h, store/stats.h), on every backend.

#include <atomic>
#include <thread>
#include <vector>

#include "backends.h"
#include "core/time_format.h"

namespace hookline::testing {
namespace {

using namespace store;  // NOLINT: test brevity

SysTime At(const char* iso) { return *ParseIso(iso); }

LeadRecord Lead(std::string id, std::string email, SysTime at = At("2026-01-09T10:00:00.000Z")) {
  LeadRecord l;
  l.id = std::move(id);
  l.name = "Anna " + l.id;
  l.email = std::move(email);
  l.company = "Acme_" + l.id;
  l.phone = "+49 30 1234";
  l.utm_source = "newsletter";
  l.anonymous_id = "anon-" + l.id;
  l.created_at = at;
  return l;
}

EventRecord Ev(std::string id, std::string source, std::string type, std::string payload,
               std::optional<std::string> lead, SysTime at) {
  return EventRecord{std::move(id),      std::move(type), std::move(source),
                     std::move(payload), std::move(lead), at};
}

template <class B>
class LeadsTest : public StoreTest<B> {
 protected:
  StatusOr<CreateLeadResult> Create(LeadRecord l) {
    auto ev = Ev("lc_" + l.id, "hookline", "lead.created", "{}", std::nullopt, l.created_at);
    return Call<CreateLeadResult>([&](auto done) { this->store().leads().Create(l, ev, done); });
  }
  void Insert(EventRecord e) {
    auto r = Call<InsertOutcome>([&](auto done) { this->store().events().Insert(e, done); });
    ASSERT_TRUE(r.ok()) << r.status().message();
  }
};

TYPED_TEST_SUITE(LeadsTest, Backends, BackendNames);

TYPED_TEST(LeadsTest, CreateOncePerEmailIgnoringCase) {
  auto r = this->Create(Lead("L1", "anna@example.com"));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->created);
  auto again = this->Create(Lead("L2", "ANNA@Example.com"));
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->lead.id, "L1");
  EXPECT_EQ(again->lead.utm_source, std::optional<std::string>("newsletter"));
  EXPECT_EQ(FormatIsoMillis(again->lead.created_at), "2026-01-09T10:00:00.000Z");
}

TYPED_TEST(LeadsTest, ConcurrentCreatesOfOneEmailCreateOne) {
  std::atomic<int> created{0}, failed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 20; ++i) {
    threads.emplace_back([&, i] {
      auto r = this->Create(Lead("C" + std::to_string(i), "same@example.com"));
      if (!r.ok()) {
        ++failed;
      } else if (r->created) {
        ++created;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(created.load(), 1);
}

TYPED_TEST(LeadsTest, GetReturnsLeadAndTimelineOldestFirst) {
  ASSERT_TRUE(this->Create(Lead("L1", "a@example.com")).ok());
  this->Insert(Ev("pv", "landing", "page_view", R"({"anonymous_id":"anon-L1"})", std::nullopt,
                  At("2026-01-09T09:00:00.000Z")));
  this->Insert(Ev("pay", "payment_service", "payment.succeeded", "{}", "L1",
                  At("2026-01-09T11:00:00.000Z")));
  this->Insert(Ev("other", "landing", "page_view", R"({"anonymous_id":"x"})", std::nullopt,
                  At("2026-01-09T09:30:00.000Z")));
  auto d = Call<LeadDetail>([&](auto done) { this->store().leads().Get("L1", done); });
  ASSERT_TRUE(d.ok()) << d.status().message();
  std::vector<std::string> ids;
  for (auto& e : d->timeline) ids.push_back(e.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"pv", "lc_L1", "pay"}));
  EXPECT_EQ(d->timeline[1].lead_id, std::optional<std::string>("L1"));
  auto missing = Call<LeadDetail>([&](auto done) { this->store().leads().Get("nope", done); });
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

TYPED_TEST(LeadsTest, ListSearchesAndPages) {
  for (int i = 0; i < 7; ++i) {
    ASSERT_TRUE(this->Create(Lead("L" + std::to_string(i), "p" + std::to_string(i) + "@x.org",
                                  At("2026-01-09T10:00:00.000Z") + std::chrono::minutes(i / 2)))
                    .ok());
  }
  LeadQuery q;
  q.limit = 3;
  std::vector<std::string> seen;
  for (int n = 0; n < 5; ++n) {
    auto page = Call<LeadPage>([&](auto done) { this->store().leads().List(q, done); });
    ASSERT_TRUE(page.ok()) << page.status().message();
    for (auto& l : page->items) seen.push_back(l.id);
    if (!page->has_more) break;
    q.after = std::make_pair(page->items.back().created_at, page->items.back().id);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"L6", "L5", "L4", "L3", "L2", "L1", "L0"}));
  LeadQuery s;
  s.q = "ACME_L3";  // case-insensitive, and _ matches itself
  auto page = Call<LeadPage>([&](auto done) { this->store().leads().List(s, done); });
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].id, "L3");
}

TYPED_TEST(LeadsTest, FunnelCountsVisitorsLeadsAndPayingLeads) {
  const auto d1 = At("2026-01-09T08:00:00.000Z"), d2 = At("2026-01-10T08:00:00.000Z");
  this->Insert(Ev("v1", "landing", "page_view", R"({"anonymous_id":"a"})", {}, d1));
  this->Insert(Ev("v2", "landing", "page_view", R"({"anonymous_id":"a"})", {}, d1));
  this->Insert(Ev("v3", "landing", "page_view", R"({"anonymous_id":"b"})", {}, d2));
  this->Insert(Ev("v4", "landing", "page_view", R"({"anonymous_id":"a"})", {}, d2));
  this->Insert(Ev("f1", "landing", "form_start", R"({"anonymous_id":"a"})", {}, d1));
  ASSERT_TRUE(this->Create(Lead("L1", "a@x.org", d1)).ok());
  this->Insert(Ev("p1", "payment_service", "payment.succeeded", "{}", "L1", d2));
  this->Insert(Ev("p2", "payment_service", "payment.succeeded", "{}", "L1", d2));
  this->Insert(Ev("p3", "payment_service", "payment.succeeded", "{}", "unknown", d2));
  this->Insert(Ev("p4", "payment_service", "payment.failed", "{}", "L1", d2));
  FunnelQuery q{At("2026-01-01T00:00:00.000Z"), At("2026-02-01T00:00:00.000Z")};
  auto f = Call<FunnelStats>([&](auto done) { this->store().stats().Funnel(q, done); });
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_EQ(f->totals.visitors, 2);
  EXPECT_EQ(f->totals.form_starts, 1);
  EXPECT_EQ(f->totals.leads, 1);
  EXPECT_EQ(f->totals.payments, 3);
  EXPECT_EQ(f->totals.paying_leads, 1);
  ASSERT_EQ(f->days.size(), 2u);
  EXPECT_EQ(FormatIsoMillis(f->days[0].start), "2026-01-09T00:00:00.000Z");
  EXPECT_EQ(f->days[0].counts.visitors, 1);
  EXPECT_EQ(f->days[0].counts.leads, 1);
  EXPECT_EQ(f->days[1].counts.visitors, 2);
  EXPECT_EQ(f->days[1].counts.payments, 3);
}

}  // namespace
}  // namespace hookline::testing
