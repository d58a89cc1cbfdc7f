#include "attestation/tpm.h"

#include <tss2/tss2_tctildr.h>

#include <cstdlib>

#include "attestation/tpm_error.h"
#include "attestation/tss_log.h"

namespace edgetrust::attestation {

Result<std::unique_ptr<Tpm>> Tpm::Open(std::string_view tcti) {
  if (tcti.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "tpm.tcti_empty",
                "no TCTI given (e.g. device:/dev/tpmrm0 or swtpm:host=127.0.0.1,port=2321)");
  }
  // Errors reach callers as values; the TSS's own stderr logging would only duplicate them
  // (and report expected outcomes, such as probing an absent handle, as errors).
  SilenceTssLogging();
  std::string conf(tcti);
  TSS2_TCTI_CONTEXT* tcti_ctx = nullptr;
  TSS2_RC rc = Tss2_TctiLdr_Initialize(conf.c_str(), &tcti_ctx);
  if (auto err = TpmError(rc, "Tss2_TctiLdr_Initialize(" + conf + ")")) {
    // A TCTI that is not installed or cannot connect: the TPM is unavailable.
    err->code = ErrorCode::kUnavailable;
    err->reason = "tpm.unavailable";
    return std::unexpected(*err);
  }
  ESYS_CONTEXT* esys = nullptr;
  rc = Esys_Initialize(&esys, tcti_ctx, nullptr);
  if (auto err = TpmError(rc, "Esys_Initialize")) {
    Tss2_TctiLdr_Finalize(&tcti_ctx);
    return std::unexpected(*err);
  }
  return std::unique_ptr<Tpm>(new Tpm(std::move(conf), tcti_ctx, esys));
}

Tpm::~Tpm() {
  Esys_Finalize(&esys_);
  Tss2_TctiLdr_Finalize(&tcti_);
}

}  // namespace edgetrust::attestation
