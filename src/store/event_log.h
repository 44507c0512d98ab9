#pragma once
// EventLog: every event hookline knows of, from the payment service, the landing page and
// itself, in one table (SPEC "Data"): id, type, source, payload (JSON text), leadId, createdAt.
// The id is the idempotency key: inserting an id that exists changes nothing and says so.

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "store/callback.h"

namespace hookline::store {

struct EventRecord {
  std::string id;
  std::string type;
  std::string source;
  std::string payload;  // a JSON value, serialized
  std::optional<std::string> lead_id;
  SysTime created_at;
};

enum class InsertOutcome { kInserted, kDuplicate };

// Filters of GET /api/events; all optional. Newest first, keyset paged by (createdAt, id).
struct EventQuery {
  std::optional<std::string> source;
  std::optional<std::string> type;
  std::optional<std::string> lead_id;
  std::optional<SysTime> since;  // createdAt >= since
  std::optional<SysTime> until;  // createdAt < until
  int limit = 100;
  // Page after this (createdAt, id) position, from a previous page's last row.
  std::optional<std::pair<std::string, std::string>> after;  // (createdAt ISO text, id)
};

struct EventPage {
  std::vector<EventRecord> items;
  bool has_more = false;
};

class EventLogStore {
 public:
  virtual ~EventLogStore() = default;

  // Stores `event` unless its id is already stored: atomic in the database (insert-or-ignore
  // and the rows changed, never a look-up first), so concurrent inserts of one id yield
  // exactly one kInserted. Answered after commit.
  virtual void Insert(EventRecord event, Callback<InsertOutcome> done) = 0;

  virtual void List(EventQuery query, Callback<EventPage> done) = 0;
};

}  // namespace hookline::store
