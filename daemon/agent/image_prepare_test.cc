// PrepareImage and the strict tar reader against the image rules of tar_reader.h and
// image_prepare.h (THREATS M1, M10, M12): every refusal names its reason and leaves no
// staging directory behind.
#include "daemon/agent/image_prepare.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "daemon/agent/testing/agent_test_util.h"

namespace edgetrust::daemon::agent {
namespace {

using testing::BuildUstar;
using testing::ImageConfigEntry;
using testing::TarEntry;

const TarEntry kRun = {.name = "bin/run", .data = "#!/bin/sh\nexit 0\n", .mode = 0700};

class ImagePrepareTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    ASSERT_EQ(::mkdir(store_.c_str(), 0700), 0);
    ASSERT_EQ(::mkdir(run_.c_str(), 0700), 0);
  }
  api::PlannedModule Store(const std::string& bytes) {
    return testing::StoreImage(store_, "sensor", bytes);
  }
  void ExpectRefused(const api::PlannedModule& m, const std::string& reason,
                     TarLimits limits = {}) {
    auto image = PrepareImage(m, run_, limits);
    ASSERT_FALSE(image.has_value()) << "accepted, expected " << reason;
    EXPECT_EQ(image.error().reason, reason) << image.error().ToString();
    EXPECT_TRUE(testing::Entries(run_).empty()) << "a staging directory was left behind";
  }

  testing::TempDir dir_;
  std::string store_ = dir_.Child("store");
  std::string run_ = dir_.Child("run");
};

TEST_F(ImagePrepareTest, GoodArchiveIsExtractedWithReducedModes) {
  std::string tar = BuildUstar({ImageConfigEntry({"bin/run", "--flag", "x y"}),
                                {.name = "./", .type = '5', .mode = 0777},
                                {.name = "bin/", .type = '5', .mode = 0700},
                                kRun,
                                {.name = "share/data/readme.txt", .data = "hi", .mode = 0666},
                                {.name = "empty", .data = ""}},
                               10240);
  auto m = Store(tar);
  auto image = PrepareImage(m, run_);
  ASSERT_TRUE(image.has_value()) << image.error().ToString();
  EXPECT_TRUE(image->dir().starts_with(run_ + "/sensor.")) << image->dir();
  EXPECT_EQ(image->executable(), image->dir() + "/bin/run");
  EXPECT_EQ(image->args(), (std::vector<std::string>{"--flag", "x y"}));
  EXPECT_EQ(image->sha256(), m.sha256);
  EXPECT_EQ(testing::ListTree(image->dir()),
            (std::vector<std::string>{"bin", "bin/run", "edgetrust-image.json", "empty", "share",
                                      "share/data", "share/data/readme.txt"}));
  auto mode = [&](const std::string& p) {
    struct stat st {};
    EXPECT_EQ(::lstat((image->dir() + "/" + p).c_str(), &st), 0) << p;
    return st.st_mode & 07777;
  };
  EXPECT_EQ(mode("bin"), 0755u);
  EXPECT_EQ(mode("bin/run"), 0755u);
  EXPECT_EQ(mode("share/data"), 0755u);  // created for a file the archive listed
  EXPECT_EQ(mode("share/data/readme.txt"), 0644u);
  EXPECT_EQ(testing::ReadFileText(image->dir() + "/share/data/readme.txt"), "hi");
  std::string dir = image->dir();
  { auto gone = std::move(*image); }
  EXPECT_NE(::access(dir.c_str(), F_OK), 0) << "the directory outlived its PreparedImage";
}

struct Case {
  const char* name;
  std::vector<TarEntry> entries;
  const char* reason;
};

