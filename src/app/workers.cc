#include "app/workers.h"

#include <algorithm>

#include <fmt/format.h>
#include <unistd.h>

#include "delivery/delivery_worker.h"
#include "report/render_worker.h"

namespace hookline::app {
namespace {

// claimedBy of this process's leases: unique across hosts, processes and restarts.
std::string WorkerId(Random& random) {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return fmt::format("{}:{}:{}", host, ::getpid(), random.HexBytes(4));
}

}  // namespace

Workers::Workers(const Config& config, store::Store& store, const Clock& clock, Random& random) {
  const std::string id = WorkerId(random);
  delivery::DeliveryWorkerOptions d;
  d.policy.max_attempts = config.max_attempts;
  d.policy.base = std::chrono::milliseconds(config.retry_base_ms);
  d.policy.factor = config.retry_factor;
  d.timeout = std::chrono::milliseconds(config.delivery_timeout_ms);
  d.per_endpoint = config.delivery_concurrency;
  d.max_in_flight = std::max(d.max_in_flight, config.delivery_concurrency);
  d.claim_batch = std::max(d.claim_batch, config.delivery_concurrency);
  d.allow_private = config.allow_private_endpoints;
  d.worker_id = id;
  delivery_ = std::make_unique<delivery::DeliveryWorker>(store.deliveries(), clock, random, d);

  report::RenderWorkerOptions r;
  r.worker_id = id;
  render_ = std::make_unique<report::RenderWorker>(store.assessments(), clock, r,
                                                   [this] { delivery_->Notify(); });
}

Workers::~Workers() { Stop(); }

void Workers::Hook(api::ApiContext& ctx) {
  ctx.hooks.render_queued = [this] { render_->Notify(); };
  ctx.hooks.deliveries_queued = [this] { delivery_->Notify(); };
  ctx.hooks.check_endpoint_url = [this](std::string url, std::function<void(Status)> done) {
    delivery_->CheckEndpointUrl(std::move(url), std::move(done));
  };
}

void Workers::Start() {
  render_->Start();
  delivery_->Start();
}

void Workers::Stop() {
  // Renders first: a render that completes now still queues its deliveries, which the
  // delivery worker then leaves for the next start.
  if (render_) render_->Stop();
  if (delivery_) delivery_->Stop();
}

}  // namespace hookline::app
