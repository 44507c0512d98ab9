#pragma once
// Process-wide counters for GET /metrics (Prometheus text format). Lock-free: any thread may
// bump a counter; rendering reads them relaxed (a scrape is a snapshot, not a transaction).
// Add a counter here, bump it where the thing happens, and render it in metrics.cc.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "core/latency_histogram.h"
#include "core/status.h"

namespace hookline {

struct Metrics {
  using Counter = std::atomic<uint64_t>;

  std::array<Counter, 6> http_responses{};  // by status class: [1]=1xx ... [5]=5xx
  Counter http_connections_refused{0};      // over HOOKLINE_MAX_CONNECTIONS
  LatencyHistogram http_request_duration;   // request read -> response written
  std::atomic<int64_t> http_open_connections{0};
  std::atomic<int64_t> http_in_flight{0};

  Counter events_inserted{0};   // EventLog rows written, any source
  Counter events_duplicate{0};  // inserts ignored because the id existed

  Counter store_transactions{0};  // write transactions committed (group commits)
  Counter store_jobs{0};          // write requests committed in them
  // Every write transaction's time (committed or not), and every fdatasync of the SQLite WAL
  // after commits; their `_total` counters are rendered from these.
  LatencyHistogram store_commit_duration;
  LatencyHistogram store_wal_sync_duration;
  // SQLite: WAL writes the writer connection asked for, and the writes made for them once
  // gathered per commit (sqlite/wal_vfs.h).
  Counter store_wal_write_calls{0};
  Counter store_wal_writes{0};
  // SQLite checkpoints (sqlite/checkpointer.h): background passes, cycles the writer finished,
  // and times the WAL started again from its beginning.
  Counter store_checkpoint_passes{0};
  Counter store_checkpoint_finishes{0};
  Counter store_wal_restarts{0};
  Counter store_commit_waits{0};  // SQLite: batches that waited for more jobs (commit_gather.h)
  Counter store_commit_waits_quiet{0};   // ...and of them, waits ended by the quiet time
  Counter store_commit_quiet_us{0};      // the quiet time the writer's waits use now (a gauge)
  Counter machine_cpu_idle_permille{0};  // the machine's idle CPU share the writer saw (a gauge)
  Counter store_failures{0};             // write requests answered with a database error
  // When a write transaction last committed, and when one was last refused by a database that
  // could not write (kUnavailable: a full disk, an I/O error, a lost server); steady-clock
  // nanoseconds, 0 for never. /healthz and hookline_store_writes_failing report a database
  // that still answers reads but refuses writes.
  std::atomic<int64_t> store_last_write_ok_ns{0};
  std::atomic<int64_t> store_last_write_refused_ns{0};

  Counter deliveries_succeeded{0};
  Counter deliveries_failed{0};  // gave up after the last attempt
  Counter delivery_attempts{0};

  // How long after a refused write, with none committed since, the writes count as failing:
  // a database that no longer gets writes is not reported failing forever.
  static constexpr std::chrono::seconds kWritesFailingFor{60};

  static Metrics& Get();
  std::string RenderPrometheus() const;
  // A writer's outcome for one transaction: ok, or a refusal of the database (kUnavailable).
  // A job's own failure (a bad row, a constraint) says nothing of the database and is ignored,
  // and so is a lost conflict with another transaction (a deadlock: Status::conflict()).
  void NoteWrite(const Status& status);
  // The last write transaction was refused less than `window` ago, and none has committed
  // since.
  bool WritesFailing(std::chrono::nanoseconds window = kWritesFailingFor) const;
};

}  // namespace hookline
