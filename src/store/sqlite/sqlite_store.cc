#include "store/sqlite/sqlite_store.h"

#include <fmt/format.h>

#include <filesystem>

#include "store/sqlite/assessments.h"
#include "store/sqlite/checkpointer.h"
#include "store/sqlite/deliveries.h"
#include "store/sqlite/endpoints.h"
#include "store/sqlite/event_log.h"
#include "store/sqlite/leads.h"
#include "store/sqlite/migrate.h"
#include "store/sqlite/stats.h"
#include "store/sqlite/wal_vfs.h"
#include "store/sqlite/workers.h"

namespace hookline::store::sqlite {
namespace {

class SqliteStore final : public Store {
 public:
  SqliteStore(std::unique_ptr<Conn> write_conn, const std::string& path, int schema_version,
              std::chrono::microseconds commit_wait, double commit_wait_idle)
      : checkpointer_(path),
        writer_(AttachCheckpointer(std::move(write_conn)), commit_wait, commit_wait_idle),
        readers_(path, 2),
        events_(writer_, readers_),
        leads_(writer_, readers_),
        stats_(readers_),
        assessments_(writer_, readers_),
        endpoints_(writer_, readers_),
        deliveries_(writer_, readers_),
        schema_version_(schema_version) {}
  ~SqliteStore() override { SqliteStore::Close(); }

  EventLogStore& events() override { return events_; }
  LeadStore& leads() override { return leads_; }
  StatsStore& stats() override { return stats_; }
  AssessmentStore& assessments() override { return assessments_; }
  EndpointStore& endpoints() override { return endpoints_; }
  DeliveryStore& deliveries() override { return deliveries_; }

  void Health(Callback<HealthInfo> done) override {
    readers_.Submit([done = std::move(done)](Conn* conn, const Status& st) {
      if (conn == nullptr) return done(st);
      auto stmt = conn->Cached("SELECT coalesce(max(version), 0) FROM schema_version");
      if (!stmt.ok()) return done(stmt.status());
      StmtScope s(**stmt);
      if (s->Step() != SQLITE_ROW) return done(conn->Error("health check"));
      done(HealthInfo{"sqlite", static_cast<int>(s->Int(0))});
    });
  }

  void Close() override {
    writer_.Stop();
    readers_.Stop();
    checkpointer_.Stop();
  }

 private:
  std::unique_ptr<Conn> AttachCheckpointer(std::unique_ptr<Conn> conn) {
    checkpointer_.Attach(*conn);
    return conn;
  }

  Checkpointer checkpointer_;  // before writer_: it must outlive the write connection's hook
  Writer writer_;
  ReaderPool readers_;
  SqliteEventLog events_;
  SqliteLeads leads_;
  SqliteStats stats_;
  SqliteAssessments assessments_;
  SqliteEndpoints endpoints_;
  SqliteDeliveries deliveries_;
  int schema_version_;
};

}  // namespace

StatusOr<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                                 std::chrono::microseconds commit_wait,
                                                 double commit_wait_idle) {
  const auto dir = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!dir.empty()) std::filesystem::create_directories(dir, ec);
  if (ec) {
    return Status::Unavailable(
        fmt::format("cannot create folder {}: {}", dir.string(), ec.message()));
  }
  // The write connection gathers each commit's WAL frames into one write (sqlite/wal_vfs.h);
  // readers and the checkpointer never write the WAL and use the default VFS.
  auto conn = Conn::Open(path, GatheringWalVfs());
  if (!conn.ok()) return conn.status();
  auto version = Migrate(**conn);
  if (!version.ok()) return version.status();
  return std::unique_ptr<Store>(
      new SqliteStore(std::move(conn.value()), path, *version, commit_wait, commit_wait_idle));
}

}  // namespace hookline::store::sqlite
