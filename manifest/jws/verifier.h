// ManifestVerifier is the only way to obtain a Manifest the module gate may act on
// (STYLE.md "a verifier is the only producer of its verified type"; THREATS M2-M5, M8, M13).
//
// Verify(jws_json, now), in order, failing at the first problem:
//   1. the envelope (envelope.h): size, strict JSON, shape, 1..kMaxSignatures signatures,
//      base64url, protected headers with "alg" and "x5c", no "crit", no unprotected
//      parameters — all before any cryptography;
//   2. per signature, still without cryptography: every x5c entry parses as exactly one DER
//      certificate ("jws.malformed") and the header's alg fits the leaf's key (P-256 → ES256,
//      P-384 → ES384, RSA → PS256 or RS256; else kPermissionDenied "jws.bad_alg");
//   3. ParseManifest on the decoded payload — the exact bytes the signatures cover, never a
//      re-serialization — with its "manifest.*" errors passed through unchanged;
//   4. per signature: the signature over ASCII(protected '.' payload) with the leaf's key
//      (ES*: r||s of the curve's size, 0 < r, s < n, checked before OpenSSL sees it; PS256:
//      MGF1-SHA-256, any salt length, as PublicKey::Verify accepts TPM-made signatures); any
//      signature that does not verify is kPermissionDenied "jws.bad_signature" for the whole
//      JWS: a JWS spliced from parts of two signed deployments never verifies (M8);
//   5. per signature: the signer's chain, profile and revocation (signer_trust.h:
//      "jws.untrusted_chain", "jws.signer_expired", "jws.signer_profile", "jws.crl_invalid",
//      "jws.crl_stale", "jws.signer_revoked"). Every signature present must pass; none is
//      silently skipped;
//   6. k of n: fewer than policy.min_signers distinct signer keys (SHA-256 of the SPKI; a key
//      that signs twice, even under two certificates, counts once) is kPermissionDenied
//      "jws.not_enough_signers".
// Structural errors are kInvalidArgument ("jws.malformed", "jws.too_large",
// "jws.no_signatures", "jws.too_many_signatures", "manifest.*"); trust errors are
// kPermissionDenied; kInternal only for an OpenSSL failure.
//
// Steps 2 and 5 re-use what an earlier Verify by this verifier (or a copy) derived from the
// same x5c bytes, and its passed chain check while that check's evidence is current at `now`
// (x5c_cache.h). Every error, and the order of the checks, is the same as without it; the one
// difference is x5c_cache.h's note on OpenSSL's choice among same-named issuers.
//
// Immutable after Create (apart from that bounded cache); Verify is const and thread-safe. Expiry,
// target and rollback of the manifest itself are the gate's checks, not this class's.
#ifndef EDGETRUST_MANIFEST_JWS_VERIFIER_H_
#define EDGETRUST_MANIFEST_JWS_VERIFIER_H_

#include <ctime>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "manifest/core/manifest.h"
#include "manifest/jws/jws_alg.h"
#include "manifest/jws/trust_policy.h"

namespace edgetrust::manifest::jws {

namespace internal {
class SignerTrust;
class X5cCache;
}  // namespace internal

// SignerInfo identifies one distinct signer of a verified manifest (for logs and audit).
struct SignerInfo {
  std::string subject;      // RFC 2253 subject of the signer certificate
  std::string serial;       // serial number, lower-case hex
  std::string spki_sha256;  // SHA-256 of the SubjectPublicKeyInfo, lower-case hex
  JwsAlg alg = JwsAlg::kEs256;
};

// VerifiedManifest: a manifest whose bytes were signed by enough trusted signers. Only
// ManifestVerifier::Verify makes one; its members are const so that a verified value cannot be
// edited afterwards (copy it freely; hold it in a std::optional to replace it).
class VerifiedManifest {
 public:
  const Manifest manifest;
  const Bytes payload;                    // the exact signed bytes the manifest was parsed from
  const Bytes payload_sha256;             // what the gate extends into its PCR
  const std::vector<SignerInfo> signers;  // distinct signer keys, in signature order

 private:
  friend class ManifestVerifier;
  VerifiedManifest(Manifest m, Bytes p, Bytes digest, std::vector<SignerInfo> s)
      : manifest(std::move(m)),
        payload(std::move(p)),
        payload_sha256(std::move(digest)),
        signers(std::move(s)) {}
};

class ManifestVerifier {
 public:
  // Create checks `policy` (kInvalidArgument "policy.bad_root", "policy.bad_eku",
  // "policy.bad_min_signers", "policy.bad_crl"; see signer_trust.h).
  static Result<ManifestVerifier> Create(TrustPolicy policy);

  // Verify: see the file comment. `now` is the device's clock (seconds since the epoch): it
  // decides certificate validity and CRL currency.
  Result<VerifiedManifest> Verify(std::string_view jws_json, std::time_t now) const;

 private:
  ManifestVerifier(std::shared_ptr<const internal::SignerTrust> trust,
                   std::shared_ptr<internal::X5cCache> cache)
      : trust_(std::move(trust)), cache_(std::move(cache)) {}
  std::shared_ptr<const internal::SignerTrust> trust_;
  std::shared_ptr<internal::X5cCache> cache_;  // shared by copies; thread-safe
};

}  // namespace edgetrust::manifest::jws

#endif  // EDGETRUST_MANIFEST_JWS_VERIFIER_H_
