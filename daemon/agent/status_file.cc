#include "daemon/agent/status_file.h"

#include <unistd.h>

#include <climits>
#include <nlohmann/json.hpp>

#include "common/file.h"
#include "common/strict_json.h"

namespace edgetrust::daemon::agent {

std::string ProcessExe(pid_t pid) {
  if (pid <= 0) return "";
  const std::string link = "/proc/" + std::to_string(pid) + "/exe";
  char buffer[PATH_MAX];
  ssize_t n = ::readlink(link.c_str(), buffer, sizeof(buffer));
  if (n <= 0 || static_cast<size_t>(n) >= sizeof(buffer)) return "";
  return std::string(buffer, static_cast<size_t>(n));
}

std::string StatusJson(const AgentStatus& status) {
  nlohmann::json modules = nlohmann::json::array();
  for (const auto& m : status.modules) {
    modules.push_back({{"name", m.name},
                       {"state", m.state},
                       {"pid", m.pid},
                       {"exe", ProcessExe(m.pid)},
                       {"dir", m.dir},
                       {"sha256", m.sha256},
                       {"restarts", m.restarts},
                       {"last_exit", m.last_exit}});
  }
  nlohmann::json doc = {{"deployment_id", status.deployment_id},
                        {"version", status.version},
                        {"state", status.state},
                        {"health", status.health},
                        {"modules", std::move(modules)}};
  return DumpJson(doc) + "\n";
}

Status WriteStatusFile(const std::string& path, const AgentStatus& status) {
  return WriteFileAtomic(path, AsBytes(StatusJson(status)), 0600);
}

}  // namespace edgetrust::daemon::agent
