// Read-only questions to a TPM: who made it, which firmware, which handles are in use.
// Each call sends one or a few TPM2_GetCapability commands. Not thread-safe (like Tpm).
#ifndef EDGETRUST_ATTESTATION_CAPABILITIES_H_
#define EDGETRUST_ATTESTATION_CAPABILITIES_H_

#include <tss2/tss2_tpm2_types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "attestation/tpm.h"
#include "common/error.h"

namespace edgetrust::attestation {

struct TpmInfo {
  std::string manufacturer;   // the 4-character vendor id, e.g. "IBM", "IFX", "STM"
  std::string vendor_string;  // TPM2_PT_VENDOR_STRING_1..4, trimmed
  uint64_t firmware_version;  // TPM2_PT_FIRMWARE_VERSION_1 << 32 | _2
  std::string spec_family;    // "2.0"
  uint32_t spec_level = 0;
  uint32_t spec_revision = 0;  // e.g. 164 for 1.64
  uint32_t spec_year = 0;
};

Result<TpmInfo> GetTpmInfo(Tpm& tpm);

// GetTpmProperty reads one TPM2_PT_* fixed or variable property.
Result<uint32_t> GetTpmProperty(Tpm& tpm, TPM2_PT property);

enum class HandleKind { kTransient, kPersistent, kNvIndex, kLoadedSession };

// ListHandles returns every handle of `kind` currently in use, ascending.
Result<std::vector<TPM2_HANDLE>> ListHandles(Tpm& tpm, HandleKind kind);

// ReadClockMs is TPM2_ReadClock's clockInfo.clock: milliseconds the TPM has been powered
// since its last TPM2_Clear. It only moves forward (a power loss without orderly shutdown can
// lose the time since it was last saved to NV), and no software clock setting touches it,
// which makes it the daemon's witness that time has passed (THREATS D6).
Result<uint64_t> ReadClockMs(Tpm& tpm);

// TpmBootCounts identifies one TPM power cycle: resetCount counts TPM Resets (TPM2_Startup(CLEAR)
// after a power loss or reset), restartCount TPM Restarts and Resumes since the last Reset.
// PCRs keep their values only while both stay the same (a Resume keeps them too, which is why
// a change is "maybe reset", never "surely kept"). From TPM2_ReadClock, unobfuscated.
struct TpmBootCounts {
  uint32_t reset_count = 0;
  uint32_t restart_count = 0;
  bool operator==(const TpmBootCounts&) const = default;
};
Result<TpmBootCounts> ReadBootCounts(Tpm& tpm);

}  // namespace edgetrust::attestation

#endif  // EDGETRUST_ATTESTATION_CAPABILITIES_H_
