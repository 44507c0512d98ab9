#include "core/time_format.h"

#include <fmt/format.h>

#include <charconv>
#include <chrono>

namespace hookline {
namespace {

using std::chrono::days;
using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::sys_days;
using std::chrono::year_month_day;

// Reads exactly n digits at text[pos], advancing pos.
bool Digits(std::string_view text, size_t& pos, size_t n, int& out) {
  if (pos + n > text.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  pos += n;
  out = v;
  return true;
}

bool Expect(std::string_view text, size_t& pos, char c) {
  if (pos < text.size() && text[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

}  // namespace

std::string FormatIsoMillis(SysTime t) {
  const auto ms = duration_cast<milliseconds>(t.time_since_epoch());
  auto day = std::chrono::floor<days>(ms);
  if (day > ms) day -= days(1);
  const year_month_day ymd{sys_days(day)};
  auto rest = ms - day;
  const auto h = duration_cast<std::chrono::hours>(rest);
  rest -= h;
  const auto m = duration_cast<std::chrono::minutes>(rest);
  rest -= m;
  const auto s = duration_cast<std::chrono::seconds>(rest);
  rest -= s;
  // Written digit by digit: this runs once per stored event on the writer thread, where
  // fmt's format-string parsing showed up in profiles.
  const int year = int(ymd.year());
  if (year < 0 || year > 9999) {
    return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:03d}Z", year,
                       unsigned(ymd.month()), unsigned(ymd.day()), h.count(), m.count(),
                       s.count(), rest.count());
  }
  std::string out(24, '\0');
  auto put = [&out](size_t at, unsigned v, int width) {
    for (int i = width - 1; i >= 0; --i, v /= 10) out[at + i] = static_cast<char>('0' + v % 10);
  };
  put(0, static_cast<unsigned>(year), 4);
  out[4] = '-';
  put(5, unsigned(ymd.month()), 2);
  out[7] = '-';
  put(8, unsigned(ymd.day()), 2);
  out[10] = 'T';
  put(11, static_cast<unsigned>(h.count()), 2);
  out[13] = ':';
  put(14, static_cast<unsigned>(m.count()), 2);
  out[16] = ':';
  put(17, static_cast<unsigned>(s.count()), 2);
  out[19] = '.';
  put(20, static_cast<unsigned>(rest.count()), 3);
  out[23] = 'Z';
  return out;
}

std::string FormatYmd(SysTime t) {
  const year_month_day ymd{std::chrono::floor<days>(t)};
  return fmt::format("{:04d}{:02d}{:02d}", int(ymd.year()), unsigned(ymd.month()),
                     unsigned(ymd.day()));
}

std::optional<SysTime> ParseIso(std::string_view text) {
  size_t pos = 0;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!Digits(text, pos, 4, y) || !Expect(text, pos, '-') || !Digits(text, pos, 2, mo) ||
      !Expect(text, pos, '-') || !Digits(text, pos, 2, d)) {
    return std::nullopt;
  }
  const year_month_day ymd{std::chrono::year(y), std::chrono::month(unsigned(mo)),
                           std::chrono::day(unsigned(d))};
  if (!ymd.ok()) return std::nullopt;
  std::chrono::nanoseconds frac{0};
  std::chrono::minutes offset{0};
  if (pos < text.size()) {
    if (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ') return std::nullopt;
    ++pos;
    if (!Digits(text, pos, 2, h) || !Expect(text, pos, ':') || !Digits(text, pos, 2, mi) ||
        !Expect(text, pos, ':') || !Digits(text, pos, 2, s)) {
      return std::nullopt;
    }
    if (h > 23 || mi > 59 || s > 60) return std::nullopt;
    if (Expect(text, pos, '.')) {
      int64_t scale = 100'000'000;
      size_t ndigits = 0;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        if (scale > 0) frac += std::chrono::nanoseconds((text[pos] - '0') * scale);
        scale /= 10;
        ++pos;
        ++ndigits;
      }
      if (ndigits == 0) return std::nullopt;
    }
    if (pos >= text.size()) return std::nullopt;  // a time needs a zone: Z or an offset
    if (text[pos] == 'Z' || text[pos] == 'z') {
      ++pos;
    } else if (text[pos] == '+' || text[pos] == '-') {
      const int sign = text[pos] == '-' ? -1 : 1;
      ++pos;
      int oh = 0, om = 0;
      if (!Digits(text, pos, 2, oh) || !Expect(text, pos, ':') || !Digits(text, pos, 2, om)) {
        return std::nullopt;
      }
      offset = std::chrono::minutes(sign * (oh * 60 + om));
    } else {
      return std::nullopt;
    }
    if (pos != text.size()) return std::nullopt;
  }
  const auto tp = sys_days(ymd) + std::chrono::hours(h) + std::chrono::minutes(mi) +
                  std::chrono::seconds(s) + frac - offset;
  return std::chrono::time_point_cast<SysTime::duration>(tp);
}

}  // namespace hookline
