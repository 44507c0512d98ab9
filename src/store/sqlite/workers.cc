#include "store/sqlite/workers.h"

#include <fcntl.h>
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "core/metrics.h"
#include "store/sqlite/wal_vfs.h"

namespace hookline::store::sqlite {

Writer::Writer(std::unique_ptr<Conn> conn, std::chrono::microseconds commit_wait,
               double commit_wait_idle, size_t max_batch)
    : conn_(std::move(conn)),
      max_batch_(max_batch),
      gather_(commit_wait, CommitGather::kDefaultTarget, commit_wait_idle) {
  SetUpWalSync();
  completer_ = std::thread([this] { CompleterLoop(); });
  thread_ = std::thread([this] { Loop(); });
  // Named for `top -H` and perf.
  pthread_setname_np(completer_.native_handle(), "hl-sqlite-sync");
  pthread_setname_np(thread_.native_handle(), "hl-sqlite-write");
}

Writer::~Writer() {
  Stop();
  if (wal_fd_ >= 0) ::close(wal_fd_);
}

void Writer::SetUpWalSync() {
  sqlite3* db = conn_->raw();
  const char* main_file = sqlite3_db_filename(db, "main");
  if (main_file == nullptr || *main_file == '\0') return;  // in-memory or temporary database
  const char* wal = sqlite3_filename_wal(main_file);
  if (wal == nullptr || *wal == '\0') return;
  // SQLite creates the WAL when a connection in WAL mode first reads; the migrations did. It is
  // never unlinked while a connection (this one) has the database open, so the descriptor stays
  // the WAL's for the writer's whole life. The descriptor is never closed before the
  // connection, so closing it cannot drop SQLite's POSIX locks (SQLite does not lock the WAL).
  const int fd = ::open(wal, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    spdlog::warn("cannot open the WAL file {} ({}); commits sync inside the writer", wal,
                 std::strerror(errno));
    return;
  }
  if (auto st = conn_->Exec("PRAGMA synchronous=NORMAL"); !st.ok()) {
    spdlog::warn("cannot pipeline WAL syncs ({}); commits sync inside the writer", st.message());
    ::close(fd);
    return;
  }
  wal_fd_ = fd;
}

void Writer::Submit(std::unique_ptr<WriteJob> job) {
  if (!queue_.Push(job)) job->Complete(Status::Unavailable("the store is shutting down"));
}

void Writer::Stop() {
  std::call_once(stop_once_, [this] {
    queue_.Close();
    thread_.join();  // every queued job committed
    done_.Close();
    completer_.join();  // every callback run
  });
}

void Writer::CompleterLoop() {
  std::vector<Finished> ready;
  auto& metrics = Metrics::Get();
  while (done_.PopBatch(ready, 1024)) {
    // Every batch in `ready` was committed before this fdatasync starts, so all their frames
    // are on disk when it returns. A batch committed meanwhile waits for the next call.
    if (wal_fd_ >= 0) {
      const auto t0 = std::chrono::steady_clock::now();
      if (::fdatasync(wal_fd_) != 0) {
        StopBeforeAcknowledging(std::string("fdatasync of the SQLite WAL failed: ") +
                                std::strerror(errno));
      }
      metrics.store_wal_sync_duration.ObserveSince(t0);
    }
    for (auto& f : ready) f.Complete();
    ready.clear();
  }
}

void Writer::Loop() {
  std::vector<std::unique_ptr<WriteJob>> batch;
  using Queue = WorkQueue<std::unique_ptr<WriteJob>>;
  // The machine's idle CPU share, read before each batch is taken: outside the queue's lock,
  // since reading /proc/stat (at most every 100 ms) takes ~19 µs on the 2-core test machine and
  // the network threads' pushes would wait for it. After a quiet spell the share is the one
  // read before it; such a batch rarely waits anyway (its jobs arrived far apart).
  double idle = 1;
  auto hold = [this, &idle](const std::deque<std::unique_ptr<WriteJob>>& queued,
                            Queue::HoldPlan& plan) {
    const auto now = CommitGather::Clock::now();
    gather_.set_idle(idle);
    if (!gather_.Hold(queued.size(), now, plan.want, plan.until)) {
      return false;
    }
    for (const auto& job : queued) {
      if (!job->may_wait) return false;
    }
    plan.quiet = gather_.quiet();
    ++Metrics::Get().store_commit_waits;
    return true;
  };
  auto held = [this](const Queue::HoldPlan& plan) {
    gather_.Held(plan.arrivals, plan.span);
    auto& metrics = Metrics::Get();
    if (plan.went_quiet) ++metrics.store_commit_waits_quiet;
    metrics.store_commit_quiet_us.store(
        static_cast<uint64_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(gather_.quiet()).count()),
        std::memory_order_relaxed);
  };
  for (;;) {
    idle = cpu_idle_.Share(CommitGather::Clock::now());
    Metrics::Get().machine_cpu_idle_permille.store(static_cast<uint64_t>(idle * 1000 + 0.5),
                                                   std::memory_order_relaxed);
    if (!queue_.PopBatchHeld(batch, max_batch_, hold, held)) break;
    auto statuses = RunBatch(batch);
    // COMMIT wrote the frames at its barrier (sqlite/wal_vfs.h); this makes sure of it before
    // the sync thread's fdatasync is taken to cover the batch.
    if (const int rc = FlushGatheredWal(conn_->raw()); rc != SQLITE_OK) {
      StopBeforeAcknowledging(std::string("writing the SQLite WAL failed after a commit: ") +
                              sqlite3_errstr(rc));
    }
    CompleteVisible(batch, statuses);  // after the frames are in the file, before the sync
    Finished finished{std::move(batch), std::move(statuses)};
    done_.Push(finished);  // open until this thread has ended
    batch.clear();
  }
}

