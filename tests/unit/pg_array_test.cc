#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>

#include "store/postgres/conn.h"

namespace hookline::store::postgres {
namespace {

std::string Element(std::string_view v) {
  std::string out;
  AppendArrayElement(out, v);
  return out;
}

TEST(PgArrayLiteral, QuotesEveryElementAndEscapesQuotesAndBackslashes) {
  EXPECT_EQ(Element(""), R"("")");
  EXPECT_EQ(Element("plain"), R"("plain")");
  EXPECT_EQ(Element(R"({"a":"b"})"), R"("{\"a\":\"b\"}")");
  EXPECT_EQ(Element(R"(\)"), R"("\\")");
  EXPECT_EQ(Element(R"(a\"b)"), R"("a\\\"b")");
  EXPECT_EQ(Element(R"(""\\)"), R"("\"\"\\\\")");
  EXPECT_EQ(Element("x,y} {NULL}"), R"("x,y} {NULL}")");  // quoted, so taken literally
  EXPECT_EQ(Element(std::string("nul\0byte", 8)), std::string("\"nul\0byte\"", 10));
}

TEST(PgArrayLiteral, ColumnsOfOneElementPerRowWithNulls) {
  ArrayColumns<2> cols;
  cols.Reserve(0, 2, 8);
  cols.Add(0, "a\"1");
  cols.AddOpt(1, std::nullopt);
  cols.Add(0, "");
  cols.AddOpt(1, std::optional<std::string>("NULL"));
  auto p = cols.Finish();
  ASSERT_EQ(p.size(), 2);
  EXPECT_EQ(std::string(p.values()[0]), R"({"a\"1",""})");
  EXPECT_EQ(std::string(p.values()[1]), R"({NULL,"NULL"})");  // a real NULL, then the text NULL
}

// The binary array format array_recv reads: ndim, has-null flag, element type OID, then
// size and lower bound per dimension, then each element as a length (-1 for NULL) and its
// bytes, all integers big-endian. Expected bytes written out by hand from PostgreSQL's
// array_recv/array_send; the timestamps' microseconds since 2000-01-01 from Python's datetime.
// The expected bytes are laid out field by field.
// clang-format off
std::string Hex(const std::string& bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

TEST(PgBinaryArray, TextElementsAndANull) {
  BinaryArray a(BinaryArray::kText, 3);
  a.AddText("ab");
  a.AddNull();
  a.AddText("");
  EXPECT_EQ(Hex(a.Finish()),
            "00000001"   // one dimension
            "00000001"   // has a NULL
            "00000019"   // text (OID 25)
            "00000003"   // three elements
            "00000001"   // from index 1
            "000000026162"
            "ffffffff"
            "00000000");
}

TEST(PgBinaryArray, JsonbCarriesItsVersionByte) {
  BinaryArray a(BinaryArray::kJsonb, 1);
  a.AddJsonb("{}");
  EXPECT_EQ(Hex(a.Finish()), "00000001000000000000"
                             "0eda"  // jsonb (OID 3802)
                             "0000000100000001"
                             "00000003017b7d");
}

TEST(PgBinaryArray, TimestampsAreMicrosecondsSince2000ToTheMillisecond) {
  using std::chrono::microseconds;
  using std::chrono::milliseconds;
  const std::chrono::system_clock::time_point unix_epoch{};
  BinaryArray a(BinaryArray::kTimestamptz, 2);
  // 2026-01-09T05:38:01.449Z plus 700 µs, which the millisecond drops as the text form did.
  a.AddTimestamptz(unix_epoch + milliseconds(1767937081449) + microseconds(700));
  a.AddTimestamptz(unix_epoch + milliseconds(946684799999));  // 1999-12-31T23:59:59.999Z
  EXPECT_EQ(Hex(a.Finish()), "0000000100000000000004a0"  // timestamptz (OID 1184)
                             "0000000200000001"
                             "00000008"
                             "0002eaecb281ba28"  // 821252281449000
                             "00000008"
                             "fffffffffffffc18");  // -1000
}

TEST(PgBinaryArray, HeaderCountsTheElementsAddedNotTheExpectedCount) {
  BinaryArray fewer(BinaryArray::kText, 5, 64);
  fewer.AddText("a");
  EXPECT_EQ(Hex(fewer.Finish()), "00000001000000000000001900000001"  // text, one element
                                 "00000001"
                                 "0000000161");
  BinaryArray none(BinaryArray::kText, 3);
  EXPECT_EQ(Hex(none.Finish()), "0000000100000000000000190000000000000001");
  BinaryArray more(BinaryArray::kText, 0);
  for (int i = 0; i < 300; ++i) more.AddText("");
  EXPECT_EQ(Hex(more.Finish()).substr(24, 8), "0000012c");  // 300 elements
}
// clang-format on

}  // namespace
}  // namespace hookline::store::postgres
