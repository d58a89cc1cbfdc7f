// LoadDaemonConfig: reading the file, with the checks a file that configures trust deserves.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>
#include <string>

#include "common/unique_fd.h"
#include "daemon/config/config.h"

namespace edgetrust::daemon::config {
namespace {

// ReadError maps the errno of open/read on the config file to the documented codes.
std::unexpected<Error> ReadError(int err, const std::string& path) {
  ErrorCode code = ErrorCode::kUnavailable;
  if (err == ENOENT || err == ENOTDIR) code = ErrorCode::kNotFound;
  if (err == EACCES || err == EPERM) code = ErrorCode::kPermissionDenied;
  return Fail(code, "config.read", "cannot read " + path + ": " + std::strerror(err),
              static_cast<uint64_t>(err));
}

std::unexpected<Error> Insecure(const std::string& path, std::string_view what) {
  return Fail(ErrorCode::kPermissionDenied, "config.insecure_permissions",
              path + ": " + std::string(what));
}

}  // namespace

Result<DaemonConfig> LoadDaemonConfig(const std::string& path) {
  // O_NONBLOCK: opening a FIFO planted at the path must not hang start-up; the type check below
  // refuses it. The checks use fstat on the open descriptor, so they judge the file we read.
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (fd.get() < 0) return ReadError(errno, path);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return ReadError(errno, path);
  if (!S_ISREG(st.st_mode)) return Insecure(path, "not a regular file");
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    std::ostringstream mode;
    mode << std::oct << (st.st_mode & 07777);
    return Insecure(path, "group- or world-writable (mode 0" + mode.str() +
                              "): anyone who can write it decides whom the device trusts; "
                              "chmod go-w");
  }
  // Like sshd's StrictModes: a file owned by another unprivileged user is theirs to rewrite.
  if (st.st_uid != 0 && st.st_uid != ::geteuid()) {
    return Insecure(
        path, "owned by uid " + std::to_string(st.st_uid) + ", neither root nor the daemon's user");
  }
  if (st.st_size > static_cast<off_t>(kMaxDaemonConfigSize)) {
    return Fail(ErrorCode::kResourceExhausted, "config.too_large", path + ": larger than 1 MiB");
  }
  std::string text;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ReadError(errno, path);
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > kMaxDaemonConfigSize) {  // grew after fstat
      return Fail(ErrorCode::kResourceExhausted, "config.too_large", path + ": larger than 1 MiB");
    }
  }
  return ParseDaemonConfig(text, path);
}

}  // namespace edgetrust::daemon::config
