// The tar reader against archives made by the system's GNU tar (`tar --format=ustar`), an
// independent implementation: what it writes for an image, PrepareImage accepts; what the
// image rules forbid (symlinks, GNU's own format), it refuses.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/testing/shell.h"
#include "daemon/agent/image_prepare.h"
#include "daemon/agent/testing/agent_test_util.h"

namespace edgetrust::daemon::agent {
namespace {

using test_util::RunCommand;
using test_util::ShellQuote;

class TarInteropTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (RunCommand("tar --version").exit_code != 0) GTEST_SKIP() << "no tar binary";
    for (const auto& d : {store_, run_, src_, src_ + "/bin", src_ + "/lib"}) {
      ASSERT_EQ(::mkdir(d.c_str(), 0755), 0) << d;
    }
    testing::WriteFile(src_ + "/edgetrust-image.json", R"({"entrypoint": ["bin/run", "a"]})");
    testing::WriteFile(src_ + "/bin/run", "#!/bin/sh\necho hi\n", 0755);
    testing::WriteFile(src_ + "/lib/data.bin", std::string(70000, 'd'), 0600);
  }
  // Tar runs `tar --format=ustar -cf <archive> <args>` in src_ and stores the archive.
  api::PlannedModule Tar(const std::string& args) {
    const std::string archive = dir_.Child("image.tar");
    auto r = RunCommand("cd " + ShellQuote(src_) + " && tar " + args + " -cf " +
                        ShellQuote(archive) + " " + "$(ls -A)");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return testing::StoreImage(store_, "sensor", testing::ReadFileText(archive));
  }

  testing::TempDir dir_;
  std::string store_ = dir_.Child("store");
  std::string run_ = dir_.Child("run");
  std::string src_ = dir_.Child("src");
};

TEST_F(TarInteropTest, GnuTarUstarArchiveIsAccepted) {
  auto m = Tar("--format=ustar");
  auto image = PrepareImage(m, run_);
  ASSERT_TRUE(image.has_value()) << image.error().ToString();
  EXPECT_EQ(
      testing::ListTree(image->dir()),
      (std::vector<std::string>{"bin", "bin/run", "edgetrust-image.json", "lib", "lib/data.bin"}));
  EXPECT_EQ(testing::ReadFileText(image->dir() + "/lib/data.bin"), std::string(70000, 'd'));
  EXPECT_EQ(image->executable(), image->dir() + "/bin/run");
  EXPECT_EQ(image->args(), std::vector<std::string>{"a"});
}

TEST_F(TarInteropTest, GnuTarWithDotPrefixIsAccepted) {
  const std::string archive = dir_.Child("dot.tar");
  auto r = RunCommand("tar --format=ustar -cf " + ShellQuote(archive) + " -C " + ShellQuote(src_) +
                      " .");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto image =
      PrepareImage(testing::StoreImage(store_, "sensor", testing::ReadFileText(archive)), run_);
  ASSERT_TRUE(image.has_value()) << image.error().ToString();
  EXPECT_EQ(image->executable(), image->dir() + "/bin/run");
}

TEST_F(TarInteropTest, GnuTarSymlinkIsRefused) {
  ASSERT_EQ(::symlink("/etc/passwd", (src_ + "/lib/passwd").c_str()), 0);
  auto image = PrepareImage(Tar("--format=ustar"), run_);
  ASSERT_FALSE(image.has_value());
  EXPECT_EQ(image.error().reason, "image.tar_unsupported_type");
  EXPECT_TRUE(testing::Entries(run_).empty());
}

TEST_F(TarInteropTest, GnuFormatIsRefused) {
  auto image = PrepareImage(Tar("--format=gnu"), run_);
  ASSERT_FALSE(image.has_value());
  EXPECT_EQ(image.error().reason, "image.tar_bad_header");
  EXPECT_TRUE(testing::Entries(run_).empty());
}

}  // namespace
}  // namespace edgetrust::daemon::agent
