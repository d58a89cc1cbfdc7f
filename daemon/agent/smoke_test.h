// RunSmokeTest runs the operator's smoke test against the modules just started and returns
// the verdict (docs/agent.md "Smoke test").
//
// The command (argv[0] with a '/' is taken relative to the agent's working directory, else
// looked up in the agent's PATH) runs in `cwd` with the agent's environment plus
// EDGETRUST_DEPLOYMENT_ID, EDGETRUST_DEPLOYMENT_VERSION and EDGETRUST_AGENT_STATUS (the status
// file, already written), output appended to `log_path`. It passes only if it exits 0 within
// `timeout` while no module exits. A timeout SIGTERMs the test's process group (SIGKILL one
// second later); a module exit or a stop signal ends it the same way. While it runs,
// `supervisor` is polled, so restarts happen as usual. Not thread-safe.
#ifndef EDGETRUST_DAEMON_AGENT_SMOKE_TEST_H_
#define EDGETRUST_DAEMON_AGENT_SMOKE_TEST_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "daemon/agent/signal_waiter.h"
#include "daemon/agent/supervisor.h"

namespace edgetrust::daemon::agent {

struct SmokeTestSpec {
  std::vector<std::string> argv;
  std::chrono::milliseconds timeout{30000};
  std::string deployment_id;
  uint64_t version = 0;
  std::string status_path;
  std::string log_path;
  std::string cwd;
};

enum class SmokeVerdict { kPassed, kFailed, kInterrupted };

struct SmokeResult {
  SmokeVerdict verdict = SmokeVerdict::kFailed;
  std::string detail;  // why it failed, for the gate's log ("" when passed)
};

SmokeResult RunSmokeTest(const SmokeTestSpec& spec, Supervisor& supervisor, SignalWaiter& waiter);

}  // namespace edgetrust::daemon::agent

#endif  // EDGETRUST_DAEMON_AGENT_SMOKE_TEST_H_
