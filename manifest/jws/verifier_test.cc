// ManifestVerifier against THREATS M2, M3, M4, M5, M8, M13, with an in-process test PKI:
// every rejection asserts its specific reason.
#include "manifest/jws/verifier.h"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "manifest/core/manifest_parser.h"
#include "manifest/jws/base64.h"
#include "manifest/jws/envelope.h"
#include "manifest/jws/sign.h"
#include "manifest/jws/testing/test_pki.h"

namespace edgetrust::manifest::jws {
namespace {

using json = nlohmann::json;
using testing::CertSpec;
using testing::TestPki;
using testing::TestSigner;

constexpr std::time_t kNow = 1790000000;  // 2026-09-21

class VerifierTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto p = TestPki::Create(kNow);
    ASSERT_TRUE(p.has_value()) << p.error().ToString();
    pki_ = new TestPki(std::move(*p));
    auto s = pki_->NewSigner(KeyType::kEcP256);
    ASSERT_TRUE(s.has_value()) << s.error().ToString();
    es256_ = new TestSigner(std::move(*s));
  }
  static void TearDownTestSuite() {
    delete es256_;
    delete pki_;
  }

  static TestSigner NewSigner(KeyType type, const CertSpec& spec = {}, int rsa_bits = 2048,
                              std::optional<certs::SignatureAlgorithm> alg = std::nullopt) {
    auto s = pki_->NewSigner(type, spec, rsa_bits, alg);
    EXPECT_TRUE(s.has_value()) << s.error().ToString();
    return std::move(*s);
  }

  static std::string Sign(const TestSigner& signer, const std::string& payload = Manifest()) {
    auto jws = SignManifest(AsBytes(payload), *signer.key.signer, signer.chain);
    EXPECT_TRUE(jws.has_value()) << jws.error().ToString();
    return jws.value_or("");
  }

  static std::string Manifest() { return testing::ValidManifestJson(); }

  static ManifestVerifier Verifier(TrustPolicy policy) {
    auto v = ManifestVerifier::Create(std::move(policy));
    EXPECT_TRUE(v.has_value()) << v.error().ToString();
    return std::move(*v);
  }

  static ManifestVerifier Verifier() { return Verifier(pki_->Policy()); }

  static void ExpectRejected(const Result<VerifiedManifest>& r, ErrorCode code,
                             const std::string& reason) {
    ASSERT_FALSE(r.has_value()) << "expected " << reason;
    EXPECT_EQ(r.error().reason, reason) << r.error().ToString();
    EXPECT_EQ(r.error().code, code) << r.error().ToString();
  }

  static void ExpectDenied(const Result<VerifiedManifest>& r, const std::string& reason) {
    ExpectRejected(r, ErrorCode::kPermissionDenied, reason);
  }

  static TestPki* pki_;
  static TestSigner* es256_;
};

TestPki* VerifierTest::pki_ = nullptr;
TestSigner* VerifierTest::es256_ = nullptr;

// Header builds the base64url protected header {"alg":alg,"x5c":chain}.
std::string Header(const std::string& alg, const std::vector<certs::Certificate>& chain,
                   json extra = json::object()) {
  json x5c = json::array();
  for (const auto& c : chain) x5c.push_back(internal::Base64StdEncode(c.der()));
  json h = {{"alg", alg}, {"x5c", x5c}};
  h.update(extra);
  return internal::Base64UrlEncode(AsBytes(h.dump()));
}

std::string B64(const Bytes& b) { return internal::Base64UrlEncode(b); }
std::string B64(const std::string& s) { return internal::Base64UrlEncode(AsBytes(s)); }

// Jws assembles a general JWS from base64url parts.
std::string Jws(const std::string& payload_b64,
                const std::vector<std::pair<std::string, std::string>>& sigs) {
  json list = json::array();
  for (const auto& [p, s] : sigs) list.push_back({{"protected", p}, {"signature", s}});
  return json{{"payload", payload_b64}, {"signatures", list}}.dump();
}

