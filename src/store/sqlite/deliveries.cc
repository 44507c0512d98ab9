#include "store/sqlite/deliveries.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <random>

#include "core/time_format.h"

namespace hookline::store::sqlite {
namespace {

constexpr const char* kColumns =
    "id, endpointId, event, assessmentId, webhookId, body, status, series, attempts, "
    "nextAttemptAt, lastError, createdAt, updatedAt, deliveredAt";
// The same columns without the body (lists).
// Every query on the queue repeats this term: SQLite uses a partial index only when the
// query's WHERE contains the index's own condition (Delivery_active, migration 4).
#define QUEUED "status IN ('pending', 'delivering')"
constexpr const char* kListColumns =
    "id, endpointId, event, assessmentId, webhookId, x'', status, series, attempts, "
    "nextAttemptAt, lastError, createdAt, updatedAt, deliveredAt";

std::optional<SysTime> OptTime(Stmt& s, int col) {
  if (s.IsNull(col)) return std::nullopt;
  return ParseIso(s.Text(col));
}

std::string Blob(Stmt& s, int col) {
  const auto* p = static_cast<const char*>(sqlite3_column_blob(s.raw(), col));
  return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(s.raw(), col)))
           : std::string();
}

DeliveryRecord ReadRow(Stmt& s) {
  DeliveryRecord r;
  r.id = s.Text(0);
  r.endpoint_id = s.Text(1);
  r.event = s.Text(2);
  r.assessment_id = s.OptText(3);
  r.webhook_id = s.Text(4);
  r.body = Blob(s, 5);
  r.status = ParseDeliveryStatus(s.Text(6)).value_or(DeliveryStatus::kFailed);
  r.series = static_cast<int>(s.Int(7));
  r.attempts = static_cast<int>(s.Int(8));
  r.next_attempt_at = OptTime(s, 9);
  r.last_error = s.OptText(10);
  r.created_at = ParseIso(s.Text(11)).value_or(SysTime{});
  r.updated_at = ParseIso(s.Text(12)).value_or(SysTime{});
  r.delivered_at = OptTime(s, 13);
  return r;
}

StatusOr<DeliveryRecord> SelectById(Conn& conn, const std::string& id) {
  static const std::string kSql =
      std::string("SELECT ") + kColumns + " FROM Delivery WHERE id = ?1";
  return SelectOne<DeliveryRecord>(conn, kSql.c_str(), id, ReadRow, "select Delivery", "delivery not found");
}

// The endpoint's `delivering` rows whose lease ended: each one's attempt under way is
// recorded as interrupted and counted (store/deliveries.h), and the row becomes pending, due
// since its lease ended, or failed when that attempt was the last.
Status SettleExpiredIn(Conn& conn, const std::string& endpoint_id, const ClaimRequest& r) {
  struct Expired {
    std::string id, claimed_at, lease_until;
    int series, attempts;
  };
  const std::string now = FormatIsoMillis(r.now);
  std::vector<Expired> rows;
  {
    static constexpr const char* kSql =
        "SELECT id, series, attempts, updatedAt, leaseUntil FROM Delivery WHERE endpointId = ?1 "
        "AND " QUEUED " AND status = 'delivering' AND leaseUntil <= ?2";
    auto stmt = conn.Cached(kSql);
    if (!stmt.ok()) return stmt.status();
    StmtScope s(**stmt);
    s->Bind(1, endpoint_id).Bind(2, now);
    int rc;
    while ((rc = s->Step()) == SQLITE_ROW) {
      rows.push_back({s->Text(0), s->Text(3), s->Text(4), static_cast<int>(s->Int(1)),
                      static_cast<int>(s->Int(2))});
    }
    if (rc != SQLITE_DONE) return conn.Error("claim: expired leases");
  }
  static constexpr const char* kAttempt =
      "INSERT INTO DeliveryAttempt(deliveryId, series, number, startedAt, durationMs, "
      "httpStatus, error, responseSnippet) VALUES(?1, ?2, ?3, ?4, 0, NULL, ?5, NULL) "
      "ON CONFLICT DO NOTHING";
  static constexpr const char* kUpdate =
      "UPDATE Delivery SET status = ?1, attempts = ?2, nextAttemptAt = ?3, claimedBy = NULL, "
      "leaseUntil = NULL, lastError = ?4, updatedAt = ?5 WHERE id = ?6";
  for (const auto& e : rows) {
    const int number = e.attempts + 1;
    const bool last = number >= r.max_attempts;
    spdlog::warn("delivery {}: attempt {} got no result before its lease ended; counted as "
                 "interrupted{}",
                 e.id, number, last ? ", and it was the last: the delivery is failed" : "");
    {
      auto stmt = conn.Cached(kAttempt);
      if (!stmt.ok()) return stmt.status();
      StmtScope s(**stmt);
      s->Bind(1, e.id).Bind(2, e.series).Bind(3, number).Bind(4, e.claimed_at);
      s->Bind(5, kInterruptedAttempt);
      if (s->Step() != SQLITE_DONE) return conn.Error("insert interrupted DeliveryAttempt");
    }
    auto stmt = conn.Cached(kUpdate);
    if (!stmt.ok()) return stmt.status();
    StmtScope s(**stmt);
    s->Bind(1, last ? "failed" : "pending").Bind(2, number);
    if (last) {
      s->BindNull(3);
    } else {
      s->Bind(3, e.lease_until);
    }
    s->Bind(4, kInterruptedAttempt).Bind(5, now).Bind(6, e.id);
    if (s->Step() != SQLITE_DONE) return conn.Error("settle expired Delivery");
  }
  return Status::Ok();
}

