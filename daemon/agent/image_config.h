// ImageConfig is the module image's own manifest, edgetrust-image.json at the top of the
// archive (docs/agent.md):
//
//   {"entrypoint": ["relative/path", "arg", ...]}
//
// ParseImageConfig reads it strictly (common/strict_json.h: one object, no duplicate members,
// valid UTF-8, at most 64 KiB) and accepts exactly that member: 1 to 256 strings without NUL,
// each at most 4096 bytes, the first a relative path without ".." components. Anything else
// is kPermissionDenied "image.bad_config" (the image is refused, as with any other bad byte).
// Pure, thread-safe.
#ifndef EDGETRUST_DAEMON_AGENT_IMAGE_CONFIG_H_
#define EDGETRUST_DAEMON_AGENT_IMAGE_CONFIG_H_

#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace edgetrust::daemon::agent {

struct ImageConfig {
  std::vector<std::string> entrypoint;  // [0] is relative to the image's root
};

Result<ImageConfig> ParseImageConfig(std::string_view text);

}  // namespace edgetrust::daemon::agent

#endif  // EDGETRUST_DAEMON_AGENT_IMAGE_CONFIG_H_
