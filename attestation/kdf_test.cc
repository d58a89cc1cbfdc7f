#include "attestation/kdf.h"

#include <gtest/gtest.h>

#include <string>

namespace edgetrust::attestation {
namespace {

Bytes Hex(std::string_view hex) { return *HexDecode(hex); }

std::string HexOf(const Result<SecretBytes>& secret) {
  EXPECT_TRUE(secret.has_value()) << secret.error().ToString();
  return secret ? HexEncode(secret->RevealForCrypto()) : "";
}

// The KDFa self-test vector of the TCG TPM 2.0 reference implementation (KdfTestData.h: key,
// label "KDFSELFTESTLABEL\0", contextU, contextV, 160 bits), one expected output per hash.
const Bytes kKey = Hex("271fa08bbdc5060ec3dfa928ff9b73123a12da0c");
const Bytes kContextU = Hex("ce244f395dca7391");
const Bytes kContextV = Hex("da504031ddf12e83");

TEST(KdfATest, TcgReferenceVectors) {
  const struct {
    HashAlgorithm hash;
    const char* expected;
  } kCases[] = {
      {HashAlgorithm::kSha1, "55b5a7184aa07423c47dae766c26a2377d7cf851"},
      {HashAlgorithm::kSha256, "bb0259e1c8ba607e6a2cd704b69a902e9ade84c4"},
      {HashAlgorithm::kSha384, "1dce70c9113eb2dba47bd9cfc72bf46f45b09312"},
      {HashAlgorithm::kSha512, "8be2c1b85b78569b9fa759f5857c56d684810fd3"},
  };
  for (const auto& c : kCases) {
    EXPECT_EQ(HexOf(KdfA(c.hash, kKey, "KDFSELFTESTLABEL", kContextU, kContextV, 160)), c.expected)
        << HashAlgorithmName(c.hash);
  }
}

TEST(KdfATest, LabelNulIsAddedOnce) {
  const std::string_view with_nul("KDFSELFTESTLABEL\0", 17);
  EXPECT_EQ(HexOf(KdfA(HashAlgorithm::kSha256, kKey, with_nul, kContextU, kContextV, 160)),
            "bb0259e1c8ba607e6a2cd704b69a902e9ade84c4");
}

// Multi-block and odd-bit expectations below come from an independent Python implementation of
// the Part 1 formulas (hmac/hashlib); the reference vectors above pin the formula itself.
TEST(KdfATest, SeveralBlocksUseIncreasingCounters) {
  EXPECT_EQ(HexOf(KdfA(HashAlgorithm::kSha256, kKey, "STORAGE", kContextU, {}, 520)),
            "6c1461547c36f9ab886f19697803e496d2a878d820ce77ed336f1eea4f5e8767d5191ed3736e700aa7"
            "ecd9ce2db7c8f4610dce6957ada61bad1f50ebeaa6416b1b");
}

TEST(KdfATest, OddBitCountsClearTheSurplusHighBits) {
  EXPECT_EQ(HexOf(KdfA(HashAlgorithm::kSha256, kKey, "INTEGRITY", {}, {}, 13)), "1234");
}

// Ramp returns `size` bytes counting up from `first`.
Bytes Ramp(size_t size, uint8_t first) {
  Bytes out(size);
  for (size_t i = 0; i < size; ++i) out[i] = static_cast<uint8_t>(first + i);
  return out;
}

TEST(KdfETest, SingleAndSeveralBlocks) {
  Bytes z = Ramp(32, 1), u = Ramp(32, 0x40), v = Ramp(32, 0x80);
  EXPECT_EQ(HexOf(KdfE(HashAlgorithm::kSha256, z, "IDENTITY", u, v, 256)),
            "3a0e869c9f610ccf51d96aca362d60e350f75132b1743ad99f83fe0dff8f3427");
  EXPECT_EQ(HexOf(KdfE(HashAlgorithm::kSha256, z, "IDENTITY", u, v, 13)), "1a0e");
  Bytes z48 = Ramp(48, 1), u48 = Ramp(48, 0x40), v48 = Ramp(48, 0x80);
  EXPECT_EQ(HexOf(KdfE(HashAlgorithm::kSha384, z48, "IDENTITY", u48, v48, 600)),
            "1fcbb954e32cb0833d47cbe2bfe018d35b6302e166714df9eb718f7379b4d57c4f466294782b63958a"
            "dc07293c7815f9ea6dbe4b0c368c0bf23b8b7bbad810852156d58f280cdd2732e7db");
}

TEST(KdfTest, RejectsBadLengths) {
  EXPECT_EQ(KdfA(HashAlgorithm::kSha256, kKey, "X", {}, {}, 0).error().reason,
            "kdf.invalid_length");
  EXPECT_EQ(KdfE(HashAlgorithm::kSha256, kKey, "X", {}, {}, kMaxKdfBits + 1).error().reason,
            "kdf.invalid_length");
  auto empty_key = KdfA(HashAlgorithm::kSha256, {}, "X", {}, {}, 128);
  ASSERT_TRUE(empty_key.has_value());
  EXPECT_EQ(empty_key->size(), 16u);
}

}  // namespace
}  // namespace edgetrust::attestation
