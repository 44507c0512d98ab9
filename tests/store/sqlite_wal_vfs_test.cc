// The gathering WAL VFS (store/sqlite/wal_vfs.h), on real files: a commit's frames are in the
// WAL file when COMMIT returns (a copy of the files taken then, as a crash would leave them,
// holds every committed row), other connections see every commit at once, large and spilled
// transactions work, and the writes really are gathered.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <string>

#include "core/metrics.h"
#include "sqlite_files.h"
#include "store/sqlite/wal_vfs.h"

namespace hookline::testing {
namespace {

namespace fs = std::filesystem;

class Db {
 public:
  Db(const std::string& path, const char* vfs) {
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db_, flags, vfs), SQLITE_OK);
    Exec("PRAGMA journal_mode=WAL");
    Exec("PRAGMA synchronous=NORMAL");
    sqlite3_busy_timeout(db_, 5000);
  }
  ~Db() { sqlite3_close(db_); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  void Exec(const std::string& sql) {
    char* err = nullptr;
    EXPECT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK)
        << sql << ": " << (err ? err : "");
    sqlite3_free(err);
  }
  int64_t Int(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
    int64_t v = -1;
    if (sqlite3_step(stmt) == SQLITE_ROW) v = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return v;
  }
  std::string Text(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
    std::string v;
    if (sqlite3_step(stmt) == SQLITE_ROW) {
      v = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    return v;
  }
  sqlite3* raw() { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

class WalVfsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(store::sqlite::GatheringWalVfs(), nullptr);
    dir_ = FreshTestDir("hookline-walvfs-");
    path_ = (dir_ / "t.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  // The database and its WAL as the operating system holds them now, copied aside and opened
  // there: what a crash at this moment would leave (SQLite recovers the WAL on open).
  int64_t CountInCopy(const std::string& table) {
    Db db(CrashCopy(path_, dir_), nullptr);
    EXPECT_EQ(db.Text("PRAGMA integrity_check"), "ok");
    return db.Int("SELECT count(*) FROM " + table);
  }

  static void InsertRows(Db& db, int from, int n, int blob_bytes) {
    db.Exec("BEGIN IMMEDIATE");
    for (int i = from; i < from + n; ++i) {
      db.Exec("INSERT INTO t(id, body) VALUES(" + std::to_string(i) + ", randomblob(" +
              std::to_string(blob_bytes) + "))");
    }
    db.Exec("COMMIT");
  }

  fs::path dir_;
  std::string path_;
};

TEST_F(WalVfsTest, ACommitIsInTheFileAndVisibleToOthersWhenCommitReturns) {
  Db writer(path_, store::sqlite::GatheringWalVfs());
  writer.Exec("CREATE TABLE t(id INTEGER PRIMARY KEY, body BLOB)");
  Db reader(path_, nullptr);
  // While the WAL grows, writes go through one by one (a full disk must fail the commit); once
  // a checkpoint lets SQLite start the WAL again from its beginning, commits are gathered.
  InsertRows(writer, 100000, 3000, 300);
  EXPECT_EQ(CountInCopy("t"), 3000);
  reader.Exec("PRAGMA wal_checkpoint(PASSIVE)");
  auto& m = Metrics::Get();
  const uint64_t calls0 = m.store_wal_write_calls, writes0 = m.store_wal_writes;
  for (int round = 0; round < 20; ++round) {
    InsertRows(writer, round * 30, 30, 300);  // ~30 rows a commit, as a payment group commit
    EXPECT_EQ(reader.Int("SELECT count(*) FROM t"), 3000 + (round + 1) * 30);
  }
  EXPECT_EQ(CountInCopy("t"), 3600);
  const uint64_t calls = m.store_wal_write_calls - calls0, writes = m.store_wal_writes - writes0;
  EXPECT_GT(calls, 20u * 6);  // each commit wrote several frames, two writes each
  EXPECT_LE(writes * 4, calls) << calls << " WAL writes asked for, " << writes << " made";
}

TEST_F(WalVfsTest, CommitsLargerThanOneWriteAndThanTheGatherLimitAreWhole) {
  Db writer(path_, store::sqlite::GatheringWalVfs());
  writer.Exec("CREATE TABLE t(id INTEGER PRIMARY KEY, body BLOB)");
  InsertRows(writer, 0, 1000, 3000);  // ~3 MiB of WAL: room for what follows to be gathered
  writer.Exec("PRAGMA wal_checkpoint(PASSIVE)");
  InsertRows(writer, 1000, 60, 3000);  // ~200 KiB: more than one 124 KiB write
  writer.Exec("PRAGMA wal_checkpoint(PASSIVE)");
  InsertRows(writer, 2000, 1200, 3000);  // ~4 MiB: over the 2 MiB gathered at most, then growing
  Db reader(path_, nullptr);
  EXPECT_EQ(reader.Int("SELECT count(*) FROM t"), 2260);
  EXPECT_EQ(reader.Text("PRAGMA integrity_check"), "ok");
  EXPECT_EQ(CountInCopy("t"), 2260);
}

TEST_F(WalVfsTest, ASpilledTransactionRolledBackLeavesNothingAndTheNextCommitIsWhole) {
  Db writer(path_, store::sqlite::GatheringWalVfs());
  writer.Exec("CREATE TABLE t(id INTEGER PRIMARY KEY, body BLOB)");
  InsertRows(writer, 0, 200, 2000);
  writer.Exec("PRAGMA cache_size=8");  // a small cache spills dirty pages to the WAL mid-way
  writer.Exec("BEGIN IMMEDIATE");
  for (int i = 0; i < 300; ++i) {
    writer.Exec("INSERT INTO t(id, body) VALUES(" + std::to_string(10000 + i) +
                ", randomblob(2000))");
  }
  writer.Exec("ROLLBACK");
  InsertRows(writer, 500, 50, 2000);
  Db reader(path_, nullptr);
  EXPECT_EQ(reader.Int("SELECT count(*) FROM t"), 250);
  EXPECT_EQ(reader.Int("SELECT count(*) FROM t WHERE id >= 10000"), 0);
  EXPECT_EQ(CountInCopy("t"), 250);
}

TEST_F(WalVfsTest, WhatARolledBackTransactionLeftGatheredNeverLandsOnAnotherWritersCommit) {
  // Two writers on one database, as two hookline processes on one file. A spills a large
  // transaction into the WAL and rolls it back; B then commits frames at the same offsets; A's
  // next transaction must not write A's old, rolled-back frames over B's committed ones.
  Db a(path_, store::sqlite::GatheringWalVfs());
  a.Exec("CREATE TABLE t(id INTEGER PRIMARY KEY, body BLOB)");
  InsertRows(a, 0, 2000, 2000);  // a large WAL, so that later writes are gathered
  Db b(path_, store::sqlite::GatheringWalVfs());
  b.Exec("PRAGMA wal_checkpoint(PASSIVE)");
  for (int round = 0; round < 5; ++round) {
    a.Exec("PRAGMA cache_size=4");
    a.Exec("BEGIN IMMEDIATE");
    for (int i = 0; i < 200; ++i) {
      a.Exec("INSERT INTO t(id, body) VALUES(" + std::to_string(100000 + i) +
             ", randomblob(3000))");
    }
    a.Exec("ROLLBACK");
    InsertRows(b, 10000 + round * 100, 100, 3000);
    InsertRows(a, 20000 + round, 1, 10);
    EXPECT_EQ(b.Text("PRAGMA integrity_check"), "ok");
    EXPECT_EQ(b.Int("SELECT count(*) FROM t WHERE id BETWEEN 10000 AND 19999"), (round + 1) * 100);
    EXPECT_EQ(CountInCopy("t"), 2000 + (round + 1) * 101);
    b.Exec("PRAGMA wal_checkpoint(PASSIVE)");
  }
}

TEST_F(WalVfsTest, AfterAnotherConnectionTruncatesTheWalCommitsStillReachTheFile) {
  Db writer(path_, store::sqlite::GatheringWalVfs());
  writer.Exec("CREATE TABLE t(id INTEGER PRIMARY KEY, body BLOB)");
  Db other(path_, nullptr);
  for (int round = 0; round < 4; ++round) {
    InsertRows(writer, round * 100, 100, 1000);
    // The checkpointer's way at shutdown: everything into the database, the WAL cut to 0.
    EXPECT_EQ(other.Int("PRAGMA wal_checkpoint(TRUNCATE)"), 0);
    EXPECT_EQ(fs::file_size(path_ + "-wal"), 0u);
    InsertRows(writer, 10000 + round * 100, 100, 1000);  // grows the WAL again, written through
    other.Exec("PRAGMA wal_checkpoint(PASSIVE)");
    InsertRows(writer, 20000 + round * 100, 10, 1000);  // restarts the WAL inside it, gathered
    EXPECT_EQ(CountInCopy("t"), (round + 1) * 210);
  }
  EXPECT_EQ(other.Int("SELECT count(*) FROM t"), 840);
}

TEST_F(WalVfsTest, FlushGatheredWalIsANoOpForOtherConnections) {
  Db plain(path_, nullptr);
  EXPECT_EQ(store::sqlite::FlushGatheredWal(plain.raw()), SQLITE_OK);
  Db writer(path_, store::sqlite::GatheringWalVfs());
  writer.Exec("CREATE TABLE IF NOT EXISTS t(id INTEGER PRIMARY KEY, body BLOB)");
  InsertRows(writer, 0, 10, 100);
  EXPECT_EQ(store::sqlite::FlushGatheredWal(writer.raw()), SQLITE_OK);
  EXPECT_EQ(CountInCopy("t"), 10);
}

}  // namespace
}  // namespace hookline::testing
