// The enrollment service end to end without sockets: happy paths for individual and group
// enrollment, and one test per reachable variant of THREATS E1-E7, each checking
// the error code and reason, that nothing was issued, and that the rejection was audited.
// E8-E14 are in evidence_test.cc, E15 (signed device requests) in device_jws_test.cc.
#include "enrollment/service/enrollment_service.h"

#include <gtest/gtest.h>

#include "attestation/software_activate.h"
#include "attestation/templates.h"
#include "certs/certificate_authority.h"
#include "certs/csr.h"
#include "enrollment/service/testing/service_fixture.h"

namespace edgetrust::enrollment::service {
namespace {

using attestation::KeyAlgorithm;
using store::DeviceStatus;
using testing::DefaultPcrs;
using testing::ManufacturerCa;
using testing::PcrsFor;
using testing::SimDevice;

constexpr char kFullSelection[] = "sha256:0,1,2,3,4,5,6,7";

using EnrollmentServiceTest = testing::ServiceFixture;

// --- happy paths ---

TEST_F(EnrollmentServiceTest, IndividualEnrollmentIssuesCertificate) {
  SimDevice device("device-0001");
  AddIndividual(device);
  auto challenge = service_->Challenge(device.ChallengeRequest());
  ASSERT_TRUE(challenge.has_value()) << challenge.error().ToString();
  EXPECT_EQ(challenge->challenge_id.size(), 16u);
  EXPECT_EQ(challenge->nonce.size(), 32u);
  EXPECT_EQ(challenge->pcr_selection, "");
  EXPECT_EQ(challenge->expires_in, 60);
  auto response = service_->Complete(device.Complete(*challenge, DefaultPcrs()));
  ASSERT_TRUE(response.has_value()) << response.error().ToString();

  EXPECT_EQ(response->device_id, "device-0001");
  auto chain = certs::Certificate::ChainFromPem(response->certificate_chain_pem);
  ASSERT_TRUE(chain.has_value());
  ASSERT_EQ(chain->size(), 2u);
  EXPECT_EQ(chain->front().subject(), "CN=device-0001");
  EXPECT_EQ(chain->front().SerialHex(), response->serial);
  EXPECT_TRUE(chain->front().public_key()->Equals(device.identity_signer().public_key()));
  EXPECT_EQ(response->not_after.size(), 20u);

  auto stored = store_->GetDevice("device-0001");
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->current_serial, response->serial);
  EXPECT_EQ(stored->enrollment, "individual");
  EXPECT_EQ(stored->status, DeviceStatus::kActive);
  EXPECT_EQ(stored->tpm_clock, 123456u);
  auto cert = store_->GetCertificate(response->serial);
  ASSERT_TRUE(cert.has_value());
  EXPECT_EQ(cert->device_id, "device-0001");
  EXPECT_EQ(metrics_->decisions().Value({"complete", "ok", "ok"}), 1);
  EXPECT_EQ(metrics_->decisions().Value({"challenge", "ok", "ok"}), 1);
  ASSERT_EQ(audit_->records().size(), 2u);
  EXPECT_EQ(audit_->records()[1].action, "complete");
  EXPECT_EQ(audit_->records()[1].outcome, "ok");
  EXPECT_NE(audit_->records()[1].details.find(response->serial), std::string::npos);
}

TEST_F(EnrollmentServiceTest, GroupEnrollmentIssuesCertificate) {
  ManufacturerCa vendor("TPM Vendor Root");
  AddGroup("vendor", vendor.pem());
  SimDevice device("device-0002");
  GroupDevice(device, vendor);
  auto response = Enroll(device);
  ASSERT_TRUE(response.has_value()) << response.error().ToString();
  auto stored = store_->GetDevice("device-0002");
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->enrollment, "group:vendor");
  EXPECT_EQ(stored->current_serial, response->serial);
}

TEST_F(EnrollmentServiceTest, PcrPolicyWithGoldenValuesIsEnforcedAndMet) {
  AddPolicy("golden", kFullSelection, PcrsFor(kFullSelection));
  SimDevice device("device-0003");
  AddIndividual(device, true, "golden");
  auto challenge = service_->Challenge(device.ChallengeRequest());
  ASSERT_TRUE(challenge.has_value()) << challenge.error().ToString();
  EXPECT_EQ(challenge->pcr_selection, kFullSelection);
  auto response = service_->Complete(device.Complete(*challenge, PcrsFor(kFullSelection)));
  ASSERT_TRUE(response.has_value()) << response.error().ToString();
}

TEST_F(EnrollmentServiceTest, ReEnrollmentOfTheSameTpmIssuesANewCertificate) {
  SimDevice device("device-0004");
  AddIndividual(device);
  auto first = Enroll(device);
  ASSERT_TRUE(first.has_value()) << first.error().ToString();
  auto second = Enroll(device, DefaultPcrs());
  ASSERT_TRUE(second.has_value()) << second.error().ToString();
  EXPECT_NE(first->serial, second->serial);
  EXPECT_EQ(SerialOf("device-0004"), second->serial);
}

