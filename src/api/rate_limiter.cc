#include "api/rate_limiter.h"

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

}  // namespace hookline::api
