// Factory-issued EK credentials: the certificate a factory CA signs for a TPM that left its
// manufacturer without one, so that the TPM's EK chains to that CA as if it were the TPM
// manufacturer (TCG EK Credential Profile for TPM Family 2.0).
//
// The CA key is reached only through a Signer (PKCS#11 in production). Thread-safe (the
// Signer is).
#ifndef EDGETRUST_CERTS_EK_CREDENTIAL_H_
#define EDGETRUST_CERTS_EK_CREDENTIAL_H_

#include <chrono>
#include <ctime>
#include <string>

#include "certs/certificate.h"
#include "certs/signer.h"
#include "common/error.h"
#include "common/public_key.h"

namespace edgetrust::certs {

// TpmDescription holds the TCG subjectAltName attributes of the TPM a certificate is for (EK
// Credential Profile 2.0, §3.2.9), each written as a UTF8String:
//   manufacturer_id  tcg-at-tpmManufacturer (2.23.133.2.1): "id:" + 8 upper-case hex digits of
//                    TPM_PT_MANUFACTURER, e.g. "id:49424D00" for IBM
//   model            tcg-at-tpmModel (2.23.133.2.2): the vendor string, 1..64 characters
//   version_id       tcg-at-tpmVersion (2.23.133.2.3): "id:" + 8 hex digits of the firmware
//                    version (TPM_PT_FIRMWARE_VERSION_1)
struct TpmDescription {
  std::string manufacturer_id;
  std::string model;
  std::string version_id;
};

struct EkCertificateRequest {
  PublicKey ek_key;  // the EK's public key (attestation::TpmPublic::ToPublicKey())
  TpmDescription tpm;
  std::chrono::seconds lifetime{std::chrono::hours(24 * 365 * 20)};
};

// IssueEkCertificate signs an EK credential for `request.ek_key` with `ca_signer`, whose
// certificate is `ca_certificate`. The certificate is X.509 v3 with
//   - a 128-bit random positive serial, issuer = the CA's subject, an EMPTY subject;
//   - subjectAltName (critical) holding one directoryName with the three TCG attributes above;
//   - basicConstraints CA:FALSE (critical);
//   - keyUsage (critical) keyEncipherment for an RSA EK, keyAgreement for an EC EK;
//   - extendedKeyUsage tcg-kp-EKCertificate (2.23.133.8.1);
//   - authorityKeyIdentifier = the CA's subjectKeyIdentifier (no SKI of its own);
//   - validity [now - 5 min, now + lifetime], clipped to the CA's notAfter;
// so that VerifyChain(..., ChainProfile::kEkCredential, ...) accepts it under the CA.
// Errors: kInvalidArgument "ca.not_a_ca" (`ca_certificate` lacks CA:TRUE, keyCertSign or an
// SKI), "ca.key_mismatch" (it does not certify ca_signer.public_key()), "ca.bad_profile" (a
// malformed TpmDescription, lifetime <= 0); kFailedPrecondition "ca.expired" (the CA is not
// valid at `now`); Signer errors.
Result<Certificate> IssueEkCertificate(const Signer& ca_signer, const Certificate& ca_certificate,
                                       const EkCertificateRequest& request, std::time_t now);

}  // namespace edgetrust::certs

#endif  // EDGETRUST_CERTS_EK_CREDENTIAL_H_
