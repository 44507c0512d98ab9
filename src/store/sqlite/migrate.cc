#include "store/sqlite/migrate.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/time_format.h"
#include "store/migrations/migrations.h"

namespace hookline::store::sqlite {
namespace {

StatusOr<int> CurrentVersion(Conn& conn) {
  auto stmt = conn.Prepare("SELECT coalesce(max(version), 0) FROM schema_version");
  if (!stmt.ok()) return stmt.status();
  if ((*stmt)->Step() != SQLITE_ROW) return conn.Error("read schema_version");
  return static_cast<int>((*stmt)->Int(0));
}

}  // namespace

StatusOr<int> Migrate(Conn& conn) {
  if (auto st = conn.Exec(
          "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
          "name TEXT NOT NULL, applied_at TEXT NOT NULL)");
      !st.ok()) {
    return st;
  }
  const auto migrations = SqliteMigrations();
  const int latest = migrations.empty() ? 0 : migrations.back().version;
  auto current = CurrentVersion(conn);
  if (!current.ok()) return current.status();
  if (*current > latest) {
    return Status::Internal(fmt::format(
        "the database is at schema version {}, newer than this hookline ({}); upgrade hookline",
        *current, latest));
  }
  for (const auto& m : migrations) {
    if (auto st = conn.Exec("BEGIN IMMEDIATE"); !st.ok()) return st;
    auto now_version = CurrentVersion(conn);  // re-read under the write lock
    if (!now_version.ok() || *now_version >= m.version) {
      (void)conn.Exec("ROLLBACK");
      if (!now_version.ok()) return now_version.status();
      continue;
    }
    Status st = conn.Exec(m.sql);
    if (st.ok()) {
      auto ins = conn.Prepare("INSERT INTO schema_version(version, name, applied_at) VALUES(?,?,?)");
      if (!ins.ok()) {
        st = ins.status();
      } else {
        (*ins)->Bind(1, m.version).Bind(2, m.name).Bind(3, FormatIsoMillis(SystemClock::Instance().Now()));
        if ((*ins)->Step() != SQLITE_DONE) st = conn.Error("record migration");
      }
    }
    if (st.ok()) st = conn.Exec("COMMIT");
    if (!st.ok()) {
      (void)conn.Exec("ROLLBACK");
      return Status::Internal(fmt::format("migration {} ({}) failed: {}", m.version, m.name,
                                          st.message()));
    }
    spdlog::info("database migrated to version {} ({})", m.version, m.name);
  }
  return latest;
}

}  // namespace hookline::store::sqlite
