#include "attestation/pcr_selection.h"

#include <gtest/gtest.h>

namespace edgetrust::attestation {
namespace {

TEST(PcrSelectionTest, ParsesAndFormats) {
  auto s = ParsePcrSelection("sha256:16,0,1+sha1:7");
  ASSERT_TRUE(s.has_value()) << s.error().ToString();
  ASSERT_EQ(s->size(), 2u);
  EXPECT_EQ((*s)[0].indices, (std::vector<uint32_t>{0, 1, 16}));
  EXPECT_EQ(FormatPcrSelection(*s), "sha256:0,1,16+sha1:7");
}

TEST(PcrSelectionTest, RejectsBadSpecs) {
  for (const char* bad : {"", "sha256", "sha256:", "sha256:24", "sha256:1,1", "md5:1", "sha256:1,",
                          "sha256:x", "sha256:1+sha256:2"}) {
    auto s = ParsePcrSelection(bad);
    ASSERT_FALSE(s.has_value()) << bad;
    EXPECT_EQ(s.error().reason, "pcr.selection") << bad;
  }
}

TEST(PcrSelectionTest, TpmlRoundTrip) {
  auto s = ParsePcrSelection("sha256:0,7,8,23");
  ASSERT_TRUE(s.has_value());
  auto tpml = ToTpml(*s);
  ASSERT_TRUE(tpml.has_value());
  EXPECT_EQ(tpml->pcrSelections[0].pcrSelect[0], 0x81);
  EXPECT_EQ(tpml->pcrSelections[0].pcrSelect[1], 0x01);
  EXPECT_EQ(tpml->pcrSelections[0].pcrSelect[2], 0x80);
  auto back = FromTpml(*tpml);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(FormatPcrSelection(*back), "sha256:0,7,8,23");
}

TEST(PcrSelectionTest, Covers) {
  auto quoted = *ParsePcrSelection("sha256:0,1,16");
  EXPECT_TRUE(Covers(quoted, *ParsePcrSelection("sha256:0,16")));
  EXPECT_FALSE(Covers(quoted, *ParsePcrSelection("sha256:0,7")));
  EXPECT_FALSE(Covers(quoted, *ParsePcrSelection("sha1:0")));
  EXPECT_TRUE(Covers(quoted, {}));
}

TEST(PcrSelectionTest, DigestOfConcatenatedValues) {
  PcrValues v = {{HashAlgorithm::kSha256, 0, Bytes(32, 0)}};
  auto d = ComputePcrDigest(HashAlgorithm::kSha256, v);
  ASSERT_TRUE(d.has_value());
  // SHA-256 of 32 zero bytes.
  EXPECT_EQ(HexEncode(*d), "66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925");
}

}  // namespace
}  // namespace edgetrust::attestation
