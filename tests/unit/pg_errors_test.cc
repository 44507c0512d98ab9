// How a PostgreSQL SQLSTATE turns into a Status: what a client is told, and what counts against
// /healthz as a database that refuses writes.
#include <gtest/gtest.h>

#include <string>

#include "core/metrics.h"
#include "store/postgres/conn.h"

namespace hookline::store::postgres {
namespace {

TEST(PgSqlState, ADatabaseThatCannotWriteNowIsRetryLater) {
  for (const char* state : {"53100",  // disk full
                            "53200",  // out of memory
                            "53300",  // too many connections
                            "58030",  // I/O error
                            "25006",  // read-only transaction (a standby)
                            "57P01",  // admin shutdown
                            "57014",  // statement timeout
                            "08006",  // connection failure
                            "25P03",  // idle-in-transaction timeout
                            "40003",  // statement completion unknown
                            ""}) {    // no SQLSTATE: a client-side failure
    EXPECT_EQ(ClassifySqlState(state), SqlStateKind::kRetryLater) << state;
  }
}

TEST(PgSqlState, ALostRaceWithAnotherTransactionIsAConflict) {
  for (const char* state : {"40001", "40P01", "55P03"}) {
    EXPECT_EQ(ClassifySqlState(state), SqlStateKind::kConflict) << state;
  }
}

TEST(PgSqlState, DataTheServerRefusesAndEverythingElse) {
  EXPECT_EQ(ClassifySqlState("22P02"), SqlStateKind::kBadData);   // invalid text representation
  EXPECT_EQ(ClassifySqlState("23505"), SqlStateKind::kBadData);   // unique violation
  EXPECT_EQ(ClassifySqlState("P0001"), SqlStateKind::kInternal);  // raised by a trigger
  EXPECT_EQ(ClassifySqlState("42P01"), SqlStateKind::kInternal);  // undefined table
  EXPECT_EQ(ClassifySqlState("XX000"), SqlStateKind::kInternal);
}

TEST(PgSqlState, AConflictDoesNotMakeWritesCountAsFailing) {
  Metrics m;
  m.NoteWrite(Status::Ok());
  const Status deadlock =
      Status::Unavailable("postgres insert: deadlock detected (40P01)").AsConflict();
  EXPECT_EQ(deadlock.code(), StatusCode::kUnavailable);  // the client is still told 503
  EXPECT_TRUE(deadlock.conflict());
  m.NoteWrite(deadlock);
  EXPECT_FALSE(m.WritesFailing());
  m.NoteWrite(
      Status::Unavailable("postgres insert: cannot execute INSERT in a read-only "
                          "transaction (25006)"));
  EXPECT_TRUE(m.WritesFailing());
}

}  // namespace
}  // namespace hookline::store::postgres
