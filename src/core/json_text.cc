#include "core/json_text.h"

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

}  // namespace

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
