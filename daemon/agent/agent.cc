#include "daemon/agent/agent.h"

#include <climits>
#include <cstdlib>
#include <utility>

#include "common/file.h"
#include "common/log.h"
#include "daemon/agent/smoke_test.h"
#include "daemon/agent/staging_dir.h"
#include "daemon/agent/sys_error.h"

namespace edgetrust::daemon::agent {
namespace {

constexpr auto kClientTimeout = std::chrono::seconds(30);

bool SameDeployment(const api::DeploymentPlan& a, const api::DeploymentPlan& b) {
  return a.deployment_id == b.deployment_id && a.version == b.version &&
         a.manifest_sha256 == b.manifest_sha256;
}

std::string Describe(const api::DeploymentPlan& p) {
  return p.deployment_id + " v" + std::to_string(p.version) + " (" +
         std::string(api::DeploymentStateName(p.state)) + ")";
}

}  // namespace

std::string SanitizeDetail(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 256)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return out;
}

Result<std::unique_ptr<Agent>> Agent::Create(AgentOptions options) {
  if (auto st = EnsureDirectory(options.work_dir, 0700); !st) return Fail(st.error());
  char real[PATH_MAX];
  if (::realpath(options.work_dir.c_str(), real) == nullptr) {
    return std::unexpected(SysError(errno, "agent.io", "realpath", options.work_dir));
  }
  std::string work_dir(real);
  if (auto st = RemoveTree(work_dir + "/run"); !st) return Fail(st.error());
  for (const char* sub : {"/run", "/logs"}) {
    if (auto st = EnsureDirectory(work_dir + sub, 0700); !st) return Fail(st.error());
  }
  return std::unique_ptr<Agent>(new Agent(std::move(options), std::move(work_dir)));
}

Agent::Agent(AgentOptions options, std::string work_dir)
    : options_(std::move(options)),
      work_dir_(std::move(work_dir)),
      client_({options_.socket_path, kClientTimeout}),
      supervisor_({.run_dir = work_dir_ + "/run", .log_dir = work_dir_ + "/logs"}) {}

void Agent::WriteStatus(bool force) {
  AgentStatus status;
  if (plan_) {
    status.deployment_id = plan_->deployment_id;
    status.version = plan_->version;
    status.state = std::string(api::DeploymentStateName(plan_->state));
  }
  status.health = health_;
  status.modules = supervisor_.Snapshot();
  std::string json = StatusJson(status);
  if (!force && json == last_status_) return;
  if (auto st = WriteFileAtomic(status_path(), AsBytes(json), 0600); !st) {
    LogError("agent: writing the status file: " + st.error().ToString());
    return;
  }
  last_status_ = std::move(json);
}

// SendVerdict delivers health_ for plan_ to the gate; true when the gate accepted it.
bool Agent::SendVerdict() {
  const bool healthy = health_ == "healthy";
  api::HealthReport report;
  report.version = plan_->version;
  if (!healthy) report.detail = SanitizeDetail(detail_);
  auto answer = healthy ? client_.ReportHealthy(plan_->deployment_id, report)
                        : client_.ReportFailed(plan_->deployment_id, report);
  if (!answer && answer.error().code == ErrorCode::kUnavailable) {
    LogWarning("agent: reporting " + health_ + " for " + Describe(*plan_) +
               " (will retry): " + answer.error().ToString());
    return false;
  }
  verdict_pending_ = false;
  if (!answer) {
    LogError("agent: the gate refused the " + health_ + " report for " + Describe(*plan_) + ": " +
             answer.error().ToString());
    return false;
  }
  LogInfo("agent: reported " + health_ + " for " + Describe(*plan_));
  if (healthy) plan_->state = api::DeploymentState::kHealthy;
  return true;
}

