// SqliteStore: the EK pin (THREATS E4), revocation, attestation failures (E10), CRL numbers and
// audit queries.
#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <thread>
#include <vector>

#include "enrollment/store/sqlite_store.h"
#include "enrollment/store/store_test_util.h"

namespace edgetrust::enrollment::store {
namespace {

using testing::Audit;
using testing::Ek;
using testing::ExpectError;
using testing::Filter;
using testing::MakeCert;
using testing::MakeDevice;

class IssuanceTest : public testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    auto s = SqliteStore::Open(DbPath());
    ASSERT_TRUE(s.has_value()) << s.error().ToString();
    store_ = *s;
  }

  void Issue(const std::string& id, int ek, const std::string& serial) {
    auto s =
        store_->RecordIssuance(MakeDevice(id, ek), MakeCert(serial, id), Audit("complete", id));
    ASSERT_TRUE(s.has_value()) << s.error().ToString();
  }

  std::vector<AuditRecord> Query(AuditQuery q) {
    auto r = store_->QueryAudit(q);
    EXPECT_TRUE(r.has_value()) << r.error().ToString();
    return r.value_or(std::vector<AuditRecord>{});
  }

  std::shared_ptr<SqliteStore> store_;
};

TEST_F(IssuanceTest, RenewalOfThePinnedDeviceUpdatesIt) {
  Issue("dev-1", 1, "01");
  Device renewed = MakeDevice("dev-1", 1);
  renewed.ak_public_b64 = "AK-new";
  renewed.created_at = 1800000000;  // ignored: created_at never changes
  renewed.tpm_clock = 9999;
  ASSERT_TRUE(store_->RecordIssuance(renewed, MakeCert("02", "dev-1"), Audit("renew", "dev-1"))
                  .has_value());
  auto d = store_->GetDevice("dev-1");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->current_serial, "02");
  EXPECT_EQ(d->ak_public_b64, "AK-new");
  EXPECT_EQ(d->tpm_clock, 9999u);
  EXPECT_EQ(d->created_at, 1700000000);
  EXPECT_TRUE(store_->GetCertificate("01").has_value());
  EXPECT_TRUE(store_->GetCertificate("02").has_value());
}

TEST_F(IssuanceTest, TakeoverOfARegistrationIdIsRejectedAndWritesNothing) {
  Issue("dev-1", 1, "01");
  auto before = Query({});
  auto r = store_->RecordIssuance(MakeDevice("dev-1", 2), MakeCert("02", "dev-1"),
                                  Audit("complete", "dev-1"));
  ExpectError(r, ErrorCode::kFailedPrecondition, "enrollment.registration_id_taken");
  EXPECT_EQ(store_->GetDevice("dev-1")->ek_digest_hex, Ek(1));
  EXPECT_EQ(store_->GetDevice("dev-1")->current_serial, "01");
  ExpectError(store_->GetCertificate("02"), ErrorCode::kNotFound, "store.not_found");
  ExpectError(store_->FindDeviceByEk(Ek(2)), ErrorCode::kNotFound, "store.not_found");
  EXPECT_EQ(Query({}).size(), before.size());
}

TEST_F(IssuanceTest, OneEkCannotBePinnedToTwoDeviceIds) {
  Issue("dev-1", 1, "01");
  auto before = Query({});
  auto r = store_->RecordIssuance(MakeDevice("dev-2", 1), MakeCert("02", "dev-2"),
                                  Audit("complete", "dev-2"));
  ExpectError(r, ErrorCode::kFailedPrecondition, "enrollment.ek_taken");
  ExpectError(store_->GetDevice("dev-2"), ErrorCode::kNotFound, "store.not_found");
  ExpectError(store_->GetCertificate("02"), ErrorCode::kNotFound, "store.not_found");
  EXPECT_EQ(Query({}).size(), before.size());
}

TEST_F(IssuanceTest, DuplicateSerialRollsBackTheDevice) {
  Issue("dev-1", 1, "01");
  auto r = store_->RecordIssuance(MakeDevice("dev-2", 2), MakeCert("01", "dev-2"),
                                  Audit("complete", "dev-2"));
  ExpectError(r, ErrorCode::kAlreadyExists, "store.exists");
  ExpectError(store_->GetDevice("dev-2"), ErrorCode::kNotFound, "store.not_found");
  EXPECT_EQ(store_->GetCertificate("01")->device_id, "dev-1");
}

TEST_F(IssuanceTest, CertificateMustBelongToTheDevice) {
  ExpectError(store_->RecordIssuance(MakeDevice("dev-1", 1), MakeCert("01", "dev-2"),
                                     Audit("complete", "dev-1")),
              ErrorCode::kInvalidArgument, "store.invalid_record");
}

