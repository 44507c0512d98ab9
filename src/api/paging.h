#pragma once
// Query-string parameters of the admin list routes, and their keyset cursors.
//
// A cursor is the position of the last row of a page, (createdAt, id), as opaque base64url
// text; the next page starts strictly after it in (createdAt DESC, id DESC) order. New rows
// arrive at the top, so paging with a cursor neither repeats nor skips a row that existed when
// the first page was read. Pure functions: any thread.

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "core/clock.h"
#include "core/json_text.h"
#include "core/time_format.h"
#include "http/request.h"

namespace hookline::api {

struct Cursor {
  std::string created_at;  // ISO 8601 as core/time_format.h writes it
  std::string id;
};

std::string EncodeCursor(const Cursor& cursor);
// nullopt for anything EncodeCursor did not write (bad base64url, bad time, empty id).
std::optional<Cursor> DecodeCursor(std::string_view text);

std::string Base64UrlEncode(std::string_view bytes);
std::optional<std::string> Base64UrlDecode(std::string_view text);

// Each parser leaves `error` set to the 400 to send, naming the parameter, and then returns a
// placeholder the caller does not use.
struct ParamError {
  std::optional<http::Response> error;
  explicit operator bool() const { return error.has_value(); }
};

// limit: an integer from 1 to `max`; `fallback` when absent.
int ParseLimit(const http::Request& req, int fallback, int max, ParamError& err);
// An ISO 8601 time (2026-01-09, 2026-01-09T05:38:01Z, ...); nullopt when absent.
std::optional<SysTime> ParseTimeParam(const http::Request& req, std::string_view name,
                                      ParamError& err);
// cursor: from a previous page's next_cursor; nullopt when absent or empty.
std::optional<Cursor> ParseCursorParam(const http::Request& req, ParamError& err);
// A free-text filter of at most `max_len` bytes, trimmed; nullopt when absent or empty.
std::optional<std::string> ParseTextParam(const http::Request& req, std::string_view name,
                                          size_t max_len, ParamError& err);

// The body of an admin list page: {"items": [to_json(item)...], "next_cursor": the cursor after
// the last item, or null on the last page}. Page has items (each with created_at and id) and
// has_more, as the store's pages do.
template <class Page, class ToJson>
std::string PageJson(const Page& page, ToJson to_json) {
  boost::json::array items;
  items.reserve(page.items.size());
  for (const auto& item : page.items) items.push_back(to_json(item));
  boost::json::object o;
  o["items"] = std::move(items);
  if (page.has_more && !page.items.empty()) {
    const auto& last = page.items.back();
    o["next_cursor"] = EncodeCursor({FormatIsoMillis(last.created_at), last.id});
  } else {
    o["next_cursor"] = nullptr;
  }
  return JsonText(o);
}

}  // namespace hookline::api
