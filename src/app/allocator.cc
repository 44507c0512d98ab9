#include "app/allocator.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

// jemalloc reads its options from this symbol of the program (MALLOC_CONF in the environment
// still overrides them). Two arenas instead of four per core: hookline's dozen threads on a
// small machine gain nothing from more, and each one costs page faults at start-up (with 8,
// ~170 more page faults and ~10 ms more CPU from exec to ready on the 2-core virtual machine
// P6 is measured on). Ignored when the build does not link jemalloc.
extern "C" {
extern const char* const malloc_conf;
const char* const malloc_conf = "narenas:2";
}

// jemalloc's control interface, weak so that a build without jemalloc links and reports glibc.
extern "C" int mallctl(const char* name, void* oldp, size_t* oldlenp, void* newp, size_t newlen)
    __attribute__((weak));

namespace hookline::app {
namespace {

uint64_t ThreadAllocatedBytes() {
  uint64_t bytes = 0;
  size_t len = sizeof(bytes);
  return mallctl("thread.allocated", &bytes, &len, nullptr, 0) == 0 ? bytes : 0;
}

}  // namespace

std::string MemoryAllocator() {
  if (mallctl == nullptr) return "glibc";
  const char* version = nullptr;
  size_t len = sizeof(version);
  if (mallctl("version", &version, &len, nullptr, 0) != 0 || version == nullptr) return "glibc";
  // Linked is not enough: malloc itself must resolve to jemalloc's. One allocation through
  // malloc must show in jemalloc's count of this thread's bytes.
  constexpr size_t kProbe = 1 << 20;
  const uint64_t before = ThreadAllocatedBytes();
  void* volatile probe = std::malloc(kProbe);  // volatile: the pair may not be optimised away
  const uint64_t after = ThreadAllocatedBytes();
  std::free(probe);
  if (after < before + kProbe) return "glibc";
  std::string_view v(version);  // "5.3.0-0-g54eaed1d..." -> "5.3.0"
  return "jemalloc " + std::string(v.substr(0, v.find('-')));
}

}  // namespace hookline::app