TEST_F(IssuanceTest, RevokingADeviceRevokesAllItsCertificates) {
  Issue("dev-1", 1, "01");
  Issue("dev-1", 1, "02");
  Issue("dev-2", 2, "03");
  AuditRecord revoke = Audit("revoke", "dev-1");
  revoke.time = 1750000000;
  ASSERT_TRUE(
      store_->UpdateDeviceStatus("dev-1", DeviceStatus::kRevoked, "operator.revoked", revoke)
          .has_value());
  auto d = store_->GetDevice("dev-1");
  EXPECT_EQ(d->status, DeviceStatus::kRevoked);
  EXPECT_EQ(d->status_reason, "operator.revoked");
  EXPECT_EQ(d->updated_at, 1750000000);
  EXPECT_EQ(store_->GetCertificate("01")->revoked_at, 1750000000);
  EXPECT_EQ(store_->GetCertificate("02")->revoked_at, 1750000000);
  EXPECT_FALSE(store_->GetCertificate("03")->revoked_at.has_value());
  auto revoked = store_->ListRevoked();
  ASSERT_TRUE(revoked.has_value());
  ASSERT_EQ(revoked->size(), 2u);
  EXPECT_EQ((*revoked)[0].serial, "01");
  EXPECT_EQ(Query(Filter("dev-1", "revoke")).size(), 1u);

  ExpectError(
      store_->UpdateDeviceStatus("dev-9", DeviceStatus::kRevoked, "x", Audit("revoke", "dev-9")),
      ErrorCode::kNotFound, "store.not_found");
  EXPECT_TRUE(Query(Filter("dev-9")).empty());
}

TEST_F(IssuanceTest, DisablingKeepsCertificates) {
  Issue("dev-1", 1, "01");
  ASSERT_TRUE(store_
                  ->UpdateDeviceStatus("dev-1", DeviceStatus::kDisabled, "operator.disabled",
                                       Audit("disable", "dev-1"))
                  .has_value());
  EXPECT_EQ(store_->GetDevice("dev-1")->status, DeviceStatus::kDisabled);
  EXPECT_FALSE(store_->GetCertificate("01")->revoked_at.has_value());
}

TEST_F(IssuanceTest, RevokeOneCertificateKeepsTheFirstTime) {
  Issue("dev-1", 1, "01");
  AuditRecord first = Audit("cert.revoke", "01");
  first.time = 1710000000;
  ASSERT_TRUE(store_->RevokeCertificate("01", first).has_value());
  AuditRecord second = Audit("cert.revoke", "01");
  second.time = 1720000000;
  ASSERT_TRUE(store_->RevokeCertificate("01", second).has_value());
  EXPECT_EQ(store_->GetCertificate("01")->revoked_at, 1710000000);
  EXPECT_EQ(store_->GetDevice("dev-1")->status, DeviceStatus::kActive);
  ExpectError(store_->RevokeCertificate("99", Audit("cert.revoke", "99")), ErrorCode::kNotFound,
              "store.not_found");
  EXPECT_EQ(Query(Filter({}, "cert.revoke")).size(), 2u);
}

TEST_F(IssuanceTest, AttestationFailureMarksOnlyActiveDevices) {
  Issue("dev-1", 1, "01");
  Issue("dev-2", 2, "02");
  ASSERT_TRUE(store_
                  ->UpdateDeviceStatus("dev-2", DeviceStatus::kRevoked, "operator.revoked",
                                       Audit("revoke", "dev-2"))
                  .has_value());
  auto fail = [&](const std::string& id) {
    return store_->RecordAttestationFailure(
        id, "quote.pcr_mismatch", Audit("complete", id, "rejected", "quote.pcr_mismatch"));
  };
  ASSERT_TRUE(fail("dev-1").has_value());
  ASSERT_TRUE(fail("dev-2").has_value());
  ASSERT_TRUE(fail("unknown").has_value());  // only the audit record
  auto d1 = store_->GetDevice("dev-1");
  EXPECT_EQ(d1->status, DeviceStatus::kFailedAttestation);
  EXPECT_EQ(d1->status_reason, "quote.pcr_mismatch");
  EXPECT_EQ(store_->GetDevice("dev-2")->status, DeviceStatus::kRevoked);
  ExpectError(store_->GetDevice("unknown"), ErrorCode::kNotFound, "store.not_found");
  EXPECT_EQ(Query(Filter({}, {}, "rejected")).size(), 3u);
}

TEST_F(IssuanceTest, CrlNumbersIncreaseAcrossReopen) {
  EXPECT_EQ(*store_->NextCrlNumber(), 1u);
  EXPECT_EQ(*store_->NextCrlNumber(), 2u);
  store_.reset();
  auto reopened = SqliteStore::Open(DbPath());
  ASSERT_TRUE(reopened.has_value());
  EXPECT_EQ(*(*reopened)->NextCrlNumber(), 3u);
}

