#include "api/leads.h"

#include <fmt/format.h>

#include <map>

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

// One form field: its JSON name, whether it is required, its length limit in characters, and
// whether line breaks are allowed (only the message keeps them).
struct FieldSpec {
  std::string_view name;
  bool required;
  size_t max_chars;
  bool multiline = false;
};

constexpr FieldSpec kFields[] = {
    {"name", true, 200},          {"email", true, 254},        {"company", true, 200},
    {"phone", false, 50},         {"message", false, 2000, true},
    {"utm_source", false, 200},   {"utm_medium", false, 200},  {"utm_campaign", false, 200},
    {"utm_term", false, 200},     {"utm_content", false, 200}, {"referrer", false, 2000},
    {"anonymous_id", false, 128},
};

// Reads and checks every field; messages go into `errors` keyed by field name (the page shows
// each under its input). Values are trimmed; an empty optional field is left out.
std::map<std::string, std::optional<std::string>> ReadFields(const boost::json::object& body,
                                                             boost::json::object& errors) {
  std::map<std::string, std::optional<std::string>> values;
  for (const auto& f : kFields) {
    const std::string name(f.name);
    const auto* v = body.if_contains(f.name);
    if (v == nullptr || v->is_null()) {
      if (f.required) errors[name] = "is required";
      continue;
    }
    if (!v->is_string()) {
      errors[name] = "must be a string";
      continue;
    }
    const std::string_view text = Trim({v->get_string().data(), v->get_string().size()});
    if (text.empty()) {
      if (f.required) errors[name] = "is required";
      continue;
    }
    if (CodePoints(text) > f.max_chars) {
      errors[name] = fmt::format("must be at most {} characters", f.max_chars);
      continue;
    }
    if (HasControlChars(text, f.multiline)) {
      errors[name] = "must not contain control characters";
      continue;
    }
    values[name] = std::string(text);
  }
  if (auto& email = values["email"]; email && !IsValidEmail(*email)) {
    errors["email"] = "must be a valid email address";
  }
  if (auto& phone = values["phone"]; phone && !IsValidPhone(*phone)) {
    errors["phone"] = "must be a phone number (digits, spaces, + - ( ) . /)";
  }
  if (auto& aid = values["anonymous_id"]; aid && !IsValidToken(*aid)) {
    errors["anonymous_id"] = "must be 1 to 128 characters of A-Z, a-z, 0-9, '_' and '-'";
  }
  return values;
}

void PostLead(ApiContext& ctx, const http::Request& req, http::Reply reply) {
  auto parsed = ParseJsonObject(req.body);
  if (parsed.error) return reply(std::move(*parsed.error));

  boost::json::object errors;
  auto values = ReadFields(parsed.object, errors);
  if (!errors.empty()) {
    boost::json::object o;
    o["error"] = "some fields are not valid: " + [&errors] {
      std::string names;
      for (const auto& [k, v] : errors) names += (names.empty() ? "" : ", ") + std::string(k);
      return names;
    }();
    o["fields"] = std::move(errors);
    return reply(http::Response::Json(422, JsonText(o)));
  }

  auto take = [&values](const char* name) { return std::move(values[name]); };
  store::LeadRecord lead;
  lead.id = "lead_" + ctx.random.HexBytes(12);
  lead.name = *take("name");
  lead.email = *take("email");
  lead.company = *take("company");
  lead.phone = take("phone");
  lead.message = take("message");
  lead.utm_source = take("utm_source");
  lead.utm_medium = take("utm_medium");
  lead.utm_campaign = take("utm_campaign");
  lead.utm_term = take("utm_term");
  lead.utm_content = take("utm_content");
  lead.referrer = take("referrer");
  lead.anonymous_id = take("anonymous_id");
  lead.created_at = ctx.clock.Now();

  // The lead.created row says where the lead came from, not who it is: contact details stay
  // in the Lead table only.
  store::EventRecord created;
  created.id = "lead.created:" + lead.id;
  created.type = "lead.created";
  created.source = "landing";
  created.created_at = lead.created_at;
  boost::json::object payload;
  payload["anonymous_id"] = lead.anonymous_id ? boost::json::value(*lead.anonymous_id) : nullptr;
  for (const auto& [key, value] :
       {std::pair{"utm_source", &lead.utm_source}, {"utm_medium", &lead.utm_medium},
        {"utm_campaign", &lead.utm_campaign}, {"utm_term", &lead.utm_term},
        {"utm_content", &lead.utm_content}, {"referrer", &lead.referrer}}) {
    if (*value) payload[key] = **value;
  }
  created.payload = JsonText(payload);

  ctx.store.leads().Create(
      std::move(lead), std::move(created),
      [reply = std::move(reply)](StatusOr<store::CreateLeadResult> r) {
        if (!r.ok()) return reply(StoreErrorReply(r.status(), "create lead"));
        boost::json::object o;
        o["id"] = r->lead.id;
        reply(http::Response::Json(r->created ? 201 : 200, JsonText(o)));
      });
}

