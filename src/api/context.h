#pragma once
// What every API handler may use, built once by app/ and read-only afterwards (the Store,
// Clock and Random are themselves thread-safe).

#include <functional>
#include <string>

#include "config/config.h"
#include "core/clock.h"
#include "core/random.h"
#include "store/store.h"

namespace hookline::api {

// The background workers as the API may poke them, set by app/ before the server starts.
// Unset hooks are skipped (a worker that is not built then polls on its own).
struct WorkerHooks {
  std::function<void()> render_queued;      // an assessment was queued
  std::function<void()> deliveries_queued;  // a delivery is due now (manual retry)
  // Where an endpoint URL points: Ok, or Invalid with a message for the client (SSRF policy,
  // DNS). done may run on another thread. Unset: only the URL's form is checked.
  std::function<void(std::string url, std::function<void(Status)> done)> check_endpoint_url;
};

struct ApiContext {
  const Config& config;
  store::Store& store;
  const Clock& clock;
  Random& random;
  std::string webhook_secret;  // resolved: from the environment or the data folder
  std::string admin_token;
  WorkerHooks hooks{};
};

}  // namespace hookline::api
