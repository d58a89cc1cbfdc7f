#include "attestation/tss_log.h"

#include <cstdlib>
#include <mutex>

namespace edgetrust::attestation {

void SilenceTssLogging() {
  static std::once_flag once;
  std::call_once(once, [] { ::setenv("TSS2_LOG", "all+none", /*overwrite=*/0); });
}

}  // namespace edgetrust::attestation
