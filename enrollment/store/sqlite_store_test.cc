// SqliteStore: create, read, replace, list and delete every record type, and the audit record
// each mutation writes with it.
#include "enrollment/store/sqlite_store.h"

#include <gtest/gtest.h>

#include "enrollment/store/store_test_util.h"

namespace edgetrust::enrollment::store {
namespace {

using testing::Audit;
using testing::Ek;
using testing::ExpectError;
using testing::MakeCert;
using testing::MakeDevice;

class SqliteStoreTest : public testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    auto s = SqliteStore::Open(DbPath());
    ASSERT_TRUE(s.has_value()) << s.error().ToString();
    store_ = *s;
  }

  std::vector<AuditRecord> AllAudit() {
    AuditQuery q;
    q.limit = 1000;
    auto r = store_->QueryAudit(q);
    EXPECT_TRUE(r.has_value()) << r.error().ToString();
    return r.value_or(std::vector<AuditRecord>{});
  }

  PcrPolicy Policy(const std::string& id) {
    PcrPolicy p;
    p.id = id;
    p.selection = "sha256:0,1,7";
    p.golden = {{"sha256", 0, std::string(64, 'a')}, {"sha256", 7, std::string(64, 'b')}};
    return p;
  }

  std::shared_ptr<SqliteStore> store_;
};

TEST(DeviceStatusTest, NamesRoundTrip) {
  for (DeviceStatus s : {DeviceStatus::kActive, DeviceStatus::kDisabled, DeviceStatus::kRevoked,
                         DeviceStatus::kRetired, DeviceStatus::kFailedAttestation}) {
    EXPECT_EQ(ParseDeviceStatus(DeviceStatusName(s)), s);
  }
  EXPECT_STREQ(DeviceStatusName(DeviceStatus::kFailedAttestation), "failed_attestation");
  EXPECT_FALSE(ParseDeviceStatus("Active").has_value());
  EXPECT_FALSE(ParseDeviceStatus("").has_value());
}

TEST_F(SqliteStoreTest, PcrPolicyCrud) {
  ASSERT_TRUE(store_->PutPcrPolicy(Policy("p1"), Audit("pcr_policy.put", "p1")).has_value());
  auto got = store_->GetPcrPolicy("p1");
  ASSERT_TRUE(got.has_value()) << got.error().ToString();
  EXPECT_EQ(got->selection, "sha256:0,1,7");
  ASSERT_EQ(got->golden.size(), 2u);
  EXPECT_EQ(got->golden[1].bank, "sha256");
  EXPECT_EQ(got->golden[1].index, 7u);
  EXPECT_EQ(got->golden[1].digest_hex, std::string(64, 'b'));

  PcrPolicy replaced = Policy("p1");
  replaced.selection = "";
  replaced.golden.clear();
  ASSERT_TRUE(store_->PutPcrPolicy(replaced, Audit("pcr_policy.put", "p1")).has_value());
  ASSERT_TRUE(store_->PutPcrPolicy(Policy("p0"), Audit("pcr_policy.put", "p0")).has_value());
  auto list = store_->ListPcrPolicies();
  ASSERT_TRUE(list.has_value());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id, "p0");
  EXPECT_EQ((*list)[1].selection, "");
  EXPECT_TRUE((*list)[1].golden.empty());

  ASSERT_TRUE(store_->DeletePcrPolicy("p1", Audit("pcr_policy.delete", "p1")).has_value());
  ExpectError(store_->GetPcrPolicy("p1"), ErrorCode::kNotFound, "store.not_found");
  ExpectError(store_->DeletePcrPolicy("p1", Audit("pcr_policy.delete", "p1")), ErrorCode::kNotFound,
              "store.not_found");
  EXPECT_EQ(AllAudit().size(), 4u);  // the failed delete wrote nothing
}

TEST_F(SqliteStoreTest, PolicyInUseCannotBeDeletedAndMustExist) {
  IndividualEnrollment e{"dev-1", Ek(1), true, "missing", {}, 1};
  ExpectError(store_->PutIndividual(e, Audit("enrollment.create", "dev-1")),
              ErrorCode::kFailedPrecondition, "store.reference");
  ASSERT_TRUE(store_->PutPcrPolicy(Policy("p1"), Audit("pcr_policy.put", "p1")).has_value());
  e.pcr_policy_id = "p1";
  ASSERT_TRUE(store_->PutIndividual(e, Audit("enrollment.create", "dev-1")).has_value());
  ExpectError(store_->DeletePcrPolicy("p1", Audit("pcr_policy.delete", "p1")),
              ErrorCode::kFailedPrecondition, "store.reference");
  EXPECT_TRUE(store_->GetPcrPolicy("p1").has_value());
  EXPECT_EQ(AllAudit().size(), 2u);
}

