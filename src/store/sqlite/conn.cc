#include "store/sqlite/conn.h"

#include <fmt/format.h>

namespace hookline::store::sqlite {

StatusOr<std::unique_ptr<Conn>> Conn::Open(const std::string& path, const char* vfs) {
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, vfs);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return Status::Unavailable(fmt::format("cannot open SQLite database {}: {}", path, msg));
  }
  std::unique_ptr<Conn> conn(new Conn(db));
  sqlite3_busy_timeout(db, 5000);
  sqlite3_extended_result_codes(db, 1);
  // WAL: readers never block the writer. synchronous=FULL: a commit is fsynced before it
  // returns, so an acknowledged write survives a crash or power loss.
  for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL",
                             "PRAGMA foreign_keys=ON", "PRAGMA temp_store=MEMORY"}) {
    if (auto st = conn->Exec(pragma); !st.ok()) {
      return Status::Unavailable(
          fmt::format("cannot set up SQLite database {}: {}", path, st.message()));
    }
  }
  return conn;
}

Conn::~Conn() {
  cache_.clear();  // statements must be finalized before the connection closes
  sqlite3_close(db_);
}

Status Conn::Exec(std::string_view sql) {
  char* err = nullptr;
  const std::string owned(sql);
  if (sqlite3_exec(db_, owned.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    sqlite3_free(err);  // Error() reads the same message from the connection
    return Error("exec");
  }
  return Status::Ok();
}

StatusOr<Stmt*> Conn::Cached(const char* sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return it->second.get();
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
    return Error("prepare");
  }
  auto* raw = new Stmt(stmt);
  cache_.emplace(sql, std::unique_ptr<Stmt>(raw));
  return raw;
}

StatusOr<std::unique_ptr<Stmt>> Conn::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) !=
      SQLITE_OK) {
    return Error("prepare");
  }
  return std::make_unique<Stmt>(stmt);
}

Status Conn::Error(std::string_view what) const {
  const int code = sqlite3_extended_errcode(db_) & 0xff;
  std::string msg =
      fmt::format("sqlite {}: {} ({})", what, sqlite3_errmsg(db_), sqlite3_extended_errcode(db_));
  switch (code) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
      return Status::Unavailable(std::move(msg));
    default:
      return Status::Internal(std::move(msg));
  }
}

}  // namespace hookline::store::sqlite
