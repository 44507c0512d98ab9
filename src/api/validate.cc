#include "api/validate.h"

#include <fmt/format.h>

namespace hookline::api {
namespace {

bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return IsLower(c) || (c >= 'A' && c <= 'Z'); }
bool IsNonAscii(char c) { return static_cast<unsigned char>(c) >= 0x80; }

bool IsValidDomain(std::string_view domain) {
  if (domain.empty() || domain.size() > 253) return false;
  size_t labels = 0;
  std::string_view last;
  while (true) {
    const auto dot = domain.find('.');
    const std::string_view label = domain.substr(0, dot);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      if (!(IsAlpha(c) || IsDigit(c) || c == '-' || IsNonAscii(c))) return false;
    }
    ++labels;
    last = label;
    if (dot == std::string_view::npos) break;
    domain.remove_prefix(dot + 1);
  }
  if (labels < 2 || last.size() < 2) return false;
  for (char c : last) {
    if (!(IsAlpha(c) || IsNonAscii(c) || c == '-' || IsDigit(c))) return false;
  }
  // A top-level label is never all digits (that would be an IP address written as a name).
  for (char c : last) {
    if (!IsDigit(c)) return true;
  }
  return false;
}

}  // namespace

bool IsValidEventType(std::string_view type) {
  if (type.empty() || type.size() > 64 || !IsLower(type.front())) return false;
  for (char c : type) {
    if (!(IsLower(c) || IsDigit(c) || c == '_' || c == '.')) return false;
  }
  return true;
}

bool IsValidToken(std::string_view id, size_t max_len) {
  if (id.empty() || id.size() > max_len) return false;
  for (char c : id) {
    if (!(IsAlpha(c) || IsDigit(c) || c == '_' || c == '-')) return false;
  }
  return true;
}

bool IsValidEmail(std::string_view email) {
  if (email.size() > 254 || HasControlChars(email)) return false;
  const auto at = email.rfind('@');
  if (at == std::string_view::npos || at == 0 || at > 64) return false;
  const std::string_view local = email.substr(0, at);
  for (char c : local) {
    // Quoted local parts and comments are legal but never typed into a form; refusing them
    // keeps the address safe to put into any mail header.
    if (c == ' ' || c == '@' || c == '"' || c == '(' || c == ')' || c == ',' || c == ':' ||
        c == ';' || c == '<' || c == '>' || c == '[' || c == ']' || c == '\\') {
      return false;
    }
  }
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
    return false;
  }
  return IsValidDomain(email.substr(at + 1));
}

bool IsValidPhone(std::string_view phone) {
  size_t digits = 0;
  for (char c : phone) {
    if (IsDigit(c)) {
      ++digits;
    } else if (!(c == ' ' || c == '+' || c == '-' || c == '.' || c == '(' || c == ')' ||
                 c == '/')) {
      return false;
    }
  }
  return digits >= 5 && digits <= 20;
}

size_t CodePoints(std::string_view utf8) {
  size_t n = 0;
  for (char c : utf8) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

bool HasControlChars(std::string_view text, bool allow_newlines) {
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u != 0x7F) continue;
    if (allow_newlines && (c == '\n' || c == '\r' || c == '\t')) continue;
    return true;
  }
  return false;
}

std::string_view Trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n\f\v";
  const auto begin = text.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  const auto end = text.find_last_not_of(kSpace);
  return text.substr(begin, end - begin + 1);
}

std::optional<std::string> CheckProps(const boost::json::object& props) {
  if (props.size() > kMaxProps) return fmt::format("props may have at most {} keys", kMaxProps);
  for (const auto& [key, value] : props) {
    const std::string_view k(key.data(), key.size());
    if (k.empty() || k.size() > kMaxPropKey) {
      return fmt::format("props keys must be 1 to {} characters", kMaxPropKey);
    }
    for (char c : k) {
      if (!(IsAlpha(c) || IsDigit(c) || c == '_' || c == '.' || c == '-')) {
        return std::string("props keys may contain only letters, digits, '_', '.' and '-'");
      }
    }
    if (value.is_string()) {
      const auto& s = value.get_string();
      if (CodePoints({s.data(), s.size()}) > kMaxPropValue) {
        return fmt::format("props.{} is longer than {} characters", k, kMaxPropValue);
      }
    } else if (value.is_object() || value.is_array()) {
      return fmt::format("props.{} must be a string, number, boolean or null (props is flat)", k);
    }
  }
  return std::nullopt;
}

}  // namespace hookline::api
