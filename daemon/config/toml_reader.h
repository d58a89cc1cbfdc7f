// The TOML reading helpers of daemon/config (internal to it): the strict Reader of
// common/toml_reader.h, and the readers of config.h's tables that live in their own files.
// Include it from daemon/config's .cc files only.
#ifndef EDGETRUST_DAEMON_CONFIG_TOML_READER_H_
#define EDGETRUST_DAEMON_CONFIG_TOML_READER_H_

#include "common/error.h"
#include "common/toml_reader.h"
#include "daemon/config/config.h"

namespace edgetrust::daemon::config::internal {

using toml_config::Invalid;
using toml_config::kMaxDuration;
using toml_config::ParseMilliseconds;
using toml_config::Reader;

// ReadGate reads the optional [gate] table (gate_config.cc).
Status ReadGate(Reader& root, DaemonConfig& out);

}  // namespace edgetrust::daemon::config::internal

#endif  // EDGETRUST_DAEMON_CONFIG_TOML_READER_H_
