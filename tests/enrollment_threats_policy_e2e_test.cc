// THREATS E10-E13 against the running edgetrust-enrolld: golden PCR values, certify of the
// identity key and the CSR (another key, bad signature, over-asking).
#include <gtest/gtest.h>

#include "tests/enrollment_threats_e2e.h"

namespace edgetrust::e2e {
namespace {

// ---------------------------------------------------------------- E10: golden values

class E10 : public ThreatsE2e {
 protected:
  void TearDown() override {
    Tpm2Tools("tpm2_pcrreset 23");
    ThreatsE2e::TearDown();
  }
  std::string GoldenPolicy() {
    const std::string policy = UniqueId("e10-policy");
    EXPECT_TRUE(CreatePcrPolicy(
        policy, "sha256:23",
        nlohmann::json::array(
            {{{"bank", "sha256"}, {"index", 23}, {"digest", std::string(64, '0')}}})));
    return policy;
  }
  void ExtendPcr23() {
    ASSERT_TRUE(attestation::ExtendPcr(tpm(), 23, HashAlgorithm::kSha256, Bytes(32, 0x42)));
  }
};

TEST_F(E10, E10_FirstEnrollmentFailsTheGoldenPolicy) {
  Tpm2Tools("tpm2_pcrreset 23");
  const std::string policy = GoldenPolicy();
  ExtendPcr23();
  auto device = RegisteredDevice("e10-first", policy);
  ASSERT_NE(device, nullptr);
  auto challenge = ChallengeFor(*device);
  ASSERT_TRUE(challenge.has_value());
  EXPECT_EQ(challenge->pcr_selection, "sha256:23");
  auto complete = device->CompleteRequest(*challenge);
  ASSERT_TRUE(complete.has_value());
  CheckRejected(kComplete, api::ToJson(*complete), 403, "pcr.policy_mismatch", device->id(),
                "complete");
}

TEST_F(E10, E10_RenewalFailsTheGoldenPolicyAndMarksTheDevice) {
  Tpm2Tools("tpm2_pcrreset 23");
  const std::string policy = GoldenPolicy();
  auto device = RegisteredDevice("e10-renew", policy);
  ASSERT_NE(device, nullptr);
  auto enrolled = Enroll(*device);
  ASSERT_TRUE(enrolled.has_value()) << enrolled.error().ToString();
  ExtendPcr23();
  auto nonce = client().NewNonce();
  ASSERT_TRUE(nonce.has_value());
  auto body = device->RenewBody(*nonce, "sha256:23");
  ASSERT_TRUE(body.has_value()) << body.error().ToString();
  CheckRejected("/v1/devices/" + device->id() + "/renew", *body, 403, "pcr.policy_mismatch",
                device->id(), "renew", 1, enrolled->serial);
  OperatorAnswer status = Operator("GET", "/v1/operator/devices/" + device->id());
  EXPECT_EQ(status.json().value("status", ""), "failed_attestation") << status.body;
}

// ---------------------------------------------------------------- E11: certify

TEST_F(ThreatsE2e, E11_CertifyOfARestrictedKey) {
  CheckTamperedComplete(
      "e11-restricted",
      [&](TpmDevice& device, const api::ChallengeResponse& challenge, api::CompleteRequest& c) {
        auto qualifying = Qualifying(device, challenge);
        ASSERT_TRUE(qualifying.has_value());
        auto keys = device.Load();
        ASSERT_TRUE(keys.has_value());
        auto certify = attestation::Certify(tpm(), keys->ak, keys->ak, *qualifying);
        ASSERT_TRUE(certify.has_value()) << certify.error().ToString();
        c.evidence.certify = {certify->attest, certify->signature, device.ak_public().Marshal()};
      },
      403, "identity.restricted");
}

TEST_F(ThreatsE2e, E11_CertifyOfAKeyThatIsNotFixedTpm) {
  CheckTamperedComplete(
      "e11-fixedtpm",
      [&](TpmDevice& device, const api::ChallengeResponse& challenge, api::CompleteRequest& c) {
        auto qualifying = Qualifying(device, challenge);
        ASSERT_TRUE(qualifying.has_value());
        auto ak = attestation::LoadKey(tpm(), srk().handle, device.ak_blob());
        ASSERT_TRUE(ak.has_value());
        auto movable = device.CreateAndLoad(
            WithoutAttribute(attestation::IdentityKeyTemplate(KeyAlgorithm::kEccP256),
                             TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT));
        ASSERT_TRUE(movable.has_value()) << movable.error().ToString();
        auto certify = attestation::Certify(tpm(), movable->second, *ak, *qualifying);
        ASSERT_TRUE(certify.has_value()) << certify.error().ToString();
        c.evidence.certify = {certify->attest, certify->signature, movable->first.Marshal()};
      },
      403, "identity.not_fixed_tpm");
}

TEST_F(ThreatsE2e, E11_CertifiedNameDiffersFromTheKeySent) {
  CheckTamperedComplete(
      "e11-name",
      [&](TpmDevice& device, const api::ChallengeResponse&, api::CompleteRequest& c) {
        auto other = attestation::CreateKey(
            tpm(), srk().handle, attestation::IdentityKeyTemplate(KeyAlgorithm::kEccP256));
        ASSERT_TRUE(other.has_value());
        (void)device;
        c.evidence.certify.identity_public = TpmPublic::FromStruct(other->public_area)->Marshal();
      },
      403, "certify.name_mismatch");
}

// ---------------------------------------------------------------- E12: CSR

TEST_F(ThreatsE2e, E12_CsrFromAnotherKey) {
  CheckTamperedComplete(
      "e12-key",
      [&](TpmDevice& device, const api::ChallengeResponse&, api::CompleteRequest& c) {
        auto other = device.CreateAndLoad(attestation::IdentityKeyTemplate(KeyAlgorithm::kEccP256));
        ASSERT_TRUE(other.has_value());
        auto signer = attestation::TpmSigner::Create(tpm(), other->second, other->first);
        ASSERT_TRUE(signer.has_value());
        auto csr = certs::BuildCsr(**signer, device.id());
        ASSERT_TRUE(csr.has_value());
        c.evidence.csr = *csr;
      },
      403, "csr.key_mismatch");
}

TEST_F(ThreatsE2e, E12_CsrWithABadSignature) {
  CheckTamperedComplete(
      "e12-sig",
      [](TpmDevice&, const api::ChallengeResponse&, api::CompleteRequest& c) {
        c.evidence.csr.back() ^= 0x01;  // last byte of the ECDSA signature's s
      },
      403, "csr.bad_signature");
}

// ---------------------------------------------------------------- E13: CSR over-asking

TEST_F(ThreatsE2e, E13_CsrAskingForACaCertificate) {
  CheckTamperedComplete(
      "e13-ca",
      [&](TpmDevice& device, const api::ChallengeResponse&, api::CompleteRequest& c) {
        auto keys = device.Load();
        ASSERT_TRUE(keys.has_value());
        auto signer =
            attestation::TpmSigner::Create(tpm(), keys->identity, device.identity_public());
        ASSERT_TRUE(signer.has_value());
        auto csr = certs::MakeCaCsr(**signer, "Evil Intermediate CA");
        ASSERT_TRUE(csr.has_value());
        c.evidence.csr = *csr;
      },
      403, "csr.ca_requested");
}

TEST_F(ThreatsE2e, E13_CsrAskingForAnotherSubjectGetsOnlyTheDeviceId) {
  auto device = RegisteredDevice("e13-subject");
  ASSERT_NE(device, nullptr);
  auto challenge = ChallengeFor(*device);
  ASSERT_TRUE(challenge.has_value());
  auto complete = device->CompleteRequest(*challenge);
  ASSERT_TRUE(complete.has_value());
  {
    auto keys = device->Load();
    ASSERT_TRUE(keys.has_value());
    auto signer = attestation::TpmSigner::Create(tpm(), keys->identity, device->identity_public());
    ASSERT_TRUE(signer.has_value());
    auto csr = certs::BuildCsr(**signer, "admin.example.com");
    ASSERT_TRUE(csr.has_value());
    complete->evidence.csr = *csr;
  }
  Answer answer = Post(kComplete, api::ToJson(*complete));
  ASSERT_EQ(answer.status, 200) << answer.body;
  auto issued = api::ParseEnrollmentResponse(answer.body);
  ASSERT_TRUE(issued.has_value());
  auto chain = certs::Certificate::ChainFromPem(issued->certificate_chain_pem);
  ASSERT_TRUE(chain.has_value());
  auto pem = chain->front().ToPem();
  std::ofstream(Path("leaf.pem")) << *pem;
  auto text = RunCommand("openssl x509 -noout -text -in " + ShellQuote(Path("leaf.pem")));
  EXPECT_NE(text.output.find("CN = " + device->id()), std::string::npos) << text.output;
  EXPECT_EQ(text.output.find("admin.example.com"), std::string::npos) << text.output;
  EXPECT_EQ(text.output.find("CA:TRUE"), std::string::npos) << text.output;
}

}  // namespace
}  // namespace edgetrust::e2e
