#include "swtpm/port_pair.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <string>

namespace edgetrust::swtpm {
namespace {

constexpr int kMinPort = 20000;
constexpr int kMaxPort = 60000;  // exclusive
constexpr int kAttempts = 100;

Error SocketError(const std::string& what, int err) {
  return Error{ErrorCode::kUnavailable, "swtpm.socket", what + ": " + std::strerror(err),
               static_cast<uint64_t>(err)};
}

// BindLoopback returns a socket bound to 127.0.0.1:port (and listening if asked), or an invalid
// UniqueFd when the port is taken.
Result<UniqueFd> BindLoopback(uint16_t port, bool reuse_addr, bool listen) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return std::unexpected(SocketError("socket", errno));
  int one = 1;
  if (reuse_addr && ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0) {
    return std::unexpected(SocketError("setsockopt SO_REUSEADDR", errno));
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0 ||
      (listen && ::listen(fd.get(), 8) != 0)) {
    int err = errno;
    if (err == EADDRINUSE) return UniqueFd();
    return std::unexpected(SocketError("bind 127.0.0.1:" + std::to_string(port), err));
  }
  return fd;
}

}  // namespace

Result<PortPair> PortPair::Reserve() {
  std::random_device seed;
  std::mt19937 rng(seed());
  std::uniform_int_distribution<int> pick(kMinPort, kMaxPort - 2);
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    auto port = static_cast<uint16_t>(pick(rng));
    // The exclusive listener on P+1 first, then the shared hold on P (see the header).
    auto ctrl = BindLoopback(static_cast<uint16_t>(port + 1), /*reuse_addr=*/false,
                             /*listen=*/true);
    if (!ctrl) return Fail(ctrl.error());
    if (!ctrl->valid()) continue;
    auto command = BindLoopback(port, /*reuse_addr=*/true, /*listen=*/false);
    if (!command) return Fail(command.error());
    if (!command->valid()) continue;
    return PortPair(port, std::move(*command), std::move(*ctrl));
  }
  return Fail(ErrorCode::kResourceExhausted, "swtpm.no_ports",
              "no free port pair on 127.0.0.1 after " + std::to_string(kAttempts) + " tries");
}

}  // namespace edgetrust::swtpm
