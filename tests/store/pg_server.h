#pragma once
// A PostgreSQL server for the store contract suite: HOOKLINE_TEST_PG_DSN names an existing one
// (a database per test is created in it), else a throwaway server is started once per test
// binary: initdb + pg_ctl from Debian's postgresql package (/usr/lib/postgresql/<v>/bin) in a
// temporary folder, on a free port of 127.0.0.1, trust authentication. As root the server runs
// as the `postgres` user (PostgreSQL refuses root). Not thread-safe: call from the test thread.

#include <string>

namespace hookline::testing {

class PgServer {
 public:
  // The process-wide server, started on first use. Empty Error() when it is up.
  static PgServer& Get();
  const std::string& error() const { return error_; }

  // A fresh, empty database; its DSN (postgres://...).
  std::string CreateDatabase();
  void DropDatabase(const std::string& dsn);

  // For outage tests: only a server this harness started can be stopped and started.
  bool Owned() const { return !dir_.empty(); }
  bool Stop();
  bool Start();

  ~PgServer();

 private:
  PgServer();
  std::string Dsn(const std::string& db) const;
  std::string Exec(const std::string& sql);  // on the admin database; returns the error or ""

  std::string external_;  // HOOKLINE_TEST_PG_DSN
  std::string dir_;       // our temporary folder (empty when external)
  std::string bin_;
  int port_ = 0;
  std::string error_;
};

}  // namespace hookline::testing
