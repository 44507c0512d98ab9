#include "delivery/url_policy.h"

#include <algorithm>
#include <array>
#include <boost/asio/ip/address.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <cstring>

namespace hookline::delivery {
namespace {

namespace ip = boost::asio::ip;

char ToLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Host names as DNS has them: letters, digits, '-', '.', and '_' (seen in real service names).
// Anything else (percent-escapes, Unicode) must come as punycode.
bool IsValidHostName(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  return std::all_of(host.begin(), host.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
  });
}

struct V4Range {
  uint32_t net;
  int prefix;
  std::string_view kind;
};

constexpr uint32_t V4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  return (uint32_t{a} << 24) | (uint32_t{b} << 16) | (uint32_t{c} << 8) | d;
}

// Checked in order; the first match names the kind.
constexpr std::array<V4Range, 16> kForbiddenV4 = {{
    {V4(255, 255, 255, 255), 32, "broadcast"},
    {V4(0, 0, 0, 0), 8, "unspecified (this network)"},
    {V4(10, 0, 0, 0), 8, "private"},
    {V4(100, 64, 0, 0), 10, "shared (CGNAT)"},
    {V4(127, 0, 0, 0), 8, "loopback"},
    {V4(169, 254, 0, 0), 16, "link-local"},
    {V4(172, 16, 0, 0), 12, "private"},
    {V4(192, 0, 0, 0), 24, "reserved (IETF)"},
    {V4(192, 0, 2, 0), 24, "reserved (documentation)"},
    {V4(192, 88, 99, 0), 24, "reserved (6to4 relay)"},
    {V4(192, 168, 0, 0), 16, "private"},
    {V4(198, 18, 0, 0), 15, "reserved (benchmarking)"},
    {V4(198, 51, 100, 0), 24, "reserved (documentation)"},
    {V4(203, 0, 113, 0), 24, "reserved (documentation)"},
    {V4(224, 0, 0, 0), 4, "multicast"},
    {V4(240, 0, 0, 0), 4, "reserved"},
}};

std::optional<std::string_view> V4Kind(const ip::address_v4& a) {
  const uint32_t v = a.to_uint();
  for (const V4Range& r : kForbiddenV4) {
    const uint32_t mask = r.prefix == 0 ? 0 : ~uint32_t{0} << (32 - r.prefix);
    if ((v & mask) == r.net) return r.kind;
  }
  return std::nullopt;
}

using V6Bytes = ip::address_v6::bytes_type;

bool V6HasPrefix(const V6Bytes& b, std::initializer_list<uint8_t> prefix_bytes, int prefix_bits) {
  std::array<uint8_t, 16> p{};
  std::copy(prefix_bytes.begin(), prefix_bytes.end(), p.begin());
  for (int bit = 0; bit < prefix_bits; bit += 8) {
    const int take = std::min(8, prefix_bits - bit);
    const auto mask = static_cast<uint8_t>(0xFF << (8 - take));
    if ((b[bit / 8] & mask) != (p[bit / 8] & mask)) return false;
  }
  return true;
}

ip::address_v4 V4At(const V6Bytes& b, int offset) {
  return ip::address_v4(
      ip::address_v4::bytes_type{b[offset], b[offset + 1], b[offset + 2], b[offset + 3]});
}

std::optional<std::string_view> V6Kind(const ip::address_v6& a) {
  const V6Bytes b = a.to_bytes();
  if (a.is_unspecified()) return "unspecified";
  if (a.is_loopback()) return "loopback";
  // An IPv6 socket connects to an IPv4-mapped address over IPv4: judge the IPv4 address.
  if (a.is_v4_mapped()) return V4Kind(V4At(b, 12));
  // NAT64 (well-known and local-use prefixes) and 6to4 reach the embedded IPv4 address.
  if (V6HasPrefix(b, {0x00, 0x64, 0xff, 0x9b}, 96) ||
      V6HasPrefix(b, {0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}, 48)) {
    if (auto kind = V4Kind(V4At(b, 12))) return kind;
    return V6HasPrefix(b, {0x00, 0x64, 0xff, 0x9b}, 96)
               ? std::nullopt
               : std::optional<std::string_view>("private (local NAT64)");
  }
  if (V6HasPrefix(b, {0x20, 0x02}, 16)) return V4Kind(V4At(b, 2));
  // Deprecated IPv4-compatible ::a.b.c.d: no legitimate receiver uses it.
  if (V6HasPrefix(b, {}, 96)) return "reserved (IPv4-compatible)";
  if (V6HasPrefix(b, {0xfc}, 7)) return "private (unique-local)";
  if (V6HasPrefix(b, {0xfe, 0x80}, 10)) return "link-local";
  if (V6HasPrefix(b, {0xfe, 0xc0}, 10)) return "private (site-local)";
  if (V6HasPrefix(b, {0xff}, 8)) return "multicast";
  if (V6HasPrefix(b, {0x20, 0x01, 0x0d, 0xb8}, 32)) return "reserved (documentation)";
  if (V6HasPrefix(b, {0x01, 0x00}, 64)) return "reserved (discard)";
  return std::nullopt;
}

}  // namespace

