#include "web/assets.h"

#include <algorithm>

#include "web/asset_table.h"

namespace hookline::web {
namespace {

// The pages load scripts and styles only from files of their own origin, so no inline
// <script> or style= exists anywhere under src/web/ (web_assets_test checks it). uPlot sizes
// its canvas through element.style (CSSOM), which style-src does not restrict.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

}  // namespace

const Asset* FindAsset(std::string_view url_path) {
  const std::span<const Asset> assets = AllAssets();
  const auto it = std::lower_bound(
      assets.begin(), assets.end(), url_path,
      [](const Asset& asset, std::string_view path) { return asset.path < path; });
  if (it == assets.end() || it->path != url_path) return nullptr;
  return &*it;
}

std::string_view ContentSecurityPolicy() { return kContentSecurityPolicy; }

}  // namespace hookline::web
