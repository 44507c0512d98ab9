#include "store/sqlite/checkpointer.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>

#include "core/metrics.h"
#include "store/sqlite/wal_vfs.h"

namespace hookline::store::sqlite {

Checkpointer::Checkpointer(std::string path, CheckpointLimits limits)
    : path_(std::move(path)),
      limits_(limits),
      next_pass_at_(limits.soft_frames),
      tail_limit_(limits.max_tail_frames) {
  thread_ = std::thread([this] { Loop(); });
  pthread_setname_np(thread_.native_handle(), "hl-checkpoint");
}

Checkpointer::~Checkpointer() { Stop(); }

void Checkpointer::Attach(Conn& write_conn) { sqlite3_wal_hook(write_conn.raw(), &OnWal, this); }

int Checkpointer::OnWal(void* self, sqlite3* db, const char* name, int frames) {
  static_cast<Checkpointer*>(self)->AfterCommit(db, name, frames);
  return SQLITE_OK;
}

void Checkpointer::AfterCommit(sqlite3* db, const char* name, int frames) {
  if (frames < last_frames_) {  // this commit's transaction started the WAL again
    Metrics::Get().store_wal_restarts.fetch_add(1, std::memory_order_relaxed);
    next_pass_at_ = limits_.soft_frames;
  }
  last_frames_ = frames;
  if (frames >= limits_.hard_frames) {
    // The background passes are not keeping up: do what SQLite's auto-checkpoint does.
    sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    return;
  }
  bool ended = false;
  int covered = -1;
  {
    std::lock_guard lock(mu_);
    if (pass_done_) {
      ended = true;
      covered = pass_covered_;
      pass_done_ = false;
    }
  }
  if (ended) {
    pass_in_flight_ = false;
    if (covered > 0 && frames - covered <= tail_limit_) {
      // Only what was committed during the pass is left to copy, and the database file holds
      // the rest on disk already: a short stall here, between two transactions, and the next
      // one writes the WAL from its beginning.
      tail_limit_ = limits_.max_tail_frames;
      int log = 0, done = 0;
      if (sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, &log, &done) ==
              SQLITE_OK &&
          log == done) {
        Metrics::Get().store_checkpoint_finishes.fetch_add(1, std::memory_order_relaxed);
      }
      return;
    }
    if (covered > 0) {
      // Too much came in during the pass: another one, shorter. If the writer is so fast that
      // every pass leaves more than the limit behind, the limit doubles each time, so a cycle
      // always ends, with a stall no longer than about one pass.
      tail_limit_ = std::min(tail_limit_ * 2, limits_.hard_frames);
      AskForPass(frames);
      return;
    }
  }
  if (!pass_in_flight_ && frames >= next_pass_at_) AskForPass(frames);
}

void Checkpointer::AskForPass(int frames) {
  pass_in_flight_ = true;
  next_pass_at_ = frames + limits_.soft_frames;
  std::lock_guard lock(mu_);
  pending_ = true;
  cv_.notify_one();
}

void Checkpointer::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    cv_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
}

int Checkpointer::Pass(Conn& conn) {
  int log = 0, done = 0;
  const int rc =
      sqlite3_wal_checkpoint_v2(conn.raw(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
  Metrics::Get().store_checkpoint_passes.fetch_add(1, std::memory_order_relaxed);
  if (rc != SQLITE_OK) {
    if (rc != SQLITE_BUSY) spdlog::warn("checkpoint failed: {}", sqlite3_errmsg(conn.raw()));
    return -1;
  }
  if (log <= 0 || done < log) return -1;  // readers' snapshots hold frames back
  // SQLite syncs the database file only when a checkpoint reaches the end of the WAL, which a
  // pass under load never does (the writer has committed more meanwhile). Sync what the pass
  // wrote now, so the writer's final step has only its own few pages to sync.
  sqlite3_file* file = nullptr;
  if (sqlite3_file_control(conn.raw(), "main", SQLITE_FCNTL_FILE_POINTER, &file) != SQLITE_OK ||
      file == nullptr || file->pMethods == nullptr) {
    return -1;
  }
  if (file->pMethods->xSync(file, SQLITE_SYNC_NORMAL) != SQLITE_OK) {
    // The kernel may have dropped the pages it could not write, and a later sync could then
    // succeed without them after the WAL that still holds them was reset.
    StopBeforeAcknowledging("fdatasync of the SQLite database file failed during a checkpoint");
  }
  return log;
}

void Checkpointer::Loop() {
  std::unique_ptr<Conn> conn;
  for (;;) {
    bool last = false;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return pending_ || stopping_; });
      pending_ = false;
      last = stopping_;
    }
    if (!conn) {
      auto opened = Conn::Open(path_);
      if (!opened.ok()) {
        spdlog::warn("checkpointer cannot open the database: {}", opened.status().message());
        if (last) return;
        std::lock_guard lock(mu_);
        pass_done_ = true;  // the writer asks again later; its hard limit still bounds the WAL
        pass_covered_ = -1;
        continue;
      }
      conn = std::move(opened.value());
    }
    if (last) {
      if (sqlite3_wal_checkpoint_v2(conn->raw(), nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr,
                                    nullptr) != SQLITE_OK) {
        spdlog::warn("final checkpoint failed: {}", sqlite3_errmsg(conn->raw()));
      }
      return;
    }
    const int covered = Pass(*conn);
    std::lock_guard lock(mu_);
    pass_done_ = true;
    pass_covered_ = covered;
  }
}

}  // namespace hookline::store::sqlite
