// The embedded landing page and dashboard: URL mapping, content types, ETags, and that no
// asset needs something the Content-Security-Policy forbids (inline script or style).

#include <gtest/gtest.h>

#include <cctype>
#include <set>
#include <string>
#include <string_view>

#include "web/asset_table.h"
#include "web/assets.h"

namespace hookline::web {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

TEST(WebAssets, PagesAreServedAtTheirRoutes) {
  const Asset* index = FindAsset("/");
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
  EXPECT_NE(index->body.find("id=\"lead-form\""), std::string_view::npos);
  EXPECT_FALSE(index->immutable);

  const Asset* admin = FindAsset("/admin");
  ASSERT_NE(admin, nullptr);
  EXPECT_EQ(admin->content_type, "text/html; charset=utf-8");
  EXPECT_NE(admin->body.find("id=\"signin-form\""), std::string_view::npos);

  // The pages live only at their routes, not a second time under /static/.
  EXPECT_EQ(FindAsset("/static/index.html"), nullptr);
  EXPECT_EQ(FindAsset("/static/admin.html"), nullptr);
}

TEST(WebAssets, ScriptsStylesAndVendorFilesHaveTheirTypes) {
  const Asset* landing = FindAsset("/static/js/landing.js");
  ASSERT_NE(landing, nullptr);
  // Browsers refuse ES modules served with any other type.
  EXPECT_EQ(landing->content_type, "text/javascript; charset=utf-8");

  const Asset* api = FindAsset("/static/admin/api.js");
  ASSERT_NE(api, nullptr);
  EXPECT_EQ(api->content_type, "text/javascript; charset=utf-8");

  const Asset* css = FindAsset("/static/css/site.css");
  ASSERT_NE(css, nullptr);
  EXPECT_EQ(css->content_type, "text/css; charset=utf-8");

  const Asset* uplot = FindAsset("/static/vendor/uplot/uPlot.iife.min.js");
  ASSERT_NE(uplot, nullptr);
  EXPECT_EQ(uplot->content_type, "text/javascript; charset=utf-8");
  EXPECT_TRUE(uplot->immutable);
  EXPECT_GT(uplot->body.size(), 10000u);

  const Asset* license = FindAsset("/static/vendor/uplot/LICENSE");
  ASSERT_NE(license, nullptr);
  EXPECT_EQ(license->content_type, "text/plain; charset=utf-8");
  EXPECT_NE(license->body.find("MIT"), std::string_view::npos);

  const Asset* icon = FindAsset("/static/img/favicon.svg");
  ASSERT_NE(icon, nullptr);
  EXPECT_EQ(icon->content_type, "image/svg+xml");
}

TEST(WebAssets, UnknownPathsAreNotFound) {
  EXPECT_EQ(FindAsset(""), nullptr);
  EXPECT_EQ(FindAsset("/nope"), nullptr);
  EXPECT_EQ(FindAsset("/static/"), nullptr);
  EXPECT_EQ(FindAsset("/static/js/landing.js.map"), nullptr);
  EXPECT_EQ(FindAsset("/static/../CMakeLists.txt"), nullptr);
  EXPECT_EQ(FindAsset("/static/CMakeLists.txt"), nullptr);
  EXPECT_EQ(FindAsset("/static/assets.cc"), nullptr);
  EXPECT_EQ(FindAsset("/admin/"), nullptr);
}

TEST(WebAssets, TableIsSortedAndEveryAssetIsComplete) {
  const auto assets = AllAssets();
  ASSERT_GT(assets.size(), 10u);
  for (size_t i = 0; i < assets.size(); ++i) {
    const Asset& a = assets[i];
    SCOPED_TRACE(std::string(a.path));
    if (i > 0) {
      EXPECT_LT(assets[i - 1].path, a.path);
    }
    EXPECT_EQ(FindAsset(a.path), &a);
    EXPECT_FALSE(a.body.empty());
    EXPECT_FALSE(a.content_type.empty());
    EXPECT_NE(a.content_type, "application/octet-stream");
    EXPECT_EQ(a.immutable, a.path.starts_with("/static/vendor/"));
  }
}

TEST(WebAssets, NoInlineScriptOrStyleSoTheCspHolds) {
  for (const Asset& a : AllAssets()) {
    const bool markup = a.content_type.starts_with("text/html") || a.content_type == "image/svg+xml";
    if (!markup) continue;
    SCOPED_TRACE(std::string(a.path));
    const std::string body = Lower(a.body);
    EXPECT_EQ(body.find("<style"), std::string::npos);
    EXPECT_EQ(body.find(" style="), std::string::npos);
    EXPECT_EQ(body.find("javascript:"), std::string::npos);
    EXPECT_EQ(body.find(" onclick="), std::string::npos);
    EXPECT_EQ(body.find(" onload="), std::string::npos);
    EXPECT_EQ(body.find(" onsubmit="), std::string::npos);
    // Every <script> must load a file and have an empty body.
    for (size_t at = body.find("<script"); at != std::string::npos;
         at = body.find("<script", at + 1)) {
      const size_t tag_end = body.find('>', at);
      ASSERT_NE(tag_end, std::string::npos);
      const std::string_view tag(body.data() + at, tag_end - at);
      EXPECT_NE(tag.find(" src=\""), std::string_view::npos) << tag;
      EXPECT_EQ(body.compare(tag_end + 1, 9, "</script>"), 0) << "inline script body at " << at;
    }
  }
}

// Our scripts build the DOM from text nodes; markup from strings would both break the CSP
// (inline styles and handlers) and open the dashboard to stored XSS from event payloads.
TEST(WebAssets, OwnScriptsNeverInjectMarkup) {
  for (const Asset& a : AllAssets()) {
    if (a.content_type.find("javascript") == std::string_view::npos ||
        a.path.starts_with("/static/vendor/")) {
      continue;
    }
    SCOPED_TRACE(std::string(a.path));
    const std::string body = Lower(a.body);
    EXPECT_EQ(body.find(".innerhtml ="), std::string::npos);
    EXPECT_EQ(body.find(".outerhtml ="), std::string::npos);
    EXPECT_EQ(body.find("insertadjacenthtml"), std::string::npos);
    EXPECT_EQ(body.find("document.write"), std::string::npos);
    EXPECT_EQ(body.find("setattribute(\"style\""), std::string::npos);
    EXPECT_EQ(body.find("eval("), std::string::npos);
  }
}

TEST(WebAssets, EtagsAreQuotedAndDifferPerFile) {
  std::set<std::string_view> seen;
  for (const Asset& a : AllAssets()) {
    SCOPED_TRACE(std::string(a.path));
    ASSERT_GE(a.etag.size(), 3u);
    EXPECT_EQ(a.etag.front(), '"');
    EXPECT_EQ(a.etag.back(), '"');
    EXPECT_EQ(a.etag.find('"', 1), a.etag.size() - 1);
    EXPECT_TRUE(seen.insert(a.etag).second) << "duplicate ETag " << a.etag;
  }
}

TEST(WebAssets, ContentSecurityPolicyIsStrict) {
  const std::string_view csp = ContentSecurityPolicy();
  EXPECT_NE(csp.find("default-src 'self'"), std::string_view::npos);
  EXPECT_NE(csp.find("script-src 'self'"), std::string_view::npos);
  EXPECT_NE(csp.find("style-src 'self'"), std::string_view::npos);
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string_view::npos);
  EXPECT_EQ(csp.find("unsafe-inline"), std::string_view::npos);
  EXPECT_EQ(csp.find("unsafe-eval"), std::string_view::npos);
}

}  // namespace
}  // namespace hookline::web
