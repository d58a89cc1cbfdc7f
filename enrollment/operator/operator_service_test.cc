#include "enrollment/operator/operator_service.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "enrollment/store/sqlite_store.h"

namespace edgetrust::enrollment::operator_api {
namespace {

using nlohmann::json;

// A public test certificate (no key anywhere): stands in for a TPM manufacturer CA.
constexpr const char* kManufacturerCa = R"(-----BEGIN CERTIFICATE-----
MIIBljCCATugAwIBAgIUMbIY5fUF3pZdJAZvBFu/wvvVwnMwCgYIKoZIzj0EAwIw
HzEdMBsGA1UEAwwUdGVzdCBtYW51ZmFjdHVyZXIgQ0EwIBcNMjYxMTI2MDgxODUw
WhgPMjEyNjExMDIwODE4NTBaMB8xHTAbBgNVBAMMFHRlc3QgbWFudWZhY3R1cmVy
IENBMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEYfxNLWn2pB7zRX0Vm8exX5Ks
BPl8buernz/yNX2JalDhg13d4pV+od8hoOmI9cgmH5RiSuSbcnV8HPCT/tEGJaNT
MFEwHQYDVR0OBBYEFAUZlLvJNNfXav4iGCjx/UTYX4RwMB8GA1UdIwQYMBaAFAUZ
lLvJNNfXav4iGCjx/UTYX4RwMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwID
SQAwRgIhAOIz3aN8t0CGlj8ZFFfXVbssU5o6o9yNpdZaucC6jJRhAiEAid+xOrEj
IwTmsRO6rZPQ8Cj7rw6nPud8KlDD5HkY0Jc=
-----END CERTIFICATE-----
)";

const std::string kDigestA(64, 'a');
const std::string kDigestB(64, 'b');

// HexOf spells `text` in hex, to make a distinct EK digest per device (one EK, one device).
std::string HexOf(const std::string& text) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : text) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

class OperatorServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = store::SqliteStore::OpenInMemory();
    ASSERT_TRUE(store.has_value()) << store.error().ToString();
    store_ = *store;
    OperatorHooks hooks;
    hooks.clock = [this] { return now_; };
    hooks.on_audit = [this](const store::AuditRecord& r) { audited_.push_back(r); };
    hooks.on_revoked = [this] { ++revocations_; };
    service_ = std::make_unique<OperatorService>(store_, hooks);
  }

  void AddDevice(const std::string& id, const std::string& serial) {
    store::Device device;
    device.device_id = id;
    device.ek_digest_hex = std::string(64 - 2 * id.size(), 'e') + HexOf(id);
    device.enrollment = "individual";
    device.created_at = device.updated_at = now_;
    store::IssuedCertificate cert;
    cert.serial = serial;
    cert.device_id = id;
    cert.not_before = now_;
    cert.not_after = now_ + 3600;
    cert.issued_at = now_;
    store::AuditRecord audit;
    audit.time = now_;
    audit.actor = "device:" + id;
    audit.action = "complete";
    audit.subject = id;
    audit.outcome = "ok";
    audit.reason = "ok";
    auto recorded = store_->RecordIssuance(device, cert, audit);
    ASSERT_TRUE(recorded.has_value()) << recorded.error().ToString();
  }

  std::time_t now_ = 1'800'000'000;
  std::shared_ptr<store::Store> store_;
  std::unique_ptr<OperatorService> service_;
  std::vector<store::AuditRecord> audited_;
  int revocations_ = 0;
  Caller alice_{"10.0.0.7"};
};

std::string Policy(const std::string& id) {
  return json{{"id", id},
              {"selection", "sha256:0,7"},
              {"golden", {{{"bank", "sha256"}, {"index", 7}, {"digest", std::string(64, 'c')}}}}}
      .dump();
}

TEST_F(OperatorServiceTest, PcrPolicyLifecycleIsAudited) {
  auto created = service_->CreatePcrPolicy(alice_, Policy("boot"));
  ASSERT_TRUE(created.has_value()) << created.error().ToString();
  EXPECT_EQ(json::parse(*created)["selection"], "sha256:0,7");
  auto again = service_->CreatePcrPolicy(alice_, Policy("boot"));
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(again.error().reason, "operator.exists");
  ASSERT_TRUE(service_->ReplacePcrPolicy(alice_, "boot", Policy("boot")).has_value());
  auto list = service_->ListPcrPolicies();
  ASSERT_TRUE(list.has_value());
  EXPECT_EQ(json::parse(*list)["pcr_policies"].size(), 1u);
  ASSERT_TRUE(service_->DeletePcrPolicy(alice_, "boot").has_value());
  auto gone = service_->GetPcrPolicy("boot");
  ASSERT_FALSE(gone.has_value());
  EXPECT_EQ(gone.error().reason, "operator.not_found");
  ASSERT_EQ(audited_.size(), 3u);
  EXPECT_EQ(audited_[0].action, "pcr_policy.create");
  EXPECT_EQ(audited_[0].actor, "operator:10.0.0.7");
  EXPECT_EQ(audited_[2].action, "pcr_policy.delete");
  auto audit = service_->QueryAudit("boot", "", "", "", "");
  ASSERT_TRUE(audit.has_value());
  EXPECT_EQ(json::parse(*audit)["records"].size(), 3u);
}

