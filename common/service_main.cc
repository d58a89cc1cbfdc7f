#include "common/service_main.h"

#include <pthread.h>

#include <iostream>

namespace edgetrust {

std::optional<ServiceFlags> ParseServiceFlags(int argc, char** argv, std::string_view program,
                                              std::string_view usage, int* exit_code) {
  ServiceFlags flags;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--config" && i + 1 < argc) {
      flags.config_path = argv[++i];
    } else if (arg.starts_with("--config=")) {
      flags.config_path = std::string(arg.substr(9));
    } else if (arg == "--check-config") {
      flags.check_only = true;
    } else if (arg == "--help" || arg == "-h") {
      std::cout << usage;
      *exit_code = 0;
      return std::nullopt;
    } else {
      std::cerr << program << ": unknown argument '" << arg << "'\n" << usage;
      *exit_code = 2;
      return std::nullopt;
    }
  }
  if (flags.config_path.empty()) {
    std::cerr << usage;
    *exit_code = 2;
    return std::nullopt;
  }
  return flags;
}

sigset_t BlockStopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  return signals;
}

int WaitForStopSignal(const sigset_t& signals) {
  int sig = 0;
  sigwait(&signals, &sig);
  return sig;
}

}  // namespace edgetrust
