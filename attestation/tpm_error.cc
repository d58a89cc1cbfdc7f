#include "attestation/tpm_error.h"

#include <tss2/tss2_rc.h>
#include <tss2/tss2_tpm2_types.h>

#include <cstdio>
#include <string>

namespace edgetrust::attestation {
namespace {

struct Classified {
  ErrorCode code;
  const char* reason;
};

Classified Classify(TSS2_RC rc) {
  const TSS2_RC layer = rc & TSS2_RC_LAYER_MASK;
  const TSS2_RC base = rc & 0xFFFF;
  if (layer != TSS2_TPM_RC_LAYER) {
    if (base == TSS2_BASE_RC_IO_ERROR || base == TSS2_BASE_RC_TRY_AGAIN ||
        base == TSS2_BASE_RC_NO_CONNECTION) {
      return {ErrorCode::kUnavailable, "tpm.unavailable"};
    }
    return {ErrorCode::kInternal, "tpm.command_failed"};
  }
  if ((rc & TPM2_RC_FMT1) != 0) {
    switch (rc & (TPM2_RC_FMT1 | 0x3F)) {
      case TPM2_RC_INTEGRITY:
        return {ErrorCode::kPermissionDenied, "tpm.integrity"};
      case TPM2_RC_POLICY_FAIL:
        return {ErrorCode::kPermissionDenied, "tpm.policy_fail"};
      case TPM2_RC_AUTH_FAIL:
      case TPM2_RC_BAD_AUTH:
        return {ErrorCode::kPermissionDenied, "tpm.auth_fail"};
      case TPM2_RC_HANDLE:
        return {ErrorCode::kNotFound, "tpm.handle"};
      default:
        return {ErrorCode::kFailedPrecondition, "tpm.command_failed"};
    }
  }
  switch (rc & 0xFFF) {
    case TPM2_RC_OBJECT_MEMORY:
    case TPM2_RC_SESSION_MEMORY:
    case TPM2_RC_OBJECT_HANDLES:
    case TPM2_RC_SESSION_HANDLES:
    case TPM2_RC_NV_SPACE:
      return {ErrorCode::kResourceExhausted, "tpm.object_memory"};
    case TPM2_RC_LOCKOUT:
      return {ErrorCode::kUnavailable, "tpm.lockout"};
    case TPM2_RC_NV_UNINITIALIZED:
      return {ErrorCode::kFailedPrecondition, "tpm.nv_uninitialized"};
    case TPM2_RC_RETRY:
    case TPM2_RC_YIELDED:
    case TPM2_RC_TESTING:
      return {ErrorCode::kUnavailable, "tpm.unavailable"};
    default:
      return {ErrorCode::kFailedPrecondition, "tpm.command_failed"};
  }
}

}  // namespace

std::optional<Error> TpmError(TSS2_RC rc, std::string_view call) {
  if (rc == TSS2_RC_SUCCESS) return std::nullopt;
  Classified c = Classify(rc);
  char hex[16];
  std::snprintf(hex, sizeof(hex), "0x%X", rc);
  std::string message(call);
  message += " (";
  message += hex;
  message += "): ";
  message += Tss2_RC_Decode(rc);  // copied now: the decoder's buffer is reused per call
  return Error{c.code, c.reason, std::move(message), rc};
}

}  // namespace edgetrust::attestation
