// ImageStore is the content-addressed, read-only image store the agent runs from (ARCHITECTURE
// "The module gate"; THREATS M1, M12, D4, D5).
//
// Layout under `root` (directories 0755 unless noted):
//   images/sha256/<64 lower-case hex>   one verified image, mode 0444, named by its sha256
//   tmp/                                 0700, imports in progress; emptied by Open
//
// Import never renames or links the staging file (its directory may be writable by the agent,
// which could swap the file after verification): it copies the bytes into tmp/ while hashing
// exactly the bytes it writes, and only a copy that matched the ImageRef is fsync'ed, made
// 0444 and renamed into images/sha256/; then the directory is fsync'ed. A crash at any point
// leaves either no image or the whole verified one, plus at most a stray temporary file that
// the next Open removes.
//
// A stored image is never trusted blindly: Import and Contains re-verify it (one full read).
// Import replaces a stored image that fails verification (wrong content or length, not a
// regular file, writable mode) with a freshly verified copy and says so (kRepaired).
//
// Errors: the "image.*" reasons of image_digest.h for the image being verified;
// "store.bad_digest" (kInvalidArgument) for a name that is not 64 lower-case hex digits;
// "store.corrupt" (kFailedPrecondition, Contains only) for a stored image that fails
// verification; "store.full" (kResourceExhausted) when the disk or quota is full;
// "store.io" (kUnavailable, kPermissionDenied for EACCES/EPERM) with the errno text otherwise.
//
// Thread safety: all methods are const and may run concurrently, also for the same image (each
// import has its own temporary file; the rename is atomic and both copies are verified). One
// ImageStore per root: Open removes temporary files, including those of another live store.
#ifndef EDGETRUST_MANIFEST_STORE_IMAGE_STORE_H_
#define EDGETRUST_MANIFEST_STORE_IMAGE_STORE_H_

#include <string>
#include <string_view>
#include <utility>

#include "common/error.h"
#include "manifest/core/manifest.h"
#include "manifest/store/image_digest.h"

namespace edgetrust::manifest {

struct StoredImage {
  enum class Origin {
    kImported,        // copied from the staging file
    kAlreadyPresent,  // the stored copy re-verified; the staging file was not read
    kRepaired,        // the stored copy failed verification and was replaced from staging
  };
  std::string path;  // <root>/images/sha256/<hex>
  VerifiedBlob blob;
  Origin origin;
};

class ImageStore {
 public:
  // Open creates the layout under `root` (the parent of `root` must exist), tightens the
  // modes of existing directories, and removes everything left in tmp/.
  static Result<ImageStore> Open(const std::string& root);

  // Import makes the image `ref` pins available in the store, from `staging_path` when the
  // store does not already hold a verified copy. The staging file is opened O_NOFOLLOW and
  // must be a regular file; it is never modified, moved or removed.
  Result<StoredImage> Import(const std::string& staging_path, const ImageRef& ref) const;

  // Path returns <root>/images/sha256/<hex>, whether or not the image is present.
  Result<std::string> Path(std::string_view hex) const;

  // Contains is true if a stored copy of `ref` exists and re-verifies, false if there is
  // none, and "store.corrupt" if one exists and does not verify.
  Result<bool> Contains(const ImageRef& ref) const;

  // Remove deletes a stored image durably (for garbage collection); removing an image that is
  // not there succeeds.
  Status Remove(std::string_view hex) const;

  const std::string& root() const { return root_; }

 private:
  explicit ImageStore(std::string root) : root_(std::move(root)) {}
  std::string ImagesDir() const { return root_ + "/images/sha256"; }
  std::string TmpDir() const { return root_ + "/tmp"; }
  // VerifyStored re-verifies the stored copy of `ref`; "image.not_found" when absent.
  Result<VerifiedBlob> VerifyStored(const ImageRef& ref, const std::string& path) const;

  std::string root_;
};

}  // namespace edgetrust::manifest

#endif  // EDGETRUST_MANIFEST_STORE_IMAGE_STORE_H_
