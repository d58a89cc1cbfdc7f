// TPM signatures (TPMT_SIGNATURE): conversion to standard encodings and verification against
// the signing key's public area, with the algorithm taken from the key, never the signature.
// Pure functions, thread-safe.
#ifndef EDGETRUST_ATTESTATION_SIGNATURE_H_
#define EDGETRUST_ATTESTATION_SIGNATURE_H_

#include <tss2/tss2_tpm2_types.h>

#include "attestation/tpm_public.h"
#include "common/bytes.h"
#include "common/error.h"

namespace edgetrust::attestation {

// ParseTpmSignature reads one marshalled TPMT_SIGNATURE ("tpm.malformed" otherwise).
Result<TPMT_SIGNATURE> ParseTpmSignature(ByteView marshalled);

// SignatureToDer returns the DER ECDSA-Sig-Value for ECDSA, or the raw signature for RSASSA
// and RSAPSS: the encodings X.509, CSRs and JWS (after conversion) use.
// Other schemes: kInvalidArgument "signature.unsupported".
Result<Bytes> SignatureToDer(const TPMT_SIGNATURE& sig);

// VerifyTpmSignature checks that `marshalled_sig` is `signer`'s signature over `message`:
//   - kPermissionDenied "signature.scheme_mismatch": the signature's algorithm or hash differs
//     from the signer's own scheme (or the signer has none);
//   - kPermissionDenied "signature.invalid": the signature does not verify;
//   - kInvalidArgument "tpm.malformed": the signature bytes do not parse.
Status VerifyTpmSignature(const TpmPublic& signer, ByteView message, ByteView marshalled_sig);

}  // namespace edgetrust::attestation

#endif  // EDGETRUST_ATTESTATION_SIGNATURE_H_
