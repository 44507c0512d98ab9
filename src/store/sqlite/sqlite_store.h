#pragma once
// The SQLite backend: one database file in WAL mode. One writer thread with group commit and
// pipelined WAL syncs (a reply waits for the fdatasync that covers its commit), a few reader
// threads (workers.h). Implements every aggregate of store/store.h.

#include <chrono>
#include <memory>
#include <string>

#include "store/store.h"

namespace hookline::store::sqlite {

// Creates the file's folder if needed, opens, migrates, starts the threads.
// commit_wait, commit_wait_idle: see StoreOptions.
StatusOr<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                                 std::chrono::microseconds commit_wait,
                                                 double commit_wait_idle);

}  // namespace hookline::store::sqlite
