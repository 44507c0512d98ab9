#include "app/app.h"

#include <fmt/format.h>
#include <spdlog/async.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <thread>

#include "api/context.h"
#include "api/routes.h"
#include "app/allocator.h"
#include "app/secrets.h"
#include "app/workers.h"
#include "core/clock.h"
#include "core/random.h"
#include "http/server.h"
#include "store/store.h"

namespace hookline::app {
namespace {

constexpr int kExitRuntime = 1;
constexpr int kExitConfig = 2;

int ConfigError(const std::string& message) {
  std::fprintf(stderr, "hookline: invalid configuration: %s\n", message.c_str());
  return kExitConfig;
}

// Creates `dir` if needed and proves it is writable by creating and removing a file in it.
Status CheckWritableDir(const std::string& dir, const std::string& what) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::Invalid(fmt::format("{} {} cannot be created: {}", what, dir, ec.message()));
  const auto probe = std::filesystem::path(dir) / fmt::format(".hookline-write-test-{}", ::getpid());
  std::FILE* f = std::fopen(probe.c_str(), "w");
  if (f == nullptr) {
    return Status::Invalid(fmt::format("{} {} is not writable: {}", what, dir, std::strerror(errno)));
  }
  std::fclose(f);
  std::filesystem::remove(probe, ec);
  return Status::Ok();
}

void AnnounceSecret(const ResolvedSecret& s, const char* name) {
  if (!s.generated) return;
  // Shown on the terminal only, never in the log, and only this once.
  if (::isatty(STDERR_FILENO)) {
    std::fprintf(stderr,
                 "\n  %s was not set, so hookline generated one:\n\n    %s\n\n"
                 "  It is kept in %s (mode 0600) and reused on every start.\n\n",
                 name, s.value.c_str(), s.file.c_str());
  } else {
    std::fprintf(stderr, "hookline: generated %s, kept in %s (mode 0600)\n", name, s.file.c_str());
  }
}

StatusOr<std::unique_ptr<store::Store>> OpenConfiguredStore(const Config& config) {
  auto url = ParseDatabaseUrl(config.database_url);
  if (!url.ok()) return url.status();
  return store::OpenStore(store::StoreOptions{*url, config.pg_pool,
                                              std::chrono::microseconds(config.commit_wait_us),
                                              config.commit_wait_idle});
}

// stdout through stdio's buffer: the logging thread writes many lines per syscall instead of
// one (spdlog's stdout sink flushes after every line). Flushed every second, on warnings and
// at shutdown.
class BufferedStdoutSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t buf;
    formatter_->format(msg, buf);
    std::fwrite(buf.data(), 1, buf.size(), stdout);
  }
  void flush_() override { std::fflush(stdout); }
};

}  // namespace

void SetUpLogging(const std::string& level) {
  static char stdout_buffer[1 << 16];
  std::setvbuf(stdout, stdout_buffer, _IOFBF, sizeof stdout_buffer);
  // The queue is built whole at start-up (each slot a message with its own 250-byte buffer):
  // 16,384 slots cost ~15 ms of a ~90 ms start. Requests are logged by http/access_log.h, not
  // through this queue, so it carries only the application's own lines; a burst larger than
  // 2,048 waits for the logging thread (block policy) rather than dropping lines.
  spdlog::init_thread_pool(2048, 1);
  auto sink = std::make_shared<BufferedStdoutSink>();
  auto make = [&sink, &level](const std::string& name) {
    auto logger = std::make_shared<spdlog::async_logger>(
        name, sink, spdlog::thread_pool(), spdlog::async_overflow_policy::block);
    logger->set_level(spdlog::level::from_str(level));
    logger->flush_on(spdlog::level::warn);
    spdlog::register_logger(logger);
    return logger;
  };
  spdlog::set_default_logger(make("hookline"));
  make("access");
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %n: %v", spdlog::pattern_time_type::utc);
  spdlog::flush_every(std::chrono::seconds(1));
}

