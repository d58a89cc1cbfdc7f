#include "common/crypto.h"

#include <gtest/gtest.h>

namespace edgetrust {
namespace {

TEST(DigestTest, KnownAnswers) {
  auto sha256 = Digest(HashAlgorithm::kSha256, AsBytes("abc"));
  ASSERT_TRUE(sha256.has_value());
  EXPECT_EQ(HexEncode(*sha256), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  auto sha384 = Digest(HashAlgorithm::kSha384, AsBytes("abc"));
  ASSERT_TRUE(sha384.has_value());
  EXPECT_EQ(sha384->size(), 48u);
}

TEST(HmacTest, Rfc4231Case2) {
  auto mac = Hmac(HashAlgorithm::kSha256, AsBytes("Jefe"), AsBytes("what do ya want for nothing?"));
  ASSERT_TRUE(mac.has_value());
  EXPECT_EQ(HexEncode(*mac), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HmacTest, EmptyKeyIsAllowed) {
  auto mac = Hmac(HashAlgorithm::kSha256, {}, AsBytes("data"));
  ASSERT_TRUE(mac.has_value());
  EXPECT_EQ(mac->size(), 32u);
}

TEST(ConstantTimeEqualsTest, ComparesContentAndLength) {
  Bytes a = {1, 2, 3};
  Bytes b = {1, 2, 3};
  Bytes c = {1, 2, 4};
  EXPECT_TRUE(ConstantTimeEquals(a, b));
  EXPECT_FALSE(ConstantTimeEquals(a, c));
  EXPECT_FALSE(ConstantTimeEquals(a, Bytes{1, 2}));
}

TEST(RandomTest, ProducesRequestedSizeAndDiffers) {
  auto a = RandomBytes(32);
  auto b = RandomBytes(32);
  ASSERT_TRUE(a.has_value() && b.has_value());
  EXPECT_EQ(a->size(), 32u);
  EXPECT_NE(*a, *b);
  auto s = RandomSecret(16);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->size(), 16u);
}

TEST(ParseHashAlgorithmTest, KnownAndUnknown) {
  EXPECT_EQ(*ParseHashAlgorithm("sha384"), HashAlgorithm::kSha384);
  auto bad = ParseHashAlgorithm("md5");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().reason, "hash.unknown_algorithm");
}

}  // namespace
}  // namespace edgetrust