TEST_F(SqliteStoreTest, IndividualEnrollmentCrud) {
  IndividualEnrollment e{"dev-1", Ek(1), true, "", {"line:3", "site:berlin"}, 1700000001};
  ASSERT_TRUE(store_->PutIndividual(e, Audit("enrollment.create", "dev-1")).has_value());
  auto got = store_->GetIndividual("dev-1");
  ASSERT_TRUE(got.has_value()) << got.error().ToString();
  EXPECT_EQ(got->ek_digest_hex, Ek(1));
  EXPECT_TRUE(got->enabled);
  EXPECT_EQ(got->pcr_policy_id, "");
  EXPECT_EQ(got->tags, (std::vector<std::string>{"line:3", "site:berlin"}));
  EXPECT_EQ(got->created_at, 1700000001);

  auto by_ek = store_->FindIndividualByEk(Ek(1));
  ASSERT_TRUE(by_ek.has_value());
  EXPECT_EQ(by_ek->registration_id, "dev-1");
  ExpectError(store_->FindIndividualByEk(Ek(2)), ErrorCode::kNotFound, "store.not_found");

  e.enabled = false;
  e.tags = {};
  ASSERT_TRUE(store_->PutIndividual(e, Audit("enrollment.update", "dev-1")).has_value());
  EXPECT_FALSE(store_->GetIndividual("dev-1")->enabled);
  EXPECT_TRUE(store_->GetIndividual("dev-1")->tags.empty());

  // One EK cannot be enrolled under two registration ids.
  IndividualEnrollment twin{"dev-2", Ek(1), true, "", {}, 1};
  ExpectError(store_->PutIndividual(twin, Audit("enrollment.create", "dev-2")),
              ErrorCode::kFailedPrecondition, "enrollment.ek_taken");
  twin.ek_digest_hex = Ek(2);
  ASSERT_TRUE(store_->PutIndividual(twin, Audit("enrollment.create", "dev-2")).has_value());
  auto list = store_->ListIndividuals();
  ASSERT_TRUE(list.has_value());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[1].registration_id, "dev-2");

  ASSERT_TRUE(store_->DeleteIndividual("dev-1", Audit("enrollment.delete", "dev-1")).has_value());
  ExpectError(store_->GetIndividual("dev-1"), ErrorCode::kNotFound, "store.not_found");
  ExpectError(store_->DeleteIndividual("dev-1", Audit("enrollment.delete", "dev-1")),
              ErrorCode::kNotFound, "store.not_found");
  EXPECT_EQ(AllAudit().size(), 4u);
}

TEST_F(SqliteStoreTest, RejectsMalformedRecords) {
  IndividualEnrollment e{"", Ek(1), true, "", {}, 1};
  ExpectError(store_->PutIndividual(e, Audit("enrollment.create", "")), ErrorCode::kInvalidArgument,
              "store.invalid_record");
  e.registration_id = "dev-1";
  e.ek_digest_hex = "ABCD";
  ExpectError(store_->PutIndividual(e, Audit("enrollment.create", "dev-1")),
              ErrorCode::kInvalidArgument, "store.invalid_record");
  e.ek_digest_hex = std::string(64, 'A');  // one spelling per EK: lowercase only
  ExpectError(store_->PutIndividual(e, Audit("enrollment.create", "dev-1")),
              ErrorCode::kInvalidArgument, "store.invalid_record");
  e.ek_digest_hex = Ek(1);
  e.tags = {std::string("\xff\xfe", 2)};
  ExpectError(store_->PutIndividual(e, Audit("enrollment.create", "dev-1")),
              ErrorCode::kInvalidArgument, "store.invalid_record");
  e.tags = {};
  AuditRecord bad = Audit("enrollment.create", "dev-1");
  bad.details = "[1,2]";
  ExpectError(store_->PutIndividual(e, bad), ErrorCode::kInvalidArgument, "store.invalid_record");
  bad.details = "{not json";
  ExpectError(store_->AppendAudit(bad), ErrorCode::kInvalidArgument, "store.invalid_record");
  bad = Audit("", "dev-1");
  ExpectError(store_->AppendAudit(bad), ErrorCode::kInvalidArgument, "store.invalid_record");
  // A rejected audit record rolls back the change it came with.
  ExpectError(store_->GetIndividual("dev-1"), ErrorCode::kNotFound, "store.not_found");
  EXPECT_TRUE(AllAudit().empty());
}

