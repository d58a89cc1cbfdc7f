// Supervisor runs the modules of one deployment plan and applies their restart policies.
//
// Start(modules) prepares (image_prepare.h) and starts every module whose status is "running",
// in startup order then by name; modules with status "stopped" are listed but neither
// prepared nor started. A module runs its verified entrypoint with cwd = its verified
// directory and an environment of exactly: the plan's env, PATH=/usr/bin:/bin unless the plan
// sets PATH, EDGETRUST_MODULE_NAME and EDGETRUST_CREATE_OPTIONS (the create_options JSON
// text); a plan env that sets either EDGETRUST_ name itself is refused ("agent.reserved_env"),
// and so is a name that is empty or holds '=' or NUL ("agent.bad_plan").
// Output goes to <log_dir>/<name>.log (appended, 0600). If a module cannot be prepared or
// started, Start stops the ones it started and returns that error, its message naming the
// module.
//
// Poll(now) reaps modules that exited. "always" restarts any exit, "on-failure" a non-zero
// exit or a signal; both after a backoff of 1 s doubling to 60 s (back to 1 s once a run lasted
// 60 s). "never" and "on-unhealthy" leave the module stopped (the agent logs it). A restart
// prepares the image again from the plan's path: a module that rewrote its own files cannot
// get the changed bytes run. StopAll sends SIGTERM, SIGKILL after the grace (5 s), and
// removes every staging directory. Destroying a Supervisor stops it. Not thread-safe.
#ifndef EDGETRUST_DAEMON_AGENT_SUPERVISOR_H_
#define EDGETRUST_DAEMON_AGENT_SUPERVISOR_H_

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "daemon/agent/image_prepare.h"
#include "daemon/agent/process.h"
#include "daemon/api/deployment_wire.h"

namespace edgetrust::daemon::agent {

using Clock = std::chrono::steady_clock;

struct SupervisorOptions {
  std::string run_dir{};  // staging directories
  std::string log_dir{};  // module logs
  std::chrono::milliseconds stop_grace{5000};
  std::chrono::milliseconds backoff_initial{1000};
  std::chrono::milliseconds backoff_max{60000};
};

// ModuleSnapshot is what the status file shows of one module.
struct ModuleSnapshot {
  std::string name;
  std::string state;  // running | backoff | exited | stopped (by the plan)
  pid_t pid = 0;      // 0 unless running
  std::string dir;    // the verified directory ("" unless prepared)
  std::string sha256;
  uint32_t restarts = 0;
  std::string last_exit;  // "exit 1", "signal 9 (Killed)", "" if none
};

// ModuleExit reports one exit seen by Poll.
struct ModuleExit {
  std::string name;
  ExitStatus status;
  bool restarting = false;
};

class Supervisor {
 public:
  explicit Supervisor(SupervisorOptions options) : options_(std::move(options)) {}
  ~Supervisor() { StopAll(); }
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  Status Start(const std::vector<api::PlannedModule>& modules);
  void StopAll();
  std::vector<ModuleExit> Poll(Clock::time_point now);
  // NextRestart is when Poll next has a restart to do.
  std::optional<Clock::time_point> NextRestart() const;
  std::vector<ModuleSnapshot> Snapshot() const;

 private:
  struct Module {
    api::PlannedModule spec;
    std::optional<PreparedImage> image;
    pid_t pid = 0;
    Clock::time_point started_at;
    uint32_t restarts = 0;
    std::chrono::milliseconds backoff{0};
    std::optional<Clock::time_point> restart_at;
    std::optional<ExitStatus> last_exit;
  };

  Status Launch(Module& m);
  void ScheduleRestart(Module& m, Clock::time_point now);

  SupervisorOptions options_;
  std::vector<Module> modules_;
};

// ModuleEnvironment builds a module's environment as described above.
Result<std::vector<std::string>> ModuleEnvironment(const api::PlannedModule& module);

// RestartWanted says whether `policy` restarts a module that ended with `status`.
bool RestartWanted(const std::string& policy, const ExitStatus& status);

}  // namespace edgetrust::daemon::agent

#endif  // EDGETRUST_DAEMON_AGENT_SUPERVISOR_H_
