#include <gtest/gtest.h>

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

}  // namespace
}  // namespace hookline::store::postgres
