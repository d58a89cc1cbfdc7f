#include "daemon/server/socket_file.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "common/unique_fd.h"
#include "daemon/api/wire.h"

namespace edgetrust::daemon::server {
namespace {

std::unexpected<Error> BindError(int err, const std::string& what, const std::string& path) {
  ErrorCode code = ErrorCode::kUnavailable;
  if (err == ENOENT || err == ENOTDIR) code = ErrorCode::kNotFound;
  if (err == EACCES || err == EPERM || err == EROFS) code = ErrorCode::kPermissionDenied;
  return Fail(code, "local_api.bind", what + " " + path + ": " + std::strerror(err));
}

sockaddr_un Address(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());  // callers checked the length
  return addr;
}

// Accepting tells whether a server is listening on socket file `path`.
bool Accepting(const std::string& path) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return false;
  sockaddr_un addr = Address(path);
  return ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0;
}

// CheckPath refuses to replace anything at `path` but a stale socket.
Status CheckPath(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Ok();
    return BindError(errno, "cannot inspect", path);
  }
  if (!S_ISSOCK(st.st_mode)) {
    return Fail(ErrorCode::kFailedPrecondition, "local_api.path_in_use",
                path + " exists and is not a socket; refusing to replace it");
  }
  if (Accepting(path)) {
    return Fail(ErrorCode::kFailedPrecondition, "local_api.path_in_use",
                "another process is serving on " + path);
  }
  return Ok();
}

}  // namespace

Result<ListeningSocket> BindListeningSocket(const std::string& path, mode_t mode) {
  const std::string temp = path + ".tmp" + std::to_string(::getpid());
  if (path.empty() || path.size() > api::kMaxSocketPathLength ||
      temp.size() >= sizeof(sockaddr_un{}.sun_path)) {
    return Fail(ErrorCode::kInvalidArgument, "local_api.bad_socket_path",
                "socket path is empty or too long: " + path);
  }
  if (auto ok = CheckPath(path); !ok) return Fail(ok.error());
  struct stat st {};
  if (::lstat(temp.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) ::unlink(temp.c_str());

  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return BindError(errno, "socket() for", path);
  sockaddr_un addr = Address(temp);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    return BindError(errno, "cannot bind", temp);
  }
  // Nobody can connect before listen(), so the mode is final before the first connection.
  if (::chmod(temp.c_str(), mode) != 0 || ::lstat(temp.c_str(), &st) != 0 ||
      ::listen(fd.get(), SOMAXCONN) != 0 || ::rename(temp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(temp.c_str());
    return BindError(err, "cannot set up", path);
  }
  return ListeningSocket{fd.release(), st.st_dev, st.st_ino};
}

void RemoveSocketFile(const std::string& path, dev_t dev, ino_t ino) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode) && st.st_dev == dev &&
      st.st_ino == ino) {
    ::unlink(path.c_str());
  }
}

Result<uid_t> PeerUid(int fd) {
  ucred cred{};
  socklen_t len = sizeof(cred);
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || len != sizeof(cred)) {
    return Fail(ErrorCode::kInternal, "local_api.peer_credentials",
                std::string("SO_PEERCRED: ") + std::strerror(errno));
  }
  return cred.uid;
}

}  // namespace edgetrust::daemon::server
