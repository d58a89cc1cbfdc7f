#include "manifest/store/image_store.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/crypto.h"

namespace edgetrust::manifest {
namespace {

namespace fs = std::filesystem;

ImageRef RefFor(ByteView content) {
  return ImageRef{"registry.example.com/sensor", *Digest(HashAlgorithm::kSha256, content),
                  content.size()};
}

Bytes ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void WriteAll(const std::string& path, ByteView content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(content.data()),
            static_cast<std::streamsize>(content.size()));
}

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(lstat(path.c_str(), &st), 0) << path;
  return st.st_mode;
}

size_t EntriesIn(const std::string& dir) {
  size_t n = 0;
  for ([[maybe_unused]] auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}

// Corrupt rewrites a stored (0444) image in place the way a disk error or a root attacker
// would, and restores its mode.
void Corrupt(const std::string& path, size_t pos) {
  ASSERT_EQ(chmod(path.c_str(), 0644), 0);
  Bytes content = ReadAll(path);
  content[pos] ^= 0x80;
  ScopedFd fd(open(path.c_str(), O_WRONLY | O_CLOEXEC));
  ASSERT_EQ(pwrite(fd.get(), &content[pos], 1, static_cast<off_t>(pos)), 1);
  ASSERT_EQ(chmod(path.c_str(), 0444), 0);
}

class ImageStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/edgetrust-image-store-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    root_ = dir_ + "/store";
    staging_ = dir_ + "/staging";
    fs::create_directory(staging_);
    auto store = ImageStore::Open(root_);
    ASSERT_TRUE(store.has_value()) << store.error().ToString();
    store_.emplace(std::move(*store));
    content_ = *RandomBytes(3 * kImageChunkSize + 1234);
    ref_ = RefFor(content_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Stage(ByteView content, const std::string& name = "image") {
    std::string path = staging_ + "/" + name;
    WriteAll(path, content);
    return path;
  }
  std::string ImagesDir() const { return root_ + "/images/sha256"; }
  void ExpectNothingStored() {
    EXPECT_EQ(EntriesIn(ImagesDir()), 0u);
    EXPECT_EQ(EntriesIn(root_ + "/tmp"), 0u) << "temporary file left behind";
    auto contains = store_->Contains(ref_);
    ASSERT_TRUE(contains.has_value()) << contains.error().ToString();
    EXPECT_FALSE(*contains);
  }

  std::string dir_, root_, staging_;
  std::optional<ImageStore> store_;
  Bytes content_;
  ImageRef ref_;
};

TEST_F(ImageStoreTest, ImportStoresAReadOnlyVerifiedCopy) {
  auto stored = store_->Import(Stage(content_), ref_);
  ASSERT_TRUE(stored.has_value()) << stored.error().ToString();
  EXPECT_EQ(stored->origin, StoredImage::Origin::kImported);
  const std::string hex = HexEncode(ref_.sha256);
  EXPECT_EQ(stored->path, ImagesDir() + "/" + hex);
  EXPECT_EQ(stored->path, *store_->Path(hex));
  EXPECT_EQ(stored->blob.sha256(), ref_.sha256);
  EXPECT_EQ(stored->blob.size(), content_.size());
  EXPECT_EQ(ReadAll(stored->path), content_);

  EXPECT_TRUE(S_ISREG(ModeOf(stored->path)));
  EXPECT_EQ(ModeOf(stored->path) & 07777, 0444u);
  for (const std::string& d : {root_, root_ + "/images", ImagesDir()}) {
    EXPECT_TRUE(S_ISDIR(ModeOf(d))) << d;
    EXPECT_EQ(ModeOf(d) & 07777, 0755u) << d;
  }
  EXPECT_EQ(ModeOf(root_ + "/tmp") & 07777, 0700u);
  EXPECT_EQ(EntriesIn(ImagesDir()), 1u);
  EXPECT_EQ(EntriesIn(root_ + "/tmp"), 0u);
  EXPECT_EQ(EntriesIn(root_), 2u);  // images/ and tmp/
  EXPECT_TRUE(*store_->Contains(ref_));
}

TEST_F(ImageStoreTest, OneChangedByteIsNotStored) {
  for (size_t pos : {size_t{0}, content_.size() / 2, content_.size() - 1}) {
    Bytes changed = content_;
    changed[pos] ^= 0x01;
    auto stored = store_->Import(Stage(changed), ref_);
    ASSERT_FALSE(stored.has_value()) << "byte " << pos;
    EXPECT_EQ(stored.error().code, ErrorCode::kPermissionDenied);
    EXPECT_EQ(stored.error().reason, "image.digest_mismatch") << "byte " << pos;
    ExpectNothingStored();
  }
}

TEST_F(ImageStoreTest, WrongLengthIsNotStored) {
  auto shorter = store_->Import(Stage(ByteView(content_).first(content_.size() - 1)), ref_);
  ASSERT_FALSE(shorter.has_value());
  EXPECT_EQ(shorter.error().reason, "image.size_mismatch");
  ExpectNothingStored();

  Bytes longer = content_;
  longer.push_back(0);
  auto too_long = store_->Import(Stage(longer), ref_);
  ASSERT_FALSE(too_long.has_value());
  EXPECT_EQ(too_long.error().reason, "image.too_large");
  ExpectNothingStored();
}

TEST_F(ImageStoreTest, SymlinkAndSpecialFilesAreRefusedAsStaging) {
  std::string target = Stage(content_);
  std::string link = staging_ + "/link";
  ASSERT_EQ(symlink(target.c_str(), link.c_str()), 0);
  auto via_link = store_->Import(link, ref_);
  ASSERT_FALSE(via_link.has_value());
  EXPECT_EQ(via_link.error().reason, "image.symlink");
  EXPECT_EQ(via_link.error().code, ErrorCode::kPermissionDenied);
  ExpectNothingStored();

  auto endless = store_->Import("/dev/zero", ref_);
  ASSERT_FALSE(endless.has_value());
  EXPECT_EQ(endless.error().reason, "image.not_regular_file");

  auto missing = store_->Import(staging_ + "/missing", ref_);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().reason, "image.not_found");
  ExpectNothingStored();
}

