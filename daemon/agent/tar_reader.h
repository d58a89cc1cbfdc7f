// TarExtractor: a small, strict reader of POSIX ustar archives (the module image format,
// docs/agent.md) that extracts into a directory as the bytes arrive, so that an image is read
// exactly once (THREATS M12: the bytes hashed are the bytes extracted).
//
// The caller pushes the whole stream through Feed() in chunks of any size, then calls Finish().
// Accepted: 512-byte ustar headers (magic "ustar\0", version "00", valid checksum, octal
// numbers) of type '0'/'\0' (regular file) and '5' (directory), then the end-of-archive marker
// (two zero blocks), then only zero bytes up to the end of the stream. Names (prefix "/" name)
// are relative; "." components are dropped, so "./bin/run" is "bin/run" and "./" is the
// directory itself; a trailing "/" is allowed on directories. Parents missing from the
// archive are created. Modes become 0755 (any x bit, and every directory) or 0644; owners,
// times and every other field are ignored.
//
// Refused, all kPermissionDenied (the first violation ends extraction):
//   "image.tar_bad_header"         checksum, magic, version or a number field is wrong, or a
//                                  single zero block sits before another header
//   "image.tar_bad_path"           empty, absolute, "..", "//", a control character, over 255
//                                  bytes, or a parent that is a file
//   "image.tar_unsupported_type"   links, devices, FIFOs, pax and GNU extension headers...
//   "image.tar_duplicate"          the same path twice (after dropping "." components)
//   "image.tar_too_many_entries"   more than TarLimits::max_entries headers
//   "image.tar_entry_too_large"    an entry that cannot fit in the declared stream size
//   "image.tar_truncated"          (Finish) the stream ended before the end-of-archive marker
//   "image.trailing_data"          a non-zero byte after the end-of-archive marker
//   "image.bad_config"             edgetrust-image.json larger than TarLimits::max_config_size
// Writing failures are SysError "agent.io" (kResourceExhausted when the disk is full).
//
// TarExtractor borrows `dir_fd` (an empty directory) for its whole life; on an error the
// directory holds a partial tree the caller must remove. Every file it opens is O_CLOEXEC and
// O_NOFOLLOW and closed before the next entry. Not thread-safe.
#ifndef EDGETRUST_DAEMON_AGENT_TAR_READER_H_
#define EDGETRUST_DAEMON_AGENT_TAR_READER_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "common/bytes.h"
#include "common/error.h"
#include "common/unique_fd.h"

namespace edgetrust::daemon::agent {

inline constexpr const char* kImageConfigName = "edgetrust-image.json";

struct TarLimits {
  size_t max_entries = 4096;
  size_t max_config_size = 64 * 1024;
};

class TarExtractor {
 public:
  // `stream_size` is the declared length of the whole archive (the plan's `size`).
  TarExtractor(int dir_fd, uint64_t stream_size, TarLimits limits = {});
  TarExtractor(const TarExtractor&) = delete;
  TarExtractor& operator=(const TarExtractor&) = delete;

  // Feed consumes the next bytes of the stream. After an error, call nothing else.
  Status Feed(ByteView chunk);
  // Finish checks that the archive ended properly; call it once the whole stream was fed.
  Status Finish();

  // config is the content of edgetrust-image.json at the archive's top level, if there was one.
  const std::optional<std::string>& config() const { return config_; }
  size_t entries() const { return entries_; }

 private:
  enum class State { kHeader, kData, kPadding, kTrailer };
  enum class Kind { kFile, kDir, kImplicitDir };

  Status OnHeader();
  Status OnData(ByteView data);
  Result<UniqueFd> OpenParent(const std::string& path, std::string* leaf);

  int dir_fd_;
  uint64_t stream_size_;
  TarLimits limits_;
  State state_ = State::kHeader;
  uint64_t offset_ = 0;  // bytes of the stream consumed so far
  uint8_t header_[512] = {};
  size_t header_fill_ = 0;
  int zero_blocks_ = 0;
  uint64_t remaining_ = 0;  // data bytes left in the current entry
  uint64_t padding_ = 0;    // padding bytes left after it
  UniqueFd out_;            // the file being written
  std::string out_path_;
  bool capture_config_ = false;
  std::optional<std::string> config_;
  size_t entries_ = 0;
  std::map<std::string, Kind> seen_;
};

}  // namespace edgetrust::daemon::agent

#endif  // EDGETRUST_DAEMON_AGENT_TAR_READER_H_
