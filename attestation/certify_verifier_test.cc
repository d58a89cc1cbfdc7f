// Certify verification against evidence crafted with software keys (E11 of THREATS.md); the
// swtpm test covers the same checks with a real TPM.
#include "attestation/certify_verifier.h"

#include <gtest/gtest.h>

#include "attestation/templates.h"
#include "attestation/testing/software_key.h"

namespace edgetrust::attestation {
namespace {

using testing::CertifyAttest;
using testing::SoftwareKey;

class CertifyVerifierTest : public ::testing::Test {
 protected:
  static SoftwareKey Key(const TPM2B_PUBLIC& tmpl) {
    auto k = SoftwareKey::Create(tmpl);
    EXPECT_TRUE(k.has_value());
    return std::move(*k);
  }

  Result<VerifiedCertify> CertifyAndVerify(const TpmPublic& certified, const TpmPublic& sent) {
    auto name = certified.Name();
    EXPECT_TRUE(name.has_value());
    auto signed_attest = ak_.Sign(CertifyAttest(nonce_, *name));
    EXPECT_TRUE(signed_attest.has_value());
    return VerifyCertify(ak_.public_area(), signed_attest->attest, signed_attest->signature, sent,
                         nonce_);
  }

  SoftwareKey ak_ = Key(AttestationKeyTemplate(KeyAlgorithm::kEccP256));
  Bytes nonce_ = Bytes(32, 0x42);
};

TEST_F(CertifyVerifierTest, AcceptsIdentityKey) {
  SoftwareKey id = Key(IdentityKeyTemplate(KeyAlgorithm::kEccP256));
  auto r = CertifyAndVerify(id.public_area(), id.public_area());
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  auto expected = id.public_area().ToPublicKey();
  ASSERT_TRUE(expected.has_value());
  EXPECT_TRUE(r->certified_key().Equals(*expected));
}

TEST_F(CertifyVerifierTest, RejectsNameOfAnotherKey) {
  SoftwareKey id = Key(IdentityKeyTemplate(KeyAlgorithm::kEccP256));
  SoftwareKey other = Key(IdentityKeyTemplate(KeyAlgorithm::kEccP256));
  auto r = CertifyAndVerify(id.public_area(), other.public_area());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().reason, "certify.name_mismatch");
}

TEST_F(CertifyVerifierTest, RejectsRestrictedKey) {
  SoftwareKey restricted = Key(AttestationKeyTemplate(KeyAlgorithm::kEccP256));
  auto r = CertifyAndVerify(restricted.public_area(), restricted.public_area());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().reason, "identity.restricted");
}

TEST_F(CertifyVerifierTest, RejectsKeyThatIsNotFixedTpm) {
  TPM2B_PUBLIC tmpl = IdentityKeyTemplate(KeyAlgorithm::kEccP256);
  tmpl.publicArea.objectAttributes &= ~(TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT);
  SoftwareKey exportable = Key(tmpl);
  auto r = CertifyAndVerify(exportable.public_area(), exportable.public_area());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().reason, "identity.not_fixed_tpm");
}

TEST_F(CertifyVerifierTest, RejectsQuoteAttestAndWrongNonce) {
  SoftwareKey id = Key(IdentityKeyTemplate(KeyAlgorithm::kEccP256));
  auto quote = testing::QuoteAttest(nonce_, {});
  ASSERT_TRUE(quote.has_value());
  auto signed_quote = ak_.Sign(*quote);
  ASSERT_TRUE(signed_quote.has_value());
  auto r = VerifyCertify(ak_.public_area(), signed_quote->attest, signed_quote->signature,
                         id.public_area(), nonce_);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().reason, "certify.wrong_type");

  auto name = id.public_area().Name();
  ASSERT_TRUE(name.has_value());
  auto signed_attest = ak_.Sign(CertifyAttest(Bytes(32, 0), *name));
  ASSERT_TRUE(signed_attest.has_value());
  r = VerifyCertify(ak_.public_area(), signed_attest->attest, signed_attest->signature,
                    id.public_area(), nonce_);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().reason, "certify.nonce_mismatch");
}

}  // namespace
}  // namespace edgetrust::attestation
