// Shared pieces of the THREATS E1-E17 end-to-end tests (enrollment_threats_*_e2e_test.cc):
// the ThreatsE2e fixture with its attack helpers, and ForgedDevice for evidence a TPM never
// produces. Test-only.
#ifndef EDGETRUST_TESTS_ENROLLMENT_THREATS_E2E_H_
#define EDGETRUST_TESTS_ENROLLMENT_THREATS_E2E_H_

#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <thread>

#include "attestation/activate.h"
#include "attestation/keys.h"
#include "attestation/make_credential.h"
#include "attestation/pcr.h"
#include "attestation/quote.h"
#include "attestation/software_activate.h"
#include "attestation/testing/generated_key.h"
#include "attestation/testing/software_key.h"
#include "attestation/tpm_signer.h"
#include "certs/certificate_authority.h"
#include "certs/csr.h"
#include "common/crypto.h"
#include "enrollment/api/jws.h"
#include "enrollment/api/protocol_crypto.h"
#include "enrollment/client/evidence.h"
#include "enrollment/client/testing/manufacturer_ca.h"
#include "enrollment/client/testing/software_device.h"
#include "tests/enrollment_e2e_fixture.h"

namespace edgetrust::e2e {

using attestation::EkType;
using attestation::KeyAlgorithm;
using attestation::TpmPublic;
using client::testing::SoftwareDevice;
using client::testing::SoftwareDeviceOptions;
using client::testing::TestManufacturerCa;
using server::testing::EnrolldOptions;
using server::testing::EnrolldProcess;
using swtpm::RunCommand;
using swtpm::ShellQuote;

inline constexpr const char* kChallenge = "/v1/attestation/challenge";
inline constexpr const char* kComplete = "/v1/attestation/complete";

// ForgedDevice: a simulated device whose every key is in process memory, so that tests can
// sign attestations a TPM never produces. EK: software P-256 with the EK template; AK:
// SoftwareKey over `ak_template`; identity: a public area from `identity_template`.
struct ForgedDevice {
  attestation::testing::GeneratedKey ek;
  TpmPublic ek_public;
  attestation::testing::SoftwareKey ak;
  TpmPublic identity_public;

  static Result<ForgedDevice> Create(
      TPM2B_PUBLIC ak_template = attestation::AttestationKeyTemplate(KeyAlgorithm::kEccP256),
      TPM2B_PUBLIC identity_template = attestation::IdentityKeyTemplate(KeyAlgorithm::kEccP256)) {
    auto ek_key = attestation::testing::GenerateKey(attestation::EkTemplate(EkType::kEccP256));
    auto ek_public = TpmPublic::FromStruct(ek_key.pub);
    if (!ek_public) return Fail(ek_public.error());
    auto ak = attestation::testing::SoftwareKey::Create(ak_template);
    if (!ak) return Fail(ak.error());
    auto identity = TpmPublic::FromStruct(attestation::testing::GenerateKey(identity_template).pub);
    if (!identity) return Fail(identity.error());
    return ForgedDevice{std::move(ek_key), std::move(*ek_public), std::move(*ak),
                        std::move(*identity)};
  }

  api::ChallengeRequest ChallengeRequest(const std::string& id) const {
    return api::ChallengeRequest{id, ek_public.Marshal(), std::nullopt, ak.public_area().Marshal()};
  }
  Result<SecretBytes> Activate(const api::ChallengeResponse& challenge) const {
    auto name = ak.public_area().Name();
    if (!name) return Fail(name.error());
    return attestation::ActivateCredentialInSoftware(
        ek.private_pem, ek_public, *name,
        attestation::CredentialBlob{challenge.id_object, challenge.encrypted_secret});
  }
};

inline TPM2B_PUBLIC WithoutAttribute(TPM2B_PUBLIC tmpl, TPMA_OBJECT bits) {
  tmpl.publicArea.objectAttributes &= ~bits;
  return tmpl;
}

inline attestation::PcrValues ZeroPcr0() {
  return {attestation::PcrValue{HashAlgorithm::kSha256, 0, Bytes(32, 0)}};
}

class ThreatsE2e : public EnrollmentE2eTest {
 protected:
  // A registered (individual) TPM device and a challenge for it.
  std::unique_ptr<TpmDevice> RegisteredDevice(std::string_view prefix,
                                              const std::string& policy = "") {
    auto device = NewDevice(prefix);
    if (device != nullptr) {
      EXPECT_TRUE(RegisterIndividual(device->id(), device->ek_public(), policy));
    }
    return device;
  }
  std::optional<api::ChallengeResponse> ChallengeFor(const TpmDevice& device) {
    auto request = device.ChallengeRequest();
    EXPECT_TRUE(request.has_value()) << request.error().ToString();
    if (!request) return std::nullopt;
    auto challenge = Challenge(*request);
    EXPECT_TRUE(challenge.has_value()) << challenge.error().ToString();
    if (!challenge) return std::nullopt;
    return *challenge;
  }
  // The secret of `challenge`, recovered by the device's TPM.
  std::optional<SecretBytes> Activate(const TpmDevice& device,
                                      const api::ChallengeResponse& challenge) {
    auto keys = device.Load();
    EXPECT_TRUE(keys.has_value());
    if (!keys) return std::nullopt;
    auto secret = attestation::ActivateCredential(
        device.tpm(), keys->ak, device.ek(), device.ek_type(),
        attestation::CredentialBlob{challenge.id_object, challenge.encrypted_secret});
    EXPECT_TRUE(secret.has_value()) << secret.error().ToString();
    if (!secret) return std::nullopt;
    return std::move(*secret);
  }