TEST_F(EnrollmentServiceTest, CrlIsCachedAndReissuedAfterInvalidation) {
  auto crl = service_->Crl();
  ASSERT_TRUE(crl.has_value()) << crl.error().ToString();
  EXPECT_FALSE(crl->empty());
  auto again = service_->Crl();
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(*crl, *again);
  service_->InvalidateCrl();
  auto fresh = service_->Crl();
  ASSERT_TRUE(fresh.has_value());
  EXPECT_NE(*crl, *fresh);  // new CRL number
  EXPECT_NE(service_->CaChainPem().find("BEGIN CERTIFICATE"), std::string::npos);
}

// --- E1: unknown EK ---

TEST_F(EnrollmentServiceTest, E1_UnknownEkWithoutCertificate) {
  SimDevice device("device-e1");
  ExpectRejected(service_->Challenge(device.ChallengeRequest()), ErrorCode::kPermissionDenied,
                 "enrollment.unknown_ek", "device-e1");
  EXPECT_EQ(challenges_->pending_count(), 0u);
}

TEST_F(EnrollmentServiceTest, E1_EkCertificateOfAnUntrustedManufacturer) {
  ManufacturerCa trusted("Trusted Vendor"), other("Other Vendor");
  AddGroup("trusted", trusted.pem());
  SimDevice device("device-e1b");
  GroupDevice(device, other);
  ExpectRejected(service_->Challenge(device.ChallengeRequest()), ErrorCode::kPermissionDenied,
                 "ek.cert_untrusted", "device-e1b");
}

TEST_F(EnrollmentServiceTest, E1_DisabledGroupAdmitsNobody) {
  ManufacturerCa vendor("Vendor");
  AddGroup("vendor", vendor.pem(), /*enabled=*/false);
  SimDevice device("device-e1c");
  GroupDevice(device, vendor);
  ExpectRejected(service_->Challenge(device.ChallengeRequest()), ErrorCode::kPermissionDenied,
                 "ek.cert_untrusted", "device-e1c");
}

// --- E2: EK certificate for another key ---

TEST_F(EnrollmentServiceTest, E2_EkCertificateKeyDiffersFromEkPublic) {
  ManufacturerCa vendor("Vendor");
  AddGroup("vendor", vendor.pem());
  SimDevice device("device-e2"), other("other");
  device.ek_certificate =
      vendor.IssueEkCertificate(other.ek().public_pem, now() - 3600, now() + 86400);
  ExpectRejected(service_->Challenge(device.ChallengeRequest()), ErrorCode::kPermissionDenied,
                 "ek.cert_key_mismatch", "device-e2");
}

// --- E3: EK certificate validity and profile ---

TEST_F(EnrollmentServiceTest, E3_ExpiredEkCertificate) {
  ManufacturerCa vendor("Vendor");
  AddGroup("vendor", vendor.pem());
  SimDevice device("device-e3a");
  device.ek_certificate =
      vendor.IssueEkCertificate(device.ek().public_pem, now() - 7200, now() - 3600);
  ExpectRejected(service_->Challenge(device.ChallengeRequest()), ErrorCode::kPermissionDenied,
                 "ek.cert_expired", "device-e3a");
}

TEST_F(EnrollmentServiceTest, E3_NotYetValidEkCertificate) {
  ManufacturerCa vendor("Vendor");
  AddGroup("vendor", vendor.pem());
  SimDevice device("device-e3b");
  device.ek_certificate =
      vendor.IssueEkCertificate(device.ek().public_pem, now() + 3600, now() + 7200);
  ExpectRejected(service_->Challenge(device.ChallengeRequest()), ErrorCode::kPermissionDenied,
                 "ek.cert_not_yet_valid", "device-e3b");
}

TEST_F(EnrollmentServiceTest, E3_EkCertificateWithWrongKeyUsage) {
  ManufacturerCa vendor("Vendor");
  AddGroup("vendor", vendor.pem());
  SimDevice device("device-e3c");
  device.ek_certificate = vendor.IssueEkCertificate(device.ek().public_pem, now() - 3600,
                                                    now() + 86400, "critical,digitalSignature");
  ExpectRejected(service_->Challenge(device.ChallengeRequest()), ErrorCode::kPermissionDenied,
                 "ek.cert_bad_key_usage", "device-e3c");
}