void Writer::CompleteVisible(std::vector<std::unique_ptr<WriteJob>>& batch,
                             std::vector<Status>& statuses) {
  const bool shared = statuses.size() == 1;
  size_t kept = 0;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (batch[i]->ack == Ack::kVisible) {
      batch[i]->Complete(shared ? statuses[0] : statuses[i]);
      continue;
    }
    if (kept != i) {
      batch[kept] = std::move(batch[i]);
      if (!shared) statuses[kept] = std::move(statuses[i]);
    }
    ++kept;
  }
  batch.resize(kept);
  if (!shared) statuses.resize(kept);
}

std::vector<Status> Writer::RunBatch(std::vector<std::unique_ptr<WriteJob>>& batch) {
  auto& metrics = Metrics::Get();
  const auto t0 = std::chrono::steady_clock::now();
  Status st = RunInTransaction(batch, 0, batch.size());
  metrics.store_commit_duration.ObserveSince(t0);
  if (st.ok()) {
    ++metrics.store_transactions;
    metrics.store_jobs += batch.size();
    metrics.NoteWrite(st);
    return {st};
  }
  if (batch.size() == 1) {
    spdlog::error("store write failed: {}", st.message());
    ++metrics.store_failures;
    metrics.NoteWrite(st);
    return {st};
  }
  // Isolate the failure: each job alone, so one bad job cannot fail its neighbours.
  spdlog::warn("store batch of {} failed ({}); retrying one by one", batch.size(), st.message());
  std::vector<Status> statuses;
  statuses.reserve(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    Status one = RunInTransaction(batch, i, i + 1);
    if (!one.ok()) {
      spdlog::error("store write failed: {}", one.message());
      ++metrics.store_failures;
    } else {
      ++metrics.store_transactions;
      ++metrics.store_jobs;
    }
    metrics.NoteWrite(one);
    statuses.push_back(std::move(one));
  }
  return statuses;
}

Status Writer::RunInTransaction(std::vector<std::unique_ptr<WriteJob>>& jobs, size_t begin,
                                size_t end) {
  // BEGIN and COMMIT are prepared once (sqlite3_exec would parse them twice per batch).
  auto step = [this](const char* sql) -> Status {
    auto stmt = conn_->Cached(sql);
    if (!stmt.ok()) return stmt.status();
    StmtScope s(**stmt);
    if (s->Step() != SQLITE_DONE) return conn_->Error(sql);
    return Status::Ok();
  };
  if (auto st = step("BEGIN IMMEDIATE"); !st.ok()) return st;
  for (size_t i = begin; i < end; ++i) {
    if (auto st = jobs[i]->Execute(*conn_); !st.ok()) {
      (void)step("ROLLBACK");
      return st;
    }
  }
  if (auto st = step("COMMIT"); !st.ok()) {
    (void)step("ROLLBACK");
    return st;
  }
  return Status::Ok();
}

ReaderPool::ReaderPool(const std::string& path, int threads) : path_(path) {
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([this, i] { Loop(i); });
    pthread_setname_np(threads_.back().native_handle(), "hl-sqlite-read");
  }
}

ReaderPool::~ReaderPool() { Stop(); }

void ReaderPool::Submit(Job job) {
  if (!queue_.Push(job)) job(nullptr, Status::Unavailable("the store is shutting down"));
}

void ReaderPool::Stop() {
  queue_.Close();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void ReaderPool::Loop(int index) {
  std::unique_ptr<Conn> conn;
  Status open_status;
  while (auto job = queue_.Pop()) {
    if (!conn) {
      // Opened lazily and again after a failure, so a transient error heals itself.
      auto opened = Conn::Open(path_);
      if (opened.ok()) {
        conn = std::move(opened.value());
      } else {
        open_status = opened.status();
      }
    }
    (*job)(conn.get(), conn ? Status::Ok() : open_status);
  }
}

}  // namespace hookline::store::sqlite
