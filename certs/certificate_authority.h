// CertificateAuthority issues device certificates and CRLs with a CA key it reaches only
// through a Signer (an HSM via PKCS#11 in production).
//
// Every certificate it issues is a leaf built from a profile, never from a CSR's extensions:
// a 128-bit random positive serial, subject CN and subjectAltName (URI and/or DNS) from the
// profile, basicConstraints CA:FALSE (critical), keyUsage digitalSignature (critical), EKU
// clientAuth, AKI = the CA certificate's SKI, SKI = SHA-1 of the subject key, validity
// [now - 5 min, now + lifetime] clipped to the CA's notAfter. Thread-safe (the Signer is).
#ifndef EDGETRUST_CERTS_CERTIFICATE_AUTHORITY_H_
#define EDGETRUST_CERTS_CERTIFICATE_AUTHORITY_H_

#include <chrono>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "certs/certificate.h"
#include "certs/signer.h"
#include "common/bytes.h"
#include "common/error.h"
#include "common/public_key.h"

namespace edgetrust::certs {

struct LeafProfile {
  std::string common_name;
  std::vector<std::string> uri_sans;
  std::vector<std::string> dns_sans;
  std::chrono::seconds lifetime{std::chrono::hours(24 * 30)};
};

struct RevokedCertificate {
  std::string serial_hex;  // lower-case hex, as Certificate::SerialHex
  std::time_t revoked_at = 0;
};

class CertificateAuthority {
 public:
  // Create checks that `chain.front()` is a CA certificate (basicConstraints CA:TRUE,
  // keyCertSign) whose public key is signer->public_key(); the rest of `chain` is its issuers
  // up to (optionally) the root. Errors: kInvalidArgument "ca.not_a_ca",
  // "ca.key_mismatch".
  static Result<CertificateAuthority> Create(std::shared_ptr<const Signer> signer,
                                             std::vector<Certificate> chain);

  const Certificate& certificate() const { return chain_.front(); }
  // chain is the CA certificate followed by its issuers.
  const std::vector<Certificate>& chain() const { return chain_; }

  // Issue signs a leaf for `subject_key` (see the class comment). Errors:
  // kInvalidArgument "ca.bad_profile" (empty CN, SAN not a valid URI/DNS name, lifetime <= 0),
  // kFailedPrecondition "ca.expired" (the CA is not valid at `now`), Signer errors.
  Result<Certificate> Issue(const PublicKey& subject_key, const LeafProfile& profile,
                            std::time_t now) const;

  // IssueCrl signs a v2 CRL (DER) listing `revoked`, with CRL number `crl_number`, thisUpdate
  // `now`, nextUpdate `now + validity`, and an AKI extension.
  Result<Bytes> IssueCrl(const std::vector<RevokedCertificate>& revoked, uint64_t crl_number,
                         std::time_t now, std::chrono::seconds validity) const;

 private:
  CertificateAuthority(std::shared_ptr<const Signer> signer, std::vector<Certificate> chain)
      : signer_(std::move(signer)), chain_(std::move(chain)) {}
  std::shared_ptr<const Signer> signer_;
  std::vector<Certificate> chain_;
};

// MakeSelfSignedCa makes a root CA certificate for signer->public_key(): CN `common_name`,
// basicConstraints CA:TRUE pathlen:0 (critical), keyUsage keyCertSign|cRLSign (critical), SKI,
// validity [now - 5 min, now + lifetime].
Result<Certificate> MakeSelfSignedCa(const Signer& signer, const std::string& common_name,
                                     std::chrono::seconds lifetime, std::time_t now);

// MakeCaCsr makes a CSR (DER) for an offline root to sign, asking for the CA extensions above.
Result<Bytes> MakeCaCsr(const Signer& signer, const std::string& common_name);

}  // namespace edgetrust::certs

#endif  // EDGETRUST_CERTS_CERTIFICATE_AUTHORITY_H_