// SignRaw signs ASCII(protected '.' payload) with `signer` and returns the JWS signature
// (r||s for ECDSA), for hand-built headers.
std::string SignRaw(const TestSigner& signer, const std::string& protected_b64,
                    const std::string& payload_b64, JwsAlg alg) {
  auto sig = signer.key.signer->SignMessage(AsBytes(protected_b64 + "." + payload_b64));
  EXPECT_TRUE(sig.has_value());
  if (alg == JwsAlg::kEs256 || alg == JwsAlg::kEs384) {
    auto raw = internal::EcdsaDerToJose(*sig, alg);
    EXPECT_TRUE(raw.has_value());
    return B64(*raw);
  }
  return B64(*sig);
}

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

// ---- M4: algorithms and headers -------------------------------------------------------------

TEST_F(VerifierTest, M4AlgNoneRejected) {
  const std::string payload = B64(Manifest());
  ExpectDenied(Verifier().Verify(Jws(payload, {{Header("none", es256_->chain), ""}}), kNow),
               "jws.bad_alg");
}

TEST_F(VerifierTest, M4HmacAlgRejected) {
  // HS256 "keyed" with the public certificate: the classic algorithm-confusion attack.
  const std::string payload = B64(Manifest());
  const std::string header = Header("HS256", es256_->chain);
  auto mac = Hmac(HashAlgorithm::kSha256, es256_->chain[0].der(), AsBytes(header + "." + payload));
  ASSERT_TRUE(mac.has_value());
  ExpectDenied(Verifier().Verify(Jws(payload, {{header, B64(*mac)}}), kNow), "jws.bad_alg");
  for (const char* alg : {"HS384", "HS512", "ES512", "PS384", "RS512", "EdDSA", "es256"}) {
    ExpectDenied(Verifier().Verify(Jws(payload, {{Header(alg, es256_->chain), "AAAA"}}), kNow),
                 "jws.bad_alg");
  }
}

TEST_F(VerifierTest, M4AlgNotMatchingTheKeyRejected) {
  const std::string payload = B64(Manifest());
  TestSigner rsa = NewSigner(KeyType::kRsa);
  TestSigner p384 = NewSigner(KeyType::kEcP384);
  struct Case {
    const TestSigner* signer;
    std::string alg;
  };
  for (const Case& c : {Case{es256_, "ES384"}, Case{es256_, "PS256"}, Case{es256_, "RS256"},
                        Case{&p384, "ES256"}, Case{&rsa, "ES256"}, Case{&rsa, "ES384"}}) {
    const std::string header = Header(c.alg, c.signer->chain);
    // A genuine signature by the key, so only the alg/key mismatch can be the reason.
    auto sig = c.signer->key.signer->SignMessage(AsBytes(header + "." + payload));
    ASSERT_TRUE(sig.has_value());
    ExpectDenied(Verifier().Verify(Jws(payload, {{header, B64(*sig)}}), kNow), "jws.bad_alg");
  }
}

TEST_F(VerifierTest, M4PssSignatureUnderRs256HeaderRejected) {
  // alg is one of the key's two RSA algorithms, but the signature is of the other kind.
  TestSigner rsa = NewSigner(KeyType::kRsa);  // signs PS256
  const std::string payload = B64(Manifest());
  const std::string header = Header("RS256", rsa.chain);
  ExpectDenied(Verifier().Verify(
                   Jws(payload, {{header, SignRaw(rsa, header, payload, JwsAlg::kPs256)}}), kNow),
               "jws.bad_signature");
}

TEST_F(VerifierTest, M4CritRejected) {
  const std::string payload = B64(Manifest());
  for (const json& crit : {json::array({"exp"}), json::array({"b64"}), json::array()}) {
    json extra = {{"crit", crit}};
    if (crit.size() == 1) extra[crit[0].get<std::string>()] = false;
    const std::string header = Header("ES256", es256_->chain, extra);
    ExpectDenied(
        Verifier().Verify(
            Jws(payload, {{header, SignRaw(*es256_, header, payload, JwsAlg::kEs256)}}), kNow),
        "jws.unknown_crit");
  }
}

TEST_F(VerifierTest, M4ZeroSignaturesRejected) {
  ExpectRejected(Verifier().Verify(Jws(B64(Manifest()), {}), kNow), ErrorCode::kInvalidArgument,
                 "jws.no_signatures");
  ExpectRejected(Verifier().Verify(json{{"payload", B64(Manifest())}}.dump(), kNow),
                 ErrorCode::kInvalidArgument, "jws.no_signatures");
}

