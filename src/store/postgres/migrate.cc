#include "store/postgres/migrate.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdlib>

#include "store/migrations/migrations.h"

namespace hookline::store::postgres {
namespace {

// pg_advisory_lock key of hookline's migrations ("hookline" in ASCII, as a bigint).
constexpr const char* kLockKey = "7526766018003791461";

StatusOr<int> CurrentVersion(Conn& conn) {
  auto res = conn.Query("SELECT coalesce(max(version), 0) FROM schema_version", Params{});
  if (!res.ok()) return res.status();
  return std::atoi(PQgetvalue(res->get(), 0, 0));
}

StatusOr<int> MigrateLocked(Conn& conn) {
  if (auto st = conn.Exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
                          "name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())");
      !st.ok()) {
    return st;
  }
  const auto migrations = PostgresMigrations();
  const int latest = migrations.empty() ? 0 : migrations.back().version;
  auto current = CurrentVersion(conn);
  if (!current.ok()) return current.status();
  if (*current > latest) {
    return Status::Internal(fmt::format(
        "the database is at schema version {}, newer than this hookline ({}); upgrade hookline",
        *current, latest));
  }
  for (const auto& m : migrations) {
    if (m.version <= *current) continue;
    Status st = conn.Exec("BEGIN");
    if (st.ok()) st = conn.Exec(m.sql);
    if (st.ok()) {
      Params p;
      p.Add(std::to_string(m.version)).Add(std::string(m.name));
      auto ins = conn.Query("INSERT INTO schema_version(version, name) VALUES($1, $2)", p);
      if (!ins.ok()) st = ins.status();
    }
    if (st.ok()) st = conn.Exec("COMMIT");
    if (!st.ok()) {
      (void)conn.Exec("ROLLBACK");
      return Status(st.code() == StatusCode::kUnavailable ? st.code() : StatusCode::kInternal,
                    fmt::format("migration {} ({}) failed: {}", m.version, m.name, st.message()));
    }
    spdlog::info("database migrated to version {} ({})", m.version, m.name);
  }
  return latest;
}

}  // namespace

StatusOr<int> Migrate(Conn& conn) {
  // Migrations may legitimately take long (an index on a big table), and the lock waits for
  // another instance's migrations: no statement timeout on this connection.
  if (auto st = conn.Exec("SET statement_timeout = 0"); !st.ok()) return st;
  if (auto st = conn.Exec(fmt::format("SELECT pg_advisory_lock({})", kLockKey)); !st.ok()) {
    return st;
  }
  auto version = MigrateLocked(conn);
  (void)conn.Exec(fmt::format("SELECT pg_advisory_unlock({})", kLockKey));
  return version;
}

}  // namespace hookline::store::postgres
