#pragma once
// Config: everything hookline is told at start-up, in one immutable struct.
//
// Each field comes from a command-line flag of `hookline serve`, else from its environment
// variable (SPEC "Configuration"), else from the default here. flags.cc fills it; Validate()
// turns a bad value into one clear line; the app then treats it as read-only and shares it
// between threads without locks.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace hookline {

enum class DatabaseKind { kSqlite, kPostgres };

struct DatabaseUrl {
  DatabaseKind kind = DatabaseKind::kSqlite;
  std::string sqlite_path;  // for kSqlite: the file
  std::string postgres_dsn;  // for kPostgres: the URL as given (holds a password: never log it)
};

// Parses sqlite:PATH, sqlite://PATH, postgres://..., postgresql://...
StatusOr<DatabaseUrl> ParseDatabaseUrl(const std::string& url);
// The URL with any password replaced by "***", for logs and error messages.
std::string RedactDatabaseUrl(const std::string& url);

// HOOKLINE_COMMIT_WAIT_US's and HOOKLINE_COMMIT_WAIT_IDLE's defaults (also
// store::StoreOptions's).
inline constexpr int kDefaultCommitWaitUs = 2000;
inline constexpr double kDefaultCommitWaitIdle = 0.25;

struct Config {
  // Listening.
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
  int threads = 0;  // 0 = one per core but one (the store's writer keeps a core), at least 1
  size_t max_connections = 10000;
  size_t max_body_bytes = 1 << 20;
  size_t max_header_bytes = 16 << 10;
  std::chrono::milliseconds read_timeout{15000};  // whole request, and keep-alive idle time
  std::chrono::milliseconds shutdown_grace{10000};

  // Storage.
  std::string database_url = "sqlite:./data/hookline.db";
  std::string data_dir = "./data";  // generated secrets (and the default SQLite file)
  int pg_pool = 8;
  // SQLite: under a steady stream of EventLog inserts, how long (microseconds) a small group
  // commit of them may wait for more to join it: fewer transactions and disk flushes per event.
  // The wait ends early once no event has come for a while (core/commit_gather.h). An event that
  // arrives alone never waits, nor does any other write. 0: never wait.
  int commit_wait_us = kDefaultCommitWaitUs;
  // ...and only while the machine's idle CPU share (/proc/stat, core/cpu_idle.h) is at most
  // this: fewer transactions are worth a later reply only when the CPUs are short. 1: whatever
  // the load.
  double commit_wait_idle = kDefaultCommitWaitIdle;

  // Secrets: empty = generate once and keep in data_dir (app/secrets.h).
  std::string webhook_secret;
  std::string admin_token;

  // Outbound delivery.
  int max_attempts = 5;
  int64_t retry_base_ms = 10000;
  double retry_factor = 4;
  int64_t delivery_timeout_ms = 10000;
  // Attempts in flight at once per endpoint (counted in the database, so across instances),
  // and so at most this many connections to it.
  int delivery_concurrency = 64;
  bool allow_private_endpoints = false;

  // Landing page public routes: requests per minute per client IP (0 = unlimited).
  int rate_limit_per_minute = 600;
  // Reverse proxies in front of hookline that append to X-Forwarded-For (0: none, the
  // connection's peer is the client). Decides which address the rate limit counts.
  int trusted_proxy_hops = 0;

  // Funnel: EventLog types from payment_service that count as a successful payment.
  std::vector<std::string> payment_success_types{"payment.succeeded"};

  // Logging.
  std::string log_level = "info";
  bool access_log = true;
};

// Checks ranges and formats; the message names the variable and the bad value (never a
// secret), e.g. "PORT must be a number from 1 to 65535 (got \"abc\")".
Status Validate(const Config& config);

}  // namespace hookline
