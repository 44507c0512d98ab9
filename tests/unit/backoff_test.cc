#include "delivery/backoff.h"

#include <gtest/gtest.h>

#include "core/random.h"
#include "core/time_format.h"

namespace hookline::delivery {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

SysTime At(const char* iso) { return *ParseIso(iso); }

TEST(BackoffTest, ExactScheduleWithoutJitter) {
  RetryPolicy policy;
  policy.jitter = 0;
  SeededRandom random(1);
  EXPECT_EQ(NextDelay(policy, 1, random), seconds(10));
  EXPECT_EQ(NextDelay(policy, 2, random), seconds(40));
  EXPECT_EQ(NextDelay(policy, 3, random), seconds(160));
  EXPECT_EQ(NextDelay(policy, 4, random), seconds(640));
  EXPECT_EQ(NextDelay(policy, 0, random), seconds(10));  // treated as the first attempt
}

TEST(BackoffTest, CappedAtMaxDelay) {
  RetryPolicy policy;
  policy.jitter = 0;
  policy.max_delay = seconds(100);
  SeededRandom random(1);
  EXPECT_EQ(NextDelay(policy, 2, random), seconds(40));
  EXPECT_EQ(NextDelay(policy, 3, random), seconds(100));
  EXPECT_EQ(NextDelay(policy, 60, random), seconds(100));  // factor^59 overflows nothing
}

TEST(BackoffTest, JitterStaysWithinBoundsAndVaries) {
  RetryPolicy policy;  // jitter 0.2
  SeededRandom random(42);
  milliseconds lo = hours(1), hi{0};
  for (int i = 0; i < 2000; ++i) {
    const milliseconds d = NextDelay(policy, 2, random);  // nominal 40 s
    ASSERT_GE(d, milliseconds(32000));
    ASSERT_LE(d, milliseconds(48000));
    lo = std::min(lo, d);
    hi = std::max(hi, d);
  }
  // Spread over (nearly) the whole band, not stuck at one value.
  EXPECT_LT(lo, milliseconds(33000));
  EXPECT_GT(hi, milliseconds(47000));
}

TEST(BackoffTest, SameSeedSameSchedule) {
  RetryPolicy policy;
  SeededRandom a(7), b(7);
  for (int n = 1; n <= 4; ++n) EXPECT_EQ(NextDelay(policy, n, a), NextDelay(policy, n, b));
}

TEST(BackoffTest, RetryAfterSeconds) {
  const SysTime now = At("2026-01-09T05:38:01.000Z");
  EXPECT_EQ(ParseRetryAfter("120", now), seconds(120));
  EXPECT_EQ(ParseRetryAfter(" 0 ", now), seconds(0));
  EXPECT_EQ(ParseRetryAfter("99999999999999999999", now), seconds(999'999'999));
  EXPECT_EQ(ParseRetryAfter("", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("-5", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("1.5", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("soon", now), std::nullopt);
}

TEST(BackoffTest, RetryAfterHttpDate) {
  const SysTime now = At("1994-11-06T08:48:37.000Z");
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", now), seconds(60));
  EXPECT_EQ(ParseRetryAfter("Sunday, 06-Nov-94 08:49:37 GMT", now), seconds(60));  // RFC 850
  EXPECT_EQ(ParseRetryAfter("Sun Nov  6 08:49:37 1994", now), seconds(60));        // asctime
  // A date in the past means "now".
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:00:00 GMT", now), milliseconds(0));
  // Sub-second `now` rounds up, never retrying before the date.
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", now + milliseconds(400)),
            milliseconds(59600));
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 UTC", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("Sun, 31 Feb 1994 08:49:37 GMT", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 25:49:37 GMT", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT trailing", now), std::nullopt);
}

TEST(BackoffTest, RetryDelayHonoursRetryAfterOnlyFor429And503) {
  RetryPolicy policy;
  policy.jitter = 0;
  SeededRandom random(1);
  // Longer than the backoff: used.
  EXPECT_EQ(RetryDelay(policy, 1, 429, seconds(120), random), seconds(120));
  EXPECT_EQ(RetryDelay(policy, 1, 503, seconds(120), random), seconds(120));
  // Shorter than the backoff: the backoff wins.
  EXPECT_EQ(RetryDelay(policy, 2, 429, seconds(5), random), seconds(40));
  // Other statuses ignore it; no header means plain backoff.
  EXPECT_EQ(RetryDelay(policy, 1, 500, seconds(120), random), seconds(10));
  EXPECT_EQ(RetryDelay(policy, 1, 429, std::nullopt, random), seconds(10));
  EXPECT_EQ(RetryDelay(policy, 1, 0, std::nullopt, random), seconds(10));
}

TEST(BackoffTest, RetryAfterCappedAtMaxRetryAfter) {
  RetryPolicy policy;
  policy.jitter = 0;
  SeededRandom random(1);
  EXPECT_EQ(RetryDelay(policy, 1, 503, hours(48), random), hours(1));
  // The cap limits the receiver's wish, never shortens our own backoff.
  policy.max_retry_after = seconds(20);
  EXPECT_EQ(RetryDelay(policy, 3, 503, hours(48), random), seconds(160));
}

}  // namespace
}  // namespace hookline::delivery