TEST_F(ImageStoreTest, ChangingTheStagingFileLaterDoesNotChangeTheStoredCopy) {  // M12
  std::string staged = Stage(content_);
  auto stored = store_->Import(staged, ref_);
  ASSERT_TRUE(stored.has_value()) << stored.error().ToString();

  struct stat staged_st {
  }, stored_st{};
  ASSERT_EQ(stat(staged.c_str(), &staged_st), 0);
  ASSERT_EQ(stat(stored->path.c_str(), &stored_st), 0);
  EXPECT_NE(staged_st.st_ino, stored_st.st_ino) << "the store must hold a copy, not a link";

  // Rewrite the staged file in place (same inode), then swap another file over its name.
  Bytes evil = *RandomBytes(content_.size());
  {
    ScopedFd fd(open(staged.c_str(), O_WRONLY | O_CLOEXEC));
    ASSERT_EQ(pwrite(fd.get(), evil.data(), evil.size(), 0), static_cast<ssize_t>(evil.size()));
  }
  EXPECT_EQ(ReadAll(stored->path), content_);
  std::string other = Stage(evil, "other");
  ASSERT_EQ(rename(other.c_str(), staged.c_str()), 0);
  EXPECT_EQ(ReadAll(stored->path), content_);
  EXPECT_TRUE(*store_->Contains(ref_));
}

TEST_F(ImageStoreTest, ReimportIsIdempotentAndNeedsNoStaging) {
  std::string staged = Stage(content_);
  auto first = store_->Import(staged, ref_);
  ASSERT_TRUE(first.has_value()) << first.error().ToString();
  auto second = store_->Import(staged, ref_);
  ASSERT_TRUE(second.has_value()) << second.error().ToString();
  EXPECT_EQ(second->origin, StoredImage::Origin::kAlreadyPresent);
  EXPECT_EQ(second->path, first->path);

  ASSERT_EQ(unlink(staged.c_str()), 0);
  auto third = store_->Import(staged, ref_);
  ASSERT_TRUE(third.has_value()) << third.error().ToString();
  EXPECT_EQ(third->origin, StoredImage::Origin::kAlreadyPresent);
  EXPECT_EQ(EntriesIn(ImagesDir()), 1u);
  EXPECT_EQ(ReadAll(first->path), content_);
}

