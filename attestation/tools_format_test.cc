#include "attestation/tools_format.h"

#include <gtest/gtest.h>

namespace edgetrust::attestation {
namespace {

Bytes Hex(std::string_view hex) { return *HexDecode(hex); }

const CredentialBlob kBlob = {Hex("0004aabbccdd"), Hex("0002eeff")};

TEST(ToolsFormatTest, EncodesHeaderThenBothTpm2bs) {
  EXPECT_EQ(HexEncode(EncodeTpm2ToolsCredential(kBlob)), "badcc0de000000010004aabbccdd0002eeff");
}

TEST(ToolsFormatTest, DecodeInvertsEncode) {
  auto decoded = DecodeTpm2ToolsCredential(Hex("badcc0de000000010004aabbccdd0002eeff"));
  ASSERT_TRUE(decoded.has_value()) << decoded.error().ToString();
  EXPECT_EQ(decoded->id_object, kBlob.id_object);
  EXPECT_EQ(decoded->encrypted_secret, kBlob.encrypted_secret);
}

TEST(ToolsFormatTest, RejectsWrongMagicOrVersion) {
  auto magic = DecodeTpm2ToolsCredential(Hex("badcc0df000000010004aabbccdd0002eeff"));
  ASSERT_FALSE(magic.has_value());
  EXPECT_EQ(magic.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(magic.error().reason, "credential.file_format");
  EXPECT_EQ(DecodeTpm2ToolsCredential(Hex("badcc0de000000020004aabbccdd0002eeff")).error().reason,
            "credential.file_format");
}

TEST(ToolsFormatTest, RejectsTruncatedOversizedAndTrailingInput) {
  const Bytes good = Hex("badcc0de000000010004aabbccdd0002eeff");
  for (size_t cut = 0; cut < good.size(); ++cut) {
    auto result = DecodeTpm2ToolsCredential(ByteView(good).first(cut));
    ASSERT_FALSE(result.has_value()) << cut;
    EXPECT_EQ(result.error().reason, "tpm.malformed") << cut;
  }
  Bytes trailing = good;
  trailing.push_back(0);
  EXPECT_EQ(DecodeTpm2ToolsCredential(trailing).error().reason, "tpm.malformed");
  // A TPM2B_ID_OBJECT larger than the type allows, even if the bytes are there.
  Bytes oversized = Hex("badcc0de00000001ffff");
  oversized.resize(oversized.size() + 0xffff + 4, 0);
  EXPECT_EQ(DecodeTpm2ToolsCredential(oversized).error().reason, "tpm.malformed");
}

}  // namespace
}  // namespace edgetrust::attestation
