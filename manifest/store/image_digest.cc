#include "manifest/store/image_digest.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "common/crypto.h"
#include "common/openssl.h"

namespace edgetrust::manifest {
namespace {

constexpr size_t kSha256Size = 32;

std::unexpected<Error> ImageMismatch(std::string reason, std::string message) {
  return Fail(ErrorCode::kPermissionDenied, std::move(reason), std::move(message));
}

std::unexpected<Error> ErrnoFail(int err, std::string reason, const std::string& what) {
  ErrorCode code = ErrorCode::kUnavailable;
  if (reason == "store.io" && (err == ENOSPC || err == EDQUOT)) {
    code = ErrorCode::kResourceExhausted;
    reason = "store.full";
  }
  return Fail(code, std::move(reason), what + ": " + std::strerror(err),
              static_cast<uint64_t>(err));
}

Status WriteAll(int fd, const uint8_t* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoFail(errno, "store.io", "write image copy");
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return Ok();
}

}  // namespace

// ImageStreamer holds the one chunk buffer and the digest context of a verification.
class ImageStreamer {
 public:
  static Result<VerifiedBlob> Run(int in, int out, const ImageRef& expected) {
    if (expected.sha256.size() != kSha256Size) {
      return Fail(ErrorCode::kInvalidArgument, "image.bad_ref",
                  "image " + expected.repository + " has a " +
                      std::to_string(expected.sha256.size()) + "-byte sha256");
    }
    ImageStreamer streamer(expected);
    if (auto started = streamer.Start(); !started) return Fail(started.error());
    // Sequential access doubles the kernel's read-ahead; pipes and devices answer ESPIPE,
    // which is harmless.
    (void)::posix_fadvise(in, 0, 0, POSIX_FADV_SEQUENTIAL);
    if (auto streamed = streamer.Stream(in, out); !streamed) return Fail(streamed.error());
    return streamer.Finish();
  }

 private:
  explicit ImageStreamer(const ImageRef& expected) : expected_(expected) {}

  Status Start() {
    ctx_.reset(EVP_MD_CTX_new());
    if (ctx_ == nullptr) {
      return Fail(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "EVP_MD_CTX_new"));
    }
    if (EVP_DigestInit_ex(ctx_.get(), EvpMd(HashAlgorithm::kSha256), nullptr) != 1) {
      return Fail(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "EVP_DigestInit_ex"));
    }
    buf_ = std::make_unique_for_overwrite<uint8_t[]>(kImageChunkSize);
    return Ok();
  }

  // Stream hashes (and copies to `out` when it is >= 0) until end of stream, or fails as soon
  // as a byte beyond the declared length arrives.
  Status Stream(int in, int out) {
    for (;;) {
      const uint64_t left = expected_.size - total_;  // total_ <= expected_.size
      // Ask for one byte beyond the declared end, never more: that byte alone tells a longer
      // stream from an exact one.
      const size_t want = left >= kImageChunkSize ? kImageChunkSize : static_cast<size_t>(left) + 1;
      ssize_t n = ::read(in, buf_.get(), want);
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoFail(errno, "image.io", "read image " + expected_.repository);
      }
      if (n == 0) return Ok();
      const auto got = static_cast<size_t>(n);
      if (got > left) {
        return ImageMismatch("image.too_large", "image " + expected_.repository +
                                                    " is longer than its declared " +
                                                    std::to_string(expected_.size) + " bytes");
      }
      if (EVP_DigestUpdate(ctx_.get(), buf_.get(), got) != 1) {
        return Fail(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "EVP_DigestUpdate"));
      }
      if (out >= 0) {
        if (auto written = WriteAll(out, buf_.get(), got); !written) return written;
      }
      total_ += got;
    }
  }

  Result<VerifiedBlob> Finish() {
    if (total_ != expected_.size) {
      return ImageMismatch("image.size_mismatch",
                           "image " + expected_.repository + " has " + std::to_string(total_) +
                               " bytes, the manifest declares " + std::to_string(expected_.size));
    }
    Bytes digest(kSha256Size);
    unsigned int digest_len = 0;
    if (EVP_DigestFinal_ex(ctx_.get(), digest.data(), &digest_len) != 1 ||
        digest_len != kSha256Size) {
      return Fail(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "EVP_DigestFinal_ex"));
    }
    if (!ConstantTimeEquals(digest, expected_.sha256)) {
      return ImageMismatch("image.digest_mismatch",
                           "image " + expected_.repository + " has sha256 " + HexEncode(digest) +
                               ", the manifest pins " + HexEncode(expected_.sha256));
    }
    return VerifiedBlob(std::move(digest), total_);
  }

  const ImageRef& expected_;
  OpenSslPtr<EVP_MD_CTX> ctx_;
  std::unique_ptr<uint8_t[]> buf_;
  uint64_t total_ = 0;
};

Result<VerifiedBlob> VerifyImageStream(int fd, const ImageRef& expected) {
  return ImageStreamer::Run(fd, -1, expected);
}

Result<VerifiedBlob> CopyVerifiedImage(int in, int out, const ImageRef& expected) {
  return ImageStreamer::Run(in, out, expected);
}

Result<ScopedFd> OpenImageFile(const std::string& path, const ImageRef& expected) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below anyway and
  // has no effect on regular files.
  ScopedFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
  if (!fd.valid()) {
    int err = errno;
    if (err == ENOENT || err == ENOTDIR) {
      return Fail(ErrorCode::kNotFound, "image.not_found", "no image file " + path,
                  static_cast<uint64_t>(err));
    }
    if (err == ELOOP) {
      return Fail(ErrorCode::kPermissionDenied, "image.symlink",
                  "image file " + path + " is a symbolic link", static_cast<uint64_t>(err));
    }
    return ErrnoFail(err, "image.io", "open image file " + path);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return ErrnoFail(errno, "image.io", "stat " + path);
  if (!S_ISREG(st.st_mode)) {
    return Fail(ErrorCode::kInvalidArgument, "image.not_regular_file",
                path + " is not a regular file");
  }
  const auto length = static_cast<uint64_t>(st.st_size);
  if (length > expected.size) {
    return ImageMismatch("image.too_large", path + " has " + std::to_string(length) +
                                                " bytes, the manifest declares " +
                                                std::to_string(expected.size));
  }
  if (length < expected.size) {
    return ImageMismatch("image.size_mismatch", path + " has " + std::to_string(length) +
                                                    " bytes, the manifest declares " +
                                                    std::to_string(expected.size));
  }
  return fd;
}

Result<VerifiedBlob> VerifyImageFile(const std::string& path, const ImageRef& expected) {
  auto fd = OpenImageFile(path, expected);
  if (!fd) return Fail(fd.error());
  return VerifyImageStream(fd->get(), expected);
}

}  // namespace edgetrust::manifest
