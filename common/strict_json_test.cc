#include "common/strict_json.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

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

// Recorder writes every SAX event it is given into one string.
class Recorder : public nlohmann::json::json_sax_t {
 public:
  bool null() override { return Add("n"); }
  bool boolean(bool v) override { return Add(v ? "t" : "f"); }
  bool number_integer(number_integer_t v) override { return Add("i" + std::to_string(v)); }
  bool number_unsigned(number_unsigned_t v) override { return Add("u" + std::to_string(v)); }
  bool number_float(number_float_t v, const string_t& /*s*/) override {
    return Add("d" + std::to_string(v));
  }
  bool string(string_t& v) override { return Add("s" + v); }
  bool binary(binary_t& /*v*/) override { return Add("b"); }
  bool start_object(std::size_t n) override { return Add("{" + std::to_string(n)); }
  bool key(string_t& v) override { return Add("k" + v); }
  bool end_object() override { return Add("}"); }
  bool start_array(std::size_t n) override { return Add("[" + std::to_string(n)); }
  bool end_array() override { return Add("]"); }
  bool parse_error(std::size_t /*p*/, const std::string& /*t*/,
                   const nlohmann::detail::exception& /*e*/) override {
    return false;
  }
  std::string log;

 private:
  bool Add(const std::string& event) {
    log += event;
    log += '\0';
    return true;
  }
};

// ExpectFastPathAgrees: whatever FastSaxParse accepts, nlohmann accepts with the very same
// events, and ParseStrictJsonObject returns nlohmann's document for it.
void ExpectFastPathAgrees(const std::string& text) {
  Recorder fast;
  if (!FastSaxParse(text, fast, kRules.max_depth)) return;
  Recorder slow;
  bool parsed = false;
  try {
    parsed = nlohmann::json::sax_parse(text, &slow);
  } catch (const nlohmann::json::exception&) {
  }
  ASSERT_TRUE(parsed) << text;
  ASSERT_EQ(fast.log, slow.log) << text;
  StrictJsonRules rules = kRules;
  rules.max_size = 1 << 20;
  auto strict = ParseStrictJsonObject(text, rules);
  if (strict) {
    EXPECT_EQ(*strict, nlohmann::json::parse(text)) << text;
  }
}

TEST(StrictJsonTest, FastPathReadsTheCommonCase) {
  Recorder events;
  EXPECT_TRUE(FastSaxParse(R"( {"a":[1,-2,0,true,false,null,"x\"\n"],"b":{}} )", events, 3));
  for (const char* left : {R"({"a":1.5})", R"({"a":1e3})", R"({"a":"\u0041"})",
                           "{\"a\":\"\xc3\xa9\"}", R"({"a":1234567890123456789})", R"([1])",
                           R"({"a":[[[1]]]})", R"({"a":1,})", R"({"a":01})", "\xef\xbb\xbf{}"}) {
    Recorder r;
    EXPECT_FALSE(FastSaxParse(left, r, 3)) << left;
  }
}

TEST(StrictJsonTest, FastPathNeverDisagreesWithNlohmann) {
  const std::vector<std::string> seeds = {
      R"({"payload":"eyJhIjoxfQ","signatures":[{"protected":"eyJhbGciOiJFUzI1NiJ9","signature":"AA"}]})",
      R"({"a":{"b":[1,-2,0,-0,true,false,null,"x\"\\\/\b\f\n\r\t"]},"c":123456789012345678})",
      R"({ "k" : [ ] , "l" : { } , "m" : [ { "n" : "" } ] })"};
  const std::string alphabet = "{}[]:,\"\\/-+.0123456789eEtrufalsn \t\r\n\x01\x7f\xc3\xa9u";
  uint32_t state = 12345;
  auto next = [&](uint32_t bound) {
    state = state * 1664525u + 1013904223u;
    return (state >> 8) % bound;
  };
  for (const std::string& seed : seeds) {
    ExpectFastPathAgrees(seed);
    for (int i = 0; i < 3000; ++i) {
      std::string text = seed;
      for (int edits = 1 + static_cast<int>(next(3)); edits > 0 && !text.empty(); --edits) {
        const size_t at = next(static_cast<uint32_t>(text.size()));
        const char c = alphabet[next(static_cast<uint32_t>(alphabet.size()))];
        switch (next(3)) {
          case 0:
            text[at] = c;
            break;
          case 1:
            text.insert(text.begin() + static_cast<long>(at), c);
            break;
          default:
            text.erase(at, 1);
            break;
        }
      }
      ExpectFastPathAgrees(text);
      if (HasFatalFailure()) return;
    }
  }
}

}  // namespace
}  // namespace edgetrust
