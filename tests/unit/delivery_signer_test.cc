// delivery::Signer against OpenSSL's own vectors (tests/testdata/signatures.json) and against
// signing::SignatureHex, with one context reused across bodies and secrets.

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <fstream>
#include <iterator>

#include "delivery/signer.h"
#include "signing/signing.h"

namespace hookline::delivery {
namespace {

TEST(DeliverySignerTest, MatchesOpensslVectorsTwiceInAnyOrder) {
  std::ifstream in(std::string(HOOKLINE_TESTDATA_DIR) + "/signatures.json");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto vectors = boost::json::parse(text).as_object().at("vectors").as_array();
  ASSERT_GE(vectors.size(), 5u);
  Signer signer;
  for (int round = 0; round < 2; ++round) {  // the second round reuses every keyed context
    for (const auto& v : vectors) {
      const std::string secret(v.at("secret").as_string());
      const std::string body(v.at("body").as_string());
      EXPECT_EQ(signer.SignatureHex(secret, body), std::string(v.at("signature").as_string()))
          << body;
    }
  }
}

TEST(DeliverySignerTest, SameAsOneShotAcrossManySecrets) {
  Signer signer;
  // More secrets than the cache keeps, interleaved, with empty and long bodies.
  for (size_t i = 0; i < Signer::kMaxSecrets + 20; ++i) {
    const std::string secret = "whsec_" + std::to_string(i % (Signer::kMaxSecrets + 7));
    const std::string body = std::string(i * 37 % 3000, static_cast<char>('a' + i % 26));
    ASSERT_EQ(signer.SignatureHex(secret, body), signing::SignatureHex(secret, body)) << i;
    ASSERT_EQ(signer.SignatureHex("s", body), signing::SignatureHex("s", body)) << i;
  }
  EXPECT_EQ(signer.SignatureHex("", ""), signing::SignatureHex("", ""));
}

}  // namespace
}  // namespace hookline::delivery
