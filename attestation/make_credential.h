// MakeCredential: the verifier's half of the TPM 2.0 credential protocol, in software
// (TPM 2.0 Part 1 §24, Part 3 TPM2_MakeCredential).
//
// It binds `secret` to an object Name (the AK's) and to an EK public key so that only the TPM
// holding that EK, with an object of that Name loaded, can recover it with
// TPM2_ActivateCredential. Seed: RSA-OAEP (label "IDENTITY") to an RSA EK, or ECDH with a
// fresh ephemeral key + KDFe to an ECC EK; then KDFa for the symmetric key ("STORAGE") and the
// HMAC key ("INTEGRITY"); AES-CFB with the EK's symmetric parameters (AES-128 for low-range,
// AES-256 for high-range templates) and HMAC with the EK's nameAlg. Thread-safe.
// Errors (kInvalidArgument): "credential.bad_secret" (empty or longer than the EK nameAlg
// digest), "credential.unsupported_ek" (not a restricted, non-signing decryption key with
// AES-CFB symmetric parameters we can encrypt to), "credential.bad_name" (`object_name` is not
// nameAlg || digest). The seed, the derived keys and the plaintext are wiped (SecretBytes).
#ifndef EDGETRUST_ATTESTATION_MAKE_CREDENTIAL_H_
#define EDGETRUST_ATTESTATION_MAKE_CREDENTIAL_H_

#include "attestation/tpm_public.h"
#include "common/bytes.h"
#include "common/error.h"
#include "common/secret_bytes.h"

namespace edgetrust::attestation {

// CredentialBlob is what travels to the device: both fields are the marshalled TPM2B forms
// (2-byte big-endian size + contents), ready for Tss2_MU_*_Unmarshal.
struct CredentialBlob {
  Bytes id_object;         // TPM2B_ID_OBJECT: integrityHMAC || encIdentity
  Bytes encrypted_secret;  // TPM2B_ENCRYPTED_SECRET: the seed, encrypted to the EK
};

Result<CredentialBlob> MakeCredential(const TpmPublic& ek, ByteView object_name,
                                      const SecretBytes& secret);

}  // namespace edgetrust::attestation

#endif  // EDGETRUST_ATTESTATION_MAKE_CREDENTIAL_H_
