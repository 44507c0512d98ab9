#include "api/deliveries.h"

#include "api/paging.h"
#include "api/reply.h"
#include "api/views.h"
#include "core/json_text.h"
#include "core/time_format.h"

namespace hookline::api {
namespace {

constexpr int kDefaultLimit = 50;
constexpr int kMaxLimit = 200;

boost::json::value OptTime(const std::optional<SysTime>& t) {
  return t ? boost::json::value(FormatIsoMillis(*t)) : boost::json::value(nullptr);
}

boost::json::value OptText(const std::optional<std::string>& s) {
  return s ? boost::json::value(*s) : boost::json::value(nullptr);
}

boost::json::object DeliveryJson(const store::DeliveryRecord& d, bool with_body) {
  boost::json::object o;
  o["id"] = d.id;
  o["endpoint_id"] = d.endpoint_id;
  o["event"] = d.event;
  o["assessment_id"] = OptText(d.assessment_id);
  o["webhook_id"] = d.webhook_id;
  o["status"] = store::DeliveryStatusName(d.status);
  o["series"] = d.series;
  o["attempts"] = d.attempts;
  o["next_attempt_at"] = OptTime(d.next_attempt_at);
  o["last_error"] = OptText(d.last_error);
  o["created_at"] = FormatIsoMillis(d.created_at);
  o["updated_at"] = FormatIsoMillis(d.updated_at);
  o["delivered_at"] = OptTime(d.delivered_at);
  // The body is JSON we wrote ourselves, shown as the exact text that was signed.
  if (with_body) o["body"] = d.body;
  return o;
}

boost::json::object AttemptJson(const store::DeliveryAttemptRecord& a) {
  boost::json::object o;
  o["series"] = a.series;
  o["number"] = a.number;
  o["started_at"] = FormatIsoMillis(a.started_at);
  o["duration_ms"] = a.duration_ms;
  o["http_status"] = a.http_status ? boost::json::value(*a.http_status) : nullptr;
  o["error"] = OptText(a.error);
  o["response_snippet"] = OptText(a.response_snippet);
  return o;
}

void List(ApiContext& ctx, const http::Request& req, http::Reply reply) {
  ParamError err;
  store::DeliveryQuery q;
  if (auto s = ParseTextParam(req, "status", 32, err)) {
    q.status = store::ParseDeliveryStatus(*s);
    if (!q.status) {
      return reply(http::Response::Error(
          400, "status must be one of pending, delivering, delivered, failed"));
    }
  }
  q.endpoint_id = ParseTextParam(req, "endpoint_id", 255, err);
  q.assessment_id = ParseTextParam(req, "assessment_id", 255, err);
  q.limit = ParseLimit(req, kDefaultLimit, kMaxLimit, err);
  if (auto c = ParseCursorParam(req, err)) q.after.emplace(c->created_at, c->id);
  if (err) return reply(std::move(*err.error));
  ctx.store.deliveries().List(
      std::move(q), [reply = std::move(reply)](StatusOr<store::DeliveryPage> r) {
        if (!r.ok()) return reply(StoreErrorReply(r.status(), "list deliveries"));
        const auto row = [](const store::DeliveryRecord& d) { return DeliveryJson(d, false); };
        reply(http::Response::Json(200, PageJson(*r, row)));
      });
}

}  // namespace

void RegisterDeliveries(http::Router& router, ApiContext& ctx) {
  const auto admin = NoStoreGuard(AdminGuard(ctx.admin_token));
  router.Add(http::Method::kGet, "/api/deliveries",
             [&ctx](const http::Request& req, http::Reply reply) {
               List(ctx, req, NoStoreReply(std::move(reply)));
             },
             {.guard = admin});
  router.Add(http::Method::kGet, "/api/deliveries/{id}",
             [&ctx](const http::Request& req, http::Reply reply) {
               ctx.store.deliveries().Get(
                   std::string(req.Param("id")),
                   [reply = NoStoreReply(std::move(reply))](StatusOr<store::DeliveryDetail> r) {
                     if (!r.ok()) return reply(StoreErrorReply(r.status(), "get delivery"));
                     boost::json::array attempts;
                     for (const auto& a : r->attempts) attempts.push_back(AttemptJson(a));
                     boost::json::object o;
                     o["delivery"] = DeliveryJson(r->delivery, true);
                     o["attempts"] = std::move(attempts);
                     reply(http::Response::Json(200, JsonText(o)));
                   });
             },
             {.guard = admin});
  router.Add(
      http::Method::kPost, "/api/deliveries/{id}/retry",
      [&ctx](const http::Request& req, http::Reply reply) {
        ctx.store.deliveries().Retry(
            std::string(req.Param("id")), ctx.clock.Now(),
            [&ctx, reply = NoStoreReply(std::move(reply))](StatusOr<store::DeliveryRecord> r) {
              if (!r.ok()) return reply(StoreErrorReply(r.status(), "retry delivery"));
              if (ctx.hooks.deliveries_queued) ctx.hooks.deliveries_queued();
              boost::json::object o;
              o["delivery"] = DeliveryJson(*r, false);
              reply(http::Response::Json(202, JsonText(o)));
            });
      },
      {.guard = admin});
}

}  // namespace hookline::api
