// AgentOptions is the reference agent's configuration, and ParseAgentFlags reads it from the
// command line of `edgetrust-agent` (docs/agent.md):
//
//   --socket PATH            the daemon's local API socket (default
//                            /run/edgetrust/edgetrustd.sock)
//   --work-dir DIR           required; agent-owned, created 0700 (run/, logs/, the status file)
//   --smoke-test CMD         the smoke test command, split on spaces: "CMD ARG ARG"
//   --smoke-arg ARG          appends one argument verbatim (repeatable; for arguments with
//                            spaces); needs --smoke-test
//   --smoke-timeout DURATION default 30s
//   --poll DURATION          default 5s
//   --once                   apply the current plan once, report, stop, exit 0/1
//   --log-level LEVEL        debug | info | warning | error (default info)
//   --help
// Every flag also accepts --flag=VALUE. A DURATION is a positive integer with a unit: ms, s,
// m or h ("500ms", "30s", "2m"), at most 24h.
//
// Errors are kInvalidArgument "agent.usage" with a message for the user. Pure, thread-safe.
#ifndef EDGETRUST_DAEMON_AGENT_AGENT_OPTIONS_H_
#define EDGETRUST_DAEMON_AGENT_AGENT_OPTIONS_H_

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "common/log.h"

namespace edgetrust::daemon::agent {

struct AgentOptions {
  std::string socket_path = "/run/edgetrust/edgetrustd.sock";
  std::string work_dir;
  std::vector<std::string> smoke_test;  // argv; empty: no smoke test (see docs/agent.md)
  std::chrono::milliseconds smoke_timeout{30000};
  std::chrono::milliseconds poll{5000};
  bool once = false;
  LogLevel log_level = LogLevel::kInfo;
  bool help = false;  // --help was given: print the usage and exit 0
};

// kAgentUsage is the text --help prints.
extern const char* const kAgentUsage;

Result<std::chrono::milliseconds> ParseDuration(std::string_view text);

Result<AgentOptions> ParseAgentFlags(const std::vector<std::string_view>& args);

}  // namespace edgetrust::daemon::agent

#endif  // EDGETRUST_DAEMON_AGENT_AGENT_OPTIONS_H_
