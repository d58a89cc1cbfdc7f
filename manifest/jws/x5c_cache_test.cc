// X5cCache and the verifier's re-use of a passed chain check: the cache may only skip work
// whose result cannot differ, so every test here asserts the same outcome as a fresh check.
#include "manifest/jws/x5c_cache.h"

#include <gtest/gtest.h>

#include "manifest/jws/verifier_test_fixture.h"

namespace edgetrust::manifest::jws {
namespace {

using internal::SignerChain;
using internal::X5cCache;

std::shared_ptr<const SignerChain> Entry(const TestSigner& signer) {
  std::vector<Bytes> x5c;
  for (const auto& c : signer.chain) x5c.push_back(c.der());
  auto made = internal::MakeSignerChain(x5c);
  EXPECT_TRUE(made.has_value());
  return std::make_shared<const SignerChain>(std::move(*made));
}

class X5cCacheTest : public VerifierTest {};

TEST_F(X5cCacheTest, ACachedChainStillExpiresAtNotAfterAndBeforeNotBefore) {
  CertSpec spec;
  spec.not_before = kNow - 100;
  spec.not_after = kNow + 100;
  const std::string jws = Sign(NewSigner(KeyType::kEcP256, spec));
  ManifestVerifier verifier = Verifier();
  ASSERT_TRUE(verifier.Verify(jws, kNow).has_value());  // cached from here on
  EXPECT_TRUE(verifier.Verify(jws, kNow + 99).has_value());
  ExpectDenied(verifier.Verify(jws, kNow + 100), "jws.signer_expired");  // notAfter <= now
  EXPECT_TRUE(verifier.Verify(jws, kNow - 100).has_value());             // notBefore <= now
  ExpectDenied(verifier.Verify(jws, kNow - 101), "jws.signer_expired");
}

TEST_F(X5cCacheTest, ACachedChainExpiresWithItsIssuersAndRoot) {
  // A leaf that outlives the intermediate and the pinned root (both end at now + 30 days).
  CertSpec spec;
  spec.not_after = kNow + 60 * 86400;
  TestSigner signer = NewSigner(KeyType::kEcP256, spec);
  ASSERT_GT(signer.chain[0].not_after(), pki_->intermediate.not_after());
  ManifestVerifier verifier = Verifier();
  const std::string jws = Sign(signer);
  ASSERT_TRUE(verifier.Verify(jws, kNow).has_value());
  ExpectDenied(verifier.Verify(jws, pki_->intermediate.not_after()), "jws.signer_expired");
  ExpectDenied(verifier.Verify(jws, pki_->root.not_after()), "jws.signer_expired");
  EXPECT_TRUE(verifier.Verify(jws, kNow + 86400).has_value());
}

TEST_F(X5cCacheTest, ACachedChainHonoursEveryCrlWindow) {
  auto crl =
      testing::MakeCrl(pki_->intermediate, pki_->intermediate_key, {}, kNow - 60, kNow + 3600);
  ASSERT_TRUE(crl.has_value());
  TrustPolicy policy = pki_->Policy();
  policy.crls = {*crl};
  ManifestVerifier verifier = Verifier(policy);
  const std::string jws = Sign(*es256_);
  ASSERT_TRUE(verifier.Verify(jws, kNow).has_value());
  EXPECT_TRUE(verifier.Verify(jws, kNow + 3599).has_value());
  ExpectDenied(verifier.Verify(jws, kNow + 3600), "jws.crl_stale");  // nextUpdate <= now
  EXPECT_TRUE(verifier.Verify(jws, kNow - 60).has_value());
  ExpectDenied(verifier.Verify(jws, kNow - 61), "jws.crl_stale");  // thisUpdate > now
}

TEST_F(X5cCacheTest, ACachedChainNeverSkipsTheSignature) {
  ManifestVerifier verifier = Verifier();
  const std::string jws = Sign(*es256_);
  ASSERT_TRUE(verifier.Verify(jws, kNow).has_value());
  json doc = json::parse(jws);
  const std::string payload_b64 = B64(testing::ValidManifestJson(43));
  const std::string header = doc["signatures"][0]["protected"];
  const std::string other = Jws(payload_b64, {{header, doc["signatures"][0]["signature"]}});
  ExpectDenied(verifier.Verify(other, kNow), "jws.bad_signature");
}

TEST_F(X5cCacheTest, ATrustedX5cDoesNotVouchForAShorterOne) {
  ManifestVerifier verifier = Verifier();
  ASSERT_TRUE(verifier.Verify(Sign(*es256_), kNow).has_value());  // x5c = [leaf, intermediate]
  ExpectDenied(verifier.Verify(Sign(TestSigner{es256_->key, {es256_->chain[0]}}), kNow),
               "jws.untrusted_chain");
}

TEST_F(X5cCacheTest, DistinctX5cBytesNeverShareAnEntry) {
  X5cCache cache;
  const Bytes leaf = es256_->chain[0].der();
  const Bytes inter = es256_->chain[1].der();
  cache.Put({leaf, inter}, Entry(*es256_));
  EXPECT_NE(cache.Find({leaf, inter}), nullptr);
  EXPECT_EQ(cache.Find({leaf}), nullptr);
  EXPECT_EQ(cache.Find({inter, leaf}), nullptr);
  EXPECT_EQ(cache.Find({leaf, inter, inter}), nullptr);
  Bytes flipped = inter;
  flipped.back() ^= 1;
  EXPECT_EQ(cache.Find({leaf, flipped}), nullptr);
  Bytes joined = leaf;  // the same bytes split differently
  joined.insert(joined.end(), inter.begin(), inter.end());
  EXPECT_EQ(cache.Find({joined}), nullptr);
  EXPECT_EQ(cache.size(), 1u);
}

TEST_F(X5cCacheTest, BoundedLeastRecentlyUsedFirst) {
  X5cCache cache(2);
  const Bytes a{1}, b{2}, c{3};
  auto entry = Entry(*es256_);
  cache.Put({a}, entry);
  cache.Put({b}, entry);
  ASSERT_NE(cache.Find({a}), nullptr);  // a is now the most recently used
  cache.Put({c}, entry);
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_NE(cache.Find({a}), nullptr);
  EXPECT_EQ(cache.Find({b}), nullptr);
  EXPECT_NE(cache.Find({c}), nullptr);
  cache.Put({c}, entry);  // replacing does not grow it
  EXPECT_EQ(cache.size(), 2u);
  X5cCache none(0);
  none.Put({a}, entry);
  EXPECT_EQ(none.Find({a}), nullptr);
}

TEST_F(X5cCacheTest, SpkiSha256IsTheKeyFingerprint) {
  for (KeyType type : {KeyType::kEcP256, KeyType::kEcP384, KeyType::kRsa}) {
    TestSigner signer = NewSigner(type);
    auto key = signer.chain[0].public_key();
    ASSERT_TRUE(key.has_value());
    EXPECT_EQ(internal::SpkiSha256(signer.chain[0], *key), key->Fingerprint());
    EXPECT_EQ(Entry(signer)->spki_sha256, key->Fingerprint());
  }
}

TEST_F(X5cCacheTest, MakeSignerChainRefusesWhatIsNotOneCertificate) {
  Bytes trailing = es256_->chain[0].der();
  trailing.push_back(0);
  for (const Bytes& der : {Bytes{0x30, 0x00}, trailing}) {
    auto made = internal::MakeSignerChain({der});
    ASSERT_FALSE(made.has_value());
    EXPECT_EQ(made.error().reason, "jws.malformed");
  }
}

}  // namespace
}  // namespace edgetrust::manifest::jws