  // Qualifying recovers the challenge's secret in the device's TPM and returns the extraData
  // an honest quote and certify carry: SHA-256(secret ‖ nonce).
  std::optional<Bytes> Qualifying(const TpmDevice& device,
                                  const api::ChallengeResponse& challenge) {
    auto secret = Activate(device, challenge);
    if (!secret) return std::nullopt;
    auto qualifying = api::EnrollmentQualifyingData(*secret, challenge.nonce);
    EXPECT_TRUE(qualifying.has_value());
    if (!qualifying) return std::nullopt;
    return std::move(*qualifying);
  }

  // CheckRejected posts `body` and checks status and reason, that the registry holds no new
  // certificate for `subject` (a device id), and the audit record (for `audit_subject` when
  // the service cannot know the device, e.g. an unknown challenge id: "").
  void CheckRejected(const std::string& path, const std::string& body, int status,
                     const std::string& reason, const std::string& subject,
                     const std::string& action, int64_t certificates_before = 0,
                     std::optional<std::string> serial_before = {},
                     std::optional<std::string> audit_subject = {}) {
    const int64_t seq = LastAuditSequence();
    Answer answer = Post(path, body);
    EXPECT_TRUE(Rejected(answer, status, reason));
    EXPECT_TRUE(NothingIssued(subject, certificates_before, serial_before));
    EXPECT_TRUE(AuditHas(audit_subject.value_or(subject), action, reason, "rejected", seq));
  }
  // Complete with evidence the device's TPM built for `challenge`, after `tamper` ran on it.
  template <typename Tamper>
  void CheckTamperedComplete(std::string_view prefix, Tamper tamper, int status,
                             const std::string& reason, const std::string& policy = "") {
    auto device = RegisteredDevice(prefix, policy);
    ASSERT_NE(device, nullptr);
    auto challenge = ChallengeFor(*device);
    ASSERT_TRUE(challenge.has_value());
    auto complete = device->CompleteRequest(*challenge);
    ASSERT_TRUE(complete.has_value()) << complete.error().ToString();
    tamper(*device, *challenge, *complete);
    if (HasFatalFailure()) return;
    CheckRejected(kComplete, api::ToJson(*complete), status, reason, device->id(), "complete");
  }
  std::unique_ptr<TpmDevice> EnrolledDevice(std::string_view prefix) {
    auto device = RegisteredDevice(prefix);
    if (device == nullptr) return nullptr;
    auto enrolled = Enroll(*device);
    EXPECT_TRUE(enrolled.has_value()) << enrolled.error().ToString();
    return enrolled ? std::move(device) : nullptr;
  }
  // EkCertificatePem issues an EK certificate for `ek` with openssl (for shapes no helper
  // makes): `extensions` in openssl.cnf syntax.
  std::optional<Bytes> OpensslEkCertificate(const TpmPublic& ek, const std::string& extensions) {
    auto key = ek.ToPublicKey();
    auto pem = key ? key->ToPem() : Result<std::string>(Fail(key.error()));
    EXPECT_TRUE(pem.has_value());
    if (!pem) return std::nullopt;
    std::ofstream(Path("ek.pem")) << *pem;
    std::ofstream(Path("ext.cnf")) << "[ext]\n" << extensions << "\n";
    auto made = RunCommand(
        "openssl x509 -new -subj /CN=ek -days 30 -force_pubkey " + ShellQuote(Path("ek.pem")) +
        " -CA " + ShellQuote(ManufacturerIssuerCertPath()) + " -CAkey " +
        ShellQuote(ManufacturerIssuerKeyPath()) + " -extfile " + ShellQuote(Path("ext.cnf")) +
        " -extensions ext -outform DER -out " + ShellQuote(Path("ek.der")));
    EXPECT_EQ(made.exit_code, 0) << made.output;
    std::ifstream in(Path("ek.der"), std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), {});
  }
  Result<TestManufacturerCa> SwtpmManufacturer() {
    return TestManufacturerCa::Load(ManufacturerIssuerCertPath(), ManufacturerIssuerKeyPath());
  }
  // A variant-EK device with an EK certificate from `ca` issued at `now`.
  std::unique_ptr<TpmDevice> DeviceWithEkCert(std::string_view prefix, const TestManufacturerCa& ca,
                                              std::time_t now) {
    auto device = NewDevice(prefix);
    if (device == nullptr) return nullptr;
    auto key = device->ek_public().ToPublicKey();
    EXPECT_TRUE(key.has_value());
    auto cert = ca.IssueEkCertificate(*key, now);
    EXPECT_TRUE(cert.has_value()) << cert.error().ToString();
    if (cert) device->set_ek_certificate(cert->der());
    return device;
  }
  void CheckChallengeRejected(const TpmDevice& device, int status, const std::string& reason,
                              int64_t certificates_before = 0,
                              std::optional<std::string> serial_before = {}) {
    auto request = device.ChallengeRequest();
    ASSERT_TRUE(request.has_value()) << request.error().ToString();
    CheckRejected(kChallenge, api::ToJson(*request), status, reason, device.id(), "challenge",
                  certificates_before, serial_before);
  }
};

}  // namespace edgetrust::e2e

#endif  // EDGETRUST_TESTS_ENROLLMENT_THREATS_E2E_H_