TEST_F(VerifierTest, M4UnprotectedHeaderRejected) {
  json doc = json::parse(Sign(*es256_));
  doc["signatures"][0]["header"] = {{"alg", "none"}};
  ExpectRejected(Verifier().Verify(doc.dump(), kNow), ErrorCode::kInvalidArgument, "jws.malformed");
  doc["signatures"][0]["header"] = {{"x5c", json::array()}};
  ExpectRejected(Verifier().Verify(doc.dump(), kNow), ErrorCode::kInvalidArgument, "jws.malformed");
  doc["signatures"][0]["header"] = json::object();
  EXPECT_TRUE(Verifier().Verify(doc.dump(), kNow).has_value());
}

// ---- M5: malformed ECDSA signatures ---------------------------------------------------------

Bytes Order(int nid) {
  EC_GROUP* g = EC_GROUP_new_by_curve_name(nid);
  const BIGNUM* n = EC_GROUP_get0_order(g);
  Bytes out(static_cast<size_t>(BN_num_bytes(n)));
  BN_bn2bin(n, out.data());
  EC_GROUP_free(g);
  return out;
}

TEST_F(VerifierTest, M5MalformedEcdsaSignaturesRejected) {
  json good = json::parse(Sign(*es256_));
  auto raw = internal::Base64UrlDecode(good["signatures"][0]["signature"].get<std::string>());
  ASSERT_TRUE(raw.has_value());
  ASSERT_EQ(raw->size(), 64u);
  const Bytes n = Order(NID_X9_62_prime256v1);
  const Bytes r(raw->begin(), raw->begin() + 32);
  const Bytes s(raw->begin() + 32, raw->end());
  Bytes s_plus_n(32);  // s + n mod 2^256 may wrap; use n itself and all-ones too
  Bytes ones(32, 0xff);
  auto der = internal::EcdsaJoseToDer(*raw, JwsAlg::kEs256);
  ASSERT_TRUE(der.has_value());
  struct Case {
    std::string label;
    Bytes sig;
  };
  const std::vector<Case> cases = {
      {"empty", {}},
      {"63 bytes", Bytes(raw->begin(), raw->end() - 1)},
      {"65 bytes", Concat({*raw, Bytes{0}})},
      {"96 bytes (ES384 size)", Concat({*raw, Bytes(32, 1)})},
      {"all zero", Bytes(64, 0)},
      {"r zero", Concat({Bytes(32, 0), s})},
      {"s zero", Concat({r, Bytes(32, 0)})},
      {"r = n", Concat({n, s})},
      {"s = n", Concat({r, n})},
      {"r all ones", Concat({ones, s})},
      {"s all ones", Concat({r, ones})},
      {"DER instead of r||s", *der},
  };
  for (const Case& c : cases) {
    json doc = good;
    doc["signatures"][0]["signature"] = B64(c.sig);
    auto result = Verifier().Verify(doc.dump(), kNow);
    ASSERT_FALSE(result.has_value()) << c.label;
    EXPECT_EQ(result.error().reason, "jws.bad_signature") << c.label;
    EXPECT_EQ(result.error().code, ErrorCode::kPermissionDenied) << c.label;
  }
}

TEST_F(VerifierTest, M5EcdsaRangeChecksAtTheBoundary) {
  const Bytes n = Order(NID_secp384r1);
  Bytes n_minus_1 = n;
  n_minus_1.back() = static_cast<uint8_t>(n_minus_1.back() - 1);  // n is odd: no borrow
  Bytes one(48, 0);
  one.back() = 1;
  // 1 and n - 1 are in range (the conversion succeeds; the signature is then simply wrong).
  EXPECT_TRUE(internal::EcdsaJoseToDer(Concat({one, n_minus_1}), JwsAlg::kEs384).has_value());
  EXPECT_EQ(internal::EcdsaJoseToDer(Concat({n, one}), JwsAlg::kEs384).error().reason,
            "jws.bad_signature");
  EXPECT_EQ(internal::EcdsaJoseToDer(Concat({one, n}), JwsAlg::kEs384).error().reason,
            "jws.bad_signature");
}

