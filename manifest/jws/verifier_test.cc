// ManifestVerifier happy paths (every JWS algorithm, both JSON serializations, the exact signed
// bytes) and TrustPolicy checks. The threats have their own files (verifier_test_fixture.h).
#include "manifest/jws/verifier.h"

#include <string>

#include "common/crypto.h"
#include "manifest/jws/envelope.h"
#include "manifest/jws/verifier_test_fixture.h"

namespace edgetrust::manifest::jws {
namespace {

// ---- Happy paths ----------------------------------------------------------------------------

void ExpectVerified(const Result<VerifiedManifest>& r, const std::string& payload,
                    const std::string& alg_name) {
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->payload, ToBytes(payload));
  EXPECT_EQ(r->payload_sha256, *Digest(HashAlgorithm::kSha256, AsBytes(payload)));
  EXPECT_EQ(r->manifest.version, 42u);
  ASSERT_EQ(r->signers.size(), 1u);
  EXPECT_EQ(JwsAlgName(r->signers[0].alg), alg_name);
  EXPECT_EQ(r->signers[0].subject, "CN=manifest signer");
  EXPECT_EQ(r->signers[0].spki_sha256.size(), 64u);
  EXPECT_FALSE(r->signers[0].serial.empty());
}

TEST_F(VerifierTest, Es256Verifies) {
  ExpectVerified(Verifier().Verify(Sign(*es256_), kNow), Manifest(), "ES256");
  EXPECT_EQ(Verifier().Verify(Sign(*es256_), kNow)->signers[0].spki_sha256,
            es256_->key.public_key().Fingerprint());
}

TEST_F(VerifierTest, Es384Verifies) {
  ExpectVerified(Verifier().Verify(Sign(NewSigner(KeyType::kEcP384)), kNow), Manifest(), "ES384");
}

TEST_F(VerifierTest, Ps256Verifies) {
  ExpectVerified(Verifier().Verify(Sign(NewSigner(KeyType::kRsa)), kNow), Manifest(), "PS256");
}

TEST_F(VerifierTest, Rs256Verifies) {
  auto signer = NewSigner(KeyType::kRsa, {}, 2048, certs::SignatureAlgorithm::kRsaPkcs1Sha256);
  ExpectVerified(Verifier().Verify(Sign(signer), kNow), Manifest(), "RS256");
}

TEST_F(VerifierTest, FlattenedSerializationVerifies) {
  json general = json::parse(Sign(*es256_));
  json flat = {{"payload", general["payload"]},
               {"protected", general["signatures"][0]["protected"]},
               {"header", json::object()},
               {"signature", general["signatures"][0]["signature"]}};
  ExpectVerified(Verifier().Verify(flat.dump(), kNow), Manifest(), "ES256");
}

TEST_F(VerifierTest, RootInX5cIsAccepted) {
  // Carrying the pinned root itself in x5c is harmless: it is matched against the pin.
  TestSigner s = *es256_;
  s.chain.push_back(pki_->root);
  ExpectVerified(Verifier().Verify(Sign(s), kNow), Manifest(), "ES256");
}

TEST_F(VerifierTest, PayloadBytesAreExactlyTheSignedBytes) {
  // Whitespace and member order are the signer's: verified and parsed as sent, no re-encoding.
  std::string spaced = " " + Manifest() + "\n";
  auto r = Verifier().Verify(Sign(*es256_, spaced), kNow);
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->payload, ToBytes(spaced));
}

// ---- Policy ---------------------------------------------------------------------------------

TEST_F(VerifierTest, PolicyIsChecked) {
  auto expect = [](TrustPolicy policy, const std::string& reason) {
    auto v = ManifestVerifier::Create(std::move(policy));
    ASSERT_FALSE(v.has_value()) << reason;
    EXPECT_EQ(v.error().reason, reason);
    EXPECT_EQ(v.error().code, ErrorCode::kInvalidArgument);
  };
  expect(TrustPolicy{}, "policy.bad_root");
  TrustPolicy leaf_as_root = pki_->Policy();
  leaf_as_root.roots = {es256_->chain[0]};
  expect(leaf_as_root, "policy.bad_root");
  TrustPolicy intermediate_as_root = pki_->Policy();
  intermediate_as_root.roots = {pki_->intermediate};
  expect(intermediate_as_root, "policy.bad_root");
  for (const char* eku : {"", "codeSigning", "1.2.x", "1..2"}) {
    TrustPolicy p = pki_->Policy();
    p.signer_eku = eku;
    expect(p, "policy.bad_eku");
  }
  for (size_t k : {size_t{0}, kMaxSignatures + 1}) {
    TrustPolicy p = pki_->Policy();
    p.min_signers = k;
    expect(p, "policy.bad_min_signers");
  }
  TrustPolicy bad_crl = pki_->Policy();
  bad_crl.crls = {ToBytes("not a crl")};
  expect(bad_crl, "policy.bad_crl");
  auto pem = pki_->root.ToPem();
  ASSERT_TRUE(pem.has_value());
  auto roots = RootsFromPem(*pem);
  ASSERT_TRUE(roots.has_value());
  EXPECT_EQ(roots->size(), 1u);
  EXPECT_EQ(RootsFromPem("nothing").error().reason, "policy.bad_root");
}

}  // namespace
}  // namespace edgetrust::manifest::jws
