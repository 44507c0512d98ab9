// Pure logic of core/, config/ and http/router: time formats, hex, database URLs, routing.

#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>

#include "config/config.h"
#include "core/hex.h"
#include "core/random.h"
#include "core/time_format.h"
#include "http/router.h"

namespace hookline {
namespace {

using std::chrono::milliseconds;

TEST(TimeFormat, MillisecondsUtcWithZ) {
  const SysTime t = SysTime(milliseconds(1767937081449));  // the seed's example instant
  EXPECT_EQ(FormatIsoMillis(t), "2026-01-09T05:38:01.449Z");
  EXPECT_EQ(FormatYmd(t), "20260109");
  EXPECT_EQ(FormatIsoMillis(SysTime{}), "1970-01-01T00:00:00.000Z");
}

TEST(TimeFormat, AgreesWithGmtimeAcrossYears) {
  // Every 7,777,777,777 ms (about 90 days) from 1970 to past 2100, plus leap days.
  for (int64_t ms = 0; ms < 4200000000000; ms += 7777777777) {
    const time_t secs = static_cast<time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char want[32];
    std::snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(ms % 1000));
    ASSERT_EQ(FormatIsoMillis(SysTime(milliseconds(ms))), want) << ms;
  }
  EXPECT_EQ(FormatIsoMillis(SysTime(milliseconds(951782400123))), "2000-02-29T00:00:00.123Z");
}

TEST(TimeFormat, BeforeTheEpochStillFormats) {
  EXPECT_EQ(FormatIsoMillis(SysTime(milliseconds(-1))), "1969-12-31T23:59:59.999Z");
}

TEST(TimeFormat, ParsesWhatItWritesAndCommonInputs) {
  const SysTime t = SysTime(milliseconds(1767937081449));
  EXPECT_EQ(ParseIso("2026-01-09T05:38:01.449Z"), t);
  EXPECT_EQ(ParseIso("2026-01-09T07:38:01.449+02:00"), t);
  EXPECT_EQ(ParseIso("2026-01-09"), SysTime(milliseconds(1767916800000)));
  EXPECT_EQ(ParseIso("2026-01-09T05:38:01Z"), SysTime(milliseconds(1767937081000)));
  for (const char* bad : {"", "2026", "2026-13-01", "2026-02-30", "2026-01-09T05:38:01",
                          "2026-01-09T25:00:00Z", "2026-01-09T05:38:01.Z", "2026-01-09Tx",
                          "2026-01-09T05:38:01Zjunk"}) {
    EXPECT_FALSE(ParseIso(bad).has_value()) << bad;
  }
}

TEST(Hex, RoundTripAndRejects) {
  EXPECT_EQ(HexEncode(std::string("\x00\xff\x10", 3)), "00ff10");
  EXPECT_EQ(HexDecode("00FF10"), std::string("\x00\xff\x10", 3));
  EXPECT_FALSE(HexDecode("abc").has_value());
  EXPECT_FALSE(HexDecode("zz").has_value());
}

TEST(Random, SecretsAreHexOfTheAskedLength) {
  const auto a = CryptoRandom::Instance().HexBytes(32);
  const auto b = CryptoRandom::Instance().HexBytes(32);
  EXPECT_EQ(a.size(), 64u);
  EXPECT_NE(a, b);
  EXPECT_TRUE(HexDecode(a).has_value());
  for (int i = 0; i < 1000; ++i) EXPECT_LT(CryptoRandom::Instance().Uniform(7), 7u);
}

TEST(DatabaseUrl, SchemesAndRedaction) {
  auto s = ParseDatabaseUrl("sqlite:./data/hookline.db");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->kind, DatabaseKind::kSqlite);
  EXPECT_EQ(s->sqlite_path, "./data/hookline.db");
  EXPECT_EQ(ParseDatabaseUrl("sqlite:///var/lib/h.db")->sqlite_path, "/var/lib/h.db");
  EXPECT_EQ(ParseDatabaseUrl("postgres://u:p@h:5432/d")->kind, DatabaseKind::kPostgres);
  EXPECT_EQ(ParseDatabaseUrl("postgresql://h/d")->kind, DatabaseKind::kPostgres);
  EXPECT_FALSE(ParseDatabaseUrl("mysql://x").ok());
  EXPECT_FALSE(ParseDatabaseUrl("sqlite:").ok());
  EXPECT_EQ(RedactDatabaseUrl("postgres://u:secret@h:5432/d"), "postgres://u:***@h:5432/d");
  EXPECT_EQ(RedactDatabaseUrl("postgres://u@h/d"), "postgres://u@h/d");
}

