// The gate's rollback floor (THREATS M6): the lowest deployment version the device accepts,
// held in a TPM NV counter so that wiping or restoring the state directory cannot lower it.
//
// The counter is an owner-authorized, noDA TPM2_NT_COUNTER index at a configured handle. A
// TPM counter can only go up, one step per TPM2_NV_Increment, and a counter defined again
// after being undefined starts at the highest value any counter of that TPM has had, so even
// the owner cannot lower the floor. Its first value is therefore not necessarily 1: on a TPM
// whose counters have counted before, the floor starts there (a lower bound, never a gap).
//
// Not thread-safe (like Tpm); the daemon calls these under its TPM lock.
#ifndef EDGETRUST_DAEMON_GATE_ROLLBACK_FLOOR_H_
#define EDGETRUST_DAEMON_GATE_ROLLBACK_FLOOR_H_

#include <tss2/tss2_tpm2_types.h>

#include <cstdint>

#include "attestation/tpm.h"
#include "common/error.h"

namespace edgetrust::daemon::gate {

// EnsureRollbackFloor defines the counter when the handle is free, increments it once when it
// has never been written (a TPM counter cannot be read before), and returns the floor. An
// index already at the handle that is not an owner counter of 8 bytes with noDA is refused:
// kFailedPrecondition "gate.nv_foreign" (someone else's index; the gate fails closed rather
// than trust a value it cannot vouch for).
Result<uint64_t> EnsureRollbackFloor(attestation::Tpm& tpm, TPM2_HANDLE index);

// RaiseRollbackFloor increments the counter until it is at least `version` and returns its
// value. One TPM command per step: the gate bounds steps by its version-jump limit. A
// counter already at or above `version` is left alone.
Result<uint64_t> RaiseRollbackFloor(attestation::Tpm& tpm, TPM2_HANDLE index, uint64_t version);

}  // namespace edgetrust::daemon::gate

#endif  // EDGETRUST_DAEMON_GATE_ROLLBACK_FLOOR_H_
