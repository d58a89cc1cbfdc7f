// The `edgetrust device ...` commands: a local operator's view of edgetrustd through its
// local API (docs/daemon-local-api.md), as a principal of the daemon's config. Every command
// takes --socket (default $EDGETRUSTD_SOCKET, else /run/edgetrust/edgetrustd.sock).
// Exit codes: 0 success, 1 the daemon refused or could not be reached, 2 usage errors.
#ifndef EDGETRUST_TOOLS_DEVICE_COMMANDS_H_
#define EDGETRUST_TOOLS_DEVICE_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <string>

#include "daemon/api/wire.h"

namespace edgetrust::tools {

// Each Add* registers one subcommand on `device`; the subcommand stores its exit code in *rc.
void AddDeviceStatus(CLI::App& device, int* rc);
void AddDeviceCertificate(CLI::App& device, int* rc);
void AddDeviceReenroll(CLI::App& device, int* rc);
void AddDeviceFactoryReset(CLI::App& device, int* rc);

// DefaultDeviceSocket is $EDGETRUSTD_SOCKET, else the daemon's default socket path.
std::string DefaultDeviceSocket();

// AddSocketOption adds --socket to `cmd`, stored in `*socket` (preset to the default).
void AddSocketOption(CLI::App& cmd, std::string* socket);

// FormatStatus renders a status for people, one "name: value" line per known field.
std::string FormatStatus(const daemon::api::StatusResponse& status);

}  // namespace edgetrust::tools

#endif  // EDGETRUST_TOOLS_DEVICE_COMMANDS_H_
