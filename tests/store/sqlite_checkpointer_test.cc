// The SQLite checkpointer (store/sqlite/checkpointer.h), on real files: under a steady stream of
// commits the WAL starts again from its beginning cycle after cycle, with background passes
// asked for per `soft_frames` of growth and not per commit; a reader keeping an old snapshot
// holds the WAL back without making the writer ask after every commit; nothing committed is
// lost at any moment, and Stop leaves an empty WAL.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>

#include "core/metrics.h"
#include "sqlite_files.h"
#include "store/sqlite/checkpointer.h"
#include "store/sqlite/conn.h"
#include "store/sqlite/wal_vfs.h"

namespace hookline::testing {
namespace {

namespace fs = std::filesystem;
using store::sqlite::Checkpointer;
using store::sqlite::CheckpointLimits;
using store::sqlite::Conn;

class CheckpointerTest : public ::testing::Test {
 protected:
  static constexpr int kFramesPerCommit = 3;  // 30 rows of ~400 bytes, 4 KiB pages

  void SetUp() override {
    dir_ = FreshTestDir("hookline-ckpt-");
    path_ = (dir_ / "t.db").string();
    // The write connection as the store opens it: the gathering VFS, syncs left to the caller.
    writer_ = Open(store::sqlite::GatheringWalVfs());
    ASSERT_TRUE(writer_->Exec("PRAGMA synchronous=NORMAL").ok());
    ASSERT_TRUE(writer_->Exec("CREATE TABLE t(id INTEGER PRIMARY KEY, body BLOB)").ok());
  }
  void TearDown() override {
    writer_.reset();
    fs::remove_all(dir_);
  }

  std::unique_ptr<Conn> Open(const char* vfs = nullptr) {
    auto opened = Conn::Open(path_, vfs);
    EXPECT_TRUE(opened.ok()) << opened.status().message();
    return opened.ok() ? std::move(opened.value()) : nullptr;
  }

  // One group commit of 30 rows, as a burst of payment webhooks makes.
  void Commit() {
    ASSERT_TRUE(writer_->Exec("BEGIN IMMEDIATE").ok());
    for (int i = 0; i < 30; ++i) {
      ASSERT_TRUE(writer_
                      ->Exec("INSERT INTO t(id, body) VALUES(" + std::to_string(next_id_++) +
                             ", randomblob(400))")
                      .ok());
    }
    ASSERT_TRUE(writer_->Exec("COMMIT").ok());
  }

  uint64_t WalBytes() const {
    std::error_code ec;
    const auto size = fs::file_size(path_ + "-wal", ec);
    return ec ? 0 : size;
  }

  // The database and its WAL as the operating system holds them now, opened in a copy: what a
  // crash at this moment would leave.
  int64_t RowsInCopy() {
    auto conn = Conn::Open(CrashCopy(path_, dir_));
    EXPECT_TRUE(conn.ok());
    if (!conn.ok()) return -1;
    return Int(**conn, "SELECT count(*) FROM t");
  }

  fs::path dir_;
  std::string path_;
  std::unique_ptr<Conn> writer_;
  int64_t next_id_ = 0;
};

TEST_F(CheckpointerTest, UnderASteadyStreamTheWalStartsAgainAndPassesFollowItsGrowth) {
  const CheckpointLimits limits{.soft_frames = 100, .max_tail_frames = 64, .hard_frames = 50000};
  Checkpointer checkpointer(path_, limits);
  checkpointer.Attach(*writer_);
  auto& m = Metrics::Get();
  const uint64_t passes0 = m.store_checkpoint_passes, restarts0 = m.store_wal_restarts,
                 finishes0 = m.store_checkpoint_finishes;
  const int kCommits = 3000;
  uint64_t largest_wal = 0;
  for (int i = 0; i < kCommits; ++i) {
    Commit();
    largest_wal = std::max(largest_wal, WalBytes());
    if (i == kCommits / 2) {
      EXPECT_EQ(RowsInCopy(), next_id_);
    }
  }
  const uint64_t passes = m.store_checkpoint_passes - passes0;
  const uint64_t restarts = m.store_wal_restarts - restarts0;
  const uint64_t frames = static_cast<uint64_t>(kCommits) * kFramesPerCommit;
  EXPECT_GE(restarts, 5u) << "the WAL never started again: " << largest_wal << " bytes";
  EXPECT_GE(m.store_checkpoint_finishes - finishes0, restarts - 1);
  // A pass per `soft_frames` of growth, plus the shorter ones a fast writer sends it on again;
  // never one per commit.
  EXPECT_GE(passes, restarts);
  EXPECT_LE(passes, 3 * frames / limits.soft_frames)
      << passes << " passes for " << kCommits << " commits";
  // Each restart begins the file again: it holds a cycle, not the whole stream. The file keeps
  // the size of its longest cycle, in most runs 2-5 MB of this 37 MB stream; but this writer has
  // no disk to wait for, so while the checkpointer waits for a core (a busy CI machine: 13.7 MB
  // seen) one cycle can take a third of the stream. A WAL that grew for as long as the stream
  // lasted would reach all of it.
  EXPECT_LT(largest_wal, frames * 4096 * 3 / 4) << "the WAL grew to " << largest_wal << " bytes";
  EXPECT_EQ(RowsInCopy(), next_id_);

  checkpointer.Stop();
  EXPECT_EQ(WalBytes(), 0u);
  EXPECT_EQ(RowsInCopy(), next_id_);
}

TEST_F(CheckpointerTest, AnOldSnapshotHoldsTheWalBackWithoutAPassPerCommit) {
  const CheckpointLimits limits{.soft_frames = 100, .max_tail_frames = 64, .hard_frames = 50000};
  Checkpointer checkpointer(path_, limits);
  checkpointer.Attach(*writer_);
  Commit();
  auto reader = Open();
  ASSERT_TRUE(reader->Exec("BEGIN").ok());
  const int64_t seen = Int(*reader, "SELECT count(*) FROM t");  // the snapshot starts here

  auto& m = Metrics::Get();
  const uint64_t passes0 = m.store_checkpoint_passes, restarts0 = m.store_wal_restarts;
  const int kCommits = 1000;
  for (int i = 0; i < kCommits; ++i) Commit();
  EXPECT_EQ(m.store_wal_restarts - restarts0, 0u);
  EXPECT_LE(m.store_checkpoint_passes - passes0,
            2u * kCommits * kFramesPerCommit / limits.soft_frames);
  EXPECT_EQ(Int(*reader, "SELECT count(*) FROM t"), seen);  // the snapshot is intact
  EXPECT_EQ(RowsInCopy(), next_id_);

  // Once the reader is done, the cycles resume: the first pass has the whole WAL to copy and
  // this writer commits without waiting for a disk, so that cycle may take a few passes.
  ASSERT_TRUE(reader->Exec("COMMIT").ok());
  int more = 0;
  while (m.store_wal_restarts == restarts0 && more < 20 * kCommits) {
    Commit();
    ++more;
  }
  EXPECT_GE(m.store_wal_restarts - restarts0, 1u) << "no restart in " << more << " commits";
  EXPECT_EQ(Int(*reader, "SELECT count(*) FROM t"), next_id_);
  checkpointer.Stop();
  EXPECT_EQ(WalBytes(), 0u);
}

}  // namespace
}  // namespace hookline::testing
