#include "attestation/tpm_public.h"

#include <gtest/gtest.h>
#include <tss2/tss2_mu.h>

#include "attestation/marshal.h"
#include "attestation/templates.h"
#include "attestation/testing/generated_key.h"

namespace edgetrust::attestation {
namespace {

// Public areas with the TCG EK template shapes (L-2 ECC P-256, H-3 ECC P-384, L-1 RSA-2048)
// around freshly generated keys, and the Names an independent TPM computed for them:
// swtpm 0.7.1 (libtpms), TPM2_LoadExternal via `tpm2_loadexternal -C n -u <pub> -n <name>`.
constexpr const char* kEccP256Public =
    "007a0023000b000300b20020837197674484b3f81a90cc8d46a5d724fd52d76e06520b64f2a1da1b331469aa"
    "0006008000430010000300100020e2363ae9529e9bbba9f0849e918c8e13a1542170711dd3f12e67cfe77ca2"
    "3ba7002083bcf5197aa28bf8aee7913f220a3fccad6d0586b8b35dd3b7dcae0838b666a7";
constexpr const char* kEccP256Name =
    "000b1f648813fa3185156dbf4e8f88b42b34227036492d4ece5fc35321547238b2ce";
constexpr const char* kEccP384Public =
    "00aa0023000c000300f20030b26e7d28d11a50bc53d882bcf5fd3a1a074148bb35d3b4e4cb1c0ad9bde419ca"
    "cb47ba09699646150f9fc000f3f80e120006010000430010000400100030777bdbce63f85eaebf3bb00470a3"
    "d5b9b91c40c02412628968f84a5ba3f574b56dc55843a3196e6362582a9ea1bfaecf0030d501af55ef704df0"
    "01dccf772ea680d4315f46aeb997a270901db708d07cb5dfaab26325b3b52ff90ce3cf31a8bb3372";
constexpr const char* kEccP384Name =
    "000c177fa374ddaf738f242e957e8b2cd856aebefa31bda1754826de96c0670ca0e53e58075dfc1378789de2"
    "abb33613a502";
constexpr const char* kRsa2048Public =
    "013a0001000b000300b20020837197674484b3f81a90cc8d46a5d724fd52d76e06520b64f2a1da1b331469aa"
    "00060080004300100800000000000100b43e91624cd9e9caf27b77fd9e4035f494a46e9c9e1529256dd59117"
    "df064eda063f35972dd3ceb98597446d69fba8c0fc1d1bee1dd12a20c27924c4790a40ef4f5e981f11ff6f76"
    "805bef401463cd1fa18db714fcd4b222e89c549987ac831ecfd23f306a035726f7b28638e403428dbcc1b053"
    "6739fb5793bca54f4ab1d2cac4ed076832279a26a5ee0f07d47e667536e3bdf9b0b10a47b07c84b5bdc63153"
    "1862d3a7227fd09b6181909d2621b13db86edce14d611ea9e7d22abe64cb25fc0eddf79a4012abd098ede0de"
    "d250c71c2980ee0e7139542eaae15bbe3ab6b457bd0af6ed07156e471e18234187f2b41b70c9cac5580ff1ca"
    "b31c14dfb6f92953";
constexpr const char* kRsa2048Name =
    "000bd8ca502384321ca7f10e73510fc8a004b2cbc370d863d440d09a2065e95966f5";

Bytes Hex(std::string_view hex) { return *HexDecode(hex); }

// WireForm marshals with tss2-mu's TPM2B_PUBLIC marshaller (which computes the size field): an
// oracle independent of TpmPublic, which marshals the TPMT_PUBLIC and prefixes the size itself.
Bytes WireForm(const TPM2B_PUBLIC& pub) {
  TPM2B_PUBLIC copy = pub;
  copy.size = 0;
  return *Marshal(copy, Tss2_MU_TPM2B_PUBLIC_Marshal, "TPM2B_PUBLIC");
}

TEST(TpmPublicTest, NameMatchesWhatATpmComputes) {
  for (auto [pub_hex, name_hex] :
       {std::pair{kEccP256Public, kEccP256Name}, std::pair{kEccP384Public, kEccP384Name},
        std::pair{kRsa2048Public, kRsa2048Name}}) {
    auto pub = TpmPublic::Parse(Hex(pub_hex));
    ASSERT_TRUE(pub.has_value()) << pub.error().ToString();
    auto name = pub->Name();
    ASSERT_TRUE(name.has_value());
    EXPECT_EQ(HexEncode(*name), name_hex);
    EXPECT_EQ(HexEncode(pub->Marshal()), pub_hex);
    EXPECT_TRUE(pub->ToPublicKey().has_value());
  }
  EXPECT_EQ(*TpmPublic::Parse(Hex(kEccP384Public))->name_alg(), HashAlgorithm::kSha384);
}

// The EK digest (registration id) is sha256sum of the recorded wire bytes, computed outside.
TEST(TpmPublicTest, EkDigestHexIsTheSha256OfTheWireForm) {
  EXPECT_EQ(*EkDigestHex(*TpmPublic::Parse(Hex(kEccP256Public))),
            "2159c56f0ab5a16b0450ea2c6e04e457026503959189fe2584001bb88a37bf9e");
  EXPECT_EQ(*EkDigestHex(*TpmPublic::Parse(Hex(kRsa2048Public))),
            "92dafc2437bf60b5c07f8b1c7c3717748e81b6bb213136db558085e024bbc6d6");
}

TEST(TpmPublicTest, ParseAndFromStructRoundTrip) {
  for (const TPM2B_PUBLIC& tmpl :
       {EkTemplate(EkType::kRsa2048), EkTemplate(EkType::kEccP256), EkTemplate(EkType::kEccP384),
        AttestationKeyTemplate(KeyAlgorithm::kEccP256)}) {
    testing::GeneratedKey key = testing::GenerateKey(tmpl);
    Bytes wire = WireForm(key.pub);
    auto parsed = TpmPublic::Parse(wire);
    ASSERT_TRUE(parsed.has_value()) << parsed.error().ToString();
    EXPECT_EQ(parsed->Marshal(), wire);
    auto from_struct = TpmPublic::FromStruct(key.pub);  // size 0: computed
    ASSERT_TRUE(from_struct.has_value()) << from_struct.error().ToString();
    EXPECT_EQ(from_struct->Marshal(), wire);
    auto name = parsed->Name();
    ASSERT_TRUE(name.has_value());
    ASSERT_EQ(name->size(), 2 + DigestSize(*parsed->name_alg()));
    EXPECT_EQ((*name)[0], tmpl.publicArea.nameAlg >> 8);
    EXPECT_EQ((*name)[1], tmpl.publicArea.nameAlg & 0xff);
    auto public_key = parsed->ToPublicKey();
    ASSERT_TRUE(public_key.has_value()) << public_key.error().ToString();
    EXPECT_TRUE(public_key->Equals(*PublicKey::FromPem(key.public_pem)));
  }
}

TEST(TpmPublicTest, RejectsTrailingAndTruncatedBytes) {
  Bytes wire = Hex(kEccP256Public);
  Bytes trailing = wire;
  trailing.push_back(0);
  EXPECT_EQ(TpmPublic::Parse(trailing).error().reason, "tpm.malformed");
  for (size_t cut : {size_t{0}, size_t{1}, size_t{2}, size_t{10}, wire.size() - 1}) {
    auto truncated = TpmPublic::Parse(ByteView(wire).first(cut));
    ASSERT_FALSE(truncated.has_value()) << cut;
    EXPECT_EQ(truncated.error().reason, "tpm.malformed");
    EXPECT_EQ(truncated.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(TpmPublicTest, RejectsASizeFieldThatDoesNotMatchTheArea) {
  Bytes wire = Hex(kEccP256Public);
  Bytes padded = wire;  // declares one more byte and supplies it: tpm2_print accepts this
  padded[1] = static_cast<uint8_t>(padded[1] + 1);
  padded.push_back(0);
  EXPECT_EQ(TpmPublic::Parse(padded).error().reason, "tpm.malformed");
  Bytes short_size = wire;
  short_size[1] = static_cast<uint8_t>(short_size[1] - 1);
  EXPECT_EQ(TpmPublic::Parse(short_size).error().reason, "tpm.malformed");
  TPM2B_PUBLIC pub = TpmPublic::Parse(wire)->get();
  pub.size = 7;
  EXPECT_EQ(TpmPublic::FromStruct(pub).error().reason, "tpm.malformed");
}

TEST(TpmPublicTest, RejectsNonAsymmetricObjects) {
  TPM2B_PUBLIC keyed_hash{};
  keyed_hash.publicArea.type = TPM2_ALG_KEYEDHASH;
  keyed_hash.publicArea.nameAlg = TPM2_ALG_SHA256;
  keyed_hash.publicArea.objectAttributes = TPMA_OBJECT_SIGN_ENCRYPT;
  keyed_hash.publicArea.parameters.keyedHashDetail.scheme.scheme = TPM2_ALG_NULL;
  keyed_hash.publicArea.unique.keyedHash.size = 32;
  auto parsed = TpmPublic::Parse(WireForm(keyed_hash));
  ASSERT_FALSE(parsed.has_value());
  EXPECT_EQ(parsed.error().reason, "key.unsupported");
  EXPECT_EQ(TpmPublic::FromStruct(keyed_hash).error().reason, "key.unsupported");
}

TEST(TpmPublicTest, ToPublicKeyChecksTheUniqueField) {
  testing::GeneratedKey rsa = testing::GenerateKey(EkTemplate(EkType::kRsa2048));
  TPM2B_PUBLIC mismatch = rsa.pub;
  mismatch.publicArea.parameters.rsaDetail.keyBits = 3072;  // modulus is still 256 bytes
  EXPECT_EQ(TpmPublic::FromStruct(mismatch)->ToPublicKey().error().reason, "key.malformed");
  TPM2B_PUBLIC explicit_e = rsa.pub;
  explicit_e.publicArea.parameters.rsaDetail.exponent = 65537;  // same key as exponent 0
  EXPECT_TRUE(TpmPublic::FromStruct(explicit_e)
                  ->ToPublicKey()
                  ->Equals(*TpmPublic::FromStruct(rsa.pub)->ToPublicKey()));

  TPM2B_PUBLIC ecc = testing::GenerateKey(EkTemplate(EkType::kEccP256)).pub;
  TPM2B_PUBLIC off_curve = ecc;
  off_curve.publicArea.unique.ecc.y.buffer[31] ^= 1;
  EXPECT_EQ(TpmPublic::FromStruct(off_curve)->ToPublicKey().error().reason, "key.malformed");
  TPM2B_PUBLIC bn_curve = ecc;
  bn_curve.publicArea.parameters.eccDetail.curveID = TPM2_ECC_BN_P256;
  EXPECT_EQ(TpmPublic::FromStruct(bn_curve)->ToPublicKey().error().reason, "key.unsupported");
}

TEST(TpmPublicTest, HashAlgorithmMapping) {
  for (HashAlgorithm alg : {HashAlgorithm::kSha1, HashAlgorithm::kSha256, HashAlgorithm::kSha384,
                            HashAlgorithm::kSha512}) {
    EXPECT_EQ(*HashFromTpmAlg(TpmAlgFromHash(alg)), alg);
  }
  EXPECT_EQ(HashFromTpmAlg(TPM2_ALG_SM3_256).error().reason, "tpm.unsupported_hash");
  TPM2B_PUBLIC pub = testing::GenerateKey(AttestationKeyTemplate(KeyAlgorithm::kEccP256)).pub;
  pub.publicArea.nameAlg = TPM2_ALG_SM3_256;
  auto parsed = TpmPublic::FromStruct(pub);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->Name().error().reason, "tpm.unsupported_hash");
}

}  // namespace
}  // namespace edgetrust::attestation
