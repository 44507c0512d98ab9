#pragma once
// Deliveries: the durable outbound queue (outbox). One Delivery is one event to one endpoint,
// with the exact body bytes sent and signed on every attempt; DeliveryAttempt records each
// attempt (time, duration, HTTP status or error, a capped response snippet).
//
//   pending --ClaimDue--> delivering --RecordAttempts--> delivered        (2xx)
//      ^                       |                     \--> pending (next_attempt_at)
//      |                       |                      \-> failed  (attempts exhausted)
//      +-- lease expired ------+--> failed (that was the last attempt)
//                                        failed --Retry--> pending (a new attempt series)
//
// Claims carry a lease (claimedBy, leaseUntil). A `delivering` row whose lease ran out (its
// worker died, or stalled past the lease) had an attempt under way whose result nobody will
// record: the next ClaimDue (on PostgreSQL the first one a second or more after the last that
// looked) records it as interrupted (a DeliveryAttempt with
// kInterruptedAttempt as its error, started when it was claimed) and counts it, so the row is
// due again with the next attempt number, or failed when that was attempt max_attempts. A
// delivery whose sends crash hookline every time therefore ends, instead of being resent
// forever. RecordAttempts is fenced on claimedBy + status, so a worker whose lease was taken
// over cannot overwrite the new owner's result. A delivery with a recorded 2xx is never
// claimed again. Between a send and its recorded result a crash may resend once
// (at-least-once); receivers dedupe on X-Webhook-Id.
//
// PostgreSQL implements ClaimDue as UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP
// LOCKED) with the same lease columns, so several instances share one queue.
// All methods are thread-safe and asynchronous (store/callback.h); writes answer after commit.
// On SQLite every write but ClaimDue answers once its commit is on disk; ClaimDue answers once
// its commit is written to the WAL file, before that file's fdatasync (sqlite/workers.h), so its
// rows go out one disk flush sooner. A killed process keeps such a claim; a power loss in the
// moment before the flush may lose it, and its rows are then claimed and sent again at once.
// Writes run in the order they were submitted: a ClaimDue submitted after a RecordAttempts
// (without waiting for its answer) sees those results recorded, and their slots free.

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "store/callback.h"

namespace hookline::store {

enum class DeliveryStatus { kPending, kDelivering, kDelivered, kFailed };
std::string_view DeliveryStatusName(DeliveryStatus s);  // "pending", ...
std::optional<DeliveryStatus> ParseDeliveryStatus(std::string_view s);

// The id of the Delivery of `webhook_id` to `endpoint_id`: "dlv_" + 24 hex characters of
// SHA-256 over both. Deterministic, so every backend names the one outbox row the same.
std::string DeliveryIdFor(std::string_view webhook_id, std::string_view endpoint_id);

struct DeliveryRecord {
  std::string id;
  std::string endpoint_id;
  std::string event;
  std::optional<std::string> assessment_id;  // the subject of the event
  std::string webhook_id;                    // X-Webhook-Id, the same on every attempt
  std::string body;                          // exact bytes
  DeliveryStatus status = DeliveryStatus::kPending;
  int series = 1;    // 1, then +1 per manual retry
  int attempts = 0;  // attempts made in the current series
  std::optional<SysTime> next_attempt_at;
  std::optional<std::string> last_error;
  SysTime created_at;
  SysTime updated_at;
  std::optional<SysTime> delivered_at;
};

// A manual retry, the same in every backend: only a failed delivery may start a new attempt
// series (otherwise kAlreadyExists naming its status), and StartNewSeries is what the record
// becomes (pending, series + 1, no attempts yet, due at `now`).
Status CheckRetryable(const DeliveryRecord& d);
void StartNewSeries(DeliveryRecord& d, SysTime now);

struct DeliveryAttemptRecord {
  int series = 1;
  int number = 1;  // X-Webhook-Attempt: 1.. within the series
  SysTime started_at;
  int64_t duration_ms = 0;
  std::optional<int> http_status;  // none when no response arrived
  std::optional<std::string> error;
  std::optional<std::string> response_snippet;
};

// A claimed delivery with what the worker needs to send it.
struct ClaimedDelivery {
  DeliveryRecord delivery;
  std::string url;
  std::string secret;
  int attempt_number = 1;  // attempts + 1: the X-Webhook-Attempt of this send
};

struct ClaimRequest {
  std::string worker;  // claimedBy: unique per process
  SysTime now;
  std::chrono::milliseconds lease{60000};
  int limit = 64;              // at most this many rows
  int per_endpoint_limit = 8;  // at most this many `delivering` per endpoint, all workers
  int max_attempts = 5;        // an interrupted attempt with this number fails the delivery
};

// The error recorded for an attempt whose lease ended without a result (see the top).
inline constexpr const char* kInterruptedAttempt =
    "interrupted: no result was recorded before the claim's lease ended (hookline stopped or "
    "stalled during the attempt); the receiver may have got it";

enum class AttemptOutcome { kDelivered, kRetry, kFailed };

struct AttemptResult {
  std::string delivery_id;
  std::string worker;
  DeliveryAttemptRecord attempt;
  AttemptOutcome outcome = AttemptOutcome::kRetry;
  std::optional<SysTime> next_attempt_at;  // for kRetry
  SysTime now;
};

// What a recorded result makes of its row, the same in every backend: its status, and the
// lastError kept for an attempt that did not deliver (its error, else "HTTP <status>").
DeliveryStatus StatusAfter(const AttemptResult& r);
std::optional<std::string> LastErrorOf(const AttemptResult& r);

struct DeliveryQuery {
  std::optional<DeliveryStatus> status;
  std::optional<std::string> endpoint_id;
  std::optional<std::string> assessment_id;
  int limit = 50;
  // Page after this (createdAt ISO text, id), from a previous page's last row.
  std::optional<std::pair<std::string, std::string>> after;
};

struct DeliveryPage {
  std::vector<DeliveryRecord> items;  // newest first; body left empty
  bool has_more = false;
};

struct DeliveryDetail {
  DeliveryRecord delivery;
  std::vector<DeliveryAttemptRecord> attempts;  // oldest first, all series
};

class DeliveryStore {
 public:
  virtual ~DeliveryStore() = default;

  // Claims due deliveries of enabled endpoints (pending with next_attempt_at <= now, or
  // delivering with an expired lease), oldest due first, within the request's limits.
  virtual void ClaimDue(ClaimRequest request, Callback<std::vector<ClaimedDelivery>> done) = 0;

  // Records many attempts in one transaction. Answers how many were applied; a result whose
  // claim was lost (fence) is skipped and logged.
  virtual void RecordAttempts(std::vector<AttemptResult> results, Callback<int> done) = 0;

  // The earliest next_attempt_at of a pending delivery (or lease end of a delivering one) of an
  // enabled endpoint; nullopt when the queue is empty. The worker sleeps until then.
  virtual void NextDue(Callback<std::optional<SysTime>> done) = 0;

  // failed -> pending now, series + 1, attempts 0, same body and webhook id. kNotFound, or
  // kAlreadyExists ("delivery is <status>, only a failed one can be retried") for any other
  // state, kInvalidArgument when its endpoint no longer exists.
  virtual void Retry(std::string id, SysTime now, Callback<DeliveryRecord> done) = 0;

  virtual void List(DeliveryQuery query, Callback<DeliveryPage> done) = 0;
  virtual void Get(std::string id, Callback<DeliveryDetail> done) = 0;  // kNotFound
};

}  // namespace hookline::store
