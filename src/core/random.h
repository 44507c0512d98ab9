#pragma once
// Randomness from an injected source: ids, secrets and retry jitter. CryptoRandom draws from
// OpenSSL's CSPRNG and is safe from any thread; tests use a seeded source for repeatable
// schedules.

#include <cstdint>
#include <random>
#include <string>

namespace hookline {

class Random {
 public:
  virtual ~Random() = default;
  // Uniform in [0, bound); bound > 0.
  virtual uint64_t Uniform(uint64_t bound) = 0;
  // n random bytes, hex encoded (2n characters). Used for secrets and ids.
  virtual std::string HexBytes(size_t n) = 0;
};

class CryptoRandom final : public Random {
 public:
  uint64_t Uniform(uint64_t bound) override;
  std::string HexBytes(size_t n) override;
  static CryptoRandom& Instance();
};

// Deterministic, for tests. Not thread-safe.
class SeededRandom final : public Random {
 public:
  explicit SeededRandom(uint64_t seed) : gen_(seed) {}
  uint64_t Uniform(uint64_t bound) override { return gen_() % bound; }
  std::string HexBytes(size_t n) override;

 private:
  std::mt19937_64 gen_;
};

}  // namespace hookline
