// The credential file format of tpm2-tools (`tpm2_makecredential -o`, read by
// `tpm2_activatecredential -i`), so our blobs and theirs interoperate in tests and tools.
//
// Layout, verified against tpm2-tools 5.4 (`tpm2_makecredential -T none`), all big-endian:
//   magic   4 bytes  0xBADCC0DE
//   version 4 bytes  1
//   TPM2B_ID_OBJECT         (2-byte size + integrityHMAC TPM2B + encIdentity)
//   TPM2B_ENCRYPTED_SECRET  (2-byte size + encrypted seed)
// and nothing after it. Thread-safe.
#ifndef EDGETRUST_ATTESTATION_TOOLS_FORMAT_H_
#define EDGETRUST_ATTESTATION_TOOLS_FORMAT_H_

#include <cstdint>

#include "attestation/make_credential.h"
#include "common/bytes.h"
#include "common/error.h"

namespace edgetrust::attestation {

inline constexpr uint32_t kTpm2ToolsMagic = 0xBADCC0DE;
inline constexpr uint32_t kTpm2ToolsCredentialVersion = 1;

// EncodeTpm2ToolsCredential writes `blob` in the tpm2-tools file format. Its fields are copied
// as they are (they are already marshalled TPM2Bs).
Bytes EncodeTpm2ToolsCredential(const CredentialBlob& blob);

// DecodeTpm2ToolsCredential reads that format strictly. Errors (kInvalidArgument):
// "credential.file_format" (wrong magic or version), "tpm.malformed" (truncated, oversized or
// trailing bytes).
Result<CredentialBlob> DecodeTpm2ToolsCredential(ByteView file);

}  // namespace edgetrust::attestation

#endif  // EDGETRUST_ATTESTATION_TOOLS_FORMAT_H_
