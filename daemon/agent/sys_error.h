// SysError turns an errno value into an Error: the caller picks the reason, the code follows
// from the errno (ENOENT kNotFound, EACCES/EPERM kPermissionDenied, ENOSPC/EDQUOT/EMFILE/
// ENFILE/ENOMEM/EAGAIN kResourceExhausted, anything else kUnavailable) and the message names
// the call, the object and strerror's text. Internal to daemon/agent. Thread-safe.
#ifndef EDGETRUST_DAEMON_AGENT_SYS_ERROR_H_
#define EDGETRUST_DAEMON_AGENT_SYS_ERROR_H_

#include <string_view>

#include "common/error.h"

namespace edgetrust::daemon::agent {

Error SysError(int err, std::string_view reason, std::string_view call, std::string_view what);

// WriteAll writes all of `data` to `fd` (borrowed), retrying on EINTR and short writes;
// failures are SysError(errno, `reason`, "write", `what`).
Status WriteAll(int fd, const void* data, size_t size, std::string_view reason,
                std::string_view what);

}  // namespace edgetrust::daemon::agent

#endif  // EDGETRUST_DAEMON_AGENT_SYS_ERROR_H_