StatusOr<std::vector<ClaimedDelivery>> ClaimIn(Conn& conn, const ClaimRequest& r) {
  // Endpoint by endpoint (in random order, so none is always served last when the global limit
  // is reached): its free slots are per_endpoint_limit minus its unexpired `delivering` rows;
  // its rows whose lease ended are settled (SettleExpiredIn), then the slots are filled with
  // its oldest due pending rows. Each look-up is an index range on (endpointId, status, ...), so
  // a claim costs O(endpoints * log(queue)), not a scan of the backlog. No statement here needs
  // a sort or a temporary table: the claim runs after nearly every recorded batch.
  const std::string now = FormatIsoMillis(r.now);
  struct Target {
    std::string id, url, secret;
    int free;
    bool expired;  // it has `delivering` rows whose lease ended
  };
  std::vector<Target> targets;
  {
    static constexpr const char* kSql =
        "SELECT e.id, e.url, e.secret, (SELECT count(*) FROM Delivery d WHERE d.endpointId = e.id "
        "AND d." QUEUED " AND d.status = 'delivering' AND d.leaseUntil > ?1), "
        "EXISTS (SELECT 1 FROM Delivery d WHERE d.endpointId = e.id "
        "AND d." QUEUED " AND d.status = 'delivering' AND d.leaseUntil <= ?1) "
        "FROM Endpoint e WHERE e.enabled = 1";
    auto stmt = conn.Cached(kSql);
    if (!stmt.ok()) return stmt.status();
    StmtScope s(**stmt);
    s->Bind(1, now);
    int rc;
    while ((rc = s->Step()) == SQLITE_ROW) {
      const int free = r.per_endpoint_limit - static_cast<int>(s->Int(3));
      if (free > 0) targets.push_back({s->Text(0), s->Text(1), s->Text(2), free, s->Int(4) != 0});
    }
    if (rc != SQLITE_DONE) return conn.Error("claim: endpoints");
  }
  if (targets.size() > 1) {
    thread_local std::minstd_rand shuffle_rng{std::random_device{}()};
    std::shuffle(targets.begin(), targets.end(), shuffle_rng);
  }
  // Pending rows, oldest due first (equal times in the order they were queued).
  static constexpr const char* kPending =
      "SELECT id FROM Delivery WHERE endpointId = ?1 AND " QUEUED
      " AND status = 'pending' AND nextAttemptAt <= ?2 ORDER BY nextAttemptAt LIMIT ?3";
  // One UPDATE per endpoint for all its chosen rows (the ids as a JSON array): the statement's
  // cursors on the table and its indexes are opened once per claim, not once per row.
  static const std::string kClaim =
      std::string("UPDATE Delivery SET status = 'delivering', claimedBy = ?1, leaseUntil = ?2, "
                  "updatedAt = ?3 WHERE id IN (SELECT value FROM json_each(?4)) RETURNING ") +
      kColumns;
  const std::string lease_until = FormatIsoMillis(r.now + r.lease);
  std::vector<ClaimedDelivery> out;
  for (const auto& t : targets) {
    const int room = std::min(t.free, r.limit - static_cast<int>(out.size()));
    if (room <= 0) break;
    // Rows whose lease ended are pending again (their nextAttemptAt the lease's end, so they
    // come before rows that fell due later), or failed.
    if (t.expired) {
      if (auto st = SettleExpiredIn(conn, t.id, r); !st.ok()) return st;
    }
    std::vector<std::string> ids;
    {
      auto stmt = conn.Cached(kPending);
      if (!stmt.ok()) return stmt.status();
      StmtScope s(**stmt);
      s->Bind(1, t.id).Bind(2, now).Bind(3, room);
      int rc;
      while ((rc = s->Step()) == SQLITE_ROW) ids.push_back(s->Text(0));
      if (rc != SQLITE_DONE) return conn.Error("claim: due deliveries");
    }
    if (ids.empty()) continue;
    std::string json = "[";
    std::map<std::string, size_t, std::less<>> order;  // id -> position in the due order
    for (size_t i = 0; i < ids.size(); ++i) {
      if (i > 0) json += ',';
      json += '"';
      for (char ch : ids[i]) {
        if (ch == '"' || ch == '\\') json += '\\';
        json += ch;
      }
      json += '"';
      order.emplace(ids[i], i);
    }
    json += ']';
    std::vector<std::optional<ClaimedDelivery>> claimed(ids.size());
    {
      auto stmt = conn.Cached(kClaim.c_str());
      if (!stmt.ok()) return stmt.status();
      StmtScope s(**stmt);
      s->Bind(1, r.worker).Bind(2, lease_until).Bind(3, now).Bind(4, json);
      int rc;
      while ((rc = s->Step()) == SQLITE_ROW) {
        ClaimedDelivery c;
        c.delivery = ReadRow(*s);
        c.delivery.status = DeliveryStatus::kDelivering;
        c.attempt_number = c.delivery.attempts + 1;
        c.url = t.url;
        c.secret = t.secret;
        auto it = order.find(c.delivery.id);
        if (it == order.end()) return Status::Internal("claim: an unexpected row was updated");
        claimed[it->second] = std::move(c);
      }
      if (rc != SQLITE_DONE) return conn.Error("claim Delivery");
    }
    for (auto& c : claimed) {
      if (!c) return Status::Internal("claim: a chosen row was not updated");
      out.push_back(std::move(*c));
    }
  }
  return out;
}

