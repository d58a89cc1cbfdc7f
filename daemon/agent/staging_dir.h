// StagingDir owns a fresh private directory <parent>/<name>.<16 random hex digits> (mode 0700)
// and an O_DIRECTORY descriptor on it; destroying it removes the directory and everything in
// it (std::filesystem::remove_all, which never follows symlinks). Move-only; release() keeps
// the directory on disk and hands its path to the caller. Not thread-safe.
//
// Errors of Create: SysError "agent.io" (kResourceExhausted on a full disk), kInternal
// "crypto.openssl" when no randomness is available.
#ifndef EDGETRUST_DAEMON_AGENT_STAGING_DIR_H_
#define EDGETRUST_DAEMON_AGENT_STAGING_DIR_H_

#include <string>
#include <utility>

#include "common/error.h"
#include "common/unique_fd.h"

namespace edgetrust::daemon::agent {

class StagingDir {
 public:
  static Result<StagingDir> Create(const std::string& parent, const std::string& name);

  StagingDir() = default;
  StagingDir(StagingDir&& other) noexcept
      : path_(std::exchange(other.path_, {})), fd_(std::move(other.fd_)) {}
  StagingDir& operator=(StagingDir&& other) noexcept;
  StagingDir(const StagingDir&) = delete;
  StagingDir& operator=(const StagingDir&) = delete;
  ~StagingDir() { Remove(); }

  const std::string& path() const { return path_; }
  int fd() const { return fd_.get(); }  // borrowed
  // Remove deletes the tree now (errors are logged, not returned: nothing more can be done).
  void Remove();

 private:
  StagingDir(std::string path, UniqueFd fd) : path_(std::move(path)), fd_(std::move(fd)) {}
  std::string path_;
  UniqueFd fd_;
};

// RemoveTree deletes `path` and everything below it without following symlinks; a missing
// path is fine. Used to clear <work-dir>/run of a previous run's leftovers.
Status RemoveTree(const std::string& path);

}  // namespace edgetrust::daemon::agent

#endif  // EDGETRUST_DAEMON_AGENT_STAGING_DIR_H_
