#pragma once
// Which malloc the process really runs on: "jemalloc <version>" when jemalloc's malloc is the
// one every allocation goes through (the build links it, CMakeLists.txt), otherwise "glibc".
// Told by `hookline version` and in the start-up line, so a build that lost jemalloc (a
// missing package, a linker that dropped the library) shows it.

#include <string>

namespace hookline::app {

std::string MemoryAllocator();

}  // namespace hookline::app
