#include "attestation/key_policy.h"

#include <gtest/gtest.h>

#include <string>

#include "attestation/templates.h"
#include "attestation/testing/generated_key.h"

namespace edgetrust::attestation {
namespace {

// Keys are generated once per process; each test mutates a copy of the public area.
struct Keys {
  TPM2B_PUBLIC ecc_ak = testing::GenerateKey(AttestationKeyTemplate(KeyAlgorithm::kEccP256)).pub;
  TPM2B_PUBLIC rsa_ak = testing::GenerateKey(AttestationKeyTemplate(KeyAlgorithm::kRsa2048)).pub;
  TPM2B_PUBLIC ecc_id = testing::GenerateKey(IdentityKeyTemplate(KeyAlgorithm::kEccP256)).pub;
  TPM2B_PUBLIC rsa_id = testing::GenerateKey(IdentityKeyTemplate(KeyAlgorithm::kRsa2048)).pub;
};

const Keys& K() {
  static const Keys keys;
  return keys;
}

TPM2B_PUBLIC WithCurve(TPM2B_PUBLIC tmpl, TPMI_ECC_CURVE curve) {
  tmpl.publicArea.parameters.eccDetail.curveID = curve;
  return testing::GenerateKey(tmpl).pub;
}

TPM2B_PUBLIC WithRsaBits(TPM2B_PUBLIC tmpl, TPMI_RSA_KEY_BITS bits) {
  tmpl.publicArea.parameters.rsaDetail.keyBits = bits;
  return testing::GenerateKey(tmpl).pub;
}

TPM2B_PUBLIC Flip(TPM2B_PUBLIC pub, TPMA_OBJECT bits) {
  pub.publicArea.objectAttributes ^= bits;
  return pub;
}

std::string AkReason(const TPM2B_PUBLIC& pub) {
  auto status = CheckAttestationKeyPublic(*TpmPublic::FromStruct(pub));
  if (status) return "ok";
  EXPECT_EQ(status.error().code, ErrorCode::kPermissionDenied) << status.error().reason;
  return status.error().reason;
}

std::string IdReason(const TPM2B_PUBLIC& pub) {
  auto status = CheckIdentityKeyPublic(*TpmPublic::FromStruct(pub));
  if (status) return "ok";
  EXPECT_EQ(status.error().code, ErrorCode::kPermissionDenied) << status.error().reason;
  return status.error().reason;
}

TEST(AttestationKeyPolicyTest, AcceptsTypicalAks) {
  EXPECT_EQ(AkReason(K().ecc_ak), "ok");
  EXPECT_EQ(AkReason(K().rsa_ak), "ok");
  TPM2B_PUBLIC pss = K().rsa_ak;
  pss.publicArea.parameters.rsaDetail.scheme.scheme = TPM2_ALG_RSAPSS;
  EXPECT_EQ(AkReason(pss), "ok");
  EXPECT_EQ(AkReason(WithRsaBits(AttestationKeyTemplate(KeyAlgorithm::kRsa2048), 3072)), "ok");
}

TEST(AttestationKeyPolicyTest, EachAttributeHasItsReason) {
  for (const TPM2B_PUBLIC& ak : {K().ecc_ak, K().rsa_ak}) {
    EXPECT_EQ(AkReason(Flip(ak, TPMA_OBJECT_RESTRICTED)), "ak.not_restricted");
    EXPECT_EQ(AkReason(Flip(ak, TPMA_OBJECT_SIGN_ENCRYPT)), "ak.not_signing");
    EXPECT_EQ(AkReason(Flip(ak, TPMA_OBJECT_FIXEDTPM)), "ak.not_fixed_tpm");
    EXPECT_EQ(AkReason(Flip(ak, TPMA_OBJECT_FIXEDPARENT)), "ak.not_fixed_parent");
    EXPECT_EQ(AkReason(Flip(ak, TPMA_OBJECT_SENSITIVEDATAORIGIN)), "ak.not_sensitive_data_origin");
    EXPECT_EQ(AkReason(Flip(ak, TPMA_OBJECT_USERWITHAUTH)), "ak.no_user_with_auth");
    EXPECT_EQ(AkReason(Flip(ak, TPMA_OBJECT_DECRYPT)), "ak.decrypt");
  }
}

TEST(AttestationKeyPolicyTest, NameAlgorithmMustBeSha256) {
  TPM2B_PUBLIC ak = K().ecc_ak;
  ak.publicArea.nameAlg = TPM2_ALG_SHA384;
  EXPECT_EQ(AkReason(ak), "ak.name_algorithm");
  ak.publicArea.nameAlg = TPM2_ALG_SHA1;
  EXPECT_EQ(AkReason(ak), "ak.name_algorithm");
}

TEST(AttestationKeyPolicyTest, WeakOrOtherAlgorithms) {
  EXPECT_EQ(AkReason(WithRsaBits(AttestationKeyTemplate(KeyAlgorithm::kRsa2048), 1024)),
            "ak.weak_algorithm");
  EXPECT_EQ(AkReason(WithCurve(AttestationKeyTemplate(KeyAlgorithm::kEccP256), TPM2_ECC_NIST_P384)),
            "ak.weak_algorithm");
  TPM2B_PUBLIC bn = K().ecc_ak;
  bn.publicArea.parameters.eccDetail.curveID = TPM2_ECC_BN_P256;
  EXPECT_EQ(AkReason(bn), "ak.weak_algorithm");
}

TEST(AttestationKeyPolicyTest, SchemeMustBeSha256Signatures) {
  TPM2B_PUBLIC ecc = K().ecc_ak;
  ecc.publicArea.parameters.eccDetail.scheme.details.ecdsa.hashAlg = TPM2_ALG_SHA384;
  EXPECT_EQ(AkReason(ecc), "ak.scheme");
  ecc.publicArea.parameters.eccDetail.scheme.scheme = TPM2_ALG_NULL;
  EXPECT_EQ(AkReason(ecc), "ak.scheme");
  TPM2B_PUBLIC ecdaa = K().ecc_ak;
  ecdaa.publicArea.parameters.eccDetail.scheme.scheme = TPM2_ALG_ECDAA;
  EXPECT_EQ(AkReason(ecdaa), "ak.scheme");
  TPM2B_PUBLIC rsa = K().rsa_ak;
  rsa.publicArea.parameters.rsaDetail.scheme.details.rsassa.hashAlg = TPM2_ALG_SHA1;
  EXPECT_EQ(AkReason(rsa), "ak.scheme");
  rsa.publicArea.parameters.rsaDetail.scheme.scheme = TPM2_ALG_NULL;
  EXPECT_EQ(AkReason(rsa), "ak.scheme");
}

TEST(AttestationKeyPolicyTest, AMalformedKeyIsNotAdmitted) {
  TPM2B_PUBLIC ak = K().rsa_ak;
  ak.publicArea.unique.rsa.size = 128;  // keyBits still says 2048
  auto status = CheckAttestationKeyPublic(*TpmPublic::FromStruct(ak));
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().reason, "key.malformed");
}

TEST(IdentityKeyPolicyTest, AcceptsTypicalIdentityKeys) {
  EXPECT_EQ(IdReason(K().ecc_id), "ok");
  EXPECT_EQ(IdReason(K().rsa_id), "ok");
  EXPECT_EQ(IdReason(WithCurve(IdentityKeyTemplate(KeyAlgorithm::kEccP256), TPM2_ECC_NIST_P384)),
            "ok");
}

TEST(IdentityKeyPolicyTest, EachAttributeHasItsReason) {
  for (const TPM2B_PUBLIC& key : {K().ecc_id, K().rsa_id}) {
    EXPECT_EQ(IdReason(Flip(key, TPMA_OBJECT_RESTRICTED)), "identity.restricted");
    EXPECT_EQ(IdReason(Flip(key, TPMA_OBJECT_SIGN_ENCRYPT)), "identity.not_signing");
    EXPECT_EQ(IdReason(Flip(key, TPMA_OBJECT_FIXEDTPM)), "identity.not_fixed_tpm");
    EXPECT_EQ(IdReason(Flip(key, TPMA_OBJECT_FIXEDPARENT)), "identity.not_fixed_parent");
    EXPECT_EQ(IdReason(Flip(key, TPMA_OBJECT_SENSITIVEDATAORIGIN)),
              "identity.not_sensitive_data_origin");
    EXPECT_EQ(IdReason(Flip(key, TPMA_OBJECT_DECRYPT)), "identity.decrypt");
  }
}

TEST(IdentityKeyPolicyTest, WeakOrOtherAlgorithms) {
  EXPECT_EQ(IdReason(WithRsaBits(IdentityKeyTemplate(KeyAlgorithm::kRsa2048), 1024)),
            "identity.weak_algorithm");
  EXPECT_EQ(IdReason(WithCurve(IdentityKeyTemplate(KeyAlgorithm::kEccP256), TPM2_ECC_NIST_P521)),
            "identity.weak_algorithm");
}

}  // namespace
}  // namespace edgetrust::attestation
