#include "core/random.h"

#include <openssl/rand.h>

#include <stdexcept>
#include <vector>

#include "core/hex.h"

namespace hookline {
namespace {

void FillRandom(unsigned char* out, size_t n) {
  if (RAND_bytes(out, static_cast<int>(n)) != 1) {
    // The CSPRNG failing is not a condition to limp on: secrets would be weak.
    throw std::runtime_error("OpenSSL RAND_bytes failed");
  }
}

}  // namespace

uint64_t CryptoRandom::Uniform(uint64_t bound) {
  // Rejection sampling: no modulo bias.
  const uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
  uint64_t x = 0;
  do {
    FillRandom(reinterpret_cast<unsigned char*>(&x), sizeof x);
  } while (x >= limit);
  return x % bound;
}

std::string CryptoRandom::HexBytes(size_t n) {
  std::string bytes(n, '\0');
  FillRandom(reinterpret_cast<unsigned char*>(bytes.data()), n);
  return HexEncode(bytes);
}

CryptoRandom& CryptoRandom::Instance() {
  static CryptoRandom random;
  return random;
}

std::string SeededRandom::HexBytes(size_t n) {
  std::string bytes(n, '\0');
  for (auto& c : bytes) c = static_cast<char>(gen_() & 0xff);
  return HexEncode(bytes);
}

}  // namespace hookline
