#include "store/migrations/migrations.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"

namespace hookline::store {

StatusOr<std::unique_ptr<Store>> OpenStore(const StoreOptions& options) {
  switch (options.url.kind) {
    case DatabaseKind::kSqlite:
      return sqlite::OpenSqliteStore(options.url.sqlite_path);
    case DatabaseKind::kPostgres:
      return Status::Unavailable("PostgreSQL support is not built into this hookline yet");
  }
  return Status::Internal("unknown database kind");
}

int LatestSchemaVersion(DatabaseKind kind) {
  const auto m = kind == DatabaseKind::kSqlite ? SqliteMigrations() : PostgresMigrations();
  return m.empty() ? 0 : m.back().version;
}

}  // namespace hookline::store
