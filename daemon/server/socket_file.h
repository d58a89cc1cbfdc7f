// The listening Unix socket's file: created safely, removed only if it is still ours.
// Plain syscalls, no Asio; thread-compatible (callers serialize use of one path).
#ifndef EDGETRUST_DAEMON_SERVER_SOCKET_FILE_H_
#define EDGETRUST_DAEMON_SERVER_SOCKET_FILE_H_

#include <sys/types.h>

#include <string>

#include "common/error.h"

namespace edgetrust::daemon::server {

// ListeningSocket is a bound, listening AF_UNIX stream socket and the identity of its file.
// The caller owns `fd` (close it, or hand it to an acceptor).
struct ListeningSocket {
  int fd = -1;
  dev_t dev = 0;
  ino_t ino = 0;
};

// BindListeningSocket makes `path` a socket file with exactly `mode` that accepts
// connections:
//   - whatever is at `path` must be a socket (lstat: a regular file, directory or symlink is
//     kFailedPrecondition "local_api.path_in_use"); a socket that still accepts connections is
//     another live server, also "local_api.path_in_use"; a stale one is replaced;
//   - the socket is bound under a temporary name beside `path`, chmod'ed to `mode` and put
//     in listen state before it is renamed over `path`, so nobody ever connects to it with
//     the umask's wider mode and a stale file is replaced atomically;
//   - the parent directory is not created: missing, it is kNotFound "local_api.bind".
// Other failures: kInvalidArgument "local_api.bad_socket_path" (empty or too long for
// sun_path with the temporary suffix), kPermissionDenied / kUnavailable "local_api.bind".
Result<ListeningSocket> BindListeningSocket(const std::string& path, mode_t mode);

// RemoveSocketFile unlinks `path` if it is still the socket file (`dev`, `ino`) we made, so a
// second daemon that replaced it keeps its socket.
void RemoveSocketFile(const std::string& path, dev_t dev, ino_t ino);

// PeerUid returns the uid of the process at the other end of connected Unix socket `fd`
// (SO_PEERCRED: the credentials at connect time, which the peer cannot forge).
Result<uid_t> PeerUid(int fd);

}  // namespace edgetrust::daemon::server

#endif  // EDGETRUST_DAEMON_SERVER_SOCKET_FILE_H_