hookline::StatusOr<ParsedUrl> ParseEndpointUrl(std::string_view url) {
  if (url.empty()) return Status::Invalid("url is required");
  if (url.size() > kMaxEndpointUrlLength) {
    return Status::Invalid("url must be at most 2048 characters");
  }
  // absolute-URI has no fragment; say so rather than "not a valid URL".
  if (url.find('#') != std::string_view::npos) {
    return Status::Invalid("url must not contain a fragment (#...)");
  }
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return Status::Invalid("url is not a valid absolute URL");
  const boost::urls::url_view u = *parsed;

  ParsedUrl out;
  if (u.scheme_id() == boost::urls::scheme::http) {
    out.scheme = "http";
    out.port = 80;
  } else if (u.scheme_id() == boost::urls::scheme::https) {
    out.scheme = "https";
    out.port = 443;
    out.tls = true;
  } else {
    return Status::Invalid("url must use http or https");
  }
  if (!u.has_authority()) return Status::Invalid("url must have a host");
  if (u.has_userinfo()) return Status::Invalid("url must not contain a user name or password");

  switch (u.host_type()) {
    case boost::urls::host_type::ipv4:
      out.host = u.host_ipv4_address().to_string();
      break;
    case boost::urls::host_type::ipv6:
      out.host = u.host_ipv6_address().to_string();
      break;
    case boost::urls::host_type::name: {
      if (u.encoded_host().find('%') != boost::core::string_view::npos) {
        return Status::Invalid("url host must not contain percent-escapes");
      }
      std::string host(u.encoded_host().data(), u.encoded_host().size());
      std::transform(host.begin(), host.end(), host.begin(), ToLower);
      if (host.empty()) return Status::Invalid("url must have a host");
      if (!IsValidHostName(host)) return Status::Invalid("url host is not a valid host name");
      out.host = std::move(host);
      break;
    }
    default:  // none, or an IPvFuture literal
      return Status::Invalid("url must have a host");
  }

  if (u.has_port() && !u.port().empty()) {
    const std::string_view port(u.port().data(), u.port().size());
    // port_number() silently yields 0 for values over 65535: check the text ourselves.
    uint32_t n = 0;
    for (char c : port) {
      n = n * 10 + static_cast<uint32_t>(c - '0');  // the grammar guarantees digits
      if (n > 65535) break;
    }
    if (n == 0 || n > 65535) return Status::Invalid("url port must be 1..65535");
    out.port = static_cast<uint16_t>(n);
  }

  out.target.assign(u.encoded_path().data(), u.encoded_path().size());
  if (out.target.empty()) out.target = "/";
  if (u.has_query()) {
    out.target += '?';
    out.target.append(u.encoded_query().data(), u.encoded_query().size());
  }
  return out;
}

std::string HostHeader(const ParsedUrl& url) {
  std::string h = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  const uint16_t default_port = url.tls ? 443 : 80;
  if (url.port != default_port) h += ":" + std::to_string(url.port);
  return h;
}

std::optional<std::string_view> ForbiddenAddressKind(const ip::address& addr) {
  if (addr.is_v4()) return V4Kind(addr.to_v4());
  return V6Kind(addr.to_v6());
}

bool IsForbiddenAddress(const ip::address& addr) { return ForbiddenAddressKind(addr).has_value(); }

}  // namespace hookline::delivery
