#include "api/views.h"

#include <boost/algorithm/string/predicate.hpp>

#include <boost/json/parse.hpp>

#include "core/time_format.h"

namespace hookline::api {
namespace {

boost::json::value OptString(const std::optional<std::string>& v) {
  if (!v) return nullptr;
  return boost::json::string(*v);
}

}  // namespace

boost::json::object EventJson(const store::EventRecord& e) {
  boost::json::object o;
  o["id"] = e.id;
  o["type"] = e.type;
  o["source"] = e.source;
  o["lead_id"] = OptString(e.lead_id);
  boost::system::error_code ec;
  auto payload = boost::json::parse(e.payload, ec);
  // Every row is written as JSON; should one not parse, the admin still sees its text.
  o["payload"] = ec ? boost::json::value(boost::json::string(e.payload)) : std::move(payload);
  o["created_at"] = FormatIsoMillis(e.created_at);
  return o;
}

boost::json::object LeadJson(const store::LeadRecord& l) {
  boost::json::object o;
  o["id"] = l.id;
  o["name"] = l.name;
  o["email"] = l.email;
  o["company"] = l.company;
  o["phone"] = OptString(l.phone);
  o["message"] = OptString(l.message);
  o["utm_source"] = OptString(l.utm_source);
  o["utm_medium"] = OptString(l.utm_medium);
  o["utm_campaign"] = OptString(l.utm_campaign);
  o["utm_term"] = OptString(l.utm_term);
  o["utm_content"] = OptString(l.utm_content);
  o["referrer"] = OptString(l.referrer);
  o["anonymous_id"] = OptString(l.anonymous_id);
  o["created_at"] = FormatIsoMillis(l.created_at);
  return o;
}

http::Response NoStore(http::Response response) {
  for (const auto& [name, value] : response.headers) {
    if (name == "Cache-Control") return response;
  }
  return std::move(response.With("Cache-Control", "no-store"));
}

http::Reply NoStoreReply(http::Reply reply) {
  return [reply = std::move(reply)](http::Response r) { reply(NoStore(std::move(r))); };
}

http::Guard NoStoreGuard(http::Guard guard) {
  return [guard = std::move(guard)](const http::Request& req) -> std::optional<http::Response> {
    auto denied = guard(req);
    if (denied) return NoStore(std::move(*denied));
    return denied;
  };
}

http::Guard RateLimitGuard(int per_minute, int trusted_proxy_hops) {
  std::shared_ptr<RateLimiter> limiter;
  if (per_minute > 0) limiter = std::make_shared<RateLimiter>(per_minute);
  return [limiter = std::move(limiter), trusted_proxy_hops](
             const http::Request& req) -> std::optional<http::Response> {
    if (!limiter) return std::nullopt;
    std::string behind_proxies;
    std::string_view client = req.remote_ip;
    if (trusted_proxy_hops > 0) {
      std::vector<std::string_view> forwarded;
      for (const auto& [name, value] : req.headers) {
        if (boost::algorithm::iequals(name, "X-Forwarded-For")) forwarded.push_back(value);
      }
      behind_proxies = ClientAddress(req.remote_ip, forwarded, trusted_proxy_hops);
      client = behind_proxies;
    }
    const auto decision = limiter->Take(client, std::chrono::steady_clock::now());
    if (decision.allowed) return std::nullopt;
    return NoStore(http::Response::Error(429, "too many requests from this address; retry later")
                       .With("Retry-After", std::to_string(decision.retry_after.count())));
  };
}

}  // namespace hookline::api