TEST(Config, DefaultsAreValidAndBadValuesNamed) {
  Config c;
  EXPECT_TRUE(Validate(c).ok());
  c.max_attempts = 0;
  const auto st = Validate(c);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("HOOKLINE_MAX_ATTEMPTS"), std::string::npos);
}

http::Response Call(const http::Router& r, http::Method m, std::string_view path,
                    std::string_view content_type = {}, std::string* param = nullptr) {
  http::Request req;
  req.method = m;
  req.path = path;
  if (!content_type.empty()) req.headers.emplace_back("content-type", content_type);
  http::Response out;
  r.Dispatch(req, [&](http::Response resp) { out = std::move(resp); });
  if (param != nullptr) *param = std::string(req.Param("id"));
  return out;
}

TEST(Router, MatchesParamsAndGivesStandardErrors) {
  http::Router r;
  r.Add(http::Method::kGet, "/api/things/{id}",
        [](const http::Request& req, http::Reply reply) {
          reply(http::Response::Json(200, std::string(req.Param("id"))));
        });
  r.Add(http::Method::kPost, "/api/things", [](const http::Request&, http::Reply reply) {
    reply(http::Response::Json(201, "{}"));
  }, {.json_body = true});
  std::string id;
  auto ok = Call(r, http::Method::kGet, "/api/things/a%20b", {}, &id);
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "a b");
  EXPECT_EQ(Call(r, http::Method::kGet, "/api/nothing").status, 404);
  auto wrong = Call(r, http::Method::kDelete, "/api/things/1");
  EXPECT_EQ(wrong.status, 405);
  ASSERT_EQ(wrong.headers.size(), 1u);
  EXPECT_EQ(wrong.headers[0].second, "GET, HEAD");
  EXPECT_EQ(Call(r, http::Method::kPost, "/api/things", "text/plain").status, 415);
  EXPECT_EQ(Call(r, http::Method::kPost, "/api/things", "application/json; charset=utf-8").status,
            201);
  EXPECT_EQ(Call(r, http::Method::kPost, "/api/things").status, 201);
  EXPECT_EQ(Call(r, http::Method::kHead, "/api/things/x").status, 200);
}

TEST(Router, JsonContentTypes) {
  EXPECT_TRUE(http::IsJsonContentType("application/json"));
  EXPECT_TRUE(http::IsJsonContentType("Application/JSON ; charset=UTF-8"));
  EXPECT_TRUE(http::IsJsonContentType("application/merge-patch+json"));
  EXPECT_FALSE(http::IsJsonContentType("text/json+x"));
  EXPECT_FALSE(http::IsJsonContentType("application/x-www-form-urlencoded"));
  EXPECT_FALSE(http::IsJsonContentType("multipart/form-data"));
  // Case-insensitive throughout, and "+json" needs a subtype before it.
  EXPECT_TRUE(http::IsJsonContentType(" APPLICATION/VND.API+JSON"));
  EXPECT_FALSE(http::IsJsonContentType("application/+json"));
  EXPECT_FALSE(http::IsJsonContentType("application/json5"));
  EXPECT_FALSE(http::IsJsonContentType("text/json"));
  EXPECT_FALSE(http::IsJsonContentType(""));
}

TEST(Response, ErrorIsEscapedJson) {
  EXPECT_EQ(http::Response::Error(400, "bad \"x\"\n").body, R"({"error":"bad \"x\"\n"})");
}

}  // namespace
}  // namespace hookline
