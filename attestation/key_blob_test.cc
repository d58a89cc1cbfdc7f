#include "attestation/key_blob.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "attestation/templates.h"

namespace edgetrust::attestation {
namespace {

KeyBlob Sample() {
  KeyBlob blob;
  blob.public_area = AttestationKeyTemplate(KeyAlgorithm::kEccP256);
  blob.private_area.size = 4;
  blob.private_area.buffer[0] = 0xde;
  blob.private_area.buffer[3] = 0xad;
  return blob;
}

TEST(KeyBlobTest, RoundTrips) {
  auto bytes = SerializeKeyBlob(Sample());
  ASSERT_TRUE(bytes.has_value());
  auto parsed = ParseKeyBlob(*bytes);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().ToString();
  EXPECT_EQ(parsed->private_area.size, 4);
  EXPECT_EQ(parsed->private_area.buffer[3], 0xad);
  EXPECT_TRUE(SamePublicParameters(parsed->public_area, Sample().public_area));
}

TEST(KeyBlobTest, RejectsMalformed) {
  auto bytes = *SerializeKeyBlob(Sample());
  Bytes bad_magic = bytes;
  bad_magic[0] = 'X';
  Bytes bad_version = bytes;
  bad_version[4] = 9;
  Bytes truncated(bytes.begin(), bytes.end() - 1);
  Bytes trailing = bytes;
  trailing.push_back(0);
  for (const Bytes& b : {bad_magic, bad_version, truncated, trailing, Bytes{}}) {
    auto r = ParseKeyBlob(b);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().reason, "keyblob.malformed");
  }
}

TEST(KeyBlobTest, SavedFileIsPrivate) {
  char tmpl[] = "/tmp/edgetrust-keyblob-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string path = std::string(tmpl) + "/ak.blob";
  ASSERT_TRUE(SaveKeyBlob(path, Sample()).has_value());
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto loaded = LoadKeyBlob(path);
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->private_area.buffer[0], 0xde);
  std::filesystem::remove_all(tmpl);
}

}  // namespace
}  // namespace edgetrust::attestation
