#pragma once
// Outbound deliveries (admin):
//   GET  /api/deliveries?status=&endpoint_id=&assessment_id=&limit=&cursor=
//        {"items":[{"id","endpoint_id","event","assessment_id","webhook_id","status","series",
//                   "attempts","next_attempt_at","last_error","created_at","updated_at",
//                   "delivered_at"}], "next_cursor"}  newest first
//   GET  /api/deliveries/{id}  {"delivery":{...,"body"},"attempts":[{"series","number",
//        "started_at","duration_ms","http_status","error","response_snippet"}]}
//   POST /api/deliveries/{id}/retry  202 {"delivery":{...}}: a failed delivery is queued
//        again now with a new attempt series (same body, same X-Webhook-Id); 409 otherwise.

#include "api/context.h"
#include "http/router.h"

namespace hookline::api {

void RegisterDeliveries(http::Router& router, ApiContext& ctx);

}  // namespace hookline::api
