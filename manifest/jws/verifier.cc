#include "manifest/jws/verifier.h"

#include <algorithm>

#include "certs/certificate.h"
#include "common/crypto.h"
#include "manifest/core/manifest_parser.h"
#include "manifest/jws/envelope.h"
#include "manifest/jws/signer_trust.h"
#include "manifest/jws/x5c_cache.h"

namespace edgetrust::manifest::jws {
namespace {

// Signed is one signature with its signer's chain, ready for cryptography: the cache's entry
// for its exact x5c (trust evidence and all) or one parsed from the x5c just now.
struct Signed {
  const JwsSignature* jws;
  std::shared_ptr<const internal::SignerChain> signer;
};

Result<Signed> PrepareSignature(const JwsSignature& s, internal::X5cCache& cache) {
  std::shared_ptr<const internal::SignerChain> signer = cache.Find(s.header.x5c);
  if (signer == nullptr) {
    auto made = internal::MakeSignerChain(s.header.x5c);
    if (!made) return Fail(made.error());
    signer = std::make_shared<const internal::SignerChain>(std::move(*made));
  }
  if (auto fits = CheckJwsAlgFitsKey(s.header.alg, signer->key); !fits) return Fail(fits.error());
  return Signed{&s, std::move(signer)};
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
  auto verified = s.signer->key.Verify(scheme, JwsAlgHash(alg), AsBytes(input), signature);
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
  return ManifestVerifier(std::make_shared<const internal::SignerTrust>(std::move(*trust)),
                          std::make_shared<internal::X5cCache>());
}

Result<VerifiedManifest> ManifestVerifier::Verify(std::string_view jws_json,
                                                  std::time_t now) const {
  auto envelope = ParseJwsEnvelope(jws_json);
  if (!envelope) return Fail(envelope.error());
  std::vector<Signed> prepared;
  prepared.reserve(envelope->signatures.size());
  for (const JwsSignature& s : envelope->signatures) {
    auto p = PrepareSignature(s, *cache_);
    if (!p) return Fail(p.error());
    prepared.push_back(std::move(*p));
  }
  auto manifest = ParseManifest(envelope->payload);
  if (!manifest) return Fail(manifest.error());

  for (const Signed& s : prepared) {
    if (auto ok = VerifySignature(*envelope, s); !ok) return Fail(ok.error());
  }
  std::vector<SignerInfo> signers;
  // Distinct by key material (EVP_PKEY_eq), not by encoding: one EC key certified once with a
  // compressed and once with an uncompressed point is one signer.
  std::vector<const PublicKey*> distinct;
  for (const Signed& s : prepared) {
    const internal::SignerChain& signer = *s.signer;
    if (!signer.trust || !signer.trust->CurrentAt(now)) {
      const std::span<const certs::Certificate> intermediates(signer.chain.begin() + 1,
                                                              signer.chain.end());
      auto evidence = trust_->CheckSigner(signer.chain.front(), intermediates, now);
      if (!evidence) return Fail(evidence.error());
      auto trusted = std::make_shared<internal::SignerChain>(signer);
      trusted->trust = std::move(*evidence);
      cache_->Put(s.jws->header.x5c, std::move(trusted));
    }
    const bool seen = std::any_of(distinct.begin(), distinct.end(),
                                  [&](const PublicKey* k) { return k->Equals(signer.key); });
    if (seen) continue;
    distinct.push_back(&signer.key);
    signers.push_back(
        SignerInfo{signer.subject, signer.serial, signer.spki_sha256, s.jws->header.alg});
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
