// Secret comparison and signature verification (the HMAC vectors computed by independent tools
// live in tests/testdata and are checked in the outbound tests).

#include <gtest/gtest.h>

#include "signing/signing.h"

namespace hookline::signing {
namespace {

TEST(Signing, SecretMatcherAgreesWithSecretsEqual) {
  const SecretMatcher m("bench-secret");
  for (std::string_view given : {"bench-secret", "bench-secreT", "bench-secret ", "", "b"}) {
    EXPECT_EQ(m.Matches(given), SecretsEqual(given, "bench-secret")) << given;
  }
  EXPECT_TRUE(m.Matches("bench-secret"));
  const SecretMatcher empty("");
  EXPECT_TRUE(empty.Matches(""));
  EXPECT_FALSE(empty.Matches("x"));
}

TEST(Signing, SecretsEqualIsExact) {
  EXPECT_TRUE(SecretsEqual("abc", "abc"));
  EXPECT_FALSE(SecretsEqual("abc", "abd"));
  EXPECT_FALSE(SecretsEqual("abc", "abcd"));
  EXPECT_FALSE(SecretsEqual("", "a"));
  EXPECT_TRUE(SecretsEqual("", ""));
}

TEST(Signing, KnownHmacVector) {
  // RFC 4231 test case 2.
  EXPECT_EQ(SignatureHex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Signing, VerifyAcceptsCaseAndSpacesRejectsTampering) {
  const std::string body = R"({"event":"render.completed"})";
  const std::string sig = SignatureHex("k", body);
  EXPECT_TRUE(VerifySignature("k", body, sig));
  std::string upper = sig;
  for (auto& c : upper) c = static_cast<char>(std::toupper(c));
  EXPECT_TRUE(VerifySignature("k", body, " " + upper + "\n"));
  EXPECT_FALSE(VerifySignature("k", body + " ", sig));
  EXPECT_FALSE(VerifySignature("other", body, sig));
  EXPECT_FALSE(VerifySignature("k", body, sig.substr(0, 63)));
  EXPECT_FALSE(VerifySignature("k", body, ""));
}

}  // namespace
}  // namespace hookline::signing
