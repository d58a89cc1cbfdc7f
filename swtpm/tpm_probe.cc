#include "swtpm/tpm_probe.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <string>

#include "common/unique_fd.h"

namespace edgetrust::swtpm {
namespace {

using Clock = std::chrono::steady_clock;

// TPM2_GetRandom(bytesRequested = 2): tag TPM_ST_NO_SESSIONS, size 12, TPM_CC_GetRandom.
constexpr std::array<uint8_t, 12> kGetRandom = {0x80, 0x01, 0x00, 0x00, 0x00, 0x0c,
                                                0x00, 0x00, 0x01, 0x7b, 0x00, 0x02};
constexpr size_t kHeaderSize = 10;

Error NotReady(const std::string& what, int err) {
  return Error{ErrorCode::kUnavailable, "swtpm.not_ready",
               what + (err != 0 ? std::string(": ") + std::strerror(err) : std::string()),
               static_cast<uint64_t>(err)};
}

// WaitFor polls `fd` for `events` until `deadline`; false on timeout or error.
bool WaitFor(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, events, 0};
    int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    return r > 0;
  }
}

uint32_t BigEndian32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

}  // namespace

Status ProbeTpm(uint16_t port, std::chrono::milliseconds timeout) {
  Clock::time_point deadline = Clock::now() + timeout;
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd.valid()) return Fail(NotReady("socket", errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    if (errno != EINPROGRESS) return Fail(NotReady("connect", errno));
    if (!WaitFor(fd.get(), POLLOUT, deadline)) return Fail(NotReady("connect timed out", 0));
    int err = 0;
    socklen_t len = sizeof(err);
    ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) return Fail(NotReady("connect", err));
  }
  size_t sent = 0;
  while (sent < kGetRandom.size()) {
    ssize_t n = ::send(fd.get(), kGetRandom.data() + sent, kGetRandom.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!WaitFor(fd.get(), POLLOUT, deadline)) return Fail(NotReady("send timed out", 0));
    } else {
      return Fail(NotReady("send", errno));
    }
  }
  std::array<uint8_t, kHeaderSize> header{};
  size_t got = 0;
  while (got < header.size()) {
    if (!WaitFor(fd.get(), POLLIN, deadline)) return Fail(NotReady("no response in time", 0));
    ssize_t n = ::recv(fd.get(), header.data() + got, header.size() - got, 0);
    if (n == 0) return Fail(NotReady("connection closed before a response", 0));
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return Fail(NotReady("recv", errno));
    }
    got += static_cast<size_t>(n);
  }
  uint16_t tag = static_cast<uint16_t>((header[0] << 8) | header[1]);
  uint32_t size = BigEndian32(&header[2]);
  uint32_t rc = BigEndian32(&header[6]);
  if (tag != 0x8001 || size < kHeaderSize || rc != 0) {
    return Fail(ErrorCode::kUnavailable, "swtpm.bad_response",
                "TPM2_GetRandom answered tag " + std::to_string(tag) + ", size " +
                    std::to_string(size) + ", rc " + std::to_string(rc),
                rc);
  }
  return Ok();
}

}  // namespace edgetrust::swtpm
