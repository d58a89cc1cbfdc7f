// edgetrust device status [--json]: the daemon's state machine as the local API reports it.
#include <cstdio>
#include <memory>
#include <string>

#include "daemon/api/local_client.h"
#include "tools/cli_util.h"
#include "tools/device_commands.h"

namespace edgetrust::tools {

void AddDeviceStatus(CLI::App& device, int* rc) {
  struct Options {
    std::string socket;
    bool json = false;
  };
  auto opt = std::make_shared<Options>();
  CLI::App* cmd = device.add_subcommand("status", "Show the device daemon's enrollment state");
  AddSocketOption(*cmd, &opt->socket);
  cmd->add_flag("--json", opt->json, "print the status as JSON (the local API's shape)");
  cmd->callback([opt, rc] {
    daemon::api::LocalClient client({opt->socket});
    auto status = client.GetStatus();
    if (!status) {
      *rc = ReportError("device status", status.error());
      return;
    }
    if (opt->json) {
      std::printf("%s\n", daemon::api::ToJson(*status).c_str());
    } else {
      std::fputs(FormatStatus(*status).c_str(), stdout);
    }
  });
}

}  // namespace edgetrust::tools