TEST_F(OperatorServiceTest, PcrPolicyValidation) {
  struct Case {
    std::string body;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"{", "request.malformed_json"},
      {"[]", "request.wrong_type"},
      {R"({"id":"p","extra":1})", "request.unknown_field"},
      {R"({"selection":"sha256:0"})", "request.missing_field"},
      {R"({"id":"-bad"})", "request.bad_value"},
      {R"({"id":"p","selection":"sha256:99"})", "request.bad_value"},
      {R"({"id":"p","selection":"sha256:0","golden":[{"bank":"sha256","index":1,"digest":")" +
           std::string(64, 'a') + R"("}]})",
       "request.bad_value"},  // outside the selection
      {R"({"id":"p","selection":"sha256:0","golden":[{"bank":"sha256","index":0,"digest":"ab"}]})",
       "request.bad_value"},  // wrong digest size
      {R"({"id":"p","golden":{}})", "request.wrong_type"},
  };
  for (const Case& c : cases) {
    auto r = service_->CreatePcrPolicy(alice_, c.body);
    ASSERT_FALSE(r.has_value()) << c.body;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << c.body;
    EXPECT_EQ(r.error().reason, c.reason) << c.body << ": " << r.error().message;
    EXPECT_EQ(HttpStatusFor(r.error()), 400);
  }
  EXPECT_TRUE(audited_.empty());
}

TEST_F(OperatorServiceTest, IndividualEnrollmentNeedsAnExistingPolicy) {
  std::string body = json{
      {"registration_id", "device-0001"},
      {"ek_digest", kDigestA},
      {"pcr_policy_id",
       "missing"}}.dump();
  auto r = service_->CreateIndividual(alice_, body);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().reason, "operator.unknown_pcr_policy");
  ASSERT_TRUE(service_->CreatePcrPolicy(alice_, Policy("missing")).has_value());
  auto ok = service_->CreateIndividual(alice_, body);
  ASSERT_TRUE(ok.has_value()) << ok.error().ToString();
  EXPECT_EQ(json::parse(*ok)["created_at"], now_);
  auto in_use = service_->DeletePcrPolicy(alice_, "missing");
  ASSERT_FALSE(in_use.has_value());
  EXPECT_EQ(in_use.error().reason, "operator.pcr_policy_in_use");
  EXPECT_EQ(HttpStatusFor(in_use.error()), 409);
}

TEST_F(OperatorServiceTest, IndividualEnrollmentFromEkPublicAndIdMismatch) {
  // ek_public is hashed: SHA-256 of the marshalled TPM2B_PUBLIC ("AAECAw" = 00 01 02 03).
  auto r = service_->CreateIndividual(
      alice_, R"({"registration_id":"dev-1","ek_public":"AAECAw","tags":["a"]})");
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(json::parse(*r)["ek_digest"],
            "054edec1d0211f624fed0cbca9d4f9400b0e491c43742af2c5b0abebf0c990d8");
  auto both = service_->CreateIndividual(
      alice_,
      R"({"registration_id":"dev-2","ek_public":"AAECAw","ek_digest":")" + kDigestA + "\"}");
  ASSERT_FALSE(both.has_value());
  EXPECT_EQ(both.error().reason, "request.missing_field");
  auto mismatch = service_->ReplaceIndividual(
      alice_, "other", json{{"registration_id", "dev-1"}, {"ek_digest", kDigestA}}.dump());
  ASSERT_FALSE(mismatch.has_value());
  EXPECT_EQ(mismatch.error().reason, "operator.id_mismatch");
  auto del = service_->DeleteIndividual(alice_, "nobody");
  ASSERT_FALSE(del.has_value());
  EXPECT_EQ(del.error().code, ErrorCode::kNotFound);
}

