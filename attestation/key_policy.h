// Admission rules for the keys a device presents to the enrollment service.
//
// CheckAttestationKeyPublic admits an AK: a restricted signing key that never leaves its TPM
// (fixedTPM, fixedParent, sensitiveDataOrigin), usable with its auth value (userWithAuth), not a
// decryption key, nameAlg SHA-256, and either ECC NIST P-256 with ECDSA-SHA256 or RSA >= 2048
// bits with RSASSA- or RSAPSS-SHA256 as its scheme.
// CheckIdentityKeyPublic admits an identity (CSR/TLS) key: a non-restricted signing key with
// fixedTPM, fixedParent and sensitiveDataOrigin, not a decryption key, ECC P-256/P-384 or
// RSA >= 2048 bits.
//
// Both check in the order the reasons are listed and report the first failure as
// kPermissionDenied with a stable reason:
//   AK:       ak.not_restricted, ak.not_signing, ak.not_fixed_tpm, ak.not_fixed_parent,
//             ak.not_sensitive_data_origin, ak.no_user_with_auth, ak.decrypt,
//             ak.name_algorithm, ak.weak_algorithm, ak.scheme
//   identity: identity.restricted, identity.not_signing, identity.not_fixed_tpm,
//             identity.not_fixed_parent, identity.not_sensitive_data_origin, identity.decrypt,
//             identity.weak_algorithm
// A unique field that does not hold a valid key of the declared size is passed on from
// TpmPublic::ToPublicKey (kInvalidArgument "key.malformed"). Thread-safe, no state.
#ifndef EDGETRUST_ATTESTATION_KEY_POLICY_H_
#define EDGETRUST_ATTESTATION_KEY_POLICY_H_

#include "attestation/tpm_public.h"
#include "common/error.h"

namespace edgetrust::attestation {

Status CheckAttestationKeyPublic(const TpmPublic& ak);

Status CheckIdentityKeyPublic(const TpmPublic& key);

}  // namespace edgetrust::attestation

#endif  // EDGETRUST_ATTESTATION_KEY_POLICY_H_
