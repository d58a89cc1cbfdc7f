// edgetrust device factory-reset --yes: the daemon evicts its TPM keys, deletes its
// certificate and state and starts over as on a first boot. Irreversible, hence --yes.
#include <cstdio>
#include <memory>
#include <string>

#include "daemon/api/local_client.h"
#include "tools/cli_util.h"
#include "tools/device_commands.h"

namespace edgetrust::tools {

void AddDeviceFactoryReset(CLI::App& device, int* rc) {
  struct Options {
    std::string socket;
    bool yes = false;
  };
  auto opt = std::make_shared<Options>();
  CLI::App* cmd = device.add_subcommand(
      "factory-reset", "Delete the device's keys, certificate and state, then enroll anew");
  AddSocketOption(*cmd, &opt->socket);
  cmd->add_flag("--yes", opt->yes, "confirm: the identity and its certificate are lost");
  cmd->callback([opt, rc] {
    if (!opt->yes) {
      *rc = ReportError("device factory-reset",
                        Error{ErrorCode::kInvalidArgument, "cli.confirmation_required",
                              "this deletes the device's keys and certificate; pass --yes"});
      return;
    }
    daemon::api::LocalClient client({opt->socket});
    auto status = client.FactoryReset();
    if (!status) {
      *rc = ReportError("device factory-reset", status.error());
      return;
    }
    std::printf("factory reset done\n%s", FormatStatus(*status).c_str());
  });
}

}  // namespace edgetrust::tools
