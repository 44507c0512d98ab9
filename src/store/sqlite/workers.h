#pragma once
// The SQLite backend's threads.
//
// Writer: one thread owning the one write connection. Jobs queue up while a transaction is
// being committed and all of them go into the next one (group commit: one fsync for many
// requests). If a job hits a database error the batch is rolled back and its jobs are run again
// one transaction each, so one bad job cannot fail its neighbours.
//
// Durability is pipelined. The write connection runs synchronous=NORMAL, so COMMIT writes the
// batch's WAL frames and returns without waiting for the disk; the completer thread then calls
// fdatasync on the WAL file (one call for every batch committed since the last one) and only
// after that returns runs the jobs' callbacks. So a reply still means "on disk", exactly as with
// synchronous=FULL, but the writer builds the next transaction while the disk flushes the
// previous one instead of waiting for it. SQLite itself still syncs the WAL header when it
// restarts the log and the WAL before every checkpoint, as it does with FULL. If the WAL file
// cannot be opened for syncing, the connection stays synchronous=FULL and COMMIT syncs itself.
//
// A job submitted with Ack::kVisible has its callback run on the writer thread as soon as COMMIT
// has written its frames to the WAL file: other connections see its rows, and a killed process
// keeps them (they are in the file), but a power loss before the next fdatasync may not. Only
// jobs whose loss in that case costs nothing but a repeat use it (a delivery claim: the row is
// claimed and sent again, which at-least-once delivery allows); anything answered to a client
// waits for the disk.
//
// Readers: a few threads, each with its own connection (WAL lets them read while the writer
// writes), taking read jobs from one queue.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/commit_gather.h"
#include "core/cpu_idle.h"
#include "core/work_queue.h"
#include "store/callback.h"
#include "store/fn_job.h"
#include "store/sqlite/conn.h"

namespace hookline::store::sqlite {

// When a write job's callback runs (see the header comment).
enum class Ack {
  kDurable,  // after the fdatasync that puts the job's transaction on disk
  kVisible,  // right after its COMMIT, on the writer thread: written, visible, not yet synced
};

class WriteJob {
 public:
  virtual ~WriteJob() = default;
  // Runs inside the batch's transaction. A non-ok Status means the database failed; expected
  // outcomes (duplicate, not found, invalid) are results the job keeps for Complete.
  virtual Status Execute(Conn& conn) = 0;
  // After COMMIT (status ok) or after the job's transaction failed (status says why).
  virtual void Complete(const Status& status) = 0;
  // A small job that comes in streams (an EventLog insert from a webhook or the landing page)
  // and may wait a moment for company (core/commit_gather.h). Jobs that are batches themselves
  // or part of a closed loop (delivery claims and results, renders) never wait, and a batch
  // with any of them in it is committed at once.
  bool may_wait = false;
  Ack ack = Ack::kDurable;
};

// A job from a function (store/fn_job.h).
template <class T>
using FnJob = store::FnJob<WriteJob, Conn, T>;

class Writer {
 public:
  // commit_wait: how long a small batch may wait for more jobs under a steady stream of
  // writes (core/commit_gather.h); 0 commits each batch at once. commit_wait_idle: it waits only
  // while the machine's idle CPU share is at most this (1: whatever the load).
  Writer(std::unique_ptr<Conn> conn, std::chrono::microseconds commit_wait,
         double commit_wait_idle, size_t max_batch = 1024);
  ~Writer();  // Stop()s
  void Submit(std::unique_ptr<WriteJob> job);
  template <class T>
  void Submit(std::function<StatusOr<T>(Conn&)> fn, Callback<T> done, bool may_wait = false,
              Ack ack = Ack::kDurable) {
    auto job = std::make_unique<FnJob<T>>(std::move(fn), std::move(done));
    job->may_wait = may_wait;
    job->ack = ack;
    Submit(std::move(job));
  }
  // Commits what is queued, then stops; later Submits are answered kUnavailable.
  void Stop();

  // Runs the callbacks of a committed batch's Ack::kVisible jobs and takes them, and their
  // statuses, out of the batch, keeping the others in order. `statuses` has one entry per job,
  // or a single entry that applies to all of them (store::FinishedBatch).
  static void CompleteVisible(std::vector<std::unique_ptr<WriteJob>>& batch,
                              std::vector<Status>& statuses);

 private:
  using Finished = store::FinishedBatch<WriteJob>;

  void Loop();
  void CompleterLoop();
  // Opens the WAL file for the completer's fdatasync and switches the connection to
  // synchronous=NORMAL; on any failure leaves synchronous=FULL (wal_fd_ stays -1).
  void SetUpWalSync();
  std::vector<Status> RunBatch(std::vector<std::unique_ptr<WriteJob>>& batch);
  Status RunInTransaction(std::vector<std::unique_ptr<WriteJob>>& jobs, size_t begin, size_t end);

  std::unique_ptr<Conn> conn_;
  const size_t max_batch_;
  CommitGather gather_;  // used by the writer thread only
  CpuIdle cpu_idle_;     // likewise
  int wal_fd_ = -1;      // the WAL file, read-only, for fdatasync; -1 when COMMIT syncs itself
  WorkQueue<std::unique_ptr<WriteJob>> queue_;
  // Callbacks run on their own thread, so the writer starts the next transaction as soon as a
  // COMMIT returns instead of first handing every reply to the network threads.
  WorkQueue<Finished> done_;
  std::once_flag stop_once_;
  std::thread completer_;
  std::thread thread_;
};

class ReaderPool {
 public:
  using Job = std::function<void(Conn*, const Status&)>;
  ReaderPool(const std::string& path, int threads);
  ~ReaderPool();
  // The job gets a connection, or nullptr and the Status saying why there is none.
  void Submit(Job job);
  void Stop();

 private:
  void Loop(int index);

  std::string path_;
  WorkQueue<Job> queue_;
  std::vector<std::thread> threads_;
};

}  // namespace hookline::store::sqlite
