// PostgreSQL only: what a server that goes away does to a running store. Calls answer
// kUnavailable quickly (never hang, never a success), Health says so, and the store reconnects
// by itself when the server is back. A value the server refuses fails its own request only.
// And the DSN's password never shows in an error.

#include <libpq-fe.h>

#include <chrono>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include "backends.h"

namespace hookline::testing {
namespace {

using std::chrono::steady_clock;
using store::EventRecord;
using store::InsertOutcome;

EventRecord Event(std::string id) {
  return EventRecord{std::move(id), "payment.succeeded", "payment_service",
                     "{}",          std::nullopt,        std::chrono::system_clock::now()};
}

class PostgresOutageTest : public StoreTest<PostgresBackend> {
 protected:
  StatusOr<InsertOutcome> Insert(std::string id) {
    return Call<InsertOutcome>([&](auto done) { store().events().Insert(Event(id), done); });
  }
  StatusOr<store::HealthInfo> Health() {
    return Call<store::HealthInfo>([&](auto done) { store().Health(done); });
  }
};

TEST_F(PostgresOutageTest, StopAnswersUnavailableFastThenRecoversWithoutReopen) {
  if (!PgServer::Get().Owned()) GTEST_SKIP() << "HOOKLINE_TEST_PG_DSN: cannot stop that server";
  ASSERT_TRUE(Insert("before").ok());
  ASSERT_TRUE(Health().ok());

  ASSERT_TRUE(PgServer::Get().Stop());
  const auto t0 = steady_clock::now();
  auto r = Insert("during");
  ASSERT_FALSE(r.ok()) << "an insert succeeded with the server stopped";
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().message();
  auto h = Health();
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.status().code(), StatusCode::kUnavailable);
  auto page = Call<store::EventPage>([&](auto done) { store().events().List({}, done); });
  EXPECT_FALSE(page.ok());
  EXPECT_LT(steady_clock::now() - t0, std::chrono::seconds(5));

  ASSERT_TRUE(PgServer::Get().Start());
  // The pool reconnects by itself; a failed connect is retried after a short pause.
  StatusOr<InsertOutcome> again = Status::Unavailable("not tried");
  for (int i = 0; i < 50 && !again.ok(); ++i) {
    again = Insert("after");
    if (!again.ok()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(*again, InsertOutcome::kInserted);
  EXPECT_TRUE(Health().ok());
  auto dup = Insert("before");
  ASSERT_TRUE(dup.ok());
  EXPECT_EQ(*dup, InsertOutcome::kDuplicate);
  auto during = Insert("during");  // it was never stored, so now it is new
  ASSERT_TRUE(during.ok());
  EXPECT_EQ(*during, InsertOutcome::kInserted);
}

// jsonb refuses \u0000 (SQLite stores it): the one bad insert of a batch gets a clear
// kInvalidArgument (422), its neighbours in the same group commit are stored.
TEST_F(PostgresOutageTest, OneRefusedRowDoesNotFailItsBatch) {
  std::vector<std::future<StatusOr<InsertOutcome>>> pending;
  for (int i = 0; i < 40; ++i) {
    auto e = Event("evt_" + std::to_string(i));
    if (i == 17) e.payload = R"({"note":"nul \u0000 inside"})";
    auto p = std::make_shared<std::promise<StatusOr<InsertOutcome>>>();
    pending.push_back(p->get_future());
    store().events().Insert(std::move(e), [p](StatusOr<InsertOutcome> r) { p->set_value(r); });
  }
  for (int i = 0; i < 40; ++i) {
    auto r = pending[i].get();
    if (i == 17) {
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().message();
      EXPECT_EQ(r.status().message().find("CONTEXT"), std::string::npos) << r.status().message();
    } else {
      ASSERT_TRUE(r.ok()) << i << ": " << r.status().message();
      EXPECT_EQ(*r, InsertOutcome::kInserted);
    }
  }
}

// A group commit of only EventLog inserts is one statement that is its own transaction: once
// every insert is acknowledged, another connection sees every row, and no hookline connection
// is left inside a transaction.
TEST_F(PostgresOutageTest, AcknowledgedBatchIsCommittedWithNoTransactionLeftOpen) {
  std::vector<std::future<StatusOr<InsertOutcome>>> pending;
  for (int i = 0; i < 60; ++i) {
    auto p = std::make_shared<std::promise<StatusOr<InsertOutcome>>>();
    pending.push_back(p->get_future());
    store().events().Insert(Event("ack_" + std::to_string(i % 50)),
                            [p](StatusOr<InsertOutcome> r) { p->set_value(r); });
  }
  int inserted = 0;
  for (auto& f : pending) {
    auto r = f.get();
    ASSERT_TRUE(r.ok()) << r.status().message();
    inserted += *r == InsertOutcome::kInserted;
  }
  EXPECT_EQ(inserted, 50);
  PGconn* conn = PQconnectdb(url_.c_str());
  ASSERT_EQ(PQstatus(conn), CONNECTION_OK) << PQerrorMessage(conn);
  auto scalar = [conn](const char* sql) {
    PGresult* res = PQexec(conn, sql);
    std::string v = PQresultStatus(res) == PGRES_TUPLES_OK ? PQgetvalue(res, 0, 0) : "error";
    PQclear(res);
    return v;
  };
  EXPECT_EQ(scalar("SELECT count(*) FROM \"EventLog\" WHERE id LIKE 'ack\\_%'"), "50");
  EXPECT_EQ(scalar("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'hookline' "
                   "AND datname = current_database() AND state LIKE 'idle in transaction%'"),
            "0");
  PQfinish(conn);
}

TEST(PostgresOpenTest, UnreachableServerFailsFastWithoutThePassword) {
  // A port nobody listens on (bound, then closed).
  auto url = ParseDatabaseUrl("postgres://hookline:s3cr3t-pw@127.0.0.1:1/hookline");
  ASSERT_TRUE(url.ok());
  const auto t0 = steady_clock::now();
  auto s = store::OpenStore(store::StoreOptions{*url, 4});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.status().message().find("s3cr3t-pw"), std::string::npos) << s.status().message();
  EXPECT_NE(s.status().message().find("127.0.0.1"), std::string::npos) << s.status().message();
  EXPECT_LT(steady_clock::now() - t0, std::chrono::seconds(5));
}

TEST(PostgresOpenTest, WrongPasswordIsNotEchoed) {
  auto& server = PgServer::Get();
  if (!server.Owned()) GTEST_SKIP() << "needs the harness server";
  const auto dsn = server.CreateDatabase();
  ASSERT_FALSE(dsn.empty());
  // Trust authentication accepts any password: name a role that does not exist instead.
  auto with_pw = dsn;
  with_pw.replace(with_pw.find("postgres@"), 9, "nobody:pw-never-shown@");
  auto url = ParseDatabaseUrl(with_pw);
  ASSERT_TRUE(url.ok());
  auto s = store::OpenStore(store::StoreOptions{*url, 4});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message().find("pw-never-shown"), std::string::npos) << s.status().message();
  server.DropDatabase(dsn);
}

}  // namespace
}  // namespace hookline::testing
