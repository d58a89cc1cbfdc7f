#include "common/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/unique_fd.h"

namespace edgetrust {
namespace {

Error ErrnoError(int err, std::string_view what, const std::string& path) {
  ErrorCode code = ErrorCode::kUnavailable;
  std::string reason = "file.io";
  if (err == ENOENT || err == ENOTDIR) {
    code = ErrorCode::kNotFound;
    reason = "file.not_found";
  } else if (err == EACCES || err == EPERM || err == EROFS) {
    code = ErrorCode::kPermissionDenied;
    reason = "file.permission_denied";
  } else if (err == ENOSPC || err == EDQUOT) {
    code = ErrorCode::kResourceExhausted;
    reason = "file.no_space";
  }
  return Error{code, reason, std::string(what) + " " + path + ": " + std::strerror(err),
               static_cast<uint64_t>(err)};
}

std::string DirName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

Result<Bytes> ReadFile(const std::string& path, size_t max_size) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return std::unexpected(ErrnoError(errno, "open", path));
  Bytes out;
  uint8_t buf[8192];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(ErrnoError(errno, "read", path));
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_size) {
      return Fail(ErrorCode::kResourceExhausted, "file.too_large",
                  path + " is larger than " + std::to_string(max_size) + " bytes");
    }
    out.insert(out.end(), buf, buf + n);
  }
  return out;
}

Status WriteFileAtomic(const std::string& path, ByteView data, mode_t mode) {
  // mkostemp creates a fresh, unique file (O_EXCL, mode 0600): no other writer, link or
  // symlink can be behind the temporary name.
  std::string tmp = path + ".tmp.XXXXXX";
  UniqueFd fd(::mkostemp(tmp.data(), O_CLOEXEC));
  if (fd.get() < 0) return std::unexpected(ErrnoError(errno, "create", path + ".tmp"));
  auto fail = [&](int err, std::string_view what) {
    Error e = ErrnoError(err, what, tmp);
    ::unlink(tmp.c_str());
    return std::unexpected(std::move(e));
  };
  if (::fchmod(fd.get(), mode) != 0) return fail(errno, "chmod");
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd.get(), data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(errno, "write");
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd.get()) != 0) return fail(errno, "fsync");
  if (fd.Close() != 0) return fail(errno, "close");
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail(errno, "rename");
  UniqueFd dir(::open(DirName(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0 || ::fsync(dir.get()) != 0) {
    return std::unexpected(ErrnoError(errno, "fsync directory of", path));
  }
  return Ok();
}

Status EnsureDirectory(const std::string& path, mode_t mode) {
  if (::mkdir(path.c_str(), mode) == 0) {
    if (::chmod(path.c_str(), mode) != 0) return std::unexpected(ErrnoError(errno, "chmod", path));
    return Ok();
  }
  if (errno != EEXIST) return std::unexpected(ErrnoError(errno, "mkdir", path));
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return std::unexpected(ErrnoError(errno, "stat", path));
  if (!S_ISDIR(st.st_mode)) {
    return Fail(ErrorCode::kFailedPrecondition, "file.not_a_directory",
                path + " is not a directory");
  }
  if ((st.st_mode & 0777 & ~mode) != 0 && ::chmod(path.c_str(), mode) != 0) {
    return std::unexpected(ErrnoError(errno, "chmod", path));
  }
  return Ok();
}

}  // namespace edgetrust
