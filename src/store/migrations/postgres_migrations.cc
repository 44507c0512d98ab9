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
    {2, "Lead", R"sql(
CREATE TABLE "Lead" (
  id           TEXT PRIMARY KEY,
  name         TEXT NOT NULL,
  email        TEXT NOT NULL,
  company      TEXT NOT NULL,
  phone        TEXT NULL,
  message      TEXT NULL,
  utm_source   TEXT NULL,
  utm_medium   TEXT NULL,
  utm_campaign TEXT NULL,
  utm_term     TEXT NULL,
  utm_content  TEXT NULL,
  referrer     TEXT NULL,
  anonymous_id TEXT NULL,
  "createdAt"  TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX "Lead_email" ON "Lead"(lower(email));
CREATE INDEX "Lead_createdAt" ON "Lead"("createdAt", id);
CREATE INDEX "EventLog_source_type_createdAt" ON "EventLog"(source, type, "createdAt");
CREATE INDEX "EventLog_anonymous_id" ON "EventLog"((payload->>'anonymous_id'))
  WHERE source = 'landing';
)sql"},
};

}  // namespace

std::span<const Migration> PostgresMigrations() { return kPostgres; }

}  // namespace hookline::store
