#pragma once
// A SQLite connection and its prepared statements, RAII. One Conn belongs to one thread at a
// time (the writer thread, or one reader thread); it is never shared concurrently.

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/status.h"

namespace hookline::store::sqlite {

class Stmt {
 public:
  explicit Stmt(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& Bind(int i, std::string_view v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Bind(int i, const char* v) { return Bind(i, std::string_view(v)); }
  Stmt& Bind(int i, const std::string& v) { return Bind(i, std::string_view(v)); }
  Stmt& Bind(int i, int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  Stmt& Bind(int i, int v) { return Bind(i, static_cast<int64_t>(v)); }
  Stmt& Bind(int i, double v) {
    sqlite3_bind_double(stmt_, i, v);
    return *this;
  }
  Stmt& BindNull(int i) {
    sqlite3_bind_null(stmt_, i);
    return *this;
  }
  Stmt& Bind(int i, const std::optional<std::string>& v) {
    return v ? Bind(i, std::string_view(*v)) : BindNull(i);
  }
  // SQLITE_ROW, SQLITE_DONE, or an error code.
  int Step() { return sqlite3_step(stmt_); }
  std::string Text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
  }
  std::optional<std::string> OptText(int col) const {
    if (IsNull(col)) return std::nullopt;
    return Text(col);
  }
  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  double Double(int col) const { return sqlite3_column_double(stmt_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  sqlite3_stmt* raw() { return stmt_; }

 private:
  sqlite3_stmt* stmt_;
};

// Resets a cached statement when the scope ends, whatever path leaves it.
class StmtScope {
 public:
  explicit StmtScope(Stmt& s) : s_(s) {}
  ~StmtScope() { s_.Reset(); }
  Stmt* operator->() { return &s_; }
  Stmt& operator*() { return s_; }

 private:
  Stmt& s_;
};

class Conn {
 public:
  // Opens (creating if needed) with WAL, synchronous=FULL, foreign keys and a busy timeout.
  // `vfs`: a registered SQLite VFS by name (nullptr: the default), e.g. GatheringWalVfs().
  static StatusOr<std::unique_ptr<Conn>> Open(const std::string& path, const char* vfs = nullptr);
  ~Conn();
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  Status Exec(std::string_view sql);
  // A statement prepared once and kept for the life of the connection.
  StatusOr<Stmt*> Cached(const char* sql);
  // A one-off statement (dynamic SQL).
  StatusOr<std::unique_ptr<Stmt>> Prepare(std::string_view sql);
  int64_t Changes() const { return sqlite3_changes64(db_); }
  // The last error as a Status (kUnavailable for busy/locked/io/full, else kInternal).
  Status Error(std::string_view what) const;
  sqlite3* raw() { return db_; }

 private:
  explicit Conn(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<const char*, std::unique_ptr<Stmt>> cache_;
};

// A cached SELECT of at most one row with one text parameter (?1): the row through `read`, or
// kNotFound with `not_found`. `what` names the query in a database error.
template <class T, class ReadRow>
StatusOr<T> SelectOne(Conn& conn, const char* sql, std::string_view key, ReadRow read,
                      std::string_view what, std::string not_found) {
  auto stmt = conn.Cached(sql);
  if (!stmt.ok()) return stmt.status();
  StmtScope s(**stmt);
  s->Bind(1, key);
  const int rc = s->Step();
  if (rc == SQLITE_ROW) return read(*s);
  if (rc != SQLITE_DONE) return conn.Error(what);
  return Status::NotFound(std::move(not_found));
}

// One page of an admin list, newest first with a keyset cursor: `select` is
// "SELECT <columns> FROM <table> WHERE 1=1" plus the filters (" AND col = :name"), whose named
// parameters are in `params`. Adds the cursor condition (rows strictly after (createdAt, id) in
// createdAt DESC, id DESC order), the ORDER BY and LIMIT page+1, so that `has_more` is known
// without a count. `after` is (createdAt ISO text, id) or absent for the first page.
template <class Row, class ReadRow>
Status ReadKeysetPage(Conn& conn, std::string select,
                      const std::vector<std::pair<const char*, std::string>>& params,
                      const std::optional<std::pair<std::string, std::string>>& after, int limit,
                      ReadRow read, std::vector<Row>& items, bool& has_more,
                      std::string_view what) {
  if (after) select += " AND (createdAt < :acreated OR (createdAt = :acreated AND id < :aid))";
  select += " ORDER BY createdAt DESC, id DESC LIMIT :limit";
  auto stmt = conn.Prepare(select);
  if (!stmt.ok()) return stmt.status();
  Stmt& s = **stmt;
  auto bind = [&s](const char* name, std::string_view value) {
    const int i = sqlite3_bind_parameter_index(s.raw(), name);
    if (i > 0) s.Bind(i, value);
  };
  for (const auto& [name, value] : params) bind(name, value);
  if (after) {
    bind(":acreated", after->first);
    bind(":aid", after->second);
  }
  s.Bind(sqlite3_bind_parameter_index(s.raw(), ":limit"), limit + 1);
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) items.push_back(read(s));
  if (rc != SQLITE_DONE) return conn.Error(what);
  has_more = static_cast<int>(items.size()) > limit;
  if (has_more) items.pop_back();
  return Status::Ok();
}

}  // namespace hookline::store::sqlite
