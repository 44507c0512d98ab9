#include "api/endpoints.h"

#include <memory>

#include "api/reply.h"
#include "api/validate.h"
#include "api/views.h"
#include "core/json_text.h"
#include "core/time_format.h"
#include "delivery/url_policy.h"

namespace hookline::api {
namespace {

constexpr size_t kMaxBody = 16 << 10;
constexpr size_t kMaxDescription = 200;  // code points
constexpr size_t kSecretBytes = 32;      // generated secrets: 32 random bytes, hex
constexpr size_t kMinSecret = 16;
constexpr size_t kMaxSecret = 256;
// The event types an endpoint may subscribe to.
constexpr std::string_view kKnownEvents[] = {"render.completed"};

http::Response FieldError(std::string_view field, std::string message) {
  boost::json::object o;
  o["error"] = message;
  o["field"] = field;
  return http::Response::Json(422, JsonText(o));
}

boost::json::object EndpointJson(const store::EndpointRecord& e) {
  boost::json::object o;
  o["id"] = e.id;
  o["url"] = e.url;
  boost::json::array events;
  for (const auto& ev : e.events) events.emplace_back(ev);
  o["events"] = std::move(events);
  o["enabled"] = e.enabled;
  o["description"] = e.description ? boost::json::value(*e.description) : nullptr;
  o["created_at"] = FormatIsoMillis(e.created_at);
  o["updated_at"] = FormatIsoMillis(e.updated_at);
  return o;
}

std::optional<http::Response> ReadUrl(const boost::json::value& v, std::string& out) {
  if (!v.is_string()) return FieldError("url", "url must be a string");
  const auto url = Trim(v.get_string());
  auto parsed = delivery::ParseEndpointUrl(url);
  if (!parsed.ok()) return FieldError("url", parsed.status().message());
  out = std::string(url);
  return std::nullopt;
}

std::optional<http::Response> ReadEvents(const boost::json::value& v,
                                         std::vector<std::string>& out) {
  if (!v.is_array() || v.get_array().empty()) {
    return FieldError("events", "events must be a non-empty array, e.g. [\"render.completed\"]");
  }
  for (const auto& e : v.get_array()) {
    bool known = false;
    if (e.is_string()) {
      for (auto k : kKnownEvents) known = known || k == e.get_string();
    }
    if (!known) return FieldError("events", "events may only contain \"render.completed\"");
    const std::string name(e.get_string());
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  }
  return std::nullopt;
}

std::optional<http::Response> ReadDescription(const boost::json::value& v,
                                              std::optional<std::string>& out) {
  if (v.is_null()) return std::nullopt;
  if (!v.is_string()) return FieldError("description", "description must be a string");
  const auto d = Trim(v.get_string());
  if (CodePoints(d) > kMaxDescription || HasControlChars(d)) {
    return FieldError("description", "description must be at most 200 characters of text");
  }
  if (!d.empty()) out = std::string(d);
  return std::nullopt;
}

std::optional<http::Response> ReadEnabled(const boost::json::value& v, bool& out) {
  if (!v.is_bool()) return FieldError("enabled", "enabled must be true or false");
  out = v.get_bool();
  return std::nullopt;
}

// Runs the DNS/SSRF check when the app installed one, then `next` (on any thread).
void CheckUrl(ApiContext& ctx, const std::string& url, http::Reply reply,
              std::function<void(http::Reply)> next) {
  if (!ctx.hooks.check_endpoint_url) return next(std::move(reply));
  auto shared_reply = std::make_shared<http::Reply>(std::move(reply));
  ctx.hooks.check_endpoint_url(url, [shared_reply, next = std::move(next)](Status st) {
    if (!st.ok()) return (*shared_reply)(FieldError("url", st.message()));
    next(std::move(*shared_reply));
  });
}

void Create(ApiContext& ctx, const http::Request& req, http::Reply reply) {
  auto parsed = ParseJsonObject(req.body);
  if (parsed.error) return reply(std::move(*parsed.error));
  const auto& body = parsed.object;
  store::EndpointRecord e;
  const auto* url = body.if_contains("url");
  if (url == nullptr || url->is_null()) return reply(FieldError("url", "url is required"));
  if (auto err = ReadUrl(*url, e.url)) return reply(std::move(*err));
  const auto* events = body.if_contains("events");
  if (events == nullptr || events->is_null()) {
    return reply(FieldError("events", "events is required, e.g. [\"render.completed\"]"));
  }
  if (auto err = ReadEvents(*events, e.events)) return reply(std::move(*err));
  if (const auto* d = body.if_contains("description")) {
    if (auto err = ReadDescription(*d, e.description)) return reply(std::move(*err));
  }
  if (const auto* en = body.if_contains("enabled")) {
    if (auto err = ReadEnabled(*en, e.enabled)) return reply(std::move(*err));
  }
  if (const auto* s = body.if_contains("secret"); s != nullptr && !s->is_null()) {
    if (!s->is_string() || s->get_string().size() < kMinSecret ||
        s->get_string().size() > kMaxSecret || HasControlChars(s->get_string()) ||
        Trim(s->get_string()).size() != s->get_string().size()) {
      return reply(
          FieldError("secret", "secret must be 16 to 256 characters without spaces around it"));
    }
    e.secret = std::string(s->get_string());
  } else {
    e.secret = ctx.random.HexBytes(kSecretBytes);
  }
  e.id = "ep_" + ctx.random.HexBytes(8);
  e.created_at = e.updated_at = ctx.clock.Now();
  const std::string check = e.url;
  CheckUrl(ctx, check, std::move(reply), [&ctx, e = std::move(e)](http::Reply reply) mutable {
    ctx.store.endpoints().Create(std::move(e),
                                 [reply = std::move(reply)](StatusOr<store::EndpointRecord> r) {
                                   if (!r.ok())
                                     return reply(StoreErrorReply(r.status(), "create endpoint"));
                                   auto o = EndpointJson(*r);
                                   o["secret"] = r->secret;  // shown this once
                                   reply(http::Response::Json(201, JsonText(o))
                                             .With("Location", "/api/endpoints/" + r->id));
                                 });
  });
}

void Patch(ApiContext& ctx, const http::Request& req, http::Reply reply) {
  auto parsed = ParseJsonObject(req.body);
  if (parsed.error) return reply(std::move(*parsed.error));
  store::EndpointPatch p;
  for (const auto& [key, value] : parsed.object) {
    if (key == "url") {
      std::string url;
      if (auto err = ReadUrl(value, url)) return reply(std::move(*err));
      p.url = std::move(url);
    } else if (key == "events") {
      std::vector<std::string> events;
      if (auto err = ReadEvents(value, events)) return reply(std::move(*err));
      p.events = std::move(events);
    } else if (key == "enabled") {
      bool enabled = true;
      if (auto err = ReadEnabled(value, enabled)) return reply(std::move(*err));
      p.enabled = enabled;
    } else if (key == "description") {
      std::optional<std::string> d;
      if (auto err = ReadDescription(value, d)) return reply(std::move(*err));
      p.description = std::move(d);
    } else if (key == "secret") {
      return reply(FieldError("secret",
                              "the secret changes only through "
                              "POST /api/endpoints/{id}/secret/rotate"));
    } else {
      return reply(FieldError(key, std::string(key) + " is not a field of an endpoint"));
    }
  }
  p.now = ctx.clock.Now();
  const std::optional<std::string> new_url = p.url;  // p moves into the lambda below
  auto update = [&ctx, id = std::string(req.Param("id")),
                 p = std::move(p)](http::Reply reply) mutable {
    ctx.store.endpoints().Update(
        std::move(id), std::move(p), [reply = std::move(reply)](StatusOr<store::EndpointRecord> r) {
          if (!r.ok()) return reply(StoreErrorReply(r.status(), "update endpoint"));
          reply(http::Response::Json(200, JsonText(EndpointJson(*r))));
        });
  };
  if (new_url) return CheckUrl(ctx, *new_url, std::move(reply), std::move(update));
  update(std::move(reply));
}

}  // namespace

void RegisterEndpoints(http::Router& router, ApiContext& ctx) {
  const auto admin = NoStoreGuard(AdminGuard(ctx.admin_token));
  router.Add(http::Method::kPost, "/api/endpoints",
             [&ctx](const http::Request& req, http::Reply reply) {
               Create(ctx, req, NoStoreReply(std::move(reply)));
             },
             {.guard = admin, .json_body = true, .max_body = kMaxBody});
  router.Add(http::Method::kGet, "/api/endpoints",
             [&ctx](const http::Request&, http::Reply reply) {
               ctx.store.endpoints().List([reply = NoStoreReply(std::move(reply))](
                                              StatusOr<std::vector<store::EndpointRecord>> r) {
                 if (!r.ok()) return reply(StoreErrorReply(r.status(), "list endpoints"));
                 boost::json::array items;
                 for (const auto& e : *r) items.push_back(EndpointJson(e));
                 boost::json::object o;
                 o["items"] = std::move(items);
                 reply(http::Response::Json(200, JsonText(o)));
               });
             },
             {.guard = admin});
  router.Add(http::Method::kGet, "/api/endpoints/{id}",
             [&ctx](const http::Request& req, http::Reply reply) {
               ctx.store.endpoints().Get(
                   std::string(req.Param("id")),
                   [reply = NoStoreReply(std::move(reply))](StatusOr<store::EndpointRecord> r) {
                     if (!r.ok()) return reply(StoreErrorReply(r.status(), "get endpoint"));
                     reply(http::Response::Json(200, JsonText(EndpointJson(*r))));
                   });
             },
             {.guard = admin});
  router.Add(http::Method::kPatch, "/api/endpoints/{id}",
             [&ctx](const http::Request& req, http::Reply reply) {
               Patch(ctx, req, NoStoreReply(std::move(reply)));
             },
             {.guard = admin, .json_body = true, .max_body = kMaxBody});
  router.Add(http::Method::kDelete, "/api/endpoints/{id}",
             [&ctx](const http::Request& req, http::Reply reply) {
               ctx.store.endpoints().Delete(
                   std::string(req.Param("id")), ctx.clock.Now(),
                   [reply = NoStoreReply(std::move(reply))](StatusOr<bool> r) {
                     if (!r.ok()) return reply(StoreErrorReply(r.status(), "delete endpoint"));
                     http::Response res;
                     res.status = 204;
                     reply(std::move(res));
                   });
             },
             {.guard = admin});
  router.Add(http::Method::kPost, "/api/endpoints/{id}/secret/rotate",
             [&ctx](const http::Request& req, http::Reply reply) {
               store::EndpointPatch p;
               p.secret = ctx.random.HexBytes(kSecretBytes);
               p.now = ctx.clock.Now();
               ctx.store.endpoints().Update(
                   std::string(req.Param("id")), std::move(p),
                   [reply = NoStoreReply(std::move(reply))](StatusOr<store::EndpointRecord> r) {
                     if (!r.ok())
                       return reply(StoreErrorReply(r.status(), "rotate endpoint secret"));
                     auto o = EndpointJson(*r);
                     o["secret"] = r->secret;  // shown this once
                     reply(http::Response::Json(200, JsonText(o)));
                   });
             },
             {.guard = admin});
}

}  // namespace hookline::api
