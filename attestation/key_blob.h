// KeyBlob is a TPM key created under the SRK, as it is kept on disk: its public area and its
// private area (sensitive part encrypted by the SRK, so it loads only in the TPM that made it).
//
// File format (version 1): "ETKB" (4 bytes), version byte 0x01, marshalled TPM2B_PUBLIC,
// marshalled TPM2B_PRIVATE. Parsing is strict: wrong magic, version, truncation or trailing
// bytes are kInvalidArgument "keyblob.malformed". Files are written atomically, mode 0600.
#ifndef EDGETRUST_ATTESTATION_KEY_BLOB_H_
#define EDGETRUST_ATTESTATION_KEY_BLOB_H_

#include <tss2/tss2_tpm2_types.h>

#include <string>

#include "common/bytes.h"
#include "common/error.h"

namespace edgetrust::attestation {

struct KeyBlob {
  TPM2B_PUBLIC public_area{};
  TPM2B_PRIVATE private_area{};
};

Result<Bytes> SerializeKeyBlob(const KeyBlob& blob);
Result<KeyBlob> ParseKeyBlob(ByteView data);

Status SaveKeyBlob(const std::string& path, const KeyBlob& blob);
Result<KeyBlob> LoadKeyBlob(const std::string& path);

}  // namespace edgetrust::attestation

#endif  // EDGETRUST_ATTESTATION_KEY_BLOB_H_