TEST_F(IssuanceTest, AuditQueryFilters) {
  Issue("dev-1", 1, "01");
  Issue("dev-2", 2, "02");
  ASSERT_TRUE(store_->AppendAudit(Audit("challenge", "dev-3", "rejected", "enrollment.unknown_ek"))
                  .has_value());
  ASSERT_TRUE(store_->AppendAudit(Audit("challenge", "dev-1")).has_value());
  AuditRecord empty_details = Audit("challenge", "dev-2");
  empty_details.details = "";
  empty_details.time = 0;  // stamped with the current time
  ASSERT_TRUE(store_->AppendAudit(empty_details).has_value());

  auto all = Query({});
  ASSERT_EQ(all.size(), 5u);
  for (size_t i = 1; i < all.size(); ++i) EXPECT_GT(all[i].sequence, all[i - 1].sequence);
  EXPECT_EQ(all[2].reason, "enrollment.unknown_ek");
  EXPECT_EQ(all[0].details, R"({"note":"test"})");
  EXPECT_EQ(all[4].details, "{}");
  EXPECT_GT(all[4].time, 1700000000);

  EXPECT_EQ(Query(Filter("dev-1")).size(), 2u);
  EXPECT_EQ(Query(Filter({}, "challenge")).size(), 3u);
  EXPECT_EQ(Query(Filter({}, {}, "rejected")).size(), 1u);
  EXPECT_EQ(Query(Filter("dev-1", "challenge")).size(), 1u);
  EXPECT_TRUE(Query(Filter("dev-1", {}, "rejected")).empty());
  auto after = Query(Filter({}, {}, {}, all[2].sequence));
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[0].sequence, all[3].sequence);
  auto limited = Query(Filter({}, {}, {}, 0, 2));
  ASSERT_EQ(limited.size(), 2u);
  EXPECT_EQ(limited[1].sequence, all[1].sequence);
  ExpectError(store_->QueryAudit(Filter({}, {}, {}, 0, 0)), ErrorCode::kInvalidArgument,
              "store.invalid_argument");
}

TEST(AuditCapTest, QueryIsCappedAtOneThousand) {
  auto store = SqliteStore::OpenInMemory();  // 1005 durable commits would only test the disk
  ASSERT_TRUE(store.has_value());
  for (int i = 0; i < 1005; ++i) {
    ASSERT_TRUE((*store)->AppendAudit(Audit("challenge", "dev-" + std::to_string(i))).has_value());
  }
  auto r = (*store)->QueryAudit(Filter({}, {}, {}, 0, 5000));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->size(), 1000u);
}

// Group commit: concurrent writes share transactions; a write that breaks a pin rolls back
// alone (its savepoint) and every other write of the batch is durable and visible.
TEST_F(IssuanceTest, GroupCommitKeepsPinsExactAndIsolatesAFailingWrite) {
  constexpr int kWriters = 24;
  // Writers 0..21 enroll distinct devices; 22 claims dev-0's EK under another id (ek_taken),
  // 23 claims dev-1's id with another EK (registration_id_taken). Each conflicting pair races,
  // so exactly one side of each wins, whichever commits first.
  std::vector<Status> results(kWriters);
  std::latch start(kWriters);
  std::vector<std::thread> threads;
  for (int i = 0; i < kWriters; ++i) {
    threads.emplace_back([&, i] {
      Device d = MakeDevice("dev-" + std::to_string(i), i + 1);
      if (i == 22) d = MakeDevice("thief-ek", 1);
      if (i == 23) d = MakeDevice("dev-1", 999);
      start.arrive_and_wait();
      results[static_cast<size_t>(i)] = store_->RecordIssuance(
          d, MakeCert("s" + std::to_string(i), d.device_id), Audit("complete", d.device_id));
    });
  }
  for (auto& t : threads) t.join();

  int ok = 0;
  for (int i = 0; i < 22; ++i) {
    if (i != 0 && i != 1) {
      ASSERT_TRUE(results[static_cast<size_t>(i)].has_value())
          << i << ": " << results[static_cast<size_t>(i)].error().ToString();
    }
  }
  for (const Status& r : results) ok += r.has_value() ? 1 : 0;
  EXPECT_EQ(ok, kWriters - 2);
  // EK 1: either dev-0 or thief-ek holds it, never both.
  EXPECT_NE(results[0].has_value(), results[22].has_value());
  if (!results[22].has_value()) {
    ExpectError(results[22], ErrorCode::kFailedPrecondition, "enrollment.ek_taken");
  } else {
    ExpectError(results[0], ErrorCode::kFailedPrecondition, "enrollment.ek_taken");
  }
  // dev-1: pinned to EK 2 or EK 999, never both.
  EXPECT_NE(results[1].has_value(), results[23].has_value());
  const Status& loser = results[1].has_value() ? results[23] : results[1];
  ExpectError(loser, ErrorCode::kFailedPrecondition, "enrollment.registration_id_taken");

  // Exactly the successful writes are there, each with its certificate and audit record; the
  // failed ones left nothing.
  EXPECT_EQ(Query(Filter({}, "complete")).size(), static_cast<size_t>(ok));
  for (int i = 0; i < kWriters; ++i) {
    auto cert = store_->GetCertificate("s" + std::to_string(i));
    EXPECT_EQ(cert.has_value(), results[static_cast<size_t>(i)].has_value()) << i;
  }
  auto dev1 = store_->GetDevice("dev-1");
  ASSERT_TRUE(dev1.has_value());
  EXPECT_EQ(dev1->ek_digest_hex, results[1].has_value() ? Ek(2) : Ek(999));

  // The store stays usable after a batch with failures.
  Issue("after", 500, "s-after");
}

}  // namespace
}  // namespace edgetrust::enrollment::store
