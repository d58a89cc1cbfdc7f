// The manufacturer's EK certificate, as the TPM stores it in NV, and the check that binds it to
// the EK actually in the TPM; for the factory station, the TPM's description for a factory-issued
// EK certificate and writing that certificate to NV. Not thread-safe where it takes a Tpm (like
// Tpm).
#ifndef EDGETRUST_ATTESTATION_EK_CERTIFICATE_H_
#define EDGETRUST_ATTESTATION_EK_CERTIFICATE_H_

#include "attestation/templates.h"
#include "attestation/tpm.h"
#include "attestation/tpm_public.h"
#include "certs/certificate.h"
#include "certs/ek_credential.h"
#include "common/bytes.h"
#include "common/error.h"

namespace edgetrust::attestation {

// ReadEkCertificate reads and parses the certificate at the profile's NV index. No index, or
// one defined but never written: kNotFound "ek.no_certificate"; unparsable contents:
// kInvalidArgument "cert.malformed". (Some TPMs pad the index; trailing zero bytes after the DER
// are ignored.)
Result<certs::Certificate> ReadEkCertificate(Tpm& tpm, EkType type);

// CheckEkCertificateKey fails with kPermissionDenied "ek.cert_key_mismatch" unless the
// certificate certifies exactly the public key of `ek`.
Status CheckEkCertificateKey(const certs::Certificate& cert, const TpmPublic& ek);

// DescribeTpm reads TPM_PT_MANUFACTURER, the vendor strings and TPM_PT_FIRMWARE_VERSION_1 as
// the TCG subjectAltName attributes of an EK certificate for this TPM: "id:" + 8 upper-case
// hex digits, the trimmed vendor string (empty if the TPM reports none, which
// IssueEkCertificate refuses), "id:" + 8 upper-case hex digits. Errors: the TPM's.
Result<certs::TpmDescription> DescribeTpm(Tpm& tpm);

// kFactoryEkCertificateNvAttributes: how WriteEkCertificate defines the certificate's index.
// An ordinary index in the owner hierarchy that anyone may read (authread with the empty index
// auth, as tpm2-tools and ReadEkCertificate read it; ownerread too), only the owner may write
// (ownerwrite, no authwrite), never counts towards dictionary-attack lockout (noDA), and that
// TPM2_NV_WriteLock makes read-only until it is undefined (writedefine). Unlike a
// manufacturer's index (platformcreate, ppwrite), the owner can still undefine it: a TPM2_Clear
// removes it with the rest of the owner hierarchy.
inline constexpr TPMA_NV kFactoryEkCertificateNvAttributes =
    TPMA_NV_OWNERWRITE | TPMA_NV_OWNERREAD | TPMA_NV_AUTHREAD | TPMA_NV_NO_DA | TPMA_NV_WRITEDEFINE;

// WriteEkCertificate stores the certificate `der` at the EK certificate NV index of `type`'s
// profile (GetEkProfile(type).cert_nv_index), sized exactly, with owner authorization (empty
// owner auth), in chunks of at most TPM_PT_NV_BUFFER_MAX bytes, and then write-locks it.
// Idempotent and crash-safe for a station that retries:
//   - absent index                          defined, written, locked;
//   - defined but never written (a crash between define and write), with our attributes:
//     written (redefined first if the retry's certificate has another size); with anyone
//     else's attributes: kFailedPrecondition "ek.nv_index_mismatch", left alone;
//   - holds exactly `der` (zero padding allowed, as ReadEkCertificate reads it) Ok, locking it
//     first if a crash came between write and lock;
//   - holds bytes that are not a whole certificate, with our attributes and not write-locked
//     (a crash during the write) undefined, redefined, written and locked;
//   - holds anything else (another whole certificate, a locked or foreign index)
//     kAlreadyExists "ek.certificate_present": never overwritten.
// Other errors: kInvalidArgument "cert.malformed" (`der` is not one X.509 certificate),
// "ek.certificate_too_large" (over TPM_PT_NV_INDEX_MAX); the TPM's errors.
Status WriteEkCertificate(Tpm& tpm, EkType type, ByteView der);

}  // namespace edgetrust::attestation

#endif  // EDGETRUST_ATTESTATION_EK_CERTIFICATE_H_
