#pragma once
// Applies pending SQLite migrations on `conn` (BEGIN IMMEDIATE per migration, so two processes
// starting together on one file do not both apply one). Returns the version now in place.

#include "core/status.h"
#include "store/sqlite/conn.h"

namespace hookline::store::sqlite {

StatusOr<int> Migrate(Conn& conn);

}  // namespace hookline::store::sqlite
