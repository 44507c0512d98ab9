#pragma once
// Router: maps (method, path) to a Handler, and gives the standard error replies for what does
// not map: 404 for an unknown path, 405 with Allow for a known path and the wrong method,
// then the route's guard (authentication), 413 for a body over the route's own limit, 415 for a
// JSON route whose Content-Type is present and not JSON. Patterns are literal segments and "{name}" segments: "/api/leads/{id}".
//
// Routes are added at start-up, before the server runs; afterwards the Router is read-only and
// Dispatch may be called from any thread.

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "http/request.h"

namespace hookline::http {

// Runs before any other check of the route: returns the reply to send instead of calling the
// handler (401 for a bad secret), or nullopt to go on. So an unauthenticated caller learns
// nothing about what the route would accept.
using Guard = std::function<std::optional<Response>(const Request&)>;

struct RouteOptions {
  Guard guard;             // authentication, checked first
  bool json_body = false;  // the body must be JSON when a Content-Type is given (else 415)
  size_t max_body = 0;     // a tighter body limit than the server's (0 = the server's)
};

class Router {
 public:
  void Add(Method method, std::string_view pattern, Handler handler, RouteOptions options = {});
  // Called for GET/HEAD requests that match no route (static pages); it replies 404 itself
  // when it has nothing either.
  void SetFallback(Handler handler) { fallback_ = std::move(handler); }
  void Dispatch(Request& request, Reply reply) const;

 private:
  struct Route {
    Method method;
    std::vector<std::string> segments;  // "{name}" marks a parameter
    Handler handler;
    RouteOptions options;
  };
  static bool Match(const Route& route, std::span<const std::string_view> path,
                    std::vector<std::pair<std::string_view, std::string>>* params);

  std::vector<Route> routes_;
  Handler fallback_;
};

// True for application/json, application/<x>+json, with or without parameters.
bool IsJsonContentType(std::string_view content_type);

}  // namespace hookline::http
