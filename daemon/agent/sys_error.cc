#include "daemon/agent/sys_error.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace edgetrust::daemon::agent {

Error SysError(int err, std::string_view reason, std::string_view call, std::string_view what) {
  ErrorCode code = ErrorCode::kUnavailable;
  switch (err) {
    case ENOENT:
      code = ErrorCode::kNotFound;
      break;
    case EACCES:
    case EPERM:
      code = ErrorCode::kPermissionDenied;
      break;
    case ENOSPC:
    case EDQUOT:
    case EMFILE:
    case ENFILE:
    case ENOMEM:
    case EAGAIN:
      code = ErrorCode::kResourceExhausted;
      break;
    default:
      break;
  }
  return Error{code, std::string(reason),
               std::string(call) + " " + std::string(what) + ": " + std::strerror(err),
               static_cast<uint64_t>(err)};
}

Status WriteAll(int fd, const void* data, size_t size, std::string_view reason,
                std::string_view what) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::unexpected(SysError(errno, reason, "write", what));
    p += n;
    size -= static_cast<size_t>(n);
  }
  return Ok();
}

}  // namespace edgetrust::daemon::agent
