#pragma once
// Store: the one door from api/ (and the workers) to the database. api/ includes this header
// and the per-aggregate headers it names, never a backend's.
//
// Backends (store/sqlite, store/postgres) implement every aggregate. Writes go to the backend's
// writer, which commits many requests in one transaction (group commit) and answers each
// caller after the commit returned; reads run on the backend's reader threads. No call blocks
// the caller's thread. All methods are thread-safe.

#include <chrono>
#include <memory>
#include <string>

#include "config/config.h"
#include "store/callback.h"
#include "store/assessments.h"
#include "store/deliveries.h"
#include "store/endpoints.h"
#include "store/event_log.h"
#include "store/leads.h"
#include "store/stats.h"

namespace hookline::store {

struct HealthInfo {
  std::string backend;  // "sqlite" | "postgres"
  int schema_version = 0;
};

// Adding an aggregate: declare its interface in store/<aggregate>.h, add an accessor here, and
// implement it in every backend. While a backend does not have it yet, the accessor's base
// implementation returns an object that answers every call with kUnavailable ("not supported
// by this database backend yet"), so the other backend keeps building and serving.
class Store {
 public:
  virtual ~Store() = default;

  virtual EventLogStore& events() = 0;
  // Leads (store/leads.h) and funnel statistics (store/stats.h).
  virtual LeadStore& leads();
  virtual StatsStore& stats();
  // Outbound webhooks: assessments (store/assessments.h), endpoints (store/endpoints.h) and the
  // delivery queue (store/deliveries.h).
  virtual AssessmentStore& assessments();
  virtual EndpointStore& endpoints();
  virtual DeliveryStore& deliveries();

  // A round trip to the database (GET /healthz).
  virtual void Health(Callback<HealthInfo> done) = 0;

  // Stops taking work, commits what was queued, answers every pending callback, closes.
  // Idempotent. Called by the app after the HTTP server stopped.
  virtual void Close() = 0;
};

struct StoreOptions {
  DatabaseUrl url;
  int pool_size = 8;  // PostgreSQL connections
  // SQLite: how long the writer may wait to gather a larger group commit under a steady
  // stream of writes (core/commit_gather.h); 0 commits every batch at once. (PostgreSQL's
  // batches gather while the previous statement and its flush are in flight.)
  std::chrono::microseconds commit_wait{kDefaultCommitWaitUs};
  // SQLite: ...and only while the machine's idle CPU share is at most this (1: always).
  double commit_wait_idle = kDefaultCommitWaitIdle;
};

// Opens the database named by the options and applies pending migrations. Failures (cannot
// open, cannot migrate) come back as a Status whose message names the file or the server
// (without its password).
StatusOr<std::unique_ptr<Store>> OpenStore(const StoreOptions& options);

// The schema version this binary migrates to (for `hookline version` and /healthz).
int LatestSchemaVersion(DatabaseKind kind);

}  // namespace hookline::store
