#include "attestation/make_credential.h"

#include <gtest/gtest.h>

#include <map>
#include <ostream>

#include "attestation/software_activate.h"
#include "attestation/templates.h"
#include "attestation/testing/generated_key.h"

namespace edgetrust::attestation {

// PrintTo names an EK type in test names and failure messages; gtest finds it by ADL, so it
// lives in EkType's namespace.
void PrintTo(EkType type, std::ostream* os) { *os << GetEkProfile(type).name; }

namespace {

using testing::GeneratedKey;

// TestEk returns a generated EK of the given shape: the first two of each kind are cached per
// process (RSA key generation is slow), index 1 is "another TPM's EK".
const GeneratedKey& TestEk(EkType kind, int index = 0) {
  static std::map<std::pair<EkType, int>, GeneratedKey> cache;
  auto it = cache.find({kind, index});
  if (it != cache.end()) return it->second;
  return cache.emplace(std::pair{kind, index}, testing::GenerateKey(EkTemplate(kind)))
      .first->second;
}

TpmPublic Public(const GeneratedKey& key) { return *TpmPublic::FromStruct(key.pub); }

Bytes AkName() {
  static const Bytes name =
      *Public(testing::GenerateKey(AttestationKeyTemplate(KeyAlgorithm::kEccP256))).Name();
  return name;
}

SecretBytes Secret(size_t size) { return *RandomSecret(size); }

std::string HexOf(const SecretBytes& s) { return HexEncode(s.RevealForCrypto()); }

class MakeCredentialRoundTrip : public ::testing::TestWithParam<EkType> {};

TEST_P(MakeCredentialRoundTrip, ActivationRecoversTheSecret) {
  const GeneratedKey& ek = TestEk(GetParam());
  const TpmPublic ek_public = Public(ek);
  const size_t digest = DigestSize(*ek_public.name_alg());
  for (size_t size : {size_t{1}, size_t{16}, digest}) {
    SecretBytes secret = Secret(size);
    auto blob = MakeCredential(ek_public, AkName(), secret);
    ASSERT_TRUE(blob.has_value()) << blob.error().ToString();
    // TPM2B_ID_OBJECT = size || TPM2B_DIGEST(HMAC) || encIdentity(2 + secret)
    EXPECT_EQ(blob->id_object.size(), 2 + 2 + digest + 2 + size);
    EXPECT_EQ((blob->id_object[2] << 8) | blob->id_object[3], static_cast<int>(digest));
    auto recovered = ActivateCredentialInSoftware(ek.private_pem, ek_public, AkName(), *blob);
    ASSERT_TRUE(recovered.has_value()) << recovered.error().ToString();
    EXPECT_EQ(HexOf(*recovered), HexOf(secret));
  }
}

TEST_P(MakeCredentialRoundTrip, WrongObjectNameOrAnotherEkFailIntegrity) {
  const GeneratedKey& ek = TestEk(GetParam());
  const GeneratedKey& other = TestEk(GetParam(), 1);
  SecretBytes secret = Secret(32);
  auto blob = MakeCredential(Public(ek), AkName(), secret);
  ASSERT_TRUE(blob.has_value());

  Bytes wrong_name = AkName();
  wrong_name.back() ^= 0x01;
  auto by_name = ActivateCredentialInSoftware(ek.private_pem, Public(ek), wrong_name, *blob);
  ASSERT_FALSE(by_name.has_value());
  EXPECT_EQ(by_name.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(by_name.error().reason, "credential.integrity");

  auto by_ek = ActivateCredentialInSoftware(other.private_pem, Public(other), AkName(), *blob);
  ASSERT_FALSE(by_ek.has_value());
  EXPECT_EQ(by_ek.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(by_ek.error().reason, "credential.integrity");
}

TEST_P(MakeCredentialRoundTrip, AnyFlippedBitFailsIntegrity) {
  const GeneratedKey& ek = TestEk(GetParam());
  auto blob = MakeCredential(Public(ek), AkName(), Secret(20));
  ASSERT_TRUE(blob.has_value());
  for (size_t i = 2; i < blob->id_object.size(); ++i) {  // HMAC size, HMAC, encIdentity
    CredentialBlob tampered = *blob;
    tampered.id_object[i] ^= 0x80;
    auto result = ActivateCredentialInSoftware(ek.private_pem, Public(ek), AkName(), tampered);
    ASSERT_FALSE(result.has_value()) << i;
    EXPECT_TRUE(result.error().reason == "credential.integrity" ||
                result.error().reason == "tpm.malformed")
        << result.error().reason;
  }
  CredentialBlob tampered = *blob;
  tampered.encrypted_secret[tampered.encrypted_secret.size() / 2] ^= 0x01;
  auto result = ActivateCredentialInSoftware(ek.private_pem, Public(ek), AkName(), tampered);
  ASSERT_FALSE(result.has_value());
  // RSA: OAEP fails; ECC: the point leaves the curve or yields another seed.
  EXPECT_TRUE(result.error().reason == "credential.integrity" ||
              result.error().reason == "key.malformed")
      << result.error().reason;
}

TEST_P(MakeCredentialRoundTrip, EachCallUsesAFreshSeed) {
  const GeneratedKey& ek = TestEk(GetParam());
  SecretBytes secret = Secret(32);
  auto a = MakeCredential(Public(ek), AkName(), secret);
  auto b = MakeCredential(Public(ek), AkName(), secret);
  ASSERT_TRUE(a.has_value() && b.has_value());
  EXPECT_NE(a->encrypted_secret, b->encrypted_secret);
  EXPECT_NE(a->id_object, b->id_object);
}

INSTANTIATE_TEST_SUITE_P(EkTemplates, MakeCredentialRoundTrip, ::testing::ValuesIn(AllEkTypes()),
                         ::testing::PrintToStringParamName());

TEST(MakeCredentialTest, EncryptedSecretShapes) {
  auto rsa = MakeCredential(Public(TestEk(EkType::kRsa2048)), AkName(), Secret(32));
  auto p256 = MakeCredential(Public(TestEk(EkType::kEccP256)), AkName(), Secret(32));
  auto p384 = MakeCredential(Public(TestEk(EkType::kEccP384)), AkName(), Secret(48));
  ASSERT_TRUE(rsa.has_value() && p256.has_value() && p384.has_value());
  EXPECT_EQ(rsa->encrypted_secret.size(), 2u + 256);        // OAEP ciphertext
  EXPECT_EQ(p256->encrypted_secret.size(), 2u + 68);        // TPMS_ECC_POINT, 32-byte coordinates
  EXPECT_EQ(p384->encrypted_secret.size(), 2u + 100);       // 48-byte coordinates
  EXPECT_EQ(p384->id_object.size(), 2u + 2 + 48 + 2 + 48);  // SHA-384 HMAC
}

TEST(MakeCredentialTest, RejectsBadSecrets) {
  const TpmPublic ek = Public(TestEk(EkType::kEccP256));
  EXPECT_EQ(MakeCredential(ek, AkName(), SecretBytes()).error().reason, "credential.bad_secret");
  auto too_long = MakeCredential(ek, AkName(), Secret(33));
  ASSERT_FALSE(too_long.has_value());
  EXPECT_EQ(too_long.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(too_long.error().reason, "credential.bad_secret");
}

TEST(MakeCredentialTest, RejectsBadNames) {
  const TpmPublic ek = Public(TestEk(EkType::kEccP256));
  Bytes handle_name = {0x40, 0x00, 0x00, 0x01};
  EXPECT_EQ(MakeCredential(ek, handle_name, Secret(32)).error().reason, "credential.bad_name");
  Bytes short_name = AkName();
  short_name.pop_back();
  EXPECT_EQ(MakeCredential(ek, short_name, Secret(32)).error().reason, "credential.bad_name");
  EXPECT_EQ(MakeCredential(ek, {}, Secret(32)).error().reason, "credential.bad_name");
}

TEST(MakeCredentialTest, RejectsKeysThatAreNotStorageKeys) {
  const TpmPublic ak = Public(testing::GenerateKey(AttestationKeyTemplate(KeyAlgorithm::kEccP256)));
  EXPECT_EQ(MakeCredential(ak, AkName(), Secret(32)).error().reason, "credential.unsupported_ek");
  TPM2B_PUBLIC no_aes = TestEk(EkType::kEccP256).pub;
  no_aes.publicArea.parameters.eccDetail.symmetric.algorithm = TPM2_ALG_NULL;
  EXPECT_EQ(MakeCredential(Public({"", "", no_aes}), AkName(), Secret(32)).error().reason,
            "credential.unsupported_ek");
  TPM2B_PUBLIC not_restricted = TestEk(EkType::kRsa2048).pub;
  not_restricted.publicArea.objectAttributes &= ~TPMA_OBJECT_RESTRICTED;
  EXPECT_EQ(MakeCredential(Public({"", "", not_restricted}), AkName(), Secret(32)).error().reason,
            "credential.unsupported_ek");
}

}  // namespace
}  // namespace edgetrust::attestation
