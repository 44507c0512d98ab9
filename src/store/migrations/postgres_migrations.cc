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
    {3, "Assessment, Endpoint, Delivery, DeliveryAttempt", R"sql(
CREATE TABLE "Assessment" (
  id            TEXT PRIMARY KEY,
  company       TEXT NOT NULL,
  email         TEXT NULL,
  stage         TEXT NULL,
  input         JSONB NOT NULL,
  status        TEXT NOT NULL CHECK (status IN ('queued', 'rendering', 'completed', 'failed')),
  error         TEXT NULL,
  report        BYTEA NULL,
  "claimedBy"   TEXT NULL,
  "leaseUntil"  TIMESTAMPTZ NULL,
  "createdAt"   TIMESTAMPTZ NOT NULL,
  "updatedAt"   TIMESTAMPTZ NOT NULL,
  "completedAt" TIMESTAMPTZ NULL
);
CREATE INDEX "Assessment_status" ON "Assessment"(status, "createdAt");
CREATE TABLE "Endpoint" (
  id          TEXT PRIMARY KEY,
  url         TEXT NOT NULL,
  secret      TEXT NOT NULL,
  events      JSONB NOT NULL,
  enabled     BOOLEAN NOT NULL DEFAULT TRUE,
  description TEXT NULL,
  "createdAt" TIMESTAMPTZ NOT NULL,
  "updatedAt" TIMESTAMPTZ NOT NULL
);
CREATE TABLE "Delivery" (
  id              TEXT PRIMARY KEY,
  "endpointId"    TEXT NOT NULL,
  event           TEXT NOT NULL,
  "assessmentId"  TEXT NULL,
  "webhookId"     TEXT NOT NULL,
  body            BYTEA NOT NULL,
  status          TEXT NOT NULL
                  CHECK (status IN ('pending', 'delivering', 'delivered', 'failed')),
  series          INTEGER NOT NULL DEFAULT 1,
  attempts        INTEGER NOT NULL DEFAULT 0,
  "nextAttemptAt" TIMESTAMPTZ NULL,
  "claimedBy"     TEXT NULL,
  "leaseUntil"    TIMESTAMPTZ NULL,
  "lastError"     TEXT NULL,
  "createdAt"     TIMESTAMPTZ NOT NULL,
  "updatedAt"     TIMESTAMPTZ NOT NULL,
  "deliveredAt"   TIMESTAMPTZ NULL,
  UNIQUE ("webhookId", "endpointId")
);
CREATE INDEX "Delivery_due" ON "Delivery"(status, "nextAttemptAt");
CREATE INDEX "Delivery_createdAt" ON "Delivery"("createdAt", id);
CREATE INDEX "Delivery_endpoint" ON "Delivery"("endpointId", "createdAt");
CREATE INDEX "Delivery_endpoint_due" ON "Delivery"("endpointId", status, "nextAttemptAt");
CREATE INDEX "Delivery_assessment" ON "Delivery"("assessmentId");
CREATE TABLE "DeliveryAttempt" (
  "deliveryId"      TEXT NOT NULL REFERENCES "Delivery"(id) ON DELETE CASCADE,
  series            INTEGER NOT NULL,
  number            INTEGER NOT NULL,
  "startedAt"       TIMESTAMPTZ NOT NULL,
  "durationMs"      INTEGER NOT NULL,
  "httpStatus"      INTEGER NULL,
  error             TEXT NULL,
  "responseSnippet" TEXT NULL,
  PRIMARY KEY ("deliveryId", series, number)
);
)sql"},
    // The same as SQLite's version 4.
    {4, "Delivery queue indexes hold only pending and delivering rows", R"sql(
DROP INDEX "Delivery_due";
DROP INDEX "Delivery_endpoint_due";
CREATE INDEX "Delivery_active" ON "Delivery"("endpointId", status, "nextAttemptAt", "leaseUntil")
  WHERE status IN ('pending', 'delivering');
CREATE INDEX "Delivery_failed" ON "Delivery"("createdAt", id) WHERE status = 'failed';
)sql"},
};

}  // namespace

std::span<const Migration> PostgresMigrations() { return kPostgres; }

}  // namespace hookline::store
