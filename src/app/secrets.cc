#include "app/secrets.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace hookline::app {
namespace {

StatusOr<std::string> ReadSecretFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::Unavailable(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  if (s.empty()) return Status::Invalid(fmt::format("{} is empty; delete it to generate a new one", path));
  return s;
}

}  // namespace

StatusOr<ResolvedSecret> ResolveSecret(const std::string& configured, const std::string& data_dir,
                                       const std::string& file_name, Random& random) {
  if (!configured.empty()) return ResolvedSecret{configured, false, ""};
  const std::string path = (std::filesystem::path(data_dir) / file_name).string();
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno != EEXIST) {
      return Status::Unavailable(fmt::format("cannot create {}: {}", path, std::strerror(errno)));
    }
    auto existing = ReadSecretFile(path);
    if (!existing.ok()) return existing.status();
    return ResolvedSecret{std::move(*existing), false, path};
  }
  const std::string secret = random.HexBytes(32);
  const std::string line = secret + "\n";
  const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
                  ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) {
    ::unlink(path.c_str());
    return Status::Unavailable(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
  }
  return ResolvedSecret{secret, true, path};
}

}  // namespace hookline::app
