#include "api/reply.h"

#include <algorithm>

#include <boost/json/parse.hpp>
#include <spdlog/spdlog.h>

#include "core/json_text.h"
#include "signing/signing.h"

namespace hookline::api {

ParsedBody ParseJsonObject(std::string_view body, boost::json::storage_ptr storage) {
  // Same storage on both sides, so the move below moves instead of copying.
  ParsedBody out{boost::json::object(storage), std::nullopt};
  boost::system::error_code ec;
  boost::json::parse_options opts;
  opts.max_depth = 64;
  auto value = boost::json::parse(body, ec, storage, opts);
  if (ec) {
    out.error = http::Response::Error(400, "body is not valid JSON: " + ec.message());
    return out;
  }
  if (!value.is_object()) {
    out.error = http::Response::Error(400, "body must be a JSON object");
    return out;
  }
  out.object = std::move(value.as_object());
  return out;
}

http::Response StoreErrorReply(const Status& status, std::string_view what) {
  switch (status.code()) {
    case StatusCode::kUnavailable:
      spdlog::warn("{}: database unavailable: {}", what, status.message());
      return http::Response::Error(503, "the database is unavailable; retry later")
          .With("Retry-After", "1");
    case StatusCode::kNotFound:
      return http::Response::Error(404, status.message());
    case StatusCode::kInvalidArgument:
      return http::Response::Error(422, status.message());
    case StatusCode::kAlreadyExists:
      return http::Response::Error(409, status.message());
    default:
      spdlog::error("{}: {}", what, status.message());
      return http::Response::Error(500, "internal error");
  }
}

http::Response StatusReply(int http_status, std::string_view status) {
  // The statuses are plain words ("ok", "duplicate_ignored"): written directly, with one
  // allocation; anything that would need escaping goes through the JSON serializer.
  const bool plain = std::all_of(status.begin(), status.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
  if (!plain) {
    return http::Response::Json(
        http_status, "{\"status\":" + JsonText(boost::json::string(status)) + "}");
  }
  std::string body;
  body.reserve(status.size() + 13);
  body.append("{\"status\":\"").append(status).append("\"}");
  return http::Response::Json(http_status, std::move(body));
}

bool IsAdmin(const http::Request& request, std::string_view admin_token) {
  std::string_view auth = request.Header("Authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (auth.size() <= kBearer.size()) return false;
  // The scheme name is case-insensitive (RFC 7235).
  for (size_t i = 0; i < kBearer.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(auth[i])) !=
        std::tolower(static_cast<unsigned char>(kBearer[i]))) {
      return false;
    }
  }
  auth.remove_prefix(kBearer.size());
  return signing::SecretsEqual(auth, admin_token);
}

http::Response Unauthorized(std::string_view message) {
  return http::Response::Error(401, message).With("WWW-Authenticate", "Bearer");
}

}  // namespace hookline::api

namespace hookline::api {

http::Guard AdminGuard(const std::string& admin_token) {
  return [&admin_token](const http::Request& req) -> std::optional<http::Response> {
    if (IsAdmin(req, admin_token)) return std::nullopt;
    return Unauthorized("missing or invalid admin token (Authorization: Bearer <ADMIN_TOKEN>)");
  };
}

}  // namespace hookline::api
