// The enrollment service's checks of the complete request's evidence and of the device state:
// one test per reachable variant of THREATS E8-E14, each checking the error code and reason,
// that nothing was issued, and that the rejection was audited. (E1-E7 and the happy paths are
// in enrollment_service_test.cc, E15 in device_jws_test.cc.)
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

// --- E8: forged quotes ---

class EvidenceTest : public EnrollmentServiceTest {
 protected:
  void SetUp() override {
    EnrollmentServiceTest::SetUp();
    AddIndividual(device_);
    auto challenge = service_->Challenge(device_.ChallengeRequest());
    ASSERT_TRUE(challenge.has_value()) << challenge.error().ToString();
    challenge_ = *challenge;
    qualifying_ = device_.Qualifying(challenge_);
    request_ = device_.Complete(challenge_, DefaultPcrs());
  }
  void ExpectComplete(ErrorCode code, const std::string& reason) {
    ExpectRejected(service_->Complete(request_), code, reason, device_.id());
  }
  SimDevice device_{"device-ev"};
  api::ChallengeResponse challenge_;
  Bytes qualifying_;
  api::CompleteRequest request_;
};

TEST_F(EvidenceTest, E8_QuoteSignedByAnotherKey) {
  SimDevice other("other");
  request_.evidence.quote = other.Quote(qualifying_, DefaultPcrs());
  ExpectComplete(ErrorCode::kPermissionDenied, "quote.bad_signature");
}

TEST_F(EvidenceTest, E8_QuoteWithWrongMagic) {
  request_.evidence.quote =
      device_.Quote(qualifying_, DefaultPcrs(), [](TPMS_ATTEST& a) { a.magic = 0x12345678; });
  ExpectComplete(ErrorCode::kPermissionDenied, "quote.bad_magic");
}

TEST_F(EvidenceTest, E8_QuoteWithWrongType) {
  request_.evidence.quote = device_.Quote(qualifying_, DefaultPcrs(),
                                          [](TPMS_ATTEST& a) { a.type = TPM2_ST_ATTEST_CERTIFY; });
  ExpectComplete(ErrorCode::kPermissionDenied, "quote.wrong_type");
}

TEST_F(EvidenceTest, E8_QuoteWithWrongExtraData) {
  request_.evidence.quote =
      device_.Quote(qualifying_, DefaultPcrs(), [](TPMS_ATTEST& a) { a.extraData.buffer[0] ^= 1; });
  ExpectComplete(ErrorCode::kPermissionDenied, "quote.nonce_mismatch");
}

TEST_F(EvidenceTest, E8_QuoteOverTheBareNonce) {
  // A quote over the nonce alone (not bound to the secret) is another extraData.
  request_.evidence.quote = device_.Quote(challenge_.nonce, DefaultPcrs());
  ExpectComplete(ErrorCode::kPermissionDenied, "quote.nonce_mismatch");
}

TEST_F(EvidenceTest, E8_TruncatedQuote) {
  request_.evidence.quote.attest.resize(10);
  ExpectComplete(ErrorCode::kInvalidArgument, "quote.malformed");
}

// --- E9: PCR values and selections ---

TEST_F(EvidenceTest, E9_PcrValuesDoNotMatchTheDigest) {
  request_.evidence.quote.pcrs["sha256"][0][0] ^= 1;
  ExpectComplete(ErrorCode::kPermissionDenied, "quote.pcr_digest_mismatch");
}

TEST_F(EvidenceTest, E9_PcrOutsideTheSignedSelection) {
  request_.evidence.quote.pcrs["sha256"][5] = Bytes(32, 5);
  ExpectComplete(ErrorCode::kPermissionDenied, "quote.pcr_values_mismatch");
}

TEST_F(EnrollmentServiceTest, E9_SelectionNarrowerThanThePolicy) {
  AddPolicy("full", kFullSelection, {});
  SimDevice device("device-e9");
  AddIndividual(device, true, "full");
  auto challenge = service_->Challenge(device.ChallengeRequest());
  ASSERT_TRUE(challenge.has_value());
  ExpectRejected(service_->Complete(device.Complete(*challenge, PcrsFor("sha256:0,1,2"))),
                 ErrorCode::kPermissionDenied, "quote.pcr_selection_narrow", "device-e9");
}

// --- E10: golden values ---

