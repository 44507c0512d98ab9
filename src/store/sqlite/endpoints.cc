#include "store/sqlite/endpoints.h"

#include <boost/json/parse.hpp>

#include "core/json_text.h"
#include "core/time_format.h"

namespace hookline::store::sqlite {
namespace {

constexpr const char* kColumns =
    "id, url, secret, events, enabled, description, createdAt, updatedAt";

std::string EventsJson(const std::vector<std::string>& events) {
  boost::json::array a;
  for (const auto& e : events) a.emplace_back(e);
  return JsonText(a);
}

std::vector<std::string> EventsFromJson(const std::string& text) {
  std::vector<std::string> out;
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& e : v.as_array()) {
    if (e.is_string()) out.emplace_back(e.as_string());
  }
  return out;
}

EndpointRecord ReadRow(Stmt& s) {
  EndpointRecord r;
  r.id = s.Text(0);
  r.url = s.Text(1);
  r.secret = s.Text(2);
  r.events = EventsFromJson(s.Text(3));
  r.enabled = s.Int(4) != 0;
  r.description = s.OptText(5);
  r.created_at = ParseIso(s.Text(6)).value_or(SysTime{});
  r.updated_at = ParseIso(s.Text(7)).value_or(SysTime{});
  return r;
}

StatusOr<EndpointRecord> SelectById(Conn& conn, const std::string& id) {
  static const std::string kSql =
      std::string("SELECT ") + kColumns + " FROM Endpoint WHERE id = ?1";
  return SelectOne<EndpointRecord>(conn, kSql.c_str(), id, ReadRow, "select Endpoint", "endpoint not found");
}

StatusOr<EndpointRecord> UpdateIn(Conn& conn, const std::string& id, const EndpointPatch& p) {
  auto current = SelectById(conn, id);
  if (!current.ok()) return current;
  EndpointRecord e = std::move(*current);
  if (p.url) e.url = *p.url;
  if (p.events) e.events = *p.events;
  if (p.enabled) e.enabled = *p.enabled;
  if (p.description) e.description = *p.description;
  if (p.secret) e.secret = *p.secret;
  e.updated_at = p.now;
  static constexpr const char* kSql =
      "UPDATE Endpoint SET url = ?1, secret = ?2, events = ?3, enabled = ?4, description = ?5, "
      "updatedAt = ?6 WHERE id = ?7";
  auto stmt = conn.Cached(kSql);
  if (!stmt.ok()) return stmt.status();
  StmtScope s(**stmt);
  s->Bind(1, e.url).Bind(2, e.secret).Bind(3, EventsJson(e.events)).Bind(4, e.enabled ? 1 : 0);
  s->Bind(5, e.description).Bind(6, FormatIsoMillis(e.updated_at)).Bind(7, id);
  if (s->Step() != SQLITE_DONE) return conn.Error("update Endpoint");
  return e;
}

StatusOr<bool> DeleteIn(Conn& conn, const std::string& id, SysTime now) {
  {
    auto stmt = conn.Cached("DELETE FROM Endpoint WHERE id = ?1");
    if (!stmt.ok()) return stmt.status();
    StmtScope s(**stmt);
    s->Bind(1, id);
    if (s->Step() != SQLITE_DONE) return conn.Error("delete Endpoint");
    if (conn.Changes() == 0) return Status::NotFound("endpoint not found");
  }
  // Its queued deliveries can never be sent now: fail them so the queue does not keep them.
  // One in flight is failed too (its claim ends here, so the worker's result is fenced out):
  // recorded as pending it would wait forever for an endpoint that is gone.
  static constexpr const char* kSql =
      "UPDATE Delivery SET status = 'failed', nextAttemptAt = NULL, claimedBy = NULL, "
      "leaseUntil = NULL, lastError = 'endpoint deleted', updatedAt = ?1 "
      "WHERE endpointId = ?2 AND status IN ('pending', 'delivering')";
  auto stmt = conn.Cached(kSql);
  if (!stmt.ok()) return stmt.status();
  StmtScope s(**stmt);
  s->Bind(1, FormatIsoMillis(now)).Bind(2, id);
  if (s->Step() != SQLITE_DONE) return conn.Error("fail deliveries of deleted endpoint");
  return true;
}

}  // namespace

void SqliteEndpoints::Create(EndpointRecord e, Callback<EndpointRecord> done) {
  writer_.Submit<EndpointRecord>(
      [e = std::move(e)](Conn& conn) -> StatusOr<EndpointRecord> {
        static const std::string kSql = std::string("INSERT INTO Endpoint(") + kColumns +
                                        ") VALUES(?1,?2,?3,?4,?5,?6,?7,?8) "
                                        "ON CONFLICT(id) DO NOTHING";
        auto stmt = conn.Cached(kSql.c_str());
        if (!stmt.ok()) return stmt.status();
        StmtScope s(**stmt);
        s->Bind(1, e.id).Bind(2, e.url).Bind(3, e.secret).Bind(4, EventsJson(e.events));
        s->Bind(5, e.enabled ? 1 : 0).Bind(6, e.description);
        s->Bind(7, FormatIsoMillis(e.created_at)).Bind(8, FormatIsoMillis(e.updated_at));
        if (s->Step() != SQLITE_DONE) return conn.Error("insert Endpoint");
        if (conn.Changes() != 1) return Status::AlreadyExists("endpoint id already exists");
        return e;
      },
      std::move(done));
}

void SqliteEndpoints::Get(std::string id, Callback<EndpointRecord> done) {
  readers_.Submit([id = std::move(id), done = std::move(done)](Conn* conn, const Status& st) {
    if (conn == nullptr) return done(st);
    done(SelectById(*conn, id));
  });
}

void SqliteEndpoints::List(Callback<std::vector<EndpointRecord>> done) {
  readers_.Submit([done = std::move(done)](Conn* conn, const Status& st) {
    if (conn == nullptr) return done(st);
    static const std::string kSql =
        std::string("SELECT ") + kColumns + " FROM Endpoint ORDER BY createdAt, id";
    auto stmt = conn->Cached(kSql.c_str());
    if (!stmt.ok()) return done(stmt.status());
    StmtScope s(**stmt);
    std::vector<EndpointRecord> out;
    int rc;
    while ((rc = s->Step()) == SQLITE_ROW) out.push_back(ReadRow(*s));
    if (rc != SQLITE_DONE) return done(conn->Error("list Endpoint"));
    done(std::move(out));
  });
}

void SqliteEndpoints::Update(std::string id, EndpointPatch patch, Callback<EndpointRecord> done) {
  writer_.Submit<EndpointRecord>([id = std::move(id), patch = std::move(patch)](
                                     Conn& conn) { return UpdateIn(conn, id, patch); },
                                 std::move(done));
}

void SqliteEndpoints::Delete(std::string id, SysTime now, Callback<bool> done) {
  writer_.Submit<bool>([id = std::move(id), now](Conn& conn) { return DeleteIn(conn, id, now); },
                       std::move(done));
}

}  // namespace hookline::store::sqlite