TEST_F(EnrollmentServiceTest, E3_SelfSignedEkCertificate) {
  ManufacturerCa vendor("Vendor");
  AddGroup("vendor", vendor.pem());
  SimDevice device("device-e3d");
  device.ek_certificate = testing::SelfSignedEkCertificate(device.ek().private_pem, now());
  ExpectRejected(service_->Challenge(device.ChallengeRequest()), ErrorCode::kPermissionDenied,
                 "ek.cert_untrusted", "device-e3d");
}

TEST_F(EnrollmentServiceTest, E3_UnparsableEkCertificate) {
  ManufacturerCa vendor("Vendor");
  AddGroup("vendor", vendor.pem());
  SimDevice device("device-e3e");
  device.ek_certificate = Bytes{0x30, 0x03, 0x02, 0x01};
  ExpectRejected(service_->Challenge(device.ChallengeRequest()), ErrorCode::kInvalidArgument,
                 "cert.malformed", "device-e3e");
}

// --- E4: registration id takeover ---

TEST_F(EnrollmentServiceTest, E4_RegistrationIdPinnedToAnotherEk) {
  ManufacturerCa vendor("Vendor");
  AddGroup("vendor", vendor.pem());
  SimDevice first("device-e4"), intruder("device-e4");
  GroupDevice(first, vendor);
  GroupDevice(intruder, vendor);
  auto enrolled = Enroll(first);
  ASSERT_TRUE(enrolled.has_value()) << enrolled.error().ToString();
  ExpectRejected(service_->Challenge(intruder.ChallengeRequest()), ErrorCode::kFailedPrecondition,
                 "enrollment.registration_id_taken", "device-e4", enrolled->serial);
  auto device = store_->GetDevice("device-e4");
  ASSERT_TRUE(device.has_value());
  EXPECT_EQ(device->ek_digest_hex, *attestation::EkDigestHex(first.ek_public()));
}

TEST_F(EnrollmentServiceTest, E4_RegistrationIdReservedIndividually) {
  ManufacturerCa vendor("Vendor");
  AddGroup("vendor", vendor.pem());
  SimDevice owner("device-e4b"), intruder("device-e4b");
  AddIndividual(owner);
  GroupDevice(intruder, vendor);
  ExpectRejected(service_->Challenge(intruder.ChallengeRequest()), ErrorCode::kFailedPrecondition,
                 "enrollment.registration_id_taken", "device-e4b");
}

TEST_F(EnrollmentServiceTest, E4_OneTpmCannotClaimASecondId) {
  ManufacturerCa vendor("Vendor");
  AddGroup("vendor", vendor.pem());
  SimDevice device("device-e4c");
  GroupDevice(device, vendor);
  ASSERT_TRUE(Enroll(device).has_value());
  api::ChallengeRequest request = device.ChallengeRequest();
  request.registration_id = "device-e4c-twin";
  ExpectRejected(service_->Challenge(request), ErrorCode::kPermissionDenied,
                 "enrollment.ek_bound_elsewhere", "device-e4c-twin");
}

TEST_F(EnrollmentServiceTest, E4_IndividualEkAskingForAnotherId) {
  SimDevice device("device-e4d");
  AddIndividual(device);
  api::ChallengeRequest request = device.ChallengeRequest();
  request.registration_id = "someone-else";
  ExpectRejected(service_->Challenge(request), ErrorCode::kPermissionDenied,
                 "enrollment.registration_id_mismatch", "someone-else");
}

TEST_F(EnrollmentServiceTest, E4_DisabledIndividualOverridesEnabledGroup) {
  ManufacturerCa vendor("Vendor");
  AddGroup("vendor", vendor.pem());
  SimDevice device("device-e4e");
  GroupDevice(device, vendor);
  AddIndividual(device, /*enabled=*/false);
  ExpectRejected(service_->Challenge(device.ChallengeRequest()), ErrorCode::kPermissionDenied,
                 "enrollment.disabled", "device-e4e");
}

// --- E5: AK admission, before MakeCredential ---

class E5Test : public EnrollmentServiceTest,
               public ::testing::WithParamInterface<std::pair<TPMA_OBJECT, const char*>> {};

