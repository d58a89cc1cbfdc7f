// edgetrust: the operator command line.
#include <CLI/CLI.hpp>

#include "tools/ca_commands.h"
#include "tools/device_commands.h"
#include "tools/factory_commands.h"
#include "tools/manifest_commands.h"
#include "tools/tpm_commands.h"

int main(int argc, char** argv) {
  CLI::App app{"edgetrust: device identity and attestation tools"};
  app.require_subcommand(1);
  int rc = 0;
  CLI::App* tpm = app.add_subcommand("tpm", "Diagnose a device's TPM");
  tpm->require_subcommand(1);
  edgetrust::tools::AddTpmInfo(*tpm, &rc);
  edgetrust::tools::AddTpmEk(*tpm, &rc);
  edgetrust::tools::AddTpmQuote(*tpm, &rc);
  edgetrust::tools::AddTpmEnroll(*tpm, &rc);
  CLI::App* ca = app.add_subcommand("ca", "Create and inspect the enrollment CA (key in an HSM)");
  ca->require_subcommand(1);
  edgetrust::tools::AddCaInit(*ca, &rc);
  edgetrust::tools::AddCaShow(*ca, &rc);
  CLI::App* device = app.add_subcommand("device", "Query and control this device's edgetrustd");
  device->require_subcommand(1);
  edgetrust::tools::AddDeviceStatus(*device, &rc);
  edgetrust::tools::AddDeviceCertificate(*device, &rc);
  edgetrust::tools::AddDeviceReenroll(*device, &rc);
  edgetrust::tools::AddDeviceFactoryReset(*device, &rc);
  CLI::App* manifest =
      app.add_subcommand("manifest", "Sign and verify deployment manifests for the module gate");
  manifest->require_subcommand(1);
  edgetrust::tools::AddManifestSign(*manifest, &rc);
  edgetrust::tools::AddManifestVerify(*manifest, &rc);
  CLI::App* factory = app.add_subcommand("factory", "The factory provisioning station");
  factory->require_subcommand(1);
  edgetrust::tools::AddFactoryProvision(*factory, &rc);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" with exit code 0; every real usage error exits 2, the
    // code ReportError gives invalid arguments, whatever CLI11's own numbering.
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  return rc;
}
