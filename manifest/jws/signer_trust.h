// SignerTrust applies a checked TrustPolicy to one signer's certificates (internal to
// edgetrust_manifest_jws; ManifestVerifier is its only user).
//
// CheckSigner, in order:
//   1. the leaf is not self-issued (a self-made certificate is never a signer: THREATS M2);
//   2. OpenSSL builds and verifies a path leaf → x5c intermediates → a pinned root at `now`
//      (the x5c entries are only ever untrusted candidates; intermediates must be CAs);
//      a certificate outside its validity is kPermissionDenied "jws.signer_expired" (M3),
//      any other failure "jws.untrusted_chain" (M2);
//   3. the signer profile (M3), kPermissionDenied "jws.signer_profile": not a CA
//      (basicConstraints absent or CA:FALSE), keyUsage present with digitalSignature, the
//      policy's EKU, an RSA key of >= 2048 bits or an EC key on P-256/P-384;
//   4. revocation (M3) of every certificate on the path below the root, against the policy's
//      CRLs naming its issuer: a CRL with a bad signature is "jws.crl_invalid", one that is not
//      current (thisUpdate > now, nextUpdate absent or <= now) "jws.crl_stale", a listed serial
//      "jws.signer_revoked" (all kPermissionDenied).
// A check that passes returns its TrustEvidence: the part of the decision that can change with
// time. Everything else CheckSigner looks at (signatures, names, extensions, CRL contents) is
// fixed by the certificates' bytes and the policy, which is why a passed check may be re-used
// for the same certificates while its evidence is current (x5c_cache.h).
//
// Immutable after Create (the X509_STORE of pinned roots is built once there); thread-safe.
#ifndef EDGETRUST_MANIFEST_JWS_SIGNER_TRUST_H_
#define EDGETRUST_MANIFEST_JWS_SIGNER_TRUST_H_

#include <ctime>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "certs/certificate.h"
#include "common/error.h"
#include "manifest/jws/trust_policy.h"

struct X509_crl_st;    // OpenSSL's X509_CRL
struct x509_store_st;  // OpenSSL's X509_STORE

namespace edgetrust::manifest::jws::internal {

// TrustEvidence: the verified path (leaf first, pinned root last, each certificate holding a
// reference) and the CRLs that were applied to it.
struct TrustEvidence {
  std::vector<std::shared_ptr<x509_st>> path;
  std::vector<std::shared_ptr<X509_crl_st>> crls;

  // CurrentAt: at `now` every certificate of the path is within its validity and every CRL is
  // current, by the comparisons CheckSigner's own checks make (X509_cmp_time: notBefore <= now
  // < notAfter, as X509_verify_cert; thisUpdate <= now < nextUpdate, as the CRL check).
  bool CurrentAt(std::time_t now) const;
};

class SignerTrust {
 public:
  // Create checks `policy`: at least one root, each a self-signed CA ("policy.bad_root"), a
  // dotted EKU OID ("policy.bad_eku"), 1 <= min_signers <= kMaxSignatures
  // ("policy.bad_min_signers"), CRLs that parse ("policy.bad_crl"); all kInvalidArgument.
  static Result<SignerTrust> Create(const TrustPolicy& policy);

  Result<TrustEvidence> CheckSigner(const certs::Certificate& leaf,
                                    std::span<const certs::Certificate> intermediates,
                                    std::time_t now) const;

  size_t min_signers() const { return min_signers_; }

 private:
  SignerTrust() = default;

  std::vector<certs::Certificate> roots_;
  std::shared_ptr<x509_store_st> store_;  // roots_, shared read-only by every CheckSigner
  std::string eku_;
  size_t min_signers_ = 1;
  std::vector<std::shared_ptr<X509_crl_st>> crls_;
};

}  // namespace edgetrust::manifest::jws::internal

#endif  // EDGETRUST_MANIFEST_JWS_SIGNER_TRUST_H_
