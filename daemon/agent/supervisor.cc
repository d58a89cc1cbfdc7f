#include "daemon/agent/supervisor.h"

#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <tuple>
#include <utility>

#include "common/log.h"
#include "common/unique_fd.h"
#include "daemon/agent/sys_error.h"

namespace edgetrust::daemon::agent {
namespace {

constexpr const char* kNameVar = "EDGETRUST_MODULE_NAME";
constexpr const char* kOptionsVar = "EDGETRUST_CREATE_OPTIONS";
constexpr auto kHealthyRun = std::chrono::seconds(60);

Error Named(const std::string& module, Error e) {
  e.message = "module " + module + ": " + e.message;
  return e;
}

}  // namespace

Result<std::vector<std::string>> ModuleEnvironment(const api::PlannedModule& module) {
  std::vector<std::string> env;
  for (const auto& [name, value] : module.env) {
    // "NAME=x" as a name would smuggle a second, earlier definition of a reserved variable
    // past the check below (getenv returns the first); the manifest allows no such name.
    if (name.empty() || name.find_first_of(std::string_view("=\0", 2)) != std::string::npos) {
      return Fail(ErrorCode::kInvalidArgument, "agent.bad_plan", "bad environment variable name");
    }
    if (name == kNameVar || name == kOptionsVar) {
      return Fail(ErrorCode::kInvalidArgument, "agent.reserved_env",
                  "the plan sets " + name + ", which the agent provides");
    }
    env.push_back(name + "=" + value);
  }
  if (!module.env.contains("PATH")) env.emplace_back("PATH=/usr/bin:/bin");
  env.push_back(std::string(kNameVar) + "=" + module.name);
  env.push_back(std::string(kOptionsVar) + "=" + module.create_options);
  return env;
}

bool RestartWanted(const std::string& policy, const ExitStatus& status) {
  if (policy == "always") return true;
  if (policy == "on-failure") return !status.success();
  return false;  // never, on-unhealthy
}

Status Supervisor::Start(const std::vector<api::PlannedModule>& modules) {
  StopAll();
  std::vector<api::PlannedModule> ordered = modules;
  std::stable_sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) {
    return std::tie(a.startup_order, a.name) < std::tie(b.startup_order, b.name);
  });
  for (auto& spec : ordered) {
    Module& m = modules_.emplace_back();
    m.spec = std::move(spec);
    if (m.spec.status == "stopped") {
      LogInfo("agent: module " + m.spec.name + " is stopped by the plan");
      continue;
    }
    if (auto st = Launch(m); !st) {
      Error e = Named(m.spec.name, st.error());
      StopAll();
      return std::unexpected(std::move(e));
    }
  }
  return Ok();
}

Status Supervisor::Launch(Module& m) {
  if (m.spec.status != "running") {
    return Fail(ErrorCode::kInvalidArgument, "agent.bad_plan", "unknown status " + m.spec.status);
  }
  auto env = ModuleEnvironment(m.spec);
  if (!env) return Fail(env.error());
  m.image.reset();  // the old directory goes before a fresh one is made
  auto image = PrepareImage(m.spec, options_.run_dir);
  if (!image) return Fail(image.error());
  const std::string log_path = options_.log_dir + "/" + m.spec.name + ".log";
  UniqueFd log(
      ::open(log_path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!log.valid()) return std::unexpected(SysError(errno, "agent.io", "open", log_path));
  SpawnSpec spec{.executable = image->executable(),
                 .argv = {image->executable()},
                 .env = std::move(*env),
                 .cwd = image->dir(),
                 .output_fd = log.get()};
  spec.argv.insert(spec.argv.end(), image->args().begin(), image->args().end());
  auto pid = Spawn(spec);
  if (!pid) return Fail(pid.error());
  m.image = std::move(*image);
  m.pid = *pid;
  m.started_at = Clock::now();
  m.restart_at.reset();
  LogInfo("agent: started module " + m.spec.name + " pid " + std::to_string(m.pid) + " from " +
          m.image->dir());
  return Ok();
}

void Supervisor::StopAll() {
  std::vector<pid_t> pids;
  for (auto it = modules_.rbegin(); it != modules_.rend(); ++it) {
    if (it->pid > 0) pids.push_back(it->pid);
  }
  if (!pids.empty()) StopProcesses(pids, options_.stop_grace);
  modules_.clear();  // removes the staging directories
}

void Supervisor::ScheduleRestart(Module& m, Clock::time_point now) {
  if (m.backoff.count() == 0 || now - m.started_at >= kHealthyRun) {
    m.backoff = options_.backoff_initial;
  } else {
    m.backoff = std::min(m.backoff * 2, options_.backoff_max);
  }
  m.restart_at = now + m.backoff;
}

std::vector<ModuleExit> Supervisor::Poll(Clock::time_point now) {
  std::vector<ModuleExit> exits;
  for (Module& m : modules_) {
    if (m.pid > 0) {
      auto status = ReapIfExited(m.pid);
      if (!status) continue;
      m.pid = 0;
      m.last_exit = *status;
      const bool restart = RestartWanted(m.spec.restart_policy, *status);
      exits.push_back({m.spec.name, *status, restart});
      if (restart) {
        ScheduleRestart(m, now);
        LogWarning("agent: module " + m.spec.name + " ended (" + status->ToString() +
                   "); restarting in " + std::to_string(m.backoff.count()) + " ms");
      } else {
        LogWarning("agent: module " + m.spec.name + " ended (" + status->ToString() +
                   "); restart policy " + m.spec.restart_policy + " leaves it stopped");
      }
    } else if (m.restart_at && now >= *m.restart_at) {
      ++m.restarts;
      if (auto st = Launch(m); !st) {
        LogError("agent: restarting module " + m.spec.name + ": " + st.error().ToString());
        m.started_at = now;
        ScheduleRestart(m, now);
      }
    }
  }
  return exits;
}

std::optional<Clock::time_point> Supervisor::NextRestart() const {
  std::optional<Clock::time_point> next;
  for (const Module& m : modules_) {
    if (m.pid == 0 && m.restart_at && (!next || *m.restart_at < *next)) next = m.restart_at;
  }
  return next;
}

std::vector<ModuleSnapshot> Supervisor::Snapshot() const {
  std::vector<ModuleSnapshot> out;
  for (const Module& m : modules_) {
    ModuleSnapshot s;
    s.name = m.spec.name;
    s.sha256 = m.spec.sha256;
    s.restarts = m.restarts;
    s.pid = m.pid;
    s.state = m.pid > 0                    ? "running"
              : m.restart_at               ? "backoff"
              : m.spec.status != "running" ? "stopped"
                                           : "exited";
    if (m.image) s.dir = m.image->dir();
    if (m.last_exit) s.last_exit = m.last_exit->ToString();
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace edgetrust::daemon::agent
