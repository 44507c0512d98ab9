#include "http/request.h"

#include <boost/json/string.hpp>
#include <boost/url/params_view.hpp>
#include <boost/url/parse_query.hpp>

#include <strings.h>

#include "core/json_text.h"

namespace hookline::http {

std::string_view MethodName(Method m) {
  switch (m) {
    case Method::kGet: return "GET";
    case Method::kHead: return "HEAD";
    case Method::kPost: return "POST";
    case Method::kPut: return "PUT";
    case Method::kPatch: return "PATCH";
    case Method::kDelete: return "DELETE";
    case Method::kOptions: return "OPTIONS";
    case Method::kOther: break;
  }
  return "OTHER";
}

std::string_view Request::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && strncasecmp(k.data(), name.data(), k.size()) == 0) return v;
  }
  return {};
}

bool Request::HasHeader(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && strncasecmp(k.data(), name.data(), k.size()) == 0) return true;
  }
  return false;
}

std::string_view Request::Param(std::string_view name) const {
  for (const auto& [k, v] : path_params) {
    if (k == name) return v;
  }
  return {};
}

std::optional<std::string> Request::QueryParam(std::string_view name) const {
  if (query.empty()) return std::nullopt;
  // params_view decodes percent-escapes and '+' as space (form encoding).
  boost::urls::encoding_opts opts;
  opts.space_as_plus = true;
  // `query` is a slice of the request line, not NUL-terminated, and Debian's libboost_url
  // 1.81 parse_query/params_view read such a view up to the next NUL (strlen, caught by ASan):
  // the last parameter's value then ran on into the headers. A terminated copy is safe.
  const std::string owned(query);
  // Validate first: the params_view constructor throws on malformed escapes.
  if (boost::urls::parse_query(owned).has_error()) return std::nullopt;
  const boost::urls::params_view params(owned, opts);
  for (const auto& p : params) {
    if (p.key == name) return std::string(p.value);
  }
  return std::nullopt;
}

Response Response::Json(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response Response::Error(int status, std::string_view message) {
  Response r;
  r.status = status;
  r.body = "{\"error\":" + JsonText(boost::json::string(message)) + "}";
  return r;
}

}  // namespace hookline::http
