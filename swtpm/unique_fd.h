// UniqueFd owns one POSIX file descriptor and closes it when destroyed (internal to
// edgetrust_swtpm).
//
// Move-only; a moved-from or default UniqueFd holds -1. get() borrows the descriptor, which stays
// owned by this object; release() hands ownership to the caller. Not thread-safe.
#ifndef EDGETRUST_SWTPM_UNIQUE_FD_H_
#define EDGETRUST_SWTPM_UNIQUE_FD_H_

#include <unistd.h>

#include <utility>

namespace edgetrust::swtpm {

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

 private:
  int fd_ = -1;
};

}  // namespace edgetrust::swtpm

#endif  // EDGETRUST_SWTPM_UNIQUE_FD_H_
