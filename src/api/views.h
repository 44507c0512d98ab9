#pragma once
// JSON shapes of stored records as the admin API sends them (and the dashboard reads them),
// and the response headers every API reply of the landing/admin routes carries.

#include <boost/json/object.hpp>

#include <memory>

#include "api/rate_limiter.h"
#include "http/request.h"
#include "http/router.h"
#include "store/event_log.h"
#include "store/leads.h"

namespace hookline::api {

// {"id","type","source","lead_id","payload","created_at"}; payload is the stored JSON value
// itself (not a string), so the dashboard pretty-prints it.
boost::json::object EventJson(const store::EventRecord& event);
// Every column of Lead, snake_case; absent optional fields are null.
boost::json::object LeadJson(const store::LeadRecord& lead);

// API replies hold data that must not be kept by a browser or proxy cache.
http::Response NoStore(http::Response response);
// The Reply wrapped so whatever it sends gets Cache-Control: no-store.
http::Reply NoStoreReply(http::Reply reply);
// A guard whose refusals also get Cache-Control: no-store.
http::Guard NoStoreGuard(http::Guard guard);

// The guard of a public route: 429 {"error"} with Retry-After once the client's IP has used
// its budget of `per_minute` requests (each guard has its own budget; 0 lets everything
// through). The client's IP is the connection's peer, or taken from X-Forwarded-For behind
// `trusted_proxy_hops` proxies (ClientAddress).
http::Guard RateLimitGuard(int per_minute, int trusted_proxy_hops);

}  // namespace hookline::api
