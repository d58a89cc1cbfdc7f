#include "common/strict_json.h"

#include <gtest/gtest.h>

#include <string>

namespace edgetrust {
namespace {

const StrictJsonRules kRules{.max_size = 64,
                             .max_depth = 3,
                             .where = "doc",
                             .too_large_reason = "t.big",
                             .malformed_reason = "t.bad",
                             .not_object_reason = "t.shape"};

std::string ReasonOf(std::string_view text) {
  auto parsed = ParseStrictJsonObject(text, kRules);
  return parsed ? "ok" : parsed.error().reason;
}

TEST(StrictJsonTest, AcceptsOneObjectWithinTheRules) {
  EXPECT_EQ(ReasonOf(R"({"a":{"b":[1,2]}})"), "ok");
}

TEST(StrictJsonTest, RefusesWhatTwoParsersCouldReadDifferently) {
  EXPECT_EQ(ReasonOf(R"({"a":1,"a":2})"), "t.bad");               // duplicate, top level
  EXPECT_EQ(ReasonOf(R"({"x":{"a":1,"a":1}})"), "t.bad");         // duplicate, nested
  EXPECT_EQ(ReasonOf("{\"a\":\"\xc3\x28\"}"), "t.bad");           // invalid UTF-8
  EXPECT_EQ(ReasonOf(R"({"a":{"b":{"c":{"d":{}}}}})"), "t.bad");  // 4 levels below the top
  EXPECT_EQ(ReasonOf(R"({"a":1} {})"), "t.bad");                  // trailing document
  EXPECT_EQ(ReasonOf(R"([1,2])"), "t.shape");
  EXPECT_EQ(ReasonOf(std::string(65, ' ')), "t.big");
}

TEST(StrictJsonTest, MessagesNameTheDocumentNotItsContent) {
  auto parsed = ParseStrictJsonObject(R"({"secret-name":1,"secret-name":2})", kRules);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().message.find("secret"), std::string::npos);
  EXPECT_NE(parsed.error().message.find("doc"), std::string::npos);
}

}  // namespace
}  // namespace edgetrust
