#include "core/json_text.h"

#include <boost/json/parse.hpp>

#include <charconv>
#include <cmath>
#include <string_view>
#include <system_error>

namespace hookline {
namespace {

// JSON string escaping as Boost.JSON's serializer does it: the quote, the backslash and the
// control characters; every other byte (UTF-8 included, and '/') as it is.
void AppendString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t run = 0;  // start of the bytes not yet appended
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    out.push_back('\\');
    switch (c) {
      case '"': out.push_back('"'); break;
      case '\\': out.push_back('\\'); break;
      case '\b': out.push_back('b'); break;
      case '\f': out.push_back('f'); break;
      case '\n': out.push_back('n'); break;
      case '\r': out.push_back('r'); break;
      case '\t': out.push_back('t'); break;
      default:
        out.append("u00");
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xf]);
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

template <class Number>
void AppendNumber(std::string& out, Number n) {
  char buf[32];  // the longest double is 24 characters, the longest int64 20
  const auto r = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, r.ptr);
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

size_t SkipSpace(std::string_view s, size_t i) {
  while (i < s.size() && IsSpace(s[i])) ++i;
  return i;
}

// `s[i]` opens a string: the index just past its closing quote.
size_t SkipString(std::string_view s, size_t i) {
  for (++i; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;  // the escaped character, which may be a quote
    } else if (s[i] == '"') {
      return i + 1;
    }
  }
  return s.size();
}

// `s[i]` starts a value: the index just past it. Brackets inside strings do not count.
size_t SkipValue(std::string_view s, size_t i) {
  if (i >= s.size()) return i;
  if (s[i] == '"') return SkipString(s, i);
  if (s[i] == '{' || s[i] == '[') {
    size_t depth = 0;
    while (i < s.size()) {
      const char c = s[i];
      if (c == '"') {
        i = SkipString(s, i);
        continue;
      }
      if (c == '{' || c == '[') ++depth;
      if ((c == '}' || c == ']') && --depth == 0) return i + 1;
      ++i;
    }
    return i;
  }
  while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && !IsSpace(s[i])) ++i;
  return i;  // a number, true, false or null
}

}  // namespace

std::optional<std::string_view> MemberText(std::string_view object_text, std::string_view key) {
  std::optional<std::string_view> found;
  const std::string_view s = object_text;
  size_t i = SkipSpace(s, 0);
  if (i >= s.size() || s[i] != '{') return found;
  i = SkipSpace(s, i + 1);
  while (i < s.size() && s[i] == '"') {
    const size_t key_end = SkipString(s, i);
    const std::string_view quoted = s.substr(i, key_end - i);
    bool match;
    if (quoted.find('\\') == std::string_view::npos) {
      match = quoted.substr(1, quoted.size() - 2) == key;
    } else {  // rare: let the parser unescape it
      boost::system::error_code ec;
      const auto v = boost::json::parse(quoted, ec);
      match = !ec && v.is_string() && std::string_view(v.get_string()) == key;
    }
    i = SkipSpace(s, key_end);
    if (i >= s.size() || s[i] != ':') return std::nullopt;  // not what the parser accepted
    const size_t value_begin = SkipSpace(s, i + 1);
    const size_t value_end = SkipValue(s, value_begin);
    if (match) found = s.substr(value_begin, value_end - value_begin);
    i = SkipSpace(s, value_end);
    if (i < s.size() && s[i] == ',') i = SkipSpace(s, i + 1);
  }
  return found;
}

void AppendJsonText(std::string& out, const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::null: out.append("null"); return;
    case boost::json::kind::bool_: out.append(v.get_bool() ? "true" : "false"); return;
    case boost::json::kind::int64: AppendNumber(out, v.get_int64()); return;
    case boost::json::kind::uint64: AppendNumber(out, v.get_uint64()); return;
    case boost::json::kind::double_:
      if (std::isfinite(v.get_double())) {
        AppendNumber(out, v.get_double());
      } else {
        out.append("null");
      }
      return;
    case boost::json::kind::string: AppendString(out, v.get_string()); return;
    case boost::json::kind::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& item : v.get_array()) {
        if (!first) out.push_back(',');
        first = false;
        AppendJsonText(out, item);
      }
      out.push_back(']');
      return;
    }
    case boost::json::kind::object: {
      out.push_back('{');
      bool first = true;
      for (const auto& member : v.get_object()) {
        if (!first) out.push_back(',');
        first = false;
        AppendString(out, member.key());
        out.push_back(':');
        AppendJsonText(out, member.value());
      }
      out.push_back('}');
      return;
    }
  }
}

std::string JsonText(const boost::json::value& v) {
  std::string out;
  AppendJsonText(out, v);
  return out;
}

}  // namespace hookline
