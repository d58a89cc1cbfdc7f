// Child processes of the agent: modules and the smoke test.
//
// Spawn forks and execs `spec.executable` (an absolute path; no PATH search) with exactly
// `spec.argv` and `spec.env`, in `spec.cwd`, as the leader of a new process group (so a stop
// reaches the children a module forks), with the default signal mask and dispositions,
// standard input from /dev/null and standard output and error on `spec.output_fd` (borrowed).
// Every other descriptor is closed (close_range), on top of O_CLOEXEC everywhere. Everything
// the child needs is built before fork(); the child calls only async-signal-safe functions,
// so Spawn is safe in a multi-threaded process. Exec failures come back through a CLOEXEC
// pipe as SysError "agent.spawn_failed" (the child is reaped), so Spawn returns a pid only
// for a process that is running the new program.
//
// ReapIfExited and StopProcesses must be given pids from Spawn that were not reaped yet.
// Not thread-safe with respect to the same pid.
#ifndef EDGETRUST_DAEMON_AGENT_PROCESS_H_
#define EDGETRUST_DAEMON_AGENT_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"

namespace edgetrust::daemon::agent {

struct SpawnSpec {
  std::string executable{};
  std::vector<std::string> argv{};  // argv[0] included
  std::vector<std::string> env{};   // "NAME=value"
  std::string cwd{};
  int output_fd = -1;  // -1: /dev/null
};

Result<pid_t> Spawn(const SpawnSpec& spec);

// ExitStatus says how a process ended: exit code, or the signal that killed it.
struct ExitStatus {
  int code = 0;    // valid when signal == 0
  int signal = 0;  // non-zero: killed by this signal
  bool success() const { return signal == 0 && code == 0; }
  std::string ToString() const;  // "exit 3", "signal 9 (Killed)"
};

// ReapIfExited returns the status of `pid` if it has exited (without blocking). Before
// reaping the leader it SIGKILLs what is left of its process group, while the zombie still
// holds the group id, so no stray child outlives a module and no recycled id is hit.
std::optional<ExitStatus> ReapIfExited(pid_t pid);

// StopProcesses sends SIGTERM to each group (in the given order), waits up to `grace` for the
// leaders to exit, then SIGKILLs the rest and reaps every one. Blocks at most grace + a
// moment.
void StopProcesses(const std::vector<pid_t>& pids, std::chrono::milliseconds grace);

}  // namespace edgetrust::daemon::agent

#endif  // EDGETRUST_DAEMON_AGENT_PROCESS_H_
