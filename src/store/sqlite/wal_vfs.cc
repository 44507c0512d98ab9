#include "store/sqlite/wal_vfs.h"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>

#include "core/metrics.h"

namespace hookline::store::sqlite {
namespace {

constexpr const char* kName = "hookline-wal";
// A commit larger than this is written in several pieces (still far fewer than two per page).
constexpr size_t kMaxGathered = 2u << 20;
// The unix VFS writes at most 128 KiB - 1 bytes per call (it masks the length with 0x1ffff), so
// gathered frames go out in pieces of 124 KiB: one or two writes for a typical commit.
constexpr size_t kMaxWrite = 124u << 10;

// The frames of one WAL handle that are not in the file yet.
struct Gathered {
  sqlite3_int64 start = 0;  // file offset of bytes[0]
  std::vector<char> bytes;
  sqlite3_int64 file_size = 0;  // the file's size, counting what was written through this handle
};

// SQLite allocates szOsFile bytes per open file: this header, then the wrapped VFS's own file.
struct File {
  sqlite3_file base;  // first: SQLite sees a File* as a sqlite3_file*
  sqlite3_file* real;
  const char* db_name = nullptr;  // a main database: its registry key
  File* wal = nullptr;            // a main database: its connection's WAL while both are open
  File* db = nullptr;             // a WAL: the database file of the same connection
  Gathered* gathered = nullptr;   // a WAL paired with its database: the gathered frames
};

constexpr size_t kHeader = (sizeof(File) + 15) & ~size_t{15};

sqlite3_vfs* Real(sqlite3_vfs* vfs) { return static_cast<sqlite3_vfs*>(vfs->pAppData); }
File* AsFile(sqlite3_file* f) { return reinterpret_cast<File*>(f); }

// Main database files by the name pointer SQLite opened them with. A WAL's name lies in the
// same allocation, and sqlite3_filename_database() gives back that very pointer, which is how
// a WAL finds the database file of its own connection (two connections never share one).
std::mutex registry_mu;
std::unordered_map<const char*, File*> registry;  // guarded by registry_mu

int Flush(File* f) {
  Gathered& g = *f->gathered;
  if (g.bytes.empty()) return SQLITE_OK;
  auto& metrics = Metrics::Get();
  int rc = SQLITE_OK;
  for (size_t done = 0; done < g.bytes.size() && rc == SQLITE_OK;) {
    const size_t n = std::min(kMaxWrite, g.bytes.size() - done);
    ++metrics.store_wal_writes;
    rc = f->real->pMethods->xWrite(f->real, g.bytes.data() + done, static_cast<int>(n),
                                   g.start + static_cast<sqlite3_int64>(done));
    done += n;
  }
  if (rc == SQLITE_OK) {
    g.file_size = std::max(g.file_size, g.start + static_cast<sqlite3_int64>(g.bytes.size()));
  }
  g.bytes.clear();
  return rc;
}

// Before any operation that must see the file as SQLite wrote it.
int FlushIfWal(File* f) { return f->gathered != nullptr ? Flush(f) : SQLITE_OK; }

void Unpair(File* f) {
  if (f->db != nullptr) f->db->wal = nullptr;
  if (f->wal != nullptr) {
    f->wal->db = nullptr;
    // Unpaired, nothing would flush it at the next commit: write what it holds now (a
    // database is closed after its WAL, so this is for safety, not the usual path).
    if (f->wal->gathered != nullptr) (void)Flush(f->wal);
  }
  f->db = nullptr;
  f->wal = nullptr;
}

// --- sqlite3_io_methods ----------------------------------------------------------------------

int Close(sqlite3_file* file) {
  File* f = AsFile(file);
  int rc = FlushIfWal(f);
  if (f->db_name != nullptr) {
    std::lock_guard lock(registry_mu);
    registry.erase(f->db_name);
  }
  Unpair(f);
  delete f->gathered;
  f->gathered = nullptr;
  const int closed = f->real->pMethods != nullptr ? f->real->pMethods->xClose(f->real) : SQLITE_OK;
  return rc != SQLITE_OK ? rc : closed;
}

int Read(sqlite3_file* file, void* out, int amt, sqlite3_int64 off) {
  File* f = AsFile(file);
  if (int rc = FlushIfWal(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xRead(f->real, out, amt, off);
}

int Write(sqlite3_file* file, const void* in, int amt, sqlite3_int64 off) {
  File* f = AsFile(file);
  if (f->gathered == nullptr || f->db == nullptr) {
    if (int rc = FlushIfWal(f); rc != SQLITE_OK) return rc;
    return f->real->pMethods->xWrite(f->real, in, amt, off);
  }
  Gathered& g = *f->gathered;
  const auto* p = static_cast<const char*>(in);
  const sqlite3_int64 end = off + amt;
  ++Metrics::Get().store_wal_write_calls;
  if (!g.bytes.empty()) {
    const sqlite3_int64 gathered_end = g.start + static_cast<sqlite3_int64>(g.bytes.size());
    if (off >= g.start && end <= gathered_end) {  // a frame rewritten within the same commit
      std::memcpy(g.bytes.data() + (off - g.start), p, static_cast<size_t>(amt));
      return SQLITE_OK;
    }
    if (off == gathered_end && end <= g.file_size &&
        g.bytes.size() + static_cast<size_t>(amt) <= kMaxGathered) {
      g.bytes.insert(g.bytes.end(), p, p + amt);
      return SQLITE_OK;
    }
    if (int rc = Flush(f); rc != SQLITE_OK) return rc;
  }
  if (end <= g.file_size && static_cast<size_t>(amt) <= kMaxGathered) {
    g.start = off;
    g.bytes.assign(p, p + amt);
    return SQLITE_OK;
  }
  // Growing the file: through at once, so that a full disk is this commit's error.
  ++Metrics::Get().store_wal_writes;
  const int rc = f->real->pMethods->xWrite(f->real, in, amt, off);
  if (rc == SQLITE_OK) g.file_size = std::max(g.file_size, end);
  return rc;
}

int Truncate(sqlite3_file* file, sqlite3_int64 size) {
  File* f = AsFile(file);
  if (int rc = FlushIfWal(f); rc != SQLITE_OK) return rc;
  const int rc = f->real->pMethods->xTruncate(f->real, size);
  if (rc == SQLITE_OK && f->gathered != nullptr) f->gathered->file_size = size;
  return rc;
}

int Sync(sqlite3_file* file, int flags) {
  File* f = AsFile(file);
  if (int rc = FlushIfWal(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xSync(f->real, flags);
}

int FileSize(sqlite3_file* file, sqlite3_int64* size) {
  File* f = AsFile(file);
  if (int rc = FlushIfWal(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xFileSize(f->real, size);
}

int Lock(sqlite3_file* file, int level) {
  return AsFile(file)->real->pMethods->xLock(AsFile(file)->real, level);
}
int Unlock(sqlite3_file* file, int level) {
  return AsFile(file)->real->pMethods->xUnlock(AsFile(file)->real, level);
}
int CheckReservedLock(sqlite3_file* file, int* out) {
  return AsFile(file)->real->pMethods->xCheckReservedLock(AsFile(file)->real, out);
}

int FileControl(sqlite3_file* file, int op, void* arg) {
  File* f = AsFile(file);
  if (int rc = FlushIfWal(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xFileControl(f->real, op, arg);
}

int SectorSize(sqlite3_file* file) {
  return AsFile(file)->real->pMethods->xSectorSize(AsFile(file)->real);
}
int DeviceCharacteristics(sqlite3_file* file) {
  return AsFile(file)->real->pMethods->xDeviceCharacteristics(AsFile(file)->real);
}

int ShmMap(sqlite3_file* file, int page, int page_size, int extend, void volatile** out) {
  File* f = AsFile(file);
  if (f->real->pMethods->iVersion < 2) return SQLITE_IOERR_SHMMAP;
  return f->real->pMethods->xShmMap(f->real, page, page_size, extend, out);
}

int ShmLock(sqlite3_file* file, int offset, int n, int flags) {
  File* f = AsFile(file);
  if (f->real->pMethods->iVersion < 2) return SQLITE_IOERR_SHMLOCK;
  // Slot 0 is SQLite's WAL write lock: frames are written only while it is held, and a commit
  // writes all it gathered at its barrier. So whatever is still gathered when the lock is let
  // go was written by a transaction that rolled back (pages it had spilled): it is dropped
  // here, before another connection may commit frames at those offsets. (Written later, it
  // would overwrite that connection's commit.)
  Gathered* gathered = offset == 0 && f->wal != nullptr ? f->wal->gathered : nullptr;
  constexpr int kTaken = SQLITE_SHM_LOCK | SQLITE_SHM_EXCLUSIVE;
  constexpr int kReleased = SQLITE_SHM_UNLOCK | SQLITE_SHM_EXCLUSIVE;
  if (gathered != nullptr && (flags & kReleased) == kReleased) gathered->bytes.clear();
  const int rc = f->real->pMethods->xShmLock(f->real, offset, n, flags);
  if (rc == SQLITE_OK && gathered != nullptr && (flags & kTaken) == kTaken) {
    // While this connection holds the lock no other can write or truncate the WAL, so the size
    // read now stays true for the whole write transaction.
    gathered->bytes.clear();
    File* wal = f->wal;
    sqlite3_int64 size = 0;
    if (wal->real->pMethods->xFileSize(wal->real, &size) != SQLITE_OK) size = 0;  // all through
    gathered->file_size = size;
  }
  return rc;
}

void ShmBarrier(sqlite3_file* file) {
  File* f = AsFile(file);
  // SQLite publishes a commit (the WAL-index header) right after this barrier: its frames must
  // be in the file first. There is no way to fail the commit here, so a failed write stops the
  // process before the commit becomes visible or is acknowledged.
  if (f->wal != nullptr && f->wal->gathered != nullptr) {
    const size_t bytes = f->wal->gathered->bytes.size();
    const sqlite3_int64 at = f->wal->gathered->start;
    if (const int rc = Flush(f->wal); rc != SQLITE_OK) {
      StopBeforeAcknowledging("writing " + std::to_string(bytes) + " bytes at offset " +
                              std::to_string(at) + " of the SQLite WAL failed (" +
                              sqlite3_errstr(rc) + ") before a commit was published");
    }
  }
  if (f->real->pMethods->iVersion >= 2) f->real->pMethods->xShmBarrier(f->real);
}

int ShmUnmap(sqlite3_file* file, int delete_flag) {
  File* f = AsFile(file);
  if (f->real->pMethods->iVersion < 2) return SQLITE_OK;
  return f->real->pMethods->xShmUnmap(f->real, delete_flag);
}

int Fetch(sqlite3_file* file, sqlite3_int64 off, int amt, void** out) {
  File* f = AsFile(file);
  if (f->real->pMethods->iVersion < 3) {
    *out = nullptr;
    return SQLITE_OK;
  }
  return f->real->pMethods->xFetch(f->real, off, amt, out);
}

int Unfetch(sqlite3_file* file, sqlite3_int64 off, void* p) {
  File* f = AsFile(file);
  if (f->real->pMethods->iVersion < 3) return SQLITE_OK;
  return f->real->pMethods->xUnfetch(f->real, off, p);
}

const sqlite3_io_methods kMethods = {
    3,
    Close,
    Read,
    Write,
    Truncate,
    Sync,
    FileSize,
    Lock,
    Unlock,
    CheckReservedLock,
    FileControl,
    SectorSize,
    DeviceCharacteristics,
    ShmMap,
    ShmLock,
    ShmBarrier,
    ShmUnmap,
    Fetch,
    Unfetch,
};

// --- sqlite3_vfs -----------------------------------------------------------------------------

int Open(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  File* f = new (file) File{};
  f->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + kHeader);
  const int rc = Real(vfs)->xOpen(Real(vfs), name, f->real, flags, out_flags);
  // SQLite calls xClose after a failed xOpen only if pMethods is set; mirror the real file.
  f->base.pMethods = f->real->pMethods != nullptr ? &kMethods : nullptr;
  if (rc != SQLITE_OK || name == nullptr) return rc;
  if ((flags & SQLITE_OPEN_MAIN_DB) != 0) {
    f->db_name = name;
    std::lock_guard lock(registry_mu);
    registry[name] = f;
  } else if ((flags & SQLITE_OPEN_WAL) != 0) {
    const char* db_name = sqlite3_filename_database(name);
    std::lock_guard lock(registry_mu);
    auto it = registry.find(db_name);
    if (it != registry.end() && it->second->wal == nullptr) {
      sqlite3_int64 size = 0;
      if (f->real->pMethods->xFileSize(f->real, &size) != SQLITE_OK) size = 0;
      f->gathered = new Gathered{};
      f->gathered->file_size = size;
      f->gathered->bytes.reserve(256u << 10);
      f->db = it->second;
      it->second->wal = f;
    }
    // Not paired (no database file of this VFS): plain pass-through, never gathered.
  }
  return rc;
}

int Delete(sqlite3_vfs* vfs, const char* name, int sync_dir) {
  return Real(vfs)->xDelete(Real(vfs), name, sync_dir);
}
int Access(sqlite3_vfs* vfs, const char* name, int flags, int* out) {
  return Real(vfs)->xAccess(Real(vfs), name, flags, out);
}
int FullPathname(sqlite3_vfs* vfs, const char* name, int n, char* out) {
  return Real(vfs)->xFullPathname(Real(vfs), name, n, out);
}
void* DlOpen(sqlite3_vfs* vfs, const char* name) { return Real(vfs)->xDlOpen(Real(vfs), name); }
void DlError(sqlite3_vfs* vfs, int n, char* out) { Real(vfs)->xDlError(Real(vfs), n, out); }
void (*DlSym(sqlite3_vfs* vfs, void* handle, const char* symbol))(void) {
  return Real(vfs)->xDlSym(Real(vfs), handle, symbol);
}
void DlClose(sqlite3_vfs* vfs, void* handle) { Real(vfs)->xDlClose(Real(vfs), handle); }
int Randomness(sqlite3_vfs* vfs, int n, char* out) {
  return Real(vfs)->xRandomness(Real(vfs), n, out);
}
int Sleep(sqlite3_vfs* vfs, int micros) { return Real(vfs)->xSleep(Real(vfs), micros); }
int CurrentTime(sqlite3_vfs* vfs, double* out) { return Real(vfs)->xCurrentTime(Real(vfs), out); }
int GetLastError(sqlite3_vfs* vfs, int n, char* out) {
  return Real(vfs)->xGetLastError(Real(vfs), n, out);
}
int CurrentTimeInt64(sqlite3_vfs* vfs, sqlite3_int64* out) {
  return Real(vfs)->xCurrentTimeInt64(Real(vfs), out);
}

sqlite3_vfs* Register() {
  // Before SQLite initialises (it refuses afterwards, harmlessly): no memory statistics.
  // hookline never reads them (sqlite3_memory_used), and keeping them takes a process-wide
  // mutex around every allocation SQLite makes, several per inserted row on the writer
  // (bench/RESULTS.md, finding 38).
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  sqlite3_initialize();
  sqlite3_vfs* real = sqlite3_vfs_find(nullptr);
  if (real == nullptr || real->iVersion < 2) return nullptr;
  static sqlite3_vfs vfs{};
  vfs.iVersion = 2;
  vfs.szOsFile = static_cast<int>(kHeader) + real->szOsFile;
  vfs.mxPathname = real->mxPathname;
  vfs.zName = kName;
  vfs.pAppData = real;
  vfs.xOpen = Open;
  vfs.xDelete = Delete;
  vfs.xAccess = Access;
  vfs.xFullPathname = FullPathname;
  vfs.xDlOpen = DlOpen;
  vfs.xDlError = DlError;
  vfs.xDlSym = DlSym;
  vfs.xDlClose = DlClose;
  vfs.xRandomness = Randomness;
  vfs.xSleep = Sleep;
  vfs.xCurrentTime = CurrentTime;
  vfs.xGetLastError = GetLastError;
  vfs.xCurrentTimeInt64 = CurrentTimeInt64;
  if (sqlite3_vfs_register(&vfs, 0) != SQLITE_OK) return nullptr;
  return &vfs;
}

}  // namespace

void StopBeforeAcknowledging(const std::string& why) {
  const std::string line = why + "; stopping so that no unwritten commit is acknowledged";
  spdlog::critical(line);
  spdlog::default_logger()->flush();
  // The logger is asynchronous and abort() flushes nothing: say it on stderr directly.
  std::fprintf(stderr, "hookline: %s\n", line.c_str());
  std::abort();
}

const char* GatheringWalVfs() {
  static sqlite3_vfs* vfs = Register();
  return vfs != nullptr ? vfs->zName : nullptr;
}

int FlushGatheredWal(sqlite3* db) {
  sqlite3_file* wal = nullptr;
  if (sqlite3_file_control(db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &wal) != SQLITE_OK ||
      wal == nullptr || wal->pMethods != &kMethods) {
    return SQLITE_OK;
  }
  return FlushIfWal(AsFile(wal));
}

}  // namespace hookline::store::sqlite
