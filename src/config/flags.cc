#include "config/flags.h"

#include <CLI/CLI.hpp>

#include "config/config.h"

namespace hookline {
namespace {

// Integer milliseconds bound to a std::chrono::milliseconds field.
void AddMillis(CLI::App& cmd, const std::string& flag, std::chrono::milliseconds& field,
               const std::string& env, const std::string& help) {
  cmd.add_option_function<int64_t>(
         flag, [&field](const int64_t& v) { field = std::chrono::milliseconds(v); }, help)
      ->envname(env)
      ->default_str(std::to_string(field.count()));
}

}  // namespace

void AddDatabaseFlags(CLI::App& cmd, Config& c) {
  cmd.add_option("--database-url", c.database_url,
                 "sqlite:PATH (default) or postgres://user:pass@host:port/db")
      ->envname("DATABASE_URL")
      ->capture_default_str();
  cmd.add_option("--data-dir", c.data_dir, "folder for generated secrets and the default SQLite file")
      ->envname("HOOKLINE_DATA_DIR")
      ->capture_default_str();
  cmd.add_option("--pg-pool", c.pg_pool, "PostgreSQL connections per instance")
      ->envname("HOOKLINE_PG_POOL")
      ->capture_default_str();
  cmd.add_option("--commit-wait-us", c.commit_wait_us,
                 "SQLite: under a steady stream of events, how long a small group commit of them "
                 "may wait for more, in microseconds (0: never)")
      ->envname("HOOKLINE_COMMIT_WAIT_US")
      ->capture_default_str();
  cmd.add_option("--commit-wait-idle", c.commit_wait_idle,
                 "SQLite: that wait happens only while the machine's idle CPU share is at most "
                 "this (0 to 1; 1: whatever the load)")
      ->envname("HOOKLINE_COMMIT_WAIT_IDLE")
      ->capture_default_str();
}

void AddServeFlags(CLI::App& cmd, Config& c) {
  cmd.add_option("--host", c.host, "listen address")->envname("HOST")->capture_default_str();
  cmd.add_option("--port", c.port, "listen port")->envname("PORT")->capture_default_str();
  AddDatabaseFlags(cmd, c);
  cmd.add_option("--webhook-secret", c.webhook_secret,
                 "shared secret of POST /api/webhook/payment (X-Webhook-Secret); prefer the "
                 "environment variable; generated and kept in the data folder when unset")
      ->envname("WEBHOOK_SECRET");
  cmd.add_option("--admin-token", c.admin_token,
                 "bearer token of the admin API and dashboard; prefer the environment variable; "
                 "generated and kept in the data folder when unset")
      ->envname("ADMIN_TOKEN");
  cmd.add_option("--max-attempts", c.max_attempts, "delivery attempts per webhook, the first included")
      ->envname("HOOKLINE_MAX_ATTEMPTS")
      ->capture_default_str();
  cmd.add_option("--retry-base-ms", c.retry_base_ms, "backoff: wait before the 2nd attempt")
      ->envname("HOOKLINE_RETRY_BASE_MS")
      ->capture_default_str();
  cmd.add_option("--retry-factor", c.retry_factor, "backoff: each wait is this many times the last")
      ->envname("HOOKLINE_RETRY_FACTOR")
      ->capture_default_str();
  cmd.add_option("--delivery-timeout-ms", c.delivery_timeout_ms, "one delivery attempt's whole time limit")
      ->envname("HOOKLINE_DELIVERY_TIMEOUT_MS")
      ->capture_default_str();
  cmd.add_option("--delivery-concurrency", c.delivery_concurrency,
                 "delivery attempts in flight at once per endpoint (and connections to it)")
      ->envname("HOOKLINE_DELIVERY_CONCURRENCY")
      ->capture_default_str();
  cmd.add_option("--allow-private-endpoints", c.allow_private_endpoints,
                 "allow endpoint URLs on loopback/private/link-local addresses (1/0)")
      ->envname("HOOKLINE_ALLOW_PRIVATE_ENDPOINTS")
      ->capture_default_str();
  cmd.add_option("--max-body-bytes", c.max_body_bytes, "larger request bodies get 413")
      ->envname("HOOKLINE_MAX_BODY_BYTES")
      ->capture_default_str();
  cmd.add_option("--threads", c.threads,
                 "network threads (0 = one per core but one, at least 1)")
      ->envname("HOOKLINE_THREADS")
      ->capture_default_str();
  cmd.add_option("--max-connections", c.max_connections, "open connections at most; more are refused with 503")
      ->envname("HOOKLINE_MAX_CONNECTIONS")
      ->capture_default_str();
  AddMillis(cmd, "--read-timeout-ms", c.read_timeout, "HOOKLINE_READ_TIMEOUT_MS",
            "time limit to read one request, and to wait for the next on a kept-alive connection");
  AddMillis(cmd, "--shutdown-grace-ms", c.shutdown_grace, "HOOKLINE_SHUTDOWN_GRACE_MS",
            "on SIGTERM: how long in-flight requests may take to finish");
  cmd.add_option("--rate-limit-per-minute", c.rate_limit_per_minute,
                 "landing page routes: requests per minute per client IP (0 = off)")
      ->envname("HOOKLINE_RATE_LIMIT_PER_MINUTE")
      ->capture_default_str();
  cmd.add_option("--trusted-proxy-hops", c.trusted_proxy_hops,
                 "reverse proxies in front that append to X-Forwarded-For; the rate limit then "
                 "counts the address they report (0 = none, count the connection's peer)")
      ->envname("HOOKLINE_TRUSTED_PROXY_HOPS")
      ->capture_default_str();
  cmd.add_option("--payment-success-types", c.payment_success_types,
                 "funnel: payment_service event types that mean a payment succeeded (comma-separated)")
      ->envname("HOOKLINE_PAYMENT_SUCCESS_TYPES")
      ->delimiter(',')
      ->capture_default_str();
  cmd.add_option("--log-level", c.log_level, "trace|debug|info|warn|error|off")
      ->envname("HOOKLINE_LOG_LEVEL")
      ->capture_default_str();
  cmd.add_option("--access-log", c.access_log, "one log line per request (1/0)")
      ->envname("HOOKLINE_ACCESS_LOG")
      ->capture_default_str();
}

}  // namespace hookline
