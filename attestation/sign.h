// SignDigest has a loaded, non-restricted signing key (the identity key) sign a digest with
// its own scheme. The private key never leaves the TPM. Not thread-safe (like Tpm).
#ifndef EDGETRUST_ATTESTATION_SIGN_H_
#define EDGETRUST_ATTESTATION_SIGN_H_

#include "attestation/handles.h"
#include "attestation/tpm.h"
#include "common/bytes.h"
#include "common/error.h"

namespace edgetrust::attestation {

// SignDigest returns the signature in standard encoding (DER ECDSA-Sig-Value, or raw RSA
// PKCS#1 v1.5 / PSS bytes). `digest` must have the size of the key scheme's hash, otherwise
// the TPM refuses (kFailedPrecondition "tpm.command_failed").
Result<Bytes> SignDigest(Tpm& tpm, const TransientHandle& key, ByteView digest);

}  // namespace edgetrust::attestation

#endif  // EDGETRUST_ATTESTATION_SIGN_H_
