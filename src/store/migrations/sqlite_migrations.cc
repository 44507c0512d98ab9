// SQLite schema, version by version. Timestamps are TEXT in the one format of
// core/time_format.h (ISO 8601, UTC, milliseconds, Z), which sorts in time order.

#include "store/migrations/migrations.h"

namespace hookline::store {
namespace {

constexpr Migration kSqlite[] = {
    {1, "EventLog", R"sql(
CREATE TABLE EventLog (
  id        TEXT PRIMARY KEY,
  type      TEXT NOT NULL,
  source    TEXT NOT NULL,
  payload   JSON NOT NULL,
  leadId    TEXT NULL,
  createdAt TIMESTAMP NOT NULL
);
CREATE INDEX EventLog_leadId ON EventLog(leadId);
CREATE INDEX EventLog_createdAt ON EventLog(createdAt);
)sql"},
    {2, "Lead", R"sql(
CREATE TABLE Lead (
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
  createdAt    TIMESTAMP NOT NULL
);
-- One lead per address: the same email again returns the existing lead.
CREATE UNIQUE INDEX Lead_email ON Lead(lower(email));
-- Newest-first keyset paging of GET /api/leads.
CREATE INDEX Lead_createdAt ON Lead(createdAt, id);
-- Funnel counts (page_view, form_start, payments by type) and the EventLog filters.
CREATE INDEX EventLog_source_type_createdAt ON EventLog(source, type, createdAt);
-- A lead's timeline includes the landing events of its visitor id from before it signed up.
CREATE INDEX EventLog_anonymous_id ON EventLog(json_extract(payload, '$.anonymous_id'))
  WHERE source = 'landing';
)sql"},
    {3, "Assessment, Endpoint, Delivery, DeliveryAttempt", R"sql(
-- Founding Review: the input as received (JSON), the render state machine
-- queued -> rendering -> completed | failed, and the PDF once it exists. claimedBy/leaseUntil
-- let a restarted (or another) renderer take over a render whose worker died.
CREATE TABLE Assessment (
  id          TEXT PRIMARY KEY,
  company     TEXT NOT NULL,
  email       TEXT NULL,
  stage       TEXT NULL,
  input       JSON NOT NULL,
  status      TEXT NOT NULL CHECK (status IN ('queued', 'rendering', 'completed', 'failed')),
  error       TEXT NULL,
  report      BLOB NULL,
  claimedBy   TEXT NULL,
  leaseUntil  TIMESTAMP NULL,
  createdAt   TIMESTAMP NOT NULL,
  updatedAt   TIMESTAMP NOT NULL,
  completedAt TIMESTAMP NULL
);
CREATE INDEX Assessment_status ON Assessment(status, createdAt);
-- A customer's webhook receiver. events is a JSON array of event types.
CREATE TABLE Endpoint (
  id          TEXT PRIMARY KEY,
  url         TEXT NOT NULL,
  secret      TEXT NOT NULL,
  events      JSON NOT NULL,
  enabled     INTEGER NOT NULL DEFAULT 1,
  description TEXT NULL,
  createdAt   TIMESTAMP NOT NULL,
  updatedAt   TIMESTAMP NOT NULL
);
-- The outbox: one event to one endpoint, the exact body bytes, its schedule and lease.
-- endpointId has no foreign key: the history outlives a deleted endpoint.
-- UNIQUE(webhookId, endpointId): an event is queued at most once per endpoint.
CREATE TABLE Delivery (
  id            TEXT PRIMARY KEY,
  endpointId    TEXT NOT NULL,
  event         TEXT NOT NULL,
  assessmentId  TEXT NULL,
  webhookId     TEXT NOT NULL,
  body          BLOB NOT NULL,
  status        TEXT NOT NULL
                CHECK (status IN ('pending', 'delivering', 'delivered', 'failed')),
  series        INTEGER NOT NULL DEFAULT 1,
  attempts      INTEGER NOT NULL DEFAULT 0,
  nextAttemptAt TIMESTAMP NULL,
  claimedBy     TEXT NULL,
  leaseUntil    TIMESTAMP NULL,
  lastError     TEXT NULL,
  createdAt     TIMESTAMP NOT NULL,
  updatedAt     TIMESTAMP NOT NULL,
  deliveredAt   TIMESTAMP NULL,
  UNIQUE (webhookId, endpointId)
);
CREATE INDEX Delivery_due ON Delivery(status, nextAttemptAt);
CREATE INDEX Delivery_createdAt ON Delivery(createdAt, id);
CREATE INDEX Delivery_endpoint ON Delivery(endpointId, createdAt);
-- The claim and NextDue: per endpoint, its due rows in time order.
CREATE INDEX Delivery_endpoint_due ON Delivery(endpointId, status, nextAttemptAt);
CREATE INDEX Delivery_assessment ON Delivery(assessmentId);
-- Every attempt; series counts manual retries (each starts again at number 1).
CREATE TABLE DeliveryAttempt (
  deliveryId      TEXT NOT NULL REFERENCES Delivery(id) ON DELETE CASCADE,
  series          INTEGER NOT NULL,
  number          INTEGER NOT NULL,
  startedAt       TIMESTAMP NOT NULL,
  durationMs      INTEGER NOT NULL,
  httpStatus      INTEGER NULL,
  error           TEXT NULL,
  responseSnippet TEXT NULL,
  PRIMARY KEY (deliveryId, series, number)
);
)sql"},
    // The queue's indexes hold only the rows still in it, so a row is indexed when queued,
    // moved once when claimed and dropped when delivered (before: two (status, ...) indexes
    // moved on every claim and every result). leaseUntil is in the key so counting an
    // endpoint's live claims reads the index alone. Failed rows get their own small index
    // for the admin list; delivered ones are listed from Delivery_createdAt.
    {4, "Delivery queue indexes hold only pending and delivering rows", R"sql(
DROP INDEX Delivery_due;
DROP INDEX Delivery_endpoint_due;
CREATE INDEX Delivery_active ON Delivery(endpointId, status, nextAttemptAt, leaseUntil)
  WHERE status IN ('pending', 'delivering');
CREATE INDEX Delivery_failed ON Delivery(createdAt, id) WHERE status = 'failed';
)sql"},
};

}  // namespace

std::span<const Migration> SqliteMigrations() { return kSqlite; }

}  // namespace hookline::store
