#include "core/metrics.h"

#include <fmt/format.h>

namespace hookline {
namespace {

template <class V>
void Line(std::string& out, const char* name, const char* type, const char* help, V v) {
  out += fmt::format("# HELP {0} {1}\n# TYPE {0} {2}\n{0} {3}\n", name, help, type, v);
}

}  // namespace

Metrics& Metrics::Get() {
  static Metrics metrics;
  return metrics;
}

namespace {
int64_t SteadyNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

void Metrics::NoteWrite(const Status& status) {
  if (status.ok()) {
    store_last_write_ok_ns.store(SteadyNowNs(), std::memory_order_relaxed);
  } else if (status.code() == StatusCode::kUnavailable && !status.conflict()) {
    store_last_write_refused_ns.store(SteadyNowNs(), std::memory_order_relaxed);
  }
}

bool Metrics::WritesFailing(std::chrono::nanoseconds window) const {
  const int64_t refused = store_last_write_refused_ns.load(std::memory_order_relaxed);
  if (refused == 0 || refused <= store_last_write_ok_ns.load(std::memory_order_relaxed)) {
    return false;
  }
  return SteadyNowNs() - refused < window.count();
}

std::string Metrics::RenderPrometheus() const {
  std::string out;
  out +=
      "# HELP hookline_http_responses_total HTTP responses sent, by status class.\n"
      "# TYPE hookline_http_responses_total counter\n";
  for (int c = 1; c <= 5; ++c) {
    out += fmt::format("hookline_http_responses_total{{class=\"{}xx\"}} {}\n", c,
                       http_responses[c].load(std::memory_order_relaxed));
  }
  auto v = [](const auto& a) { return static_cast<uint64_t>(a.load(std::memory_order_relaxed)); };
  Line(out, "hookline_http_connections_refused_total", "counter",
       "Connections refused over HOOKLINE_MAX_CONNECTIONS.", v(http_connections_refused));
  http_request_duration.Render(
      out, "hookline_http_request_duration_seconds",
      "Time from a request read to its response written (for a webhook: the commit and its "
      "disk flush included).");
  Line(out, "hookline_http_open_connections", "gauge", "Open client connections.",
       v(http_open_connections));
  Line(out, "hookline_http_in_flight_requests", "gauge", "Requests being handled.",
       v(http_in_flight));
  Line(out, "hookline_events_inserted_total", "counter", "EventLog rows written.",
       v(events_inserted));
  Line(out, "hookline_events_duplicate_total", "counter",
       "Events ignored because their id was already stored.", v(events_duplicate));
  Line(out, "hookline_store_transactions_total", "counter",
       "Write transactions committed (each may hold many requests).", v(store_transactions));
  Line(out, "hookline_store_jobs_total", "counter", "Write requests committed.", v(store_jobs));
  Line(out, "hookline_store_commit_seconds_total", "counter", "Time spent in write transactions.",
       store_commit_duration.sum_micros() / 1e6);
  store_commit_duration.Render(out, "hookline_store_commit_duration_seconds",
                               "Write transactions by duration.");
  Line(out, "hookline_store_wal_syncs_total", "counter",
       "SQLite: fdatasync calls that made committed batches durable.",
       store_wal_sync_duration.count());
  Line(out, "hookline_store_sync_seconds_total", "counter",
       "SQLite: time spent in those fdatasync calls.", store_wal_sync_duration.sum_micros() / 1e6);
  store_wal_sync_duration.Render(out, "hookline_store_wal_sync_duration_seconds",
                                 "SQLite: fdatasync calls on the WAL by duration.");
  Line(out, "hookline_store_wal_write_calls_total", "counter",
       "SQLite: WAL writes (frame headers and pages) made by the writer connection.",
       v(store_wal_write_calls));
  Line(out, "hookline_store_wal_writes_total", "counter",
       "SQLite: system writes to the WAL that carried them (gathered per commit).",
       v(store_wal_writes));
  Line(out, "hookline_store_checkpoint_passes_total", "counter",
       "SQLite: background checkpoint passes (WAL frames copied into the database file).",
       v(store_checkpoint_passes));
  Line(out, "hookline_store_checkpoint_finishes_total", "counter",
       "SQLite: checkpoints the writer finished between two transactions after a pass.",
       v(store_checkpoint_finishes));
  Line(out, "hookline_store_wal_restarts_total", "counter",
       "SQLite: times the WAL was written again from its beginning.", v(store_wal_restarts));
  Line(out, "hookline_store_commit_waits_total", "counter",
       "SQLite: group commits that waited for more requests (HOOKLINE_COMMIT_WAIT_US).",
       v(store_commit_waits));
  Line(out, "hookline_store_commit_waits_quiet_total", "counter",
       "SQLite: of those, waits that ended because no request came for the quiet time (the "
       "senders were waiting for their answers).",
       v(store_commit_waits_quiet));
  Line(out, "hookline_store_commit_wait_quiet_seconds", "gauge",
       "SQLite: how long a group commit's wait now goes on without a new request (learned from "
       "the gaps between requests during earlier waits).",
       v(store_commit_quiet_us) / 1e6);
  Line(out, "hookline_machine_cpu_idle_ratio", "gauge",
       "SQLite: the machine's idle CPU share over the last ~100 ms (/proc/stat), as the writer "
       "last saw it; a group commit waits only while it is at most HOOKLINE_COMMIT_WAIT_IDLE.",
       v(machine_cpu_idle_permille) / 1e3);
  Line(out, "hookline_store_failures_total", "counter",
       "Write requests answered with a database error.", v(store_failures));
  const std::string failing_help = fmt::format(
      "1 while the database refuses writes (a full disk, an I/O error, a lost server): the last "
      "write transaction was refused within the last {} s and none has committed since.",
      kWritesFailingFor.count());
  Line(out, "hookline_store_writes_failing", "gauge", failing_help.c_str(),
       WritesFailing() ? 1 : 0);
  Line(out, "hookline_deliveries_succeeded_total", "counter", "Outbound webhooks delivered.",
       v(deliveries_succeeded));
  Line(out, "hookline_deliveries_failed_total", "counter",
       "Outbound webhooks given up after the last attempt.", v(deliveries_failed));
  Line(out, "hookline_delivery_attempts_total", "counter", "Outbound delivery attempts.",
       v(delivery_attempts));
  return out;
}

}  // namespace hookline
