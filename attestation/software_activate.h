// ActivateCredentialInSoftware: the inverse of MakeCredential (TPM2_ActivateCredential, TPM 2.0
// Part 3 §12.5) computed with the EK *private* key in process memory.
//
// FOR SIMULATIONS, TESTS AND THE LOAD-GENERATOR BENCHMARK ONLY. A real device never holds its
// EK private key: it runs TPM2_ActivateCredential inside the TPM (with the EK policy session),
// and nothing in the device or the enrollment service may call this function.
//
// Like the TPM, it recovers the seed, then checks the outer HMAC over encIdentity ||
// object_name in constant time before decrypting encIdentity, so a blob made for another EK or
// another object yields kPermissionDenied "credential.integrity" (the analogue of
// TPM_RC_INTEGRITY); a seed that does not decrypt under this EK gives the same error. Other
// errors (kInvalidArgument): "key.malformed" (`ek_private_pem` is not an unencrypted PEM
// private key, or the ephemeral ECC point is not on the EK curve),
// "credential.key_mismatch" (the private key does not belong to `ek_public`),
// "credential.unsupported_ek", "credential.bad_name" (as MakeCredential), "tpm.malformed"
// (the blob does not parse). Thread-safe.
#ifndef EDGETRUST_ATTESTATION_SOFTWARE_ACTIVATE_H_
#define EDGETRUST_ATTESTATION_SOFTWARE_ACTIVATE_H_

#include <string_view>

#include "attestation/make_credential.h"
#include "attestation/tpm_public.h"
#include "common/bytes.h"
#include "common/error.h"
#include "common/secret_bytes.h"

namespace edgetrust::attestation {

// ActivateCredentialInSoftware recovers the secret bound by MakeCredential(ek_public,
// object_name, secret). `ek_private_pem` is a PEM "PRIVATE KEY" (PKCS#8) or traditional
// RSA/EC private key; it is parsed for this call and freed (OpenSSL clears it) before return.
Result<SecretBytes> ActivateCredentialInSoftware(std::string_view ek_private_pem,
                                                 const TpmPublic& ek_public, ByteView object_name,
                                                 const CredentialBlob& blob);

}  // namespace edgetrust::attestation

#endif  // EDGETRUST_ATTESTATION_SOFTWARE_ACTIVATE_H_
