// Pure logic of the landing page and admin routes: the per-IP rate limiter, keyset cursors,
// input validators and the funnel's day buckets.

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <thread>
#include <vector>

#include "api/paging.h"
#include "api/rate_limiter.h"
#include "api/stats.h"
#include "api/validate.h"
#include "core/time_format.h"
#include "http/request.h"

namespace hookline::api {
namespace {

using std::chrono::seconds;
using TimePoint = RateLimiter::TimePoint;

TEST(RateLimiter, BurstOfAMinuteThenRefusesWithRetryAfter) {
  RateLimiter limiter(6);  // 6 per minute: one token every 10 s
  const TimePoint t0{};
  for (int i = 0; i < 6; ++i) EXPECT_TRUE(limiter.Take("1.2.3.4", t0).allowed) << i;
  const auto refused = limiter.Take("1.2.3.4", t0);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, seconds(10));
  // Another address has its own bucket.
  EXPECT_TRUE(limiter.Take("5.6.7.8", t0).allowed);
  // 4 s later the token is still 6 s away.
  EXPECT_EQ(limiter.Take("1.2.3.4", t0 + seconds(4)).retry_after, seconds(6));
  EXPECT_TRUE(limiter.Take("1.2.3.4", t0 + seconds(10)).allowed);
  EXPECT_FALSE(limiter.Take("1.2.3.4", t0 + seconds(10)).allowed);
}

TEST(RateLimiter, RefillsNoFurtherThanTheBurst) {
  RateLimiter limiter(3);
  const TimePoint t0{};
  EXPECT_TRUE(limiter.Take("a", t0).allowed);
  const TimePoint later = t0 + std::chrono::hours(5);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Take("a", later).allowed);
  EXPECT_FALSE(limiter.Take("a", later).allowed);
}

TEST(RateLimiter, MemoryIsBoundedAndFullBucketsAreForgottenFirst) {
  RateLimiter limiter(60, /*max_keys=*/160);  // 10 per shard
  const TimePoint t0{};
  for (int i = 0; i < 10000; ++i) limiter.Take("ip" + std::to_string(i), t0);
  EXPECT_LE(limiter.Size(), 160u);
  // A client that used its budget is still limited while others come and go, as long as the
  // map can keep it (full buckets of idle clients are dropped before it).
  RateLimiter small(2, 16 * 4);
  for (int i = 0; i < 2; ++i) EXPECT_TRUE(small.Take("hot", t0).allowed);
  for (int i = 0; i < 1000; ++i) small.Take("idle" + std::to_string(i), t0 - seconds(3600));
  EXPECT_FALSE(small.Take("hot", t0).allowed);
}

TEST(RateLimiter, ConcurrentTakesNeverExceedTheBudget) {
  RateLimiter limiter(1000);
  const TimePoint t0{};
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) allowed += limiter.Take("same", t0).allowed ? 1 : 0;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(allowed.load(), 1000);
}

TEST(ClientAddress, PeerUnlessProxiesAreTrusted) {
  EXPECT_EQ(ClientAddress("10.0.0.5", {"203.0.113.7"}, 0), "10.0.0.5");
  EXPECT_EQ(ClientAddress("10.0.0.5", {}, 1), "10.0.0.5");
}

TEST(ClientAddress, CountsTrustedHopsFromTheRight) {
  // One proxy: the address it appended (the last one), whatever the client wrote before it.
  EXPECT_EQ(ClientAddress("10.0.0.5", {"198.51.100.1, 203.0.113.7"}, 1), "203.0.113.7");
  // Two proxies: the first one's view of the client, across two headers.
  EXPECT_EQ(ClientAddress("10.0.0.5", {"198.51.100.1, 203.0.113.7", "10.0.0.9"}, 2),
            "203.0.113.7");
  EXPECT_EQ(ClientAddress("10.0.0.5", {" 2001:db8::1 ,\t10.0.0.9 "}, 2), "2001:db8::1");
}

TEST(ClientAddress, ShortOrBadListsStopAtTheLastTrustworthyAddress) {
  EXPECT_EQ(ClientAddress("10.0.0.5", {"203.0.113.7"}, 3), "203.0.113.7");
  EXPECT_EQ(ClientAddress("10.0.0.5", {"unknown"}, 1), "10.0.0.5");
  EXPECT_EQ(ClientAddress("10.0.0.5", {"garbage, 203.0.113.7"}, 2), "203.0.113.7");
  EXPECT_EQ(ClientAddress("10.0.0.5", {""}, 1), "10.0.0.5");
}

TEST(Cursor, RoundTripsAndRejectsForgeries) {
  const Cursor c{"2026-01-09T05:38:01.449Z", "landing:abc-123"};
  const std::string text = EncodeCursor(c);
  for (char ch : text) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_');
  auto back = DecodeCursor(text);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->created_at, c.created_at);
  EXPECT_EQ(back->id, c.id);

  EXPECT_FALSE(DecodeCursor(""));
  EXPECT_FALSE(DecodeCursor("not base64!"));
  EXPECT_FALSE(DecodeCursor(Base64UrlEncode("no newline")));
  EXPECT_FALSE(DecodeCursor(Base64UrlEncode("2026-01-09\nid")));  // not a stored timestamp
  EXPECT_FALSE(DecodeCursor(Base64UrlEncode("2026-01-09T05:38:01.449Z\n")));  // empty id
  EXPECT_FALSE(DecodeCursor(std::string(2000, 'A')));
}

