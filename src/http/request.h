#pragma once
// The HTTP request and response as the rest of hookline sees them: plain types, no Beast.
//
// A Request's string_views point into the connection's buffers: they are valid until the
// handler calls its Reply (or returns without having kept a copy). A handler that finishes
// asynchronously copies what it needs first. A Reply must be called exactly once, from any
// thread; the connection writes the Response on its own thread. (If a handler drops its Reply
// without calling it, the client gets a 500 rather than a hung connection.)

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hookline::http {

enum class Method { kGet, kHead, kPost, kPut, kPatch, kDelete, kOptions, kOther };

std::string_view MethodName(Method m);

struct Request {
  Method method = Method::kOther;
  std::string_view target;  // as received: path and query
  std::string_view path;    // before '?', still percent-encoded
  std::string_view query;   // after '?', still percent-encoded
  std::string_view body;
  std::string_view remote_ip;
  std::vector<std::pair<std::string_view, std::string_view>> headers;
  // Filled by the Router from "{name}" segments of the route pattern (percent-decoded).
  std::vector<std::pair<std::string_view, std::string>> path_params;

  // Case-insensitive; empty when absent.
  std::string_view Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
  // The decoded value of a path parameter; empty when absent.
  std::string_view Param(std::string_view name) const;
  // The decoded value of the first query parameter `name`; nullopt when absent.
  std::optional<std::string> QueryParam(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  bool close = false;  // close the connection after this response

  // A JSON body that is already serialized.
  static Response Json(int status, std::string body);
  // {"error": message}, JSON-escaped.
  static Response Error(int status, std::string_view message);
  Response& With(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

using Reply = std::function<void(Response)>;
using Handler = std::function<void(const Request&, Reply)>;

}  // namespace hookline::http
