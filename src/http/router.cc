#include "http/router.h"

#include <boost/container/small_vector.hpp>
#include <boost/url/pct_string_view.hpp>

#include <strings.h>

#include <cctype>

namespace hookline::http {
namespace {

// A request's path has a handful of segments: kept inline, so routing allocates nothing.
using Segments = boost::container::small_vector<std::string_view, 8>;

Segments SplitPath(std::string_view path) {
  Segments out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    const size_t j = path.find('/', i);
    const size_t end = j == std::string_view::npos ? path.size() : j;
    out.push_back(path.substr(i, end - i));
    i = end;
  }
  return out;
}

std::string Decode(std::string_view segment) {
  // Path segments come percent-encoded; ids are compared decoded. Invalid escapes stay as is.
  if (segment.find('%') == std::string_view::npos) return std::string(segment);
  auto v = boost::urls::make_pct_string_view(segment);
  if (v.has_error()) return std::string(segment);
  return v->decode();
}

}  // namespace

bool IsJsonContentType(std::string_view ct) {
  const auto semi = ct.find(';');
  std::string_view mime = ct.substr(0, semi);
  while (!mime.empty() && std::isspace(static_cast<unsigned char>(mime.back()))) mime.remove_suffix(1);
  while (!mime.empty() && std::isspace(static_cast<unsigned char>(mime.front()))) mime.remove_prefix(1);
  // Compared case-insensitively in place, as Request::Header compares names: this runs for
  // every webhook, and a lower-cased copy would be an allocation per request.
  const auto iequal = [](std::string_view a, std::string_view b) {
    return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
  };
  if (iequal(mime, "application/json")) return true;
  return mime.size() > 17 && iequal(mime.substr(0, 12), "application/") &&
         iequal(mime.substr(mime.size() - 5), "+json");
}

void Router::Add(Method method, std::string_view pattern, Handler handler, RouteOptions options) {
  Route r{method, {}, std::move(handler), options};
  for (auto seg : SplitPath(pattern)) r.segments.emplace_back(seg);
  routes_.push_back(std::move(r));
}

bool Router::Match(const Route& route, std::span<const std::string_view> path,
                   std::vector<std::pair<std::string_view, std::string>>* params) {
  if (route.segments.size() != path.size()) return false;
  for (size_t i = 0; i < path.size(); ++i) {
    const std::string& seg = route.segments[i];
    const bool is_param = seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
    if (!is_param && seg != path[i]) return false;
  }
  if (params != nullptr) {
    for (size_t i = 0; i < path.size(); ++i) {
      const std::string& seg = route.segments[i];
      if (seg.size() > 2 && seg.front() == '{' && seg.back() == '}') {
        params->emplace_back(std::string_view(seg).substr(1, seg.size() - 2), Decode(path[i]));
      }
    }
  }
  return true;
}

void Router::Dispatch(Request& request, Reply reply) const {
  const auto path = SplitPath(request.path);
  const Method wanted = request.method == Method::kHead ? Method::kGet : request.method;
  std::string allow;
  for (const auto& route : routes_) {
    if (!Match(route, path, nullptr)) continue;
    if (route.method != wanted) {
      const auto name = MethodName(route.method);
      if (allow.find(name) == std::string::npos) {
        if (!allow.empty()) allow += ", ";
        allow += name;
        if (route.method == Method::kGet) allow += ", HEAD";
      }
      continue;
    }
    if (route.options.guard) {
      if (auto denied = route.options.guard(request)) {
        reply(std::move(*denied));
        return;
      }
    }
    if (route.options.max_body != 0 && request.body.size() > route.options.max_body) {
      reply(Response::Error(413, "request body is too large (at most " +
                                     std::to_string(route.options.max_body) + " bytes)"));
      return;
    }
    if (route.options.json_body) {
      const auto ct = request.Header("Content-Type");
      if (!ct.empty() && !IsJsonContentType(ct)) {
        reply(Response::Error(415, "Content-Type must be application/json"));
        return;
      }
    }
    Match(route, path, &request.path_params);
    route.handler(request, std::move(reply));
    return;
  }
  if (!allow.empty()) {
    reply(Response::Error(405, "method " + std::string(MethodName(request.method)) +
                                   " is not allowed here")
              .With("Allow", allow));
    return;
  }
  if (fallback_ && wanted == Method::kGet) {
    fallback_(request, std::move(reply));
    return;
  }
  reply(Response::Error(404, "no such route"));
}

}  // namespace hookline::http
