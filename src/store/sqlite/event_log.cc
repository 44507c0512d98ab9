#include "store/sqlite/event_log.h"

#include <string>

#include "core/metrics.h"
#include "core/time_format.h"

namespace hookline::store::sqlite {

StatusOr<InsertOutcome> SqliteEventLog::InsertIn(Conn& conn, const EventRecord& e) {
  static constexpr const char* kSql =
      "INSERT INTO EventLog(id, type, source, payload, leadId, createdAt) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(id) DO NOTHING";
  auto stmt = conn.Cached(kSql);
  if (!stmt.ok()) return stmt.status();
  StmtScope s(**stmt);
  s->Bind(1, e.id).Bind(2, e.type).Bind(3, e.source).Bind(4, e.payload).Bind(5, e.lead_id);
  s->Bind(6, FormatIsoMillis(e.created_at));
  if (s->Step() != SQLITE_DONE) return conn.Error("insert EventLog");
  // Counted before commit: a rolled-back batch is re-run, so a failure can overcount slightly.
  if (conn.Changes() == 1) {
    ++Metrics::Get().events_inserted;
    return InsertOutcome::kInserted;
  }
  ++Metrics::Get().events_duplicate;
  return InsertOutcome::kDuplicate;
}

void SqliteEventLog::Insert(EventRecord event, Callback<InsertOutcome> done) {
  writer_.Submit<InsertOutcome>(
      [e = std::move(event)](Conn& conn) { return InsertIn(conn, e); }, std::move(done));
}

EventRecord SqliteEventLog::ReadRow(Stmt& s, int c) {
  EventRecord r;
  r.id = s.Text(c);
  r.type = s.Text(c + 1);
  r.source = s.Text(c + 2);
  r.payload = s.Text(c + 3);
  r.lead_id = s.OptText(c + 4);
  r.created_at = ParseIso(s.Text(c + 5)).value_or(SysTime{});
  return r;
}

void SqliteEventLog::List(EventQuery q, Callback<EventPage> done) {
  readers_.Submit([q = std::move(q), done = std::move(done)](Conn* conn, const Status& st) {
    if (conn == nullptr) return done(st);
    std::string sql =
        "SELECT id, type, source, payload, leadId, createdAt FROM EventLog WHERE 1=1";
    if (q.source) sql += " AND source = :source";
    if (q.type) sql += " AND type = :type";
    if (q.lead_id) sql += " AND leadId = :lead";
    if (q.since) sql += " AND createdAt >= :since";
    if (q.until) sql += " AND createdAt < :until";
    if (q.after) sql += " AND (createdAt < :acreated OR (createdAt = :acreated AND id < :aid))";
    sql += " ORDER BY createdAt DESC, id DESC LIMIT :limit";
    auto stmt = conn->Prepare(sql);
    if (!stmt.ok()) return done(stmt.status());
    auto& s = **stmt;
    auto bind = [&s](const char* name, const std::string& v) {
      const int i = sqlite3_bind_parameter_index(s.raw(), name);
      if (i > 0) s.Bind(i, v);
    };
    if (q.source) bind(":source", *q.source);
    if (q.type) bind(":type", *q.type);
    if (q.lead_id) bind(":lead", *q.lead_id);
    if (q.since) bind(":since", FormatIsoMillis(*q.since));
    if (q.until) bind(":until", FormatIsoMillis(*q.until));
    if (q.after) {
      bind(":acreated", q.after->first);
      bind(":aid", q.after->second);
    }
    s.Bind(sqlite3_bind_parameter_index(s.raw(), ":limit"), q.limit + 1);
    EventPage page;
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) page.items.push_back(ReadRow(s));
    if (rc != SQLITE_DONE) return done(conn->Error("list EventLog"));
    if (static_cast<int>(page.items.size()) > q.limit) {
      page.items.pop_back();
      page.has_more = true;
    }
    done(std::move(page));
  });
}

}  // namespace hookline::store::sqlite
