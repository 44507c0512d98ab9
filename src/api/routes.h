#pragma once
// Every route hookline serves, registered in one place (routes.cc), one Register* per resource.

#include "api/context.h"
#include "http/router.h"

namespace hookline::api {

void RegisterRoutes(http::Router& router, ApiContext& ctx);

}  // namespace hookline::api