StatusOr<int> RecordIn(Conn& conn, const std::vector<AttemptResult>& results) {
  static constexpr const char* kUpdate =
      "UPDATE Delivery SET status = ?1, attempts = ?2, nextAttemptAt = ?3, claimedBy = NULL, "
      "leaseUntil = NULL, lastError = ?4, updatedAt = ?5, deliveredAt = ?6 "
      "WHERE id = ?7 AND status = 'delivering' AND claimedBy = ?8 AND series = ?9";
  static constexpr const char* kInsert =
      "INSERT INTO DeliveryAttempt(deliveryId, series, number, startedAt, durationMs, "
      "httpStatus, error, responseSnippet) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
      "ON CONFLICT DO NOTHING";
  int applied = 0;
  for (const auto& r : results) {
    const auto& a = r.attempt;
    const std::string now = FormatIsoMillis(r.now);
    {
      auto stmt = conn.Cached(kUpdate);
      if (!stmt.ok()) return stmt.status();
      StmtScope s(**stmt);
      s->Bind(1, DeliveryStatusName(StatusAfter(r))).Bind(2, a.number);
      if (r.outcome == AttemptOutcome::kRetry && r.next_attempt_at) {
        s->Bind(3, FormatIsoMillis(*r.next_attempt_at));
      } else {
        s->BindNull(3);
      }
      s->Bind(4, LastErrorOf(r)).Bind(5, now);
      if (r.outcome == AttemptOutcome::kDelivered) {
        s->Bind(6, now);
      } else {
        s->BindNull(6);
      }
      s->Bind(7, r.delivery_id).Bind(8, r.worker).Bind(9, a.series);
      if (s->Step() != SQLITE_DONE) return conn.Error("record Delivery attempt");
      if (conn.Changes() != 1) {
        spdlog::warn("delivery {}: attempt {} result not recorded, the claim was taken over",
                     r.delivery_id, a.number);
        continue;
      }
    }
    auto stmt = conn.Cached(kInsert);
    if (!stmt.ok()) return stmt.status();
    StmtScope s(**stmt);
    s->Bind(1, r.delivery_id).Bind(2, a.series).Bind(3, a.number);
    s->Bind(4, FormatIsoMillis(a.started_at)).Bind(5, a.duration_ms);
    if (a.http_status) {
      s->Bind(6, *a.http_status);
    } else {
      s->BindNull(6);
    }
    s->Bind(7, a.error).Bind(8, a.response_snippet);
    if (s->Step() != SQLITE_DONE) return conn.Error("insert DeliveryAttempt");
    ++applied;
  }
  return applied;
}

