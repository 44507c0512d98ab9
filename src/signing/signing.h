#pragma once
// Webhook signatures and secret comparison.
//
// Outbound (seed 002): X-Webhook-Signature = lowercase hex HMAC-SHA256 of the raw body bytes,
// key = the endpoint secret. Inbound: X-Webhook-Secret compared with WEBHOOK_SECRET.
// Every comparison of a secret or signature runs in constant time: both sides are first
// reduced to equal-length SHA-256 digests, then compared with CRYPTO_memcmp, so neither the
// content nor the length of the expected value leaks through timing.
// All functions are pure and safe from any thread.

#include <string>
#include <string_view>

struct evp_md_st;  // OpenSSL's EVP_MD

namespace hookline::signing {

// Raw 32-byte HMAC-SHA256(key, message).
std::string HmacSha256(std::string_view key, std::string_view message);
// Lowercase hex of HmacSha256 (64 characters): the X-Webhook-Signature value.
std::string SignatureHex(std::string_view secret, std::string_view body);
// Constant-time equality of two secrets of any length.
bool SecretsEqual(std::string_view a, std::string_view b);
// SecretsEqual(given, expected) for one fixed expected secret, checked on every request: the
// expected digest is computed once, and the SHA-256 implementation is fetched once (OpenSSL 3's
// one-shot SHA256() looks it up in the provider store on every call).
class SecretMatcher {
 public:
  explicit SecretMatcher(std::string_view expected);
  ~SecretMatcher();
  SecretMatcher(const SecretMatcher&) = delete;
  SecretMatcher& operator=(const SecretMatcher&) = delete;
  bool Matches(std::string_view given) const;

 private:
  ::evp_md_st* md_;  // fetched once
  unsigned char expected_[32];
};
// True when `signature_hex` (any case, surrounding spaces ignored) is the signature of
// `body` under `secret`. Constant time in the signature's content.
bool VerifySignature(std::string_view secret, std::string_view body,
                     std::string_view signature_hex);

}  // namespace hookline::signing
