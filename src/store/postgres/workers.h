#pragma once
// The PostgreSQL backend's threads. Each thread owns one connection (ConnSlot: opened lazily,
// reopened after the server restarted); no connection is ever used by two threads.
//
// Writer: a few threads taking jobs from one queue. Jobs that queue up while a thread is
// committing go, up to max_batch, into that thread's next transaction (group commit: one WAL
// flush for many requests; with two or more threads one batch commits while the next one is
// being written). EventLog inserts of a batch become one multi-row INSERT ... ON CONFLICT DO
// NOTHING RETURNING id (event_log.h); a batch of nothing else is sent without BEGIN/COMMIT, as
// one statement that is its own transaction (one round trip). Callbacks run after the commit
// returned, on a completer thread, so the writer sends the next batch at once instead of first
// answering every request of this one. If a batch fails,
// its jobs run again one transaction each, so one bad job cannot fail its neighbours. If a
// COMMIT's outcome is unknown (the connection dropped), the jobs get kUnavailable: never a
// success for something that may not be committed.
//
// Readers: a few threads taking read jobs from one queue.
//
// A job that gets a non-ok Status from a statement must return it: PostgreSQL aborts the
// whole transaction after an error (use ON CONFLICT, not "try and catch the error").

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/work_queue.h"
#include "store/callback.h"
#include "store/fn_job.h"
#include "store/postgres/conn.h"

namespace hookline::store::postgres {

class EventInsertJob;

class WriteJob {
 public:
  virtual ~WriteJob() = default;
  // Runs inside the batch's transaction. A non-ok Status means a statement failed; expected
  // outcomes (duplicate, not found) are results the job keeps for Complete.
  virtual Status Execute(Conn& conn) = 0;
  // After COMMIT (status ok) or after the job's transaction failed (status says why).
  virtual void Complete(const Status& status) = 0;
  // Non-null for an EventLog insert the writer may fold into the batch's multi-row INSERT.
  virtual EventInsertJob* AsEventInsert() { return nullptr; }
};

// A job from a function (store/fn_job.h).
template <class T>
using FnJob = store::FnJob<WriteJob, Conn, T>;

class Writer {
 public:
  Writer(const ConnOptions& options, int threads, size_t max_batch = 1000);
  ~Writer();  // Stop()s
  void Submit(std::unique_ptr<WriteJob> job);
  template <class T>
  void Submit(std::function<StatusOr<T>(Conn&)> fn, Callback<T> done) {
    Submit(std::make_unique<FnJob<T>>(std::move(fn), std::move(done)));
  }
  // Commits what is queued, then stops; later Submits are answered kUnavailable.
  void Stop();

 private:
  using Batch = std::vector<std::unique_ptr<WriteJob>>;
  using Finished = store::FinishedBatch<WriteJob>;
  void Loop(int index);
  void CompleterLoop();
  std::vector<Status> RunBatch(ConnSlot& slot, Batch& batch);
  // Status of the transaction; *outcome_unknown: the connection was lost after COMMIT (or the
  // one-statement transaction) was sent, so whether it committed is unknown.
  Status RunInTransaction(Conn& conn, Batch& jobs, size_t begin, size_t end, bool* outcome_unknown);

  ConnOptions options_;
  const size_t max_batch_;
  WorkQueue<std::unique_ptr<WriteJob>> queue_;
  WorkQueue<Finished> done_;
  std::vector<std::thread> threads_;
  std::thread completer_;
};

class ReaderPool {
 public:
  // The job gets a live connection, or nullptr and the Status saying why there is none.
  using Job = std::function<void(Conn*, const Status&)>;
  ReaderPool(const ConnOptions& options, int threads);
  ~ReaderPool();
  void Submit(Job job);
  void Stop();

 private:
  void Loop();

  ConnOptions options_;
  WorkQueue<Job> queue_;
  std::vector<std::thread> threads_;
};

}  // namespace hookline::store::postgres
