// TpmError turns a TSS2 response code into an edgetrust Error at the call site.
//
// The text comes from Tss2_RC_Decode and is copied at once (it lives in a thread-local
// buffer). Error::native holds the raw TSS2_RC. Reasons are stable:
//   tpm.integrity        (TPM_RC_INTEGRITY: a credential/blob bound to another key or TPM)
//   tpm.policy_fail      (a policy session did not satisfy the object's policy)
//   tpm.auth_fail        (wrong authorization value)
//   tpm.object_memory    (no free transient slot: someone leaked a handle)
//   tpm.lockout          (dictionary-attack lockout)
//   tpm.nv_uninitialized (NV index defined but never written)
//   tpm.handle           (handle does not exist or has the wrong type)
//   tpm.unavailable      (TCTI could not reach the TPM)
//   tpm.command_failed   (anything else)
#ifndef EDGETRUST_ATTESTATION_TPM_ERROR_H_
#define EDGETRUST_ATTESTATION_TPM_ERROR_H_

#include <tss2/tss2_common.h>

#include <optional>
#include <string_view>

#include "common/error.h"

namespace edgetrust::attestation {

// TpmError maps `rc` to an Error naming `call`; TSS2_RC_SUCCESS yields std::nullopt.
std::optional<Error> TpmError(TSS2_RC rc, std::string_view call);

}  // namespace edgetrust::attestation

#endif  // EDGETRUST_ATTESTATION_TPM_ERROR_H_
