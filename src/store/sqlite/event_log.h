#pragma once
// EventLogStore on SQLite. Writes through the Writer (group commit), reads on the ReaderPool.

#include "store/event_log.h"
#include "store/sqlite/workers.h"

namespace hookline::store::sqlite {

class SqliteEventLog final : public EventLogStore {
 public:
  SqliteEventLog(Writer& writer, ReaderPool& readers) : writer_(writer), readers_(readers) {}
  void Insert(EventRecord event, Callback<InsertOutcome> done) override;
  void List(EventQuery query, Callback<EventPage> done) override;

  // The insert itself, for other aggregates' transactions (a lead and its lead.created row).
  static StatusOr<InsertOutcome> InsertIn(Conn& conn, const EventRecord& event);
  // Reads a row selected as (id, type, source, payload, leadId, createdAt) from column `first`.
  static EventRecord ReadRow(Stmt& stmt, int first = 0);

 private:
  Writer& writer_;
  ReaderPool& readers_;
};

}  // namespace hookline::store::sqlite
