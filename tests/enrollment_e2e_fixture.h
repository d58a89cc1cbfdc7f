// EnrollmentE2eTest (TEST ONLY): end-to-end tests of the enrollment service (issue 3 §4)
// against the real edgetrust-enrolld over TLS, with devices driven through the TPM layer.
//
// Per test binary: one swtpm (swtpm::TpmTest) and one edgetrust-enrolld (EnrolldProcess:
// private SoftHSM token, SQLite store, audit log), both started in SetUpTestSuite. Tests share
// them, so every test uses fresh registration ids (UniqueId) and, because the TPM's EKs are
// deterministic, a fresh "variant" EK per device (TpmDevice): the EK template of the chosen
// type with random bytes in its unique field, persisted at a private handle for the device's
// lifetime. Such an EK has the EK policy, so ActivateCredential works exactly as with the
// provisioned EK; only the provisioned EKs (TpmDeviceOptions::provisioned_ek) have the
// manufacturer's EK certificate in NV.
//
// Helpers talk to the device API with EnrollmentClient::Send (any HTTP status is a value) and
// to the operator API with curl over mutual TLS; the registry is read back read-only with the
// sqlite3 API ("nothing issued") and through the operator audit query ("audit has reason X").
#ifndef EDGETRUST_TESTS_ENROLLMENT_E2E_FIXTURE_H_
#define EDGETRUST_TESTS_ENROLLMENT_E2E_FIXTURE_H_

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "attestation/handles.h"
#include "attestation/key_blob.h"
#include "attestation/primary_keys.h"
#include "attestation/templates.h"
#include "attestation/tpm.h"
#include "attestation/tpm_public.h"
#include "common/bytes.h"
#include "common/error.h"
#include "enrollment/api/wire.h"
#include "enrollment/client/enrollment_client.h"
#include "enrollment/server/testing/enrolld_process.h"
#include "swtpm/tpm_test.h"

namespace edgetrust::e2e {

namespace api = enrollment::api;
namespace client = enrollment::client;
namespace server = enrollment::server;

struct TpmDeviceOptions {
  std::string registration_id;
  attestation::EkType ek_type = attestation::EkType::kEccP256;
  // Use the EK at the profile's persistent handle, whose certificate the manufacturer put in
  // NV (RSA-2048 and P-384 only). Default: a fresh variant EK (no certificate).
  bool provisioned_ek = false;
  attestation::KeyAlgorithm identity = attestation::KeyAlgorithm::kEccP256;
};

// TpmDevice is one enrolling device in the swtpm: EK, AK and identity key (blobs under the
// SRK; loaded only for a call, so that at most two transient slots are used), plus the
// certificate chain of its last successful enrollment or renewal. Borrows the Tpm and the SRK
// (the fixture's, valid for one test). Evicts its variant EK when destroyed.
class TpmDevice {
 public:
  static Result<std::unique_ptr<TpmDevice>> Create(attestation::Tpm& tpm,
                                                   const attestation::PersistentKey& srk,
                                                   TpmDeviceOptions options);
  ~TpmDevice();
  TpmDevice(const TpmDevice&) = delete;
  TpmDevice& operator=(const TpmDevice&) = delete;

  const std::string& id() const { return options_.registration_id; }
  attestation::EkType ek_type() const { return options_.ek_type; }
  const attestation::PersistentKey& ek() const { return ek_; }
  const attestation::TpmPublic& ek_public() const { return ek_.public_area; }
  const attestation::TpmPublic& ak_public() const { return *ak_public_; }
  const attestation::TpmPublic& identity_public() const { return *identity_public_; }
  const attestation::KeyBlob& ak_blob() const { return ak_blob_; }
  const attestation::KeyBlob& identity_blob() const { return identity_blob_; }
  attestation::Tpm& tpm() const { return *tpm_; }

  // The EK certificate sent with challenge requests: the NV one for a provisioned EK, none
  // for a variant EK unless set here.
  void set_ek_certificate(std::optional<Bytes> der) { ek_certificate_override_ = std::move(der); }

  struct LoadedKeys {
    attestation::TransientHandle ak;
    attestation::TransientHandle identity;
  };
  // Load loads the AK and the identity key (flushed when the LoadedKeys is destroyed).
  Result<LoadedKeys> Load() const;
  // CreateAndLoad creates a key from `tmpl` under the SRK and loads it (a third slot).
  Result<std::pair<attestation::TpmPublic, attestation::TransientHandle>> CreateAndLoad(
      const TPM2B_PUBLIC& tmpl) const;

  Result<api::ChallengeRequest> ChallengeRequest() const;
  Result<api::CompleteRequest> CompleteRequest(const api::ChallengeResponse& challenge) const;
  // RenewBody is the flattened JWS for POST /v1/devices/{id}/renew: fresh evidence bound to
  // `nonce` (base64url, as issued), signed by the identity key in the TPM, x5c = chain().
  // `url` defaults to the device's own renew path.
  Result<std::string> RenewBody(std::string_view nonce, std::string_view pcr_selection = "",
                                std::optional<std::string> url = std::nullopt) const;

  // The last certificate chain the service issued to this device (leaf first).
  void set_enrollment(api::EnrollmentResponse response) { enrollment_ = std::move(response); }
  const api::EnrollmentResponse& enrollment() const { return enrollment_; }
  std::vector<Bytes> ChainDer() const;

 private:
  TpmDevice(attestation::Tpm& tpm, const attestation::PersistentKey& srk, TpmDeviceOptions o,
            attestation::PersistentKey ek)
      : tpm_(&tpm), srk_(&srk), options_(std::move(o)), ek_(std::move(ek)) {}

