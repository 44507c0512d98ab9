#include "api/payment_webhook.h"

#include <boost/json/monotonic_resource.hpp>
#include <spdlog/spdlog.h>

#include "api/reply.h"
#include "core/json_text.h"
#include "core/metrics.h"
#include "core/recent_ids.h"
#include "signing/signing.h"

namespace hookline::api {
namespace {

constexpr size_t kMaxIdBytes = 255;

// A required, non-empty string field of at most kMaxIdBytes; `out` points into `body`.
std::optional<http::Response> RequireId(const boost::json::object& body, std::string_view name,
                                        std::string_view& out) {
  const auto* v = body.if_contains(name);
  const std::string field(name);
  if (v == nullptr) return http::Response::Error(400, field + " is required");
  if (!v->is_string()) return http::Response::Error(400, field + " must be a string");
  const auto& s = v->get_string();
  if (s.empty()) return http::Response::Error(400, field + " must not be empty");
  if (s.size() > kMaxIdBytes) {
    return http::Response::Error(400, field + " must be at most 255 bytes");
  }
  out = std::string_view(s.data(), s.size());
  return std::nullopt;
}

// data.lead_id: a string (kept as is) or an integer (kept as its decimal text); null or an
// empty string mean "no lead".
std::optional<http::Response> ReadLeadId(const boost::json::object& data,
                                         std::optional<std::string>& out) {
  const auto* v = data.if_contains("lead_id");
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (v->is_string()) {
    const auto& s = v->get_string();
    if (s.size() > kMaxIdBytes) {
      return http::Response::Error(400, "data.lead_id must be at most 255 bytes");
    }
    if (!s.empty()) out.emplace(s.data(), s.size());
    return std::nullopt;
  }
  if (v->is_int64()) {
    out = std::to_string(v->get_int64());
    return std::nullopt;
  }
  if (v->is_uint64()) {
    out = std::to_string(v->get_uint64());
    return std::nullopt;
  }
  return http::Response::Error(400, "data.lead_id must be a string or an integer");
}

}  // namespace

void RegisterPaymentWebhook(http::Router& router, ApiContext& ctx) {
  // Ids known to be committed: a retried event is answered without the database.
  auto recent = std::make_shared<RecentIds>();
  auto secret = std::make_shared<signing::SecretMatcher>(ctx.webhook_secret);
  router.Add(
      http::Method::kPost, "/api/webhook/payment",
      [&ctx, recent](const http::Request& req, http::Reply reply) {
        // Parsed into a stack buffer: the object dies with this call (what is kept is copied
        // into the EventRecord), so a typical webhook costs no heap allocation here.
        unsigned char buffer[4096];
        boost::json::monotonic_resource arena(buffer, sizeof buffer);
        auto parsed = ParseJsonObject(req.body, &arena);
        if (parsed.error) return reply(std::move(*parsed.error));
        const auto& body = parsed.object;

        store::EventRecord event;
        std::string_view event_id, event_type;
        if (auto err = RequireId(body, "event_id", event_id)) return reply(std::move(*err));
        if (auto err = RequireId(body, "event_type", event_type)) return reply(std::move(*err));
        const auto* data = body.if_contains("data");
        if (data != nullptr && !data->is_object()) {
          return reply(http::Response::Error(400, "data must be a JSON object"));
        }
        if (data != nullptr) {
          if (auto err = ReadLeadId(data->get_object(), event.lead_id)) return reply(std::move(*err));
        }
        // The request is valid: a retry of a committed id is answered before anything is
        // copied for the insert.
        if (recent->Contains(event_id)) {
          ++Metrics::Get().events_duplicate;
          return reply(StatusReply(200, "duplicate_ignored"));
        }
        event.id.assign(event_id.data(), event_id.size());
        event.type.assign(event_type.data(), event_type.size());
        // `data` is kept as the sender wrote it: a parsed and rewritten copy would round
        // numbers a double cannot hold (an amount with 20 digits) and respell the others.
        if (data == nullptr) {
          event.payload = "{}";
        } else if (auto text = MemberText(req.body, "data")) {
          event.payload.assign(text->data(), text->size());
        } else {
          event.payload = JsonText(*data);  // not reached for a body the parser accepted
        }
        event.source = "payment_service";
        event.created_at = ctx.clock.Now();

        std::string id = event.id;
        ctx.store.events().Insert(
            std::move(event), [reply = std::move(reply), recent, id = std::move(id)](
                                  StatusOr<store::InsertOutcome> r) {
              if (!r.ok()) return reply(StoreErrorReply(r.status(), "payment webhook"));
              recent->Add(id);  // committed now (inserted, or stored before)
              reply(*r == store::InsertOutcome::kInserted
                        ? StatusReply(200, "ok")
                        : StatusReply(200, "duplicate_ignored"));
            });
      },
      {.guard =
           [secret](const http::Request& req) -> std::optional<http::Response> {
             // The secret is checked first, before the body is even looked at.
             if (req.HasHeader("X-Webhook-Secret") &&
                 secret->Matches(req.Header("X-Webhook-Secret"))) {
               return std::nullopt;
             }
             return http::Response::Error(401, "missing or invalid X-Webhook-Secret");
           },
       .json_body = true});
}

}  // namespace hookline::api
