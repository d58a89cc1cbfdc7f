#include "daemon/agent/smoke_test.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

#include "common/log.h"
#include "common/unique_fd.h"
#include "daemon/agent/process.h"

extern char** environ;

namespace edgetrust::daemon::agent {
namespace {

// Resolve finds the program the way a shell would, without running one.
std::string Resolve(const std::string& command) {
  if (command.find('/') != std::string::npos) {
    char real[PATH_MAX];
    return ::realpath(command.c_str(), real) != nullptr ? std::string(real) : command;
  }
  const char* path = std::getenv("PATH");
  std::string_view dirs = path != nullptr ? path : "/usr/bin:/bin";
  while (true) {
    size_t colon = dirs.find(':');
    std::string candidate = std::string(dirs.substr(0, colon)) + "/" + command;
    if (candidate.starts_with('/') && ::access(candidate.c_str(), X_OK) == 0) return candidate;
    if (colon == std::string_view::npos) return command;
    dirs.remove_prefix(colon + 1);
  }
}

std::vector<std::string> Environment(const SmokeTestSpec& spec) {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view var(*e);
    if (var.starts_with("EDGETRUST_DEPLOYMENT_ID=") ||
        var.starts_with("EDGETRUST_DEPLOYMENT_VERSION=") ||
        var.starts_with("EDGETRUST_AGENT_STATUS=")) {
      continue;
    }
    env.emplace_back(var);
  }
  env.push_back("EDGETRUST_DEPLOYMENT_ID=" + spec.deployment_id);
  env.push_back("EDGETRUST_DEPLOYMENT_VERSION=" + std::to_string(spec.version));
  env.push_back("EDGETRUST_AGENT_STATUS=" + spec.status_path);
  return env;
}

SmokeResult Failed(std::string detail) {
  LogWarning("agent: smoke test failed: " + detail);
  return {SmokeVerdict::kFailed, std::move(detail)};
}

}  // namespace

SmokeResult RunSmokeTest(const SmokeTestSpec& spec, Supervisor& supervisor, SignalWaiter& waiter) {
  if (spec.argv.empty()) return {SmokeVerdict::kPassed, ""};
  UniqueFd log(
      ::open(spec.log_path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!log.valid())
    return Failed("cannot open the smoke test log: " + std::string(strerror(errno)));
  SpawnSpec process{.executable = Resolve(spec.argv[0]),
                    .argv = spec.argv,
                    .env = Environment(spec),
                    .cwd = spec.cwd,
                    .output_fd = log.get()};
  auto pid = Spawn(process);
  if (!pid) return Failed("smoke test did not start: " + pid.error().reason);
  LogInfo("agent: smoke test started, pid " + std::to_string(*pid));
  const auto deadline = Clock::now() + spec.timeout;
  while (true) {
    if (auto status = ReapIfExited(*pid)) {
      if (status->success()) return {SmokeVerdict::kPassed, ""};
      return Failed("smoke test failed (" + status->ToString() + ")");
    }
    for (const auto& exit : supervisor.Poll(Clock::now())) {
      StopProcesses({*pid}, std::chrono::seconds(1));
      return Failed("module " + exit.name + " ended during the smoke test (" +
                    exit.status.ToString() + ")");
    }
    const auto now = Clock::now();
    if (now >= deadline) {
      StopProcesses({*pid}, std::chrono::seconds(1));
      return Failed("smoke test timed out after " + std::to_string(spec.timeout.count()) + " ms");
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    if (waiter.Wait(std::min(left, std::chrono::milliseconds(1000)) +
                    std::chrono::milliseconds(1))) {
      StopProcesses({*pid}, std::chrono::seconds(1));
      return {SmokeVerdict::kInterrupted, "interrupted"};
    }
  }
}

}  // namespace edgetrust::daemon::agent
