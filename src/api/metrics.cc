#include "api/metrics.h"

#include "api/reply.h"
#include "core/metrics.h"

namespace hookline::api {

void RegisterMetrics(http::Router& router, ApiContext& ctx) {
  router.Add(
      http::Method::kGet, "/metrics",
      [](const http::Request&, http::Reply reply) {
        http::Response r;
        r.content_type = "text/plain; version=0.0.4; charset=utf-8";
        r.body = Metrics::Get().RenderPrometheus();
        reply(std::move(r));
      },
      {.guard = AdminGuard(ctx.admin_token)});
}

}  // namespace hookline::api
