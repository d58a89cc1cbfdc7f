#include "daemon/agent/image_prepare.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <memory>
#include <optional>

#include "common/bytes.h"
#include "common/crypto.h"
#include "common/openssl.h"
#include "daemon/agent/image_config.h"
#include "daemon/agent/sys_error.h"

namespace edgetrust::daemon::agent {
namespace {

constexpr size_t kChunkSize = 256 * 1024;

std::unexpected<Error> Reject(std::string_view reason, std::string message) {
  return Fail(ErrorCode::kPermissionDenied, std::string(reason), std::move(message));
}

bool IsLowerHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

Status CheckModule(const api::PlannedModule& m) {
  if (!IsModuleName(m.name)) {
    return Fail(ErrorCode::kInvalidArgument, "agent.bad_plan", "module name outside allow-list");
  }
  if (m.sha256.size() != 64 || !IsLowerHex(m.sha256) || !m.path.starts_with('/')) {
    return Fail(ErrorCode::kInvalidArgument, "agent.bad_plan",
                "module " + m.name + ": bad sha256 or relative path");
  }
  return Ok();
}

Result<UniqueFd> OpenImage(const api::PlannedModule& m) {
  UniqueFd fd(::open(m.path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return Fail(ErrorCode::kNotFound, "image.not_found", m.path);
    if (errno == ELOOP) return Reject("image.symlink", m.path + " is a symbolic link");
    return std::unexpected(SysError(errno, "image.io", "open", m.path));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0)
    return std::unexpected(SysError(errno, "image.io", "fstat", m.path));
  if (!S_ISREG(st.st_mode)) return Reject("image.not_regular_file", m.path);
  if (static_cast<uint64_t>(st.st_size) != m.size) {
    return Reject("image.size_mismatch", m.path + " is not " + std::to_string(m.size) + " bytes");
  }
  return fd;
}

// Stream reads exactly `m.size` bytes of `fd` into the digest and the extractor, then proves
// end of file. A tar error stops extraction but not hashing, so that a changed image is
// reported as "image.digest_mismatch" whatever it broke.
Status Stream(int fd, const api::PlannedModule& m, TarExtractor& tar) {
  OpenSslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    return std::unexpected(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "EVP_DigestInit"));
  }
  auto buffer = std::make_unique<uint8_t[]>(kChunkSize);
  std::optional<Error> tar_error;
  uint64_t total = 0;
  while (total < m.size) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(kChunkSize, m.size - total));
    ssize_t n = ::read(fd, buffer.get(), want);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::unexpected(SysError(errno, "image.io", "read", m.path));
    if (n == 0) return Reject("image.size_mismatch", m.path + " shrank while being read");
    ByteView chunk(buffer.get(), static_cast<size_t>(n));
    if (EVP_DigestUpdate(ctx.get(), chunk.data(), chunk.size()) != 1) {
      return std::unexpected(
          OpenSslError(ErrorCode::kInternal, "crypto.openssl", "EVP_DigestUpdate"));
    }
    if (!tar_error) {
      if (auto st = tar.Feed(chunk); !st) tar_error = st.error();
    }
    total += static_cast<uint64_t>(n);
  }
  uint8_t probe = 0;
  ssize_t n = 0;
  while ((n = ::read(fd, &probe, 1)) < 0 && errno == EINTR) {
  }
  if (n < 0) return std::unexpected(SysError(errno, "image.io", "read", m.path));
  if (n > 0) return Reject("image.too_large", m.path + " grew past its declared size");
  uint8_t digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  if (EVP_DigestFinal_ex(ctx.get(), digest, &digest_size) != 1) {
    return std::unexpected(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "EVP_DigestFinal"));
  }
  auto expected = HexDecode(m.sha256);
  if (!expected || !ConstantTimeEquals(ByteView(digest, digest_size), *expected)) {
    return Reject("image.digest_mismatch", m.path + " does not match its signed sha256");
  }
  if (tar_error) return Fail(std::move(*tar_error));
  return tar.Finish();
}

// ResolveEntrypoint returns the real path of `relative` if it stays inside `dir` and is a
// regular file with an execute bit.
Result<std::string> ResolveEntrypoint(const std::string& dir, const std::string& relative) {
  char real_dir[PATH_MAX];
  char real_exe[PATH_MAX];
  if (::realpath(dir.c_str(), real_dir) == nullptr) {
    return std::unexpected(SysError(errno, "agent.io", "realpath", dir));
  }
  const std::string joined = dir + "/" + relative;
  if (::realpath(joined.c_str(), real_exe) == nullptr) {
    return Reject("image.bad_entrypoint", "entrypoint " + relative + " does not exist");
  }
  std::string exe(real_exe);
  if (!exe.starts_with(std::string(real_dir) + "/")) {
    return Reject("image.bad_entrypoint", "entrypoint " + relative + " leaves the image");
  }
  struct stat st {};
  if (::lstat(exe.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & S_IXUSR) == 0) {
    return Reject("image.bad_entrypoint", "entrypoint " + relative + " is not executable");
  }
  return exe;
}

}  // namespace

bool IsModuleName(std::string_view name) {
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (name.empty() || name.size() > 64 || !alnum(name[0])) return false;
  return std::all_of(name.begin(), name.end(),
                     [&](char c) { return alnum(c) || c == '_' || c == '-'; });
}

Result<PreparedImage> PrepareImage(const api::PlannedModule& module, const std::string& run_dir,
                                   const TarLimits& limits) {
  if (auto st = CheckModule(module); !st) return Fail(st.error());
  auto fd = OpenImage(module);
  if (!fd) return Fail(fd.error());
  PreparedImage image;
  auto dir = StagingDir::Create(run_dir, module.name);
  if (!dir) return Fail(dir.error());
  image.dir_ = std::move(*dir);  // from here on, every early return removes the directory
  TarExtractor tar(image.dir_.fd(), module.size, limits);
  if (auto st = Stream(fd->get(), module, tar); !st) return Fail(st.error());
  if (!tar.config()) {
    return Reject("image.no_config", std::string(kImageConfigName) + " is missing");
  }
  auto config = ParseImageConfig(*tar.config());
  if (!config) return Fail(config.error());
  auto exe = ResolveEntrypoint(image.dir(), config->entrypoint[0]);
  if (!exe) return Fail(exe.error());
  image.executable_ = std::move(*exe);
  image.args_.assign(config->entrypoint.begin() + 1, config->entrypoint.end());
  image.sha256_ = module.sha256;
  return image;
}

}  // namespace edgetrust::daemon::agent
