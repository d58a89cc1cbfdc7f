// UniqueFd owns one POSIX file descriptor and closes it when destroyed.
//
// Move-only; a moved-from or default UniqueFd holds -1. get() borrows the descriptor, which stays
// owned by this object; release() hands ownership to the caller; Close() closes now and reports
// close(2)'s result (it can carry a deferred write error). Not thread-safe.
#ifndef EDGETRUST_COMMON_UNIQUE_FD_H_
#define EDGETRUST_COMMON_UNIQUE_FD_H_

#include <unistd.h>

#include <utility>

namespace edgetrust {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() { return std::exchange(fd_, -1); }
  // reset closes the current descriptor (errors from close(2) are ignored) and adopts `fd`.
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }
  int Close() { return ::close(std::exchange(fd_, -1)); }

 private:
  int fd_ = -1;
};

}  // namespace edgetrust

#endif  // EDGETRUST_COMMON_UNIQUE_FD_H_
