#pragma once
// Files for the SQLite tests that work below the Store (the WAL VFS, the checkpointer, the
// writer): a fresh folder per test, a copy of a database with its WAL as a crash would leave
// them, and a one-number query.

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "store/sqlite/conn.h"

namespace hookline::testing {

// An empty folder in the temporary directory, named after `prefix`, the process and the running
// test; the caller removes it.
inline std::filesystem::path FreshTestDir(const std::string& prefix) {
  const auto dir = std::filesystem::temp_directory_path() /
                   (prefix + std::to_string(::getpid()) + "-" +
                    ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// Copies the database `db` and its WAL, as the operating system holds them now, into a fresh
// `dir`/copy and returns the copy's path: opened, it shows what a crash at this moment would
// leave (SQLite recovers the WAL on open).
inline std::string CrashCopy(const std::string& db, const std::filesystem::path& dir) {
  const auto copy = dir / "copy";
  std::filesystem::remove_all(copy);
  std::filesystem::create_directories(copy);
  std::filesystem::copy_file(db, copy / "t.db");
  if (std::filesystem::exists(db + "-wal"))
    std::filesystem::copy_file(db + "-wal", copy / "t.db-wal");
  return (copy / "t.db").string();
}

// The first column of the first row of `sql` as an integer, or -1 without a row.
inline int64_t Int(store::sqlite::Conn& conn, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(conn.raw(), sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
  int64_t v = -1;
  if (sqlite3_step(stmt) == SQLITE_ROW) v = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  return v;
}

}  // namespace hookline::testing
