// The simulated device's evidence passes the service's checks, done in process with the
// verifiers alone (reference_verifier.h), for every EK type and identity key algorithm.
#include "enrollment/client/testing/software_device.h"

#include <gtest/gtest.h>

#include <ctime>

#include "attestation/ek_certificate.h"
#include "certs/chain.h"
#include "certs/csr.h"
#include "common/crypto.h"
#include "enrollment/api/protocol_crypto.h"
#include "enrollment/client/testing/reference_verifier.h"

namespace edgetrust::enrollment::client::testing {
namespace {

using attestation::EkType;
using attestation::KeyAlgorithm;

SoftwareDevice NewDevice(EkType ek, KeyAlgorithm identity, const TestManufacturerCa* ca = nullptr) {
  auto device = SoftwareDevice::Create({"device-0001", ek, identity, ca});
  EXPECT_TRUE(device.has_value()) << device.error().ToString();
  return std::move(*device);
}

TEST(SoftwareDeviceTest, EnrollmentEvidenceVerifies) {
  for (EkType ek : {EkType::kRsa2048, EkType::kEccP256, EkType::kEccP384}) {
    for (KeyAlgorithm identity : {KeyAlgorithm::kEccP256, KeyAlgorithm::kRsa2048}) {
      SCOPED_TRACE(std::string(attestation::GetEkProfile(ek).name) +
                   (identity == KeyAlgorithm::kEccP256 ? " ecc identity" : " rsa identity"));
      SoftwareDevice device = NewDevice(ek, identity);
      api::ChallengeRequest request = device.BuildChallengeRequest();
      EXPECT_EQ(request.registration_id, "device-0001");
      EXPECT_FALSE(request.ek_certificate.has_value());
      auto challenge = MakeReferenceChallenge(request, "sha256:0,1,2,3,4,5,6,7");
      ASSERT_TRUE(challenge.has_value()) << challenge.error().ToString();
      auto complete = device.BuildCompleteRequest(challenge->response);
      ASSERT_TRUE(complete.has_value()) << complete.error().ToString();
      EXPECT_EQ(complete->evidence.quote.pcrs.at("sha256").size(), 8u);
      auto key = VerifyReferenceComplete(request, *challenge, *complete);
      ASSERT_TRUE(key.has_value()) << key.error().ToString();
      EXPECT_TRUE(key->Equals(device.identity_signer().public_key()));
      auto csr = certs::Csr::FromDer(complete->evidence.csr);
      ASSERT_TRUE(csr.has_value());
      EXPECT_EQ(csr->requested_common_name(), "device-0001");
    }
  }
}

TEST(SoftwareDeviceTest, EmptySelectionQuotesPcr0) {
  SoftwareDevice device = NewDevice(EkType::kEccP256, KeyAlgorithm::kEccP256);
  auto challenge = MakeReferenceChallenge(device.BuildChallengeRequest(), "");
  ASSERT_TRUE(challenge.has_value());
  auto complete = device.BuildCompleteRequest(challenge->response);
  ASSERT_TRUE(complete.has_value());
  const api::PcrMap& pcrs = complete->evidence.quote.pcrs;
  ASSERT_EQ(pcrs.size(), 1u);
  ASSERT_EQ(pcrs.at("sha256").size(), 1u);
  EXPECT_EQ(pcrs.at("sha256").at(0), Bytes(32, 0));
  EXPECT_TRUE(VerifyReferenceComplete(device.BuildChallengeRequest(), *challenge, *complete));
}

TEST(SoftwareDeviceTest, SetPcrIsQuoted) {
  SoftwareDevice device = NewDevice(EkType::kEccP256, KeyAlgorithm::kEccP256);
  Bytes measured = *Digest(HashAlgorithm::kSha256, AsBytes("firmware-v1"));
  device.SetPcr(HashAlgorithm::kSha256, 16, measured);
  auto challenge = MakeReferenceChallenge(device.BuildChallengeRequest(), "sha256:0,16");
  auto complete = device.BuildCompleteRequest(challenge->response);
  ASSERT_TRUE(complete.has_value());
  EXPECT_EQ(complete->evidence.quote.pcrs.at("sha256").at(16), measured);
  EXPECT_TRUE(VerifyReferenceComplete(device.BuildChallengeRequest(), *challenge, *complete));
}

TEST(SoftwareDeviceTest, ChallengeForAnotherDeviceCannotBeActivated) {
  SoftwareDevice device = NewDevice(EkType::kEccP256, KeyAlgorithm::kEccP256);
  SoftwareDevice other = NewDevice(EkType::kEccP256, KeyAlgorithm::kEccP256);
  auto challenge = MakeReferenceChallenge(other.BuildChallengeRequest(), "");
  ASSERT_TRUE(challenge.has_value());
  auto complete = device.BuildCompleteRequest(challenge->response);
  ASSERT_FALSE(complete.has_value());
  EXPECT_EQ(complete.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(complete.error().reason, "credential.integrity");
}

TEST(SoftwareDeviceTest, ReferenceVerifierRejectsTamperedEvidence) {
  SoftwareDevice device = NewDevice(EkType::kRsa2048, KeyAlgorithm::kEccP256);
  api::ChallengeRequest request = device.BuildChallengeRequest();
  auto challenge = MakeReferenceChallenge(request, "sha256:0");
  auto complete = device.BuildCompleteRequest(challenge->response);
  ASSERT_TRUE(complete.has_value());

  api::CompleteRequest bad_proof = *complete;
  bad_proof.proof[0] ^= 1;
  auto r1 = VerifyReferenceComplete(request, *challenge, bad_proof);
  ASSERT_FALSE(r1.has_value());
  EXPECT_EQ(r1.error().reason, "credential.bad_proof");

  // Evidence bound to another nonce: the quote is refused first.
  Bytes other_nonce = challenge->response.nonce;
  other_nonce[0] ^= 1;
  auto qualifying = api::EnrollmentQualifyingData(challenge->secret, other_nonce);
  auto evidence = device.BuildEvidence(*qualifying, "sha256:0", "device-0001");
  ASSERT_TRUE(evidence.has_value());
  api::CompleteRequest wrong_nonce = *complete;
  wrong_nonce.evidence = *evidence;
  auto r2 = VerifyReferenceComplete(request, *challenge, wrong_nonce);
  ASSERT_FALSE(r2.has_value());
  EXPECT_EQ(r2.error().reason, "quote.nonce_mismatch");

  // A CSR by another key than the certified one.
  SoftwareDevice other = NewDevice(EkType::kEccP256, KeyAlgorithm::kEccP256);
  api::CompleteRequest other_csr = *complete;
  other_csr.evidence.csr = other.csr();
  auto r3 = VerifyReferenceComplete(request, *challenge, other_csr);
  ASSERT_FALSE(r3.has_value());
  EXPECT_EQ(r3.error().reason, "csr.key_mismatch");
}

TEST(SoftwareDeviceTest, RenewEvidenceIsBoundToTheNonce) {
  SoftwareDevice device = NewDevice(EkType::kEccP256, KeyAlgorithm::kEccP256);
  Bytes nonce = *RandomBytes(16);
  auto payload = device.BuildRenewPayload(nonce, "sha256:0,1");
  ASSERT_TRUE(payload.has_value()) << payload.error().ToString();
  auto qualifying = api::RenewQualifyingData(nonce);
  auto ok = VerifyReferenceEvidence(payload->evidence, device.ak_public().Marshal(), *qualifying,
                                    "sha256:0,1");
  ASSERT_TRUE(ok.has_value()) << ok.error().ToString();
  Bytes other = nonce;
  other[0] ^= 1;
  auto wrong = VerifyReferenceEvidence(payload->evidence, device.ak_public().Marshal(),
                                       *api::RenewQualifyingData(other), "sha256:0,1");
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error().reason, "quote.nonce_mismatch");
}

TEST(SoftwareDeviceTest, EkCertificateFromTestManufacturer) {
  auto ca = TestManufacturerCa::Generate("Test TPM Manufacturer");
  ASSERT_TRUE(ca.has_value()) << ca.error().ToString();
  for (EkType ek : {EkType::kRsa2048, EkType::kEccP256}) {
    SoftwareDevice device = NewDevice(ek, KeyAlgorithm::kEccP256, &*ca);
    ASSERT_TRUE(device.ek_certificate().has_value());
    api::ChallengeRequest request = device.BuildChallengeRequest();
    ASSERT_TRUE(request.ek_certificate.has_value());
    EXPECT_EQ(*request.ek_certificate, device.ek_certificate()->der());
    EXPECT_TRUE(attestation::CheckEkCertificateKey(*device.ek_certificate(), device.ek_public()));
    std::vector<certs::Certificate> roots{ca->certificate()};
    auto chain = certs::VerifyChain(*device.ek_certificate(), {}, roots,
                                    certs::ChainProfile::kEkCredential, std::time(nullptr));
    EXPECT_TRUE(chain.has_value()) << chain.error().ToString();
  }
}

TEST(SoftwareDeviceTest, RejectsInvalidRegistrationId) {
  auto device = SoftwareDevice::Create({".hidden"});
  ASSERT_FALSE(device.has_value());
  EXPECT_EQ(device.error().reason, "request.bad_registration_id");
}

}  // namespace
}  // namespace edgetrust::enrollment::client::testing
