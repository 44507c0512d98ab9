#include "store/sqlite/assessments.h"

#include <fmt/format.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/time_format.h"
#include "store/deliveries.h"

namespace hookline::store::sqlite {
namespace {

constexpr const char* kColumns =
    "id, company, email, stage, input, status, error, report IS NOT NULL, createdAt, updatedAt, "
    "completedAt";
// Id draws per create before giving up: with a million numbers per day a second draw is
// already rare, twenty in a row means something else is wrong.
constexpr int kMaxIdDraws = 20;

AssessmentRecord ReadRow(Stmt& s) {
  AssessmentRecord r;
  r.id = s.Text(0);
  r.company = s.Text(1);
  r.email = s.OptText(2);
  r.stage = s.OptText(3);
  r.answers = AnswersFromInput(s.Text(4));
  r.status = ParseAssessmentStatus(s.Text(5)).value_or(AssessmentStatus::kFailed);
  r.error = s.OptText(6);
  r.has_report = s.Int(7) != 0;
  r.created_at = ParseIso(s.Text(8)).value_or(SysTime{});
  r.updated_at = ParseIso(s.Text(9)).value_or(SysTime{});
  if (auto t = s.OptText(10)) r.completed_at = ParseIso(*t);
  return r;
}

StatusOr<AssessmentRecord> SelectById(Conn& conn, const std::string& id) {
  static const std::string kSql =
      std::string("SELECT ") + kColumns + " FROM Assessment WHERE id = ?1";
  return SelectOne<AssessmentRecord>(conn, kSql.c_str(), id, ReadRow, "select Assessment", "assessment not found");
}

StatusOr<AssessmentRecord> CreateIn(Conn& conn, const NewAssessment& a, Random& random) {
  static constexpr const char* kSql =
      "INSERT INTO Assessment(id, company, email, stage, input, status, createdAt, updatedAt) "
      "VALUES(?1, ?2, ?3, ?4, ?5, 'queued', ?6, ?6) ON CONFLICT(id) DO NOTHING";
  const std::string input = InputJson(a);
  const std::string created = FormatIsoMillis(a.created_at);
  const std::string day = FormatYmd(a.created_at);
  for (int draw = 0; draw < kMaxIdDraws; ++draw) {
    const std::string id = fmt::format("FR-{}-{:06}", day, random.Uniform(1000000));
    auto stmt = conn.Cached(kSql);
    if (!stmt.ok()) return stmt.status();
    StmtScope s(**stmt);
    s->Bind(1, id).Bind(2, a.company).Bind(3, a.email).Bind(4, a.stage).Bind(5, input);
    s->Bind(6, created);
    if (s->Step() != SQLITE_DONE) return conn.Error("insert Assessment");
    if (conn.Changes() == 1) {
      return QueuedAssessment(a, id);
    }
  }
  return Status::Internal("no free assessment id after several draws");
}

StatusOr<std::optional<AssessmentRecord>> ClaimIn(Conn& conn, const std::string& worker,
                                                  SysTime now, std::chrono::milliseconds lease) {
  static const std::string kSql =
      std::string(
          "UPDATE Assessment SET status = 'rendering', claimedBy = ?1, leaseUntil = ?2, "
          "updatedAt = ?3 WHERE id = (SELECT id FROM Assessment WHERE status = 'queued' "
          "OR (status = 'rendering' AND leaseUntil <= ?3) ORDER BY createdAt, id LIMIT 1) "
          "RETURNING ") +
      kColumns;
  auto stmt = conn.Cached(kSql.c_str());
  if (!stmt.ok()) return stmt.status();
  StmtScope s(**stmt);
  s->Bind(1, worker).Bind(2, FormatIsoMillis(now + lease)).Bind(3, FormatIsoMillis(now));
  const int rc = s->Step();
  if (rc == SQLITE_DONE) return std::optional<AssessmentRecord>();
  if (rc != SQLITE_ROW) return conn.Error("claim Assessment");
  auto r = ReadRow(*s);
  if (s->Step() != SQLITE_DONE) return conn.Error("claim Assessment");
  return std::optional<AssessmentRecord>(std::move(r));
}

StatusOr<int> CompleteIn(Conn& conn, const CompletedRender& c) {
  const std::string now = FormatIsoMillis(c.completed_at);
  {
    static constexpr const char* kSql =
        "UPDATE Assessment SET status = 'completed', report = ?1, error = NULL, "
        "completedAt = ?2, updatedAt = ?2, claimedBy = NULL, leaseUntil = NULL "
        "WHERE id = ?3 AND status = 'rendering' AND claimedBy = ?4";
    auto stmt = conn.Cached(kSql);
    if (!stmt.ok()) return stmt.status();
    StmtScope s(**stmt);
    sqlite3_bind_blob(s->raw(), 1, c.pdf.data(), static_cast<int>(c.pdf.size()), SQLITE_TRANSIENT);
    s->Bind(2, now).Bind(3, c.assessment_id).Bind(4, c.worker);
    if (s->Step() != SQLITE_DONE) return conn.Error("complete Assessment");
    // Nothing was written: the claim was lost (lease expired and taken over), so the new
    // owner emits the event, not us.
    if (conn.Changes() != 1) return Status::NotFound("assessment is not claimed by this worker");
  }
  std::vector<std::string> endpoints;
  {
    static constexpr const char* kSql =
        "SELECT e.id FROM Endpoint e WHERE e.enabled = 1 AND EXISTS "
        "(SELECT 1 FROM json_each(e.events) j WHERE j.value = ?1) ORDER BY e.createdAt, e.id";
    auto stmt = conn.Cached(kSql);
    if (!stmt.ok()) return stmt.status();
    StmtScope s(**stmt);
    s->Bind(1, c.event);
    int rc;
    while ((rc = s->Step()) == SQLITE_ROW) endpoints.push_back(s->Text(0));
    if (rc != SQLITE_DONE) return conn.Error("select subscribed endpoints");
  }
  static constexpr const char* kInsert =
      "INSERT INTO Delivery(id, endpointId, event, assessmentId, webhookId, body, status, "
      "series, attempts, nextAttemptAt, createdAt, updatedAt) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6, 'pending', 1, 0, ?7, ?7, ?7) "
      "ON CONFLICT(webhookId, endpointId) DO NOTHING";
  int queued = 0;
  for (const auto& endpoint_id : endpoints) {
    auto stmt = conn.Cached(kInsert);
    if (!stmt.ok()) return stmt.status();
    StmtScope s(**stmt);
    s->Bind(1, DeliveryIdFor(c.webhook_id, endpoint_id)).Bind(2, endpoint_id).Bind(3, c.event);
    s->Bind(4, c.assessment_id).Bind(5, c.webhook_id);
    sqlite3_bind_blob(s->raw(), 6, c.body.data(), static_cast<int>(c.body.size()),
                      SQLITE_TRANSIENT);
    s->Bind(7, now);
    if (s->Step() != SQLITE_DONE) return conn.Error("insert Delivery");
    queued += static_cast<int>(conn.Changes());
  }
  return queued;
}

}  // namespace

void SqliteAssessments::Create(NewAssessment a, Random& random, Callback<AssessmentRecord> done) {
  writer_.Submit<AssessmentRecord>(
      [a = std::move(a), &random](Conn& conn) { return CreateIn(conn, a, random); },
      std::move(done));
}

void SqliteAssessments::Get(std::string id, Callback<AssessmentRecord> done) {
  readers_.Submit([id = std::move(id), done = std::move(done)](Conn* conn, const Status& st) {
    if (conn == nullptr) return done(st);
    done(SelectById(*conn, id));
  });
}

void SqliteAssessments::Report(std::string id, Callback<std::string> done) {
  readers_.Submit([id = std::move(id), done = std::move(done)](Conn* conn, const Status& st) {
    if (conn == nullptr) return done(st);
    auto stmt = conn->Cached("SELECT report FROM Assessment WHERE id = ?1 AND report IS NOT NULL");
    if (!stmt.ok()) return done(stmt.status());
    StmtScope s(**stmt);
    s->Bind(1, id);
    const int rc = s->Step();
    if (rc == SQLITE_DONE) return done(Status::NotFound("the report does not exist (yet)"));
    if (rc != SQLITE_ROW) return done(conn->Error("select report"));
    const auto* p = static_cast<const char*>(sqlite3_column_blob(s->raw(), 0));
    done(std::string(p, static_cast<size_t>(sqlite3_column_bytes(s->raw(), 0))));
  });
}

void SqliteAssessments::ClaimNextRender(std::string worker, SysTime now,
                                        std::chrono::milliseconds lease,
                                        Callback<std::optional<AssessmentRecord>> done) {
  writer_.Submit<std::optional<AssessmentRecord>>(
      [worker = std::move(worker), now, lease](Conn& conn) {
        return ClaimIn(conn, worker, now, lease);
      },
      std::move(done));
}

void SqliteAssessments::CompleteRender(CompletedRender c, Callback<int> done) {
  writer_.Submit<int>([c = std::move(c)](Conn& conn) { return CompleteIn(conn, c); },
                      std::move(done));
}

void SqliteAssessments::FailRender(std::string assessment_id, std::string worker,
                                   std::string reason, SysTime now, Callback<bool> done) {
  writer_.Submit<bool>(
      [id = std::move(assessment_id), worker = std::move(worker), reason = std::move(reason),
       now](Conn& conn) -> StatusOr<bool> {
        static constexpr const char* kSql =
            "UPDATE Assessment SET status = 'failed', error = ?1, updatedAt = ?2, "
            "claimedBy = NULL, leaseUntil = NULL "
            "WHERE id = ?3 AND status = 'rendering' AND claimedBy = ?4";
        auto stmt = conn.Cached(kSql);
        if (!stmt.ok()) return stmt.status();
        StmtScope s(**stmt);
        s->Bind(1, reason).Bind(2, FormatIsoMillis(now)).Bind(3, id).Bind(4, worker);
        if (s->Step() != SQLITE_DONE) return conn.Error("fail Assessment");
        return conn.Changes() == 1;
      },
      std::move(done));
}

}  // namespace hookline::store::sqlite
