// Helpers for the local API's tests: a private temporary directory and raw socket clients.
// TEST ONLY.
#ifndef EDGETRUST_DAEMON_SERVER_TEST_UTIL_H_
#define EDGETRUST_DAEMON_SERVER_TEST_UTIL_H_

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "daemon/server/local_server.h"

namespace edgetrust::daemon::server::testing {

// TempDir is a fresh directory under /tmp (short: sun_path holds 107 bytes), removed with
// everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/etlapi-XXXXXX";
    const char* dir = ::mkdtemp(tmpl);
    path_ = dir == nullptr ? "" : dir;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Child(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// ConnectRaw connects a blocking AF_UNIX stream socket to `path`: the fd, or -errno.
inline int ConnectRaw(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -errno;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    int err = errno;
    ::close(fd);
    return -err;
  }
  return fd;
}

// SendAll writes all of `data` to `fd`.
inline bool SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// ReadUntilClosed reads from `fd` until EOF or error (bounded by SO_RCVTIMEO `seconds`).
inline std::string ReadUntilClosed(int fd, int seconds = 5) {
  timeval tv{seconds, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  std::string out;
  char buf[4096];
  ssize_t n = 0;
  while ((n = ::recv(fd, buf, sizeof(buf), 0)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

// AllEndpoints grants every endpoint.
inline std::set<api::Endpoint> AllEndpoints() {
  return {api::Endpoint::kStatus,   api::Endpoint::kCertificate,  api::Endpoint::kSign,
          api::Endpoint::kReenroll, api::Endpoint::kFactoryReset, api::Endpoint::kDeploy,
          api::Endpoint::kPlan,     api::Endpoint::kReportHealth};
}

// OptionsFor serves `path` to the calling uid as principal "test" with `endpoints`.
inline LocalServerOptions OptionsFor(const std::string& path,
                                     std::set<api::Endpoint> endpoints = AllEndpoints()) {
  LocalServerOptions options;
  options.socket_path = path;
  options.principals.push_back(config::Principal{"test", ::getuid(), std::move(endpoints)});
  return options;
}

}  // namespace edgetrust::daemon::server::testing

#endif  // EDGETRUST_DAEMON_SERVER_TEST_UTIL_H_
