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
      [e = std::move(event)](Conn& conn) { return InsertIn(conn, e); }, std::move(done),
      /*may_wait=*/true);
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
    std::vector<std::pair<const char*, std::string>> params;
    if (q.source) {
      sql += " AND source = :source";
      params.emplace_back(":source", *q.source);
    }
    if (q.type) {
      sql += " AND type = :type";
      params.emplace_back(":type", *q.type);
    }
    if (q.lead_id) {
      sql += " AND leadId = :lead";
      params.emplace_back(":lead", *q.lead_id);
    }
    if (q.since) {
      sql += " AND createdAt >= :since";
      params.emplace_back(":since", FormatIsoMillis(*q.since));
    }
    if (q.until) {
      sql += " AND createdAt < :until";
      params.emplace_back(":until", FormatIsoMillis(*q.until));
    }
    EventPage page;
    const auto listed = ReadKeysetPage(*conn, std::move(sql), params, q.after, q.limit,
                                   [](Stmt& s) { return ReadRow(s); }, page.items, page.has_more,
                                   "list EventLog");
    if (!listed.ok()) return done(listed);
    done(std::move(page));
  });
}

}  // namespace hookline::store::sqlite