TEST_F(SqliteStoreTest, GroupEnrollmentCrud) {
  GroupEnrollment g{"factory-a", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
                    true,        "",
                    {"fleet:a"}, 1700000002};
  ASSERT_TRUE(store_->PutGroup(g, Audit("group.create", "factory-a")).has_value());
  auto got = store_->GetGroup("factory-a");
  ASSERT_TRUE(got.has_value()) << got.error().ToString();
  EXPECT_EQ(got->manufacturer_ca_pem, g.manufacturer_ca_pem);
  EXPECT_EQ(got->tags, g.tags);
  EXPECT_EQ(got->created_at, 1700000002);
  g.enabled = false;
  ASSERT_TRUE(store_->PutGroup(g, Audit("group.update", "factory-a")).has_value());
  EXPECT_FALSE(store_->GetGroup("factory-a")->enabled);
  ASSERT_EQ(store_->ListGroups()->size(), 1u);
  ASSERT_TRUE(store_->DeleteGroup("factory-a", Audit("group.delete", "factory-a")).has_value());
  ExpectError(store_->GetGroup("factory-a"), ErrorCode::kNotFound, "store.not_found");
  EXPECT_TRUE(store_->ListGroups()->empty());
  ExpectError(store_->DeleteGroup("factory-a", Audit("group.delete", "factory-a")),
              ErrorCode::kNotFound, "store.not_found");
}

TEST_F(SqliteStoreTest, DeviceAndCertificateRoundTrip) {
  Device d = MakeDevice("dev-1", 1);
  d.tpm_clock = 0xfedcba9876543210ull;  // the full 64-bit range survives
  ASSERT_TRUE(
      store_->RecordIssuance(d, MakeCert("0a01", "dev-1"), Audit("complete", "dev-1")).has_value());
  auto got = store_->GetDevice("dev-1");
  ASSERT_TRUE(got.has_value()) << got.error().ToString();
  EXPECT_EQ(got->ek_digest_hex, Ek(1));
  EXPECT_EQ(got->ak_public_b64, "AK-dev-1");
  EXPECT_EQ(got->enrollment, "individual");
  EXPECT_EQ(got->status, DeviceStatus::kActive);
  EXPECT_EQ(got->current_serial, "0a01");
  EXPECT_EQ(got->cert_not_after, 1700000000 + 86400);
  EXPECT_EQ(got->tpm_clock, 0xfedcba9876543210ull);
  EXPECT_EQ(got->tpm_reset_count, 1u);
  EXPECT_EQ(got->tpm_restart_count, 2u);
  EXPECT_EQ(got->created_at, 1700000000);
  EXPECT_EQ(store_->FindDeviceByEk(Ek(1))->device_id, "dev-1");
  ExpectError(store_->FindDeviceByEk(Ek(9)), ErrorCode::kNotFound, "store.not_found");
  ExpectError(store_->GetDevice("dev-9"), ErrorCode::kNotFound, "store.not_found");

  auto cert = store_->GetCertificate("0a01");
  ASSERT_TRUE(cert.has_value());
  EXPECT_EQ(cert->device_id, "dev-1");
  EXPECT_EQ(cert->not_after, 1700000000 + 86400);
  EXPECT_FALSE(cert->revoked_at.has_value());
  ExpectError(store_->GetCertificate("ffff"), ErrorCode::kNotFound, "store.not_found");

  ASSERT_TRUE(store_->RecordTpmClock("dev-1", 5000, 3, 4).has_value());
  got = store_->GetDevice("dev-1");
  EXPECT_EQ(got->tpm_clock, 5000u);
  EXPECT_EQ(got->tpm_reset_count, 3u);
  EXPECT_EQ(got->tpm_restart_count, 4u);
  ExpectError(store_->RecordTpmClock("dev-9", 1, 1, 1), ErrorCode::kNotFound, "store.not_found");
}

TEST_F(SqliteStoreTest, ListDevicesPages) {
  for (int i = 0; i < 5; ++i) {
    std::string id = "dev-" + std::to_string(i);
    ASSERT_TRUE(store_
                    ->RecordIssuance(MakeDevice(id, i + 1), MakeCert("c" + std::to_string(i), id),
                                     Audit("complete", id))
                    .has_value());
  }
  auto page = store_->ListDevices(2, "");
  ASSERT_TRUE(page.has_value());
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[1].device_id, "dev-1");
  page = store_->ListDevices(2, "dev-1");
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].device_id, "dev-2");
  page = store_->ListDevices(5000, "dev-3");  // capped at 1000, one left
  ASSERT_EQ(page->size(), 1u);
  ExpectError(store_->ListDevices(0, ""), ErrorCode::kInvalidArgument, "store.invalid_argument");
}

TEST_F(SqliteStoreTest, InMemoryStoreWorks) {
  auto mem = SqliteStore::OpenInMemory();
  ASSERT_TRUE(mem.has_value()) << mem.error().ToString();
  ASSERT_TRUE((*mem)
                  ->RecordIssuance(MakeDevice("dev-1", 1), MakeCert("01", "dev-1"),
                                   Audit("complete", "dev-1"))
                  .has_value());
  EXPECT_EQ((*mem)->GetDevice("dev-1")->current_serial, "01");
  EXPECT_EQ(*(*mem)->NextCrlNumber(), 1u);
}

}  // namespace
}  // namespace edgetrust::enrollment::store
