// The agent's status file, <work-dir>/agent-status.json: what the agent runs now, for tests,
// demos and operators (docs/agent.md). Rewritten atomically (common/file.h, 0600) after every
// change; readers see the old or the new file, never a torn one:
//
//   {"deployment_id": "d1", "version": 3, "state": "pending|healthy|none",
//    "health": "pending|healthy|failed|none",
//    "modules": [{"name": "sensor", "state": "running|backoff|exited|stopped", "pid": 1234,
//                 "exe": "<work-dir>/run/sensor.0a1b.../bin/sensor", "dir":
//                 "<work-dir>/run/sensor.0a1b...", "sha256": "<hex>", "restarts": 0, "last_exit":
//                 "exit 1"}]}
//
// "state" is the gate's state of the plan, "health" the agent's verdict on it; "none" with an
// empty deployment_id means the gate has no deployment. "exe" is readlink(/proc/<pid>/exe) at
// the moment of writing ("" when the module does not run or has already gone). Thread-safe.
#ifndef EDGETRUST_DAEMON_AGENT_STATUS_FILE_H_
#define EDGETRUST_DAEMON_AGENT_STATUS_FILE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "common/error.h"
#include "daemon/agent/supervisor.h"

namespace edgetrust::daemon::agent {

struct AgentStatus {
  std::string deployment_id;
  uint64_t version = 0;
  std::string state = "none";
  std::string health = "none";
  std::vector<ModuleSnapshot> modules;
};

std::string StatusJson(const AgentStatus& status);

// WriteStatusFile replaces `path` with StatusJson(status); errors are common/file.h's.
Status WriteStatusFile(const std::string& path, const AgentStatus& status);

// ProcessExe is readlink(/proc/<pid>/exe), "" when it cannot be read.
std::string ProcessExe(pid_t pid);

}  // namespace edgetrust::daemon::agent

#endif  // EDGETRUST_DAEMON_AGENT_STATUS_FILE_H_
