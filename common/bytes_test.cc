#include "common/bytes.h"

#include <gtest/gtest.h>

namespace edgetrust {
namespace {

TEST(HexTest, RoundTrips) {
  Bytes data = {0x00, 0x01, 0xab, 0xff};
  EXPECT_EQ(HexEncode(data), "0001abff");
  auto decoded = HexDecode("0001ABff");
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, data);
  EXPECT_EQ(*HexDecode("0x0a"), Bytes{0x0a});
  EXPECT_TRUE(HexDecode("").has_value());
}

TEST(HexTest, RejectsOddLengthAndNonDigits) {
  auto odd = HexDecode("abc");
  ASSERT_FALSE(odd.has_value());
  EXPECT_EQ(odd.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(odd.error().reason, "hex.invalid");
  auto bad = HexDecode("zz");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().reason, "hex.invalid");
}

TEST(ConcatTest, JoinsInOrder) {
  Bytes a = {1, 2};
  Bytes b = {3};
  EXPECT_EQ(Concat({a, b, AsBytes("x")}), (Bytes{1, 2, 3, 'x'}));
}

}  // namespace
}  // namespace edgetrust
