#include "delivery/backoff.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string>

namespace hookline::delivery {
namespace {

using std::chrono::milliseconds;

// Larger delays than this are clamped before converting from double, so that absurd policies
// (factor 1000, 50 attempts) cannot overflow the millisecond count.
constexpr double kMaxDelayMs = 100.0 * 365 * 24 * 3600 * 1000;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A cursor over an HTTP-date. Every Read* consumes on success and reports failure as false;
// the caller gives up at the first failure.
class DateScanner {
 public:
  explicit DateScanner(std::string_view s) : s_(s) {}

  bool Literal(std::string_view lit) {
    if (s_.substr(0, lit.size()) != lit) return false;
    s_.remove_prefix(lit.size());
    return true;
  }
  void SkipSpaces() {
    while (!s_.empty() && s_.front() == ' ') s_.remove_prefix(1);
  }
  // Exactly `min..max` digits.
  bool Number(int min_digits, int max_digits, int& out) {
    int n = 0;
    out = 0;
    while (n < max_digits && n < static_cast<int>(s_.size()) && IsDigit(s_[n])) {
      out = out * 10 + (s_[n] - '0');
      ++n;
    }
    if (n < min_digits) return false;
    s_.remove_prefix(n);
    return true;
  }
  bool Month(unsigned& out) {
    static constexpr std::array<std::string_view, 12> kMonths = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    for (size_t i = 0; i < kMonths.size(); ++i) {
      if (Literal(kMonths[i])) {
        out = static_cast<unsigned>(i + 1);
        return true;
      }
    }
    return false;
  }
  bool Time(int& h, int& m, int& sec) {
    return Number(2, 2, h) && Literal(":") && Number(2, 2, m) && Literal(":") &&
           Number(2, 2, sec) && h < 24 && m < 60 && sec <= 60;  // 60: leap second
  }
  // Day name up to (not including) `stop`; its spelling is not checked, the date decides.
  bool SkipDayName(char stop) {
    size_t i = 0;
    while (i < s_.size() && ((s_[i] >= 'A' && s_[i] <= 'Z') || (s_[i] >= 'a' && s_[i] <= 'z'))) {
      ++i;
    }
    if (i < 3 || i >= s_.size() || s_[i] != stop) return false;
    s_.remove_prefix(i);
    return true;
  }
  bool AtEnd() const { return s_.empty(); }

 private:
  std::string_view s_;
};

std::optional<SysTime> MakeTime(int year, unsigned month, int day, int h, int m, int s) {
  const std::chrono::year_month_day ymd{std::chrono::year(year), std::chrono::month(month),
                                        std::chrono::day(static_cast<unsigned>(day))};
  if (!ymd.ok()) return std::nullopt;
  return SysTime(std::chrono::sys_days(ymd).time_since_epoch() + std::chrono::hours(h) +
                 std::chrono::minutes(m) + std::chrono::seconds(s));
}

// IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
std::optional<SysTime> ParseImfFixdate(std::string_view text) {
  DateScanner sc(text);
  int day, year, h, m, s;
  unsigned month;
  if (!sc.SkipDayName(',') || !sc.Literal(", ") || !sc.Number(2, 2, day) || !sc.Literal(" ") ||
      !sc.Month(month) || !sc.Literal(" ") || !sc.Number(4, 4, year) || !sc.Literal(" ") ||
      !sc.Time(h, m, s) || !sc.Literal(" GMT") || !sc.AtEnd()) {
    return std::nullopt;
  }
  return MakeTime(year, month, day, h, m, s);
}

// RFC 850 (obsolete): "Sunday, 06-Nov-94 08:49:37 GMT". Two-digit years: 70..99 -> 19xx.
std::optional<SysTime> ParseRfc850(std::string_view text) {
  DateScanner sc(text);
  int day, year, h, m, s;
  unsigned month;
  if (!sc.SkipDayName(',') || !sc.Literal(", ") || !sc.Number(2, 2, day) || !sc.Literal("-") ||
      !sc.Month(month) || !sc.Literal("-") || !sc.Number(2, 2, year) || !sc.Literal(" ") ||
      !sc.Time(h, m, s) || !sc.Literal(" GMT") || !sc.AtEnd()) {
    return std::nullopt;
  }
  year += year < 70 ? 2000 : 1900;
  return MakeTime(year, month, day, h, m, s);
}

// asctime (obsolete): "Sun Nov  6 08:49:37 1994".
std::optional<SysTime> ParseAsctime(std::string_view text) {
  DateScanner sc(text);
  int day, year, h, m, s;
  unsigned month;
  if (!sc.SkipDayName(' ') || !sc.Literal(" ") || !sc.Month(month) || !sc.Literal(" ")) {
    return std::nullopt;
  }
  sc.SkipSpaces();  // the day is space-padded: "Nov  6"
  if (!sc.Number(1, 2, day) || !sc.Literal(" ") || !sc.Time(h, m, s) || !sc.Literal(" ") ||
      !sc.Number(4, 4, year) || !sc.AtEnd()) {
    return std::nullopt;
  }
  return MakeTime(year, month, day, h, m, s);
}

}  // namespace

milliseconds NextDelay(const RetryPolicy& policy, int attempts_made, hookline::Random& random) {
  const int n = std::max(attempts_made, 1);
  double ms = static_cast<double>(policy.base.count()) * std::pow(policy.factor, n - 1);
  if (!std::isfinite(ms)) ms = kMaxDelayMs;
  ms = std::clamp(ms, 0.0, std::min(kMaxDelayMs, static_cast<double>(policy.max_delay.count())));
  const double jitter = std::clamp(policy.jitter, 0.0, 1.0);
  if (jitter > 0) {
    // A million steps are plenty for a delay's resolution; both ends are reachable.
    constexpr uint64_t kSteps = 1'000'000;
    const double u = static_cast<double>(random.Uniform(kSteps + 1)) / kSteps;
    ms *= 1.0 - jitter + 2.0 * jitter * u;
  }
  return milliseconds(std::llround(ms));
}

std::optional<milliseconds> ParseRetryAfter(std::string_view value, hookline::SysTime now) {
  value = Trim(value);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), IsDigit)) {
    // delta-seconds. Anything over ~31 years is clamped rather than overflowing; the caller caps
    // it at max_retry_after anyway.
    constexpr size_t kMaxDigits = 9;
    if (value.size() > kMaxDigits) return std::chrono::seconds(999'999'999);
    int64_t secs = 0;
    for (char c : value) secs = secs * 10 + (c - '0');
    return std::chrono::seconds(secs);
  }
  std::optional<SysTime> at = ParseImfFixdate(value);
  if (!at) at = ParseRfc850(value);
  if (!at) at = ParseAsctime(value);
  if (!at) return std::nullopt;
  if (*at <= now) return milliseconds(0);
  return std::chrono::ceil<milliseconds>(*at - now);
}

milliseconds RetryDelay(const RetryPolicy& policy, int attempts_made, int http_status,
                        std::optional<milliseconds> retry_after, hookline::Random& random) {
  const milliseconds next = NextDelay(policy, attempts_made, random);
  if ((http_status == 429 || http_status == 503) && retry_after.has_value()) {
    return std::max(next, std::min(*retry_after, policy.max_retry_after));
  }
  return next;
}

}  // namespace hookline::delivery