TEST_F(EnrollmentServiceTest, E10_GoldenMismatchMarksTheDeviceFailed) {
  AddPolicy("golden", kFullSelection, PcrsFor(kFullSelection));
  SimDevice device("device-e10");
  AddIndividual(device, true, "golden");
  auto first = Enroll(device, PcrsFor(kFullSelection));
  ASSERT_TRUE(first.has_value()) << first.error().ToString();
  ExpectRejected(Enroll(device, PcrsFor(kFullSelection, 0x40)), ErrorCode::kPermissionDenied,
                 "pcr.policy_mismatch", "device-e10", first->serial);
  auto stored = store_->GetDevice("device-e10");
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->status, DeviceStatus::kFailedAttestation);
  // A passing attestation recovers the device.
  auto again = Enroll(device, PcrsFor(kFullSelection));
  ASSERT_TRUE(again.has_value()) << again.error().ToString();
  EXPECT_EQ(store_->GetDevice("device-e10")->status, DeviceStatus::kActive);
}

TEST_F(EnrollmentServiceTest, E10_GoldenMismatchOfANewDevice) {
  AddPolicy("golden", kFullSelection, PcrsFor(kFullSelection));
  SimDevice device("device-e10b");
  AddIndividual(device, true, "golden");
  ExpectRejected(Enroll(device, PcrsFor(kFullSelection, 0x40)), ErrorCode::kPermissionDenied,
                 "pcr.policy_mismatch", "device-e10b");
}

TEST_F(EnrollmentServiceTest, ClockRegressionOfAKnownDeviceIsRejected) {
  SimDevice device("device-clock");
  AddIndividual(device);
  auto first = Enroll(device);
  ASSERT_TRUE(first.has_value()) << first.error().ToString();
  auto challenge = service_->Challenge(device.ChallengeRequest());
  ASSERT_TRUE(challenge.has_value());
  auto older =
      device.Complete(*challenge, DefaultPcrs(), [](TPMS_ATTEST& a) { a.clockInfo.clock = 1000; });
  ExpectRejected(service_->Complete(older), ErrorCode::kPermissionDenied, "quote.clock_regressed",
                 "device-clock", first->serial);
}

TEST_F(EnrollmentServiceTest, ObfuscatedResetCountsOfANewAkAreNotAClockRegression) {
  // A device that enrolls again brings a new AK; its quotes carry resetCount XORed with a
  // value of that AK's name. Only the clock itself is compared.
  SimDevice device("device-new-ak");
  AddIndividual(device);
  auto first_challenge = service_->Challenge(device.ChallengeRequest());
  ASSERT_TRUE(first_challenge.has_value());
  auto first = service_->Complete(device.Complete(
      *first_challenge, DefaultPcrs(), [](TPMS_ATTEST& a) { a.clockInfo.resetCount = 9000; }));
  ASSERT_TRUE(first.has_value()) << first.error().ToString();
  auto challenge = service_->Challenge(device.ChallengeRequest());
  ASSERT_TRUE(challenge.has_value());
  auto later = device.Complete(*challenge, DefaultPcrs(), [](TPMS_ATTEST& a) {
    a.clockInfo.resetCount = 3;
    a.clockInfo.clock += 5000;
  });
  EXPECT_TRUE(service_->Complete(later).has_value());
}

TEST_F(EnrollmentServiceTest, AClockLostInAPowerCutIsNotHeldAgainstTheDevice) {
  SimDevice device("device-unsafe-clock");
  AddIndividual(device);
  auto first = Enroll(device);
  ASSERT_TRUE(first.has_value()) << first.error().ToString();
  auto challenge = service_->Challenge(device.ChallengeRequest());
  ASSERT_TRUE(challenge.has_value());
  auto behind = device.Complete(*challenge, DefaultPcrs(), [](TPMS_ATTEST& a) {
    a.clockInfo.clock = 1000;
    a.clockInfo.safe = TPM2_NO;  // the TPM says it lost the time since its last save
  });
  EXPECT_TRUE(service_->Complete(behind).has_value());
}

// --- E11: certify ---

TEST_F(EvidenceTest, E11_CertifiedKeyIsRestricted) {
  TPM2B_PUBLIC pub = device_.identity_struct();
  pub.publicArea.objectAttributes |= TPMA_OBJECT_RESTRICTED;
  request_.evidence.certify = device_.CertifyPublic(qualifying_, pub);
  ExpectComplete(ErrorCode::kPermissionDenied, "identity.restricted");
}

TEST_F(EvidenceTest, E11_CertifiedKeyIsNotFixedTpm) {
  TPM2B_PUBLIC pub = device_.identity_struct();
  pub.publicArea.objectAttributes &= ~TPMA_OBJECT_FIXEDTPM;
  request_.evidence.certify = device_.CertifyPublic(qualifying_, pub);
  ExpectComplete(ErrorCode::kPermissionDenied, "identity.not_fixed_tpm");
}

