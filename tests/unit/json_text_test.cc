// core/json_text: Boost.JSON's text everywhere but in doubles, which read as people write them.

#include "core/json_text.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <limits>
#include <string>

namespace hookline {
namespace {

boost::json::value Parse(std::string_view text) { return boost::json::parse(text); }

TEST(JsonText, DoublesAreTheShortestDecimalThatReadsBack) {
  EXPECT_EQ(JsonText(Parse(R"({"amount":49.99})")), R"({"amount":49.99})");
  EXPECT_EQ(JsonText(Parse("[1.0,0.5,0.0,-0.25,1e300,1.5e-7,123456789.125]")),
            "[1,0.5,0,-0.25,1e+300,1.5e-07,123456789.125]");
  // Beyond 64 bits the parser already holds a double: 2^64 is exact in one and written whole,
  // 2^64 + 1 is not and reads back as 2^64 (Boost.JSON 1.81 has no exact big numbers).
  EXPECT_EQ(JsonText(Parse("18446744073709551616")), "18446744073709551616");
  EXPECT_EQ(JsonText(Parse("18446744073709551617")), "18446744073709551616");
  // Boost 1.81 would have written these as 4.999E1, 1E0 and 5E-1.
  EXPECT_EQ(boost::json::serialize(Parse("[49.99,1.0,0.5]")), "[4.999E1,1E0,5E-1]");
}

TEST(JsonText, EveryDoubleReadsBackExactly) {
  for (double d : {0.1, 1.0 / 3, 2.0 / 3, 1e-300, 4.9406564584124654e-324, 1.7976931348623157e308,
                   -123.456, 3.14159265358979}) {
    const std::string text = JsonText(boost::json::value(d));
    EXPECT_EQ(Parse(text).as_double(), d) << text;
  }
}

TEST(JsonText, NonFiniteDoublesAreNull) {
  EXPECT_EQ(JsonText(boost::json::value(std::numeric_limits<double>::infinity())), "null");
  EXPECT_EQ(JsonText(boost::json::value(std::numeric_limits<double>::quiet_NaN())), "null");
}

TEST(JsonText, WithoutDoublesItIsBoostsTextByteForByte) {
  std::string every_byte;
  for (int c = 1; c < 256; ++c) every_byte.push_back(static_cast<char>(c));
  boost::json::object o;
  o["every byte but NUL"] = every_byte;
  o["nul"] = boost::json::string(std::string_view("a\0b", 3));
  o["key \"with\" \\ and \n"] = "caf\xc3\xa9 / \xe2\x82\xac";
  o["ints"] = boost::json::array{0, -1, std::numeric_limits<int64_t>::min(),
                                 std::numeric_limits<int64_t>::max(),
                                 std::numeric_limits<uint64_t>::max()};
  o["nested"] = Parse(R"({"a":[[],{},[{"b":null,"c":true,"d":false}]],"e":""})");
  const boost::json::value v = o;
  EXPECT_EQ(JsonText(v), boost::json::serialize(v));
  // Bytes 0x80-0xff alone are not UTF-8: both write them as they are, and no parser reads them.
  o.erase("every byte but NUL");
  const boost::json::value utf8 = o;
  EXPECT_EQ(Parse(JsonText(utf8)), utf8);
}

TEST(JsonText, AppendsAfterWhatIsThere) {
  std::string out = "x=";
  AppendJsonText(out, Parse(R"({"rate":0.25})"));
  EXPECT_EQ(out, R"(x={"rate":0.25})");
}

TEST(MemberText, IsTheMembersTextAsWritten) {
  const std::string body =
      R"({"event_id":"e1", "data" : { "amount": 18446744073709551617, "price": 0.1000000000000000055511,)"
      R"( "s": "}]\"{[", "n": [1, {"data": 2}] } ,"z":null})";
  ASSERT_NO_THROW(Parse(body));
  EXPECT_EQ(MemberText(body, "data"),
            R"({ "amount": 18446744073709551617, "price": 0.1000000000000000055511, "s": "}]\"{[",)"
            R"( "n": [1, {"data": 2}] })");
  EXPECT_EQ(MemberText(body, "event_id"), R"("e1")");
  EXPECT_EQ(MemberText(body, "z"), "null");
  EXPECT_EQ(MemberText(body, "amount"), std::nullopt);  // nested, not top-level
  EXPECT_EQ(MemberText(body, "missing"), std::nullopt);
}

TEST(MemberText, ScalarsArraysAndWhiteSpace) {
  const std::string body = "\n\t{ \"a\" :\r\n-1.5e+3 , \"b\":[ ],\"c\":true,\"d\":\"\"}\n";
  ASSERT_NO_THROW(Parse(body));
  EXPECT_EQ(MemberText(body, "a"), "-1.5e+3");
  EXPECT_EQ(MemberText(body, "b"), "[ ]");
  EXPECT_EQ(MemberText(body, "c"), "true");
  EXPECT_EQ(MemberText(body, "d"), R"("")");
  EXPECT_EQ(MemberText("{}", "a"), std::nullopt);
  EXPECT_EQ(MemberText("[1]", "a"), std::nullopt);
}

TEST(MemberText, TheLastOfDuplicateKeysAsTheParserKeepsIt) {
  const std::string body = R"({"data":{"a":1},"x":2,"data":{"b":2}})";
  EXPECT_EQ(JsonText(Parse(body).at("data")), R"({"b":2})");
  EXPECT_EQ(MemberText(body, "data"), R"({"b":2})");
}

TEST(MemberText, EscapedKeysAreComparedUnescaped) {
  const std::string body = R"({"d\u0061ta":{"a":1},"da\"ta":3,"\\":4})";
  ASSERT_NO_THROW(Parse(body));
  EXPECT_EQ(MemberText(body, "data"), R"({"a":1})");
  EXPECT_EQ(MemberText(body, "da\"ta"), "3");
  EXPECT_EQ(MemberText(body, "\\"), "4");
}

TEST(MemberText, AgreesWithTheParserOnEveryMember) {
  const std::string body =
      R"({"a":{"b":[{"c":"]"},"}"]},"e":"\\","f":[[[]]],"g":{"h":{"i":{}}},"j":-0,"k":"\u005d"})";
  const auto parsed = Parse(body).as_object();
  for (const auto& member : parsed) {
    const auto text = MemberText(body, member.key());
    ASSERT_TRUE(text.has_value()) << member.key();
    EXPECT_EQ(Parse(*text), member.value()) << member.key();
  }
}

}  // namespace
}  // namespace hookline
