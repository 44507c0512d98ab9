#pragma once
// The background workers of outbound webhooks, built and owned together: the render worker
// (report/render_worker.h) and the delivery worker (delivery/delivery_worker.h), wired to each
// other (a completed render wakes the deliveries) and to the API (ApiContext::hooks).
//
// Lifetime (app.cc): construct after the store opened, Hook() before the server runs, Start()
// once it listens, Stop() after the server stopped and BEFORE the store closes (the workers
// record what is in flight). Called from the main thread only.

#include <memory>

#include "api/context.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/random.h"
#include "store/store.h"

namespace hookline::delivery {
class DeliveryWorker;
}
namespace hookline::report {
class RenderWorker;
}

namespace hookline::app {

class Workers {
 public:
  Workers(const Config& config, store::Store& store, const Clock& clock, Random& random);
  ~Workers();  // Stop()s
  void Hook(api::ApiContext& ctx);
  void Start();
  void Stop();

 private:
  std::unique_ptr<delivery::DeliveryWorker> delivery_;
  std::unique_ptr<report::RenderWorker> render_;
};

}  // namespace hookline::app
