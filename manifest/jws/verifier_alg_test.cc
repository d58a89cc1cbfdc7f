// ManifestVerifier against THREATS M4 (alg none, HMAC, alg not matching the key, crit, zero
// signatures, unprotected headers) and M5 (malformed ECDSA signatures).
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>

#include <string>
#include <vector>

#include "common/crypto.h"
#include "manifest/jws/verifier_test_fixture.h"

namespace edgetrust::manifest::jws {
namespace {

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

}  // namespace
}  // namespace edgetrust::manifest::jws
