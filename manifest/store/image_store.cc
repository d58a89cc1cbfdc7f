#include "manifest/store/image_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <utility>

#include "common/file.h"

namespace edgetrust::manifest {
namespace {

constexpr size_t kSha256Size = 32;

std::unexpected<Error> StoreErrno(int err, const std::string& what) {
  ErrorCode code = ErrorCode::kUnavailable;
  std::string reason = "store.io";
  if (err == ENOSPC || err == EDQUOT) {
    code = ErrorCode::kResourceExhausted;
    reason = "store.full";
  } else if (err == EACCES || err == EPERM || err == EROFS) {
    code = ErrorCode::kPermissionDenied;
  }
  return Fail(code, std::move(reason), what + ": " + std::strerror(err),
              static_cast<uint64_t>(err));
}

// StoreDirectory is EnsureDirectory with the store's reasons.
Status StoreDirectory(const std::string& path, mode_t mode) {
  auto made = EnsureDirectory(path, mode);
  if (made) return Ok();
  Error e = std::move(made.error());
  e.reason = e.code == ErrorCode::kResourceExhausted ? "store.full" : "store.io";
  return Fail(std::move(e));
}

Status FsyncDirectory(const std::string& path) {
  ScopedFd dir(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid()) return StoreErrno(errno, "open directory " + path);
  if (::fsync(dir.get()) != 0) return StoreErrno(errno, "fsync directory " + path);
  return Ok();
}

// RemoveEntries unlinks every entry of `path` (files left by an interrupted import).
Status RemoveEntries(const std::string& path) {
  ScopedFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) return StoreErrno(errno, "open directory " + path);
  DIR* dir = ::fdopendir(fd.get());
  if (dir == nullptr) return StoreErrno(errno, "read directory " + path);
  fd.Release();  // the DIR owns it now
  std::unique_ptr<DIR, int (*)(DIR*)> owner(dir, ::closedir);
  bool removed = false;
  for (;;) {
    errno = 0;
    const dirent* entry = ::readdir(dir);
    if (entry == nullptr) {
      if (errno != 0) return StoreErrno(errno, "read directory " + path);
      break;
    }
    std::string_view name = entry->d_name;
    if (name == "." || name == "..") continue;
    if (::unlinkat(::dirfd(dir), entry->d_name, 0) != 0 && errno != ENOENT) {
      return StoreErrno(errno, "remove " + path + "/" + std::string(name));
    }
    removed = true;
  }
  if (removed) return FsyncDirectory(path);
  return Ok();
}

bool IsDigestHex(std::string_view hex) {
  if (hex.size() != 2 * kSha256Size) return false;
  for (char c : hex) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Status CheckRef(const ImageRef& ref) {
  if (ref.sha256.size() == kSha256Size) return Ok();
  return Fail(
      ErrorCode::kInvalidArgument, "image.bad_ref",
      "image " + ref.repository + " has a " + std::to_string(ref.sha256.size()) + "-byte sha256");
}

}  // namespace

Result<ImageStore> ImageStore::Open(const std::string& root) {
  ImageStore store(root);
  for (const auto& [dir, mode] :
       {std::pair{root, mode_t{0755}}, std::pair{root + "/images", mode_t{0755}},
        std::pair{store.ImagesDir(), mode_t{0755}}, std::pair{store.TmpDir(), mode_t{0700}}}) {
    if (auto made = StoreDirectory(dir, mode); !made) return Fail(made.error());
  }
  // A directory created just now must survive a crash along with its entry in the parent.
  std::string parent = std::filesystem::path(root).parent_path();
  for (const std::string& dir :
       {parent.empty() ? std::string(".") : parent, root, root + "/images"}) {
    if (auto synced = FsyncDirectory(dir); !synced) return Fail(synced.error());
  }
  if (auto cleaned = RemoveEntries(store.TmpDir()); !cleaned) return Fail(cleaned.error());
  return store;
}

Result<std::string> ImageStore::Path(std::string_view hex) const {
  if (!IsDigestHex(hex)) {
    return Fail(
        ErrorCode::kInvalidArgument, "store.bad_digest",
        "not a lower-case sha256 hex digest: " + std::string(hex.substr(0, 2 * kSha256Size + 1)));
  }
  return ImagesDir() + "/" + std::string(hex);
}

Result<VerifiedBlob> ImageStore::VerifyStored(const ImageRef& ref, const std::string& path) const {
  auto corrupt = [&](const Error& why) {
    return Fail(ErrorCode::kFailedPrecondition, "store.corrupt",
                "stored image " + path + " fails verification: " + why.ToString());
  };
  auto fd = OpenImageFile(path, ref);
  if (!fd) {
    const std::string& reason = fd.error().reason;
    if (reason == "image.not_found" || reason == "image.io") return Fail(fd.error());
    return corrupt(fd.error());  // a symlink, not a regular file, or the wrong length
  }
  struct stat st {};
  if (::fstat(fd->get(), &st) != 0) return StoreErrno(errno, "stat " + path);
  if ((st.st_mode & 0222) != 0) {
    return corrupt(Error{ErrorCode::kPermissionDenied, "store.writable",
                         "mode " + std::to_string(st.st_mode & 07777) + " is writable"});
  }
  auto blob = VerifyImageStream(fd->get(), ref);
  if (!blob && blob.error().code == ErrorCode::kPermissionDenied) return corrupt(blob.error());
  return blob;
}

Result<StoredImage> ImageStore::Import(const std::string& staging_path, const ImageRef& ref) const {
  if (auto ok = CheckRef(ref); !ok) return Fail(ok.error());
  const std::string path = ImagesDir() + "/" + HexEncode(ref.sha256);

  StoredImage::Origin origin = StoredImage::Origin::kImported;
  auto stored = VerifyStored(ref, path);
  if (stored) return StoredImage{path, std::move(*stored), StoredImage::Origin::kAlreadyPresent};
  if (stored.error().reason == "store.corrupt") {
    origin = StoredImage::Origin::kRepaired;
  } else if (stored.error().reason != "image.not_found") {
    return Fail(stored.error());
  }

  auto staging = OpenImageFile(staging_path, ref);
  if (!staging) return Fail(staging.error());
  std::string tmp = TmpDir() + "/import-XXXXXX";
  ScopedFd out(::mkostemp(tmp.data(), O_CLOEXEC));  // fresh, 0600, ours alone
  if (!out.valid()) return StoreErrno(errno, "create " + tmp);
  auto discard = [&](Error e) {
    ::unlink(tmp.c_str());
    return Fail(std::move(e));
  };
  auto discard_errno = [&](const char* what) {
    int err = errno;
    return discard(StoreErrno(err, std::string(what) + " " + tmp).error());
  };

  auto blob = CopyVerifiedImage(staging->get(), out.get(), ref);
  if (!blob) return discard(std::move(blob.error()));
  // The mode goes to disk with the data: after the rename no one, not even a crash, sees a
  // writable image.
  if (::fchmod(out.get(), 0444) != 0) return discard_errno("chmod");
  if (::fsync(out.get()) != 0) return discard_errno("fsync");
  if (out.Close() != 0) return discard_errno("close");
  if (::rename(tmp.c_str(), path.c_str()) != 0) return discard_errno("rename into images/sha256");
  if (auto synced = FsyncDirectory(ImagesDir()); !synced) return Fail(synced.error());
  return StoredImage{path, std::move(*blob), origin};
}

Result<bool> ImageStore::Contains(const ImageRef& ref) const {
  if (auto ok = CheckRef(ref); !ok) return Fail(ok.error());
  auto stored = VerifyStored(ref, ImagesDir() + "/" + HexEncode(ref.sha256));
  if (stored) return true;
  if (stored.error().reason == "image.not_found") return false;
  return Fail(stored.error());
}

Status ImageStore::Remove(std::string_view hex) const {
  auto path = Path(hex);
  if (!path) return Fail(path.error());
  if (::unlink(path->c_str()) != 0) {
    if (errno == ENOENT) return Ok();
    return StoreErrno(errno, "remove " + *path);
  }
  return FsyncDirectory(ImagesDir());
}

}  // namespace edgetrust::manifest
