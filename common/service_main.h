// The command line and signal handling every edgetrust service shares (edgetrust-enrolld,
// edgetrustd): `--config FILE [--check-config]`, stop on SIGTERM/SIGINT.
#ifndef EDGETRUST_COMMON_SERVICE_MAIN_H_
#define EDGETRUST_COMMON_SERVICE_MAIN_H_

#include <signal.h>

#include <optional>
#include <string>
#include <string_view>

namespace edgetrust {

struct ServiceFlags {
  std::string config_path;
  bool check_only = false;
};

// ParseServiceFlags reads `--config FILE` (or `--config=FILE`), `--check-config` and
// `--help`. When the program should exit instead of running (help printed, or a usage error
// printed to stderr with `usage`), it returns nullopt and sets `*exit_code` (0 or 2).
std::optional<ServiceFlags> ParseServiceFlags(int argc, char** argv, std::string_view program,
                                              std::string_view usage, int* exit_code);

// BlockStopSignals blocks SIGTERM and SIGINT for the calling thread and every thread it starts
// afterwards (call it before any thread exists) and ignores SIGPIPE; WaitForStopSignal then
// returns the signal that asked the service to stop.
sigset_t BlockStopSignals();
int WaitForStopSignal(const sigset_t& signals);

}  // namespace edgetrust

#endif  // EDGETRUST_COMMON_SERVICE_MAIN_H_
