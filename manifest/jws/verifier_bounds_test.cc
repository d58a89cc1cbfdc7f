// ManifestVerifier against THREATS M13: oversized input, too many signatures or certificates,
// deep nesting and malformed manifests are refused before any cryptography.
#include <string>
#include <utility>
#include <vector>

#include "manifest/core/manifest_parser.h"
#include "manifest/jws/envelope.h"
#include "manifest/jws/verifier_test_fixture.h"

namespace edgetrust::manifest::jws {
namespace {

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

}  // namespace
}  // namespace edgetrust::manifest::jws
