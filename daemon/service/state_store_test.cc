#include "daemon/service/state_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "swtpm/temp_dir.h"

namespace edgetrust::daemon::service {
namespace {

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

class StateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = swtpm::TempDir::Create("state-store-test");
    ASSERT_TRUE(dir) << dir.error().ToString();
    dir_ = std::move(*dir);
  }
  std::string path() const { return dir_->path() + "/state"; }
  std::optional<swtpm::TempDir> dir_;
};

TEST_F(StateStoreTest, AMissingFileIsAnEmptyRecordAndTheDirectoryIsPrivate) {
  auto store = StateStore::Open(path());
  ASSERT_TRUE(store) << store.error().ToString();
  EXPECT_EQ(ModeOf(path()), 0700u);
  auto record = store->Load();
  ASSERT_TRUE(record) << record.error().ToString();
  EXPECT_TRUE(record->registration_id.empty());
  EXPECT_TRUE(record->owned_handles.empty());
}

TEST_F(StateStoreTest, SaveAndLoadRoundTripWithPrivateFiles) {
  auto store = StateStore::Open(path());
  ASSERT_TRUE(store);
  DeviceRecord record{{0x81000001, 0x81010001},
                      "reg-1",
                      "dev-1",
                      "sha256:0,7",
                      "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
                      true,
                      1800000000,
                      123456789};
  ASSERT_TRUE(store->Save(record));
  auto loaded = store->Load();
  ASSERT_TRUE(loaded) << loaded.error().ToString();
  EXPECT_EQ(loaded->owned_handles, record.owned_handles);
  EXPECT_EQ(loaded->registration_id, "reg-1");
  EXPECT_EQ(loaded->device_id, "dev-1");
  EXPECT_EQ(loaded->pcr_selection, "sha256:0,7");
  EXPECT_EQ(loaded->certificate_chain, record.certificate_chain);
  EXPECT_TRUE(loaded->refused);
  EXPECT_EQ(loaded->clock_floor, 1800000000);
  EXPECT_EQ(loaded->tpm_clock_ms, 123456789u);
  EXPECT_EQ(ModeOf(store->state_path()), 0600u);  // THREATS D2
  EXPECT_EQ(ModeOf(store->chain_path()), 0600u);
}

TEST_F(StateStoreTest, ACorruptFileIsAnErrorNotAFreshStart) {
  auto store = StateStore::Open(path());
  ASSERT_TRUE(store);
  std::ofstream(store->state_path()) << "{\"version\": 1, \"registration_id\": 5}";
  auto loaded = store->Load();
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().reason, "state.corrupt");
}

TEST_F(StateStoreTest, DestroyKeysRemovesTheBlobsOnly) {
  auto store = StateStore::Open(path());
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->Save({{}, "r", "d", "", "PEM", false, 1, 2}));
  std::ofstream(store->ak_blob_path()) << "blob";
  std::ofstream(store->identity_blob_path()) << "blob";
  ASSERT_TRUE(store->DestroyKeys());
  struct stat st {};
  EXPECT_NE(::stat(store->ak_blob_path().c_str(), &st), 0);
  EXPECT_NE(::stat(store->identity_blob_path().c_str(), &st), 0);
  EXPECT_EQ(::stat(store->state_path().c_str(), &st), 0);
  EXPECT_TRUE(store->DestroyKeys());  // idempotent
}

TEST_F(StateStoreTest, ARecordWithoutAChainRemovesTheChainFile) {
  auto store = StateStore::Open(path());
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->Save({{}, "r", "d", "", "PEM", false, 1, 2}));
  ASSERT_TRUE(store->Save({}));
  struct stat st {};
  EXPECT_NE(::stat(store->chain_path().c_str(), &st), 0);
}

}  // namespace
}  // namespace edgetrust::daemon::service
