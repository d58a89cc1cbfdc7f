#include "common/base64.h"

#include <gtest/gtest.h>

namespace edgetrust {
namespace {

TEST(Base64Test, RoundTripsEveryLengthInBothAlphabets) {
  Bytes data;
  for (int n = 0; n < 70; ++n) {
    auto url = Base64UrlDecode(Base64UrlEncode(data));
    ASSERT_TRUE(url) << n;
    EXPECT_EQ(*url, data);
    auto std_back = Base64StdDecode(Base64StdEncode(data));
    ASSERT_TRUE(std_back) << n;
    EXPECT_EQ(*std_back, data);
    data.push_back(static_cast<uint8_t>(n * 37 + 250));
  }
}

TEST(Base64Test, KnownVectors) {
  EXPECT_EQ(Base64StdEncode(AsBytes("foob")), "Zm9vYg==");
  EXPECT_EQ(Base64UrlEncode(Bytes{0xfb, 0xff}), "-_8");
  EXPECT_EQ(Base64StdEncode(Bytes{0xfb, 0xff}), "+/8=");
}

TEST(Base64Test, EveryByteStringHasOneAcceptedEncoding) {
  for (const char* bad : {"Zm9vYg=", "Zm9vYg", "Zm9vYh==", "Zm9v Yg==", "-_8="}) {
    auto decoded = Base64StdDecode(bad, "test.reason");
    ASSERT_FALSE(decoded) << bad;
    EXPECT_EQ(decoded.error().reason, "test.reason");
    EXPECT_EQ(decoded.error().code, ErrorCode::kInvalidArgument);
  }
  for (const char* bad : {"Zm9vYg==", "-_9", "A", "+/8", "Zm9v\n"}) {
    EXPECT_FALSE(Base64UrlDecode(bad)) << bad;
  }
  EXPECT_EQ(Base64UrlDecode("x!").error().reason, "base64.invalid");
}

}  // namespace
}  // namespace edgetrust
