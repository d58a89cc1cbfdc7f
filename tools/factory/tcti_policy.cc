#include "tools/factory/tcti_policy.h"

#include <string>

namespace edgetrust::factory {
namespace {

std::unexpected<Error> Refused(std::string_view tcti, std::string_view why) {
  return Fail(ErrorCode::kInvalidArgument, "factory.tcti_refused",
              "TCTI \"" + std::string(tcti) + "\": " + std::string(why));
}

// IsTpmDevice: /dev/tpmrm<N> or /dev/tpm<N>, N decimal.
bool IsTpmDevice(std::string_view path) {
  for (std::string_view prefix : {"/dev/tpmrm", "/dev/tpm"}) {
    if (!path.starts_with(prefix)) continue;
    std::string_view n = path.substr(prefix.size());
    if (!n.empty() && n.size() <= 3 &&
        n.find_first_not_of("0123456789") == std::string_view::npos) {
      return true;
    }
  }
  return false;
}

}  // namespace

Status CheckTcti(std::string_view tcti, bool allow_software) {
  const size_t colon = tcti.find(':');
  const std::string_view loader = tcti.substr(0, colon);
  const std::string_view config =
      colon == std::string_view::npos ? std::string_view{} : tcti.substr(colon + 1);
  if (loader == "device") {
    if (colon == std::string_view::npos || IsTpmDevice(config)) return Ok();
    return Refused(tcti, "a device TCTI must name /dev/tpmrm<N> or /dev/tpm<N>");
  }
  if (loader == "tabrmd") return Ok();
  if (loader == "swtpm" || loader == "mssim") {
    if (allow_software) return Ok();
    return Refused(tcti,
                   "a software TPM; the factory CA certifies only TPMs attached to this station "
                   "(test rigs: [station] software_tpm = true)");
  }
  return Refused(tcti,
                 "only device, tabrmd (and swtpm or mssim on test rigs) are opened; "
                 "\"cmd\" and library paths would run code in the station");
}

}  // namespace edgetrust::factory
