#pragma once
// Helpers every API file uses to read JSON bodies and to answer errors the same way.
//
// Two messages are kept apart: the client sees a short, safe text; the log gets the detail
// (never a secret, never a body).

#include <boost/json/value.hpp>

#include <string>
#include <string_view>

#include "core/status.h"
#include "http/request.h"
#include "http/router.h"

namespace hookline::api {

// Parses a request body that must be a JSON object. On failure the Response is the 400 to send
// ("body is not valid JSON: ...", "body must be a JSON object").
struct ParsedBody {
  boost::json::object object;
  std::optional<http::Response> error;
};
// `storage` lets a handler parse into a stack buffer (boost::json::monotonic_resource) when the
// object does not outlive it; the default is the heap.
ParsedBody ParseJsonObject(std::string_view body, boost::json::storage_ptr storage = {});

// A store failure as the client sees it: kUnavailable -> 503 with Retry-After (the sender
// retries), kNotFound -> 404, kInvalidArgument -> 422, kAlreadyExists -> 409, else 500.
// Logs the detail with `what` (e.g. "payment webhook insert").
http::Response StoreErrorReply(const Status& status, std::string_view what);

// {"status": "<status>"} with the given HTTP status.
http::Response StatusReply(int http_status, std::string_view status);

// `Authorization: Bearer <token>` compared in constant time with the admin token.
bool IsAdmin(const http::Request& request, std::string_view admin_token);
// 401 {"error": ...} with WWW-Authenticate.
http::Response Unauthorized(std::string_view message);
// The route guard of every admin route (RouteOptions::guard).
http::Guard AdminGuard(const std::string& admin_token);

}  // namespace hookline::api
