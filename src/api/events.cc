#include "api/events.h"

#include "api/paging.h"
#include "api/reply.h"
#include "api/validate.h"
#include "api/views.h"
#include "core/json_text.h"
#include "core/time_format.h"

namespace hookline::api {
namespace {

constexpr int kDefaultLimit = 50;
constexpr int kMaxLimit = 500;
constexpr size_t kMaxUserAgent = 512;
// Landing event ids are the client's id behind this prefix: the EventLog id is one key space
// for every source, and a visitor must not be able to take an id the payment service will use
// (its real payment would then be "duplicate_ignored").
constexpr std::string_view kLandingIdPrefix = "landing:";

http::Response BadRequest(std::string_view message) { return http::Response::Error(400, message); }

// A string field that must match IsValidToken when present; nullopt result when absent/null.
std::optional<http::Response> OptionalToken(const boost::json::object& body, std::string_view name,
                                            std::optional<std::string>& out) {
  const auto* v = body.if_contains(name);
  if (v == nullptr || v->is_null()) return std::nullopt;
  const std::string field(name);
  if (!v->is_string()) return BadRequest(field + " must be a string");
  const auto& s = v->get_string();
  if (!IsValidToken({s.data(), s.size()})) {
    return BadRequest(field + " must be 1 to 128 characters of A-Z, a-z, 0-9, '_' and '-'");
  }
  out.emplace(s.data(), s.size());
  return std::nullopt;
}

void PostEvent(ApiContext& ctx, const http::Request& req, http::Reply reply) {
  auto parsed = ParseJsonObject(req.body);
  if (parsed.error) return reply(std::move(*parsed.error));
  const auto& body = parsed.object;

  const auto* type = body.if_contains("type");
  if (type == nullptr) return reply(BadRequest("type is required"));
  if (!type->is_string() || !IsValidEventType({type->get_string().data(), type->get_string().size()})) {
    return reply(BadRequest("type must be a string matching ^[a-z][a-z0-9_.]{0,63}$"));
  }
  std::optional<std::string> anonymous_id, client_id, lead_id;
  if (auto err = OptionalToken(body, "anonymous_id", anonymous_id)) return reply(std::move(*err));
  if (!anonymous_id) return reply(BadRequest("anonymous_id is required"));
  if (auto err = OptionalToken(body, "id", client_id)) return reply(std::move(*err));
  if (auto err = OptionalToken(body, "lead_id", lead_id)) return reply(std::move(*err));

  boost::json::object payload;
  payload["anonymous_id"] = *anonymous_id;
  if (const auto* props = body.if_contains("props"); props != nullptr && !props->is_null()) {
    if (!props->is_object()) return reply(BadRequest("props must be a JSON object"));
    if (auto err = CheckProps(props->get_object())) return reply(BadRequest(*err));
    payload["props"] = props->get_object();
  } else {
    payload["props"] = boost::json::object();
  }
  const auto ua = req.Header("User-Agent");
  if (!ua.empty()) {
    // Header bytes are not promised to be UTF-8; printable ASCII keeps the stored JSON valid.
    std::string agent;
    for (char c : ua.substr(0, kMaxUserAgent)) {
      agent += (c >= 0x20 && c < 0x7F) ? c : '?';
    }
    payload["user_agent"] = agent;
  }

  store::EventRecord event;
  // No client id: the event cannot be retried as the same one, so any unique id will do.
  event.id = std::string(kLandingIdPrefix) + (client_id ? *client_id : ctx.random.HexBytes(16));
  event.type.assign(type->get_string().data(), type->get_string().size());
  event.source = "landing";
  event.payload = JsonText(payload);
  event.lead_id = std::move(lead_id);
  event.created_at = ctx.clock.Now();

  std::string id = event.id;
  ctx.store.events().Insert(
      std::move(event),
      [reply = std::move(reply), id = std::move(id)](StatusOr<store::InsertOutcome> r) {
        if (!r.ok()) return reply(StoreErrorReply(r.status(), "landing event insert"));
        const bool inserted = *r == store::InsertOutcome::kInserted;
        boost::json::object o;
        o["status"] = inserted ? "accepted" : "duplicate_ignored";
        o["id"] = id;
        reply(http::Response::Json(inserted ? 202 : 200, JsonText(o)));
      });
}

void ListEvents(ApiContext& ctx, const http::Request& req, http::Reply reply) {
  ParamError err;
  store::EventQuery q;
  q.source = ParseTextParam(req, "source", 64, err);
  q.type = ParseTextParam(req, "type", 255, err);
  q.lead_id = ParseTextParam(req, "lead_id", 255, err);
  q.since = ParseTimeParam(req, "since", err);
  q.until = ParseTimeParam(req, "until", err);
  q.limit = ParseLimit(req, kDefaultLimit, kMaxLimit, err);
  if (auto c = ParseCursorParam(req, err)) q.after.emplace(c->created_at, c->id);
  if (err) return reply(std::move(*err.error));

  ctx.store.events().List(std::move(q), [reply = std::move(reply)](StatusOr<store::EventPage> r) {
    if (!r.ok()) return reply(StoreErrorReply(r.status(), "list events"));
    reply(http::Response::Json(200, PageJson(*r, EventJson)));
  });
}

}  // namespace

void RegisterEvents(http::Router& router, ApiContext& ctx) {
  const auto limited =
      RateLimitGuard(ctx.config.rate_limit_per_minute, ctx.config.trusted_proxy_hops);
  router.Add(
      http::Method::kPost, "/api/events",
      [&ctx](const http::Request& req, http::Reply reply) {
        PostEvent(ctx, req, NoStoreReply(std::move(reply)));
      },
      {.guard = limited, .json_body = true, .max_body = kMaxEventBody});
  router.Add(
      http::Method::kGet, "/api/events",
      [&ctx](const http::Request& req, http::Reply reply) {
        ListEvents(ctx, req, NoStoreReply(std::move(reply)));
      },
      {.guard = NoStoreGuard(AdminGuard(ctx.admin_token))});
}

}  // namespace hookline::api