StatusOr<DeliveryRecord> RetryIn(Conn& conn, const std::string& id, SysTime now) {
  auto d = SelectById(conn, id);
  if (!d.ok()) return d;
  if (auto st = CheckRetryable(*d); !st.ok()) return st;
  {
    auto ep = conn.Cached("SELECT 1 FROM Endpoint WHERE id = ?1");
    if (!ep.ok()) return ep.status();
    StmtScope s(**ep);
    s->Bind(1, d->endpoint_id);
    const int rc = s->Step();
    if (rc == SQLITE_DONE) return Status::Invalid("the endpoint of this delivery was deleted");
    if (rc != SQLITE_ROW) return conn.Error("select Endpoint for retry");
  }
  static constexpr const char* kSql =
      "UPDATE Delivery SET status = 'pending', series = series + 1, attempts = 0, "
      "nextAttemptAt = ?1, lastError = NULL, updatedAt = ?1 WHERE id = ?2 AND status = 'failed'";
  auto stmt = conn.Cached(kSql);
  if (!stmt.ok()) return stmt.status();
  StmtScope s(**stmt);
  s->Bind(1, FormatIsoMillis(now)).Bind(2, id);
  if (s->Step() != SQLITE_DONE) return conn.Error("retry Delivery");
  StartNewSeries(*d, now);
  return d;
}

}  // namespace

void SqliteDeliveries::ClaimDue(ClaimRequest request, Callback<std::vector<ClaimedDelivery>> done) {
  // Answered at COMMIT, before the WAL's fdatasync (workers.h): the claimed rows go out one disk
  // flush sooner, and the slots they fill stay empty that much less. A power loss before the
  // flush can only lose the claim, and its rows are then claimed and sent again.
  writer_.Submit<std::vector<ClaimedDelivery>>(
      [r = std::move(request)](Conn& conn) { return ClaimIn(conn, r); }, std::move(done),
      /*may_wait=*/false, Ack::kVisible);
}

void SqliteDeliveries::RecordAttempts(std::vector<AttemptResult> results, Callback<int> done) {
  writer_.Submit<int>([r = std::move(results)](Conn& conn) { return RecordIn(conn, r); },
                      std::move(done));
}

