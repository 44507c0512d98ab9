#include "signing/signing.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "core/hex.h"

namespace hookline::signing {
namespace {

std::string Sha256(std::string_view data) {
  std::string out(SHA256_DIGEST_LENGTH, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
         reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string HmacSha256(std::string_view key, std::string_view message) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), out,
           &len) == nullptr) {
    throw std::runtime_error("HMAC-SHA256 failed");  // only on OpenSSL misconfiguration
  }
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string SignatureHex(std::string_view secret, std::string_view body) {
  return HexEncode(HmacSha256(secret, body));
}

bool SecretsEqual(std::string_view a, std::string_view b) {
  const std::string da = Sha256(a);
  const std::string db = Sha256(b);
  return CRYPTO_memcmp(da.data(), db.data(), da.size()) == 0;
}

SecretMatcher::SecretMatcher(std::string_view expected)
    : md_(EVP_MD_fetch(nullptr, "SHA256", nullptr)) {
  if (md_ == nullptr) throw std::runtime_error("SHA-256 is not available");  // start-up only
  const std::string d = Sha256(expected);
  std::copy(d.begin(), d.end(), expected_);
}

SecretMatcher::~SecretMatcher() { EVP_MD_free(md_); }

bool SecretMatcher::Matches(std::string_view given) const {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(given.data(), given.size(), digest, &len, md_, nullptr) != 1 ||
      len != sizeof expected_) {
    return false;
  }
  return CRYPTO_memcmp(digest, expected_, sizeof expected_) == 0;
}

bool VerifySignature(std::string_view secret, std::string_view body,
                     std::string_view signature_hex) {
  std::string given(Trim(signature_hex));
  for (auto& c : given) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return SecretsEqual(SignatureHex(secret, body), given);
}

}  // namespace hookline::signing
