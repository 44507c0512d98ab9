// PgDeliveries (store/postgres/outbound.h): the delivery queue on PostgreSQL.

#include <spdlog/spdlog.h>

#include <algorithm>
#include <span>

#include "core/hex.h"
#include "core/time_format.h"
#include "store/postgres/outbound.h"

#define ISO(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

namespace hookline::store::postgres {
namespace {

#define DELIVERY_COLUMNS(body)                                                     \
  "id, \"endpointId\", event, \"assessmentId\", \"webhookId\", " body              \
  ", status, series, attempts, " ISO("\"nextAttemptAt\"") ", \"lastError\", " ISO( \
      "\"createdAt\"") ", " ISO("\"updatedAt\"") ", " ISO("\"deliveredAt\"")
constexpr const char* kColumns = DELIVERY_COLUMNS("body");
constexpr const char* kListColumns = DELIVERY_COLUMNS("''::bytea");  // lists leave body out

std::string Text(const PGresult* r, int row, int col) {
  return std::string(PQgetvalue(r, row, col), static_cast<size_t>(PQgetlength(r, row, col)));
}
std::optional<std::string> OptText(const PGresult* r, int row, int col) {
  if (PQgetisnull(r, row, col)) return std::nullopt;
  return Text(r, row, col);
}
std::optional<SysTime> OptTime(const PGresult* r, int row, int col) {
  if (PQgetisnull(r, row, col)) return std::nullopt;
  return ParseIso(Text(r, row, col));
}
std::string FromBytea(const PGresult* r, int row, int col) {
  std::string_view v(PQgetvalue(r, row, col), static_cast<size_t>(PQgetlength(r, row, col)));
  if (v.size() >= 2 && v.substr(0, 2) == "\\x") return HexDecode(v.substr(2)).value_or("");
  return std::string(v);
}

DeliveryRecord ReadRow(const PGresult* r, int row) {
  DeliveryRecord d;
  d.id = Text(r, row, 0);
  d.endpoint_id = Text(r, row, 1);
  d.event = Text(r, row, 2);
  d.assessment_id = OptText(r, row, 3);
  d.webhook_id = Text(r, row, 4);
  d.body = FromBytea(r, row, 5);
  d.status = ParseDeliveryStatus(Text(r, row, 6)).value_or(DeliveryStatus::kFailed);
  d.series = std::stoi(PQgetvalue(r, row, 7));
  d.attempts = std::stoi(PQgetvalue(r, row, 8));
  d.next_attempt_at = OptTime(r, row, 9);
  d.last_error = OptText(r, row, 10);
  d.created_at = OptTime(r, row, 11).value_or(SysTime{});
  d.updated_at = OptTime(r, row, 12).value_or(SysTime{});
  d.delivered_at = OptTime(r, row, 13);
  return d;
}

StatusOr<DeliveryRecord> SelectById(Conn& conn, const std::string& id, bool for_update) {
  static const std::string kSql =
      std::string("SELECT ") + kColumns + " FROM \"Delivery\" WHERE id = $1";
  static const std::string kLock = kSql + " FOR UPDATE";
  Params p;
  p.Add(id);
  auto res = for_update ? conn.Prepared("delivery_get_lock", kLock.c_str(), p)
                        : conn.Prepared("delivery_get", kSql.c_str(), p);
  if (!res.ok()) return res.status();
  if (PQntuples(res->get()) == 0) return Status::NotFound("delivery not found");
  return ReadRow(res->get(), 0);
}

// The `delivering` rows of enabled endpoints whose lease ended: each one's attempt under way is
// recorded as interrupted and counted (store/deliveries.h), and the row becomes pending, due
// since its lease ended, or failed when that attempt was the last. One statement; rows another
// instance is settling or claiming right now are skipped (SKIP LOCKED). Each endpoint's look-up
// is an index range on (endpointId, status), as in the claim.
Status SettleExpiredIn(Conn& conn, const ClaimRequest& r) {
  static constexpr const char* kSql = R"sql(
WITH expired AS (
  SELECT d.id, d.series, d.attempts, d."updatedAt" AS "claimedAt" FROM "Delivery" d
  WHERE d.id IN (
      SELECT x.id FROM "Endpoint" e CROSS JOIN LATERAL (
        SELECT d2.id FROM "Delivery" d2 WHERE d2."endpointId" = e.id
          AND d2.status = 'delivering' AND d2."leaseUntil" <= $1::timestamptz) x
      WHERE e.enabled)
    AND d.status = 'delivering' AND d."leaseUntil" <= $1::timestamptz
  FOR UPDATE SKIP LOCKED),
settled AS (
  UPDATE "Delivery" d SET attempts = x.attempts + 1,
    status = CASE WHEN x.attempts + 1 >= $2::int THEN 'failed' ELSE 'pending' END,
    "nextAttemptAt" = CASE WHEN x.attempts + 1 >= $2::int THEN NULL ELSE d."leaseUntil" END,
    "claimedBy" = NULL, "leaseUntil" = NULL, "lastError" = $3, "updatedAt" = $1::timestamptz
  FROM expired x WHERE d.id = x.id
  RETURNING d.id, d.series, d.attempts, d.status, x."claimedAt"),
recorded AS (
  INSERT INTO "DeliveryAttempt" ("deliveryId", series, number, "startedAt", "durationMs",
                                 "httpStatus", error, "responseSnippet")
  SELECT id, series, attempts, "claimedAt", 0, NULL, $3, NULL FROM settled
  ON CONFLICT DO NOTHING)
SELECT id, attempts, status FROM settled)sql";
  Params p;
  p.Add(FormatIsoMillis(r.now)).Add(std::to_string(r.max_attempts));
  p.Add(std::string(kInterruptedAttempt));
  auto res = conn.Prepared("delivery_settle_expired", kSql, p);
  if (!res.ok()) return res.status();
  for (int row = 0; row < PQntuples(res->get()); ++row) {
    const bool failed = Text(res->get(), row, 2) == "failed";
    spdlog::warn("delivery {}: attempt {} got no result before its lease ended; counted as "
                 "interrupted{}",
                 Text(res->get(), row, 0), Text(res->get(), row, 1),
                 failed ? ", and it was the last: the delivery is failed" : "");
  }
  return Status::Ok();
}

// How often a claim settles expired leases. The statement costs a round trip and a look at every
// enabled endpoint; claims run after nearly every batch of results (P4: ~11% fewer deliveries/s
// when every claim settled), and a lease is 2 x the delivery timeout + 5 s, so an attempt
// counted as interrupted up to a second later changes nothing.
constexpr auto kSettleEvery = std::chrono::seconds(1);

StatusOr<std::vector<ClaimedDelivery>> ClaimIn(Conn& conn, const ClaimRequest& r,
                                               SysTime& next_settle) {
  // Rows whose lease ended are settled first (SettleExpiredIn, at most once per kSettleEvery;
  // the worker looks again at most every 100 ms while a row is due but not claimable). Then
  // the same choice as SQLite (due pending rows of enabled endpoints, oldest due first,
  // per-endpoint limit; each an index range read only as far as the per-endpoint limit, never
  // the whole backlog), then the chosen rows are locked with SKIP LOCKED and the due condition
  // checked again on their latest version: two instances claiming at once never get the same
  // row.
  // (The per-endpoint limit counts committed claims only, so two instances at the same
  // moment may together exceed it by one batch.)
  static const std::string kSql =
      std::string(R"sql(
WITH busy AS (
  SELECT "endpointId", count(*) AS n FROM "Delivery"
  WHERE status = 'delivering' AND "leaseUntil" > $1::timestamptz GROUP BY "endpointId"),
due AS (
  SELECT x.id, e.id AS "endpointId", x."dueAt",
         row_number() OVER (PARTITION BY e.id ORDER BY x."dueAt", x.id) AS rn
  FROM "Endpoint" e CROSS JOIN LATERAL (
    SELECT d.id, d."nextAttemptAt" AS "dueAt" FROM "Delivery" d
    WHERE d."endpointId" = e.id AND d.status = 'pending' AND d."nextAttemptAt" <= $1::timestamptz
    ORDER BY d."nextAttemptAt" LIMIT $2::int) x
  WHERE e.enabled),
chosen AS (
  SELECT due.id FROM due LEFT JOIN busy ON busy."endpointId" = due."endpointId"
  WHERE due.rn <= $2::int - coalesce(busy.n, 0)
  ORDER BY due."dueAt", due.id LIMIT $3::int),
locked AS (
  SELECT d.id FROM "Delivery" d WHERE d.id IN (SELECT id FROM chosen)
    AND d.status = 'pending' AND d."nextAttemptAt" <= $1::timestamptz
  FOR UPDATE SKIP LOCKED)
UPDATE "Delivery" SET status = 'delivering', "claimedBy" = $4, "leaseUntil" = $5::timestamptz,
  "updatedAt" = $1::timestamptz
WHERE id IN (SELECT id FROM locked)
RETURNING )sql") +
      kColumns +
      ", (SELECT url FROM \"Endpoint\" WHERE id = \"Delivery\".\"endpointId\")"
      ", (SELECT secret FROM \"Endpoint\" WHERE id = \"Delivery\".\"endpointId\")";
  // (A clock that went back more than kSettleEvery settles at once.)
  if (r.now >= next_settle || next_settle - r.now > kSettleEvery) {
    if (auto st = SettleExpiredIn(conn, r); !st.ok()) return st;
    next_settle = r.now + kSettleEvery;
  }
  Params p;
  p.Add(FormatIsoMillis(r.now)).Add(std::to_string(r.per_endpoint_limit));
  p.Add(std::to_string(r.limit)).Add(r.worker).Add(FormatIsoMillis(r.now + r.lease));
  auto res = conn.Prepared("delivery_claim", kSql.c_str(), p);
  if (!res.ok()) return res.status();
  std::vector<ClaimedDelivery> out;
  for (int row = 0; row < PQntuples(res->get()); ++row) {
    ClaimedDelivery c;
    c.delivery = ReadRow(res->get(), row);
    c.delivery.status = DeliveryStatus::kDelivering;
    c.attempt_number = c.delivery.attempts + 1;
    c.url = Text(res->get(), row, 14);
    c.secret = Text(res->get(), row, 15);
    out.push_back(std::move(c));
  }
  return out;
}

// A batch of results in one statement (one round trip, where it used to take two per row):
// the fenced UPDATE of the rows, then the attempts of the rows it updated. Answers the ids
// it updated.
StatusOr<std::vector<std::string>> RecordBatch(Conn& conn,
                                               std::span<const AttemptResult* const> rs) {
  static constexpr const char* kSql = R"sql(
WITH r AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::timestamptz[], $5::text[],
                       $6::timestamptz[], $7::timestamptz[], $8::text[], $9::int[])
    AS r(id, status, number, next_at, last_error, now_at, delivered_at, worker, series)),
