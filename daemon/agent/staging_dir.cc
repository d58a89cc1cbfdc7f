#include "daemon/agent/staging_dir.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <filesystem>
#include <system_error>
#include <utility>

#include "common/crypto.h"
#include "common/log.h"
#include "daemon/agent/sys_error.h"

namespace edgetrust::daemon::agent {

Result<StagingDir> StagingDir::Create(const std::string& parent, const std::string& name) {
  auto random = RandomBytes(8);
  if (!random) return Fail(random.error());
  std::string path = parent + "/" + name + "." + HexEncode(*random);
  if (::mkdir(path.c_str(), 0700) != 0) {
    return std::unexpected(SysError(errno, "agent.io", "mkdir", path));
  }
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) {
    Error e = SysError(errno, "agent.io", "open", path);
    (void)RemoveTree(path);
    return std::unexpected(std::move(e));
  }
  return StagingDir(std::move(path), std::move(fd));
}

StagingDir& StagingDir::operator=(StagingDir&& other) noexcept {
  if (this != &other) {
    Remove();
    path_ = std::exchange(other.path_, {});
    fd_ = std::move(other.fd_);
  }
  return *this;
}

void StagingDir::Remove() {
  fd_.reset();
  if (path_.empty()) return;
  if (auto st = RemoveTree(path_); !st) LogWarning(st.error().ToString());
  path_.clear();
}

Status RemoveTree(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) return std::unexpected(SysError(ec.value(), "agent.io", "remove", path));
  return Ok();
}

}  // namespace edgetrust::daemon::agent
