#pragma once
// The generated table behind FindAsset (written by embed_assets.cc into the build folder).
// Exposed for tests and for callers that want to walk every asset, e.g. to check them all.

#include <span>

#include "web/assets.h"

namespace hookline::web {

// Every embedded asset, sorted by path (byte order), each path once.
std::span<const Asset> AllAssets();

}  // namespace hookline::web
