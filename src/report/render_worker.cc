#include "report/render_worker.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <future>

#include "core/time_format.h"
#include "report/render.h"

namespace hookline::report {
namespace {

// Waits for a store callback: the worker threads are ours to block, never a network thread.
template <class T, class Fn>
StatusOr<T> Wait(Fn&& call) {
  std::promise<StatusOr<T>> promise;
  auto future = promise.get_future();
  call([&promise](StatusOr<T> r) { promise.set_value(std::move(r)); });
  return future.get();
}

}  // namespace

std::string RenderCompletedBody(std::string_view assessment_id, SysTime completed_at) {
  // The id is FR-<digits>-<digits> (we make it), the rest is fixed text: nothing to escape.
  return fmt::format(
      R"({{"event":"{}","assessment_id":"{}","status":"completed","timestamp":"{}"}})",
      kRenderCompleted, assessment_id, FormatIsoMillis(completed_at));
}

std::string WebhookIdFor(std::string_view assessment_id, std::string_view event) {
  return fmt::format("{}:{}", assessment_id, event);
}

RenderWorker::RenderWorker(store::AssessmentStore& store, const Clock& clock,
                           RenderWorkerOptions options, std::function<void()> deliveries_queued)
    : store_(store),
      clock_(clock),
      options_(std::move(options)),
      deliveries_queued_(std::move(deliveries_queued)) {}

RenderWorker::~RenderWorker() { Stop(); }

void RenderWorker::Start() {
  for (int i = 0; i < std::max(1, options_.threads); ++i) {
    threads_.emplace_back([this, i] { Loop(i); });
  }
}

void RenderWorker::Notify() {
  std::lock_guard lock(mu_);
  ++kicks_;
  cv_.notify_one();
}

void RenderWorker::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void RenderWorker::Loop(int index) {
  const std::string worker = fmt::format("{}/render-{}", options_.worker_id, index);
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      kicks_ = 0;  // this pass claims whatever is queued now
    }
    // Drain: one render after another while work is due.
    while (RenderOne(worker)) {
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, options_.idle_poll, [this] { return stopping_ || kicks_ > 0; });
    if (stopping_) return;
  }
}

bool RenderWorker::RenderOne(const std::string& worker) {
  auto claimed = Wait<std::optional<store::AssessmentRecord>>([&](auto done) {
    store_.ClaimNextRender(worker, clock_.Now(), options_.lease, std::move(done));
  });
  if (!claimed.ok()) {
    spdlog::warn("render worker: cannot claim an assessment: {}", claimed.status().message());
    return false;
  }
  if (!claimed->has_value()) return false;
  const auto& a = **claimed;

  ReportInput input{a.id,      a.company,   a.email.value_or(""), a.stage.value_or(""),
                    a.answers, a.created_at};
  auto pdf = RenderPdf(input);
  if (!pdf.ok()) {
    spdlog::error("assessment {}: render failed: {}", a.id, pdf.status().message());
    auto failed = Wait<bool>([&](auto done) {
      store_.FailRender(a.id, worker, pdf.status().message(), clock_.Now(), std::move(done));
    });
    if (!failed.ok()) spdlog::warn("assessment {}: cannot record the failure", a.id);
    return true;
  }

  store::CompletedRender done_render;
  done_render.assessment_id = a.id;
  done_render.worker = worker;
  done_render.pdf = std::move(*pdf);
  done_render.completed_at = clock_.Now();
  done_render.event = std::string(kRenderCompleted);
  done_render.webhook_id = WebhookIdFor(a.id, kRenderCompleted);
  done_render.body = RenderCompletedBody(a.id, done_render.completed_at);
  auto queued =
      Wait<int>([&](auto done) { store_.CompleteRender(std::move(done_render), std::move(done)); });
  if (!queued.ok()) {
    // The row stays `rendering`; when the lease ends it is claimed and rendered again.
    spdlog::warn("assessment {}: cannot store the report: {}", a.id, queued.status().message());
    return false;
  }
  spdlog::info("assessment {} rendered; {} deliveries queued", a.id, *queued);
  if (*queued > 0 && deliveries_queued_) deliveries_queued_();
  return true;
}

}  // namespace hookline::report
