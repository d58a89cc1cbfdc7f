// Streaming verification of module images against their pin in a signed manifest (THREATS M1).
//
// An image is accepted only if its stream is exactly `expected.size` bytes long and hashes
// (SHA-256, OpenSSL EVP) to `expected.sha256`. The stream is read in chunks of
// kImageChunkSize into one buffer, so memory is bounded whatever the image size, and at most
// `expected.size + 1` bytes are ever read: a longer or endless stream is rejected the moment
// it passes the declared length, without reading on. The digest is compared in constant time.
//
// Errors (reason, code):
//   "image.bad_ref"          kInvalidArgument   expected.sha256 is not 32 bytes
//   "image.too_large"        kPermissionDenied  the stream goes on past expected.size
//   "image.size_mismatch"    kPermissionDenied  the stream ends before expected.size
//   "image.digest_mismatch"  kPermissionDenied  right length, wrong content
//   "image.not_found"        kNotFound          (file variants) no such file
//   "image.symlink"          kPermissionDenied  (file variants) the path is a symbolic link
//   "image.not_regular_file" kInvalidArgument   (file variants) a FIFO, device, directory...
//   "image.io"               kUnavailable       reading failed (message has the errno text)
//   "store.full"             kResourceExhausted (CopyVerifiedImage) ENOSPC or EDQUOT
//   "store.io"               kUnavailable       (CopyVerifiedImage) writing failed
// Every function is thread-safe; each call uses its own buffer and digest context.
#ifndef EDGETRUST_MANIFEST_STORE_IMAGE_DIGEST_H_
#define EDGETRUST_MANIFEST_STORE_IMAGE_DIGEST_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "common/bytes.h"
#include "common/error.h"
#include "manifest/core/manifest.h"
#include "manifest/store/scoped_fd.h"

namespace edgetrust::manifest {

// kImageChunkSize is the read size and the only buffer. On page-cached data (bench/manifest.sh,
// AMD EPYC with SHA-NI, 1 MiB L2 per core) CPU time per GiB falls from 8 KiB to 512 KiB chunks
// and is flat within 1% from 512 KiB to 4 MiB; 1 MiB still fits L2 between read(2) filling it
// and SHA-256 reading it.
inline constexpr size_t kImageChunkSize = 1024 * 1024;

// VerifiedBlob is proof that a stream matched an ImageRef; only the functions below make one.
class VerifiedBlob {
 public:
  const Bytes& sha256() const { return sha256_; }
  uint64_t size() const { return size_; }
  // DigestHex is the lower-case hex of sha256(), the image's name in the store.
  std::string DigestHex() const { return HexEncode(sha256_); }

 private:
  friend class ImageStreamer;  // image_digest.cc
  VerifiedBlob(Bytes sha256, uint64_t size) : sha256_(std::move(sha256)), size_(size) {}
  Bytes sha256_;
  uint64_t size_ = 0;
};

// VerifyImageStream reads `fd` (borrowed, any readable kind: file, pipe, socket) from its
// current position until end of stream or past expected.size, and verifies it.
Result<VerifiedBlob> VerifyImageStream(int fd, const ImageRef& expected);

// VerifyImageFile verifies the regular file at `path`, opened with OpenImageFile.
Result<VerifiedBlob> VerifyImageFile(const std::string& path, const ImageRef& expected);

// OpenImageFile opens `path` read-only without following a final symlink and without
// blocking on a FIFO, and requires a regular file. A file whose current length already
// differs from expected.size is rejected before any byte is read ("image.too_large",
// "image.size_mismatch"); the length is checked again while streaming, since it can change.
Result<ScopedFd> OpenImageFile(const std::string& path, const ImageRef& expected);

// CopyVerifiedImage streams `in` like VerifyImageStream and writes every byte it hashed to
// `out` (both borrowed), so what lands in `out` is exactly what was verified. On an error
// `out` holds a partial copy the caller must discard. It does not fsync `out`.
Result<VerifiedBlob> CopyVerifiedImage(int in, int out, const ImageRef& expected);

}  // namespace edgetrust::manifest

#endif  // EDGETRUST_MANIFEST_STORE_IMAGE_DIGEST_H_
