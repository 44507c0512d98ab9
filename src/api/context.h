#pragma once
// What every API handler may use, built once by app/ and read-only afterwards (the Store,
// Clock and Random are themselves thread-safe).

#include <string>

#include "config/config.h"
#include "core/clock.h"
#include "core/random.h"
#include "store/store.h"

namespace hookline::api {

struct ApiContext {
  const Config& config;
  store::Store& store;
  const Clock& clock;
  Random& random;
  std::string webhook_secret;  // resolved: from the environment or the data folder
  std::string admin_token;
};

}  // namespace hookline::api
