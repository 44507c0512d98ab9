#pragma once
// The landing page, the dashboard and their static files (web/assets.h), served by the
// Router's fallback for GET/HEAD paths no API route takes. Every page gets the strict
// Content-Security-Policy it is written for and the usual hardening headers; ETag and
// If-None-Match give 304s; vendored files are cached for a year, pages are revalidated.

#include "api/context.h"
#include "http/router.h"

namespace hookline::api {

void RegisterPages(http::Router& router, ApiContext& ctx);

}  // namespace hookline::api
