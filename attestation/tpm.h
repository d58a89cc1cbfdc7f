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
// Command counting: every Tpm sends its commands through a CommandLogTcti (command_log.h), so
// commands_sent() counts them. When the environment variable EDGETRUST_TPM_COMMAND_LOG names a
// file, Open also appends one line per command, its name ("ReadPublic"), to that file (created
// 0600, opened O_APPEND|O_CLOEXEC; one write() per line, so processes sharing the file do not
// interleave); a file that cannot be opened fails Open with kFailedPrecondition
// "tpm.command_log". The log holds command codes only, never handles, parameters or
// responses. Read it back with ReadTpmCommandLog. Open and the destructor send no command
// themselves (Esys_Initialize does not talk to the TPM; Esys_Finalize flushes nothing).
//
// Not thread-safe: one thread uses a Tpm at a time; commands_sent() may be read from any
// thread. swtpm without a resource manager has only three transient object slots, so every
// transient object and session this layer creates is flushed before the call that created it
// returns (or owned by a TransientHandle).
#ifndef EDGETRUST_ATTESTATION_TPM_H_
#define EDGETRUST_ATTESTATION_TPM_H_

#include <tss2/tss2_esys.h>
#include <tss2/tss2_tcti.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "attestation/command_log.h"
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
  // commands_sent counts the TPM commands sent through this Tpm since Open, including those
  // ESAPI sends on its own (Esys_TR_FromTPMPublic's ReadPublic, resubmissions) and the
  // FlushContext of TransientHandle destructors.
  uint64_t commands_sent() const { return tcti_ctx_->commands_sent(); }

 private:
  Tpm(std::string tcti, std::unique_ptr<CommandLogTcti> tcti_ctx, ESYS_CONTEXT* esys)
      : tcti_string_(std::move(tcti)), tcti_ctx_(std::move(tcti_ctx)), esys_(esys) {}

  std::string tcti_string_;
  // Destroyed (finalizing the TCTI) after the destructor body has finalized ESAPI.
  std::unique_ptr<CommandLogTcti> tcti_ctx_;
  ESYS_CONTEXT* esys_;
};

}  // namespace edgetrust::attestation

#endif  // EDGETRUST_ATTESTATION_TPM_H_
