#include "daemon/agent/tar_reader.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "daemon/agent/sys_error.h"
#include "daemon/agent/tar_header.h"

namespace edgetrust::daemon::agent {
namespace {

std::unexpected<Error> Reject(std::string_view reason, std::string message) {
  return Fail(ErrorCode::kPermissionDenied, std::string(reason), std::move(message));
}

uint64_t RoundUp(uint64_t n) { return (n + kTarBlockSize - 1) / kTarBlockSize * kTarBlockSize; }

bool AllZero(ByteView data) {
  return std::all_of(data.begin(), data.end(), [](uint8_t b) { return b == 0; });
}

}  // namespace

TarExtractor::TarExtractor(int dir_fd, uint64_t stream_size, TarLimits limits)
    : dir_fd_(dir_fd), stream_size_(stream_size), limits_(limits) {}

Status TarExtractor::Feed(ByteView chunk) {
  while (!chunk.empty()) {
    switch (state_) {
      case State::kHeader: {
        size_t n = std::min(chunk.size(), kTarBlockSize - header_fill_);
        std::copy_n(chunk.begin(), n, header_ + header_fill_);
        header_fill_ += n;
        offset_ += n;
        chunk = chunk.subspan(n);
        if (header_fill_ == kTarBlockSize) {
          header_fill_ = 0;
          if (auto st = OnHeader(); !st) return st;
        }
        break;
      }
      case State::kData: {
        size_t n = static_cast<size_t>(std::min<uint64_t>(chunk.size(), remaining_));
        if (auto st = OnData(chunk.first(n)); !st) return st;
        offset_ += n;
        chunk = chunk.subspan(n);
        break;
      }
      case State::kPadding: {
        size_t n = static_cast<size_t>(std::min<uint64_t>(chunk.size(), padding_));
        padding_ -= n;
        offset_ += n;
        chunk = chunk.subspan(n);
        if (padding_ == 0) state_ = State::kHeader;
        break;
      }
      case State::kTrailer:
        if (!AllZero(chunk)) {
          return Reject("image.trailing_data", "non-zero bytes after the end of the archive");
        }
        offset_ += chunk.size();
        chunk = {};
        break;
    }
  }
  return Ok();
}

Status TarExtractor::Finish() {
  if (state_ != State::kTrailer || offset_ % kTarBlockSize != 0) {
    return Reject("image.tar_truncated", "the archive ends before its end-of-archive marker");
  }
  return Ok();
}

Status TarExtractor::OnHeader() {
  if (AllZero(header_)) {
    if (++zero_blocks_ == 2) state_ = State::kTrailer;
    return Ok();
  }
  if (zero_blocks_ != 0) return Reject("image.tar_bad_header", "a zero block inside the archive");
  if (++entries_ > limits_.max_entries) {
    return Reject("image.tar_too_many_entries",
                  "more than " + std::to_string(limits_.max_entries) + " entries");
  }
  auto h = ParseTarHeader(std::span<const uint8_t, kTarBlockSize>(header_));
  if (!h) return Fail(h.error());
  // The entry, its padding and the end-of-archive marker must fit in the declared stream.
  const uint64_t left = offset_ < stream_size_ ? stream_size_ - offset_ : 0;
  if (h->size > left || RoundUp(h->size) + 2 * kTarBlockSize > left) {
    return Reject("image.tar_entry_too_large", "an entry larger than the rest of the image");
  }
  if (h->path.empty()) return Ok();  // "./": the staging directory itself
  auto it = seen_.find(h->path);
  if (it != seen_.end() && !(h->is_directory && it->second == Kind::kImplicitDir)) {
    return Reject("image.tar_duplicate", "duplicate entry " + h->path);
  }
  std::string leaf;
  auto parent = OpenParent(h->path, &leaf);
  if (!parent) return Fail(parent.error());
  if (h->is_directory) {
    if (it == seen_.end() && ::mkdirat(parent->get(), leaf.c_str(), h->mode) != 0) {
      return std::unexpected(SysError(errno, "agent.io", "mkdirat", h->path));
    }
    // Our own private tree holds no symlinks, so following is moot; chmod undoes the umask.
    if (::fchmodat(parent->get(), leaf.c_str(), h->mode, 0) != 0) {
      return std::unexpected(SysError(errno, "agent.io", "fchmodat", h->path));
    }
    seen_[h->path] = Kind::kDir;
    return Ok();
  }
  seen_[h->path] = Kind::kFile;
  capture_config_ = h->path == kImageConfigName;
  if (capture_config_) {
    if (h->size > limits_.max_config_size) {
      return Reject("image.bad_config", std::string(kImageConfigName) + " is too large");
    }
    config_.emplace();
  }
  out_.reset(::openat(parent->get(), leaf.c_str(),
                      O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!out_.valid()) return std::unexpected(SysError(errno, "agent.io", "openat", h->path));
  if (::fchmod(out_.get(), h->mode) != 0) {
    return std::unexpected(SysError(errno, "agent.io", "fchmod", h->path));
  }
  out_path_ = h->path;
  remaining_ = h->size;
  padding_ = RoundUp(h->size) - h->size;
  if (remaining_ == 0) {
    out_.reset();
    state_ = padding_ == 0 ? State::kHeader : State::kPadding;
  } else {
    state_ = State::kData;
  }
  return Ok();
}

Status TarExtractor::OnData(ByteView data) {
  if (auto st = WriteAll(out_.get(), data.data(), data.size(), "agent.io", out_path_); !st) {
    return st;
  }
  if (capture_config_) config_->append(reinterpret_cast<const char*>(data.data()), data.size());
  remaining_ -= data.size();
  if (remaining_ == 0) {
    if (out_.Close() != 0) return std::unexpected(SysError(errno, "agent.io", "close", out_path_));
    state_ = padding_ == 0 ? State::kHeader : State::kPadding;
  }
  return Ok();
}

// OpenParent walks to the parent directory of `path` one component at a time with
// O_NOFOLLOW, creating parents the archive did not list (0755, recorded as implicit).
Result<UniqueFd> TarExtractor::OpenParent(const std::string& path, std::string* leaf) {
  UniqueFd dir(::fcntl(dir_fd_, F_DUPFD_CLOEXEC, 0));
  if (!dir.valid()) return std::unexpected(SysError(errno, "agent.io", "dup", "staging dir"));
  size_t start = 0;
  for (size_t slash = path.find('/'); slash != std::string::npos;
       start = slash + 1, slash = path.find('/', start)) {
    const std::string prefix = path.substr(0, slash);
    const std::string part = path.substr(start, slash - start);
    auto it = seen_.find(prefix);
    if (it != seen_.end() && it->second == Kind::kFile) {
      return Reject("image.tar_bad_path", "a parent of " + path + " is a file");
    }
    if (it == seen_.end()) {
      if (::mkdirat(dir.get(), part.c_str(), 0755) != 0 ||
          ::fchmodat(dir.get(), part.c_str(), 0755, 0) != 0) {
        return std::unexpected(SysError(errno, "agent.io", "mkdirat", prefix));
      }
      seen_[prefix] = Kind::kImplicitDir;
    }
    UniqueFd next(
        ::openat(dir.get(), part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!next.valid()) return std::unexpected(SysError(errno, "agent.io", "openat", prefix));
    dir = std::move(next);
  }
  *leaf = path.substr(start);
  return dir;
}

}  // namespace edgetrust::daemon::agent
