// The TPM 2.0 key derivation functions (TPM 2.0 Part 1 §11.4.10), as MakeCredential,
// ActivateCredential and duplication use them.
//
// KdfA is SP 800-108 counter mode with HMAC (§11.4.10.2); KdfE is the SP 800-56A concatenation
// KDF (§11.4.10.3). Both follow the reference implementation byte for byte: `label` is hashed
// with one terminating NUL (added unless the label already ends in one), the counter and the bit
// count are 32-bit big-endian, and when `bits` is not a multiple of 8 the surplus high bits of
// the first byte are cleared. Outputs are SecretBytes of (bits + 7) / 8 bytes. Thread-safe.
// Errors: kInvalidArgument "kdf.invalid_length" (bits == 0 or above kMaxKdfBits), kInternal
// "crypto.openssl".
#ifndef EDGETRUST_ATTESTATION_KDF_H_
#define EDGETRUST_ATTESTATION_KDF_H_

#include <cstddef>
#include <string_view>

#include "common/bytes.h"
#include "common/crypto.h"
#include "common/error.h"
#include "common/secret_bytes.h"

namespace edgetrust::attestation {

// kMaxKdfBits bounds one derivation (far above any TPM key or seed).
inline constexpr size_t kMaxKdfBits = 8 * 4096;

// KdfA derives `bits` bits: for i = 1, 2, ...:
//   HMAC_hash(key, [i]32 || label || 0x00 || context_u || context_v || [bits]32).
Result<SecretBytes> KdfA(HashAlgorithm hash, ByteView key, std::string_view label,
                         ByteView context_u, ByteView context_v, size_t bits);

// KdfE derives `bits` bits: for i = 1, 2, ...:
//   H_hash([i]32 || z || label || 0x00 || party_u_info || party_v_info).
Result<SecretBytes> KdfE(HashAlgorithm hash, ByteView z, std::string_view label,
                         ByteView party_u_info, ByteView party_v_info, size_t bits);

}  // namespace edgetrust::attestation

#endif  // EDGETRUST_ATTESTATION_KDF_H_