void SqliteDeliveries::NextDue(Callback<std::optional<SysTime>> done) {
  readers_.Submit([done = std::move(done)](Conn* conn, const Status& st) {
    if (conn == nullptr) return done(st);
    // Per enabled endpoint, each an index look-up: a backlog is never scanned. (ORDER BY ...
    // LIMIT 1, not min(): with the partial index's term SQLite would scan for min().) The
    // delivering rows of an endpoint are at most its claims, so ordering them is cheap.
    static constexpr const char* kSql =
        "SELECT min(t) FROM ("
        "SELECT (SELECT d.nextAttemptAt FROM Delivery d WHERE d.endpointId = e.id "
        "AND d." QUEUED " AND d.status = 'pending' AND d.nextAttemptAt IS NOT NULL "
        "ORDER BY d.nextAttemptAt LIMIT 1) AS t FROM Endpoint e WHERE e.enabled = 1 "
        "UNION ALL SELECT (SELECT d.leaseUntil FROM Delivery d WHERE d.endpointId = e.id "
        "AND d." QUEUED " AND d.status = 'delivering' AND d.leaseUntil IS NOT NULL "
        "ORDER BY d.leaseUntil LIMIT 1) FROM Endpoint e WHERE e.enabled = 1)";
    auto stmt = conn->Cached(kSql);
    if (!stmt.ok()) return done(stmt.status());
    StmtScope s(**stmt);
    if (s->Step() != SQLITE_ROW) return done(conn->Error("next due Delivery"));
    done(OptTime(*s, 0));
  });
}

void SqliteDeliveries::Retry(std::string id, SysTime now, Callback<DeliveryRecord> done) {
  writer_.Submit<DeliveryRecord>(
      [id = std::move(id), now](Conn& conn) { return RetryIn(conn, id, now); }, std::move(done));
}

void SqliteDeliveries::List(DeliveryQuery q, Callback<DeliveryPage> done) {
  readers_.Submit([q = std::move(q), done = std::move(done)](Conn* conn, const Status& st) {
    if (conn == nullptr) return done(st);
    std::string sql = std::string("SELECT ") + kListColumns + " FROM Delivery WHERE 1=1";
    std::vector<std::pair<const char*, std::string>> params;
    if (q.status) {
      // The name as a literal (one of four fixed words), so that the planner can pick the
      // partial index of that status: Delivery_active, Delivery_failed.
      sql += " AND status = '";
      sql += DeliveryStatusName(*q.status);
      sql += "'";
      if (*q.status == DeliveryStatus::kPending || *q.status == DeliveryStatus::kDelivering) {
        sql += " AND " QUEUED;
      }
    }
    if (q.endpoint_id) {
      sql += " AND endpointId = :endpoint";
      params.emplace_back(":endpoint", *q.endpoint_id);
    }
    if (q.assessment_id) {
      sql += " AND assessmentId = :assessment";
      params.emplace_back(":assessment", *q.assessment_id);
    }
    DeliveryPage page;
    const auto listed = ReadKeysetPage(*conn, std::move(sql), params, q.after, q.limit,
                                       [](Stmt& s) { return ReadRow(s); }, page.items,
                                       page.has_more, "list Delivery");
    if (!listed.ok()) return done(listed);
    done(std::move(page));
  });
}

void SqliteDeliveries::Get(std::string id, Callback<DeliveryDetail> done) {
  readers_.Submit([id = std::move(id), done = std::move(done)](Conn* conn, const Status& st) {
    if (conn == nullptr) return done(st);
    auto d = SelectById(*conn, id);
    if (!d.ok()) return done(d.status());
    DeliveryDetail detail{std::move(*d), {}};
    static constexpr const char* kSql =
        "SELECT series, number, startedAt, durationMs, httpStatus, error, responseSnippet "
        "FROM DeliveryAttempt WHERE deliveryId = ?1 ORDER BY series, number";
    auto stmt = conn->Cached(kSql);
    if (!stmt.ok()) return done(stmt.status());
    StmtScope s(**stmt);
    s->Bind(1, id);
    int rc;
    while ((rc = s->Step()) == SQLITE_ROW) {
      DeliveryAttemptRecord a;
      a.series = static_cast<int>(s->Int(0));
      a.number = static_cast<int>(s->Int(1));
      a.started_at = ParseIso(s->Text(2)).value_or(SysTime{});
      a.duration_ms = s->Int(3);
      if (!s->IsNull(4)) a.http_status = static_cast<int>(s->Int(4));
      a.error = s->OptText(5);
      a.response_snippet = s->OptText(6);
      detail.attempts.push_back(std::move(a));
    }
    if (rc != SQLITE_DONE) return done(conn->Error("select DeliveryAttempt"));
    done(std::move(detail));
  });
}

}  // namespace hookline::store::sqlite
