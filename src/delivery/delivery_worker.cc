#include "delivery/delivery_worker.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <pthread.h>

#include <boost/asio/ip/tcp.hpp>

#include "delivery/url_policy.h"

namespace hookline::delivery {
namespace asio = boost::asio;
using std::chrono::milliseconds;

namespace {

// Length of the valid UTF-8 sequence at s[i], 0 when it is not one.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  size_t n = 0;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0 && c >= 0xC2)
    n = 2;
  else if ((c & 0xF0) == 0xE0)
    n = 3;
  else if ((c & 0xF8) == 0xF0 && c <= 0xF4)
    n = 4;
  else
    return 0;
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  }
  return n;
}

}  // namespace

std::string SafeSnippet(std::string_view bytes, size_t max_bytes) {
  std::string out;
  for (size_t i = 0; i < bytes.size();) {
    const size_t n = Utf8SequenceLength(bytes, i);
    const size_t add = n == 0 ? 3 : n;
    if (out.size() + add > max_bytes) break;
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(bytes.substr(i, n));
      i += n;
    }
  }
  return out;
}

DeliveryWorker::DeliveryWorker(store::DeliveryStore& store, const Clock& clock, Random& random,
                               DeliveryWorkerOptions options)
    : store_(store),
      clock_(clock),
      random_(random),
      options_(std::move(options)),
      worker_(options_.worker_id + "/delivery"),
      // Long enough that a live attempt never loses its claim (the attempt is bounded by the
      // timeout; recording it takes a commit), short enough that after a crash the attempts
      // that were in flight are sent again soon: 2 x timeout + 5 s (25 s by default).
      lease_(options_.timeout * 2 + std::chrono::seconds(5)),
      work_(asio::make_work_guard(ioc_)),
      io_thread_([this] { ioc_.run(); }) {
  HttpClientOptions client_options;
  client_options.allow_private = options_.allow_private;
  client_options.max_connections_per_host = static_cast<size_t>(std::max(1, options_.per_endpoint));
  client_options.user_agent = std::string("hookline/") + HOOKLINE_VERSION;
  client_ = std::make_unique<HttpClient>(ioc_, client_options);
  pthread_setname_np(io_thread_.native_handle(), "hl-delivery-io");
}

DeliveryWorker::~DeliveryWorker() {
  Stop();
  client_.reset();
  work_.reset();
  ioc_.stop();
  if (io_thread_.joinable()) io_thread_.join();
}

void DeliveryWorker::Start() {
  loop_thread_ = std::thread([this] { Loop(); });
  pthread_setname_np(loop_thread_.native_handle(), "hl-delivery");
}

void DeliveryWorker::Notify() {
  std::lock_guard lock(mu_);
  kicked_ = true;
  cv_.notify_one();
}

void DeliveryWorker::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cv_.notify_one();
  }
  if (loop_thread_.joinable()) loop_thread_.join();
}

void DeliveryWorker::Loop() {
  // Never waits on the store: claims, records and NextDue look-ups are submitted and their
  // callbacks (on the store's threads) only update the fields below and wake this thread. So a
  // batch of results is recorded while the next claim runs - with SQLite's group commit both
  // usually share one transaction - and attempts keep going out while either commits.
  std::unique_lock lock(mu_);
  for (;;) {
    if (!to_send_.empty()) {
      // One hand-off to the client's thread per claimed batch, not one per attempt: signing
      // and the client's own posts then happen on that thread, without waking it per row.
      auto batch = std::move(to_send_);
      to_send_.clear();
      lock.unlock();
      asio::post(ioc_, [this, batch = std::move(batch)]() mutable {
        for (auto& c : batch) Send(std::move(c));
      });
      lock.lock();
      continue;
    }
    if (!results_.empty() && !recording_) {
      recording_ = true;
      auto batch = std::move(results_);
      results_.clear();
      // Their slots are free from here on: the store runs writes in the order they were
      // submitted (store/deliveries.h), so a claim submitted after this record sees these rows
      // recorded, and both usually commit in one transaction - the next rows go out one commit
      // after these answers, not two. If the record fails, the rows stay `delivering` in the
      // store, whose per-endpoint count keeps any claim within the limit until their leases end.
      in_flight_ -= static_cast<int>(batch.size());
      kicked_ = true;
      lock.unlock();
      StartRecord(std::move(batch));
      lock.lock();
      continue;
    }
    if (stopping_) {
      if (in_flight_ == 0 && !claiming_ && !recording_ && !looking_up_) return;
      cv_.wait(lock);
      continue;
    }
    const SysTime now = clock_.Now();
    const int free = options_.max_in_flight - in_flight_;
    if (free > 0 && !claiming_ && (kicked_ || now >= next_check_)) {
      kicked_ = false;
      claiming_ = true;
      lock.unlock();
      StartClaim(now, std::min(free, options_.claim_batch));
      lock.lock();
      continue;
    }
    // Wake for: new results or claims, a stop, or a kick that can be acted on now. A kick while
    // every slot is taken waits for a recorded batch (which frees slots and kicks again).
    auto wait = options_.idle_poll;  // a running claim or a recorded batch wakes us
    if (!claiming_ && free > 0) {
      wait = std::clamp(std::chrono::duration_cast<milliseconds>(next_check_ - clock_.Now()),
                        milliseconds(1), options_.idle_poll);
    }
    cv_.wait_for(lock, wait, [this] {
      return stopping_ || !to_send_.empty() || (!results_.empty() && !recording_) ||
             (kicked_ && !claiming_ && in_flight_ < options_.max_in_flight);
    });
  }
}