TEST(Cursor, Base64UrlMatchesRfc4648Vectors) {
  // RFC 4648 section 10, without padding.
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("foob"), "Zm9vYg");
  EXPECT_EQ(Base64UrlEncode("fooba"), "Zm9vYmE");
  EXPECT_EQ(Base64UrlEncode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_EQ(Base64UrlDecode("Zm9vYmE="), "fooba");
  EXPECT_EQ(Base64UrlDecode("-_8"), "\xfb\xff");
  EXPECT_FALSE(Base64UrlDecode("Z"));    // a lone sextet is no byte
  EXPECT_FALSE(Base64UrlDecode("Zh"));   // non-zero leftover bits: not canonical
  EXPECT_FALSE(Base64UrlDecode("Zm+v"));  // '+' is base64, not base64url
}

TEST(Validate, EventTypes) {
  for (const char* ok : {"page_view", "form_start", "lead.created", "a", "x9_.z"}) {
    EXPECT_TRUE(IsValidEventType(ok)) << ok;
  }
  EXPECT_TRUE(IsValidEventType(std::string(64, 'a')));
  EXPECT_FALSE(IsValidEventType(std::string(65, 'a')));
  for (const char* bad : {"", "Page_view", "1abc", "_x", "page-view", "page view", "é"}) {
    EXPECT_FALSE(IsValidEventType(bad)) << bad;
  }
}

TEST(Validate, Tokens) {
  EXPECT_TRUE(IsValidToken("3f1c2a7e-9b1d-4c1e-8f00-0123456789ab"));
  EXPECT_TRUE(IsValidToken(std::string(128, 'x')));
  EXPECT_FALSE(IsValidToken(std::string(129, 'x')));
  for (const char* bad : {"", "a b", "a:b", "a/b", "<script>", "ä"}) EXPECT_FALSE(IsValidToken(bad)) << bad;
}

TEST(Validate, Emails) {
  for (const char* ok : {"ann@example.com", "a.b+tag@sub.example.co.uk", "x@xn--80ak6aa92e.com",
                         "o'brien@example.ie"}) {
    EXPECT_TRUE(IsValidEmail(ok)) << ok;
  }
  for (const char* bad : {"", "ann", "ann@", "@example.com", "ann@example", "ann@example.c",
                          "ann@@example.com", "a b@example.com", "ann@exa mple.com",
                          "ann@-example.com", "ann@example..com", ".ann@example.com",
                          "ann..x@example.com", "ann@example.123", "<a>@example.com",
                          "ann@example.com\n"}) {
    EXPECT_FALSE(IsValidEmail(bad)) << bad;
  }
  EXPECT_FALSE(IsValidEmail(std::string(65, 'a') + "@example.com"));
  EXPECT_FALSE(IsValidEmail("a@" + std::string(250, 'b') + ".com"));
}

TEST(Validate, PhonesTextAndProps) {
  EXPECT_TRUE(IsValidPhone("+49 (30) 123-456.78"));
  EXPECT_FALSE(IsValidPhone("1234"));
  EXPECT_FALSE(IsValidPhone("call me maybe"));
  EXPECT_EQ(CodePoints("héllo"), 5u);
  EXPECT_TRUE(HasControlChars("a\nb"));
  EXPECT_FALSE(HasControlChars("a\nb", /*allow_newlines=*/true));
  EXPECT_TRUE(HasControlChars(std::string("a\0b", 3), true));
  EXPECT_EQ(Trim("  x y \n"), "x y");
  EXPECT_EQ(Trim(" \t "), "");

  auto props = [](const char* json) { return boost::json::parse(json).as_object(); };
  EXPECT_FALSE(CheckProps(props(R"({"path":"/","n":1,"ok":true,"none":null})")));
  EXPECT_TRUE(CheckProps(props(R"({"nested":{"a":1}})")));
  EXPECT_TRUE(CheckProps(props(R"({"list":[1]})")));
  EXPECT_TRUE(CheckProps(props(R"({"bad key":1})")));
  boost::json::object many;
  for (int i = 0; i < 33; ++i) many["k" + std::to_string(i)] = i;
  EXPECT_TRUE(CheckProps(many));
  many.erase("k0");
  EXPECT_FALSE(CheckProps(many));
  boost::json::object long_value;
  long_value["v"] = std::string(1025, 'x');
  EXPECT_TRUE(CheckProps(long_value));
}

TEST(QueryParams, AViewIntoTheRequestLineEndsWhereTheQueryEnds) {
  // The server's query is a slice of "GET /api/events?... HTTP/1.1\r\n...", not NUL-terminated.
  const std::string line = "limit=1&source=payment_service HTTP/1.1\r\nHost: x\r\n";
  http::Request req;
  req.query = std::string_view(line).substr(0, line.find(' '));
  EXPECT_EQ(req.QueryParam("source"), "payment_service");
  EXPECT_EQ(req.QueryParam("limit"), "1");
  ParamError err;
  EXPECT_EQ(ParseLimit(req, 50, 500, err), 1);
  EXPECT_FALSE(err);
}

TEST(FunnelDays, EveryDayOfTheRangeWithZerosWhereTheStoreHadNothing) {
  const SysTime since = *ParseIso("2026-01-01T12:00:00Z");  // mid-day: its day is included
  const SysTime until = *ParseIso("2026-01-04T00:00:00Z");
  std::vector<store::FunnelDay> stored = {
      {*ParseIso("2026-01-02"), {.visitors = 3, .leads = 1}},
  };
  const auto days = FillDays(since, until, stored);
  ASSERT_EQ(days.size(), 3u);
  EXPECT_EQ(FormatIsoMillis(days[0].start), "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(days[0].counts.visitors, 0);
  EXPECT_EQ(days[1].counts.visitors, 3);
  EXPECT_EQ(days[1].counts.leads, 1);
  EXPECT_EQ(FormatIsoMillis(days[2].start), "2026-01-03T00:00:00.000Z");
}

}  // namespace
}  // namespace hookline::api
