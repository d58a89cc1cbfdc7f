// ProbeTpm checks that a TPM 2.0 answers raw commands on 127.0.0.1:port (internal to
// edgetrust_swtpm).
//
// It connects, sends TPM2_GetRandom(2) — a command that needs no session and no objects — and
// reads the response header. It needs no TCTI and no tpm2-tools. Thread-safe (no shared state).
#ifndef EDGETRUST_SWTPM_TPM_PROBE_H_
#define EDGETRUST_SWTPM_TPM_PROBE_H_

#include <chrono>
#include <cstdint>

#include "common/error.h"

namespace edgetrust::swtpm {

// ProbeTpm makes one attempt within `timeout`. Errors: kUnavailable "swtpm.not_ready"
// (refused, timed out, closed) and kUnavailable "swtpm.bad_response" (an answer that is not
// a successful TPM 2.0 response; Error::native holds its response code when there is one).
Status ProbeTpm(uint16_t port, std::chrono::milliseconds timeout);

}  // namespace edgetrust::swtpm

#endif  // EDGETRUST_SWTPM_TPM_PROBE_H_
