// The persistent primary keys every edgetrust device has: its EKs (endorsement hierarchy, TCG
// default templates) and its SRK (owner hierarchy), under which the AK and identity key live.
//
// Ensure* reuses the key at the profile's persistent handle when it is there and was made
// from the expected template (same type, nameAlg, attributes, policy and parameters);
// otherwise it creates the primary key and persists it (TPM2_EvictControl, owner auth).
// A persistent object at that handle made from another template is never overwritten:
// kFailedPrecondition "tpm.persistent_mismatch". No transient object stays loaded afterwards.
// Not thread-safe (like Tpm).
#ifndef EDGETRUST_ATTESTATION_PRIMARY_KEYS_H_
#define EDGETRUST_ATTESTATION_PRIMARY_KEYS_H_

#include "attestation/handles.h"
#include "attestation/templates.h"
#include "attestation/tpm.h"
#include "attestation/tpm_public.h"
#include "common/error.h"

namespace edgetrust::attestation {

struct PersistentKey {
  PersistentHandle handle;
  TpmPublic public_area;
  bool created = false;  // true when this call created and persisted the key
};

Result<PersistentKey> EnsureEk(Tpm& tpm, EkType type);
Result<PersistentKey> EnsureSrk(Tpm& tpm);

// ComputeEkPublic returns the public area of the EK of `type` without persisting anything:
// the persistent EK when present, else a primary key created from the template and flushed
// at once (the same key: EK templates are deterministic for a given TPM).
Result<TpmPublic> ComputeEkPublic(Tpm& tpm, EkType type);

// ReadPersistentKey reads the public area of an existing persistent key (kNotFound
// "tpm.handle" when absent) without creating anything.
Result<PersistentKey> ReadPersistentKey(Tpm& tpm, TPM2_HANDLE handle);

// EvictPersistent removes a persistent object (owner auth); absent is not an error.
Status EvictPersistent(Tpm& tpm, TPM2_HANDLE handle);

}  // namespace edgetrust::attestation

#endif  // EDGETRUST_ATTESTATION_PRIMARY_KEYS_H_
