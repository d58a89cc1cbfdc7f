// ScopedFd owns a file descriptor and closes it when destroyed; move-only.
//
// Close() reports close(2)'s own error, which can carry a deferred write error: call it
// explicitly where data was written. Not thread-safe; an fd has one owner.
#ifndef EDGETRUST_MANIFEST_STORE_SCOPED_FD_H_
#define EDGETRUST_MANIFEST_STORE_SCOPED_FD_H_

#include <unistd.h>

#include <utility>

namespace edgetrust::manifest {

class ScopedFd {
 public:
  ScopedFd() = default;
  explicit ScopedFd(int fd) : fd_(fd) {}
  ScopedFd(ScopedFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  ScopedFd& operator=(ScopedFd&& other) noexcept {
    if (this != &other) {
      Reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  ~ScopedFd() { Reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }

  // Release gives up ownership and returns the descriptor (e.g. to fdopendir).
  int Release() { return std::exchange(fd_, -1); }

  // Close closes the descriptor now and returns close(2)'s result (0, or -1 with errno set).
  int Close() { return ::close(std::exchange(fd_, -1)); }

 private:
  void Reset() {
    if (fd_ >= 0) ::close(std::exchange(fd_, -1));
  }
  int fd_ = -1;
};

}  // namespace edgetrust::manifest

#endif  // EDGETRUST_MANIFEST_STORE_SCOPED_FD_H_