void DeliveryWorker::StartRecord(std::vector<store::AttemptResult> batch) {
  const auto n = static_cast<int>(batch.size());
  store_.RecordAttempts(std::move(batch), [this, n](StatusOr<int> recorded) {
    if (!recorded.ok()) {
      // The rows stay `delivering`; their leases end and they are sent again.
      spdlog::error("delivery: cannot record {} attempt results: {}", n,
                    recorded.status().message());
    }
    std::lock_guard lock(mu_);
    recording_ = false;
    kicked_ = true;  // a retry may be due already
    cv_.notify_one();
  });
}

void DeliveryWorker::StartClaim(SysTime now, int limit) {
  store::ClaimRequest request{worker_, now, lease_, limit, options_.per_endpoint,
                              options_.policy.max_attempts};
  store_.ClaimDue(std::move(request),
                  [this, now, limit](StatusOr<std::vector<store::ClaimedDelivery>> claimed) {
                    std::unique_lock lock(mu_);
                    claiming_ = false;
                    if (!claimed.ok()) {
                      spdlog::warn("delivery: cannot claim: {}", claimed.status().message());
                      next_check_ = now + std::chrono::seconds(1);
                      cv_.notify_one();
                      return;
                    }
                    const bool more = static_cast<int>(claimed->size()) == limit;
                    in_flight_ += static_cast<int>(claimed->size());
                    for (auto& c : *claimed) to_send_.push_back(std::move(c));
                    // A short batch that still got rows while attempts are in flight: the endpoint
                    // is at its limit and recording its attempts kicks the next claim, which also
                    // takes any other row that has become due. NextDue only when that flow may
                    // stop: nothing in flight, or nothing claimable (a row due later is then
                    // claimed at its time, else after idle_poll at most).
                    const bool look_up = !more && (in_flight_ == 0 || claimed->empty());
                    if (more) {
                      kicked_ = true;  // a full batch: there may be more due right now
                    } else {
                      // Until NextDue answers, look again after idle_poll (or when kicked).
                      next_check_ = clock_.Now() + options_.idle_poll;
                      looking_up_ = look_up;
                    }
                    cv_.notify_one();
                    if (!look_up) return;
                    lock.unlock();
                    store_.NextDue([this](StatusOr<std::optional<SysTime>> next) {
                      std::lock_guard lock(mu_);
                      looking_up_ = false;
                      if (next.ok() && next->has_value()) {
                        // Due already but not claimable (the endpoint is at its limit, or another
                        // instance holds it): completions kick us; else look again shortly.
                        const SysTime after = clock_.Now();
                        next_check_ =
                            std::min(next_check_, std::max(**next, after + milliseconds(100)));
                      }
                      cv_.notify_one();
                    });
                  });
}

