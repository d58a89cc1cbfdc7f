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

#include <string>

#include "attestation/handles.h"
#include "attestation/key_blob.h"
#include "attestation/tpm.h"
#include "common/error.h"

namespace edgetrust::attestation {

Result<KeyBlob> CreateKey(Tpm& tpm, const PersistentHandle& parent, const TPM2B_PUBLIC& tmpl);

Result<TransientHandle> LoadKey(Tpm& tpm, const PersistentHandle& parent, const KeyBlob& blob);

// LoadOrCreateKeyBlob reads the blob at `path` or, when there is none, creates a key from
// `tmpl` under `parent` and saves its blob (0600, atomically) before returning it: a crash
// after the save reuses the same key, a crash before it leaves nothing the TPM keeps.
// A blob that exists but does not parse is an error, never a reason to make a new key.
Result<KeyBlob> LoadOrCreateKeyBlob(Tpm& tpm, const PersistentHandle& parent,
                                    const std::string& path, const TPM2B_PUBLIC& tmpl);

}  // namespace edgetrust::attestation

#endif  // EDGETRUST_ATTESTATION_KEYS_H_
