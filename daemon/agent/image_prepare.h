// PrepareImage turns one module of the verified plan into a directory the agent may run from
// (THREATS M1, M10, M12). It is the only producer of PreparedImage, and the supervisor starts
// modules only from a PreparedImage, so there is no other way to run anything.
//
// It opens the plan's `path` (never anything else) with O_RDONLY|O_NOFOLLOW|O_NONBLOCK,
// requires a regular file of exactly `size` bytes, and in ONE pass streams the bytes through
// SHA-256 (OpenSSL EVP) and the strict tar reader (tar_reader.h), which extracts them into a
// fresh <run_dir>/<name>.<random> directory (0700). It reads at most `size` bytes into the
// hash and the reader, then one more read only to prove end of file. The directory is handed
// out only if the stream was exactly `size` bytes, hashed to `sha256`, and was a valid image
// with a valid edgetrust-image.json whose entrypoint resolves (realpath) to a regular,
// executable file inside the directory; otherwise the directory is removed before returning.
//
// Errors (reason, code):
//   "agent.bad_plan"          kInvalidArgument   name outside [A-Za-z0-9][A-Za-z0-9_-]{0,63},
//                                                sha256 not 64 lower-case hex, path relative
//   "image.not_found"         kNotFound          no file at `path`
//   "image.symlink"           kPermissionDenied  `path` is a symbolic link
//   "image.not_regular_file"  kPermissionDenied  FIFO, device, directory...
//   "image.size_mismatch"     kPermissionDenied  the file is shorter or longer than `size`
//   "image.too_large"         kPermissionDenied  the file grew past `size` while being read
//   "image.digest_mismatch"   kPermissionDenied  right length, wrong content (wins over any
//                                                tar error: a changed image is reported as such)
//   "image.tar_*", "image.trailing_data"          the archive breaks a rule of tar_reader.h
//   "image.no_config", "image.bad_config"         edgetrust-image.json missing or invalid
//   "image.bad_entrypoint"    kPermissionDenied  entrypoint missing, not a regular executable
//                                                file, or resolving outside the directory
//   "image.io", "agent.io"    kUnavailable...    reading the image / writing the directory
// Thread-safe (each call has its own buffers), but two calls must not share a run_dir entry.
#ifndef EDGETRUST_DAEMON_AGENT_IMAGE_PREPARE_H_
#define EDGETRUST_DAEMON_AGENT_IMAGE_PREPARE_H_

#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "daemon/agent/staging_dir.h"
#include "daemon/agent/tar_reader.h"
#include "daemon/api/deployment_wire.h"

namespace edgetrust::daemon::agent {

class PreparedImage {
 public:
  PreparedImage(PreparedImage&&) noexcept = default;
  PreparedImage& operator=(PreparedImage&&) noexcept = default;

  const std::string& dir() const { return dir_.path(); }  // absolute when run_dir is
  // executable is the entrypoint's real path, inside dir(); args are entrypoint[1..].
  const std::string& executable() const { return executable_; }
  const std::vector<std::string>& args() const { return args_; }
  const std::string& sha256() const { return sha256_; }  // hex, as verified

 private:
  friend Result<PreparedImage> PrepareImage(const api::PlannedModule&, const std::string&,
                                            const TarLimits&);
  PreparedImage() = default;
  StagingDir dir_;  // removed with the PreparedImage
  std::string executable_;
  std::vector<std::string> args_;
  std::string sha256_;
};

Result<PreparedImage> PrepareImage(const api::PlannedModule& module, const std::string& run_dir,
                                   const TarLimits& limits = {});

// IsModuleName is the manifest's allow-list for module names: [A-Za-z0-9][A-Za-z0-9_-]{0,63}.
bool IsModuleName(std::string_view name);

}  // namespace edgetrust::daemon::agent

#endif  // EDGETRUST_DAEMON_AGENT_IMAGE_PREPARE_H_
