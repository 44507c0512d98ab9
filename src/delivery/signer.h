#pragma once
// Signer: X-Webhook-Signature (lowercase hex HMAC-SHA256 of the body with the endpoint secret,
// the same bytes as signing::SignatureHex) without OpenSSL's per-call set-up. The one-shot
// HMAC() looks up the digest and the MAC in the provider tables and expands the key on every
// call; Signer keeps one keyed HMAC context per secret and re-initialises it per message.
//
// Not thread-safe: one Signer per thread. At most kMaxSecrets contexts are kept (a new secret
// beyond that drops them all), so the cache stays bounded if endpoints churn.

#include <openssl/evp.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace hookline::delivery {

class Signer {
 public:
  static constexpr size_t kMaxSecrets = 256;

  Signer();
  ~Signer();
  Signer(const Signer&) = delete;
  Signer& operator=(const Signer&) = delete;

  std::string SignatureHex(std::string_view secret, std::string_view body);

 private:
  struct CtxFree {
    void operator()(EVP_MAC_CTX* c) const { EVP_MAC_CTX_free(c); }
  };
  using Ctx = std::unique_ptr<EVP_MAC_CTX, CtxFree>;

  EVP_MAC_CTX* Keyed(std::string_view secret);  // nullptr when OpenSSL fails

  EVP_MAC* mac_ = nullptr;
  std::map<std::string, Ctx, std::less<>> keyed_;
};

}  // namespace hookline::delivery
