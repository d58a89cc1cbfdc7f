#include "manifest/jws/verifier.h"

#include <set>

#include "certs/certificate.h"
#include "common/crypto.h"
#include "manifest/core/manifest_parser.h"
#include "manifest/jws/envelope.h"
#include "manifest/jws/signer_trust.h"

namespace edgetrust::manifest::jws {
namespace {

// Signed is one signature with its parsed certificates, ready for cryptography.
struct Signed {
  const JwsSignature* jws;
  std::vector<certs::Certificate> chain;  // leaf first
  PublicKey key;
};

Result<Signed> PrepareSignature(const JwsSignature& s) {
  std::vector<certs::Certificate> chain;
  for (const Bytes& der : s.header.x5c) {
    auto cert = certs::Certificate::FromDer(der);
    if (!cert) {
      return Fail(ErrorCode::kInvalidArgument, "jws.malformed",
                  "an x5c entry is not one DER certificate");
    }
    chain.push_back(std::move(*cert));
  }
  auto key = chain.front().public_key();
  if (!key) {
    return Fail(ErrorCode::kPermissionDenied, "jws.signer_profile",
                "the signer certificate's key is weak or unsupported: " + key.error().message);
  }
  if (auto fits = CheckJwsAlgFitsKey(s.header.alg, *key); !fits) return Fail(fits.error());
  return Signed{&s, std::move(chain), std::move(*key)};
}

Status VerifySignature(const JwsEnvelope& envelope, const Signed& s) {
  const JwsAlg alg = s.jws->header.alg;
  Bytes signature = s.jws->signature;
  SignatureScheme scheme = SignatureScheme::kRsaPkcs1;
  switch (alg) {
    case JwsAlg::kEs256:
    case JwsAlg::kEs384: {
      auto der = internal::EcdsaJoseToDer(signature, alg);
      if (!der) return Fail(der.error());
      signature = std::move(*der);
      scheme = SignatureScheme::kEcdsaDer;
      break;
    }
    case JwsAlg::kPs256:
      scheme = SignatureScheme::kRsaPss;
      break;
    case JwsAlg::kRs256:
      scheme = SignatureScheme::kRsaPkcs1;
      break;
  }
  const std::string input = SigningInput(envelope, *s.jws);
  auto verified = s.key.Verify(scheme, JwsAlgHash(alg), AsBytes(input), signature);
  if (!verified) {
    if (verified.error().code == ErrorCode::kInternal) return Fail(verified.error());
    return Fail(ErrorCode::kPermissionDenied, "jws.bad_signature",
                "a signature does not verify with its signer certificate's key");
  }
  return Ok();
}

}  // namespace

Result<ManifestVerifier> ManifestVerifier::Create(TrustPolicy policy) {
  auto trust = internal::SignerTrust::Create(policy);
  if (!trust) return Fail(trust.error());
  return ManifestVerifier(std::make_shared<const internal::SignerTrust>(std::move(*trust)));
}

Result<VerifiedManifest> ManifestVerifier::Verify(std::string_view jws_json,
                                                  std::time_t now) const {
  auto envelope = ParseJwsEnvelope(jws_json);
  if (!envelope) return Fail(envelope.error());
  std::vector<Signed> prepared;
  prepared.reserve(envelope->signatures.size());
  for (const JwsSignature& s : envelope->signatures) {
    auto p = PrepareSignature(s);
    if (!p) return Fail(p.error());
    prepared.push_back(std::move(*p));
  }
  auto manifest = ParseManifest(envelope->payload);
  if (!manifest) return Fail(manifest.error());

  for (const Signed& s : prepared) {
    if (auto ok = VerifySignature(*envelope, s); !ok) return Fail(ok.error());
  }
  std::vector<SignerInfo> signers;
  std::set<std::string> distinct;
  for (const Signed& s : prepared) {
    const std::span<const certs::Certificate> intermediates(s.chain.begin() + 1, s.chain.end());
    if (auto ok = trust_->CheckSigner(s.chain.front(), intermediates, now); !ok) {
      return Fail(ok.error());
    }
    std::string spki = s.key.Fingerprint();
    if (!distinct.insert(spki).second) continue;
    signers.push_back(SignerInfo{s.chain.front().subject(), s.chain.front().SerialHex(),
                                 std::move(spki), s.jws->header.alg});
  }
  if (distinct.size() < trust_->min_signers()) {
    return Fail(ErrorCode::kPermissionDenied, "jws.not_enough_signers",
                std::to_string(distinct.size()) + " distinct trusted signer(s), policy needs " +
                    std::to_string(trust_->min_signers()));
  }
  auto digest = Digest(HashAlgorithm::kSha256, envelope->payload);
  if (!digest) return Fail(digest.error());
  return VerifiedManifest(std::move(*manifest), std::move(envelope->payload), std::move(*digest),
                          std::move(signers));
}

}  // namespace edgetrust::manifest::jws
