// Test fixture for the enrollment service without sockets: a SQLite store in a temporary
// directory, a software CA, in-memory challenge/nonce stores, a memory audit sink, an
// injectable clock, and SimDevice, a device whose EK, AK and identity key are software keys
// dressed as TPM keys (attestation/testing), so tests can craft any evidence.
//
// FOR TESTS ONLY: private keys live in process memory.
#ifndef EDGETRUST_ENROLLMENT_SERVICE_TESTING_SERVICE_FIXTURE_H_
#define EDGETRUST_ENROLLMENT_SERVICE_TESTING_SERVICE_FIXTURE_H_

#include <gtest/gtest.h>

#include <atomic>
#include <ctime>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "attestation/pcr_selection.h"
#include "attestation/testing/generated_key.h"
#include "attestation/testing/software_key.h"
#include "certs/certificate.h"
#include "certs/certificate_authority.h"
#include "certs/signer.h"
#include "enrollment/api/wire.h"
#include "enrollment/service/audit_sink.h"
#include "enrollment/service/challenge_store.h"
#include "enrollment/service/enrollment_service.h"
#include "enrollment/service/metrics.h"
#include "enrollment/service/nonce_store.h"
#include "enrollment/store/sqlite_store.h"

struct evp_pkey_st;
struct x509_st;

namespace edgetrust::enrollment::service::testing {

// ManufacturerCa is a TPM vendor's CA made with OpenSSL in process; it issues EK certificates.
class ManufacturerCa {
 public:
  explicit ManufacturerCa(const std::string& common_name);
  std::string pem() const;
  // IssueEkCertificate certifies `ek_public_pem` with the given key usage (OpenSSL config
  // syntax) and validity; `self_signed_with` makes the EK certificate sign itself instead.
  Bytes IssueEkCertificate(const std::string& ek_public_pem, std::time_t not_before,
                           std::time_t not_after,
                           const std::string& key_usage = "critical,keyAgreement") const;

 private:
  std::shared_ptr<evp_pkey_st> key_;
  std::shared_ptr<x509_st> cert_;
};

// SelfSignedEkCertificate: an EK certificate signed by a fresh key of its own (E3).
Bytes SelfSignedEkCertificate(const std::string& ek_public_pem, std::time_t now);

// Tweak edits a TPMS_ATTEST before the AK signs it.
using Tweak = std::function<void(TPMS_ATTEST&)>;

class SimDevice {
 public:
  explicit SimDevice(std::string id);
  // SimDevice(id, ak_template) dresses the AK with another (ECC P-256) template.
  SimDevice(std::string id, const TPM2B_PUBLIC& ak_template);

  const std::string& id() const { return id_; }
  const attestation::testing::GeneratedKey& ek() const { return ek_; }
  attestation::TpmPublic ek_public() const;
  const attestation::testing::SoftwareKey& ak() const { return *ak_; }
  const certs::Signer& identity_signer() const { return *identity_signer_; }
  Bytes identity_public() const;

  std::optional<Bytes> ek_certificate;

  api::ChallengeRequest ChallengeRequest() const;
  // Activate recovers the secret as ActivateCredential in the TPM would.
  SecretBytes Activate(const api::ChallengeResponse& challenge) const;

  api::QuoteEvidence Quote(ByteView qualifying, const attestation::PcrValues& values,
                           const Tweak& tweak = {}) const;
  api::CertifyEvidence Certify(ByteView qualifying, const Tweak& tweak = {}) const;
  // CertifyPublic certifies (and sends) an arbitrary public area.
  api::CertifyEvidence CertifyPublic(ByteView qualifying, const TPM2B_PUBLIC& pub) const;
  // identity_template_public: the identity key's TPM2B_PUBLIC (to derive variants from).
  const TPM2B_PUBLIC& identity_struct() const { return identity_.pub; }
  // Qualifying: SHA-256(secret || nonce) for `challenge`, as the device computes it.
  Bytes Qualifying(const api::ChallengeResponse& challenge) const;
  Bytes Csr() const;
  // Evidence: honest quote + certify + CSR for `qualifying`.
  api::Evidence Evidence(ByteView qualifying, const attestation::PcrValues& values,
                         const Tweak& quote_tweak = {}) const;
  // Complete answers a challenge honestly (with `values` quoted).
  api::CompleteRequest Complete(const api::ChallengeResponse& challenge,
                                const attestation::PcrValues& values,
                                const Tweak& quote_tweak = {}) const;

