#pragma once
// Funnel events of the landing page and the EventLog browser:
//   POST /api/events   public, rate-limited per IP: one landing page event into EventLog
//   GET  /api/events   admin: EventLog newest first, filtered, keyset-paged
// See SPEC "Landing page" and "Admin API"; the page's sender is src/web/js/track.js.

#include "api/context.h"
#include "http/router.h"

namespace hookline::api {

// Largest accepted POST /api/events body.
inline constexpr size_t kMaxEventBody = 8 * 1024;

void RegisterEvents(http::Router& router, ApiContext& ctx);

}  // namespace hookline::api
