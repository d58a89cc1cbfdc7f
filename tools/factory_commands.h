// The `edgetrust factory ...` commands: the factory provisioning station (docs/factory-station.md).
//
// edgetrust factory provision --profile station.toml
//                             (--tcti TCTI [--serial S] | --batch devices.csv)
//                             [--tag T]... [--pcr-policy ID] [--out-dir DIR]
//                             [--records FILE] [--json] [--jobs N] [--no-progress]
//   Provisions one device (--tcti, default $EDGETRUST_TCTI) or every device of a batch file
//   (tools/factory/device_list.h) as tools/factory/station.h describes: EK and registration id,
//   EK certificate (issued by the profile's [ek_ca] when the TPM has none), individual
//   enrollment with the operator API, configuration bundle in <out-dir>/<registration id>/.
//   --tag adds tags to the profile's and the batch line's, --pcr-policy and --out-dir replace
//   the profile's. Progress (with ETA) goes to stderr; stdout gets the summary table, or with
//   --json one JSON line per device (tools/factory/record.h). Each record is also appended to
//   --records (default <out-dir>/records.jsonl) as the device finishes, for the factory's MES.
//   A re-run is idempotent: every step checks what is there first and says "unchanged".
//   Exit 0 every device provisioned or unchanged; 1 a device failed (the others were still
//   done) or the station could not start (token, service); 2 invalid arguments, profile or
//   batch file (nothing was done).
#ifndef EDGETRUST_TOOLS_FACTORY_COMMANDS_H_
#define EDGETRUST_TOOLS_FACTORY_COMMANDS_H_

#include <CLI/CLI.hpp>

namespace edgetrust::tools {

void AddFactoryProvision(CLI::App& factory, int* rc);

}  // namespace edgetrust::tools

#endif  // EDGETRUST_TOOLS_FACTORY_COMMANDS_H_
