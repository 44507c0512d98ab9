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
};

}  // namespace

std::span<const Migration> SqliteMigrations() { return kSqlite; }

}  // namespace hookline::store
