// ManifestVerifier against THREATS M2 (a signer that does not chain to a pinned root) and M3
// (signer profile, expiry, revocation): every rejection asserts its specific reason.
#include <string>
#include <vector>

#include "manifest/jws/verifier_test_fixture.h"

namespace edgetrust::manifest::jws {
namespace {

// ---- M2: chain to a pinned root -------------------------------------------------------------

TEST_F(VerifierTest, M2SelfMadeCertificateRejected) {
  auto key = testing::GenerateKey(KeyType::kEcP256);
  ASSERT_TRUE(key.has_value());
  auto self = testing::IssueCertificate(key->public_key(), {}, nullptr, *key, kNow);
  ASSERT_TRUE(self.has_value());
  ExpectDenied(Verifier().Verify(Sign(TestSigner{*key, {*self}}), kNow), "jws.untrusted_chain");
}

TEST_F(VerifierTest, M2ChainToAnotherRootRejected) {
  auto other = TestPki::Create(kNow);
  ASSERT_TRUE(other.has_value());
  auto s = other->NewSigner(KeyType::kEcP256);
  ASSERT_TRUE(s.has_value());
  ExpectDenied(Verifier().Verify(Sign(*s), kNow), "jws.untrusted_chain");
  // Shipping the other root in x5c does not make it an anchor.
  s->chain.push_back(other->root);
  ExpectDenied(Verifier().Verify(Sign(*s), kNow), "jws.untrusted_chain");
}

TEST_F(VerifierTest, M2ImpostorRootWithThePinnedNameRejected) {
  // An attacker's root and intermediate with exactly the pinned names, shipped in x5c.
  auto root_key = testing::GenerateKey(KeyType::kEcP256);
  ASSERT_TRUE(root_key.has_value());
  auto root = testing::IssueCertificate(root_key->public_key(), testing::CaSpec("manifest root"),
                                        nullptr, *root_key, kNow);
  ASSERT_TRUE(root.has_value());
  auto inter = testing::IssueCertificate(
      root_key->public_key(), testing::CaSpec("manifest intermediate"), &*root, *root_key, kNow);
  ASSERT_TRUE(inter.has_value());
  auto key = testing::GenerateKey(KeyType::kEcP256);
  ASSERT_TRUE(key.has_value());
  auto leaf = testing::IssueCertificate(key->public_key(), {}, &*inter, *root_key, kNow);
  ASSERT_TRUE(leaf.has_value());
  ExpectDenied(Verifier().Verify(Sign(TestSigner{*key, {*leaf, *inter, *root}}), kNow),
               "jws.untrusted_chain");
}

TEST_F(VerifierTest, M2MissingIntermediateRejected) {
  ExpectDenied(Verifier().Verify(Sign(TestSigner{es256_->key, {es256_->chain[0]}}), kNow),
               "jws.untrusted_chain");
}

TEST_F(VerifierTest, M2LeafIssuedByANonCaRejected) {
  // A signer certificate used as an issuer: the chain breaks at the non-CA.
  auto key = testing::GenerateKey(KeyType::kEcP256);
  ASSERT_TRUE(key.has_value());
  auto leaf =
      testing::IssueCertificate(key->public_key(), {}, &es256_->chain[0], es256_->key, kNow);
  ASSERT_TRUE(leaf.has_value());
  ExpectDenied(Verifier().Verify(
                   Sign(TestSigner{*key, {*leaf, es256_->chain[0], pki_->intermediate}}), kNow),
               "jws.untrusted_chain");
}

// ---- M3: signer profile, expiry, revocation -------------------------------------------------

TEST_F(VerifierTest, M3SignerThatIsACaRejected) {
  CertSpec spec;
  spec.basic_constraints = "critical,CA:TRUE";
  spec.key_usage = "critical,digitalSignature,keyCertSign";
  ExpectDenied(Verifier().Verify(Sign(NewSigner(KeyType::kEcP256, spec)), kNow),
               "jws.signer_profile");
}

TEST_F(VerifierTest, M3SignerWithoutBasicConstraintsAccepted) {
  CertSpec spec;
  spec.basic_constraints = "";
  EXPECT_TRUE(Verifier().Verify(Sign(NewSigner(KeyType::kEcP256, spec)), kNow).has_value());
}

TEST_F(VerifierTest, M3KeyUsageWithoutDigitalSignatureRejected) {
  CertSpec spec;
  spec.key_usage = "critical,keyEncipherment";
  ExpectDenied(Verifier().Verify(Sign(NewSigner(KeyType::kRsa, spec)), kNow), "jws.signer_profile");
}

TEST_F(VerifierTest, M3MissingKeyUsageRejected) {
  CertSpec spec;
  spec.key_usage = "";
  ExpectDenied(Verifier().Verify(Sign(NewSigner(KeyType::kEcP256, spec)), kNow),
               "jws.signer_profile");
}

TEST_F(VerifierTest, M3MissingOrWrongEkuRejected) {
  CertSpec none;
  none.eku = "";
  ExpectDenied(Verifier().Verify(Sign(NewSigner(KeyType::kEcP256, none)), kNow),
               "jws.signer_profile");
  CertSpec tls;
  tls.eku = "serverAuth,clientAuth";
  ExpectDenied(Verifier().Verify(Sign(NewSigner(KeyType::kEcP256, tls)), kNow),
               "jws.signer_profile");
  CertSpec any;
  any.eku = "anyExtendedKeyUsage";
  ExpectDenied(Verifier().Verify(Sign(NewSigner(KeyType::kEcP256, any)), kNow),
               "jws.signer_profile");
}

TEST_F(VerifierTest, M3ConfiguredEkuIsTheOneRequired) {
  TrustPolicy policy = pki_->Policy();
  policy.signer_eku = "1.3.6.1.4.1.55555.1.1";
  CertSpec custom;
  custom.eku = "1.3.6.1.4.1.55555.1.1";
  EXPECT_TRUE(Verifier(policy).Verify(Sign(NewSigner(KeyType::kEcP256, custom)), kNow).has_value());
  ExpectDenied(Verifier(policy).Verify(Sign(*es256_), kNow), "jws.signer_profile");
}

TEST_F(VerifierTest, M3WeakRsaKeyRejected) {
  ExpectDenied(Verifier().Verify(Sign(NewSigner(KeyType::kRsa, {}, 1024)), kNow),
               "jws.signer_profile");
}

TEST_F(VerifierTest, M3ExpiredSignerRejected) {
  CertSpec spec;
  spec.not_before = kNow - 86400 * 10;
  spec.not_after = kNow - 1;
  ExpectDenied(Verifier().Verify(Sign(NewSigner(KeyType::kEcP256, spec)), kNow),
               "jws.signer_expired");
  // The same manifest verifies at a time inside every certificate's validity.
  EXPECT_TRUE(Verifier().Verify(Sign(NewSigner(KeyType::kEcP256, spec)), kNow - 1800).has_value());
}

TEST_F(VerifierTest, M3NotYetValidSignerRejected) {
  CertSpec spec;
  spec.not_before = kNow + 3600;
  ExpectDenied(Verifier().Verify(Sign(NewSigner(KeyType::kEcP256, spec)), kNow),
               "jws.signer_expired");
}

TEST_F(VerifierTest, M3RevokedSignerRejected) {
  TestSigner victim = NewSigner(KeyType::kEcP256);
  auto crl = pki_->Crl({victim.chain[0]});
  ASSERT_TRUE(crl.has_value());
  TrustPolicy policy = pki_->Policy();
  policy.crls = {*crl};
  ExpectDenied(Verifier(policy).Verify(Sign(victim), kNow), "jws.signer_revoked");
  // Others, not on the CRL, still verify under the same policy.
  EXPECT_TRUE(Verifier(policy).Verify(Sign(*es256_), kNow).has_value());
}

TEST_F(VerifierTest, M3RevokedIntermediateRejected) {
  auto crl =
      testing::MakeCrl(pki_->root, pki_->root_key, {pki_->intermediate}, kNow - 60, kNow + 3600);
  ASSERT_TRUE(crl.has_value());
  TrustPolicy policy = pki_->Policy();
  policy.crls = {*crl};
  ExpectDenied(Verifier(policy).Verify(Sign(*es256_), kNow), "jws.signer_revoked");
}

TEST_F(VerifierTest, M3StaleCrlRejected) {
  auto crl =
      testing::MakeCrl(pki_->intermediate, pki_->intermediate_key, {}, kNow - 7200, kNow - 3600);
  ASSERT_TRUE(crl.has_value());
  TrustPolicy policy = pki_->Policy();
  policy.crls = {*crl};
  ExpectDenied(Verifier(policy).Verify(Sign(*es256_), kNow), "jws.crl_stale");
}

TEST_F(VerifierTest, M3CrlNotSignedByTheIssuerRejected) {
  // A CRL that names the intermediate but is signed by another key cannot speak for it.
  auto forged = testing::MakeCrl(pki_->intermediate, es256_->key, {}, kNow - 60, kNow + 3600);
  ASSERT_TRUE(forged.has_value());
  TrustPolicy policy = pki_->Policy();
  policy.crls = {*forged};
  ExpectDenied(Verifier(policy).Verify(Sign(*es256_), kNow), "jws.crl_invalid");
}

TEST_F(VerifierTest, M3CrlFileFormats) {
  TestSigner victim = NewSigner(KeyType::kEcP256);
  auto crl = pki_->Crl({victim.chain[0]});
  ASSERT_TRUE(crl.has_value());
  auto der = CrlsFromPemOrDer(*crl);
  ASSERT_TRUE(der.has_value()) << der.error().ToString();
  EXPECT_EQ(der->size(), 1u);
  std::string pem =
      "-----BEGIN X509 CRL-----\n" + internal::Base64StdEncode(*crl) + "\n-----END X509 CRL-----\n";
  // PEM lines must be wrapped at 64 characters.
  std::string wrapped;
  std::string body = internal::Base64StdEncode(*crl);
  for (size_t i = 0; i < body.size(); i += 64) wrapped += body.substr(i, 64) + "\n";
  pem = "-----BEGIN X509 CRL-----\n" + wrapped + "-----END X509 CRL-----\n";
  auto from_pem = CrlsFromPemOrDer(AsBytes(pem + pem));
  ASSERT_TRUE(from_pem.has_value()) << from_pem.error().ToString();
  EXPECT_EQ(from_pem->size(), 2u);
  EXPECT_EQ(from_pem->front(), *crl);
  EXPECT_EQ(CrlsFromPemOrDer(AsBytes(std::string("junk"))).error().reason, "policy.bad_crl");
}

}  // namespace
}  // namespace edgetrust::manifest::jws
