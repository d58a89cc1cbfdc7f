// ActivateCredential: the device's half of the credential protocol. The TPM recovers the
// secret that a verifier bound to Name(AK) and to the EK (MakeCredential), which proves the
// AK lives in the same TPM as the EK.
//
// The EK's policy is satisfied in a policy session started here and always flushed before
// return: PolicySecret(TPM_RH_ENDORSEMENT) for low-range EKs (SHA-256 session);
// PolicySecret then PolicyOR(PolicyA, PolicyC) in a SHA-384 session for the high-range P-384
// EK. A credential made for another AK Name or another EK is kPermissionDenied
// "tpm.integrity"; the TPM does not count it towards lockout. Not thread-safe (like Tpm).
#ifndef EDGETRUST_ATTESTATION_ACTIVATE_H_
#define EDGETRUST_ATTESTATION_ACTIVATE_H_

#include "attestation/handles.h"
#include "attestation/make_credential.h"
#include "attestation/primary_keys.h"
#include "attestation/templates.h"
#include "attestation/tpm.h"
#include "common/error.h"
#include "common/secret_bytes.h"

namespace edgetrust::attestation {

Result<SecretBytes> ActivateCredential(Tpm& tpm, const TransientHandle& ak, const PersistentKey& ek,
                                       EkType ek_type, const CredentialBlob& blob);

}  // namespace edgetrust::attestation

#endif  // EDGETRUST_ATTESTATION_ACTIVATE_H_
