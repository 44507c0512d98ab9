#include "api/rate_limiter.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cmath>
#include <functional>

namespace hookline::api {

RateLimiter::RateLimiter(int per_minute, size_t max_keys)
    : capacity_(std::max(1, per_minute)),
      per_second_(std::max(1, per_minute) / 60.0),
      max_per_shard_(std::max<size_t>(1, max_keys / kShards)) {}

double RateLimiter::Refilled(const Bucket& b, TimePoint now) const {
  const double elapsed = std::chrono::duration<double>(now - b.last).count();
  return std::min(capacity_, b.tokens + std::max(0.0, elapsed) * per_second_);
}

void RateLimiter::MakeRoom(Shard& shard, TimePoint now) {
  std::erase_if(shard.buckets,
                [&](const auto& entry) { return Refilled(entry.second, now) >= capacity_; });
  if (shard.buckets.size() >= max_per_shard_) shard.buckets.erase(shard.buckets.begin());
}

RateLimiter::Decision RateLimiter::Take(std::string_view key, TimePoint now) {
  Shard& shard = shards_[std::hash<std::string_view>{}(key) % kShards];
  std::lock_guard lock(shard.mu);
  auto it = shard.buckets.find(std::string(key));
  if (it == shard.buckets.end()) {
    if (shard.buckets.size() >= max_per_shard_) MakeRoom(shard, now);
    it = shard.buckets.emplace(std::string(key), Bucket{capacity_, now}).first;
  }
  Bucket& b = it->second;
  b.tokens = Refilled(b, now);
  b.last = std::max(b.last, now);
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return {};
  }
  const double wait = (1.0 - b.tokens) / per_second_;
  return {false, std::chrono::seconds(std::max<int64_t>(1, static_cast<int64_t>(std::ceil(wait))))};
}

size_t RateLimiter::Size() const {
  size_t n = 0;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard.mu);
    n += shard.buckets.size();
  }
  return n;
}

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IsIpAddress(std::string_view s) {
  if (s.empty() || s.size() >= INET6_ADDRSTRLEN) return false;
  char text[INET6_ADDRSTRLEN];
  s.copy(text, s.size());
  text[s.size()] = '\0';
  unsigned char out[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, text, out) == 1 || inet_pton(AF_INET6, text, out) == 1;
}

}  // namespace

std::string ClientAddress(std::string_view peer,
                          const std::vector<std::string_view>& forwarded_for,
                          int trusted_proxy_hops) {
  std::string_view chosen = peer;
  int hops = 0;
  // Walk the X-Forwarded-For entries from the right (the last header's last entry first).
  for (auto header = forwarded_for.rbegin();
       header != forwarded_for.rend() && hops < trusted_proxy_hops; ++header) {
    std::string_view rest = *header;
    while (hops < trusted_proxy_hops) {
      const auto comma = rest.rfind(',');
      const auto entry = Trim(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
      if (!IsIpAddress(entry)) return std::string(chosen);
      chosen = entry;
      ++hops;
      if (comma == std::string_view::npos) break;
      rest = rest.substr(0, comma);
    }
  }
  return std::string(chosen);
}

}  // namespace hookline::api
