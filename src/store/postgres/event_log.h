#pragma once
// EventLogStore on PostgreSQL. Inserts go through the Writer, which folds every insert of a
// batch into one INSERT ... SELECT FROM unnest(arrays) ON CONFLICT (id) DO NOTHING RETURNING id
// (one statement, one round trip, never a look-up first); reads run on the ReaderPool.
// Thread-safe like every Store part.

#include <span>

#include "store/event_log.h"
#include "store/postgres/workers.h"

namespace hookline::store::postgres {

// One EventLog insert waiting in the writer's queue.
class EventInsertJob final : public WriteJob {
 public:
  EventInsertJob(EventRecord event, Callback<InsertOutcome> done)
      : event_(std::move(event)), done_(std::move(done)) {}
  Status Execute(Conn& conn) override;
  void Complete(const Status& status) override;
  EventInsertJob* AsEventInsert() override { return this; }

  // Inserts every job's event with one statement and sets each job's outcome: per id that the
  // statement returned, the first job of the batch with that id gets kInserted, every other
  // job kDuplicate (two copies of one new id in one batch: exactly one kInserted). Rows are
  // written in id order, so two writer connections lock shared ids in the same order and
  // cannot deadlock on each other. Outside BEGIN the statement is its own transaction (one
  // round trip for the whole group commit); *sent as in Conn::Prepared.
  static Status InsertBatch(Conn& conn, std::span<EventInsertJob* const> jobs,
                            bool* sent = nullptr);

 private:
  EventRecord event_;
  Callback<InsertOutcome> done_;
  InsertOutcome outcome_ = InsertOutcome::kDuplicate;
};

class PgEventLog final : public EventLogStore {
 public:
  PgEventLog(Writer& writer, ReaderPool& readers) : writer_(writer), readers_(readers) {}
  void Insert(EventRecord event, Callback<InsertOutcome> done) override;
  void List(EventQuery query, Callback<EventPage> done) override;

  // The insert itself, for other aggregates' transactions (a lead and its lead.created row).
  static StatusOr<InsertOutcome> InsertIn(Conn& conn, const EventRecord& event);
  // Columns to select for ReadRow, in its order (createdAt as ISO text with milliseconds).
  static const char* const kColumns;
  // Reads a row selected with kColumns, starting at column `first`.
  static EventRecord ReadRow(const PGresult* res, int row, int first = 0);

 private:
  Writer& writer_;
  ReaderPool& readers_;
};

}  // namespace hookline::store::postgres
