// Tpm is an open connection to one TPM 2.0: it owns the TCTI context and the ESAPI context.
//
// Open takes a TCTI string in tpm2-tools' syntax ("device:/dev/tpmrm0",
// "swtpm:host=127.0.0.1,port=2321", "tabrmd:bus_type=session"). An empty string is rejected
// ("tpm.tcti_empty"): the TCTI loader would silently pick a default TPM. A TCTI that cannot be
// loaded or reached is kUnavailable. The destructor finalizes ESAPI, then the TCTI
// (Esys_Finalize leaves a caller-provided TCTI alone). Unless TSS2_LOG is set, Open silences
// the TSS's own logging to stderr (it sets TSS2_LOG=all+none for the process): errors are
// reported as values instead. Objects referring to this Tpm (TransientHandle,
// PersistentHandle) must be destroyed before it.
//
// Not thread-safe: one thread uses a Tpm at a time. swtpm without a resource manager has only
// three transient object slots, so every transient object and session this layer creates is
// flushed before the call that created it returns (or owned by a TransientHandle).
#ifndef EDGETRUST_ATTESTATION_TPM_H_
#define EDGETRUST_ATTESTATION_TPM_H_

#include <tss2/tss2_esys.h>
#include <tss2/tss2_tcti.h>

#include <memory>
#include <string>
#include <string_view>

#include "common/error.h"

namespace edgetrust::attestation {

class Tpm {
 public:
  static Result<std::unique_ptr<Tpm>> Open(std::string_view tcti);

  Tpm(const Tpm&) = delete;
  Tpm& operator=(const Tpm&) = delete;
  ~Tpm();

  // esys borrows the ESAPI context for a call; it stays owned by this Tpm.
  ESYS_CONTEXT* esys() const { return esys_; }
  const std::string& tcti() const { return tcti_string_; }

 private:
  Tpm(std::string tcti, TSS2_TCTI_CONTEXT* tcti_ctx, ESYS_CONTEXT* esys)
      : tcti_string_(std::move(tcti)), tcti_(tcti_ctx), esys_(esys) {}

  std::string tcti_string_;
  TSS2_TCTI_CONTEXT* tcti_;
  ESYS_CONTEXT* esys_;
};

}  // namespace edgetrust::attestation

#endif  // EDGETRUST_ATTESTATION_TPM_H_
