// X-Webhook-Signature against vectors computed by OpenSSL (tests/testdata/make_signatures.sh),
// not by our own code.

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <fstream>
#include <iterator>

#include "signing/signing.h"

namespace hookline::signing {
namespace {

boost::json::array Vectors() {
  std::ifstream in(std::string(HOOKLINE_TESTDATA_DIR) + "/signatures.json");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return boost::json::parse(text).as_object().at("vectors").as_array();
}

TEST(SignatureVectorsTest, MatchOpenssl) {
  const auto vectors = Vectors();
  ASSERT_GE(vectors.size(), 5u);
  for (const auto& v : vectors) {
    const std::string secret(v.at("secret").as_string());
    const std::string body(v.at("body").as_string());
    const std::string expected(v.at("signature").as_string());
    EXPECT_EQ(SignatureHex(secret, body), expected) << body;
    EXPECT_TRUE(VerifySignature(secret, body, expected));
    std::string upper = expected;
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_TRUE(VerifySignature(secret, body, upper));  // hex in any case
    std::string flipped = expected;
    flipped[10] = flipped[10] == '0' ? '1' : '0';
    EXPECT_FALSE(VerifySignature(secret, body, flipped));
    EXPECT_FALSE(VerifySignature(secret + "x", body, expected));
    EXPECT_FALSE(VerifySignature(secret, body + " ", expected));
    EXPECT_FALSE(VerifySignature(secret, body, expected.substr(0, 63)));
  }
}

}  // namespace
}  // namespace hookline::signing
