#include "api/paging.h"

#include <fmt/format.h>

#include <charconv>

#include "api/validate.h"
#include "core/time_format.h"

namespace hookline::api {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr size_t kMaxCursorChars = 1024;

int Sextet(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

void Fail(ParamError& err, std::string_view name, std::string_view what) {
  if (!err.error) err.error = http::Response::Error(400, fmt::format("{} {}", name, what));
}

}  // namespace

std::string Base64UrlEncode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v = (static_cast<unsigned char>(bytes[i]) << 16) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  const size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t v = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    if (rest == 2) out += kAlphabet[(v >> 6) & 63];
  }
  return out;  // unpadded: it travels in a query string
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const int s = Sextet(c);
    if (s < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(s);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  // Leftover bits must be zero, so each byte string has exactly one encoding.
  if ((acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

std::string EncodeCursor(const Cursor& cursor) {
  return Base64UrlEncode(cursor.created_at + "\n" + cursor.id);
}

std::optional<Cursor> DecodeCursor(std::string_view text) {
  if (text.empty() || text.size() > kMaxCursorChars) return std::nullopt;
  auto raw = Base64UrlDecode(text);
  if (!raw) return std::nullopt;
  const auto nl = raw->find('\n');
  if (nl == std::string::npos) return std::nullopt;
  Cursor c{raw->substr(0, nl), raw->substr(nl + 1)};
  // Only what EncodeCursor writes: a stored timestamp and a non-empty id.
  auto t = ParseIso(c.created_at);
  if (!t || FormatIsoMillis(*t) != c.created_at) return std::nullopt;
  if (c.id.empty() || HasControlChars(c.id)) return std::nullopt;
  return c;
}

int ParseLimit(const http::Request& req, int fallback, int max, ParamError& err) {
  auto text = req.QueryParam("limit");
  if (!text) return fallback;
  int value = 0;
  const auto* end = text->data() + text->size();
  auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (ec != std::errc() || ptr != end || value < 1 || value > max) {
    Fail(err, "limit", fmt::format("must be an integer from 1 to {}", max));
    return fallback;
  }
  return value;
}

std::optional<SysTime> ParseTimeParam(const http::Request& req, std::string_view name,
                                      ParamError& err) {
  auto text = req.QueryParam(name);
  if (!text || text->empty()) return std::nullopt;
  auto t = ParseIso(*text);
  if (!t) {
    Fail(err, name, "must be an ISO 8601 time, like 2026-01-09 or 2026-01-09T05:38:01Z");
  }
  return t;
}

std::optional<Cursor> ParseCursorParam(const http::Request& req, ParamError& err) {
  auto text = req.QueryParam("cursor");
  if (!text || text->empty()) return std::nullopt;
  auto c = DecodeCursor(*text);
  if (!c) Fail(err, "cursor", "is not a cursor this server gave out (use next_cursor as is)");
  return c;
}

std::optional<std::string> ParseTextParam(const http::Request& req, std::string_view name,
                                          size_t max_len, ParamError& err) {
  auto text = req.QueryParam(name);
  if (!text) return std::nullopt;
  const auto trimmed = Trim(*text);
  if (trimmed.empty()) return std::nullopt;
  if (trimmed.size() > max_len || HasControlChars(trimmed)) {
    Fail(err, name, fmt::format("must be at most {} characters of text", max_len));
    return std::nullopt;
  }
  return std::string(trimmed);
}

}  // namespace hookline::api
