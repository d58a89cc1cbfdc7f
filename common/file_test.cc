#include "common/file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <thread>

namespace edgetrust {
namespace {

class FileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/edgetrust-file-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(FileTest, WriteAtomicIsPrivateAndReadable) {
  std::string path = dir_ + "/state";
  ASSERT_TRUE(WriteFileAtomic(path, AsBytes("hello")).has_value());
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto read = ReadFile(path);
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(*read, ToBytes("hello"));
  ASSERT_TRUE(WriteFileAtomic(path, AsBytes("bye")).has_value());
  EXPECT_EQ(*ReadFile(path), ToBytes("bye"));
  // No temporary file is left behind.
  size_t entries = 0;
  for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(dir_)) ++entries;
  EXPECT_EQ(entries, 1u);
}

TEST_F(FileTest, ConcurrentWritersNeverTearTheFile) {
  std::string path = dir_ + "/state";
  const Bytes a(4096, 'a');
  const Bytes b(8192, 'b');
  auto writer = [&](const Bytes& content) {
    for (int i = 0; i < 50; ++i) ASSERT_TRUE(WriteFileAtomic(path, content).has_value());
  };
  std::thread t1(writer, std::cref(a));
  std::thread t2(writer, std::cref(b));
  t1.join();
  t2.join();
  auto read = ReadFile(path);
  ASSERT_TRUE(read.has_value());
  EXPECT_TRUE(*read == a || *read == b) << "torn file of " << read->size() << " bytes";
  size_t entries = 0;
  for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(dir_)) ++entries;
  EXPECT_EQ(entries, 1u) << "temporary files left behind";
}

TEST_F(FileTest, MissingDirectoryIsNotFound) {
  auto r = WriteFileAtomic(dir_ + "/no/such/file", AsBytes("x"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  auto read = ReadFile(dir_ + "/absent");
  ASSERT_FALSE(read.has_value());
  EXPECT_EQ(read.error().reason, "file.not_found");
}

TEST_F(FileTest, ReadRespectsSizeLimit) {
  std::string path = dir_ + "/big";
  ASSERT_TRUE(WriteFileAtomic(path, Bytes(100, 7)).has_value());
  auto r = ReadFile(path, 10);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kResourceExhausted);
}

TEST_F(FileTest, EnsureDirectoryTightensMode) {
  std::string path = dir_ + "/state";
  ASSERT_EQ(mkdir(path.c_str(), 0755), 0);
  ASSERT_TRUE(EnsureDirectory(path, 0700).has_value());
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

}  // namespace
}  // namespace edgetrust
