#include "pg_server.h"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <random>

namespace hookline::testing {
namespace {

namespace fs = std::filesystem;

// A port of 127.0.0.1 that nothing listens on, in 15000-19999. A port from bind(0) would come
// from the kernel's ephemeral range, which it also hands out to outgoing connections, so one
// could take it before the server binds it; below that range only listeners compete (see
// tests/integration/ports.py for the spans each suite uses). The bind has no SO_REUSEADDR, so a
// port in TIME_WAIT counts as taken.
int FreePort() {
  constexpr int kFirst = 15000, kCount = 5000;
  static int next = kFirst + static_cast<int>(std::random_device{}() % kCount);
  for (int i = 0; i < kCount; ++i) {
    const int port = next;
    next = kFirst + (next + 1 - kFirst) % kCount;
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) break;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    const bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    if (free) return port;
  }
  return 0;
}

std::string FindBin() {
  std::string best;
  int best_version = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const int v = std::atoi(e.path().filename().c_str());
    if (v > best_version && fs::exists(e.path() / "bin" / "initdb")) {
      best_version = v;
      best = (e.path() / "bin").string();
    }
  }
  return best;
}

// Runs a server program, as `postgres` when we are root.
int RunAsPg(const std::string& cmd) {
  const std::string full = ::geteuid() == 0 ? "runuser -u postgres -- " + cmd : cmd;
  return std::system((full + " >/dev/null 2>&1").c_str());
}

// Migrations log a line per version per test; only warnings and errors are worth reading here.
const bool kQuietLogs = [] {
  spdlog::set_level(spdlog::level::warn);
  return true;
}();

}  // namespace

PgServer& PgServer::Get() {
  static PgServer server;
  return server;
}

PgServer::PgServer() {
  if (const char* dsn = std::getenv("HOOKLINE_TEST_PG_DSN"); dsn && *dsn) {
    external_ = dsn;
    return;
  }
  bin_ = FindBin();
  if (bin_.empty()) {
    error_ = "PostgreSQL server binaries not found (apt-get install postgresql)";
    return;
  }
  char tmpl[] = "/tmp/hookline-store-pg-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) {
    error_ = "mkdtemp failed";
    return;
  }
  dir_ = tmpl;
  if (::geteuid() == 0) {
    const passwd* pw = ::getpwnam("postgres");
    if (pw == nullptr || ::chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      error_ = "running as root needs the `postgres` user (installed with postgresql)";
      return;
    }
  }
  if (RunAsPg(fmt::format("{}/initdb -D {}/data -U postgres --auth=trust -E UTF8 "
                          "--locale=C.UTF-8 --no-sync",
                          bin_, dir_)) != 0) {
    error_ = "initdb failed in " + dir_;
    return;
  }
  // A listener that appeared on the chosen port since the check gets two more tries elsewhere.
  for (int attempt = 0; attempt < 3; ++attempt) {
    port_ = FreePort();
    if (port_ == 0) break;
    if (Start()) return;
  }
  error_ = "pg_ctl start failed, see " + dir_ + "/server.log";
}

PgServer::~PgServer() {
  if (dir_.empty()) return;
  RunAsPg(fmt::format("{}/pg_ctl -D {}/data -m immediate -w stop", bin_, dir_));
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

bool PgServer::Start() {
  // fsync off: this suite checks the contract, not durability across power loss.
  return RunAsPg(fmt::format(
             "{0}/pg_ctl -D {1}/data -l {1}/server.log -w -t 60 -o \"-c listen_addresses=127.0.0.1 "
             "-c port={2} -c unix_socket_directories={1} -c fsync=off -c max_connections=200\" "
             "start",
             bin_, dir_, port_)) == 0;
}

bool PgServer::Stop() {
  return RunAsPg(fmt::format("{}/pg_ctl -D {}/data -m fast -w stop", bin_, dir_)) == 0;
}

std::string PgServer::Dsn(const std::string& db) const {
  if (external_.empty()) return fmt::format("postgres://postgres@127.0.0.1:{}/{}", port_, db);
  // Replace the database of the external DSN (postgres://user:pass@host:port/db?params).
  const auto scheme = external_.find("://");
  const auto slash = external_.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  const auto query = external_.find('?');
  std::string base = external_.substr(0, slash == std::string::npos ? external_.size() : slash);
  std::string params = query == std::string::npos ? "" : external_.substr(query);
  return base + "/" + db + params;
}

std::string PgServer::Exec(const std::string& sql) {
  const std::string admin = external_.empty() ? Dsn("postgres") : external_;
  PGconn* conn = PQconnectdb(admin.c_str());
  std::string err;
  if (PQstatus(conn) != CONNECTION_OK) {
    err = PQerrorMessage(conn);
  } else {
    PGresult* r = PQexec(conn, sql.c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK) err = PQresultErrorMessage(r);
    PQclear(r);
  }
  PQfinish(conn);
  return err;
}

std::string PgServer::CreateDatabase() {
  static std::mt19937_64 rng{std::random_device{}()};
  const std::string name = fmt::format("t_{:016x}", rng());
  if (auto err = Exec(fmt::format("CREATE DATABASE \"{}\"", name)); !err.empty()) {
    error_ = "CREATE DATABASE failed: " + err;
    return "";
  }
  return Dsn(name);
}

void PgServer::DropDatabase(const std::string& dsn) {
  auto slash = dsn.rfind('/');
  auto query = dsn.find('?', slash);
  const std::string name =
      dsn.substr(slash + 1, query == std::string::npos ? std::string::npos : query - slash - 1);
  (void)Exec(fmt::format("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", name));
}

}  // namespace hookline::testing
