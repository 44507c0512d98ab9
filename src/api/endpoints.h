#pragma once
// Webhook endpoints (admin):
//   POST   /api/endpoints                     {"url","events",["secret"],["description"],
//                                             ["enabled"]} -> 201 endpoint + "secret"
//   GET    /api/endpoints                     {"items":[endpoint...]}
//   GET    /api/endpoints/{id}                endpoint
//   PATCH  /api/endpoints/{id}                {"url"?,"events"?,"enabled"?,"description"?}
//   DELETE /api/endpoints/{id}                204
//   POST   /api/endpoints/{id}/secret/rotate  {"id","secret"}
// An endpoint is {"id","url","events","enabled","description","created_at","updated_at"}; its
// secret is shown only by the create and rotate replies. URLs pass the SSRF policy
// (delivery/url_policy.h; with DNS through ApiContext::hooks) at create and patch; the client
// checks again at connect time.

#include "api/context.h"
#include "http/router.h"

namespace hookline::api {

void RegisterEndpoints(http::Router& router, ApiContext& ctx);

}  // namespace hookline::api