  attestation::Tpm* tpm_;
  const attestation::PersistentKey* srk_;
  TpmDeviceOptions options_;
  attestation::PersistentKey ek_;
  std::optional<uint32_t> variant_handle_;
  attestation::KeyBlob ak_blob_, identity_blob_;
  std::optional<attestation::TpmPublic> ak_public_, identity_public_;
  std::optional<Bytes> ek_certificate_override_;
  api::EnrollmentResponse enrollment_;
};

// An HTTP answer reduced to what tests assert on.
struct Answer {
  int status = 0;
  std::string body;
  std::string reason;  // "error" member of a non-2xx JSON body
  std::optional<std::string> replay_nonce;
};

// An operator API answer (curl). curl_exit != 0 means no HTTP answer (TLS refused, ...).
struct OperatorAnswer {
  int curl_exit = -1;
  int status = 0;
  std::string body;
  std::string output;  // curl's diagnostics
  nlohmann::json json() const;
};

class EnrollmentE2eTest : public swtpm::TpmTest {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void SetUp() override;

  static server::testing::EnrolldProcess& enrolld() { return *enrolld_; }
  static client::EnrollmentClient& client() { return *client_; }

  // UniqueId: "<prefix>-<8 random hex>", a valid registration id.
  static std::string UniqueId(std::string_view prefix);

  // Device API over TLS (EnrollmentClient::Send).
  static Answer Post(std::string_view path, std::string body,
                     server::testing::EnrolldProcess* service = nullptr);
  static Answer Get(std::string_view path);

  // Operator API (curl with the operator client certificate, or `cert`/`key` when given,
  // no client certificate at all when `cert` is "-").
  static OperatorAnswer Operator(const std::string& method, const std::string& path,
                                 const std::string& body = "",
                                 server::testing::EnrolldProcess* service = nullptr,
                                 const std::string& cert = "", const std::string& key = "");
  static ::testing::AssertionResult RegisterIndividual(
      const std::string& registration_id, const attestation::TpmPublic& ek,
      const std::string& pcr_policy_id = "", server::testing::EnrolldProcess* service = nullptr);
  // EnsureSwtpmGroup creates (once) the group enrollment "swtpm-manufacturer" whose bundle is
  // the swtpm manufacturer CA (root + intermediate).
  static ::testing::AssertionResult EnsureSwtpmGroup();
  static ::testing::AssertionResult CreatePcrPolicy(const std::string& id,
                                                    const std::string& selection,
                                                    const nlohmann::json& golden);
  static ::testing::AssertionResult DeviceAction(const std::string& id, const std::string& action);

  // Full enrollment: challenge + complete with the TPM; stores the chain in the device.
  Result<api::EnrollmentResponse> Enroll(TpmDevice& device,
                                         server::testing::EnrolldProcess* service = nullptr);
  // Renewal with a fresh nonce; stores the new chain in the device.
  Result<api::EnrollmentResponse> Renew(TpmDevice& device, std::string_view pcr_selection = "");
  // Challenge round trip only.
  Result<api::ChallengeResponse> Challenge(const api::ChallengeRequest& request,
                                           server::testing::EnrolldProcess* service = nullptr);

  std::unique_ptr<TpmDevice> NewDevice(std::string_view prefix,
                                       attestation::EkType ek_type = attestation::EkType::kEccP256,
                                       bool provisioned_ek = false);

  // Registry, read-only with sqlite3: certificates issued to `device_id` (all devices when
  // empty), and the device's current serial ("" when there is no device row).
  static int64_t CertificateCount(const std::string& device_id = "",
                                  server::testing::EnrolldProcess* service = nullptr);
  static std::optional<std::string> CurrentSerial(const std::string& device_id);
  // NothingIssued: no more than `certificates_before` certificates for the device, and the
  // operator API knows no device `id` (or, when `serial_before` is set, its current serial is
  // still that one).
  static ::testing::AssertionResult NothingIssued(
      const std::string& id, int64_t certificates_before = 0,
      std::optional<std::string> serial_before = {},
      server::testing::EnrolldProcess* service = nullptr);
  // LastAuditSequence is the highest audit sequence so far (operator API).
  static int64_t LastAuditSequence(server::testing::EnrolldProcess* service = nullptr);
  // AuditHas: an audit record (operator GET /v1/operator/audit) with this action, outcome and
  // reason, for `subject` (any subject when empty), after sequence `after`.
  static ::testing::AssertionResult AuditHas(const std::string& subject, const std::string& action,
                                             const std::string& reason,
                                             const std::string& outcome = "rejected",
                                             int64_t after = 0,
                                             server::testing::EnrolldProcess* service = nullptr);
  // Rejected: the answer has this status and reason.
  static ::testing::AssertionResult Rejected(const Answer& answer, int status,
                                             const std::string& reason);

  // Paths of the swtpm manufacturer CA (EDGETRUST_MANUFACTURER_CA_DIR or the swtpm's own).
  static std::string ManufacturerBundlePath();
  static std::string ManufacturerIssuerCertPath();
  static std::string ManufacturerIssuerKeyPath();

 private:
  static server::testing::EnrolldProcess* enrolld_;
  static client::EnrollmentClient* client_;
  static bool group_created_;
};

// ErrorReason extracts the "error" member of an error body ("" if none).
std::string ErrorReason(std::string_view body);

}  // namespace edgetrust::e2e

#endif  // EDGETRUST_TESTS_ENROLLMENT_E2E_FIXTURE_H_
