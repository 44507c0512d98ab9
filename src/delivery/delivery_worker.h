#pragma once
// DeliveryWorker: sends the queued webhooks (store/deliveries.h) and records every attempt.
//
// One scheduler thread claims due deliveries in batches (with a store lease) and hands each
// claimed batch, in one post, to this worker's own io_context thread, which signs every row
// (delivery/signer.h) and sends it with the async HttpClient; many
// attempts are in flight at once, at most `per_endpoint` per endpoint (counted in the
// database, so across instances too; HOOKLINE_DELIVERY_CONCURRENCY) and `max_in_flight` in
// all. Results are collected and recorded in batches (one transaction for many); the freed
// slots claim again as soon as the record is submitted (the store runs it first). The
// scheduler never blocks on the store: one claim and one record batch may be committing at the
// same time while attempts keep going out.
//
// Every attempt: POST the stored body bytes with
//   Content-Type: application/json
//   X-Webhook-Signature: lowercase hex HMAC-SHA256(body, endpoint secret)
//   X-Webhook-Attempt: n (1.., within the attempt series)
//   X-Webhook-Id: the delivery's webhook id (assessment_id + event), the same on every attempt
//   User-Agent: hookline/<version>
// 2xx = delivered (never sent again). Anything else - another status, a connection or TLS
// error, the whole-attempt timeout - is a failed attempt: retried after RetryDelay (with
// Retry-After on 429/503), until max_attempts, then the delivery is failed.
//
// At-least-once: a crash between a send and the commit of its result leaves the row
// `delivering`; when its lease ends (2 x timeout + 5 s after the claim) it is sent again with
// the same X-Webhook-Attempt, by this process after a restart or by another instance. So a
// receiver may see one attempt twice, and dedupes on X-Webhook-Id. (On SQLite a claim is sent
// before its commit is synced to disk; a power loss in that moment leaves the row `pending`,
// and it is sent again with the same X-Webhook-Attempt as soon as hookline is back.)
//
// Wake-ups: Notify() (new work queued: a render completed, a manual retry) wakes the scheduler
// at once; otherwise it sleeps until the earliest due time in the queue, at most idle_poll.
// All time comes from the injected Clock, jitter from the injected Random.
//
// Start/Notify/CheckEndpointUrl/Stop may be called from any thread. Stop stops claiming,
// waits for the attempts in flight (bounded by the attempt timeout) and records them; call it
// before the store closes.

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/random.h"
#include "delivery/backoff.h"
#include "delivery/http_client.h"
#include "delivery/signer.h"
#include "store/deliveries.h"

namespace hookline::delivery {

struct DeliveryWorkerOptions {
  RetryPolicy policy;  // policy.max_attempts = HOOKLINE_MAX_ATTEMPTS
  std::chrono::milliseconds timeout{10000};
  int max_in_flight = 256;
  int per_endpoint = 16;
  int claim_batch = 64;
  std::chrono::milliseconds idle_poll{std::chrono::seconds(2)};
  bool allow_private = false;
  size_t max_snippet_bytes = 1024;  // kept per attempt for the admin
  std::string worker_id;            // claimedBy prefix; unique per process
};

class DeliveryWorker {
 public:
  DeliveryWorker(store::DeliveryStore& store, const Clock& clock, Random& random,
                 DeliveryWorkerOptions options);
  ~DeliveryWorker();  // Stop()s
  DeliveryWorker(const DeliveryWorker&) = delete;
  DeliveryWorker& operator=(const DeliveryWorker&) = delete;

  void Start();
  void Notify();
  void Stop();

  // Endpoint creation/edit check (api/): ParseEndpointUrl, then, unless private endpoints are
  // allowed, resolves the host (asynchronously, on this worker's io_context) and refuses a
  // name that resolves to a forbidden address. done gets Ok or Invalid with a message for the
  // client; it runs on the io_context thread. Usable before Start().
  void CheckEndpointUrl(std::string url, std::function<void(Status)> done);

 private:
  void Loop();
  void StartRecord(std::vector<store::AttemptResult> batch);  // without mu_
  void StartClaim(SysTime now, int limit);                    // without mu_
  void Send(store::ClaimedDelivery claimed);
  store::AttemptResult Judge(const store::ClaimedDelivery& c, const PostResult& r, SysTime started);

  store::DeliveryStore& store_;
  const Clock& clock_;
  Random& random_;
  const DeliveryWorkerOptions options_;
  const std::string worker_;
  std::chrono::milliseconds lease_;

  boost::asio::io_context ioc_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::thread io_thread_;
  std::unique_ptr<HttpClient> client_;
  Signer signer_;  // used on the io_context thread only
  std::thread loop_thread_;

  std::mutex mu_;  // guards the fields below
  std::condition_variable cv_;
  bool kicked_ = true;
  bool stopping_ = false;
  bool claiming_ = false;                        // a ClaimDue is running
  bool recording_ = false;                       // a RecordAttempts is running
  bool looking_up_ = false;                      // a NextDue is running
  SysTime next_check_{};                         // claim again at this time even without a kick
  int in_flight_ = 0;                            // claimed, result not yet submitted
  std::vector<store::ClaimedDelivery> to_send_;  // claimed, not yet handed to the client
  std::vector<store::AttemptResult> results_;    // finished, waiting to be recorded
};

// Response bodies are arbitrary bytes: keeps at most max_bytes, cut on a character boundary,
// with invalid UTF-8 replaced by U+FFFD so the snippet is safe to store and show as JSON.
std::string SafeSnippet(std::string_view bytes, size_t max_bytes);

}  // namespace hookline::delivery