upd AS (
  UPDATE "Delivery" d SET status = r.status, attempts = r.number, "nextAttemptAt" = r.next_at,
    "claimedBy" = NULL, "leaseUntil" = NULL, "lastError" = r.last_error, "updatedAt" = r.now_at,
    "deliveredAt" = r.delivered_at
  FROM r
  WHERE d.id = r.id AND d.status = 'delivering' AND d."claimedBy" = r.worker
    AND d.series = r.series
  RETURNING d.id),
ins AS (
  INSERT INTO "DeliveryAttempt"("deliveryId", series, number, "startedAt", "durationMs",
                                "httpStatus", error, "responseSnippet")
  SELECT * FROM unnest($1::text[], $9::int[], $3::int[], $10::timestamptz[], $11::int[],
                       $12::int[], $13::text[], $14::text[])
    AS a(id, series, number, started_at, duration_ms, http_status, error, snippet)
  WHERE a.id IN (SELECT id FROM upd)
  ON CONFLICT DO NOTHING)
SELECT id FROM upd)sql";
  ArrayColumns<14> c;
  for (const AttemptResult* r : rs) {
    const auto& a = r->attempt;
    std::optional<std::string> next, delivered;
    if (r->outcome == AttemptOutcome::kRetry && r->next_attempt_at) {
      next = FormatIsoMillis(*r->next_attempt_at);
    }
    if (r->outcome == AttemptOutcome::kDelivered) delivered = FormatIsoMillis(r->now);
    c.Add(0, r->delivery_id);
    c.Add(1, DeliveryStatusName(StatusAfter(*r)));
    c.Add(2, std::to_string(a.number));
    c.AddOpt(3, next);
    c.AddOpt(4, LastErrorOf(*r));
    c.Add(5, FormatIsoMillis(r->now));
    c.AddOpt(6, delivered);
    c.Add(7, r->worker);
    c.Add(8, std::to_string(a.series));
    c.Add(9, FormatIsoMillis(a.started_at));
    c.Add(10, std::to_string(a.duration_ms));
    c.AddOpt(11, a.http_status ? std::optional<std::string>(std::to_string(*a.http_status))
                            : std::nullopt);
    c.AddOpt(12, a.error);
    c.AddOpt(13, a.response_snippet);
  }
  auto res = conn.Prepared("delivery_record_batch", kSql, c.Finish());
  if (!res.ok()) return res.status();
  std::vector<std::string> updated;
  for (int row = 0; row < PQntuples(res->get()); ++row) {
    updated.push_back(Text(res->get(), row, 0));
  }
  return updated;
}

