// edgetrust device certificate [--out FILE]: the device certificate and its CA chain (PEM),
// to stdout or to FILE (written atomically, 0644: certificates are public).
#include <cstdio>
#include <memory>
#include <string>

#include "daemon/api/local_client.h"
#include "tools/cli_util.h"
#include "tools/device_commands.h"

namespace edgetrust::tools {

void AddDeviceCertificate(CLI::App& device, int* rc) {
  struct Options {
    std::string socket;
    std::string out;
  };
  auto opt = std::make_shared<Options>();
  CLI::App* cmd = device.add_subcommand("certificate", "Print the device certificate chain (PEM)");
  AddSocketOption(*cmd, &opt->socket);
  cmd->add_option("--out", opt->out, "write the chain to this file (0644) instead of stdout");
  cmd->callback([opt, rc] {
    daemon::api::LocalClient client({opt->socket});
    auto pem = client.GetCertificateChainPem();
    if (!pem) {
      *rc = ReportError("device certificate", pem.error());
      return;
    }
    if (opt->out.empty()) {
      std::fputs(pem->c_str(), stdout);
      return;
    }
    if (auto written = WriteOutput(opt->out, AsBytes(*pem)); !written) {
      *rc = ReportError("device certificate", written.error());
    }
  });
}

}  // namespace edgetrust::tools
