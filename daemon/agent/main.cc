// edgetrust-agent: the reference agent of the module gate (docs/agent.md). Thin: flags, the
// work directory, then Agent::Run (or RunOnce with --once); stops its modules and exits 0 on
// SIGTERM/SIGINT.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string_view>
#include <vector>

#include "common/log.h"
#include "daemon/agent/agent.h"
#include "daemon/agent/agent_options.h"
#include "daemon/agent/signal_waiter.h"

namespace {

// Descriptors 0-2 must be taken, so that no file the agent opens becomes a child's stdout.
void EnsureStandardDescriptors() {
  for (int fd = 0; fd < 3; ++fd) {
    if (::fcntl(fd, F_GETFD) < 0 && ::open("/dev/null", O_RDWR) < 0) std::_Exit(2);
  }
}

int Run(int argc, char** argv) {
  using namespace edgetrust::daemon::agent;
  EnsureStandardDescriptors();
  std::vector<std::string_view> args(argv + 1, argv + argc);
  auto options = ParseAgentFlags(args);
  if (!options) {
    std::cerr << "edgetrust-agent: " << options.error().message << "\n" << kAgentUsage;
    return 2;
  }
  if (options->help) {
    std::cout << kAgentUsage;
    return 0;
  }
  edgetrust::SetLogLevel(options->log_level);
  SignalWaiter waiter;  // before any thread exists
  ::umask(0077);
  const bool once = options->once;
  auto agent = Agent::Create(std::move(*options));
  if (!agent) {
    std::cerr << "edgetrust-agent: " << agent.error().ToString() << "\n";
    return 2;
  }
  edgetrust::LogInfo("edgetrust-agent: running, status file " + (*agent)->status_path());
  return once ? (*agent)->RunOnce(waiter) : (*agent)->Run(waiter);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "edgetrust-agent: fatal: " << e.what() << "\n";
    return 1;
  }
}
