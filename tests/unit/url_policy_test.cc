#include "delivery/url_policy.h"

#include <gtest/gtest.h>

#include <boost/asio/ip/address.hpp>

namespace hookline::delivery {
namespace {

bool Forbidden(const char* text) { return IsForbiddenAddress(boost::asio::ip::make_address(text)); }

TEST(UrlPolicyTest, ParsesGoodUrls) {
  auto u = ParseEndpointUrl("https://Hooks.Example.com/in/render?x=1&y=%20");
  ASSERT_TRUE(u.ok()) << u.status().message();
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->host, "hooks.example.com");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->target, "/in/render?x=1&y=%20");
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(HostHeader(*u), "hooks.example.com");

  u = ParseEndpointUrl("HTTP://example.com:8080");
  ASSERT_TRUE(u.ok()) << u.status().message();
  EXPECT_EQ(u->scheme, "http");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->target, "/");
  EXPECT_FALSE(u->tls);
  EXPECT_EQ(HostHeader(*u), "example.com:8080");

  u = ParseEndpointUrl("http://127.0.0.1:9000/hook");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "127.0.0.1");

  u = ParseEndpointUrl("https://[2606:4700::1]:8443/x");
  ASSERT_TRUE(u.ok()) << u.status().message();
  EXPECT_EQ(u->host, "2606:4700::1");
  EXPECT_EQ(u->port, 8443);
  EXPECT_EQ(HostHeader(*u), "[2606:4700::1]:8443");

  u = ParseEndpointUrl("http://example.com:/?q");  // empty port: the default
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->port, 80);
  EXPECT_EQ(u->target, "/?q");
}

TEST(UrlPolicyTest, RejectsBadUrls) {
  auto message = [](std::string_view url) {
    auto u = ParseEndpointUrl(url);
    EXPECT_FALSE(u.ok()) << url;
    EXPECT_EQ(u.status().code(), StatusCode::kInvalidArgument);
    return u.ok() ? std::string() : u.status().message();
  };
  EXPECT_EQ(message("ftp://example.com/"), "url must use http or https");
  EXPECT_EQ(message("file:///etc/passwd"), "url must use http or https");
  EXPECT_EQ(message("javascript:alert(1)"), "url must use http or https");
  EXPECT_EQ(message("https://user:pw@example.com/"),
            "url must not contain a user name or password");
  EXPECT_EQ(message("https://@example.com/"), "url must not contain a user name or password");
  EXPECT_EQ(message("http:///path"), "url must have a host");
  EXPECT_EQ(message("http:/path"), "url must have a host");
  EXPECT_EQ(message("/relative/path"), "url is not a valid absolute URL");
  EXPECT_EQ(message("example.com/hook"), "url is not a valid absolute URL");
  EXPECT_EQ(message("http://exa mple.com/"), "url is not a valid absolute URL");
  EXPECT_EQ(message("http://example.com/a\r\nX: y"), "url is not a valid absolute URL");
  EXPECT_EQ(message("http://example.com/#frag"), "url must not contain a fragment (#...)");
  EXPECT_EQ(message("http://example.com:0/"), "url port must be 1..65535");
  EXPECT_EQ(message("http://example.com:65536/"), "url port must be 1..65535");
  EXPECT_EQ(message("http://example.com:99999999999/"), "url port must be 1..65535");
  EXPECT_EQ(message("http://exa%6dple.com/"), "url host must not contain percent-escapes");
  EXPECT_EQ(message(""), "url is required");
  EXPECT_EQ(message("http://example.com/" + std::string(2048, 'a')),
            "url must be at most 2048 characters");
  EXPECT_TRUE(ParseEndpointUrl("http://example.com/" + std::string(2048 - 19, 'a')).ok());
}

TEST(UrlPolicyTest, ForbidsIpv4SpecialRanges) {
  for (const char* a :
       {"0.0.0.0",         "0.1.2.3",         "10.0.0.1",       "10.255.255.255",  "100.64.0.1",
        "100.127.255.255", "127.0.0.1",       "127.255.0.9",    "169.254.169.254", "169.254.0.1",
        "172.16.0.1",      "172.31.255.255",  "192.168.0.1",    "192.168.255.255", "192.0.0.8",
        "192.0.2.1",       "198.18.0.1",      "198.19.255.255", "198.51.100.7",    "203.0.113.9",
        "224.0.0.1",       "239.255.255.250", "240.0.0.1",      "255.255.255.255"}) {
    EXPECT_TRUE(Forbidden(a)) << a;
  }
}

TEST(UrlPolicyTest, ForbidsIpv6SpecialRanges) {
  for (const char* a :
       {"::", "::1", "fc00::1", "fd12:3456::1", "fe80::1", "febf::1", "fec0::1", "ff02::1",
        "ff05::2", "2001:db8::1", "100::1",
        // IPv4-mapped forms of forbidden IPv4 addresses
        "::ffff:127.0.0.1", "::ffff:10.1.2.3", "::ffff:169.254.169.254", "::ffff:192.168.1.1",
        "::ffff:0.0.0.0",
        // NAT64 and 6to4 reaching forbidden IPv4 addresses; deprecated IPv4-compatible
        "64:ff9b::7f00:1", "64:ff9b::a00:1", "64:ff9b::a9fe:a9fe", "64:ff9b:1::8.8.8.8",
        "2002:7f00:1::", "2002:c0a8:101::1", "::7f00:1", "::8.8.8.8"}) {
    EXPECT_TRUE(Forbidden(a)) << a;
  }
}

TEST(UrlPolicyTest, AllowsPublicAddresses) {
  for (const char* a :
       {"8.8.8.8", "1.1.1.1", "93.184.216.34", "172.15.255.255", "172.32.0.1", "100.63.255.255",
        "100.128.0.1", "169.253.255.255", "192.169.0.1", "11.0.0.1", "223.255.255.254",
        "2606:4700:4700::1111", "2001:4860:4860::8888", "::ffff:8.8.8.8", "64:ff9b::808:808",
        "2002:808:808::1", "fbff::1", "fe7f::1"}) {
    EXPECT_FALSE(Forbidden(a)) << a;
  }
}

TEST(UrlPolicyTest, NamesTheKind) {
  using boost::asio::ip::make_address;
  EXPECT_EQ(ForbiddenAddressKind(make_address("10.0.0.1")), "private");
  EXPECT_EQ(ForbiddenAddressKind(make_address("127.0.0.1")), "loopback");
  EXPECT_EQ(ForbiddenAddressKind(make_address("169.254.169.254")), "link-local");
  EXPECT_EQ(ForbiddenAddressKind(make_address("::ffff:127.0.0.1")), "loopback");
  EXPECT_EQ(ForbiddenAddressKind(make_address("8.8.8.8")), std::nullopt);
}

}  // namespace
}  // namespace hookline::delivery