TEST_F(VerifierTest, M5BitFlippedSignatureRejected) {
  for (KeyType type : {KeyType::kEcP256, KeyType::kRsa}) {
    json doc = json::parse(Sign(type == KeyType::kEcP256 ? *es256_ : NewSigner(type)));
    auto sig = internal::Base64UrlDecode(doc["signatures"][0]["signature"].get<std::string>());
    ASSERT_TRUE(sig.has_value());
    (*sig)[sig->size() / 2] ^= 0x01;
    doc["signatures"][0]["signature"] = B64(*sig);
    ExpectDenied(Verifier().Verify(doc.dump(), kNow), "jws.bad_signature");
  }
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

// ---- M13: bounded, before any cryptography --------------------------------------------------

TEST_F(VerifierTest, M13TooManySignaturesRejectedBeforeCrypto) {
  // Nine copies of junk: the count is refused before anything is decoded or verified.
  std::vector<std::pair<std::string, std::string>> sigs(9, {"!!", "!!"});
  ExpectRejected(Verifier().Verify(Jws(B64(Manifest()), sigs), kNow), ErrorCode::kInvalidArgument,
                 "jws.too_many_signatures");
}

TEST_F(VerifierTest, M13OversizedInputsRejected) {
  ExpectRejected(Verifier().Verify(std::string(kMaxJwsSize + 1, ' '), kNow),
                 ErrorCode::kInvalidArgument, "jws.too_large");
  // A payload over the manifest limit, inside an envelope under the JWS limit.
  const std::string big(manifest::kMaxManifestSize + 1, ' ');
  ExpectRejected(Verifier().Verify(Jws(B64(big), {{Header("ES256", es256_->chain), "AA"}}), kNow),
                 ErrorCode::kInvalidArgument, "jws.too_large");
}

TEST_F(VerifierTest, M13TooManyCertificatesRejected) {
  std::vector<certs::Certificate> chain(5, pki_->intermediate);
  chain[0] = es256_->chain[0];
  ExpectRejected(Verifier().Verify(Jws(B64(Manifest()), {{Header("ES256", chain), "AA"}}), kNow),
                 ErrorCode::kInvalidArgument, "jws.malformed");
}

TEST_F(VerifierTest, M13DeepNestingRejected) {
  std::string deep =
      R"({"payload":"e30","signatures":[{"protected":"e30","signature":"AA","header":)";
  for (int i = 0; i < 20; ++i) deep += R"({"a":)";
  deep += "1";
  for (int i = 0; i < 20; ++i) deep += "}";
  deep += "}]}";
  ExpectRejected(Verifier().Verify(deep, kNow), ErrorCode::kInvalidArgument, "jws.malformed");
}

TEST_F(VerifierTest, MalformedManifestRejectedBeforeSignatureCrypto) {
  // The signature is junk: a manifest error (not jws.bad_signature) proves the parser ran first.
  const std::string header = Header("ES256", es256_->chain);
  auto r = Verifier().Verify(Jws(B64(R"({"schemaVersion":"1.0"})"), {{header, B64(Bytes(64, 1))}}),
                             kNow);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(r.error().reason.starts_with("manifest.")) << r.error().ToString();
  // Duplicate keys inside the payload are the parser's to refuse (M9), also before crypto.
  std::string dup = Manifest();
  dup.insert(1, R"("version":1,)");
  auto r2 = Verifier().Verify(Jws(B64(dup), {{header, B64(Bytes(64, 1))}}), kNow);
  ASSERT_FALSE(r2.has_value());
  EXPECT_TRUE(r2.error().reason.starts_with("manifest.")) << r2.error().ToString();
}

TEST_F(VerifierTest, X5cThatIsNotACertificateRejected) {
  const std::string header = internal::Base64UrlEncode(AsBytes(
      json{{"alg", "ES256"}, {"x5c", {internal::Base64StdEncode(ToBytes("junk"))}}}.dump()));
  ExpectRejected(Verifier().Verify(Jws(B64(Manifest()), {{header, "AA"}}), kNow),
                 ErrorCode::kInvalidArgument, "jws.malformed");
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
