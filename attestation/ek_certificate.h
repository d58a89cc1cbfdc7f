// The manufacturer's EK certificate, as the TPM stores it in NV, and the check that binds it to
// the EK actually in the TPM. Not thread-safe where it takes a Tpm (like Tpm).
#ifndef EDGETRUST_ATTESTATION_EK_CERTIFICATE_H_
#define EDGETRUST_ATTESTATION_EK_CERTIFICATE_H_

#include "attestation/templates.h"
#include "attestation/tpm.h"
#include "attestation/tpm_public.h"
#include "certs/certificate.h"
#include "common/error.h"

namespace edgetrust::attestation {

// ReadEkCertificate reads and parses the certificate at the profile's NV index. No index:
// kNotFound "ek.no_certificate"; unparsable contents: kInvalidArgument "cert.malformed".
// (Some TPMs pad the index; trailing zero bytes after the DER are ignored.)
Result<certs::Certificate> ReadEkCertificate(Tpm& tpm, EkType type);

// CheckEkCertificateKey fails with kPermissionDenied "ek.cert_key_mismatch" unless the
// certificate certifies exactly the public key of `ek`.
Status CheckEkCertificateKey(const certs::Certificate& cert, const TpmPublic& ek);

}  // namespace edgetrust::attestation

#endif  // EDGETRUST_ATTESTATION_EK_CERTIFICATE_H_
