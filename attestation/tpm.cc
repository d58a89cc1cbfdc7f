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
  TSS2_TCTI_CONTEXT* raw_tcti = nullptr;
  TSS2_RC rc = Tss2_TctiLdr_Initialize(conf.c_str(), &raw_tcti);
  TctiLdrPtr inner(raw_tcti);  // null on failure: the loader frees what it made
  if (auto err = TpmError(rc, "Tss2_TctiLdr_Initialize(" + conf + ")")) {
    // A TCTI that is not installed or cannot connect: the TPM is unavailable.
    err->code = ErrorCode::kUnavailable;
    err->reason = "tpm.unavailable";
    return std::unexpected(*err);
  }
  const char* log_path = std::getenv(kTpmCommandLogEnv);
  // From here the wrapper owns the loader's TCTI, whatever fails next.
  auto wrapped = CommandLogTcti::Create(std::move(inner), log_path != nullptr ? log_path : "");
  if (!wrapped) return Fail(wrapped.error());
  ESYS_CONTEXT* esys = nullptr;
  rc = Esys_Initialize(&esys, (*wrapped)->get(), nullptr);
  // On failure Esys_Initialize frees its context itself; `wrapped` frees the TCTI.
  if (auto err = TpmError(rc, "Esys_Initialize")) return std::unexpected(*err);
  return std::unique_ptr<Tpm>(new Tpm(std::move(conf), std::move(*wrapped), esys));
}

Tpm::~Tpm() {
  // ESAPI first: it may still talk to the TCTI, which tcti_ctx_ finalizes after this body.
  Esys_Finalize(&esys_);
}

}  // namespace edgetrust::attestation