void ListLeads(ApiContext& ctx, const http::Request& req, http::Reply reply) {
  ParamError err;
  store::LeadQuery q;
  q.q = ParseTextParam(req, "q", 200, err);
  q.limit = ParseLimit(req, kDefaultLimit, kMaxLimit, err);
  if (auto c = ParseCursorParam(req, err)) q.after.emplace(*ParseIso(c->created_at), c->id);
  if (err) return reply(std::move(*err.error));
  ctx.store.leads().List(std::move(q), [reply = std::move(reply)](StatusOr<store::LeadPage> r) {
    if (!r.ok()) return reply(StoreErrorReply(r.status(), "list leads"));
    reply(http::Response::Json(200, PageJson(*r, LeadJson)));
  });
}

void GetLead(ApiContext& ctx, const http::Request& req, http::Reply reply) {
  std::string id(req.Param("id"));
  if (id.empty() || id.size() > 255) return reply(http::Response::Error(404, "no lead with this id"));
  ctx.store.leads().Get(std::move(id), [reply = std::move(reply)](StatusOr<store::LeadDetail> r) {
    if (!r.ok()) {
      if (r.status().code() == StatusCode::kNotFound) {
        return reply(http::Response::Error(404, "no lead with this id"));
      }
      return reply(StoreErrorReply(r.status(), "get lead"));
    }
    boost::json::object o;
    o["lead"] = LeadJson(r->lead);
    boost::json::array timeline;
    for (const auto& e : r->timeline) timeline.push_back(EventJson(e));
    o["timeline"] = std::move(timeline);
    reply(http::Response::Json(200, JsonText(o)));
  });
}

}  // namespace

void RegisterLeads(http::Router& router, ApiContext& ctx) {
  const auto limited =
      RateLimitGuard(ctx.config.rate_limit_per_minute, ctx.config.trusted_proxy_hops);
  const auto admin = NoStoreGuard(AdminGuard(ctx.admin_token));
  router.Add(
      http::Method::kPost, "/api/leads",
      [&ctx](const http::Request& req, http::Reply reply) {
        PostLead(ctx, req, NoStoreReply(std::move(reply)));
      },
      {.guard = limited, .json_body = true, .max_body = kMaxLeadBody});
  router.Add(
      http::Method::kGet, "/api/leads",
      [&ctx](const http::Request& req, http::Reply reply) {
        ListLeads(ctx, req, NoStoreReply(std::move(reply)));
      },
      {.guard = admin});
  router.Add(
      http::Method::kGet, "/api/leads/{id}",
      [&ctx](const http::Request& req, http::Reply reply) {
        GetLead(ctx, req, NoStoreReply(std::move(reply)));
      },
      {.guard = admin});
}

}  // namespace hookline::api
