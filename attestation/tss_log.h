// SilenceTssLogging stops tpm2-tss from printing its own log lines to stderr unless the
// operator asked for them (TSS2_LOG already set). Errors are values in edgetrust; and the
// marshalling library logs every malformed structure it is fed, which would let a remote
// client flood the enrollment service's log with attacker-chosen input.
//
// It sets TSS2_LOG=all+none once per process (idempotent, thread-safe among its callers).
// setenv races with concurrent getenv elsewhere, so executables call it at the start of main;
// Tpm::Open and Unmarshal call it too as a safety net.
#ifndef EDGETRUST_ATTESTATION_TSS_LOG_H_
#define EDGETRUST_ATTESTATION_TSS_LOG_H_

namespace edgetrust::attestation {

void SilenceTssLogging();

}  // namespace edgetrust::attestation

#endif  // EDGETRUST_ATTESTATION_TSS_LOG_H_
