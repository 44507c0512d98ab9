#pragma once
// GET /metrics: Prometheus text format (admin token, like the rest of the admin surface).

#include "api/context.h"
#include "http/router.h"

namespace hookline::api {

void RegisterMetrics(http::Router& router, ApiContext& ctx);

}  // namespace hookline::api
