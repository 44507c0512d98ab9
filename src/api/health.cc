#include "api/health.h"

#include <boost/json/value.hpp>

#include "core/json_text.h"
#include "core/metrics.h"

namespace hookline::api {
namespace {

constexpr const char* kWritesRefused =
    R"({"status":"unavailable",)"
    R"("error":"the database refuses writes (a full disk? a read-only server?); see the server log"})";

}  // namespace

void RegisterHealth(http::Router& router, ApiContext& ctx) {
  router.Add(http::Method::kGet, "/healthz", [&ctx](const http::Request&, http::Reply reply) {
    ctx.store.Health([reply = std::move(reply)](StatusOr<store::HealthInfo> h) {
      if (!h.ok()) {
        return reply(http::Response::Json(
                         503, R"({"status":"unavailable","error":"the database is unavailable"})")
                         .With("Retry-After", "1"));
      }
      // Reads work but writes are refused (a full disk): webhooks are answered 503, so the
      // service is not healthy, whatever a read says.
      if (Metrics::Get().WritesFailing()) {
        return reply(http::Response::Json(503, kWritesRefused).With("Retry-After", "1"));
      }
      boost::json::object o;
      o["status"] = "ok";
      o["database"] = h->backend;
      o["schema_version"] = h->schema_version;
      o["version"] = HOOKLINE_VERSION;
      reply(http::Response::Json(200, JsonText(o)));
    });
  });
}

}  // namespace hookline::api
