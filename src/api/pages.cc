#include "api/pages.h"

#include "web/assets.h"

namespace hookline::api {
namespace {

// If-None-Match holds "*" or a comma-separated list of (possibly weak, W/) entity tags; a weak
// comparison is what RFC 9110 asks for here.
bool EtagMatches(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    const auto comma = header.find(',');
    std::string_view tag = header.substr(0, comma);
    while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == "*" || tag == etag) return true;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

void ServeAsset(const http::Request& req, const http::Reply& reply) {
  const web::Asset* asset = web::FindAsset(req.path);
  if (asset == nullptr) {
    return reply(http::Response::Error(404, "no such page").With("Cache-Control", "no-store"));
  }
  http::Response r;
  r.content_type = std::string(asset->content_type);
  r.With("Content-Security-Policy", std::string(web::ContentSecurityPolicy()))
      .With("X-Content-Type-Options", "nosniff")
      .With("Referrer-Policy", "strict-origin-when-cross-origin")
      .With("X-Frame-Options", "DENY")
      .With("Cross-Origin-Opener-Policy", "same-origin")
      .With("ETag", std::string(asset->etag))
      // Vendored files are named by version and never change in place; everything else is
      // revalidated on each use (cheap: a 304 with no body).
      .With("Cache-Control", asset->immutable ? "public, max-age=31536000, immutable"
                                              : "no-cache");
  if (EtagMatches(req.Header("If-None-Match"), asset->etag)) {
    r.status = 304;
    return reply(std::move(r));
  }
  r.status = 200;
  r.body = std::string(asset->body);
  reply(std::move(r));
}

}  // namespace

void RegisterPages(http::Router& router, ApiContext&) {
  router.SetFallback([](const http::Request& req, http::Reply reply) { ServeAsset(req, reply); });
}

}  // namespace hookline::api
