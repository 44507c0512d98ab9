#include "store/postgres/leads.h"

#include <map>
#include <string>

#include "core/time_format.h"
#include "store/postgres/event_log.h"

namespace hookline::store::postgres {
namespace {

constexpr const char* kLeadColumns =
    "id, name, email, company, phone, message, utm_source, utm_medium, utm_campaign, utm_term, "
    "utm_content, referrer, anonymous_id, "
    "to_char(\"createdAt\" AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";

std::string Text(const PGresult* r, int row, int col) {
  return std::string(PQgetvalue(r, row, col), static_cast<size_t>(PQgetlength(r, row, col)));
}
std::optional<std::string> OptText(const PGresult* r, int row, int col) {
  if (PQgetisnull(r, row, col)) return std::nullopt;
  return Text(r, row, col);
}

LeadRecord ReadLead(const PGresult* r, int row) {
  LeadRecord l;
  l.id = Text(r, row, 0);
  l.name = Text(r, row, 1);
  l.email = Text(r, row, 2);
  l.company = Text(r, row, 3);
  l.phone = OptText(r, row, 4);
  l.message = OptText(r, row, 5);
  l.utm_source = OptText(r, row, 6);
  l.utm_medium = OptText(r, row, 7);
  l.utm_campaign = OptText(r, row, 8);
  l.utm_term = OptText(r, row, 9);
  l.utm_content = OptText(r, row, 10);
  l.referrer = OptText(r, row, 11);
  l.anonymous_id = OptText(r, row, 12);
  l.created_at = ParseIso(Text(r, row, 13)).value_or(SysTime{});
  return l;
}

StatusOr<CreateLeadResult> CreateIn(Conn& conn, const LeadRecord& l, EventRecord event) {
  // Insert-or-ignore on the unique index lower(email): a concurrent create of the same address
  // waits for the other transaction and then finds the row, never a look-up first.
  static const std::string kInsert =
      "INSERT INTO \"Lead\"(id, name, email, company, phone, message, utm_source, utm_medium, "
      "utm_campaign, utm_term, utm_content, referrer, anonymous_id, \"createdAt\") VALUES($1, $2, "
      "$3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::timestamptz) "
      "ON CONFLICT ((lower(email))) DO NOTHING RETURNING id";
  Params p;
  p.Add(l.id).Add(l.name).Add(l.email).Add(l.company).Add(l.phone).Add(l.message);
  p.Add(l.utm_source).Add(l.utm_medium).Add(l.utm_campaign).Add(l.utm_term).Add(l.utm_content);
  p.Add(l.referrer).Add(l.anonymous_id).Add(FormatIsoMillis(l.created_at));
  auto ins = conn.Prepared("lead_insert", kInsert.c_str(), p);
  if (!ins.ok()) return ins.status();
  if (PQntuples(ins->get()) == 0) {
    static const std::string kFind =
        std::string("SELECT ") + kLeadColumns + " FROM \"Lead\" WHERE lower(email) = lower($1)";
    Params f;
    f.Add(l.email);
    auto found = conn.Prepared("lead_by_email", kFind.c_str(), f);
    if (!found.ok()) return found.status();
    if (PQntuples(found->get()) == 0) return Status::Unavailable("lead vanished; retry");
    return CreateLeadResult{ReadLead(found->get(), 0), false};
  }
  event.lead_id = l.id;
  auto inserted = PgEventLog::InsertIn(conn, event);
  if (!inserted.ok()) return inserted.status();
  if (*inserted != InsertOutcome::kInserted) {
    return Status::Internal("lead.created event id " + event.id + " already exists");
  }
  return CreateLeadResult{l, true};
}

}  // namespace

void PgLeads::Create(LeadRecord lead, EventRecord created_event, Callback<CreateLeadResult> done) {
  writer_.Submit<CreateLeadResult>([lead = std::move(lead), event = std::move(created_event)](
                                       Conn& conn) { return CreateIn(conn, lead, event); },
                                   std::move(done));
}

void PgLeads::Get(std::string id, Callback<LeadDetail> done) {
  readers_.Submit([id = std::move(id), done = std::move(done)](Conn* conn, const Status& st) {
    if (conn == nullptr) return done(st);
    static const std::string kLead =
        std::string("SELECT ") + kLeadColumns + " FROM \"Lead\" WHERE id = $1";
    Params p;
    p.Add(id);
    auto lead = conn->Prepared("lead_get", kLead.c_str(), p);
    if (!lead.ok()) return done(lead.status());
    if (PQntuples(lead->get()) == 0) return done(Status::NotFound("no lead with this id"));
    LeadDetail detail;
    detail.lead = ReadLead(lead->get(), 0);
    // The newest kMaxTimeline rows, turned oldest first below; UNION drops a row found twice.
    static const std::string kTimeline =
        std::string("SELECT ") + PgEventLog::kColumns +
        " FROM \"EventLog\" WHERE id IN (SELECT id FROM \"EventLog\" WHERE \"leadId\" = $1 "
        "UNION SELECT id FROM \"EventLog\" WHERE source = 'landing' "
        "AND payload->>'anonymous_id' = $2) "
        "ORDER BY \"createdAt\" DESC, id COLLATE \"C\" DESC LIMIT " +
        std::to_string(kMaxTimeline);
    Params t;
    t.Add(detail.lead.id).Add(detail.lead.anonymous_id);
    auto rows = conn->Prepared("lead_timeline", kTimeline.c_str(), t);
    if (!rows.ok()) return done(rows.status());
    for (int r = PQntuples(rows->get()) - 1; r >= 0; --r) {
      detail.timeline.push_back(PgEventLog::ReadRow(rows->get(), r));
    }
    done(std::move(detail));
  });
}

void PgLeads::List(LeadQuery q, Callback<LeadPage> done) {
  readers_.Submit([q = std::move(q), done = std::move(done)](Conn* conn, const Status& st) {
    if (conn == nullptr) return done(st);
    std::string sql = std::string("SELECT ") + kLeadColumns + " FROM \"Lead\" WHERE true";
    Params p;
    if (q.q) {
      const auto pat = p.Placeholder(LikeSubstringPattern(*q.q));
      sql += " AND (name ILIKE " + pat + " ESCAPE '\\' OR email ILIKE " + pat +
             " ESCAPE '\\' OR company ILIKE " + pat + " ESCAPE '\\')";
    }
    std::optional<std::pair<std::string, std::string>> after;
    if (q.after) after.emplace(FormatIsoMillis(q.after->first), q.after->second);
    LeadPage page;
    const auto listed = ReadKeysetPage(*conn, std::move(sql), p, after, q.limit, ReadLead,
                                       page.items, page.has_more);
    if (!listed.ok()) return done(listed);
    done(std::move(page));
  });
}

namespace {

// Each query yields (day, count) rows per UTC day of createdAt, or one (NULL, count) row for the
// whole range: $1 = since, $2 = until, $3 = payment types (a text[] literal).
#define HOOKLINE_RANGE " \"createdAt\" >= $1::timestamptz AND \"createdAt\" < $2::timestamptz "
constexpr const char* kVisitors =
    "SELECT {day}, count(DISTINCT payload->>'anonymous_id') FROM \"EventLog\" "
    "WHERE source = 'landing' AND type = 'page_view' AND" HOOKLINE_RANGE "{group}";
constexpr const char* kFormStarts =
    "SELECT {day}, count(DISTINCT payload->>'anonymous_id') FROM \"EventLog\" "
    "WHERE source = 'landing' AND type = 'form_start' AND" HOOKLINE_RANGE "{group}";
constexpr const char* kLeads =
    "SELECT {day}, count(*) FROM \"Lead\" WHERE" HOOKLINE_RANGE "{group}";
constexpr const char* kPayments =
    "SELECT {day}, count(*) FROM \"EventLog\" WHERE source = 'payment_service' "
    "AND type = ANY($3::text[]) AND" HOOKLINE_RANGE "{group}";
constexpr const char* kPayingLeads =
    "SELECT {day}, count(DISTINCT \"leadId\") FROM \"EventLog\" WHERE source = 'payment_service' "
    "AND type = ANY($3::text[]) AND" HOOKLINE_RANGE
    "AND \"leadId\" IN (SELECT id FROM \"Lead\") {group}";
#undef HOOKLINE_RANGE

std::string Expand(const char* tmpl, bool per_day) {
  std::string sql(tmpl);
  auto replace = [&sql](std::string_view what, std::string_view with) {
    const auto at = sql.find(what);
    sql.replace(at, what.size(), with);
  };
  replace("{day}", per_day ? "to_char(\"createdAt\" AT TIME ZONE 'UTC', 'YYYY-MM-DD')" : "NULL");
  replace("{group}", per_day ? "GROUP BY 1" : "");
  return sql;
}

}  // namespace

void PgStats::Funnel(FunnelQuery q, Callback<FunnelStats> done) {
  readers_.Submit([q = std::move(q), done = std::move(done)](Conn* conn, const Status& st) {
    if (conn == nullptr) return done(st);
    std::string types = "{";
    for (const auto& t : q.payment_types) {
      if (types.size() > 1) types += ",";
      AppendArrayElement(types, t);
    }
    types += "}";
    // One snapshot for all the numbers.
    if (auto s = conn->Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); !s.ok()) {
      return done(s);
    }
    using Field = int64_t FunnelCounts::*;
    const std::pair<const char*, Field> queries[] = {
        {kVisitors, &FunnelCounts::visitors},
        {kFormStarts, &FunnelCounts::form_starts},
        {kLeads, &FunnelCounts::leads},
        {kPayments, &FunnelCounts::payments},
        {kPayingLeads, &FunnelCounts::paying_leads},
    };
    FunnelStats stats;
    std::map<std::string, FunnelCounts> days;  // ordered: ascending days
    Status result;
    for (const auto& [tmpl, field] : queries) {
      for (bool per_day : {false, true}) {
        if (!result.ok()) break;
        Params p;
        p.Add(FormatIsoMillis(q.since)).Add(FormatIsoMillis(q.until));
        if (std::string_view(tmpl).find("$3") != std::string_view::npos) p.Add(types);
        auto res = conn->Query(Expand(tmpl, per_day), p);
        if (!res.ok()) {
          result = res.status();
          break;
        }
        for (int r = 0; r < PQntuples(res->get()); ++r) {
          const int64_t n = std::stoll(PQgetvalue(res->get(), r, 1));
          if (per_day) {
            days[PQgetvalue(res->get(), r, 0)].*field = n;
          } else {
            stats.totals.*field = n;
          }
        }
      }
    }
    if (conn->Alive()) (void)conn->Exec(result.ok() ? "COMMIT" : "ROLLBACK");
    if (!result.ok()) return done(result);
    for (auto& [day, counts] : days) {
      if (auto start = ParseIso(day)) stats.days.push_back(FunnelDay{*start, counts});
    }
    done(std::move(stats));
  });
}

}  // namespace hookline::store::postgres
