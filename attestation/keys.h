// Ordinary (non-primary) keys under a parent, typically the SRK: the AK and the identity key.
//
// CreateKey asks the TPM to generate a key from `tmpl` under `parent` and returns its blob;
// nothing stays loaded. LoadKey loads a blob and hands back the owner of the transient handle,
// which flushes it when destroyed: keep it only as long as the operation needs it. A blob made
// under another parent or TPM fails to load with "tpm.integrity" or "tpm.command_failed".
// Not thread-safe (like Tpm).
#ifndef EDGETRUST_ATTESTATION_KEYS_H_
#define EDGETRUST_ATTESTATION_KEYS_H_

#include <tss2/tss2_tpm2_types.h>

#include "attestation/handles.h"
#include "attestation/key_blob.h"
#include "attestation/tpm.h"
#include "common/error.h"

namespace edgetrust::attestation {

Result<KeyBlob> CreateKey(Tpm& tpm, const PersistentHandle& parent, const TPM2B_PUBLIC& tmpl);

Result<TransientHandle> LoadKey(Tpm& tpm, const PersistentHandle& parent, const KeyBlob& blob);

}  // namespace edgetrust::attestation

#endif  // EDGETRUST_ATTESTATION_KEYS_H_
