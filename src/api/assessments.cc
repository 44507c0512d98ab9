#include "api/assessments.h"

#include "api/reply.h"
#include "api/validate.h"
#include "api/views.h"
#include "core/json_text.h"
#include "core/time_format.h"
#include "report/questions.h"

namespace hookline::api {
namespace {

constexpr size_t kMaxCompany = 200;  // code points
constexpr size_t kMaxBody = 64 << 10;

// 422 {"error": message, "field": field}: the client learns which input to fix.
http::Response FieldError(std::string_view field, std::string message) {
  boost::json::object o;
  o["error"] = message;
  o["field"] = field;
  return http::Response::Json(422, JsonText(o));
}

// Validates the POST body into `out`; the reply to send when it is not acceptable.
std::optional<http::Response> ReadAssessment(const boost::json::object& body,
                                             store::NewAssessment& out) {
  const auto* company = body.if_contains("company");
  if (company == nullptr || company->is_null()) return FieldError("company", "company is required");
  if (!company->is_string()) return FieldError("company", "company must be a string");
  const auto name = Trim(company->get_string());
  if (name.empty()) return FieldError("company", "company must not be empty");
  if (CodePoints(name) > kMaxCompany || HasControlChars(name)) {
    return FieldError("company", "company must be at most 200 characters of text");
  }
  out.company = std::string(name);

  if (const auto* email = body.if_contains("email"); email != nullptr && !email->is_null()) {
    if (!email->is_string()) return FieldError("email", "email must be a string");
    const auto e = Trim(email->get_string());
    if (!e.empty()) {
      if (!IsValidEmail(e)) return FieldError("email", "email is not a valid address");
      out.email = std::string(e);
    }
  }
  if (const auto* stage = body.if_contains("stage"); stage != nullptr && !stage->is_null()) {
    bool known = false;
    if (stage->is_string()) {
      for (auto s : report::Stages()) known = known || s == stage->get_string();
    }
    if (!known) {
      return FieldError("stage", "stage must be one of idea, pre-seed, seed, series-a, later");
    }
    out.stage = std::string(stage->get_string());
  }

  const auto* answers = body.if_contains("answers");
  if (answers == nullptr || answers->is_null()) return FieldError("answers", "answers is required");
  if (!answers->is_object()) {
    return FieldError("answers", "answers must be an object of question id -> score 1..5");
  }
  for (const auto& [key, value] : answers->get_object()) {
    const std::string field = "answers." + std::string(key);
    if (report::FindQuestion(key) == nullptr) {
      return FieldError(field, field +
                                   " is not a known question id (see "
                                   "GET /api/assessments/questions)");
    }
    if (value.is_null()) continue;  // explicitly unanswered
    const auto score = value.is_int64() ? value.get_int64()
                       : value.is_uint64()
                           ? static_cast<int64_t>(std::min<uint64_t>(value.get_uint64(), 1000))
                           : int64_t{-1};
    if (score < report::kMinScore || score > report::kMaxScore) {
      return FieldError(field, field + " must be an integer from 1 to 5");
    }
    out.answers[std::string(key)] = static_cast<int>(score);
  }
  if (out.answers.empty()) {
    return FieldError("answers", "answers must score at least one question");
  }
  return std::nullopt;
}

boost::json::object AssessmentJson(const store::AssessmentRecord& a) {
  boost::json::object o;
  o["assessment_id"] = a.id;
  o["status"] = store::AssessmentStatusName(a.status);
  o["company"] = a.company;
  o["email"] = a.email ? boost::json::value(*a.email) : nullptr;
  o["stage"] = a.stage ? boost::json::value(*a.stage) : nullptr;
  boost::json::object answers;
  for (const auto& [k, v] : a.answers) answers[k] = v;
  o["answers"] = std::move(answers);
  o["error"] = a.error ? boost::json::value(*a.error) : nullptr;
  o["report_url"] =
      a.has_report ? boost::json::value("/api/assessments/" + a.id + "/report.pdf") : nullptr;
  o["created_at"] = FormatIsoMillis(a.created_at);
  o["updated_at"] = FormatIsoMillis(a.updated_at);
  o["completed_at"] =
      a.completed_at ? boost::json::value(FormatIsoMillis(*a.completed_at)) : nullptr;
  return o;
}

std::string QuestionsJson() {
  boost::json::object o;
  boost::json::array questions;
  for (const auto& q : report::Questions()) {
    questions.push_back({{"id", q.id},
                         {"category", q.category},
                         {"text", q.text},
                         {"low", q.low},
                         {"high", q.high}});
  }
  boost::json::array categories;
  for (auto c : report::Categories()) {
    categories.push_back({{"id", c}, {"title", report::CategoryTitle(c)}});
  }
  boost::json::array stages;
  for (auto s : report::Stages()) stages.push_back({{"id", s}, {"title", report::StageTitle(s)}});
  o["questions"] = std::move(questions);
  o["categories"] = std::move(categories);
  o["stages"] = std::move(stages);
  o["min_score"] = report::kMinScore;
  o["max_score"] = report::kMaxScore;
  return JsonText(o);
}

void Create(ApiContext& ctx, const http::Request& req, http::Reply reply) {
  auto parsed = ParseJsonObject(req.body);
  if (parsed.error) return reply(std::move(*parsed.error));
  store::NewAssessment a;
  if (auto err = ReadAssessment(parsed.object, a)) return reply(std::move(*err));
  a.created_at = ctx.clock.Now();
  ctx.store.assessments().Create(
      std::move(a), ctx.random,
      [&ctx, reply = std::move(reply)](StatusOr<store::AssessmentRecord> r) {
        if (!r.ok()) return reply(StoreErrorReply(r.status(), "create assessment"));
        if (ctx.hooks.render_queued) ctx.hooks.render_queued();
        boost::json::object o;
        o["assessment_id"] = r->id;
        o["status"] = "queued";
        reply(http::Response::Json(202, JsonText(o)).With("Location", "/api/assessments/" + r->id));
      });
}

}  // namespace

void RegisterAssessments(http::Router& router, ApiContext& ctx) {
  // Static data: serialized once.
  const auto questions = std::make_shared<const std::string>(QuestionsJson());
  router.Add(
      http::Method::kGet, "/api/assessments/questions",
      [questions](const http::Request&, http::Reply reply) {
        reply(http::Response::Json(200, *questions).With("Cache-Control", "public, max-age=300"));
      });
  const auto admin = NoStoreGuard(AdminGuard(ctx.admin_token));
  router.Add(http::Method::kPost, "/api/assessments",
             [&ctx](const http::Request& req, http::Reply reply) {
               Create(ctx, req, NoStoreReply(std::move(reply)));
             },
             {.guard = admin, .json_body = true, .max_body = kMaxBody});
  router.Add(http::Method::kGet, "/api/assessments/{id}",
             [&ctx](const http::Request& req, http::Reply reply) {
               ctx.store.assessments().Get(
                   std::string(req.Param("id")),
                   [reply = NoStoreReply(std::move(reply))](StatusOr<store::AssessmentRecord> r) {
                     if (!r.ok()) return reply(StoreErrorReply(r.status(), "get assessment"));
                     reply(http::Response::Json(200, JsonText(AssessmentJson(*r))));
                   });
             },
             {.guard = admin});
  router.Add(http::Method::kGet, "/api/assessments/{id}/report.pdf",
             [&ctx](const http::Request& req, http::Reply reply) {
               const std::string id(req.Param("id"));
               ctx.store.assessments().Report(
                   id, [id, reply = NoStoreReply(std::move(reply))](StatusOr<std::string> r) {
                     if (!r.ok()) return reply(StoreErrorReply(r.status(), "get report"));
                     http::Response res;
                     res.content_type = "application/pdf";
                     res.body = std::move(*r);
                     res.With("Content-Disposition", "inline; filename=\"" + id + ".pdf\"");
                     reply(std::move(res));
                   });
             },
             {.guard = admin});
}

}  // namespace hookline::api
