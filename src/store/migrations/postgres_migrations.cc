// PostgreSQL schema, the same versions as sqlite_migrations.cc, with quoted names so the
// columns keep their case ("EventLog", "leadId", "createdAt").

#include "store/migrations/migrations.h"

namespace hookline::store {
namespace {

constexpr Migration kPostgres[] = {
    {1, "EventLog", R"sql(
CREATE TABLE "EventLog" (
  id          TEXT PRIMARY KEY,
  type        TEXT NOT NULL,
  source      TEXT NOT NULL,
  payload     JSONB NOT NULL,
  "leadId"    TEXT NULL,
  "createdAt" TIMESTAMPTZ NOT NULL
);
CREATE INDEX "EventLog_leadId" ON "EventLog"("leadId");
CREATE INDEX "EventLog_createdAt" ON "EventLog"("createdAt");
)sql"},
};

}  // namespace

std::span<const Migration> PostgresMigrations() { return kPostgres; }

}  // namespace hookline::store
