// ParseTarHeader decodes and checks one 512-byte ustar header block (the rules and reasons of
// tar_reader.h: "image.tar_bad_header", "image.tar_bad_path", "image.tar_unsupported_type").
// Internal to daemon/agent. Pure, thread-safe.
#ifndef EDGETRUST_DAEMON_AGENT_TAR_HEADER_H_
#define EDGETRUST_DAEMON_AGENT_TAR_HEADER_H_

#include <sys/types.h>

#include <cstdint>
#include <span>
#include <string>

#include "common/error.h"

namespace edgetrust::daemon::agent {

inline constexpr size_t kTarBlockSize = 512;
inline constexpr size_t kMaxTarPathSize = 255;

struct TarHeader {
  std::string path;  // normalized: relative, no "." / ".." / empty components; "" = the root
  bool is_directory = false;
  uint64_t size = 0;  // 0 for directories
  mode_t mode = 0;    // 0755 or 0644
};

Result<TarHeader> ParseTarHeader(std::span<const uint8_t, kTarBlockSize> block);

// NormalizeTarPath applies the path rules to `name` ("./a/b/" -> "a/b"). `directory` allows
// one trailing slash.
Result<std::string> NormalizeTarPath(std::string_view name, bool directory);

}  // namespace edgetrust::daemon::agent

#endif  // EDGETRUST_DAEMON_AGENT_TAR_HEADER_H_
