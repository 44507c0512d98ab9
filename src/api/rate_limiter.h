#pragma once
// RateLimiter: a token bucket per key (the client IP), for the public routes of the landing
// page. Each key may spend `per_minute` requests in a burst and then gets per_minute / 60
// more every second.
//
// Memory is bounded: the keys live in kShards maps of at most max_keys / kShards entries,
// each behind its own mutex (so two network threads rarely wait for each other). When a shard
// is full, buckets that have refilled completely are dropped first (forgetting them changes
// nothing); if none has, an arbitrary one is dropped, which at worst gives that one client a
// fresh bucket. Take() may be called from any thread; time is passed in, so tests need no
// sleeping.

#include <array>
#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace hookline::api {

// The address a rate limit applies to. With `trusted_proxy_hops` = 0 (hookline faces the
// internet itself) it is the connection's peer. Behind N reverse proxies that each append the
// address they received from to X-Forwarded-For, it is the N-th address counted from the right
// of that list (the peer being the 0th): the entries further left were written by the client
// and prove nothing. A list shorter than N, or an entry that is not an IP address, falls back to
// the farthest trustworthy address. `forwarded_for` holds each X-Forwarded-For header in order.
std::string ClientAddress(std::string_view peer,
                          const std::vector<std::string_view>& forwarded_for,
                          int trusted_proxy_hops);

class RateLimiter {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  struct Decision {
    bool allowed = true;
    std::chrono::seconds retry_after{0};  // when refused: when one request will be allowed
  };

  // per_minute > 0.
  explicit RateLimiter(int per_minute, size_t max_keys = 65536);

  Decision Take(std::string_view key, TimePoint now);
  // Keys currently remembered (for tests and metrics).
  size_t Size() const;

 private:
  static constexpr size_t kShards = 16;
  struct Bucket {
    double tokens;
    TimePoint last;
  };
  struct Shard {
    mutable std::mutex mu;  // guards buckets
    std::unordered_map<std::string, Bucket> buckets;
  };

  double Refilled(const Bucket& b, TimePoint now) const;
  void MakeRoom(Shard& shard, TimePoint now);

  const double capacity_;
  const double per_second_;
  const size_t max_per_shard_;
  std::array<Shard, kShards> shards_;
};

}  // namespace hookline::api
