#include "daemon/systemd/sd_notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>

#include "common/unique_fd.h"

namespace edgetrust::daemon::systemd {
namespace {

std::unexpected<Error> Unavailable(std::string_view what, int err) {
  return Fail(ErrorCode::kUnavailable, "systemd.notify",
              std::string(what) + ": " + std::strerror(err), static_cast<uint64_t>(err));
}

// NotifyAddress fills `addr` from $NOTIFY_SOCKET's value and returns the address length.
Result<socklen_t> NotifyAddress(std::string_view value, sockaddr_un& addr) {
  std::memset(&addr, 0, sizeof(addr));
  addr.sun_family = AF_UNIX;
  const bool abstract = value.front() == '@';
  if (!abstract && value.front() != '/') {
    return Fail(ErrorCode::kInvalidArgument, "systemd.notify_socket",
                "NOTIFY_SOCKET is neither an absolute path nor an abstract name (@...)");
  }
  // A path needs its terminating NUL; an abstract name replaces '@' by a leading NUL and is
  // delimited by the address length alone. Either way at most sizeof(sun_path) bytes.
  if (value.size() >= sizeof(addr.sun_path) + (abstract ? 1 : 0)) {
    return Fail(ErrorCode::kInvalidArgument, "systemd.notify_socket",
                "NOTIFY_SOCKET is longer than a Unix socket address allows (" +
                    std::to_string(value.size()) + " bytes)");
  }
  std::memcpy(addr.sun_path, value.data(), value.size());
  size_t path_bytes = value.size() + 1;  // with the NUL
  if (abstract) {
    addr.sun_path[0] = '\0';
    path_bytes = value.size();  // NUL + name, no terminator
  }
  return static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path_bytes);
}

// ParseDecimal reads a non-negative decimal number that fills `text` completely.
std::optional<uint64_t> ParseDecimal(const char* text) {
  if (text == nullptr || *text == '\0') return std::nullopt;
  std::string_view s(text);
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

}  // namespace

Status SdNotify(std::string_view state) {
  const char* env = std::getenv("NOTIFY_SOCKET");
  if (env == nullptr || *env == '\0') return Ok();
  if (state.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "systemd.notify", "empty notification");
  }
  sockaddr_un addr{};
  auto addr_len = NotifyAddress(env, addr);
  if (!addr_len) return Fail(addr_len.error());

  UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return Unavailable("socket", errno);
  ssize_t sent = -1;
  do {
    // MSG_NOSIGNAL: a vanished receiver must not raise SIGPIPE in the daemon.
    sent = ::sendto(fd.get(), state.data(), state.size(), MSG_NOSIGNAL,
                    reinterpret_cast<const sockaddr*>(&addr), *addr_len);
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) return Unavailable("sendto NOTIFY_SOCKET", errno);
  if (static_cast<size_t>(sent) != state.size()) {
    return Fail(ErrorCode::kUnavailable, "systemd.notify", "notification truncated");
  }
  return Ok();
}

Status NotifyReady() { return SdNotify("READY=1"); }

Status NotifyStatus(std::string_view text) {
  std::string state = "STATUS=";
  state.reserve(state.size() + text.size());
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    state.push_back(u < 0x20 || u == 0x7f ? ' ' : c);
  }
  return SdNotify(state);
}

Status NotifyStopping() { return SdNotify("STOPPING=1"); }

Status NotifyWatchdog() { return SdNotify("WATCHDOG=1"); }

std::optional<std::chrono::microseconds> WatchdogInterval() {
  auto usec = ParseDecimal(std::getenv("WATCHDOG_USEC"));
  if (!usec || *usec == 0 ||
      *usec > static_cast<uint64_t>(std::numeric_limits<std::chrono::microseconds::rep>::max())) {
    return std::nullopt;
  }
  if (const char* pid_text = std::getenv("WATCHDOG_PID"); pid_text != nullptr) {
    auto pid = ParseDecimal(pid_text);
    if (!pid || *pid != static_cast<uint64_t>(::getpid())) return std::nullopt;
  }
  return std::chrono::microseconds(static_cast<std::chrono::microseconds::rep>(*usec));
}

}  // namespace edgetrust::daemon::systemd
