// ChildProcess owns one child process started with fork/execve (internal to edgetrust_swtpm).
//
// The child gets stdin from /dev/null, stdout and stderr appended to a file, the caller's
// environment, default signal dispositions and an empty signal mask. Every descriptor except
// 0-2 and SpawnSpec::inherit_fds is closed on exec. The child receives SIGKILL when the thread
// that spawned it dies (PR_SET_PDEATHSIG), so a crashed test leaves nothing behind; spawn only
// from a thread that outlives the child. Between fork and execve the child makes only
// async-signal-safe calls, so spawning from a multi-threaded process is safe.
//
// A ChildProcess is move-only and not thread-safe. Destroying one whose child still runs sends
// SIGKILL (to its process group when it leads one) and reaps it. The process must not ignore
// SIGCHLD, or exit statuses are lost.
#ifndef EDGETRUST_SWTPM_CHILD_PROCESS_H_
#define EDGETRUST_SWTPM_CHILD_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace edgetrust::swtpm {

struct SpawnSpec {
  std::string program;             // absolute path: no PATH search happens after fork
  std::vector<std::string> args;   // argv[1..]; argv[0] is `program`
  std::string output_path;         // stdout and stderr are appended here (created 0600)
  std::vector<int> inherit_fds;    // stay open in the child under the same numbers (>= 3)
  bool own_process_group = false;  // the child leads a new process group; signals reach it all
};

class ChildProcess {
 public:
  // Spawn starts the child and returns once execve succeeded. Errors: kNotFound
  // "swtpm.exec_failed" (program missing), kUnavailable "swtpm.spawn_failed" (fork, pipe,
  // output file or execve failure).
  static Result<ChildProcess> Spawn(const SpawnSpec& spec);

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  // pid is the child's pid while it has not been reaped, -1 afterwards.
  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }

  // Poll reaps the child if it has exited and returns its wait status; nullopt while it runs.
  std::optional<int> Poll();
  // WaitFor waits up to `timeout` for the child to exit; nullopt if it still runs.
  std::optional<int> WaitFor(std::chrono::milliseconds timeout);
  // Terminate sends SIGTERM, waits up to `grace`, then sends SIGKILL, and reaps the child.
  // Returns the wait status (the saved one if the child was reaped before).
  int Terminate(std::chrono::milliseconds grace);

 private:
  ChildProcess(pid_t pid, bool group) : pid_(pid), group_(group) {}
  void Signal(int sig) const;
  void KillAndReap() noexcept;

  pid_t pid_ = -1;
  bool group_ = false;
  int status_ = 0;
};

// FindExecutable looks `name` up in $PATH. Errors: kNotFound "swtpm.tool_missing".
Result<std::string> FindExecutable(std::string_view name);

// DescribeWaitStatus renders a wait status: "exit status 3", "killed by signal 9".
std::string DescribeWaitStatus(int status);

// ReadTail returns the last `max_lines` lines of the file at `path`, "" if it is unreadable.
std::string ReadTail(const std::string& path, size_t max_lines = 15);

}  // namespace edgetrust::swtpm

#endif  // EDGETRUST_SWTPM_CHILD_PROCESS_H_
