#include "daemon/gate/rollback_floor.h"

#include "attestation/nv.h"

namespace edgetrust::daemon::gate {

Result<uint64_t> EnsureRollbackFloor(attestation::Tpm& tpm, TPM2_HANDLE index) {
  auto info = attestation::ReadNvIndexInfo(tpm, index);
  if (!info && info.error().reason == "tpm.handle") {
    if (auto defined = attestation::DefineNvCounter(tpm, index); !defined) {
      return Fail(defined.error());
    }
    info = attestation::ReadNvIndexInfo(tpm, index);
  }
  if (!info) return Fail(info.error());
  if (!info->IsOwnerCounter()) {
    return Fail(ErrorCode::kFailedPrecondition, "gate.nv_foreign",
                "the NV index configured for the rollback floor holds something other than an "
                "owner-authorized noDA counter");
  }
  if (!info->Written()) return attestation::IncrementNvCounter(tpm, index);
  return attestation::ReadNvCounter(tpm, index);
}

Result<uint64_t> RaiseRollbackFloor(attestation::Tpm& tpm, TPM2_HANDLE index, uint64_t version) {
  auto value = EnsureRollbackFloor(tpm, index);
  while (value && *value < version) value = attestation::IncrementNvCounter(tpm, index);
  return value;
}

}  // namespace edgetrust::daemon::gate