StatusOr<int> RecordIn(Conn& conn, const std::vector<AttemptResult>& results) {
  // In id order, so that two transactions touching the same rows lock them in one order.
  std::vector<const AttemptResult*> sorted;
  sorted.reserve(results.size());
  for (const auto& r : results) sorted.push_back(&r);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](auto* a, auto* b) { return a->delivery_id < b->delivery_id; });
  // Two results for one row (never expected) go one by one, in the order given, as before:
  // the first is applied, the next one is fenced out.
  bool repeated = false;
  for (size_t i = 1; i < sorted.size(); ++i) {
    repeated = repeated || sorted[i]->delivery_id == sorted[i - 1]->delivery_id;
  }
  std::vector<std::vector<const AttemptResult*>> batches;
  if (repeated) {
    for (const auto& r : results) batches.push_back({&r});
  } else {
    batches.push_back(std::move(sorted));
  }
  int applied = 0;
  for (const auto& batch : batches) {
    auto updated = RecordBatch(conn, batch);
    if (!updated.ok()) return updated.status();
    std::sort(updated->begin(), updated->end());
    for (const AttemptResult* r : batch) {
      if (std::binary_search(updated->begin(), updated->end(), r->delivery_id)) {
        ++applied;
      } else {
        spdlog::warn("delivery {}: attempt {} result not recorded, the claim was taken over",
                     r->delivery_id, r->attempt.number);
      }
    }
  }
  return applied;
}