TEST_F(OperatorServiceTest, GroupEnrollmentChecksThePem) {
  auto bad = service_->CreateGroup(
      alice_, json{{"group_id", "factory-a"}, {"manufacturer_ca_pem", "not a pem"}}.dump());
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().reason, "request.bad_value");
  auto ok = service_->CreateGroup(
      alice_,
      json{{"group_id", "factory-a"}, {"manufacturer_ca_pem", kManufacturerCa}, {"enabled", false}}
          .dump());
  ASSERT_TRUE(ok.has_value()) << ok.error().ToString();
  auto list = service_->ListGroups();
  ASSERT_TRUE(list.has_value());
  json groups = json::parse(*list)["groups"];
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0]["enabled"], false);
  ASSERT_TRUE(service_->DeleteGroup(alice_, "factory-a").has_value());
}

TEST_F(OperatorServiceTest, DeviceRevokeRevokesCertificatesAndInvalidatesTheCrl) {
  AddDevice("device-0001", "0a0b");
  auto r = service_->ChangeDevice(alice_, "device-0001", DeviceAction::kRevoke,
                                  R"({"reason":"key.compromised"})");
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  json device = json::parse(*r);
  EXPECT_EQ(device["status"], "revoked");
  EXPECT_EQ(device["status_reason"], "key.compromised");
  EXPECT_EQ(revocations_, 1);
  auto revoked = store_->ListRevoked();
  ASSERT_TRUE(revoked.has_value());
  ASSERT_EQ(revoked->size(), 1u);
  EXPECT_EQ((*revoked)[0].serial, "0a0b");
  ASSERT_FALSE(audited_.empty());
  EXPECT_EQ(audited_.back().action, "device.revoke");
  EXPECT_EQ(json::parse(audited_.back().details)["from"], "active");
}

TEST_F(OperatorServiceTest, DeviceDisableEnableRetire) {
  AddDevice("device-0002", "0c0d");
  for (auto [action, status] :
       {std::pair{DeviceAction::kDisable, "disabled"}, std::pair{DeviceAction::kEnable, "active"},
        std::pair{DeviceAction::kRetire, "retired"}}) {
    auto r = service_->ChangeDevice(alice_, "device-0002", action, "");
    ASSERT_TRUE(r.has_value()) << r.error().ToString();
    EXPECT_EQ(json::parse(*r)["status"], status);
  }
  EXPECT_EQ(revocations_, 0);
  auto bad_reason = service_->ChangeDevice(alice_, "device-0002", DeviceAction::kDisable,
                                           R"({"reason":"Not Allowed!"})");
  ASSERT_FALSE(bad_reason.has_value());
  EXPECT_EQ(bad_reason.error().reason, "request.bad_value");
  auto unknown = service_->ChangeDevice(alice_, "nobody", DeviceAction::kDisable, "");
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().reason, "operator.not_found");
  EXPECT_EQ(HttpStatusFor(unknown.error()), 404);
}

TEST_F(OperatorServiceTest, DeviceListPagesAndLimits) {
  AddDevice("a-1", "01");
  AddDevice("a-2", "02");
  AddDevice("a-3", "03");
  auto page = service_->ListDevices("2", "");
  ASSERT_TRUE(page.has_value()) << page.error().ToString();
  json first = json::parse(*page);
  ASSERT_EQ(first["devices"].size(), 2u);
  EXPECT_EQ(first["next_after"], "a-2");
  auto rest = service_->ListDevices("2", "a-2");
  ASSERT_TRUE(rest.has_value());
  EXPECT_EQ(json::parse(*rest)["devices"].size(), 1u);
  EXPECT_TRUE(json::parse(*rest)["next_after"].is_null());
  for (const char* bad : {"0", "1001", "x", "-1"}) {
    auto r = service_->ListDevices(bad, "");
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().reason, "request.bad_value");
  }
}

TEST_F(OperatorServiceTest, AuditQueryFiltersAndValidates) {
  ASSERT_TRUE(service_->CreatePcrPolicy(alice_, Policy("p1")).has_value());
  ASSERT_TRUE(service_->CreatePcrPolicy(alice_, Policy("p2")).has_value());
  auto by_subject = service_->QueryAudit("p2", "", "", "", "");
  ASSERT_TRUE(by_subject.has_value());
  json records = json::parse(*by_subject)["records"];
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["subject"], "p2");
  auto after = service_->QueryAudit("", "pcr_policy.create", "ok",
                                    std::to_string(records[0]["sequence"].get<int64_t>()), "10");
  ASSERT_TRUE(after.has_value());
  EXPECT_TRUE(json::parse(*after)["records"].empty());
  auto bad = service_->QueryAudit("", "", "", "-3", "");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().reason, "request.bad_value");
}

}  // namespace
}  // namespace edgetrust::enrollment::operator_api
