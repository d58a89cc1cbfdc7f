// LocalServer serves the daemon's local API (docs/daemon-local-api.md) on a Unix socket:
// HTTP/1.1 with keep-alive, Boost.Beast, one I/O thread plus a small pool that runs the
// Control calls (a factory reset that blocks for seconds must not stall GET /status).
//
// Every connection is authorized by the peer's uid (SO_PEERCRED) against `principals`
// (THREATS D1): a uid without a principal, root included, may call nothing; a principal may
// call only the endpoints it is granted (403 "api.forbidden"). Requests are bounded:
// headers 8 KiB (431), body BodyLimit() (endpoints.h; 413), a whole request must arrive within
// `read_timeout` (slow clients are dropped), at most `max_connections` at once (more are
// closed at accept). Every request is logged at info (uid, principal, method, path, status):
// never bodies, digests or signatures (D2). Clients get a stable reason and a generic text,
// never Error::message.
//
// Thread safety: Start and the destructor are called from one thread; the server calls
// `control` from its worker threads, concurrently.
#ifndef EDGETRUST_DAEMON_SERVER_LOCAL_SERVER_H_
#define EDGETRUST_DAEMON_SERVER_LOCAL_SERVER_H_

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "common/error.h"
#include "daemon/config/config.h"
#include "daemon/service/control.h"

namespace edgetrust::daemon::server {

struct LocalServerOptions {
  std::string socket_path;
  mode_t mode = 0660;
  std::vector<config::Principal> principals;
  std::chrono::milliseconds read_timeout{10000};
  size_t max_connections = 64;
};

class LocalServer {
 public:
  // Start binds `options.socket_path` (socket_file.h: only a stale socket is replaced, a
  // regular file or symlink there is kFailedPrecondition "local_api.path_in_use", a missing
  // parent directory is kNotFound "local_api.bind"), sets its mode and starts serving.
  // `control` is borrowed and must outlive the server. kInvalidArgument "local_api.options"
  // for a zero read_timeout or max_connections.
  static Result<std::unique_ptr<LocalServer>> Start(const LocalServerOptions& options,
                                                    service::Control& control);

  // The destructor stops accepting, closes every connection, waits for running Control calls
  // (a factory reset in progress finishes first), joins the threads and unlinks the socket
  // file if it is still ours.
  ~LocalServer();
  LocalServer(const LocalServer&) = delete;
  LocalServer& operator=(const LocalServer&) = delete;

  const std::string& socket_path() const;

 private:
  struct Impl;
  explicit LocalServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace edgetrust::daemon::server

#endif  // EDGETRUST_DAEMON_SERVER_LOCAL_SERVER_H_
