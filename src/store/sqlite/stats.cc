#include "store/sqlite/stats.h"

#include <boost/json/array.hpp>

#include <functional>
#include <map>
#include <string>

#include "core/json_text.h"
#include "core/time_format.h"

namespace hookline::store::sqlite {
namespace {

// Each query yields rows (day, count) where day is "YYYY-MM-DD" of createdAt (the stored text
// is ISO 8601 UTC, so its first 10 characters are the UTC day), or one row (NULL, count) for
// the whole range: ?1 = since, ?2 = until (ISO text), ?3 = payment types (a JSON array).
#define HOOKLINE_RANGE " createdAt >= ?1 AND createdAt < ?2 "
constexpr const char* kVisitors =
    "SELECT {day}, count(DISTINCT json_extract(payload, '$.anonymous_id')) FROM EventLog "
    "WHERE source = 'landing' AND type = 'page_view' AND" HOOKLINE_RANGE "{group}";
constexpr const char* kFormStarts =
    "SELECT {day}, count(DISTINCT json_extract(payload, '$.anonymous_id')) FROM EventLog "
    "WHERE source = 'landing' AND type = 'form_start' AND" HOOKLINE_RANGE "{group}";
constexpr const char* kLeads = "SELECT {day}, count(*) FROM Lead WHERE" HOOKLINE_RANGE "{group}";
constexpr const char* kPayments =
    "SELECT {day}, count(*) FROM EventLog WHERE source = 'payment_service' "
    "AND type IN (SELECT value FROM json_each(?3)) AND" HOOKLINE_RANGE "{group}";
// A payment row counts for its lead only when the lead is in the Lead table.
constexpr const char* kPayingLeads =
    "SELECT {day}, count(DISTINCT leadId) FROM EventLog WHERE source = 'payment_service' "
    "AND type IN (SELECT value FROM json_each(?3)) AND" HOOKLINE_RANGE
    "AND leadId IN (SELECT id FROM Lead) {group}";
#undef HOOKLINE_RANGE

std::string Expand(const char* tmpl, bool per_day) {
  std::string sql(tmpl);
  auto replace = [&sql](std::string_view what, std::string_view with) {
    const auto at = sql.find(what);
    sql.replace(at, what.size(), with);
  };
  replace("{day}", per_day ? "substr(createdAt, 1, 10)" : "NULL");
  replace("{group}", per_day ? "GROUP BY 1" : "");
  return sql;
}

using Field = int64_t FunnelCounts::*;

Status Run(Conn& conn, const char* tmpl, bool per_day, const std::string& since,
           const std::string& until, const std::string& types, FunnelStats& out,
           std::map<std::string, FunnelCounts>& days, Field field) {
  auto stmt = conn.Prepare(Expand(tmpl, per_day));
  if (!stmt.ok()) return stmt.status();
  auto& s = **stmt;
  s.Bind(1, since).Bind(2, until);
  if (sqlite3_bind_parameter_count(s.raw()) >= 3) s.Bind(3, types);
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    if (per_day) {
      days[s.Text(0)].*field = s.Int(1);
    } else {
      out.totals.*field = s.Int(1);
    }
  }
  if (rc != SQLITE_DONE) return conn.Error("funnel stats");
  return Status::Ok();
}

}  // namespace

void SqliteStats::Funnel(FunnelQuery q, Callback<FunnelStats> done) {
  readers_.Submit([q = std::move(q), done = std::move(done)](Conn* conn, const Status& st) {
    if (conn == nullptr) return done(st);
    const std::string since = FormatIsoMillis(q.since);
    const std::string until = FormatIsoMillis(q.until);
    boost::json::array types_json;
    for (const auto& t : q.payment_types) types_json.emplace_back(t);
    const std::string types = JsonText(types_json);

    // All queries in one read transaction: the numbers describe one snapshot.
    if (auto st2 = conn->Exec("BEGIN"); !st2.ok()) return done(st2);
    FunnelStats stats;
    std::map<std::string, FunnelCounts> days;  // ordered: ascending days
    const std::pair<const char*, Field> queries[] = {
        {kVisitors, &FunnelCounts::visitors},   {kFormStarts, &FunnelCounts::form_starts},
        {kLeads, &FunnelCounts::leads},         {kPayments, &FunnelCounts::payments},
        {kPayingLeads, &FunnelCounts::paying_leads},
    };
    Status result;
    for (const auto& [tmpl, field] : queries) {
      for (bool per_day : {false, true}) {
        if (result.ok()) result = Run(*conn, tmpl, per_day, since, until, types, stats, days, field);
      }
    }
    (void)conn->Exec("COMMIT");
    if (!result.ok()) return done(result);
    for (auto& [day, counts] : days) {
      auto start = ParseIso(day);
      if (!start) continue;  // not a stored timestamp; cannot be placed on a day
      stats.days.push_back(FunnelDay{*start, counts});
    }
    done(std::move(stats));
  });
}

}  // namespace hookline::store::sqlite