StatusOr<DeliveryRecord> RetryIn(Conn& conn, const std::string& id, SysTime now) {
  auto d = SelectById(conn, id, /*for_update=*/true);
  if (!d.ok()) return d;
  if (auto st = CheckRetryable(*d); !st.ok()) return st;
  Params e;
  e.Add(d->endpoint_id);
  auto ep = conn.Prepared("endpoint_exists", "SELECT 1 FROM \"Endpoint\" WHERE id = $1", e);
  if (!ep.ok()) return ep.status();
  if (PQntuples(ep->get()) == 0)
    return Status::Invalid("the endpoint of this delivery was deleted");
  Params p;
  p.Add(FormatIsoMillis(now)).Add(id);
  auto res = conn.Prepared(
      "delivery_retry",
      "UPDATE \"Delivery\" SET status = 'pending', series = series + 1, attempts = 0, "
      "\"nextAttemptAt\" = $1::timestamptz, \"lastError\" = NULL, \"updatedAt\" = $1::timestamptz "
      "WHERE id = $2 AND status = 'failed'",
      p);
  if (!res.ok()) return res.status();
  StartNewSeries(*d, now);
  return d;
}

}  // namespace

void PgDeliveries::ClaimDue(ClaimRequest request, Callback<std::vector<ClaimedDelivery>> done) {
  writer_.Submit<std::vector<ClaimedDelivery>>(
      [this, r = std::move(request)](Conn& conn) { return ClaimIn(conn, r, next_settle_); },
      std::move(done));
}

