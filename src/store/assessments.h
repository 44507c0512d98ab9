#pragma once
// Assessments (Founding Review): the input, the render state machine and the PDF report.
//
//   queued --ClaimNextRender--> rendering --CompleteRender--> completed
//                                         \--FailRender-----> failed
//
// A render is claimed with a lease (claimedBy, leaseUntil). A `rendering` row whose lease ran
// out (its worker died or the process was killed) is claimable again, so a restart resumes
// every unfinished render. CompleteRender stores the PDF, marks the row completed AND queues
// the outbox Delivery rows for every enabled endpoint subscribed to the event, in ONE
// transaction: the event is emitted exactly once (a crash can neither lose nor double it;
// Delivery is also UNIQUE(webhookId, endpointId)).
//
// Backend notes: PostgreSQL claims with `FOR UPDATE SKIP LOCKED` and the same lease columns,
// so several instances share the queue. All methods are thread-safe and asynchronous
// (store/callback.h); writes are answered after commit.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/random.h"
#include "store/callback.h"

namespace hookline::store {

enum class AssessmentStatus { kQueued, kRendering, kCompleted, kFailed };
std::string_view AssessmentStatusName(AssessmentStatus s);  // "queued", ...
std::optional<AssessmentStatus> ParseAssessmentStatus(std::string_view s);

struct NewAssessment {
  std::string company;
  std::optional<std::string> email;
  std::optional<std::string> stage;
  std::map<std::string, int> answers;  // question id -> 1..5, validated by the caller
  SysTime created_at;
};

// The stored form of an assessment's input (a JSON object: company, email, stage, answers),
// the same in every backend, and its answers read back (what is not an integer is skipped).
std::string InputJson(const NewAssessment& a);
std::map<std::string, int> AnswersFromInput(const std::string& input);

struct AssessmentRecord {
  std::string id;  // FR-YYYYMMDD-NNNNNN
  std::string company;
  std::optional<std::string> email;
  std::optional<std::string> stage;
  std::map<std::string, int> answers;
  AssessmentStatus status = AssessmentStatus::kQueued;
  std::optional<std::string> error;  // why a render failed
  bool has_report = false;
  SysTime created_at;
  SysTime updated_at;
  std::optional<SysTime> completed_at;
};

// The record of a just-created assessment `a` stored under `id` (queued, no report yet).
AssessmentRecord QueuedAssessment(const NewAssessment& a, std::string id);

// What a completed render writes, with the event it emits.
struct CompletedRender {
  std::string assessment_id;
  std::string worker;  // must hold the claim (claimedBy); else kNotFound and nothing changes
  std::string pdf;     // the report bytes
  SysTime completed_at;
  // The outbox rows: one per enabled endpoint whose events contain `event`, all with this
  // body (exact bytes, signed at send time) and X-Webhook-Id.
  std::string event;       // "render.completed"
  std::string webhook_id;  // stable: assessment id + event
  std::string body;
};

class AssessmentStore {
 public:
  virtual ~AssessmentStore() = default;

  // Inserts a queued assessment under a new id FR-<UTC date of created_at>-<6 random digits>
  // drawn from `random`; on an id collision it draws again inside the same transaction, so
  // concurrent creates never share an id. `random` must be thread-safe and outlive the call.
  virtual void Create(NewAssessment a, Random& random, Callback<AssessmentRecord> done) = 0;

  // kNotFound when there is no such id. The PDF itself is not loaded (see Report).
  virtual void Get(std::string id, Callback<AssessmentRecord> done) = 0;

  // The PDF bytes; kNotFound while the report does not exist (yet).
  virtual void Report(std::string id, Callback<std::string> done) = 0;

  // Claims the oldest queued assessment, or a rendering one whose lease ended before `now`:
  // status rendering, claimedBy = worker, leaseUntil = now + lease. nullopt when none is due.
  virtual void ClaimNextRender(std::string worker, SysTime now, std::chrono::milliseconds lease,
                               Callback<std::optional<AssessmentRecord>> done) = 0;

  // See CompletedRender. Answers the number of deliveries queued.
  virtual void CompleteRender(CompletedRender c, Callback<int> done) = 0;

  // Marks the claimed assessment failed with `reason` (shown to the admin).
  virtual void FailRender(std::string assessment_id, std::string worker, std::string reason,
                          SysTime now, Callback<bool> done) = 0;
};

}  // namespace hookline::store