TEST_F(ImagePrepareTest, ArchiveRulesAreEnforced) {
  const TarEntry config = ImageConfigEntry({"bin/run"});
  const std::vector<Case> cases = {
      {"dotdot", {config, kRun, {.name = "../x", .data = "x"}}, "image.tar_bad_path"},
      {"inner dotdot", {config, kRun, {.name = "bin/../../x", .data = "x"}}, "image.tar_bad_path"},
      {"absolute", {config, kRun, {.name = "/etc/x", .data = "x"}}, "image.tar_bad_path"},
      {"double slash", {config, {.name = "bin//run", .data = "x"}}, "image.tar_bad_path"},
      {"control char", {config, {.name = "a\nb", .data = "x"}}, "image.tar_bad_path"},
      {"parent is a file",
       {config, {.name = "a", .data = "x"}, {.name = "a/b", .data = "y"}},
       "image.tar_bad_path"},
      {"symlink",
       {config, {.name = "bin/run", .type = '2', .linkname = "/bin/sh"}},
       "image.tar_unsupported_type"},
      {"hardlink",
       {config, kRun, {.name = "x", .type = '1', .linkname = "bin/run"}},
       "image.tar_unsupported_type"},
      {"char device", {config, {.name = "null", .type = '3'}}, "image.tar_unsupported_type"},
      {"block device", {config, {.name = "sda", .type = '4'}}, "image.tar_unsupported_type"},
      {"fifo", {config, {.name = "pipe", .type = '6'}}, "image.tar_unsupported_type"},
      {"pax header",
       {{.name = "PaxHeader", .data = "20 path=/etc/passwd\n", .type = 'x'}, config},
       "image.tar_unsupported_type"},
      {"gnu long name",
       {{.name = "././@LongLink", .data = "x", .type = 'L'}, config},
       "image.tar_unsupported_type"},
      {"duplicate", {config, kRun, kRun}, "image.tar_duplicate"},
      {"duplicate after dot",
       {config, kRun, {.name = "./bin/run", .data = "x"}},
       "image.tar_duplicate"},
      {"file over directory", {config, kRun, {.name = "bin", .data = "x"}}, "image.tar_duplicate"},
      {"no config", {kRun}, "image.no_config"},
      {"config unknown member",
       {{.name = "edgetrust-image.json", .data = R"({"entrypoint":["bin/run"],"user":"root"})"},
        kRun},
       "image.bad_config"},
      {"config duplicate member",
       {{.name = "edgetrust-image.json",
         .data = R"({"entrypoint":["a"],"entrypoint":["bin/run"]})"},
        kRun},
       "image.bad_config"},
      {"entrypoint leaves", {ImageConfigEntry({"../../bin/sh"}), kRun}, "image.bad_config"},
      {"entrypoint absolute", {ImageConfigEntry({"/bin/sh"}), kRun}, "image.bad_config"},
      {"entrypoint missing", {ImageConfigEntry({"bin/nope"}), kRun}, "image.bad_entrypoint"},
      {"entrypoint not executable",
       {config, {.name = "bin/run", .data = "#!/bin/sh\n", .mode = 0644}},
       "image.bad_entrypoint"},
      {"entrypoint is a directory", {ImageConfigEntry({"bin"}), kRun}, "image.bad_entrypoint"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    ExpectRefused(Store(BuildUstar(c.entries)), c.reason);
  }
}

TEST_F(ImagePrepareTest, TooManyEntries) {
  std::vector<TarEntry> entries = {ImageConfigEntry({"bin/run"}), kRun};
  for (int i = 0; i < 5; ++i) entries.push_back({.name = "f" + std::to_string(i), .data = "x"});
  ExpectRefused(Store(BuildUstar(entries)), "image.tar_too_many_entries", {.max_entries = 6});
  auto ok = PrepareImage(Store(BuildUstar(entries)), run_, {.max_entries = 7});
  EXPECT_TRUE(ok.has_value()) << ok.error().ToString();
}

TEST_F(ImagePrepareTest, EntrySizeBeyondTheStream) {
  std::string tar = BuildUstar({ImageConfigEntry({"bin/run"}), kRun});
  TarEntry big{.name = "big", .data = std::string(4096, 'b')};
  std::string header = testing::UstarHeader(big);  // claims 4096 bytes, then only 512 follow
  tar.insert(0, header + std::string(512, 'b'));
  ExpectRefused(Store(tar), "image.tar_entry_too_large");
}

TEST_F(ImagePrepareTest, TruncatedArchive) {
  std::string tar = BuildUstar({ImageConfigEntry({"bin/run"}), kRun});
  // Without its end-of-archive marker, or cut inside an entry, the last entry no longer fits
  // in what is left of the stream: refused at its header.
  ExpectRefused(Store(tar.substr(0, tar.size() - 1024)), "image.tar_entry_too_large");
  ExpectRefused(Store(tar.substr(0, tar.size() - 700)), "image.tar_entry_too_large");
  // Streams that end before any marker is complete.
  ExpectRefused(Store(tar.substr(0, 300)), "image.tar_truncated");      // inside a header
  ExpectRefused(Store(std::string(512, '\0')), "image.tar_truncated");  // half a marker
  ExpectRefused(Store(""), "image.tar_truncated");
}

TEST_F(ImagePrepareTest, TrailingBytes) {
  std::string tar = BuildUstar({ImageConfigEntry({"bin/run"}), kRun}, 10240);
  // Non-zero bytes after the end-of-archive marker, inside the signed size.
  ExpectRefused(Store(tar + "garbage"), "image.trailing_data");
  // Bytes past the declared size: the file is longer than the plan says.
  auto m = Store(tar);
  testing::WriteFile(m.path, tar + "garbage", 0444);
  ExpectRefused(m, "image.size_mismatch");
  // ... and shorter.
  testing::WriteFile(m.path, tar.substr(0, tar.size() - 1), 0444);
  ExpectRefused(m, "image.size_mismatch");
}

TEST_F(ImagePrepareTest, OneFlippedByteIsADigestMismatch) {
  std::string tar = BuildUstar({ImageConfigEntry({"bin/run"}), kRun});
  auto m = Store(tar);
  for (size_t at : {size_t{1024 + 12}, size_t{100}, tar.size() - 1}) {  // data, header, marker
    SCOPED_TRACE(at);
    std::string changed = tar;
    changed[at] ^= 0x01;
    testing::WriteFile(m.path, changed, 0444);
    ExpectRefused(m, "image.digest_mismatch");
  }
}

TEST_F(ImagePrepareTest, HeaderChecksumAndMagic) {
  std::string tar = BuildUstar({ImageConfigEntry({"bin/run"}), kRun});
  std::string bad_sum = tar;
  bad_sum[148] = bad_sum[148] == '1' ? '2' : '1';
  ExpectRefused(Store(bad_sum), "image.tar_bad_header");
  std::string gnu = BuildUstar({ImageConfigEntry({"bin/run"}), kRun});
  // GNU magic "ustar  \0" (checksum fixed up): only POSIX ustar is accepted.
  std::memcpy(gnu.data() + 257, "ustar  \0", 8);
  unsigned sum = 0;
  std::memset(gnu.data() + 148, ' ', 8);
  for (size_t i = 0; i < 512; ++i) sum += static_cast<unsigned char>(gnu[i]);
  std::snprintf(gnu.data() + 148, 8, "%06o", sum);
  ExpectRefused(Store(gnu), "image.tar_bad_header");
}

TEST_F(ImagePrepareTest, PathAndPlanChecks) {
  auto m = Store(BuildUstar({ImageConfigEntry({"bin/run"}), kRun}));
  auto bad = m;
  bad.name = "../x";
  ExpectRefused(bad, "agent.bad_plan");
  bad = m;
  bad.sha256 = std::string(64, 'A');
  ExpectRefused(bad, "agent.bad_plan");
  bad = m;
  bad.path = dir_.Child("nope");
  ExpectRefused(bad, "image.not_found");
  bad = m;
  bad.path = dir_.Child("link");
  ASSERT_EQ(::symlink(m.path.c_str(), bad.path.c_str()), 0);
  ExpectRefused(bad, "image.symlink");
  bad.path = dir_.Child("fifo");
  ASSERT_EQ(::mkfifo(bad.path.c_str(), 0600), 0);
  ExpectRefused(bad, "image.not_regular_file");
  bad.path = store_;
  ExpectRefused(bad, "image.not_regular_file");
}

}  // namespace
}  // namespace edgetrust::daemon::agent
