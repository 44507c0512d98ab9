#include "config/config.h"

#include <fmt/format.h>

namespace hookline {
namespace {

bool StartsWith(const std::string& s, std::string_view prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

StatusOr<DatabaseUrl> ParseDatabaseUrl(const std::string& url) {
  DatabaseUrl out;
  if (StartsWith(url, "postgres://") || StartsWith(url, "postgresql://")) {
    out.kind = DatabaseKind::kPostgres;
    out.postgres_dsn = url;
    return out;
  }
  if (StartsWith(url, "sqlite:")) {
    std::string path = url.substr(7);
    // sqlite:///abs/path and sqlite://./rel both mean the path after the "//".
    if (StartsWith(path, "//")) path = path.substr(2);
    if (path.empty()) return Status::Invalid("DATABASE_URL sqlite: needs a file path");
    out.kind = DatabaseKind::kSqlite;
    out.sqlite_path = path;
    return out;
  }
  const auto colon = url.find(':');
  const std::string scheme = colon == std::string::npos ? url : url.substr(0, colon);
  return Status::Invalid(fmt::format(
      "DATABASE_URL has an unknown scheme \"{}\" (use sqlite:PATH or postgres://...)",
      scheme.size() > 40 ? scheme.substr(0, 40) : scheme));
}

std::string RedactDatabaseUrl(const std::string& url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url;
  const auto auth_start = scheme_end + 3;
  const auto at = url.find('@', auth_start);
  if (at == std::string::npos) return url;
  const auto colon = url.find(':', auth_start);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

Status Validate(const Config& c) {
  if (c.port == 0) return Status::Invalid("PORT must be a number from 1 to 65535");
  if (c.host.empty()) return Status::Invalid("HOST must not be empty");
  if (c.threads < 0 || c.threads > 256) {
    return Status::Invalid(
        "HOOKLINE_THREADS must be from 0 (automatic: one per core but one) to 256");
  }
  if (c.max_connections < 1) return Status::Invalid("HOOKLINE_MAX_CONNECTIONS must be at least 1");
  if (c.max_body_bytes < 1024 || c.max_body_bytes > (size_t{256} << 20)) {
    return Status::Invalid("HOOKLINE_MAX_BODY_BYTES must be from 1024 to 268435456");
  }
  if (c.read_timeout.count() < 100) {
    return Status::Invalid("HOOKLINE_READ_TIMEOUT_MS must be at least 100");
  }
  if (auto db = ParseDatabaseUrl(c.database_url); !db.ok()) return db.status();
  if (c.pg_pool < 1 || c.pg_pool > 256) return Status::Invalid("HOOKLINE_PG_POOL must be 1..256");
  if (c.commit_wait_us < 0 || c.commit_wait_us > 100000) {
    return Status::Invalid("HOOKLINE_COMMIT_WAIT_US must be from 0 to 100000");
  }
  if (!(c.commit_wait_idle >= 0 && c.commit_wait_idle <= 1)) {
    return Status::Invalid("HOOKLINE_COMMIT_WAIT_IDLE must be from 0 to 1");
  }
  if (c.max_attempts < 1 || c.max_attempts > 50) {
    return Status::Invalid("HOOKLINE_MAX_ATTEMPTS must be from 1 to 50");
  }
  if (c.retry_base_ms < 1) return Status::Invalid("HOOKLINE_RETRY_BASE_MS must be at least 1");
  if (!(c.retry_factor >= 1.0 && c.retry_factor <= 100.0)) {
    return Status::Invalid("HOOKLINE_RETRY_FACTOR must be from 1 to 100");
  }
  if (c.delivery_timeout_ms < 100) {
    return Status::Invalid("HOOKLINE_DELIVERY_TIMEOUT_MS must be at least 100");
  }
  if (c.delivery_concurrency < 1 || c.delivery_concurrency > 1024) {
    return Status::Invalid("HOOKLINE_DELIVERY_CONCURRENCY must be from 1 to 1024");
  }
  if (c.rate_limit_per_minute < 0) {
    return Status::Invalid("HOOKLINE_RATE_LIMIT_PER_MINUTE must be 0 (off) or more");
  }
  if (c.trusted_proxy_hops < 0 || c.trusted_proxy_hops > 16) {
    return Status::Invalid("HOOKLINE_TRUSTED_PROXY_HOPS must be from 0 to 16");
  }
  if (c.payment_success_types.empty()) {
    return Status::Invalid("HOOKLINE_PAYMENT_SUCCESS_TYPES must name at least one event type");
  }
  for (const auto& t : c.payment_success_types) {
    if (t.empty() || t.size() > 255) {
      return Status::Invalid("HOOKLINE_PAYMENT_SUCCESS_TYPES entries must be 1 to 255 characters");
    }
  }
  static constexpr std::string_view kLevels[] = {"trace", "debug", "info", "warn", "error", "off"};
  bool level_ok = false;
  for (auto l : kLevels) level_ok |= (c.log_level == l);
  if (!level_ok) return Status::Invalid("HOOKLINE_LOG_LEVEL must be trace|debug|info|warn|error|off");
  return Status::Ok();
}

}  // namespace hookline