Agent::Verdict Agent::Apply(const api::DeploymentPlan& plan, bool smoke_always,
                            SignalWaiter& waiter) {
  supervisor_.StopAll();
  plan_ = plan;
  health_ = "pending";
  detail_.clear();
  verdict_pending_ = false;
  LogInfo("agent: applying " + Describe(plan));
  WriteStatus();
  Verdict verdict = Verdict::kHealthy;
  if (auto st = supervisor_.Start(plan.modules); !st) {
    LogError("agent: " + st.error().ToString());
    detail_ = st.error().reason + ": " + st.error().message;
    verdict = Verdict::kFailed;
  } else {
    WriteStatus();  // the smoke test reads it
    if (plan.state == api::DeploymentState::kPending || smoke_always) {
      SmokeResult r = RunSmokeTest({.argv = options_.smoke_test,
                                    .timeout = options_.smoke_timeout,
                                    .deployment_id = plan.deployment_id,
                                    .version = plan.version,
                                    .status_path = status_path(),
                                    .log_path = work_dir_ + "/logs/smoke-test.log",
                                    .cwd = work_dir_},
                                   supervisor_, waiter);
      if (r.verdict == SmokeVerdict::kInterrupted) return Verdict::kInterrupted;
      if (r.verdict == SmokeVerdict::kFailed) {
        verdict = Verdict::kFailed;
        detail_ = r.detail;
      }
    }
  }
  health_ = verdict == Verdict::kHealthy ? "healthy" : "failed";
  verdict_pending_ = plan.state == api::DeploymentState::kPending;
  WriteStatus();
  return verdict;
}

void Agent::Reconcile(SignalWaiter& waiter) {
  auto plan = client_.GetCurrentDeployment();
  if (!plan) {
    if (plan.error().reason != "gate.no_deployment") {
      LogWarning("agent: asking the gate for the plan: " + plan.error().ToString());
      return;
    }
    if (plan_) {
      LogInfo("agent: the gate has no deployment; stopping every module");
      supervisor_.StopAll();
      plan_.reset();
      health_ = "none";
      WriteStatus();
    }
    return;
  }
  if (plan_ && SameDeployment(*plan_, *plan)) {
    if (plan->state == api::DeploymentState::kPending && verdict_pending_) {
      if (SendVerdict() && health_ == "failed") poll_now_ = true;
    } else if (plan->state == api::DeploymentState::kHealthy && health_ == "failed") {
      LogInfo("agent: retrying " + Describe(*plan));
      if (Apply(*plan, false, waiter) == Verdict::kFailed) supervisor_.StopAll();
    } else if (plan->state != plan_->state) {
      plan_->state = plan->state;
      if (plan_->state == api::DeploymentState::kHealthy) health_ = "healthy";
    }
    WriteStatus();
    return;
  }
  const Verdict verdict = Apply(*plan, false, waiter);
  if (verdict == Verdict::kInterrupted) return;
  if (verdict_pending_) SendVerdict();
  if (verdict == Verdict::kFailed) {
    supervisor_.StopAll();  // nothing of a failed plan keeps running
    poll_now_ = true;       // the gate now serves the last good plan
  }
  WriteStatus();
}

int Agent::Run(SignalWaiter& waiter) {
  WriteStatus(/*force=*/true);
  auto next_poll = Clock::now();
  while (!waiter.stop_requested()) {
    if (Clock::now() >= next_poll) {
      Reconcile(waiter);
      next_poll = poll_now_ ? Clock::now() : Clock::now() + options_.poll;
      poll_now_ = false;
      if (waiter.stop_requested()) break;
    }
    supervisor_.Poll(Clock::now());
    WriteStatus();
    auto wake = next_poll;
    if (auto restart = supervisor_.NextRestart(); restart && *restart < wake) wake = *restart;
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(wake - Clock::now());
    waiter.Wait(std::min(wait + std::chrono::milliseconds(1), std::chrono::milliseconds(1000)));
  }
  LogInfo("agent: stopping on signal " + std::to_string(waiter.stop_signal()));
  supervisor_.StopAll();
  WriteStatus();
  return 0;
}

int Agent::RunOnce(SignalWaiter& waiter) {
  auto plan = client_.GetCurrentDeployment();
  if (!plan) {
    LogError("agent: no plan to run: " + plan.error().ToString());
    WriteStatus(/*force=*/true);
    return 2;
  }
  Verdict verdict = Apply(*plan, /*smoke_always=*/true, waiter);
  if (verdict == Verdict::kInterrupted) {
    supervisor_.StopAll();
    return 0;
  }
  bool accepted = !verdict_pending_ || SendVerdict();
  WriteStatus();  // the last picture of what ran; the modules stop next
  supervisor_.StopAll();
  return verdict == Verdict::kHealthy && accepted ? 0 : 1;
}

}  // namespace edgetrust::daemon::agent
