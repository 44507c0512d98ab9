#include "store/migrations/migrations.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"

namespace hookline::store {

StatusOr<std::unique_ptr<Store>> OpenStore(const StoreOptions& options) {
  switch (options.url.kind) {
    case DatabaseKind::kSqlite:
      return sqlite::OpenSqliteStore(options.url.sqlite_path, options.commit_wait,
                                     options.commit_wait_idle);
    case DatabaseKind::kPostgres:
      return postgres::OpenPostgresStore(options.url.postgres_dsn, options.pool_size);
  }
  return Status::Internal("unknown database kind");
}

int LatestSchemaVersion(DatabaseKind kind) {
  const auto m = kind == DatabaseKind::kSqlite ? SqliteMigrations() : PostgresMigrations();
  return m.empty() ? 0 : m.back().version;
}

}  // namespace hookline::store
