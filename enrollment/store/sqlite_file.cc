#include "enrollment/store/sqlite_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/log.h"
#include "common/unique_fd.h"

namespace edgetrust::enrollment::store {
namespace {

constexpr mode_t kPrivateMode = 0600;

Error ErrnoError(int err, std::string_view what, const std::string& path) {
  return Error{ErrorCode::kUnavailable, "store.unavailable",
               std::string(what) + " " + path + ": " + std::strerror(err),
               static_cast<uint64_t>(err)};
}

// Tighten makes the open file `fd` a private regular file.
Status Tighten(int fd, const std::string& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Fail(ErrnoError(errno, "fstat", path));
  if (!S_ISREG(st.st_mode)) {
    return Fail(ErrorCode::kInvalidArgument, "store.invalid_path",
                path + " exists and is not a regular file");
  }
  if ((st.st_mode & 0777) == kPrivateMode) return Ok();
  if ((st.st_mode & 0077) != 0) {
    LogWarning("database file " + path + " was open to group or others; setting it to 0600");
  }
  if (::fchmod(fd, kPrivateMode) != 0) return Fail(ErrnoError(errno, "fchmod", path));
  return Ok();
}

// TightenIfPresent tightens a companion file (-wal, -shm, -journal) if it exists.
Status TightenIfPresent(const std::string& path) {
  int raw = ::open(path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW);
  if (raw < 0) {
    if (errno == ENOENT) return Ok();
    return Fail(ErrnoError(errno, "open", path));
  }
  UniqueFd fd(raw);
  return Tighten(fd.get(), path);
}

}  // namespace

Status PrepareDatabaseFile(const std::string& path) {
  // O_CREAT with an explicit mode and a following fchmod check: the umask can only narrow
  // 0600, and an existing file is tightened rather than trusted.
  int raw = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, kPrivateMode);
  if (raw < 0 && errno == EISDIR) {
    return Fail(ErrorCode::kInvalidArgument, "store.invalid_path", path + " is a directory");
  }
  if (raw < 0) return Fail(ErrnoError(errno, "open", path));
  UniqueFd fd(raw);
  if (auto s = Tighten(fd.get(), path); !s) return s;
  for (const char* suffix : {"-wal", "-shm", "-journal"}) {
    if (auto s = TightenIfPresent(path + suffix); !s) return s;
  }
  return Ok();
}

}  // namespace edgetrust::enrollment::store
