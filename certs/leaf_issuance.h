// What every certificate edgetrust issues has in common (internal to edgetrust_certs): the
// checks on the issuing CA, the v3 skeleton (128-bit random positive serial, validity, key),
// extensions from OpenSSL's config syntax, and signing through the Signer seam.
//
// Used by CertificateAuthority (device identity leaves, self-signed roots) and
// IssueEkCertificate (factory EK credentials), so both refuse the same CAs with the same
// reasons and clip validity the same way. All functions are thread-safe.
#ifndef EDGETRUST_CERTS_LEAF_ISSUANCE_H_
#define EDGETRUST_CERTS_LEAF_ISSUANCE_H_

#include <openssl/x509.h>

#include <chrono>
#include <ctime>
#include <initializer_list>
#include <utility>

#include "certs/certificate.h"
#include "certs/signer.h"
#include "common/error.h"
#include "common/openssl.h"
#include "common/public_key.h"

namespace edgetrust::certs::internal {

// kBackdate is how far before `now` a new certificate's notBefore lies, to tolerate relying
// parties whose clocks are a few minutes behind.
inline constexpr std::time_t kBackdate = std::time_t{5} * 60;

// CheckIssuingCa: `ca` must be a CA certificate (basicConstraints CA:TRUE, keyUsage
// keyCertSign) with a subjectKeyIdentifier (the AKI of what it issues), else kInvalidArgument
// "ca.not_a_ca"; its public key must be `signer_key`, else kInvalidArgument "ca.key_mismatch".
Status CheckIssuingCa(const Certificate& ca, const PublicKey& signer_key);

// NewCertificate starts an unsigned v3 certificate for `key`: random 128-bit positive serial,
// `subject` and `issuer` (copied; may be empty names), validity [not_before, not_after].
Result<OpenSslPtr<X509>> NewCertificate(const PublicKey& key, const X509_NAME* subject,
                                        const X509_NAME* issuer, std::time_t not_before,
                                        std::time_t not_after);

// NewLeafCertificate is NewCertificate for a leaf that `ca` issues: issuer = the CA's subject,
// validity [now - kBackdate, now + lifetime] clipped to the CA's notAfter. Errors:
// kInvalidArgument "ca.bad_profile" (lifetime <= 0), kFailedPrecondition "ca.expired" (the CA
// is not valid at `now`).
Result<OpenSslPtr<X509>> NewLeafCertificate(const PublicKey& key, const X509_NAME* subject,
                                            const Certificate& ca, std::time_t now,
                                            std::chrono::seconds lifetime);

// AddExtensions adds `(nid, config value)` pairs ("critical,CA:FALSE") to `subject`, with
// `issuer` in the context (for AKI "keyid:always").
Status AddExtensions(X509* subject, X509* issuer,
                     std::initializer_list<std::pair<int, const char*>> extensions);

// SignCertificate signs `cert` with `signer` (SignX509) and parses the result.
Result<Certificate> SignCertificate(const Signer& signer, X509* cert);

}  // namespace edgetrust::certs::internal

#endif  // EDGETRUST_CERTS_LEAF_ISSUANCE_H_
