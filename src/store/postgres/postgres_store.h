#pragma once
// The PostgreSQL backend: a writer (group commit, a few connections) and a reader pool, all
// on one DSN; pool_size connections in all. Implements every aggregate of store/store.h that
// it has (the others answer kUnavailable, see store.h). A server that restarts or goes away
// turns into kUnavailable answers and reconnects, never into a hang (workers.h, conn.h).

#include <memory>
#include <string>

#include "store/store.h"

namespace hookline::store::postgres {

// Connects, migrates (under an advisory lock), starts the threads. The returned Status names
// the server without its password.
StatusOr<std::unique_ptr<Store>> OpenPostgresStore(const std::string& dsn, int pool_size);

}  // namespace hookline::store::postgres