TEST_F(EvidenceTest, E11_CertifiedNameDiffersFromThePublicSent) {
  SimDevice other("other");
  request_.evidence.certify.identity_public = other.identity_public();
  ExpectComplete(ErrorCode::kPermissionDenied, "certify.name_mismatch");
}

TEST_F(EvidenceTest, E11_CertifyWithWrongExtraData) {
  request_.evidence.certify =
      device_.Certify(qualifying_, [](TPMS_ATTEST& a) { a.extraData.buffer[0] ^= 1; });
  ExpectComplete(ErrorCode::kPermissionDenied, "certify.nonce_mismatch");
}

// --- E12: CSR ---

TEST_F(EvidenceTest, E12_CsrForAnotherKey) {
  SimDevice other("device-ev");
  request_.evidence.csr = other.Csr();
  ExpectComplete(ErrorCode::kPermissionDenied, "csr.key_mismatch");
}

TEST_F(EvidenceTest, E12_CsrWithBadSignature) {
  request_.evidence.csr.back() ^= 1;
  ExpectComplete(ErrorCode::kPermissionDenied, "csr.bad_signature");
}

TEST_F(EvidenceTest, E12_MalformedCsr) {
  request_.evidence.csr.resize(request_.evidence.csr.size() - 3);
  ExpectComplete(ErrorCode::kInvalidArgument, "csr.malformed");
}

// --- E13: over-asking CSR ---

TEST_F(EvidenceTest, E13_CsrAskingForACaIsRejected) {
  auto csr = certs::MakeCaCsr(device_.identity_signer(), "device-ev");
  ASSERT_TRUE(csr.has_value()) << csr.error().ToString();
  request_.evidence.csr = *csr;
  ExpectComplete(ErrorCode::kPermissionDenied, "csr.ca_requested");
}

TEST_F(EvidenceTest, E13_CsrAskingForAnotherNameGetsTheEnrollmentsName) {
  auto csr = certs::BuildCsr(device_.identity_signer(), "admin.example.com");
  ASSERT_TRUE(csr.has_value());
  request_.evidence.csr = *csr;
  auto response = service_->Complete(request_);
  ASSERT_TRUE(response.has_value()) << response.error().ToString();
  auto leaf = certs::Certificate::FromPem(response->certificate_chain_pem);
  ASSERT_TRUE(leaf.has_value());
  EXPECT_EQ(leaf->subject(), "CN=device-ev");
}

// --- E14: blocked devices ---

class E14Test : public EnrollmentServiceTest,
                public ::testing::WithParamInterface<std::pair<DeviceStatus, const char*>> {};

TEST_P(E14Test, BlockedDeviceCannotReEnroll) {
  SimDevice device("device-e14");
  AddIndividual(device);
  auto first = Enroll(device);
  ASSERT_TRUE(first.has_value()) << first.error().ToString();
  SetDeviceStatus("device-e14", GetParam().first);
  ExpectRejected(service_->Challenge(device.ChallengeRequest()), ErrorCode::kPermissionDenied,
                 GetParam().second, "device-e14", first->serial);
}

TEST_P(E14Test, DeviceBlockedBetweenTheRoundTrips) {
  SimDevice device("device-e14b");
  AddIndividual(device);
  auto first = Enroll(device);
  ASSERT_TRUE(first.has_value()) << first.error().ToString();
  auto challenge = service_->Challenge(device.ChallengeRequest());
  ASSERT_TRUE(challenge.has_value());
  SetDeviceStatus("device-e14b", GetParam().first);
  ExpectRejected(service_->Complete(device.Complete(*challenge, DefaultPcrs())),
                 ErrorCode::kPermissionDenied, GetParam().second, "device-e14b", first->serial);
}

INSTANTIATE_TEST_SUITE_P(Statuses, E14Test,
                         ::testing::Values(std::pair{DeviceStatus::kDisabled, "device.disabled"},
                                           std::pair{DeviceStatus::kRevoked, "device.revoked"},
                                           std::pair{DeviceStatus::kRetired, "device.retired"}));

// --- capacity ---

TEST_F(EnrollmentServiceTest, ChallengeCapacityIsBounded) {
  options_.max_pending_challenges = 1;
  TearDown();
  SetUp();
  SimDevice device("device-cap");
  AddIndividual(device);
  ASSERT_TRUE(service_->Challenge(device.ChallengeRequest()).has_value());
  ExpectRejected(service_->Challenge(device.ChallengeRequest()), ErrorCode::kResourceExhausted,
                 "challenge.capacity", "device-cap");
}

}  // namespace
}  // namespace edgetrust::enrollment::service
