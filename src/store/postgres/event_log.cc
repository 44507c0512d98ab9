#include "store/postgres/event_log.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "core/metrics.h"
#include "core/time_format.h"

namespace hookline::store::postgres {
namespace {

constexpr const char* kInsertBatch =
    "INSERT INTO \"EventLog\"(id, type, source, payload, \"leadId\", \"createdAt\") "
    "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::text[], "
    "$6::timestamptz[]) ON CONFLICT (id) DO NOTHING RETURNING id";

constexpr const char* kInsertOne =
    "INSERT INTO \"EventLog\"(id, type, source, payload, \"leadId\", \"createdAt\") "
    "VALUES($1, $2, $3, $4::jsonb, $5, $6::timestamptz) ON CONFLICT (id) DO NOTHING";

}  // namespace

const char* const PgEventLog::kColumns =
    "id, type, source, payload::text, \"leadId\", "
    "to_char(\"createdAt\" AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";

Status EventInsertJob::InsertBatch(Conn& conn, std::span<EventInsertJob* const> jobs, bool* sent) {
  std::vector<EventInsertJob*> sorted(jobs.begin(), jobs.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](auto* a, auto* b) { return a->event_.id < b->event_.id; });
  // kInsertBatch's arrays, one element per event, in the binary format.
  const int n = static_cast<int>(sorted.size());
  size_t bytes[5] = {};
  for (auto* j : sorted) {
    const EventRecord& e = j->event_;
    bytes[0] += e.id.size();
    bytes[1] += e.type.size();
    bytes[2] += e.source.size();
    bytes[3] += e.payload.size() + 1;
    bytes[4] += e.lead_id ? e.lead_id->size() : 0;
  }
  BinaryArray ids(BinaryArray::kText, n, bytes[0]), types(BinaryArray::kText, n, bytes[1]),
      sources(BinaryArray::kText, n, bytes[2]), payloads(BinaryArray::kJsonb, n, bytes[3]),
      leads(BinaryArray::kText, n, bytes[4]),
      times(BinaryArray::kTimestamptz, n, 8 * sorted.size());
  for (auto* j : sorted) {
    const EventRecord& e = j->event_;
    ids.AddText(e.id);
    types.AddText(e.type);
    sources.AddText(e.source);
    payloads.AddJsonb(e.payload);
    if (e.lead_id) {
      leads.AddText(*e.lead_id);
    } else {
      leads.AddNull();
    }
    times.AddTimestamptz(e.created_at);
  }
  Params params;
  for (auto* column : {&ids, &types, &sources, &payloads, &leads, &times}) {
    params.AddBinary(column->Finish());
  }
  auto res = conn.Prepared("event_insert_batch", kInsertBatch, params, sent);
  if (!res.ok()) return res.status();
  // The returned ids (each once), sorted for binary search: cheaper than a hash set of copies.
  const PGresult* r = res->get();
  std::vector<std::string_view> inserted(static_cast<size_t>(PQntuples(r)));
  for (size_t i = 0; i < inserted.size(); ++i) {
    const int row = static_cast<int>(i);
    inserted[i] = {PQgetvalue(r, row, 0), static_cast<size_t>(PQgetlength(r, row, 0))};
  }
  std::sort(inserted.begin(), inserted.end());
  // Each returned id goes to the first job that carries it, in submission order.
  std::vector<bool> taken(inserted.size());
  for (auto* j : jobs) {
    const auto it = std::lower_bound(inserted.begin(), inserted.end(), j->event_.id);
    const auto i = static_cast<size_t>(it - inserted.begin());
    const bool mine = it != inserted.end() && *it == j->event_.id && !taken[i];
    if (mine) taken[i] = true;
    j->outcome_ = mine ? InsertOutcome::kInserted : InsertOutcome::kDuplicate;
  }
  return Status::Ok();
}

Status EventInsertJob::Execute(Conn& conn) {
  EventInsertJob* self = this;
  return InsertBatch(conn, std::span<EventInsertJob* const>(&self, 1));
}

void EventInsertJob::Complete(const Status& status) {
  if (!status.ok()) return done_(status);
  ++(outcome_ == InsertOutcome::kInserted ? Metrics::Get().events_inserted
                                          : Metrics::Get().events_duplicate);
  done_(outcome_);
}

void PgEventLog::Insert(EventRecord event, Callback<InsertOutcome> done) {
  writer_.Submit(std::make_unique<EventInsertJob>(std::move(event), std::move(done)));
}

StatusOr<InsertOutcome> PgEventLog::InsertIn(Conn& conn, const EventRecord& e) {
  Params p;
  p.Add(e.id).Add(e.type).Add(e.source).Add(e.payload).Add(e.lead_id);
  p.Add(FormatIsoMillis(e.created_at));
  auto res = conn.Prepared("event_insert_one", kInsertOne, p);
  if (!res.ok()) return res.status();
  const bool inserted = std::string_view(PQcmdTuples(res->get())) == "1";
  ++(inserted ? Metrics::Get().events_inserted : Metrics::Get().events_duplicate);
  return inserted ? InsertOutcome::kInserted : InsertOutcome::kDuplicate;
}

EventRecord PgEventLog::ReadRow(const PGresult* res, int row, int c) {
  auto text = [res, row](int col) {
    return std::string(PQgetvalue(res, row, col), static_cast<size_t>(PQgetlength(res, row, col)));
  };
  EventRecord r;
  r.id = text(c);
  r.type = text(c + 1);
  r.source = text(c + 2);
  r.payload = text(c + 3);
  if (!PQgetisnull(res, row, c + 4)) r.lead_id = text(c + 4);
  r.created_at = ParseIso(text(c + 5)).value_or(SysTime{});
  return r;
}

void PgEventLog::List(EventQuery q, Callback<EventPage> done) {
  readers_.Submit([q = std::move(q), done = std::move(done)](Conn* conn, const Status& st) {
    if (conn == nullptr) return done(st);
    std::string sql = std::string("SELECT ") + kColumns + " FROM \"EventLog\" WHERE true";
    Params p;
    if (q.source) sql += " AND source = " + p.Placeholder(*q.source);
    if (q.type) sql += " AND type = " + p.Placeholder(*q.type);
    if (q.lead_id) sql += " AND \"leadId\" = " + p.Placeholder(*q.lead_id);
    if (q.since) {
      sql += " AND \"createdAt\" >= " + p.Placeholder(FormatIsoMillis(*q.since)) + "::timestamptz";
    }
    if (q.until) {
      sql += " AND \"createdAt\" < " + p.Placeholder(FormatIsoMillis(*q.until)) + "::timestamptz";
    }
    EventPage page;
    const auto listed = ReadKeysetPage(
        *conn, std::move(sql), p, q.after, q.limit,
        [](const PGresult* res, int row) { return ReadRow(res, row); }, page.items, page.has_more);
    if (!listed.ok()) return done(listed);
    done(std::move(page));
  });
}

}  // namespace hookline::store::postgres
