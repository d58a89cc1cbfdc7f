// Agent is the reference agent's core (docs/agent.md): it asks the daemon's module gate for
// the verified plan, runs exactly that plan through the Supervisor, runs the smoke test and
// reports the verdict back to the gate.
//
// Run: every `poll` it GETs /deployments/current. When (deployment_id, version,
// manifest_sha256) differs from what runs, it stops the old modules, prepares and starts the
// new ones in startup order, and if the plan is `pending` runs the smoke test: passed ->
// ReportHealthy, otherwise (or a module could not be prepared or started, or exited during the
// test) -> ReportFailed with a short detail, stops the modules and polls again at once, so the
// last good plan the gate now serves is started. A plan that turned from pending to healthy
// keeps running untouched. 404 "gate.no_deployment" stops everything; an unreachable daemon
// changes nothing (the modules keep running, the next poll retries, and so does a verdict that
// could not be delivered). A healthy plan whose modules could not start is retried every
// poll. The status file (status_file.h) is rewritten after every change. Returns 0 once a stop
// signal arrived and every module is stopped.
//
// RunOnce applies the current plan once, runs the smoke test even when the plan is already
// healthy (there is no report then), reports a pending plan, writes the status file, stops
// the modules and returns 0 when healthy (and the report, if any, was accepted), 1 when
// failed, 2 when there was no plan (no deployment, daemon unreachable). A stop signal stops
// the modules and returns 0.
//
// Create makes <work-dir> (0700; an existing one is tightened), <work-dir>/run (emptied of a
// previous run's directories) and <work-dir>/logs, and works with the real path of
// <work-dir> from then on. Errors: common/file.h's and SysError "agent.io". Not thread-safe:
// one thread runs an Agent.
#ifndef EDGETRUST_DAEMON_AGENT_AGENT_H_
#define EDGETRUST_DAEMON_AGENT_AGENT_H_

#include <memory>
#include <optional>
#include <string>

#include "common/error.h"
#include "daemon/agent/agent_options.h"
#include "daemon/agent/signal_waiter.h"
#include "daemon/agent/status_file.h"
#include "daemon/agent/supervisor.h"
#include "daemon/api/local_client.h"

namespace edgetrust::daemon::agent {

inline constexpr const char* kStatusFileName = "agent-status.json";

class Agent {
 public:
  static Result<std::unique_ptr<Agent>> Create(AgentOptions options);

  int Run(SignalWaiter& waiter);
  int RunOnce(SignalWaiter& waiter);

  const std::string& work_dir() const { return work_dir_; }
  std::string status_path() const { return work_dir_ + "/" + kStatusFileName; }

 private:
  enum class Verdict { kHealthy, kFailed, kInterrupted };

  Agent(AgentOptions options, std::string work_dir);
  void Reconcile(SignalWaiter& waiter);
  Verdict Apply(const api::DeploymentPlan& plan, bool smoke_always, SignalWaiter& waiter);
  bool SendVerdict();
  void WriteStatus(bool force = false);

  AgentOptions options_;
  std::string work_dir_;
  api::LocalClient client_;
  Supervisor supervisor_;
  std::optional<api::DeploymentPlan> plan_;  // what runs (or ran and failed)
  std::string health_ = "none";
  std::string detail_;            // why the plan failed
  bool verdict_pending_ = false;  // a verdict for plan_ still has to reach the gate
  bool poll_now_ = false;
  std::string last_status_;
};

// SanitizeDetail makes `text` a valid HealthReport detail: printable ASCII, at most 256 bytes.
std::string SanitizeDetail(std::string_view text);

}  // namespace edgetrust::daemon::agent

#endif  // EDGETRUST_DAEMON_AGENT_AGENT_H_
