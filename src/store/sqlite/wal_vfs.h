#pragma once
// The SQLite VFS "hookline-wal": the default (unix) VFS, except that the WAL appends of one
// commit reach the file in one write instead of two per page. SQLite writes each WAL frame as
// its 24-byte header and then its page, each a pwrite; a group commit of ~30 payment events
// writes ~25 frames, so ~50 system calls, at 1.0-2.5 us each on the virtual machines hookline
// is measured on. Here they are gathered in memory and written at once.
//
// Why it is safe (the contract the writer relies on):
//  - A commit's frames are in the file before any other connection can look for them: SQLite
//    publishes a commit by writing the WAL-index header after xShmBarrier on the database file,
//    and that barrier first writes the connection's gathered frames. Readers, the checkpointer
//    and other processes never read frames that are only in memory.
//  - Every other operation on the WAL (read, sync, truncate, size, file control, close) writes
//    the gathered frames first, so SQLite always sees the file as if each write had gone
//    through at once.
//  - Frames are written only under the WAL write lock, and a commit writes all it gathered at
//    its barrier; what is still gathered when the lock is released belongs to a transaction
//    that rolled back, and is dropped then, so it can never land on frames that another writer
//    (another process on the same file) commits at the same offsets afterwards.
//  - Only writes inside the file's current size are gathered (the size is read again whenever
//    the connection takes the WAL write lock, since another connection may have truncated
//    it). A write that grows the file goes through at once, so a full disk fails the commit
//    with SQLITE_FULL as before. Overwriting allocated blocks can only fail with an I/O error;
//    one at the barrier, which cannot return an error, stops the process before the commit is
//    published or acknowledged, as a failed fdatasync of the WAL does.
//  - Durability is unchanged: a write is acknowledged after fdatasync of the WAL, which runs
//    after COMMIT returned, and COMMIT returns after the barrier.
// SQLite uses a connection from one thread at a time, so a file's gathered frames need no
// lock; the registry that pairs a database file with its WAL has one.

#include <sqlite3.h>

#include <string>

namespace hookline::store::sqlite {

// Registers the VFS with SQLite once (thread-safe) and returns its name, for sqlite3_open_v2.
// Returns nullptr (use the default VFS) if SQLite has no default VFS to wrap.
const char* GatheringWalVfs();

// Writes what the connection's WAL has gathered, if anything (SQLITE_OK when there is nothing,
// or the connection does not use this VFS). The writer calls it after each COMMIT, before the
// batch goes to the WAL sync: every commit already flushed at its barrier, so this costs no
// system call; it keeps "committed, then synced" true even for a connection that publishes
// without a barrier (SQLite's exclusive locking mode, which hookline does not use).
int FlushGatheredWal(sqlite3* db);

// After a failed write or fdatasync of the WAL the kernel may have dropped the pages, and a
// later sync can succeed without them, so nothing committed since the last good sync can be
// called durable. Logs `why`, says it on stderr and aborts, as PostgreSQL does: on restart
// SQLite recovers the WAL from what is on disk, and no sender was told "ok" for the rest.
[[noreturn]] void StopBeforeAcknowledging(const std::string& why);

}  // namespace hookline::store::sqlite
