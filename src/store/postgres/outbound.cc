#include "store/postgres/outbound.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/json/parse.hpp>

#include "core/hex.h"
#include "core/json_text.h"
#include "core/time_format.h"

// Timestamps travel as the ISO text of core/time_format.h both ways: written with a
// ::timestamptz cast, read with this expression.
#define ISO(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

namespace hookline::store::postgres {
namespace {

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
SysTime Time(const PGresult* r, int row, int col) {
  return ParseIso(Text(r, row, col)).value_or(SysTime{});
}
bool Bool(const PGresult* r, int row, int col) { return PQgetvalue(r, row, col)[0] == 't'; }
bool OneRow(const Result& r) { return std::string_view(PQcmdTuples(r.get())) == "1"; }

// bytea in and out as text: the hex form \x... (the report PDF, the exact delivery body).
std::string ToBytea(std::string_view bytes) { return "\\x" + HexEncode(bytes); }
std::string FromBytea(const PGresult* r, int row, int col) {
  std::string_view v(PQgetvalue(r, row, col), static_cast<size_t>(PQgetlength(r, row, col)));
  if (v.size() >= 2 && v.substr(0, 2) == "\\x") return HexDecode(v.substr(2)).value_or("");
  return std::string(v);
}

// --- assessments ------------------------------------------------------------------------

constexpr const char* kAssessmentColumns =
    "id, company, email, stage, input::text, status, error, report IS NOT NULL, " ISO(
        "\"createdAt\"") ", " ISO("\"updatedAt\"") ", " ISO("\"completedAt\"");
constexpr int kMaxIdDraws = 20;  // see sqlite/assessments.cc

AssessmentRecord ReadAssessment(const PGresult* r, int row) {
  AssessmentRecord a;
  a.id = Text(r, row, 0);
  a.company = Text(r, row, 1);
  a.email = OptText(r, row, 2);
  a.stage = OptText(r, row, 3);
  a.answers = AnswersFromInput(Text(r, row, 4));
  a.status = ParseAssessmentStatus(Text(r, row, 5)).value_or(AssessmentStatus::kFailed);
  a.error = OptText(r, row, 6);
  a.has_report = Bool(r, row, 7);
  a.created_at = Time(r, row, 8);
  a.updated_at = Time(r, row, 9);
  a.completed_at = OptTime(r, row, 10);
  return a;
}

StatusOr<AssessmentRecord> CreateAssessmentIn(Conn& conn, const NewAssessment& a, Random& random) {
  static constexpr const char* kSql =
      "INSERT INTO \"Assessment\"(id, company, email, stage, input, status, \"createdAt\", "
      "\"updatedAt\") VALUES($1, $2, $3, $4, $5::jsonb, 'queued', $6::timestamptz, "
      "$6::timestamptz) ON CONFLICT (id) DO NOTHING";
  const std::string input = InputJson(a);
  const std::string day = FormatYmd(a.created_at);
  for (int draw = 0; draw < kMaxIdDraws; ++draw) {
    const std::string id = fmt::format("FR-{}-{:06}", day, random.Uniform(1000000));
    Params p;
    p.Add(id).Add(a.company).Add(a.email).Add(a.stage).Add(input);
    p.Add(FormatIsoMillis(a.created_at));
    auto res = conn.Prepared("assessment_insert", kSql, p);
    if (!res.ok()) return res.status();
    if (OneRow(*res)) {
      return QueuedAssessment(a, id);
    }
  }
  return Status::Internal("no free assessment id after several draws");
}

StatusOr<std::optional<AssessmentRecord>> ClaimRenderIn(Conn& conn, const std::string& worker,
                                                        SysTime now,
                                                        std::chrono::milliseconds lease) {
  // SKIP LOCKED: an instance never waits for, nor takes, a row another instance is claiming.
  static const std::string kSql =
      std::string(
          "UPDATE \"Assessment\" SET status = 'rendering', \"claimedBy\" = $1, "
          "\"leaseUntil\" = $2::timestamptz, \"updatedAt\" = $3::timestamptz WHERE id = ("
          "SELECT id FROM \"Assessment\" WHERE status = 'queued' OR (status = 'rendering' AND "
          "\"leaseUntil\" <= $3::timestamptz) ORDER BY \"createdAt\", id LIMIT 1 "
          "FOR UPDATE SKIP LOCKED) RETURNING ") +
      kAssessmentColumns;
  Params p;
  p.Add(worker).Add(FormatIsoMillis(now + lease)).Add(FormatIsoMillis(now));
  auto res = conn.Prepared("assessment_claim", kSql.c_str(), p);
  if (!res.ok()) return res.status();
  if (PQntuples(res->get()) == 0) return std::optional<AssessmentRecord>();
  return std::optional<AssessmentRecord>(ReadAssessment(res->get(), 0));
}

StatusOr<int> CompleteRenderIn(Conn& conn, const CompletedRender& c) {
  const std::string now = FormatIsoMillis(c.completed_at);
  Params p;
  p.Add(ToBytea(c.pdf)).Add(now).Add(c.assessment_id).Add(c.worker);
  auto done = conn.Prepared(
      "assessment_complete",
      "UPDATE \"Assessment\" SET status = 'completed', report = $1::bytea, error = NULL, "
      "\"completedAt\" = $2::timestamptz, \"updatedAt\" = $2::timestamptz, \"claimedBy\" = NULL, "
      "\"leaseUntil\" = NULL WHERE id = $3 AND status = 'rendering' AND \"claimedBy\" = $4",
      p);
  if (!done.ok()) return done.status();
  // The claim was lost (lease expired, taken over): the new owner emits the event, not us.
  if (!OneRow(*done)) return Status::NotFound("assessment is not claimed by this worker");
  Params e;
  e.Add(c.event);
  auto endpoints = conn.Prepared(
      "endpoints_subscribed",
      "SELECT id FROM \"Endpoint\" WHERE enabled AND events @> jsonb_build_array($1::text) "
      "ORDER BY \"createdAt\", id",
      e);
  if (!endpoints.ok()) return endpoints.status();
  int queued = 0;
  for (int row = 0; row < PQntuples(endpoints->get()); ++row) {
    const std::string endpoint_id = Text(endpoints->get(), row, 0);
    Params d;
    d.Add(DeliveryIdFor(c.webhook_id, endpoint_id)).Add(endpoint_id).Add(c.event);
    d.Add(c.assessment_id).Add(c.webhook_id).Add(ToBytea(c.body)).Add(now);
    auto ins = conn.Prepared(
        "delivery_insert",
        "INSERT INTO \"Delivery\"(id, \"endpointId\", event, \"assessmentId\", \"webhookId\", "
        "body, status, series, attempts, \"nextAttemptAt\", \"createdAt\", \"updatedAt\") "
        "VALUES($1, $2, $3, $4, $5, $6::bytea, 'pending', 1, 0, $7::timestamptz, "
        "$7::timestamptz, $7::timestamptz) ON CONFLICT (\"webhookId\", \"endpointId\") DO NOTHING",
        d);
    if (!ins.ok()) return ins.status();
    queued += OneRow(*ins) ? 1 : 0;
  }
  return queued;
}

// --- endpoints --------------------------------------------------------------------------

constexpr const char* kEndpointColumns =
    "id, url, secret, events::text, enabled, description, " ISO("\"createdAt\"") ", " ISO(
        "\"updatedAt\"");

std::string EventsJson(const std::vector<std::string>& events) {
  boost::json::array a;
  for (const auto& e : events) a.emplace_back(e);
  return JsonText(a);
}

EndpointRecord ReadEndpoint(const PGresult* r, int row) {
  EndpointRecord e;
  e.id = Text(r, row, 0);
  e.url = Text(r, row, 1);
  e.secret = Text(r, row, 2);
  boost::system::error_code ec;
  auto v = boost::json::parse(Text(r, row, 3), ec);
  if (!ec && v.is_array()) {
    for (const auto& x : v.as_array()) {
      if (x.is_string()) e.events.emplace_back(x.as_string());
    }
  }
  e.enabled = Bool(r, row, 4);
  e.description = OptText(r, row, 5);
  e.created_at = Time(r, row, 6);
  e.updated_at = Time(r, row, 7);
  return e;
}

StatusOr<EndpointRecord> EndpointById(Conn& conn, const std::string& id, bool for_update) {
  static const std::string kSql =
      std::string("SELECT ") + kEndpointColumns + " FROM \"Endpoint\" WHERE id = $1";
  static const std::string kLock = kSql + " FOR UPDATE";
  Params p;
  p.Add(id);
  auto res = for_update ? conn.Prepared("endpoint_get_lock", kLock.c_str(), p)
                        : conn.Prepared("endpoint_get", kSql.c_str(), p);
  if (!res.ok()) return res.status();
  if (PQntuples(res->get()) == 0) return Status::NotFound("endpoint not found");
  return ReadEndpoint(res->get(), 0);
}

StatusOr<EndpointRecord> UpdateEndpointIn(Conn& conn, const std::string& id,
                                          const EndpointPatch& patch) {
  auto current = EndpointById(conn, id, /*for_update=*/true);
  if (!current.ok()) return current;
  EndpointRecord e = std::move(*current);
  if (patch.url) e.url = *patch.url;
  if (patch.events) e.events = *patch.events;
  if (patch.enabled) e.enabled = *patch.enabled;
  if (patch.description) e.description = *patch.description;
  if (patch.secret) e.secret = *patch.secret;
  e.updated_at = patch.now;
  Params p;
  p.Add(e.url)
      .Add(e.secret)
      .Add(EventsJson(e.events))
      .Add(std::string(e.enabled ? "true" : "false"));
  p.Add(e.description).Add(FormatIsoMillis(e.updated_at)).Add(id);
  auto res = conn.Prepared("endpoint_update",
                           "UPDATE \"Endpoint\" SET url = $1, secret = $2, events = $3::jsonb, "
                           "enabled = $4::boolean, description = $5, "
                           "\"updatedAt\" = $6::timestamptz WHERE id = $7",
                           p);
  if (!res.ok()) return res.status();
  return e;
}

StatusOr<bool> DeleteEndpointIn(Conn& conn, const std::string& id, SysTime now) {
  Params p;
  p.Add(id);
  auto del = conn.Prepared("endpoint_delete", "DELETE FROM \"Endpoint\" WHERE id = $1", p);
  if (!del.ok()) return del.status();
  if (!OneRow(*del)) return Status::NotFound("endpoint not found");
  // Its queued deliveries can never be sent now: fail them. One in flight is failed too (its
  // claim ends here, so the worker's result is fenced out by RecordIn's claimedBy check):
  // recorded as pending it would wait forever for an endpoint that is gone.
  Params f;
  f.Add(FormatIsoMillis(now)).Add(id);
  auto fail = conn.Prepared("deliveries_fail_deleted",
                            "UPDATE \"Delivery\" SET status = 'failed', \"nextAttemptAt\" = NULL, "
                            "\"claimedBy\" = NULL, \"leaseUntil\" = NULL, "
                            "\"lastError\" = 'endpoint deleted', \"updatedAt\" = $1::timestamptz "
                            "WHERE \"endpointId\" = $2 AND status IN ('pending', 'delivering')",
                            f);
  if (!fail.ok()) return fail.status();
  return true;
}

}  // namespace

void PgAssessments::Create(NewAssessment a, Random& random, Callback<AssessmentRecord> done) {
  writer_.Submit<AssessmentRecord>(
      [a = std::move(a), &random](Conn& conn) { return CreateAssessmentIn(conn, a, random); },
      std::move(done));
}

void PgAssessments::Get(std::string id, Callback<AssessmentRecord> done) {
  readers_.Submit([id = std::move(id), done = std::move(done)](Conn* conn, const Status& st) {
    if (conn == nullptr) return done(st);
    static const std::string kSql =
        std::string("SELECT ") + kAssessmentColumns + " FROM \"Assessment\" WHERE id = $1";
    Params p;
    p.Add(id);
    auto res = conn->Prepared("assessment_get", kSql.c_str(), p);
    if (!res.ok()) return done(res.status());
    if (PQntuples(res->get()) == 0) return done(Status::NotFound("assessment not found"));
    done(ReadAssessment(res->get(), 0));
  });
}

void PgAssessments::Report(std::string id, Callback<std::string> done) {
  readers_.Submit([id = std::move(id), done = std::move(done)](Conn* conn, const Status& st) {
    if (conn == nullptr) return done(st);
    Params p;
    p.Add(id);
    auto res =
        conn->Prepared("assessment_report",
                       "SELECT report FROM \"Assessment\" WHERE id = $1 AND report IS NOT NULL", p);
    if (!res.ok()) return done(res.status());
    if (PQntuples(res->get()) == 0)
      return done(Status::NotFound("the report does not exist (yet)"));
    done(FromBytea(res->get(), 0, 0));
  });
}

void PgAssessments::ClaimNextRender(std::string worker, SysTime now,
                                    std::chrono::milliseconds lease,
                                    Callback<std::optional<AssessmentRecord>> done) {
  writer_.Submit<std::optional<AssessmentRecord>>(
      [worker = std::move(worker), now, lease](Conn& conn) {
        return ClaimRenderIn(conn, worker, now, lease);
      },
      std::move(done));
}

void PgAssessments::CompleteRender(CompletedRender c, Callback<int> done) {
  writer_.Submit<int>([c = std::move(c)](Conn& conn) { return CompleteRenderIn(conn, c); },
                      std::move(done));
}

void PgAssessments::FailRender(std::string assessment_id, std::string worker, std::string reason,
                               SysTime now, Callback<bool> done) {
  writer_.Submit<bool>(
      [id = std::move(assessment_id), worker = std::move(worker), reason = std::move(reason),
       now](Conn& conn) -> StatusOr<bool> {
        Params p;
        p.Add(reason).Add(FormatIsoMillis(now)).Add(id).Add(worker);
        auto res = conn.Prepared(
            "assessment_fail",
            "UPDATE \"Assessment\" SET status = 'failed', error = $1, "
            "\"updatedAt\" = $2::timestamptz, \"claimedBy\" = NULL, \"leaseUntil\" = NULL "
            "WHERE id = $3 AND status = 'rendering' AND \"claimedBy\" = $4",
            p);
        if (!res.ok()) return res.status();
        return OneRow(*res);
      },
      std::move(done));
}

void PgEndpoints::Create(EndpointRecord e, Callback<EndpointRecord> done) {
  writer_.Submit<EndpointRecord>(
      [e = std::move(e)](Conn& conn) -> StatusOr<EndpointRecord> {
        Params p;
        p.Add(e.id).Add(e.url).Add(e.secret).Add(EventsJson(e.events));
        p.Add(std::string(e.enabled ? "true" : "false")).Add(e.description);
        p.Add(FormatIsoMillis(e.created_at)).Add(FormatIsoMillis(e.updated_at));
        auto res = conn.Prepared(
            "endpoint_insert",
            "INSERT INTO \"Endpoint\"(id, url, secret, events, enabled, description, "
            "\"createdAt\", \"updatedAt\") VALUES($1, $2, $3, $4::jsonb, $5::boolean, $6, "
            "$7::timestamptz, $8::timestamptz) ON CONFLICT (id) DO NOTHING",
            p);
        if (!res.ok()) return res.status();
        if (!OneRow(*res)) return Status::AlreadyExists("endpoint id already exists");
        return e;
      },
      std::move(done));
}

void PgEndpoints::Get(std::string id, Callback<EndpointRecord> done) {
  readers_.Submit([id = std::move(id), done = std::move(done)](Conn* conn, const Status& st) {
    if (conn == nullptr) return done(st);
    done(EndpointById(*conn, id, /*for_update=*/false));
  });
}

void PgEndpoints::List(Callback<std::vector<EndpointRecord>> done) {
  readers_.Submit([done = std::move(done)](Conn* conn, const Status& st) {
    if (conn == nullptr) return done(st);
    static const std::string kSql = std::string("SELECT ") + kEndpointColumns +
                                    " FROM \"Endpoint\" ORDER BY \"createdAt\", id COLLATE \"C\"";
    auto res = conn->Prepared("endpoint_list", kSql.c_str(), Params{});
    if (!res.ok()) return done(res.status());
    std::vector<EndpointRecord> out;
    for (int r = 0; r < PQntuples(res->get()); ++r) out.push_back(ReadEndpoint(res->get(), r));
    done(std::move(out));
  });
}

void PgEndpoints::Update(std::string id, EndpointPatch patch, Callback<EndpointRecord> done) {
  writer_.Submit<EndpointRecord>([id = std::move(id), patch = std::move(patch)](
                                     Conn& conn) { return UpdateEndpointIn(conn, id, patch); },
                                 std::move(done));
}

void PgEndpoints::Delete(std::string id, SysTime now, Callback<bool> done) {
  writer_.Submit<bool>(
      [id = std::move(id), now](Conn& conn) { return DeleteEndpointIn(conn, id, now); },
      std::move(done));
}

}  // namespace hookline::store::postgres
