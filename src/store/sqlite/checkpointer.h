#pragma once
// Keeps the SQLite WAL short and lets it start again from its beginning under a steady load,
// without stalling commits.
//
// SQLite's own auto-checkpoint runs inside the commit that crosses its threshold, so every
// thousandth group commit would wait for the whole database file to be written and synced.
// Checkpointing only in the background does not stall, but it never catches up with a busy
// writer: the WAL is reset only when a checkpoint has copied every frame into the database
// before the next write transaction begins, so the file grows for as long as the load lasts.
// A growing WAL costs twice: an fdatasync that also extends the file commits file-system
// metadata (about 1.4 times the cost of overwriting blocks already there, measured on this
// project's machines), and the gathering VFS (wal_vfs.h) writes only inside the file's size.
//
// So a cycle has two steps. When the WAL has grown by `soft_frames` since it last restarted
// (the write connection reports its size after each commit, Attach), this thread copies those
// frames into the database with a PASSIVE checkpoint on its own connection and syncs the
// database file, concurrently with the writer. The writer then, between two transactions,
// copies the few frames committed meanwhile (at most `max_tail_frames`, otherwise this thread
// goes once more, and the limit doubles each time so a cycle always ends) and SQLite syncs the
// small rest; the next transaction restarts the WAL. If readers keep old snapshots and a pass
// cannot copy everything, the next pass is asked for after another `soft_frames`. If the WAL
// still grows past `hard_frames`, the writer checkpoints itself, as SQLite would, so the file
// stays bounded.
//
// Attach's hook runs on the writer thread; Stop on the owner's, after the writer stopped.

#include <sqlite3.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "store/sqlite/conn.h"

namespace hookline::store::sqlite {

struct CheckpointLimits {
  int soft_frames = 1000;     // WAL growth that starts a background pass
  int max_tail_frames = 256;  // the most the writer copies itself to finish a cycle
  int hard_frames = 50000;    // the writer checkpoints itself past this size
};

class Checkpointer {
 public:
  explicit Checkpointer(std::string path, CheckpointLimits limits = {});
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Installs the WAL hook on the write connection (before the Writer owns it).
  void Attach(Conn& write_conn);
  // A last full checkpoint (the WAL is truncated), then the thread ends. Call after the
  // Writer stopped.
  void Stop();

 private:
  static int OnWal(void* self, sqlite3* db, const char* name, int frames);
  void AfterCommit(sqlite3* db, const char* name, int frames);
  void AskForPass(int frames);
  void Loop();
  // One PASSIVE checkpoint on this thread's connection, then an fdatasync of the database
  // file; returns the WAL size the pass copied completely, or -1 if it could not.
  int Pass(Conn& conn);

  const std::string path_;
  const CheckpointLimits limits_;

  std::mutex mu_;  // guards the fields up to thread_
  std::condition_variable cv_;
  bool pending_ = false;  // a pass is asked for
  bool stopping_ = false;
  bool pass_done_ = false;  // a pass ended; the writer has not looked yet
  int pass_covered_ = -1;   // that pass's result (Pass)
  std::thread thread_;

  // The writer thread's own (AfterCommit).
  bool pass_in_flight_ = false;
  int last_frames_ = 0;
  int next_pass_at_;
  int tail_limit_;  // max_tail_frames, doubled while passes leave more behind
};

}  // namespace hookline::store::sqlite
