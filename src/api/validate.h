#pragma once
// Input checks shared by the landing page routes (POST /api/events, POST /api/leads). Pure
// functions, no state: any thread.
//
// Lengths are counted in Unicode code points of the (already valid, boost::json checks it)
// UTF-8, which is what a person and the browser's maxlength count.

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace hookline::api {

// ^[a-z][a-z0-9_.]{0,63}$
bool IsValidEventType(std::string_view type);
// 1..128 of [A-Za-z0-9_-]: visitor ids, client event ids, lead ids sent by the page.
bool IsValidToken(std::string_view id, size_t max_len = 128);
// local@domain.tld: at most 254 bytes, local part at most 64, no spaces or control characters,
// a domain of dot-separated labels of [A-Za-z0-9-] (or non-ASCII) and a top-level label of at
// least two letters. The shape only: whether the mailbox exists is not knowable here.
bool IsValidEmail(std::string_view email);
// Characters a phone number is written with: digits, space, + - . ( ) /, and at least 5 digits.
bool IsValidPhone(std::string_view phone);

size_t CodePoints(std::string_view utf8);
// True when text has a control character (below U+0020 or U+007F); `allow_newlines` lets \n,
// \r and \t through (a message keeps its lines).
bool HasControlChars(std::string_view text, bool allow_newlines = false);
// Without leading and trailing ASCII whitespace.
std::string_view Trim(std::string_view text);

// The limits of an event's props: a flat object of at most kMaxProps keys of 1..kMaxPropKey
// characters of [A-Za-z0-9_.-], values string (at most kMaxPropValue code points), number,
// bool or null. Returns what is wrong, or nullopt.
inline constexpr size_t kMaxProps = 32;
inline constexpr size_t kMaxPropKey = 64;
inline constexpr size_t kMaxPropValue = 1024;
std::optional<std::string> CheckProps(const boost::json::object& props);

}  // namespace hookline::api