TEST_P(E5Test, RejectsAkBeforeMakeCredential) {
  TPM2B_PUBLIC tmpl = attestation::AttestationKeyTemplate(KeyAlgorithm::kEccP256);
  tmpl.publicArea.objectAttributes &= ~GetParam().first;
  SimDevice device("device-e5", tmpl);
  AddIndividual(device);
  ExpectRejected(service_->Challenge(device.ChallengeRequest()), ErrorCode::kPermissionDenied,
                 GetParam().second, "device-e5");
  EXPECT_EQ(challenges_->pending_count(), 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Attributes, E5Test,
    ::testing::Values(std::pair{TPMA_OBJECT_RESTRICTED, "ak.not_restricted"},
                      std::pair{TPMA_OBJECT_FIXEDTPM, "ak.not_fixed_tpm"},
                      std::pair{TPMA_OBJECT_FIXEDPARENT, "ak.not_fixed_parent"},
                      std::pair{TPMA_OBJECT_SENSITIVEDATAORIGIN, "ak.not_sensitive_data_origin"}));

TEST_F(EnrollmentServiceTest, E5_AkWithWeakNameAlgorithm) {
  TPM2B_PUBLIC tmpl = attestation::AttestationKeyTemplate(KeyAlgorithm::kEccP256);
  tmpl.publicArea.nameAlg = TPM2_ALG_SHA1;
  SimDevice device("device-e5b", tmpl);
  AddIndividual(device);
  ExpectRejected(service_->Challenge(device.ChallengeRequest()), ErrorCode::kPermissionDenied,
                 "ak.name_algorithm", "device-e5b");
  EXPECT_EQ(challenges_->pending_count(), 0u);
}

TEST_F(EnrollmentServiceTest, E5_MalformedAkPublic) {
  SimDevice device("device-e5c");
  AddIndividual(device);
  api::ChallengeRequest request = device.ChallengeRequest();
  request.ak_public.resize(request.ak_public.size() / 2);
  ExpectRejected(service_->Challenge(request), ErrorCode::kInvalidArgument, "tpm.malformed",
                 "device-e5c");
}

// --- E6: wrong secret proof burns the challenge ---

TEST_F(EnrollmentServiceTest, E6_WrongProofIsRejectedAndBurnsTheChallenge) {
  SimDevice device("device-e6");
  AddIndividual(device);
  auto challenge = service_->Challenge(device.ChallengeRequest());
  ASSERT_TRUE(challenge.has_value());
  api::CompleteRequest request = device.Complete(*challenge, DefaultPcrs());
  api::CompleteRequest guessed = request;
  guessed.proof[0] ^= 1;
  ExpectRejected(service_->Complete(guessed), ErrorCode::kPermissionDenied, "credential.bad_proof",
                 "device-e6");
  // The honest answer now comes too late.
  ExpectRejected(service_->Complete(request), ErrorCode::kFailedPrecondition, "challenge.used",
                 "device-e6");
}

TEST_F(EnrollmentServiceTest, E6_ProofFromAnotherTpm) {
  SimDevice device("device-e6b"), other("device-e6b");
  AddIndividual(device);
  auto challenge = service_->Challenge(device.ChallengeRequest());
  ASSERT_TRUE(challenge.has_value());
  // Another TPM cannot activate the credential: its EK does not decrypt the seed.
  const Bytes name = *device.ak().public_area().Name();
  auto activated = attestation::ActivateCredentialInSoftware(
      other.ek().private_pem, other.ek_public(), name,
      attestation::CredentialBlob{challenge->id_object, challenge->encrypted_secret});
  EXPECT_FALSE(activated.has_value());
  api::CompleteRequest request = device.Complete(*challenge, DefaultPcrs());
  request.proof = Bytes(32, 0);  // the best it can do is guess
  ExpectRejected(service_->Complete(request), ErrorCode::kPermissionDenied, "credential.bad_proof",
                 "device-e6b");
}

// --- E7: challenge replay, double use, expiry ---

TEST_F(EnrollmentServiceTest, E7_ReplayOfASuccessfulComplete) {
  SimDevice device("device-e7");
  AddIndividual(device);
  auto challenge = service_->Challenge(device.ChallengeRequest());
  ASSERT_TRUE(challenge.has_value());
  api::CompleteRequest request = device.Complete(*challenge, DefaultPcrs());
  auto first = service_->Complete(request);
  ASSERT_TRUE(first.has_value()) << first.error().ToString();
  ExpectRejected(service_->Complete(request), ErrorCode::kFailedPrecondition, "challenge.used",
                 "device-e7", first->serial);
}

TEST_F(EnrollmentServiceTest, E7_ExpiredChallenge) {
  SimDevice device("device-e7b");
  AddIndividual(device);
  auto challenge = service_->Challenge(device.ChallengeRequest());
  ASSERT_TRUE(challenge.has_value());
  Advance(61);
  ExpectRejected(service_->Complete(device.Complete(*challenge, DefaultPcrs())),
                 ErrorCode::kFailedPrecondition, "challenge.expired", "device-e7b");
}

TEST_F(EnrollmentServiceTest, E7_UnknownChallenge) {
  SimDevice device("device-e7c");
  AddIndividual(device);
  auto challenge = service_->Challenge(device.ChallengeRequest());
  ASSERT_TRUE(challenge.has_value());
  api::CompleteRequest request = device.Complete(*challenge, DefaultPcrs());
  request.challenge_id[0] ^= 1;
  ExpectRejected(service_->Complete(request), ErrorCode::kNotFound, "challenge.unknown",
                 "device-e7c");
}

}  // namespace
}  // namespace edgetrust::enrollment::service
