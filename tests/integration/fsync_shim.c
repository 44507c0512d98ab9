/* Test-only LD_PRELOAD shim around fsync/fdatasync, to check that hookline acknowledges a
 * write only after the disk flush that covers it, and what it does when a flush fails.
 *   FSYNC_SHIM_BLOCK=<path>: while <path> exists, every fsync/fdatasync waits.
 *   FSYNC_SHIM_FAIL=<path>:  while <path> exists, every fsync/fdatasync fails with EIO.
 * Built by tests/integration/test_wal_sync.py with the system C compiler. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static int flag(const char *name) {
  const char *path = getenv(name);
  struct stat st;
  return path != NULL && stat(path, &st) == 0;
}

static int hold(void) {
  while (flag("FSYNC_SHIM_BLOCK")) usleep(5000);
  if (flag("FSYNC_SHIM_FAIL")) {
    errno = EIO;
    return -1;
  }
  return 0;
}

int fdatasync(int fd) {
  static int (*real)(int);
  if (real == NULL) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
  if (hold() != 0) return -1;
  return real(fd);
}

int fsync(int fd) {
  static int (*real)(int);
  if (real == NULL) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
  if (hold() != 0) return -1;
  return real(fd);
}
