// edgetrust device reenroll: ask the daemon to enroll again now (after a revocation was
// lifted, or to skip a backoff); prints the status right after the request was queued.
#include <cstdio>
#include <memory>
#include <string>

#include "daemon/api/local_client.h"
#include "tools/cli_util.h"
#include "tools/device_commands.h"

namespace edgetrust::tools {

void AddDeviceReenroll(CLI::App& device, int* rc) {
  auto socket = std::make_shared<std::string>();
  CLI::App* cmd = device.add_subcommand("reenroll", "Start a fresh enrollment now");
  AddSocketOption(*cmd, socket.get());
  cmd->callback([socket, rc] {
    daemon::api::LocalClient client({*socket});
    auto status = client.Reenroll();
    if (!status) {
      *rc = ReportError("device reenroll", status.error());
      return;
    }
    std::printf("re-enrollment requested\n%s", FormatStatus(*status).c_str());
  });
}

}  // namespace edgetrust::tools