void PgDeliveries::RecordAttempts(std::vector<AttemptResult> results, Callback<int> done) {
  writer_.Submit<int>([r = std::move(results)](Conn& conn) { return RecordIn(conn, r); },
                      std::move(done));
}

void PgDeliveries::NextDue(Callback<std::optional<SysTime>> done) {
  readers_.Submit([done = std::move(done)](Conn* conn, const Status& st) {
    if (conn == nullptr) return done(st);
    auto res = conn->Prepared(
        "delivery_next_due",
        "SELECT " ISO("min(t)") " FROM ("
        "SELECT min(d.\"nextAttemptAt\") AS t FROM \"Delivery\" d JOIN \"Endpoint\" e "
        "ON e.id = d.\"endpointId\" AND e.enabled WHERE d.status = 'pending' "
        "UNION ALL SELECT min(\"leaseUntil\") FROM \"Delivery\" WHERE status = 'delivering') x",
        Params{});
    if (!res.ok()) return done(res.status());
    done(OptTime(res->get(), 0, 0));
  });
}

void PgDeliveries::Retry(std::string id, SysTime now, Callback<DeliveryRecord> done) {
  writer_.Submit<DeliveryRecord>(
      [id = std::move(id), now](Conn& conn) { return RetryIn(conn, id, now); }, std::move(done));
}

void PgDeliveries::List(DeliveryQuery q, Callback<DeliveryPage> done) {
  readers_.Submit([q = std::move(q), done = std::move(done)](Conn* conn, const Status& st) {
    if (conn == nullptr) return done(st);
    std::string sql = std::string("SELECT ") + kListColumns + " FROM \"Delivery\" WHERE true";
    Params p;
    if (q.status) sql += " AND status = " + p.Placeholder(std::string(DeliveryStatusName(*q.status)));
    if (q.endpoint_id) sql += " AND \"endpointId\" = " + p.Placeholder(*q.endpoint_id);
    if (q.assessment_id) sql += " AND \"assessmentId\" = " + p.Placeholder(*q.assessment_id);
    DeliveryPage page;
    const auto listed = ReadKeysetPage(*conn, std::move(sql), p, q.after, q.limit, ReadRow,
                                       page.items, page.has_more);
    if (!listed.ok()) return done(listed);
    done(std::move(page));
  });
}

void PgDeliveries::Get(std::string id, Callback<DeliveryDetail> done) {
  readers_.Submit([id = std::move(id), done = std::move(done)](Conn* conn, const Status& st) {
    if (conn == nullptr) return done(st);
    auto d = SelectById(*conn, id, /*for_update=*/false);
    if (!d.ok()) return done(d.status());
    DeliveryDetail detail{std::move(*d), {}};
    Params p;
    p.Add(id);
    auto res = conn->Prepared(
        "delivery_attempts",
        "SELECT series, number, " ISO("\"startedAt\"") ", \"durationMs\", \"httpStatus\", error, "
        "\"responseSnippet\" FROM \"DeliveryAttempt\" WHERE \"deliveryId\" = $1 "
        "ORDER BY series, number",
        p);
    if (!res.ok()) return done(res.status());
    const PGresult* r = res->get();
    for (int row = 0; row < PQntuples(r); ++row) {
      DeliveryAttemptRecord a;
      a.series = std::stoi(PQgetvalue(r, row, 0));
      a.number = std::stoi(PQgetvalue(r, row, 1));
      a.started_at = OptTime(r, row, 2).value_or(SysTime{});
      a.duration_ms = std::stoll(PQgetvalue(r, row, 3));
      if (!PQgetisnull(r, row, 4)) a.http_status = std::stoi(PQgetvalue(r, row, 4));
      a.error = OptText(r, row, 5);
      a.response_snippet = OptText(r, row, 6);
      detail.attempts.push_back(std::move(a));
    }
    done(std::move(detail));
  });
}

}  // namespace hookline::store::postgres
