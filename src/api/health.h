#pragma once
// GET /healthz: 200 when the database answers a query, 503 otherwise.

#include "api/context.h"
#include "http/router.h"

namespace hookline::api {

void RegisterHealth(http::Router& router, ApiContext& ctx);

}  // namespace hookline::api
