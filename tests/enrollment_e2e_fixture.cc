#include "tests/enrollment_e2e_fixture.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "attestation/esys_ptr.h"
#include "attestation/keys.h"
#include "attestation/tpm_error.h"
#include "attestation/tpm_signer.h"
#include "certs/certificate.h"
#include "common/crypto.h"
#include "enrollment/api/jws.h"
#include "enrollment/client/evidence.h"

namespace edgetrust::e2e {
namespace {

using attestation::EkType;
using attestation::TpmPublic;
using server::testing::EnrolldProcess;
using swtpm::RunCommand;
using swtpm::ShellQuote;

// Variant EKs live at 0x81018000 + n (outside the TCG-reserved EK and SRK handles).
constexpr uint32_t kVariantEkBase = 0x81018000;
uint32_t next_variant = 0;

// CreateVariantEk makes a primary key in the endorsement hierarchy from the EK template of
// `type` with random bytes in its unique field (so a new key, same policy) and persists it.
Result<attestation::PersistentKey> CreateVariantEk(attestation::Tpm& tpm, EkType type,
                                                   uint32_t handle) {
  if (auto evicted = attestation::EvictPersistent(tpm, handle); !evicted) {
    return Fail(evicted.error());
  }
  TPM2B_PUBLIC tmpl = attestation::EkTemplate(type);
  auto entropy = RandomBytes(32);
  if (!entropy) return Fail(entropy.error());
  if (tmpl.publicArea.type == TPM2_ALG_RSA) {
    tmpl.publicArea.unique.rsa.size = 256;
    std::copy(entropy->begin(), entropy->end(), tmpl.publicArea.unique.rsa.buffer);
  } else {
    const uint16_t size = type == EkType::kEccP384 ? 48 : 32;
    tmpl.publicArea.unique.ecc.x.size = size;
    tmpl.publicArea.unique.ecc.y.size = size;
    std::copy(entropy->begin(), entropy->end(), tmpl.publicArea.unique.ecc.x.buffer);
  }
  static const TPM2B_SENSITIVE_CREATE kEmptySensitive{};
  static const TPM2B_DATA kNoOutsideInfo{};
  static const TPML_PCR_SELECTION kNoPcrs{};
  ESYS_TR primary = ESYS_TR_NONE;
  TPM2B_PUBLIC* out_public = nullptr;
  TSS2_RC rc =
      Esys_CreatePrimary(tpm.esys(), ESYS_TR_RH_ENDORSEMENT, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                         ESYS_TR_NONE, &kEmptySensitive, &tmpl, &kNoOutsideInfo, &kNoPcrs, &primary,
                         &out_public, nullptr, nullptr, nullptr);
  attestation::EsysPtr<TPM2B_PUBLIC> owned_public(out_public);
  attestation::TransientHandle transient(tpm, primary);
  if (auto err = attestation::TpmError(rc, "Esys_CreatePrimary")) return std::unexpected(*err);
  ESYS_TR persisted = ESYS_TR_NONE;
  rc = Esys_EvictControl(tpm.esys(), ESYS_TR_RH_OWNER, transient.get(), ESYS_TR_PASSWORD,
                         ESYS_TR_NONE, ESYS_TR_NONE, handle, &persisted);
  attestation::PersistentHandle closer(tpm, persisted, handle);
  if (auto err = attestation::TpmError(rc, "Esys_EvictControl")) return std::unexpected(*err);
  closer.Reset();
  transient.Reset();
  return attestation::ReadPersistentKey(tpm, handle);
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string ManufacturerDir() {
  const char* dir = std::getenv("EDGETRUST_MANUFACTURER_CA_DIR");
  return dir != nullptr ? dir : "";
}

EnrolldProcess& Service(EnrolldProcess* service, EnrolldProcess& fallback) {
  return service != nullptr ? *service : fallback;
}

}  // namespace

std::string ErrorReason(std::string_view body) {
  auto parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object() || !parsed.contains("error") ||
      !parsed["error"].is_string()) {
    return "";
  }
  return parsed["error"].get<std::string>();
}

namespace {

// ToAnswer flattens a raw answer (or a transport failure, kept in `reason`) for assertions.
Answer ToAnswer(const Result<client::HttpResponse>& response) {
  Answer answer;
  if (!response) {
    answer.reason = response.error().ToString();
    return answer;
  }
  answer.status = response->status;
  answer.body = response->body;
  answer.replay_nonce = response->replay_nonce;
  if (answer.status < 200 || answer.status > 299) answer.reason = ErrorReason(answer.body);
  return answer;
}

}  // namespace

nlohmann::json OperatorAnswer::json() const {
  auto parsed = nlohmann::json::parse(body, nullptr, false);
  return parsed.is_discarded() ? nlohmann::json() : parsed;
}

// ---------------------------------------------------------------------------------- TpmDevice

Result<std::unique_ptr<TpmDevice>> TpmDevice::Create(attestation::Tpm& tpm,
                                                     const attestation::PersistentKey& srk,
                                                     TpmDeviceOptions options) {
  std::optional<uint32_t> variant;
  Result<attestation::PersistentKey> ek = Fail(ErrorCode::kInternal, "e2e", "no EK");
  if (options.provisioned_ek) {
    ek = attestation::EnsureEk(tpm, options.ek_type);
  } else {
    variant = kVariantEkBase + (next_variant++ % 64);
    ek = CreateVariantEk(tpm, options.ek_type, *variant);
  }
  if (!ek) return Fail(ek.error());
  std::unique_ptr<TpmDevice> device(new TpmDevice(tpm, srk, std::move(options), std::move(*ek)));
  device->variant_handle_ = variant;
  auto ak = attestation::CreateKey(
      tpm, srk.handle, attestation::AttestationKeyTemplate(attestation::KeyAlgorithm::kEccP256));
  if (!ak) return Fail(ak.error());
  auto identity = attestation::CreateKey(
      tpm, srk.handle, attestation::IdentityKeyTemplate(device->options_.identity));
  if (!identity) return Fail(identity.error());
  device->ak_blob_ = *ak;
  device->identity_blob_ = *identity;
  auto ak_public = TpmPublic::FromStruct(ak->public_area);
  if (!ak_public) return Fail(ak_public.error());
  auto identity_public = TpmPublic::FromStruct(identity->public_area);
  if (!identity_public) return Fail(identity_public.error());
  device->ak_public_ = std::move(*ak_public);
  device->identity_public_ = std::move(*identity_public);
  return device;
}

TpmDevice::~TpmDevice() {
  if (variant_handle_) {
    ek_.handle.Reset();
    (void)attestation::EvictPersistent(*tpm_, *variant_handle_);
  }
}

Result<TpmDevice::LoadedKeys> TpmDevice::Load() const {
  auto ak = attestation::LoadKey(*tpm_, srk_->handle, ak_blob_);
  if (!ak) return Fail(ak.error());
  auto identity = attestation::LoadKey(*tpm_, srk_->handle, identity_blob_);
  if (!identity) return Fail(identity.error());
  return LoadedKeys{std::move(*ak), std::move(*identity)};
}

Result<std::pair<TpmPublic, attestation::TransientHandle>> TpmDevice::CreateAndLoad(
    const TPM2B_PUBLIC& tmpl) const {
  auto blob = attestation::CreateKey(*tpm_, srk_->handle, tmpl);
  if (!blob) return Fail(blob.error());
  auto pub = TpmPublic::FromStruct(blob->public_area);
  if (!pub) return Fail(pub.error());
  auto loaded = attestation::LoadKey(*tpm_, srk_->handle, *blob);
  if (!loaded) return Fail(loaded.error());
  return std::pair<TpmPublic, attestation::TransientHandle>(std::move(*pub), std::move(*loaded));
}

Result<api::ChallengeRequest> TpmDevice::ChallengeRequest() const {
  auto request = client::BuildChallengeRequest(*tpm_, id(), ek_type(), ek_public(), ak_public());
  if (!request) return Fail(request.error());
  if (!options_.provisioned_ek)
    request->ek_certificate = ek_certificate_override_;
  else if (ek_certificate_override_)
    request->ek_certificate = ek_certificate_override_;
  return request;
}

Result<api::CompleteRequest> TpmDevice::CompleteRequest(
    const api::ChallengeResponse& challenge) const {
  auto keys = Load();
  if (!keys) return Fail(keys.error());
  client::TpmDeviceKeys device_keys{*tpm_,    ek_type(),      ek_,
                                    keys->ak, keys->identity, identity_public()};
  return client::BuildCompleteRequest(device_keys, id(), challenge);
}

std::vector<Bytes> TpmDevice::ChainDer() const {
  std::vector<Bytes> out;
  auto chain = certs::Certificate::ChainFromPem(enrollment_.certificate_chain_pem);
  if (!chain) return out;
  for (const certs::Certificate& c : *chain) out.push_back(c.der());
  return out;
}

Result<std::string> TpmDevice::RenewBody(std::string_view nonce, std::string_view pcr_selection,
                                         std::optional<std::string> url) const {
  auto nonce_bytes = api::Base64UrlDecode(nonce);
  if (!nonce_bytes) return Fail(nonce_bytes.error());
  auto keys = Load();
  if (!keys) return Fail(keys.error());
  auto payload = client::BuildRenewPayload(*tpm_, keys->ak, keys->identity, identity_public(), id(),
                                           *nonce_bytes, pcr_selection);
  if (!payload) return Fail(payload.error());
  auto signer = attestation::TpmSigner::Create(*tpm_, keys->identity, identity_public());
  if (!signer) return Fail(signer.error());
  const std::string path = url.value_or("/v1/devices/" + id() + "/renew");
  return api::SignJws(**signer, nonce, path, ChainDer(), api::ToJson(*payload));
}

// ---------------------------------------------------------------------------------- fixture

EnrolldProcess* EnrollmentE2eTest::enrolld_ = nullptr;
client::EnrollmentClient* EnrollmentE2eTest::client_ = nullptr;
bool EnrollmentE2eTest::group_created_ = false;

void EnrollmentE2eTest::SetUpTestSuite() {
  TpmTest::SetUpTestSuite();
  auto started = EnrolldProcess::Start();
  ASSERT_TRUE(started.has_value()) << started.error().ToString();
  enrolld_ = started->release();
  auto created = client::EnrollmentClient::Create(
      client::ClientOptions{enrolld_->device_url(), enrolld_->ca_bundle_path()});
  ASSERT_TRUE(created.has_value()) << created.error().ToString();
  client_ = created->release();
}

void EnrollmentE2eTest::TearDownTestSuite() {
  delete client_;
  client_ = nullptr;
  if (enrolld_ != nullptr) {
    auto stopped = enrolld_->Stop();
    EXPECT_TRUE(stopped.has_value()) << stopped.error().ToString();
  }
  delete enrolld_;
  enrolld_ = nullptr;
  group_created_ = false;
  TpmTest::TearDownTestSuite();
}

void EnrollmentE2eTest::SetUp() {
  TpmTest::SetUp();
  ASSERT_NE(enrolld_, nullptr) << "edgetrust-enrolld did not start";
  ASSERT_NE(client_, nullptr);
}

std::string EnrollmentE2eTest::UniqueId(std::string_view prefix) {
  auto bytes = RandomBytes(4);
  return std::string(prefix) + "-" + (bytes ? HexEncode(*bytes) : std::string("00000000"));
}

Answer EnrollmentE2eTest::Post(std::string_view path, std::string body, EnrolldProcess* service) {
  if (service == nullptr) return ToAnswer(client_->Send("POST", path, std::move(body)));
  auto other = client::EnrollmentClient::Create(
      client::ClientOptions{service->device_url(), service->ca_bundle_path()});
  if (!other) return ToAnswer(Fail(other.error()));
  return ToAnswer((*other)->Send("POST", path, std::move(body)));
}

Answer EnrollmentE2eTest::Get(std::string_view path) {
  return ToAnswer(client_->Send("GET", path, ""));
}

OperatorAnswer EnrollmentE2eTest::Operator(const std::string& method, const std::string& path,
                                           const std::string& body, EnrolldProcess* service,
                                           const std::string& cert, const std::string& key) {
  EnrolldProcess& s = Service(service, *enrolld_);
  const std::string body_path = s.dir() + "/e2e-operator-body.json";
  const std::string out_path = s.dir() + "/e2e-operator-answer";
  std::string command = "curl -sS --max-time 20 -X " + method + " --cacert " +
                        ShellQuote(s.ca_bundle_path()) + " -o " + ShellQuote(out_path) +
                        " -w '%{http_code}'";
  if (cert != "-") {
    command += " --cert " + ShellQuote(cert.empty() ? s.operator_client_cert_path() : cert) +
               " --key " + ShellQuote(key.empty() ? s.operator_client_key_path() : key);
  }
  if (!body.empty()) {
    std::ofstream(body_path, std::ios::binary | std::ios::trunc) << body;
    command += " -H 'Content-Type: application/json' --data-binary @" + ShellQuote(body_path);
  }
  std::remove(out_path.c_str());
  command += " " + ShellQuote(s.operator_url() + path);
  swtpm::CommandResult result = RunCommand(command);
  OperatorAnswer answer;
  answer.curl_exit = result.exit_code;
  answer.output = result.output;
  // -w prints the status last; stderr diagnostics come before it.
  if (result.output.size() >= 3) {
    answer.status = std::atoi(result.output.substr(result.output.size() - 3).c_str());
  }
  answer.body = ReadText(out_path);
  return answer;
}

::testing::AssertionResult EnrollmentE2eTest::RegisterIndividual(const std::string& id,
                                                                 const TpmPublic& ek,
                                                                 const std::string& policy_id,
                                                                 EnrolldProcess* service) {
  nlohmann::json body{{"registration_id", id}, {"ek_public", api::Base64UrlEncode(ek.Marshal())}};
  if (!policy_id.empty()) body["pcr_policy_id"] = policy_id;
  OperatorAnswer a = Operator("POST", "/v1/operator/enrollments/individual", body.dump(), service);
  if (a.status / 100 != 2) {
    return ::testing::AssertionFailure() << "individual enrollment: curl " << a.curl_exit
                                         << " HTTP " << a.status << " " << a.body << a.output;
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult EnrollmentE2eTest::EnsureSwtpmGroup() {
  if (group_created_) return ::testing::AssertionSuccess();
  const std::string pem = ReadText(ManufacturerBundlePath());
  if (pem.empty()) return ::testing::AssertionFailure() << "no manufacturer bundle";
  nlohmann::json body{{"group_id", "swtpm-manufacturer"}, {"manufacturer_ca_pem", pem}};
  OperatorAnswer a = Operator("POST", "/v1/operator/enrollments/groups", body.dump());
  if (a.status / 100 != 2 && a.status != 409) {
    return ::testing::AssertionFailure() << "group enrollment: curl " << a.curl_exit << " HTTP "
                                         << a.status << " " << a.body << a.output;
  }
  group_created_ = true;
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult EnrollmentE2eTest::CreatePcrPolicy(const std::string& id,
                                                              const std::string& selection,
                                                              const nlohmann::json& golden) {
  nlohmann::json body{{"id", id}, {"selection", selection}, {"golden", golden}};
  OperatorAnswer a = Operator("POST", "/v1/operator/pcr-policies", body.dump());
  if (a.status / 100 != 2) {
    return ::testing::AssertionFailure()
           << "PCR policy: HTTP " << a.status << " " << a.body << a.output;
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult EnrollmentE2eTest::DeviceAction(const std::string& id,
                                                           const std::string& action) {
  OperatorAnswer a = Operator("POST", "/v1/operator/devices/" + id + "/" + action);
  if (a.status != 200) {
    return ::testing::AssertionFailure()
           << action << ": HTTP " << a.status << " " << a.body << a.output;
  }
  return ::testing::AssertionSuccess();
}

Result<api::ChallengeResponse> EnrollmentE2eTest::Challenge(const api::ChallengeRequest& request,
                                                            EnrolldProcess* service) {
  Answer a = Post("/v1/attestation/challenge", api::ToJson(request), service);
  if (a.status != 200) {
    return Fail(ErrorCode::kInternal, a.reason.empty() ? "e2e.http" : a.reason,
                "challenge: HTTP " + std::to_string(a.status) + " " + a.body);
  }
  return api::ParseChallengeResponse(a.body);
}

Result<api::EnrollmentResponse> EnrollmentE2eTest::Enroll(TpmDevice& device,
                                                          EnrolldProcess* service) {
  auto request = device.ChallengeRequest();
  if (!request) return Fail(request.error());
  auto challenge = Challenge(*request, service);
  if (!challenge) return Fail(challenge.error());
  auto complete = device.CompleteRequest(*challenge);
  if (!complete) return Fail(complete.error());
  Answer a = Post("/v1/attestation/complete", api::ToJson(*complete), service);
  if (a.status != 200) {
    return Fail(ErrorCode::kInternal, a.reason.empty() ? "e2e.http" : a.reason,
                "complete: HTTP " + std::to_string(a.status) + " " + a.body);
  }
  auto response = api::ParseEnrollmentResponse(a.body);
  if (!response) return Fail(response.error());
  device.set_enrollment(*response);
  return response;
}

Result<api::EnrollmentResponse> EnrollmentE2eTest::Renew(TpmDevice& device,
                                                         std::string_view pcr_selection) {
  auto nonce = client_->NewNonce();
  if (!nonce) return Fail(nonce.error());
  auto body = device.RenewBody(*nonce, pcr_selection);
  if (!body) return Fail(body.error());
  Answer a = Post("/v1/devices/" + device.id() + "/renew", *body);
  if (a.status != 200) {
    return Fail(ErrorCode::kInternal, a.reason.empty() ? "e2e.http" : a.reason,
                "renew: HTTP " + std::to_string(a.status) + " " + a.body);
  }
  auto response = api::ParseEnrollmentResponse(a.body);
  if (!response) return Fail(response.error());
  device.set_enrollment(*response);
  return response;
}

std::unique_ptr<TpmDevice> EnrollmentE2eTest::NewDevice(std::string_view prefix, EkType ek_type,
                                                        bool provisioned_ek) {
  TpmDeviceOptions options;
  options.registration_id = UniqueId(prefix);
  options.ek_type = ek_type;
  options.provisioned_ek = provisioned_ek;
  auto device = TpmDevice::Create(tpm(), srk(), options);
  EXPECT_TRUE(device.has_value()) << device.error().ToString();
  return device ? std::move(*device) : nullptr;
}

int64_t EnrollmentE2eTest::CertificateCount(const std::string& device_id, EnrolldProcess* service) {
  EnrolldProcess& s = Service(service, *enrolld_);
  sqlite3* db = nullptr;
  int64_t count = -1;
  if (sqlite3_open_v2(s.store_path().c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    const char* sql = device_id.empty() ? "SELECT COUNT(*) FROM certificates"
                                        : "SELECT COUNT(*) FROM certificates WHERE device_id = ?";
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK) {
      if (!device_id.empty()) {
        sqlite3_bind_text(stmt, 1, device_id.c_str(), -1, SQLITE_TRANSIENT);
      }
      if (sqlite3_step(stmt) == SQLITE_ROW) count = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return count;
}

std::optional<std::string> EnrollmentE2eTest::CurrentSerial(const std::string& device_id) {
  OperatorAnswer a = Operator("GET", "/v1/operator/devices/" + device_id);
  if (a.status != 200) return std::nullopt;
  auto j = a.json();
  if (!j.is_object() || !j.contains("current_serial")) return std::nullopt;
  return j["current_serial"].get<std::string>();
}

::testing::AssertionResult EnrollmentE2eTest::NothingIssued(
    const std::string& id, int64_t certificates_before, std::optional<std::string> serial_before,
    EnrolldProcess* service) {
  const int64_t count = CertificateCount(id, service);
  if (count != certificates_before) {
    return ::testing::AssertionFailure() << "registry holds " << count << " certificates for '"
                                         << id << "', expected " << certificates_before;
  }
  OperatorAnswer a = Operator("GET", "/v1/operator/devices/" + id, "", service);
  if (!serial_before) {
    if (a.status != 404) {
      return ::testing::AssertionFailure()
             << "device '" << id << "' exists: HTTP " << a.status << " " << a.body;
    }
    return ::testing::AssertionSuccess();
  }
  if (a.status != 200) {
    return ::testing::AssertionFailure() << "device '" << id << "': HTTP " << a.status;
  }
  auto j = a.json();
  const std::string serial = j.value("current_serial", std::string());
  if (serial != *serial_before) {
    return ::testing::AssertionFailure()
           << "current serial changed from " << *serial_before << " to " << serial;
  }
  return ::testing::AssertionSuccess();
}

int64_t EnrollmentE2eTest::LastAuditSequence(EnrolldProcess* service) {
  int64_t after = 0;
  for (int page = 0; page < 100; ++page) {
    OperatorAnswer a = Operator(
        "GET", "/v1/operator/audit?limit=1000&after=" + std::to_string(after), "", service);
    auto j = a.json();
    if (a.status != 200 || !j.is_object() || !j["records"].is_array() || j["records"].empty()) {
      break;
    }
    after = j["next_after"].get<int64_t>();
  }
  return after;
}

::testing::AssertionResult EnrollmentE2eTest::AuditHas(const std::string& subject,
                                                       const std::string& action,
                                                       const std::string& reason,
                                                       const std::string& outcome, int64_t after,
                                                       EnrolldProcess* service) {
  std::string query = "/v1/operator/audit?limit=1000&action=" + action + "&outcome=" + outcome +
                      "&after=" + std::to_string(after);
  if (!subject.empty()) query += "&subject=" + subject;
  OperatorAnswer a = Operator("GET", query, "", service);
  if (a.status != 200) {
    return ::testing::AssertionFailure() << "audit query: curl " << a.curl_exit << " HTTP "
                                         << a.status << " " << a.body << a.output;
  }
  auto j = a.json();
  std::string seen;
  for (const auto& record : j["records"]) {
    if (record.value("reason", "") == reason) return ::testing::AssertionSuccess();
    seen += " " + record.value("reason", "?");
  }
  return ::testing::AssertionFailure() << "no audit record " << action << "/" << outcome << "/"
                                       << reason << " for '" << subject << "'; seen:" << seen;
}

::testing::AssertionResult EnrollmentE2eTest::Rejected(const Answer& answer, int status,
                                                       const std::string& reason) {
  if (answer.status == status && answer.reason == reason) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "expected HTTP " << status << " " << reason << ", got " << answer.status << " '"
         << answer.reason << "' " << answer.body.substr(0, 300);
}

std::string EnrollmentE2eTest::ManufacturerBundlePath() {
  const std::string dir = ManufacturerDir();
  return dir.empty() ? swtpm().ca_bundle_path() : dir + "/bundle.pem";
}
std::string EnrollmentE2eTest::ManufacturerIssuerCertPath() {
  const std::string dir = ManufacturerDir();
  return dir.empty() ? swtpm().intermediate_ca_path() : dir + "/issuercert.pem";
}
std::string EnrollmentE2eTest::ManufacturerIssuerKeyPath() {
  const std::string dir = ManufacturerDir();
  return (dir.empty() ? std::string() : dir) + "/signkey.pem";
}

}  // namespace edgetrust::e2e
