#include "store/sqlite/leads.h"

#include <algorithm>
#include <string>

#include "core/time_format.h"
#include "store/sqlite/event_log.h"

namespace hookline::store::sqlite {
namespace {

constexpr const char* kLeadColumns =
    "id, name, email, company, phone, message, utm_source, utm_medium, utm_campaign, utm_term, "
    "utm_content, referrer, anonymous_id, createdAt";

LeadRecord ReadLead(Stmt& s) {
  LeadRecord r;
  r.id = s.Text(0);
  r.name = s.Text(1);
  r.email = s.Text(2);
  r.company = s.Text(3);
  r.phone = s.OptText(4);
  r.message = s.OptText(5);
  r.utm_source = s.OptText(6);
  r.utm_medium = s.OptText(7);
  r.utm_campaign = s.OptText(8);
  r.utm_term = s.OptText(9);
  r.utm_content = s.OptText(10);
  r.referrer = s.OptText(11);
  r.anonymous_id = s.OptText(12);
  r.created_at = ParseIso(s.Text(13)).value_or(SysTime{});
  return r;
}

// The stored lead with this email (trimmed by the api; compared ignoring case), if any.
StatusOr<std::optional<LeadRecord>> FindByEmail(Conn& conn, const std::string& email) {
  static const std::string kSql =
      std::string("SELECT ") + kLeadColumns + " FROM Lead WHERE lower(email) = lower(?1)";
  auto stmt = conn.Cached(kSql.c_str());
  if (!stmt.ok()) return stmt.status();
  StmtScope s(**stmt);
  s->Bind(1, email);
  const int rc = s->Step();
  if (rc == SQLITE_ROW) return std::optional<LeadRecord>(ReadLead(*s));
  if (rc != SQLITE_DONE) return conn.Error("find lead by email");
  return std::optional<LeadRecord>();
}

Status InsertLead(Conn& conn, const LeadRecord& l) {
  static const std::string kSql = std::string("INSERT INTO Lead(") + kLeadColumns +
                                  ") VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)";
  auto stmt = conn.Cached(kSql.c_str());
  if (!stmt.ok()) return stmt.status();
  StmtScope s(**stmt);
  s->Bind(1, l.id).Bind(2, l.name).Bind(3, l.email).Bind(4, l.company).Bind(5, l.phone);
  s->Bind(6, l.message).Bind(7, l.utm_source).Bind(8, l.utm_medium).Bind(9, l.utm_campaign);
  s->Bind(10, l.utm_term).Bind(11, l.utm_content).Bind(12, l.referrer).Bind(13, l.anonymous_id);
  s->Bind(14, FormatIsoMillis(l.created_at));
  if (s->Step() != SQLITE_DONE) return conn.Error("insert Lead");
  return Status::Ok();
}

StatusOr<CreateLeadResult> CreateIn(Conn& conn, const LeadRecord& lead, EventRecord event) {
  // The writer is the only connection that writes and holds the write lock for the whole
  // transaction (BEGIN IMMEDIATE), so the look-up and the insert cannot race another create;
  // the unique index on lower(email) is the backstop.
  auto existing = FindByEmail(conn, lead.email);
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) return CreateLeadResult{std::move(**existing), false};
  if (auto st = InsertLead(conn, lead); !st.ok()) return st;
  event.lead_id = lead.id;
  auto inserted = SqliteEventLog::InsertIn(conn, event);
  if (!inserted.ok()) return inserted.status();
  if (*inserted != InsertOutcome::kInserted) {
    // The event id is generated with the lead id; a clash means the ids are not random.
    return Status::Internal("lead.created event id " + event.id + " already exists");
  }
  return CreateLeadResult{lead, true};
}

}  // namespace

void SqliteLeads::Create(LeadRecord lead, EventRecord created_event,
                         Callback<CreateLeadResult> done) {
  writer_.Submit<CreateLeadResult>(
      [lead = std::move(lead), event = std::move(created_event)](Conn& conn) {
        return CreateIn(conn, lead, event);
      },
      std::move(done));
}

void SqliteLeads::Get(std::string id, Callback<LeadDetail> done) {
  readers_.Submit([id = std::move(id), done = std::move(done)](Conn* conn, const Status& st) {
    if (conn == nullptr) return done(st);
    static const std::string kLeadSql =
        std::string("SELECT ") + kLeadColumns + " FROM Lead WHERE id = ?1";
    auto stmt = conn->Cached(kLeadSql.c_str());
    if (!stmt.ok()) return done(stmt.status());
    LeadDetail detail;
    {
      StmtScope s(**stmt);
      s->Bind(1, id);
      const int rc = s->Step();
      if (rc == SQLITE_DONE) return done(Status::NotFound("no lead with this id"));
      if (rc != SQLITE_ROW) return done(conn->Error("get lead"));
      detail.lead = ReadLead(*s);
    }
    // The second branch uses the partial expression index EventLog_anonymous_id (same
    // expression, same WHERE). UNION drops a row found by both branches.
    static const std::string kTimelineSql =
        "SELECT id, type, source, payload, leadId, createdAt FROM EventLog WHERE leadId = ?1 "
        "UNION "
        "SELECT id, type, source, payload, leadId, createdAt FROM EventLog "
        "WHERE source = 'landing' AND json_extract(payload, '$.anonymous_id') = ?2 "
        "ORDER BY createdAt DESC, id DESC LIMIT " + std::to_string(kMaxTimeline);
    auto tl = conn->Cached(kTimelineSql.c_str());
    if (!tl.ok()) return done(tl.status());
    StmtScope t(**tl);
    t->Bind(1, detail.lead.id).Bind(2, detail.lead.anonymous_id);
    int rc;
    while ((rc = t->Step()) == SQLITE_ROW) detail.timeline.push_back(SqliteEventLog::ReadRow(*t));
    if (rc != SQLITE_DONE) return done(conn->Error("lead timeline"));
    std::reverse(detail.timeline.begin(), detail.timeline.end());
    done(std::move(detail));
  });
}

void SqliteLeads::List(LeadQuery q, Callback<LeadPage> done) {
  readers_.Submit([q = std::move(q), done = std::move(done)](Conn* conn, const Status& st) {
    if (conn == nullptr) return done(st);
    std::string sql = std::string("SELECT ") + kLeadColumns + " FROM Lead WHERE 1=1";
    std::vector<std::pair<const char*, std::string>> params;
    if (q.q) {
      sql += " AND (name LIKE :q ESCAPE '\\' OR email LIKE :q ESCAPE '\\'"
             " OR company LIKE :q ESCAPE '\\')";
      params.emplace_back(":q", LikeSubstringPattern(*q.q));
    }
    std::optional<std::pair<std::string, std::string>> after;
    if (q.after) after.emplace(FormatIsoMillis(q.after->first), q.after->second);
    LeadPage page;
    const auto listed = ReadKeysetPage(*conn, std::move(sql), params, after, q.limit, ReadLead,
                                   page.items, page.has_more, "list leads");
    if (!listed.ok()) return done(listed);
    done(std::move(page));
  });
}

}  // namespace hookline::store::sqlite
