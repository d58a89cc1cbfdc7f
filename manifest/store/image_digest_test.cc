#include "manifest/store/image_digest.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/crypto.h"

namespace edgetrust::manifest {
namespace {

ImageRef RefFor(ByteView content) {
  return ImageRef{"registry.example.com/sensor", *Digest(HashAlgorithm::kSha256, content),
                  content.size()};
}

Bytes Random(size_t size) { return *RandomBytes(size); }

long MaxRssKiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

class ImageDigestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/edgetrust-image-digest-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, ByteView content) {
    std::string path = dir_ + "/" + name;
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(content.data()),
              static_cast<std::streamsize>(content.size()));
    return path;
  }

  // VerifyPipe feeds `content` through a pipe (it must fit the pipe's buffer) and returns the
  // verdict and how many bytes the verifier left unread.
  static std::pair<Result<VerifiedBlob>, size_t> VerifyPipe(ByteView content, const ImageRef& ref) {
    int fds[2];
    EXPECT_EQ(pipe(fds), 0);
    ScopedFd rd(fds[0]);
    ScopedFd wr(fds[1]);
    EXPECT_EQ(write(wr.get(), content.data(), content.size()),
              static_cast<ssize_t>(content.size()));
    wr.Close();
    auto result = VerifyImageStream(rd.get(), ref);
    size_t left = 0;
    char sink[4096];
    for (ssize_t n; (n = read(rd.get(), sink, sizeof(sink))) > 0;) left += static_cast<size_t>(n);
    return {std::move(result), left};
  }

  std::string dir_;
};

TEST_F(ImageDigestTest, GoodFileVerifies) {
  Bytes content = Random(1'000'000);
  ImageRef ref = RefFor(content);
  auto blob = VerifyImageFile(Write("image", content), ref);
  ASSERT_TRUE(blob.has_value()) << blob.error().ToString();
  EXPECT_EQ(blob->sha256(), ref.sha256);
  EXPECT_EQ(blob->size(), content.size());
  EXPECT_EQ(blob->DigestHex(), HexEncode(ref.sha256));
}

TEST_F(ImageDigestTest, ChunkBoundariesExactAndOneOver) {
  for (size_t size : {size_t{0}, size_t{1}, kImageChunkSize - 1, kImageChunkSize,
                      kImageChunkSize + 1, 2 * kImageChunkSize}) {
    Bytes content = Random(size);
    ImageRef ref = RefFor(content);
    auto fd = ScopedFd(open(Write("image", content).c_str(), O_RDONLY | O_CLOEXEC));
    auto blob = VerifyImageStream(fd.get(), ref);
    ASSERT_TRUE(blob.has_value()) << size << ": " << blob.error().ToString();
    EXPECT_EQ(blob->size(), size);

    content.push_back(0);  // one byte past the declared length
    fd = ScopedFd(open(Write("image", content).c_str(), O_RDONLY | O_CLOEXEC));
    auto longer = VerifyImageStream(fd.get(), ref);
    ASSERT_FALSE(longer.has_value()) << size;
    EXPECT_EQ(longer.error().reason, "image.too_large") << size;
  }
}

TEST_F(ImageDigestTest, OneChangedByteIsRejected) {
  Bytes content = Random(3 * kImageChunkSize + 17);
  const ImageRef ref = RefFor(content);
  for (size_t pos : {size_t{0}, content.size() / 2, content.size() - 1}) {
    Bytes changed = content;
    changed[pos] ^= 0x01;
    auto blob = VerifyImageFile(Write("image", changed), ref);
    ASSERT_FALSE(blob.has_value()) << "byte " << pos;
    EXPECT_EQ(blob.error().code, ErrorCode::kPermissionDenied);
    EXPECT_EQ(blob.error().reason, "image.digest_mismatch") << "byte " << pos;
  }
}

