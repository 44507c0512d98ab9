// The SQLite group-commit writer's two kinds of answer (store/sqlite/workers.h): a job
// submitted with Ack::kVisible is answered on the writer thread once its COMMIT is written to
// the WAL file, before the batch's fdatasync and so before every Ack::kDurable job of the same
// batch; and what it committed is then in the file, as a killed process would leave it.

#include <gtest/gtest.h>
#include <pthread.h>

#include <filesystem>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "sqlite_files.h"
#include "store/sqlite/conn.h"
#include "store/sqlite/wal_vfs.h"
#include "store/sqlite/workers.h"

namespace hookline::testing {
namespace {

namespace fs = std::filesystem;
using store::sqlite::Ack;
using store::sqlite::Conn;
using store::sqlite::WriteJob;
using store::sqlite::Writer;

// A job that only notes the status its callback got.
class NotingJob final : public WriteJob {
 public:
  NotingJob(std::string name, Ack how, std::vector<std::string>& log)
      : name_(std::move(name)), log_(log) {
    ack = how;
  }
  Status Execute(Conn&) override { return Status::Ok(); }
  void Complete(const Status& status) override {
    log_.push_back(name_ + (status.ok() ? ":ok" : ":" + std::string(status.message())));
  }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  std::vector<std::string>& log_;
};

std::vector<std::unique_ptr<WriteJob>> Jobs(std::vector<std::string>& log) {
  std::vector<std::unique_ptr<WriteJob>> jobs;
  jobs.push_back(std::make_unique<NotingJob>("a", Ack::kDurable, log));
  jobs.push_back(std::make_unique<NotingJob>("b", Ack::kVisible, log));
  jobs.push_back(std::make_unique<NotingJob>("c", Ack::kDurable, log));
  jobs.push_back(std::make_unique<NotingJob>("d", Ack::kVisible, log));
  return jobs;
}

std::vector<std::string> Names(const std::vector<std::unique_ptr<WriteJob>>& jobs) {
  std::vector<std::string> names;
  for (const auto& job : jobs) names.push_back(static_cast<const NotingJob&>(*job).name());
  return names;
}

TEST(SqliteWriterTest, CompleteVisibleAnswersTheVisibleJobsWithTheirOwnStatuses) {
  std::vector<std::string> log;
  auto jobs = Jobs(log);
  std::vector<Status> statuses = {Status::Ok(), Status::Unavailable("b failed"), Status::Ok(),
                                  Status::Internal("d failed")};
  Writer::CompleteVisible(jobs, statuses);
  EXPECT_EQ(log, (std::vector<std::string>{"b:b failed", "d:d failed"}));
  // The durable jobs stay, in order, each with its own status, for the completer thread.
  EXPECT_EQ(Names(jobs), (std::vector<std::string>{"a", "c"}));
  ASSERT_EQ(statuses.size(), 2u);
  EXPECT_TRUE(statuses[0].ok());
  EXPECT_TRUE(statuses[1].ok());
  store::FinishedBatch<WriteJob>{std::move(jobs), std::move(statuses)}.Complete();
  EXPECT_EQ(log, (std::vector<std::string>{"b:b failed", "d:d failed", "a:ok", "c:ok"}));
}

TEST(SqliteWriterTest, CompleteVisibleKeepsAStatusSharedByTheWholeBatch) {
  std::vector<std::string> log;
  auto jobs = Jobs(log);
  std::vector<Status> statuses = {Status::Unavailable("disk full")};
  Writer::CompleteVisible(jobs, statuses);
  EXPECT_EQ(log, (std::vector<std::string>{"b:disk full", "d:disk full"}));
  EXPECT_EQ(Names(jobs), (std::vector<std::string>{"a", "c"}));
  ASSERT_EQ(statuses.size(), 1u);
  EXPECT_EQ(statuses[0].message(), "disk full");
}

std::string ThreadName() {
  char name[32] = {};
  pthread_getname_np(pthread_self(), name, sizeof name);
  return name;
}

TEST(SqliteWriterTest, AVisibleJobIsAnsweredAtCommitWithItsRowInTheWalFile) {
  ASSERT_NE(store::sqlite::GatheringWalVfs(), nullptr);
  const fs::path dir = FreshTestDir("hookline-writer-");
  const std::string path = (dir / "t.db").string();
  auto conn = Conn::Open(path, store::sqlite::GatheringWalVfs());
  ASSERT_TRUE(conn.ok()) << conn.status().message();
  ASSERT_TRUE((*conn)->Exec("CREATE TABLE t(id INTEGER PRIMARY KEY, what TEXT)").ok());

  std::mutex mu;
  std::vector<std::string> order;
  std::string visible_thread;
  int64_t rows_in_copy = -1;
  auto note = [&](const std::string& what) {
    std::lock_guard lock(mu);
    order.push_back(what);
  };
  auto insert = [](const char* what) {
    return [what](Conn& c) -> StatusOr<int> {
      auto st = c.Exec(std::string("INSERT INTO t(what) VALUES('") + what + "')");
      if (!st.ok()) return st;
      return 1;
    };
  };
  {
    Writer writer(std::move(conn.value()), std::chrono::microseconds(0), 1.0);
    // A first job holds the writer inside its batch until both jobs below are queued, so that
    // they are committed together in the next one.
    std::promise<void> started, release;
    auto gate = release.get_future().share();
    writer.Submit<int>(
        [&started, gate](Conn&) -> StatusOr<int> {
          started.set_value();
          gate.wait();
          return 0;
        },
        [](StatusOr<int>) {});
    started.get_future().wait();
    writer.Submit<int>(insert("durable"), [&](StatusOr<int> r) {
      EXPECT_TRUE(r.ok());
      note("durable");
    });
    writer.Submit<int>(
        insert("visible"),
        [&](StatusOr<int> r) {
          EXPECT_TRUE(r.ok());
          visible_thread = ThreadName();
          // What a killed process would leave now: both rows of the batch are in the file.
          auto copy = Conn::Open(CrashCopy(path, dir));
          if (copy.ok()) rows_in_copy = Int(**copy, "SELECT count(*) FROM t");
          note("visible");
        },
        /*may_wait=*/false, Ack::kVisible);
    release.set_value();
    writer.Stop();
  }
  EXPECT_EQ(order, (std::vector<std::string>{"visible", "durable"}));
  EXPECT_EQ(visible_thread, "hl-sqlite-write");
  EXPECT_EQ(rows_in_copy, 2);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace hookline::testing
