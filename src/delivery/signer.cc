#include "delivery/signer.h"

#include <openssl/core_names.h>
#include <openssl/params.h>

#include <stdexcept>

#include "core/hex.h"
#include "signing/signing.h"

namespace hookline::delivery {

Signer::Signer() : mac_(EVP_MAC_fetch(nullptr, "HMAC", nullptr)) {
  if (mac_ == nullptr) throw std::runtime_error("HMAC is not available");  // start-up only
}

Signer::~Signer() {
  keyed_.clear();
  EVP_MAC_free(mac_);
}

EVP_MAC_CTX* Signer::Keyed(std::string_view secret) {
  if (auto it = keyed_.find(secret); it != keyed_.end()) {
    // Same key, fresh message: a NULL key keeps the one set below.
    return EVP_MAC_init(it->second.get(), nullptr, 0, nullptr) == 1 ? it->second.get() : nullptr;
  }
  if (keyed_.size() >= kMaxSecrets) keyed_.clear();
  Ctx ctx(EVP_MAC_CTX_new(mac_));
  if (!ctx) return nullptr;
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0), OSSL_PARAM_END};
  if (EVP_MAC_init(ctx.get(), reinterpret_cast<const unsigned char*>(secret.data()),
                   secret.size(), params) != 1) {
    return nullptr;
  }
  return keyed_.emplace(std::string(secret), std::move(ctx)).first->second.get();
}

std::string Signer::SignatureHex(std::string_view secret, std::string_view body) {
  EVP_MAC_CTX* ctx = Keyed(secret);
  unsigned char out[EVP_MAX_MD_SIZE];
  size_t len = 0;
  if (ctx == nullptr ||
      EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(body.data()), body.size()) != 1 ||
      EVP_MAC_final(ctx, out, &len, sizeof out) != 1) {
    keyed_.erase(std::string(secret));  // a context in an unknown state is not reused
    return signing::SignatureHex(secret, body);
  }
  return HexEncode(std::string_view(reinterpret_cast<const char*>(out), len));
}

}  // namespace hookline::delivery
