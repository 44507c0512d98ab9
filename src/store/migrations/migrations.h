#pragma once
// Versioned schema migrations, one list per backend. A migration is applied once, in order, in
// its own transaction, and recorded in schema_version(version, name, applied_at). Never edit a
// migration that has shipped: add the next one. Version numbers are shared by both backends
// (version N means the same tables in SQLite and PostgreSQL).

#include <span>
#include <string_view>

namespace hookline::store {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;  // one or more statements
};

std::span<const Migration> SqliteMigrations();
std::span<const Migration> PostgresMigrations();

}  // namespace hookline::store
