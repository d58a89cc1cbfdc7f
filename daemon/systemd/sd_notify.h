// The sd_notify(3) protocol without libsystemd: service readiness, status text and stopping
// notifications for a Type=notify unit (daemon/systemd/edgetrustd.service), and the watchdog
// interval systemd asks for.
//
// The protocol: systemd passes the address of a datagram socket in $NOTIFY_SOCKET, either a file
// system path ("/run/systemd/notify") or, with a leading "@", a name in Linux's abstract socket
// namespace; the service sends newline-separated "KEY=VALUE" assignments in one datagram.
// Outside systemd ($NOTIFY_SOCKET unset or empty) every function is a successful no-op, so the
// daemon runs the same in a terminal, in tests and under systemd.
//
// Errors are values and are never fatal to the caller's purpose (log them and carry on):
//   kInvalidArgument "systemd.notify_socket": $NOTIFY_SOCKET is neither an absolute path nor
//                    "@name", or is too long for sockaddr_un (107 bytes);
//   kInvalidArgument "systemd.notify":        `state` is empty;
//   kUnavailable     "systemd.notify":        socket(2) or sendmsg(2) failed (errno in `native`),
//                                             or the datagram was truncated.
//
// Thread safety: the functions read the environment (getenv); they are safe to call from any
// thread as long as no thread modifies the environment at the same time. Each call uses its own
// socket, closed before returning.
#ifndef EDGETRUST_DAEMON_SYSTEMD_SD_NOTIFY_H_
#define EDGETRUST_DAEMON_SYSTEMD_SD_NOTIFY_H_

#include <chrono>
#include <optional>
#include <string_view>

#include "common/error.h"

namespace edgetrust::daemon::systemd {

// SdNotify sends `state` ("READY=1", "STATUS=enrolled", several lines joined by '\n') to
// $NOTIFY_SOCKET as one datagram. Ok and nothing sent when $NOTIFY_SOCKET is unset or empty.
Status SdNotify(std::string_view state);

// NotifyReady tells systemd that start-up is complete ("READY=1"): for edgetrustd, once the local
// API socket accepts connections.
Status NotifyReady();

// NotifyStatus sets the free-form status line `systemctl status` shows ("STATUS=<text>").
// Newlines and other control characters in `text` are replaced by spaces, so that a status built
// from runtime data cannot smuggle in another assignment ("x\nREADY=1").
Status NotifyStatus(std::string_view text);

// NotifyStopping tells systemd that the service is shutting down ("STOPPING=1").
Status NotifyStopping();

// NotifyWatchdog is the keep-alive ping ("WATCHDOG=1") for units with WatchdogSec=; send it at
// least every WatchdogInterval() / 2.
Status NotifyWatchdog();

// WatchdogInterval returns the interval of systemd's watchdog from $WATCHDOG_USEC when it is set
// to a positive decimal number and $WATCHDOG_PID, if set, names this process (as
// sd_watchdog_enabled(3)); std::nullopt otherwise (no watchdog, malformed values, or the
// variables were meant for another process).
std::optional<std::chrono::microseconds> WatchdogInterval();

}  // namespace edgetrust::daemon::systemd

#endif  // EDGETRUST_DAEMON_SYSTEMD_SD_NOTIFY_H_
