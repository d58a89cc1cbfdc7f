#include "tools/factory/records_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace edgetrust::factory {
namespace {

std::unexpected<Error> IoError(const char* reason, const std::string& what, int err) {
  return Fail(ErrorCode::kUnavailable, reason, what + ": " + std::strerror(err),
              static_cast<uint64_t>(err));
}

}  // namespace

Result<RecordsFile> RecordsFile::Open(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644));
  if (fd.get() < 0) return IoError("file.open", "cannot open records file " + path, errno);
  return RecordsFile(std::move(fd), path);
}

Status RecordsFile::Append(const std::string& line) {
  const std::string text = line + "\n";
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd_.get(), text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return IoError("file.write", "cannot append to " + path_, n < 0 ? errno : EIO);
    done += static_cast<size_t>(n);
  }
  if (::fdatasync(fd_.get()) != 0) return IoError("file.sync", "cannot sync " + path_, errno);
  return Ok();
}

}  // namespace edgetrust::factory
