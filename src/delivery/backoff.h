#pragma once
// Retry schedule of outbound webhook deliveries: pure functions, no clock and no global random
// source, so the schedule is tested exactly (inject SeededRandom and a fixed `now`).
// Safe to call from any thread as long as the Random passed in is (CryptoRandom is;
// SeededRandom is not).

#include <chrono>
#include <optional>
#include <string_view>

#include "core/clock.h"
#include "core/random.h"

namespace hookline::delivery {

struct RetryPolicy {
  int max_attempts = 5;  // attempts in all, the first included
  std::chrono::milliseconds base{10000};
  double factor = 4;
  double jitter = 0.2;  // +-20%; 0 gives the exact schedule
  std::chrono::milliseconds max_delay{std::chrono::hours(24)};
  // A receiver's Retry-After is honoured up to this long; beyond it we retry at this delay.
  std::chrono::milliseconds max_retry_after{std::chrono::hours(1)};
};

// Delay before attempt n+1 after attempt n failed (n >= 1; smaller n counts as 1):
// base * factor^(n-1), capped at max_delay, then multiplied by a uniform factor in
// [1-jitter, 1+jitter] drawn from `random` (nothing is drawn when jitter is 0).
std::chrono::milliseconds NextDelay(const RetryPolicy& policy, int attempts_made,
                                    hookline::Random& random);

// A Retry-After header value, delta-seconds ("120") or an HTTP-date in any of the three forms
// RFC 9110 says a recipient must accept ("Sun, 06 Nov 1994 08:49:37 GMT", the RFC 850 and
// asctime forms), as a delay from `now`. A date in the past gives 0. nullopt when unparsable.
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value,
                                                         hookline::SysTime now);

// The delay actually used after a failed attempt. For 429 and 503 with a parsed Retry-After:
// max(NextDelay, min(retry_after, max_retry_after)) - the receiver may ask us to wait longer
// (within limits) but never makes us retry sooner than the backoff. Otherwise NextDelay.
std::chrono::milliseconds RetryDelay(const RetryPolicy& policy, int attempts_made, int http_status,
                                     std::optional<std::chrono::milliseconds> retry_after,
                                     hookline::Random& random);

}  // namespace hookline::delivery
