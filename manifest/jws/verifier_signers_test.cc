// ManifestVerifier k of n (distinct signer keys, each counted once; one untrusted signature
// rejects the whole) and THREATS M8 (parts of two signed deployments combined).
#include <string>

#include "manifest/jws/verifier_test_fixture.h"

namespace edgetrust::manifest::jws {
namespace {

// ---- k of n ---------------------------------------------------------------------------------

TEST_F(VerifierTest, TwoOfThreeDistinctSignersVerify) {
  TestSigner b = NewSigner(KeyType::kEcP384);
  TestSigner c = NewSigner(KeyType::kRsa);
  TrustPolicy policy = pki_->Policy();
  policy.min_signers = 2;
  auto jws = AddSignature(Sign(*es256_), *b.key.signer, b.chain);
  ASSERT_TRUE(jws.has_value()) << jws.error().ToString();
  auto r = Verifier(policy).Verify(*jws, kNow);
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->signers.size(), 2u);
  // One of three is not enough.
  ExpectDenied(Verifier(policy).Verify(Sign(c), kNow), "jws.not_enough_signers");
  // All three is fine too.
  auto all = AddSignature(*jws, *c.key.signer, c.chain);
  ASSERT_TRUE(all.has_value());
  policy.min_signers = 3;
  EXPECT_TRUE(Verifier(policy).Verify(*all, kNow).has_value());
}

TEST_F(VerifierTest, SameKeySigningTwiceCountsOnce) {
  TrustPolicy policy = pki_->Policy();
  policy.min_signers = 2;
  json one = json::parse(Sign(*es256_));
  json twice = one;
  twice["signatures"].push_back(one["signatures"][0]);
  ExpectDenied(Verifier(policy).Verify(twice.dump(), kNow), "jws.not_enough_signers");
  // A fresh signature by the same key (ECDSA is randomized) still counts once.
  json again = json::parse(Sign(*es256_));
  twice["signatures"][1] = again["signatures"][0];
  ExpectDenied(Verifier(policy).Verify(twice.dump(), kNow), "jws.not_enough_signers");
  policy.min_signers = 1;
  auto r = Verifier(policy).Verify(twice.dump(), kNow);
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->signers.size(), 1u);
}

TEST_F(VerifierTest, SameKeyUnderTwoCertificatesCountsOnce) {
  // The same key certified twice (two serials) is still one signer.
  auto second_leaf = testing::IssueCertificate(es256_->key.public_key(), {}, &pki_->intermediate,
                                               pki_->intermediate_key, kNow);
  ASSERT_TRUE(second_leaf.has_value());
  TestSigner alias{es256_->key, {*second_leaf, pki_->intermediate}};
  std::string jws = Sign(*es256_);
  json doc = json::parse(jws);
  json other = json::parse(Sign(alias));
  doc["signatures"].push_back(other["signatures"][0]);
  TrustPolicy policy = pki_->Policy();
  policy.min_signers = 2;
  ExpectDenied(Verifier(policy).Verify(doc.dump(), kNow), "jws.not_enough_signers");
}

TEST_F(VerifierTest, OneUntrustedSignatureRejectsTheWhole) {
  auto other = TestPki::Create(kNow);
  ASSERT_TRUE(other.has_value());
  auto stranger = other->NewSigner(KeyType::kEcP256);
  ASSERT_TRUE(stranger.has_value());
  auto jws = AddSignature(Sign(*es256_), *stranger->key.signer, stranger->chain);
  ASSERT_TRUE(jws.has_value());
  ExpectDenied(Verifier().Verify(*jws, kNow), "jws.untrusted_chain");
}

// ---- M8: mix and match ----------------------------------------------------------------------

TEST_F(VerifierTest, M8SignatureFromAnotherDeploymentRejected) {
  TestSigner b = NewSigner(KeyType::kEcP256);
  json a = json::parse(Sign(*es256_, testing::ValidManifestJson(41, "fleet-a")));
  json other = json::parse(Sign(b, testing::ValidManifestJson(42, "fleet-b")));
  // Payload of B under the signature of A.
  json swapped = a;
  swapped["payload"] = other["payload"];
  ExpectDenied(Verifier().Verify(swapped.dump(), kNow), "jws.bad_signature");
  // A's signature plus B's signature (over B's payload) appended: the whole JWS is refused,
  // even for a policy that A alone would satisfy.
  json mixed = a;
  mixed["signatures"].push_back(other["signatures"][0]);
  ExpectDenied(Verifier().Verify(mixed.dump(), kNow), "jws.bad_signature");
  // Protected header of one, signature of the other.
  json spliced = a;
  spliced["signatures"][0]["protected"] = other["signatures"][0]["protected"];
  ExpectDenied(Verifier().Verify(spliced.dump(), kNow), "jws.bad_signature");
}

TEST_F(VerifierTest, M8PayloadEditedAfterSigningRejected) {
  json doc = json::parse(Sign(*es256_));
  std::string edited = Manifest();
  edited.replace(edited.find("\"version\":42"), 12, "\"version\":99");
  doc["payload"] = B64(edited);
  ExpectDenied(Verifier().Verify(doc.dump(), kNow), "jws.bad_signature");
}

}  // namespace
}  // namespace edgetrust::manifest::jws
