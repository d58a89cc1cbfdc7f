// The shared fixture of the ManifestVerifier tests (TEST ONLY), which are split by threat:
//   verifier_test.cc          happy paths (every algorithm, both serializations) and the policy
//   verifier_chain_test.cc    M2 (chain to a pinned root) and M3 (profile, expiry, revocation)
//   verifier_alg_test.cc      M4 (algorithms and headers) and M5 (malformed ECDSA signatures)
//   verifier_signers_test.cc  k of n and M8 (mix and match)
//   verifier_bounds_test.cc   M13 (bounded, before any cryptography)
// One in-process test PKI (root → intermediate → signers) per test binary, and helpers that
// hand-build JWS parts for the attacks. Every rejection asserts its specific reason.
#ifndef EDGETRUST_MANIFEST_JWS_VERIFIER_TEST_FIXTURE_H_
#define EDGETRUST_MANIFEST_JWS_VERIFIER_TEST_FIXTURE_H_

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "manifest/jws/base64.h"
#include "manifest/jws/sign.h"
#include "manifest/jws/testing/test_pki.h"
#include "manifest/jws/verifier.h"

namespace edgetrust::manifest::jws {

using json = nlohmann::json;
using testing::CertSpec;
using testing::TestPki;
using testing::TestSigner;

inline constexpr std::time_t kNow = 1790000000;  // 2026-09-21

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

  // Shared by every test of a binary (made once: key generation is the slow part).
  inline static TestPki* pki_ = nullptr;
  inline static TestSigner* es256_ = nullptr;
};

// Header builds the base64url protected header {"alg":alg,"x5c":chain}.
inline std::string Header(const std::string& alg, const std::vector<certs::Certificate>& chain,
                          json extra = json::object()) {
  json x5c = json::array();
  for (const auto& c : chain) x5c.push_back(internal::Base64StdEncode(c.der()));
  json h = {{"alg", alg}, {"x5c", x5c}};
  h.update(extra);
  return internal::Base64UrlEncode(AsBytes(h.dump()));
}

inline std::string B64(const Bytes& b) { return internal::Base64UrlEncode(b); }
inline std::string B64(const std::string& s) { return internal::Base64UrlEncode(AsBytes(s)); }

// Jws assembles a general JWS from base64url parts.
inline std::string Jws(const std::string& payload_b64,
                       const std::vector<std::pair<std::string, std::string>>& sigs) {
  json list = json::array();
  for (const auto& [p, s] : sigs) list.push_back({{"protected", p}, {"signature", s}});
  return json{{"payload", payload_b64}, {"signatures", list}}.dump();
}

// SignRaw signs ASCII(protected '.' payload) with `signer` and returns the JWS signature
// (r||s for ECDSA), for hand-built headers.
inline std::string SignRaw(const TestSigner& signer, const std::string& protected_b64,
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

}  // namespace edgetrust::manifest::jws

#endif  // EDGETRUST_MANIFEST_JWS_VERIFIER_TEST_FIXTURE_H_
