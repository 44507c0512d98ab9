#pragma once
// Applies pending PostgreSQL migrations on `conn`, under a session advisory lock so that
// instances starting together wait for each other instead of racing (the first applies, the
// others find the work done). Each migration runs in its own transaction with its
// schema_version row. Returns the version now in place.

#include "core/status.h"
#include "store/postgres/conn.h"

namespace hookline::store::postgres {

StatusOr<int> Migrate(Conn& conn);

}  // namespace hookline::store::postgres