 private:
  std::string id_;
  attestation::testing::GeneratedKey ek_;
  std::shared_ptr<attestation::testing::SoftwareKey> ak_;
  attestation::testing::GeneratedKey identity_;
  std::shared_ptr<certs::Signer> identity_signer_;
};

// PcrsFor: deterministic values (byte `fill` + index) for every PCR of `selection`.
attestation::PcrValues PcrsFor(const std::string& selection, uint8_t fill = 0x10);
// The quote a device makes when the policy needs no PCRs.
inline attestation::PcrValues DefaultPcrs() { return PcrsFor("sha256:0"); }

class ServiceFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  std::time_t now() const { return now_.load(); }
  void Advance(std::time_t seconds) { now_ += seconds; }

  // Registry set-up through the store (as the operator API would).
  void AddIndividual(const SimDevice& device, bool enabled = true, const std::string& policy = "");
  void AddGroup(const std::string& group_id, const std::string& ca_pem, bool enabled = true,
                const std::string& policy = "");
  void AddPolicy(const std::string& id, const std::string& selection,
                 const attestation::PcrValues& golden);
  void SetDeviceStatus(const std::string& id, store::DeviceStatus status);
  // GroupDevice gives `device` an EK certificate from `ca`, valid for a year from now - 1 h.
  void GroupDevice(SimDevice& device, const ManufacturerCa& ca) {
    device.ek_certificate =
        ca.IssueEkCertificate(device.ek().public_pem, now() - 3600, now() + 86400 * 365);
  }
  // SerialOf is the device's current certificate serial, "" when none or unknown.
  std::string SerialOf(const std::string& id) {
    auto d = store_->GetDevice(id);
    return d ? d->current_serial : "";
  }

  // Enroll runs both round trips honestly.
  Result<api::EnrollmentResponse> Enroll(const SimDevice& device,
                                         const attestation::PcrValues& values = DefaultPcrs());
  // SignedRenew builds a renew body for `device` with a fresh nonce, signed by its identity
  // key with `leaf_der` in x5c.
  std::string SignedRenew(const SimDevice& device, const Bytes& leaf_der, const std::string& path,
                          const attestation::PcrValues& values = DefaultPcrs());

  // Assertions for rejections: the code, the reason, an audit record with the reason, and no
  // certificate for `device_id` beyond `serial_before` ("" = none at all).
  void ExpectRejected(const Error& error, ErrorCode code, const std::string& reason,
                      const std::string& device_id, const std::string& serial_before = "");
  template <typename T>
  void ExpectRejected(const Result<T>& result, ErrorCode code, const std::string& reason,
                      const std::string& device_id, const std::string& serial_before = "") {
    ASSERT_FALSE(result.has_value()) << "expected " << reason;
    ExpectRejected(result.error(), code, reason, device_id, serial_before);
  }
  bool HasAudit(const std::string& reason) const;

  std::string dir_;
  std::atomic<std::time_t> now_{0};
  std::shared_ptr<store::SqliteStore> store_;
  std::shared_ptr<certs::Signer> ca_signer_;
  std::shared_ptr<certs::CertificateAuthority> ca_;
  std::shared_ptr<InMemoryChallengeStore> challenges_;
  std::shared_ptr<InMemoryNonceStore> nonces_;
  std::shared_ptr<Metrics> metrics_;
  std::shared_ptr<MemoryAuditSink> audit_;
  std::unique_ptr<EnrollmentService> service_;
  ServiceOptions options_;
};

}  // namespace edgetrust::enrollment::service::testing

#endif  // EDGETRUST_ENROLLMENT_SERVICE_TESTING_SERVICE_FIXTURE_H_
