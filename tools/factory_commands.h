// The `edgetrust factory ...` commands: the factory provisioning station (docs/factory-station.md).
//
// edgetrust factory provision --profile station.toml
//                             (--tcti TCTI [--serial S] | --batch devices.csv)
//                             [--tag T]... [--pcr-policy ID] [--out-dir DIR | --image-root DIR]
//                             [--records FILE] [--json] [--jobs N] [--no-progress]
//   Provisions one device (--tcti, default $EDGETRUST_TCTI) or every device of a batch file
//   (tools/factory/device_list.h) as tools/factory/station.h describes: EK and registration id,
//   EK certificate (issued by the profile's [ek_ca] when the TPM has none), individual
//   enrollment with the operator API, configuration bundle in <out-dir>/<registration id>/, or
//   for one device with --image-root, into a mounted device image at <image-root><install_dir>
//   (the profile must name install_dir).
//   Every TCTI is checked first (tools/factory/tcti_policy.h: no "cmd:" or library paths;
//   software TPMs only with [station] software_tpm = true). --tag adds tags to the profile's
//   and the batch line's, --pcr-policy and --out-dir replace the profile's. Progress (with ETA)
//   goes to stderr; stdout gets the summary table, or with
//   --json one JSON line per device (tools/factory/record.h). Each record is also appended to
//   --records (default <out-dir>/records.jsonl) as the device finishes and synced, for the
//   factory's MES (a record that cannot be saved is printed whole on stderr, and the exit
//   status is 1). Nothing is written before the station has opened its tokens and reached
//   the service.
//   A re-run is idempotent: every step checks what is there first and says "unchanged".
//   Exit 0 every device provisioned or unchanged and recorded; 1 a device failed (the others
//   were still done), a record could not be saved, or the station could not start (token,
//   service unreachable); 2 invalid arguments, profile, batch file, TCTI or credentials
//   (kInvalidArgument: nothing was done).
#ifndef EDGETRUST_TOOLS_FACTORY_COMMANDS_H_
#define EDGETRUST_TOOLS_FACTORY_COMMANDS_H_

#include <CLI/CLI.hpp>

namespace edgetrust::tools {

void AddFactoryProvision(CLI::App& factory, int* rc);

}  // namespace edgetrust::tools

#endif  // EDGETRUST_TOOLS_FACTORY_COMMANDS_H_
