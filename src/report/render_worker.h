#pragma once
// RenderWorker: renders queued Founding Review assessments in the background.
//
// Each thread loops: claim the next queued assessment (store lease), RenderPdf, then
// CompleteRender - which stores the PDF and queues the `render.completed` deliveries in one
// transaction - or FailRender with the reason. A render interrupted by a crash keeps its
// `rendering` row until the lease ends; then any worker (this process after a restart too)
// claims it again, so nothing is lost and the event is still emitted once.
//
// Start/Notify/Stop may be called from any thread. Notify wakes an idle thread at once (an
// assessment was queued); otherwise the threads poll every idle_poll for expired leases.
// Stop lets a render in progress finish and record its result, then joins; call it before the
// store closes.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "store/assessments.h"

namespace hookline::report {

inline constexpr std::string_view kRenderCompleted = "render.completed";

// The webhook body of render.completed, byte for byte as seed 002 shows it:
// {"event":"render.completed","assessment_id":"FR-…","status":"completed","timestamp":"…Z"}
std::string RenderCompletedBody(std::string_view assessment_id, SysTime completed_at);
// X-Webhook-Id: the receiver's idempotency key, assessment_id + event (seed 002):
// "FR-20260109-123456:render.completed". The same for every attempt and every endpoint.
std::string WebhookIdFor(std::string_view assessment_id, std::string_view event);

struct RenderWorkerOptions {
  int threads = 1;
  std::chrono::milliseconds lease{std::chrono::minutes(2)};
  std::chrono::milliseconds idle_poll{std::chrono::seconds(5)};
  std::string worker_id;  // claimedBy prefix; unique per process
};

class RenderWorker {
 public:
  // `deliveries_queued` is called (on a worker thread) after a completed render queued
  // deliveries, to wake the delivery worker.
  RenderWorker(store::AssessmentStore& store, const Clock& clock, RenderWorkerOptions options,
               std::function<void()> deliveries_queued);
  ~RenderWorker();  // Stop()s
  RenderWorker(const RenderWorker&) = delete;
  RenderWorker& operator=(const RenderWorker&) = delete;

  void Start();
  void Notify();
  void Stop();

 private:
  void Loop(int index);
  // Claims and renders one assessment; false when none was due (or the store failed).
  bool RenderOne(const std::string& worker);

  store::AssessmentStore& store_;
  const Clock& clock_;
  const RenderWorkerOptions options_;
  std::function<void()> deliveries_queued_;

  std::mutex mu_;  // guards kicks_ and stopping_
  std::condition_variable cv_;
  int kicks_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace hookline::report