TEST_F(ImageDigestTest, WrongLengthFilesAreRejectedBeforeReading) {
  Bytes content = Random(10'000);
  const ImageRef ref = RefFor(content);
  Bytes shorter(content.begin(), content.end() - 1);
  auto short_blob = VerifyImageFile(Write("short", shorter), ref);
  ASSERT_FALSE(short_blob.has_value());
  EXPECT_EQ(short_blob.error().reason, "image.size_mismatch");
  EXPECT_EQ(short_blob.error().code, ErrorCode::kPermissionDenied);

  Bytes longer = content;
  longer.push_back(0x42);
  auto long_blob = VerifyImageFile(Write("long", longer), ref);
  ASSERT_FALSE(long_blob.has_value());
  EXPECT_EQ(long_blob.error().reason, "image.too_large");
  EXPECT_EQ(long_blob.error().code, ErrorCode::kPermissionDenied);
}

TEST_F(ImageDigestTest, StreamShorterOrLongerThanDeclared) {
  Bytes content = Random(1000);
  const ImageRef ref = RefFor(content);
  auto [good, good_left] = VerifyPipe(content, ref);
  ASSERT_TRUE(good.has_value()) << good.error().ToString();
  EXPECT_EQ(good_left, 0u);

  auto [shorter, short_left] = VerifyPipe(ByteView(content).first(999), ref);
  ASSERT_FALSE(shorter.has_value());
  EXPECT_EQ(shorter.error().reason, "image.size_mismatch");

  // A longer stream is cut one byte past the declared length: the rest stays unread.
  Bytes longer = content;
  longer.resize(content.size() + 100, 0x42);
  auto [too_long, long_left] = VerifyPipe(longer, ref);
  ASSERT_FALSE(too_long.has_value());
  EXPECT_EQ(too_long.error().reason, "image.too_large");
  EXPECT_EQ(long_left, 99u);
}

TEST_F(ImageDigestTest, EndlessStreamStopsAtDeclaredLengthInBoundedMemory) {
  ScopedFd zero(open("/dev/zero", O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(zero.valid());
  constexpr uint64_t kDeclared = 64ull << 20;
  ImageRef ref{"endless", Bytes(32, 0xab), kDeclared};
  const long rss_before = MaxRssKiB();
  const auto start = std::chrono::steady_clock::now();
  auto blob = VerifyImageStream(zero.get(), ref);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(blob.has_value());
  EXPECT_EQ(blob.error().reason, "image.too_large");
  EXPECT_LT(elapsed, std::chrono::seconds(20));
  EXPECT_LE(MaxRssKiB() - rss_before, 4 * 1024) << "more than one chunk buffer";
}

TEST_F(ImageDigestTest, BadReferenceIsInvalidArgument) {
  Bytes content = Random(100);
  ImageRef ref = RefFor(content);
  ref.sha256.pop_back();
  auto blob = VerifyImageFile(Write("image", content), ref);
  ASSERT_FALSE(blob.has_value());
  EXPECT_EQ(blob.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(blob.error().reason, "image.bad_ref");
}

TEST_F(ImageDigestTest, OnlyRegularFilesAreOpened) {
  Bytes content = Random(100);
  ImageRef ref = RefFor(content);
  std::string target = Write("image", content);
  std::string link = dir_ + "/link";
  ASSERT_EQ(symlink(target.c_str(), link.c_str()), 0);
  auto via_link = VerifyImageFile(link, ref);
  ASSERT_FALSE(via_link.has_value());
  EXPECT_EQ(via_link.error().reason, "image.symlink");
  EXPECT_EQ(via_link.error().code, ErrorCode::kPermissionDenied);

  std::string fifo = dir_ + "/fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  auto via_fifo = VerifyImageFile(fifo, ref);  // must not wait for a writer
  ASSERT_FALSE(via_fifo.has_value());
  EXPECT_EQ(via_fifo.error().reason, "image.not_regular_file");

  auto device = VerifyImageFile("/dev/zero", ref);
  ASSERT_FALSE(device.has_value());
  EXPECT_EQ(device.error().reason, "image.not_regular_file");

  auto missing = VerifyImageFile(dir_ + "/missing", ref);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(missing.error().reason, "image.not_found");
}

TEST_F(ImageDigestTest, CopyWritesExactlyTheVerifiedBytes) {
  Bytes content = Random(kImageChunkSize * 2 + 5);
  ImageRef ref = RefFor(content);
  ScopedFd in(open(Write("image", content).c_str(), O_RDONLY | O_CLOEXEC));
  std::string copy = dir_ + "/copy";
  ScopedFd out(open(copy.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  auto blob = CopyVerifiedImage(in.get(), out.get(), ref);
  ASSERT_TRUE(blob.has_value()) << blob.error().ToString();
  out.Close();
  std::ifstream read_back(copy, std::ios::binary);
  Bytes copied((std::istreambuf_iterator<char>(read_back)), std::istreambuf_iterator<char>());
  EXPECT_EQ(copied, content);
}

TEST_F(ImageDigestTest, CopyToAFullDiskIsResourceExhausted) {
  Bytes content = Random(1000);
  ImageRef ref = RefFor(content);
  ScopedFd in(open(Write("image", content).c_str(), O_RDONLY | O_CLOEXEC));
  ScopedFd full(open("/dev/full", O_WRONLY | O_CLOEXEC));
  ASSERT_TRUE(full.valid());
  auto blob = CopyVerifiedImage(in.get(), full.get(), ref);
  ASSERT_FALSE(blob.has_value());
  EXPECT_EQ(blob.error().code, ErrorCode::kResourceExhausted);
  EXPECT_EQ(blob.error().reason, "store.full");
}

}  // namespace
}  // namespace edgetrust::manifest
