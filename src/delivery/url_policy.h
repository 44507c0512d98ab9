#pragma once
// Which URLs a webhook endpoint may have, and which addresses a delivery may connect to.
//
// Two checks, on purpose at two times: ParseEndpointUrl when an endpoint is created or edited
// (the user gets a clear message), and IsForbiddenAddress on every address a host name
// RESOLVES to when HttpClient connects - a check of the name alone would be bypassed by DNS
// rebinding (a name that resolves to a public address at creation and to 169.254.169.254
// later). Pure functions, safe from any thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace boost::asio::ip {
class address;
}  // namespace boost::asio::ip

namespace hookline::delivery {

inline constexpr size_t kMaxEndpointUrlLength = 2048;

struct ParsedUrl {
  std::string scheme;  // "http" or "https", lower case
  std::string host;    // lower-case name, or an IP address without brackets ("::1")
  uint16_t port = 0;   // explicit, or 80/443
  std::string target;  // path + query as written (percent-encoded), "/" when empty
  bool tls = false;
};

// Only absolute http/https URLs with a host, without userinfo or fragment, at most 2048
// characters, port 1..65535. Errors are
// Status::Invalid with a user-facing message ("url must use http or https", ...).
hookline::StatusOr<ParsedUrl> ParseEndpointUrl(std::string_view url);

// The "Host" header value for a parsed URL: brackets around IPv6, the port when not default.
std::string HostHeader(const ParsedUrl& url);

// True for addresses a webhook must not reach unless private endpoints are allowed: IPv4
// this-network 0/8, private 10/8 172.16/12 192.168/16, CGNAT 100.64/10, loopback 127/8,
// link-local 169.254/16 (cloud metadata 169.254.169.254), IETF/documentation/benchmark
// ranges, multicast 224/4, reserved 240/4 and broadcast; IPv6 ::, ::1, IPv4-compatible ::/96,
// unique-local fc00::/7, link-local fe80::/10, site-local fec0::/10, multicast ff00::/8,
// documentation 2001:db8::/32, discard 100::/64, and IPv4-mapped ::ffff:0:0/96, NAT64
// 64:ff9b::/96 and 64:ff9b:1::/48, 6to4 2002::/16 whose embedded IPv4 address is forbidden.
bool IsForbiddenAddress(const boost::asio::ip::address& addr);

// Why an address is forbidden ("loopback", "private", "link-local", ...) for error messages;
// nullopt when it is allowed. IsForbiddenAddress(a) == ForbiddenAddressKind(a).has_value().
std::optional<std::string_view> ForbiddenAddressKind(const boost::asio::ip::address& addr);

}  // namespace hookline::delivery
