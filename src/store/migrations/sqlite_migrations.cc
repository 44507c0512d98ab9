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
};

}  // namespace

std::span<const Migration> SqliteMigrations() { return kSqlite; }

}  // namespace hookline::store