void DeliveryWorker::Send(store::ClaimedDelivery claimed) {
  // On the io_context thread (see Loop), the only user of signer_.
  PostRequest request;
  request.url = claimed.url;
  request.timeout = options_.timeout;
  request.headers = {
      {"Content-Type", "application/json"},
      {"X-Webhook-Signature", signer_.SignatureHex(claimed.secret, claimed.delivery.body)},
      {"X-Webhook-Attempt", std::to_string(claimed.attempt_number)},
      {"X-Webhook-Id", claimed.delivery.webhook_id},
  };
  request.body = std::move(claimed.delivery.body);  // Judge does not need it
  const SysTime started = clock_.Now();
  client_->Post(std::move(request),
                [this, claimed = std::move(claimed), started](PostResult result) {
                  auto recorded = Judge(claimed, result, started);
                  std::lock_guard lock(mu_);
                  results_.push_back(std::move(recorded));
                  // Loop acts on results only when no record is running (its end wakes Loop
                  // anyway) and takes them all at once: wake it for the first one only.
                  if (results_.size() == 1 && !recording_) cv_.notify_one();
                });
}

store::AttemptResult DeliveryWorker::Judge(const store::ClaimedDelivery& c, const PostResult& r,
                                           SysTime started) {
  store::AttemptResult out;
  out.delivery_id = c.delivery.id;
  out.worker = worker_;
  out.now = clock_.Now();
  auto& a = out.attempt;
  a.series = c.delivery.series;
  a.number = c.attempt_number;
  a.started_at = started;
  a.duration_ms = std::chrono::duration_cast<milliseconds>(r.duration).count();
  if (r.http_status != 0) a.http_status = r.http_status;
  if (!r.error.empty()) a.error = r.error;
  if (!r.body_snippet.empty())
    a.response_snippet = SafeSnippet(r.body_snippet, options_.max_snippet_bytes);

  const bool ok = r.error.empty() && r.http_status >= 200 && r.http_status < 300;
  if (ok) {
    out.outcome = store::AttemptOutcome::kDelivered;
    spdlog::info("delivery {} attempt {} to endpoint {}: HTTP {}, delivered", c.delivery.id,
                 a.number, c.delivery.endpoint_id, r.http_status);
    return out;
  }
  const std::string what = r.error.empty() ? fmt::format("HTTP {}", r.http_status) : r.error;
  if (c.attempt_number >= options_.policy.max_attempts) {
    out.outcome = store::AttemptOutcome::kFailed;
    spdlog::warn("delivery {} attempt {} to endpoint {}: {}; no attempts left, failed",
                 c.delivery.id, a.number, c.delivery.endpoint_id, what);
    return out;
  }
  std::optional<milliseconds> retry_after;
  if (r.retry_after) retry_after = ParseRetryAfter(*r.retry_after, out.now);
  const auto delay =
      RetryDelay(options_.policy, c.attempt_number, r.http_status, retry_after, random_);
  out.outcome = store::AttemptOutcome::kRetry;
  out.next_attempt_at = out.now + delay;
  spdlog::info("delivery {} attempt {} to endpoint {}: {}; retry in {} ms", c.delivery.id, a.number,
               c.delivery.endpoint_id, what, delay.count());
  return out;
}

void DeliveryWorker::CheckEndpointUrl(std::string url, std::function<void(Status)> done) {
  auto parsed = ParseEndpointUrl(url);
  if (!parsed.ok()) return done(parsed.status());
  if (options_.allow_private) return done(Status::Ok());
  auto resolver = std::make_shared<asio::ip::tcp::resolver>(ioc_);
  const std::string host = parsed->host;
  resolver->async_resolve(
      host, std::to_string(parsed->port),
      [resolver, host, done = std::move(done)](const boost::system::error_code& ec,
                                               const asio::ip::tcp::resolver::results_type& rs) {
        if (ec) return done(Status::Invalid(fmt::format("url host {} cannot be resolved", host)));
        for (const auto& entry : rs) {
          const auto addr = entry.endpoint().address();
          if (auto kind = ForbiddenAddressKind(addr)) {
            return done(Status::Invalid(
                fmt::format("url resolves to a {} address ({}); such endpoints are refused unless "
                            "HOOKLINE_ALLOW_PRIVATE_ENDPOINTS=1",
                            *kind, addr.to_string())));
          }
        }
        done(Status::Ok());
      });
}

}  // namespace hookline::delivery
