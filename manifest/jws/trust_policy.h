// TrustPolicy says whose signatures a device accepts on a deployment manifest (ARCHITECTURE.md
// "The module gate"; the daemon builds it from its config). ManifestVerifier::Create checks it.
//
//   roots        pinned manifest-signing roots: self-signed CA certificates. A certificate that
//                arrives in a JWS's x5c is never a trust anchor, whatever it claims.
//   signer_eku   the extended key usage OID every signer certificate must carry. Default
//                id-kp-codeSigning (1.3.6.1.5.5.7.3.3, RFC 5280 §4.2.1.12): manifest signing is
//                code signing, and release PKIs already issue it. anyExtendedKeyUsage does not
//                count. A fleet that wants a dedicated key purpose sets its own OID here.
//   min_signers  k of "k of n": how many DISTINCT signer keys (by SHA-256 of the
//                SubjectPublicKeyInfo) must sign; 1 to kMaxSignatures, default 1.
//   crls         DER CRLs (CrlsFromPemOrDer reads DER or PEM files). A CRL applies to a chain
//                member whose issuer (subject name) it names; it must then be signed by that
//                issuer's key and be current at the verification time, else the manifest is
//                refused. A chain member whose issuer has no CRL here is not revocation-checked.
//
// Plain values; thread-compatible.
#ifndef EDGETRUST_MANIFEST_JWS_TRUST_POLICY_H_
#define EDGETRUST_MANIFEST_JWS_TRUST_POLICY_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "certs/certificate.h"
#include "common/bytes.h"
#include "common/error.h"

namespace edgetrust::manifest::jws {

inline constexpr std::string_view kCodeSigningEku = "1.3.6.1.5.5.7.3.3";

struct TrustPolicy {
  std::vector<certs::Certificate> roots;
  std::string signer_eku{kCodeSigningEku};
  size_t min_signers = 1;
  std::vector<Bytes> crls;
};

// RootsFromPem reads every CERTIFICATE block of a PEM bundle (kInvalidArgument
// "policy.bad_root" when there is none or one does not parse).
Result<std::vector<certs::Certificate>> RootsFromPem(std::string_view pem);

// CrlsFromPemOrDer reads one DER CRL, or every "X509 CRL" block of PEM text, and returns them
// as DER (kInvalidArgument "policy.bad_crl" when nothing parses, a block does not parse, or
// DER input has trailing bytes).
Result<std::vector<Bytes>> CrlsFromPemOrDer(ByteView data);

}  // namespace edgetrust::manifest::jws

#endif  // EDGETRUST_MANIFEST_JWS_TRUST_POLICY_H_
