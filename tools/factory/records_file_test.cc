// RecordsFile: whole lines appended, in order, to a file that may already hold records.
#include "tools/factory/records_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace edgetrust::factory {
namespace {

class RecordsFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/records-file-test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }
  std::string Read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  std::string dir_;
};

TEST_F(RecordsFileTest, AppendsWholeLinesAfterWhatIsThere) {
  const std::string path = dir_ + "/records.jsonl";
  std::ofstream(path) << "{\"earlier\":1}\n";
  auto file = RecordsFile::Open(path);
  ASSERT_TRUE(file.has_value()) << file.error().ToString();
  ASSERT_TRUE(file->Append("{\"line\":2}").has_value());
  const std::string big(100000, 'x');  // longer than one pipe or page write
  ASSERT_TRUE(file->Append("{\"big\":\"" + big + "\"}").has_value());
  EXPECT_EQ(Read(path), "{\"earlier\":1}\n{\"line\":2}\n{\"big\":\"" + big + "\"}\n");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(file->path(), path);
}

TEST_F(RecordsFileTest, NewFileIs0644AndAMissingDirectoryIsAnError) {
  const std::string path = dir_ + "/new.jsonl";
  const mode_t old = ::umask(0);
  auto file = RecordsFile::Open(path);
  ::umask(old);
  ASSERT_TRUE(file.has_value());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  auto missing = RecordsFile::Open(dir_ + "/no/such/dir/records.jsonl");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().reason, "file.open");
  EXPECT_NE(missing.error().message.find("No such file"), std::string::npos);
}

}  // namespace
}  // namespace edgetrust::factory