int RunMigrate(const Config& config) {
  if (auto st = Validate(config); !st.ok()) return ConfigError(st.message());
  auto store = OpenConfiguredStore(config);
  if (!store.ok()) {
    std::fprintf(stderr, "hookline: %s\n", store.status().message().c_str());
    return kExitRuntime;
  }
  (*store)->Close();
  std::printf("database is at schema version %d\n",
              store::LatestSchemaVersion(ParseDatabaseUrl(config.database_url)->kind));
  return 0;
}

int RunServe(const Config& input) {
  Config config = input;
  if (auto st = Validate(config); !st.ok()) return ConfigError(st.message());
  auto db_url = ParseDatabaseUrl(config.database_url);
  if (auto st = CheckWritableDir(config.data_dir, "HOOKLINE_DATA_DIR"); !st.ok()) {
    return ConfigError(st.message());
  }
  if (db_url->kind == DatabaseKind::kSqlite) {
    auto dir = std::filesystem::path(db_url->sqlite_path).parent_path().string();
    if (dir.empty()) dir = ".";
    if (auto st = CheckWritableDir(dir, "the DATABASE_URL folder"); !st.ok()) {
      return ConfigError(st.message());
    }
  }
  if (config.threads == 0) {
    // One per core but one: the store's writer (and its WAL sync) keeps a core of its own.
    // On 2 cores one network thread answered 8-20% more requests than two (bench/RESULTS.md,
    // finding 13): two split the connections into smaller epoll rounds and fight the writer
    // and the clients for the cores.
    const unsigned cores = std::thread::hardware_concurrency();
    config.threads = static_cast<int>(cores > 2 ? cores - 1 : 1);
  }

  auto& random = CryptoRandom::Instance();
  auto webhook = ResolveSecret(config.webhook_secret, config.data_dir, "webhook_secret", random);
  if (!webhook.ok()) return ConfigError(webhook.status().message());
  auto admin = ResolveSecret(config.admin_token, config.data_dir, "admin_token", random);
  if (!admin.ok()) return ConfigError(admin.status().message());

  auto store = OpenConfiguredStore(config);
  if (!store.ok()) {
    spdlog::error("{}", store.status().message());
    std::fprintf(stderr, "hookline: %s\n", store.status().message().c_str());
    return kExitRuntime;
  }

  api::ApiContext ctx{config, **store, SystemClock::Instance(), random, webhook->value,
                      admin->value};
  Workers workers(config, **store, SystemClock::Instance(), random);
  workers.Hook(ctx);
  http::Router router;
  api::RegisterRoutes(router, ctx);

  http::ServerOptions options;
  options.host = config.host;
  options.port = config.port;
  options.threads = config.threads;
  options.max_connections = config.max_connections;
  options.max_body_bytes = config.max_body_bytes;
  options.max_header_bytes = config.max_header_bytes;
  options.read_timeout = config.read_timeout;
  options.shutdown_grace = config.shutdown_grace;
  options.access_log = config.access_log;
  http::Server server(options, router);
  if (auto st = server.Listen(); !st.ok()) {
    std::fprintf(stderr, "hookline: %s\n", st.message().c_str());
    workers.Stop();
    (*store)->Close();
    return kExitRuntime;
  }
  AnnounceSecret(*webhook, "WEBHOOK_SECRET");
  AnnounceSecret(*admin, "ADMIN_TOKEN");
  spdlog::info(
      "hookline {} listening on http://{}:{} ({} network thread{}, database {}, memory allocator "
      "{})",
      HOOKLINE_VERSION, config.host, server.port(), config.threads, config.threads == 1 ? "" : "s",
      RedactDatabaseUrl(config.database_url), MemoryAllocator());
  spdlog::default_logger()->flush();

  workers.Start();
  server.Run();
  workers.Stop();  // records the attempts in flight; the store must still be open

  // The server has stopped taking requests; let the store commit what is queued.
  (*store)->Close();
  spdlog::info("stopped cleanly");
  spdlog::shutdown();
  return 0;
}

}  // namespace hookline::app
