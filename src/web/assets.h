#pragma once
// The landing page and the admin dashboard, compiled into the binary so build/hookline serves
// them with no files on disk and no network. Every file under src/web/ (pages, styles, scripts,
// images, vendored libraries and their licences) becomes one Asset at build time.
//
// All data is immutable and lives for the whole program: any thread may call these functions,
// and the returned pointers and views never dangle.

#include <string_view>

namespace hookline::web {

struct Asset {
  std::string_view path;          // URL path it is served at
  std::string_view content_type;  // e.g. "text/html; charset=utf-8"
  std::string_view body;          // the bytes
  std::string_view etag;          // strong ETag, quoted, from a hash of the bytes (computed at build time)
  bool immutable;                 // true for /static/vendor/*, can be cached long
};

// URL mapping: "/" -> index.html, "/admin" -> admin.html, everything else under "/static/<relative path>".
// nullptr when there is no such asset.
const Asset* FindAsset(std::string_view url_path);

// The Content-Security-Policy header value the pages are written for.
std::string_view ContentSecurityPolicy();

}  // namespace hookline::web