TEST_F(ImageStoreTest, CorruptedStoredImageIsDetectedAndRepaired) {
  std::string staged = Stage(content_);
  auto stored = store_->Import(staged, ref_);
  ASSERT_TRUE(stored.has_value()) << stored.error().ToString();

  Corrupt(stored->path, content_.size() / 2);
  auto contains = store_->Contains(ref_);
  ASSERT_FALSE(contains.has_value());
  EXPECT_EQ(contains.error().reason, "store.corrupt");
  EXPECT_EQ(contains.error().code, ErrorCode::kFailedPrecondition);

  auto repaired = store_->Import(staged, ref_);
  ASSERT_TRUE(repaired.has_value()) << repaired.error().ToString();
  EXPECT_EQ(repaired->origin, StoredImage::Origin::kRepaired);
  EXPECT_EQ(ReadAll(repaired->path), content_);
  EXPECT_EQ(ModeOf(repaired->path) & 07777, 0444u);
  EXPECT_TRUE(*store_->Contains(ref_));

  // A corrupted copy is never served, even when no good staging copy is at hand.
  Corrupt(stored->path, 0);
  Bytes changed = content_;
  changed[0] ^= 0x01;
  auto refused = store_->Import(Stage(changed), ref_);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().reason, "image.digest_mismatch");
  EXPECT_EQ(store_->Contains(ref_).error().reason, "store.corrupt");
}

TEST_F(ImageStoreTest, TruncatedOrWritableStoredImageIsCorrupt) {
  auto stored = store_->Import(Stage(content_), ref_);
  ASSERT_TRUE(stored.has_value()) << stored.error().ToString();
  ASSERT_EQ(chmod(stored->path.c_str(), 0644), 0);
  EXPECT_EQ(store_->Contains(ref_).error().reason, "store.corrupt");
  ASSERT_EQ(truncate(stored->path.c_str(), 10), 0);
  EXPECT_EQ(store_->Contains(ref_).error().reason, "store.corrupt");
  auto repaired = store_->Import(Stage(content_), ref_);
  ASSERT_TRUE(repaired.has_value()) << repaired.error().ToString();
  EXPECT_EQ(repaired->origin, StoredImage::Origin::kRepaired);
  EXPECT_TRUE(*store_->Contains(ref_));
}

TEST_F(ImageStoreTest, OpenRemovesCrashLeftovers) {
  auto stored = store_->Import(Stage(content_), ref_);
  ASSERT_TRUE(stored.has_value()) << stored.error().ToString();
  // What a crash between mkostemp and rename leaves: partial, private temporary files.
  WriteAll(root_ + "/tmp/import-AbC123", ByteView(content_).first(1000));
  WriteAll(root_ + "/tmp/import-XyZ789", {});
  ASSERT_EQ(EntriesIn(root_ + "/tmp"), 2u);

  auto reopened = ImageStore::Open(root_);
  ASSERT_TRUE(reopened.has_value()) << reopened.error().ToString();
  EXPECT_EQ(EntriesIn(root_ + "/tmp"), 0u);
  EXPECT_EQ(EntriesIn(ImagesDir()), 1u);
  EXPECT_TRUE(*reopened->Contains(ref_));
}

TEST_F(ImageStoreTest, OpenTightensDirectoryModes) {
  ASSERT_EQ(chmod(ImagesDir().c_str(), 0777), 0);
  ASSERT_EQ(chmod((root_ + "/tmp").c_str(), 0755), 0);
  ASSERT_TRUE(ImageStore::Open(root_).has_value());
  EXPECT_EQ(ModeOf(ImagesDir()) & 07777, 0755u);
  EXPECT_EQ(ModeOf(root_ + "/tmp") & 07777, 0700u);
}

TEST_F(ImageStoreTest, RemoveIsDurableAndIdempotent) {
  auto stored = store_->Import(Stage(content_), ref_);
  ASSERT_TRUE(stored.has_value()) << stored.error().ToString();
  const std::string hex = HexEncode(ref_.sha256);
  ASSERT_TRUE(store_->Remove(hex).has_value());
  ExpectNothingStored();
  EXPECT_TRUE(store_->Remove(hex).has_value());
}

TEST_F(ImageStoreTest, NamesMustBeDigests) {
  const std::string hex = HexEncode(ref_.sha256);
  std::string upper = hex;
  upper[0] = 'A';
  upper[1] = 'B';
  for (const std::string& bad : {std::string("../../etc/passwd"), hex.substr(1), hex + "0", upper,
                                 std::string(), hex.substr(0, 63) + "/"}) {
    auto path = store_->Path(bad);
    ASSERT_FALSE(path.has_value()) << bad;
    EXPECT_EQ(path.error().reason, "store.bad_digest");
    EXPECT_EQ(store_->Remove(bad).error().reason, "store.bad_digest");
  }
  ImageRef bad_ref = ref_;
  bad_ref.sha256.resize(20);
  EXPECT_EQ(store_->Import(Stage(content_), bad_ref).error().reason, "image.bad_ref");
  EXPECT_EQ(store_->Contains(bad_ref).error().reason, "image.bad_ref");
}

}  // namespace
}  // namespace edgetrust::manifest
