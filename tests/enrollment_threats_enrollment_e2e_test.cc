// THREATS E1-E5 against the running edgetrust-enrolld: who may enroll (unknown EKs, EK
// certificates, takeover of a registration id) and which attestation keys are admitted.
#include <gtest/gtest.h>

#include "tests/enrollment_threats_e2e.h"

namespace edgetrust::e2e {
namespace {

// ---------------------------------------------------------------- E1: unknown EK

TEST_F(ThreatsE2e, E1_UnknownEkWithoutCertificate) {
  ASSERT_TRUE(EnsureSwtpmGroup());
  auto device = NewDevice("e1-nocert");
  ASSERT_NE(device, nullptr);
  CheckChallengeRejected(*device, 403, "enrollment.unknown_ek");
}

TEST_F(ThreatsE2e, E1_EkCertificateFromAnUntrustedCa) {
  ASSERT_TRUE(EnsureSwtpmGroup());
  auto rogue = TestManufacturerCa::Generate("rogue manufacturer");
  ASSERT_TRUE(rogue.has_value());
  auto device = DeviceWithEkCert("e1-rogue", *rogue, std::time(nullptr));
  ASSERT_NE(device, nullptr);
  CheckChallengeRejected(*device, 403, "ek.cert_untrusted");
}

// ---------------------------------------------------------------- E2: cert of another EK

TEST_F(ThreatsE2e, E2_ValidEkCertificateOfAnotherEk) {
  ASSERT_TRUE(EnsureSwtpmGroup());
  auto provisioned = attestation::EnsureEk(tpm(), EkType::kRsa2048);
  ASSERT_TRUE(provisioned.has_value());
  auto nv_request = client::BuildChallengeRequest(
      tpm(), "x", EkType::kRsa2048, provisioned->public_area, provisioned->public_area);
  ASSERT_TRUE(nv_request.has_value() && nv_request->ek_certificate.has_value());
  auto device = NewDevice("e2-other", EkType::kRsa2048);
  ASSERT_NE(device, nullptr);
  device->set_ek_certificate(nv_request->ek_certificate);  // the TPM's real cert, other EK
  CheckChallengeRejected(*device, 403, "ek.cert_key_mismatch");
}

// ---------------------------------------------------------------- E3: bad EK certificate

TEST_F(ThreatsE2e, E3_ExpiredEkCertificate) {
  ASSERT_TRUE(EnsureSwtpmGroup());
  auto ca = SwtpmManufacturer();
  ASSERT_TRUE(ca.has_value()) << ca.error().ToString();
  auto device = DeviceWithEkCert("e3-expired", *ca, std::time(nullptr) - 11L * 365 * 86400);
  ASSERT_NE(device, nullptr);
  CheckChallengeRejected(*device, 403, "ek.cert_expired");
}

TEST_F(ThreatsE2e, E3_NotYetValidEkCertificate) {
  ASSERT_TRUE(EnsureSwtpmGroup());
  auto ca = SwtpmManufacturer();
  ASSERT_TRUE(ca.has_value()) << ca.error().ToString();
  auto device = DeviceWithEkCert("e3-future", *ca, std::time(nullptr) + 2L * 86400);
  ASSERT_NE(device, nullptr);
  CheckChallengeRejected(*device, 403, "ek.cert_not_yet_valid");
}

TEST_F(ThreatsE2e, E3_EkCertificateWithWrongKeyUsage) {
  ASSERT_TRUE(EnsureSwtpmGroup());
  auto device = NewDevice("e3-usage");
  ASSERT_NE(device, nullptr);
  auto der = OpensslEkCertificate(device->ek_public(),
                                  "basicConstraints=critical,CA:FALSE\n"
                                  "keyUsage=critical,keyCertSign\n"
                                  "extendedKeyUsage=2.23.133.8.1");
  ASSERT_TRUE(der.has_value() && !der->empty());
  device->set_ek_certificate(*der);
  CheckChallengeRejected(*device, 403, "ek.cert_bad_key_usage");
}

TEST_F(ThreatsE2e, E3_SelfSignedEkCertificate) {
  ASSERT_TRUE(EnsureSwtpmGroup());
  auto device = NewDevice("e3-self");
  ASSERT_NE(device, nullptr);
  auto made = RunCommand(
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
      "-subj /CN=self -days 30 -keyout " +
      ShellQuote(Path("self.key")) + " -outform DER -out " + ShellQuote(Path("self.der")));
  ASSERT_EQ(made.exit_code, 0) << made.output;
  std::ifstream in(Path("self.der"), std::ios::binary);
  device->set_ek_certificate(Bytes(std::istreambuf_iterator<char>(in), {}));
  CheckChallengeRejected(*device, 403, "ek.cert_untrusted");
}

// ---------------------------------------------------------------- E4: takeover

TEST_F(ThreatsE2e, E4_SecondTpmClaimsAnIndividuallyEnrolledId) {
  auto owner = EnrolledDevice("e4-ind");
  ASSERT_NE(owner, nullptr);
  SoftwareDeviceOptions options;
  options.registration_id = owner->id();
  auto attacker = SoftwareDevice::Create(options);
  ASSERT_TRUE(attacker.has_value());
  CheckRejected(kChallenge, api::ToJson(attacker->BuildChallengeRequest()), 409,
                "enrollment.registration_id_taken", owner->id(), "challenge", 1,
                owner->enrollment().serial);
}

TEST_F(ThreatsE2e, E4_SecondTpmClaimsAGroupEnrolledId) {
  ASSERT_TRUE(EnsureSwtpmGroup());
  auto ca = SwtpmManufacturer();
  ASSERT_TRUE(ca.has_value()) << ca.error().ToString();
  auto owner = DeviceWithEkCert("e4-grp", *ca, std::time(nullptr));
  ASSERT_NE(owner, nullptr);
  auto enrolled = Enroll(*owner);
  ASSERT_TRUE(enrolled.has_value()) << enrolled.error().ToString();
  SoftwareDeviceOptions options;
  options.registration_id = owner->id();
  options.ek_issuer = &*ca;  // a genuine TPM of the same manufacturer
  auto attacker = SoftwareDevice::Create(options);
  ASSERT_TRUE(attacker.has_value());
  CheckRejected(kChallenge, api::ToJson(attacker->BuildChallengeRequest()), 409,
                "enrollment.registration_id_taken", owner->id(), "challenge", 1, enrolled->serial);
}

TEST_F(ThreatsE2e, E4_EnrolledTpmCannotClaimASecondId) {
  ASSERT_TRUE(EnsureSwtpmGroup());
  auto ca = SwtpmManufacturer();
  ASSERT_TRUE(ca.has_value());
  auto owner = DeviceWithEkCert("e4-one", *ca, std::time(nullptr));
  ASSERT_NE(owner, nullptr);
  ASSERT_TRUE(Enroll(*owner).has_value());
  auto request = owner->ChallengeRequest();
  ASSERT_TRUE(request.has_value());
  request->registration_id = UniqueId("e4-two");
  CheckRejected(kChallenge, api::ToJson(*request), 403, "enrollment.ek_bound_elsewhere",
                request->registration_id, "challenge");
}

// ---------------------------------------------------------------- E5: AK admission

class E5 : public ThreatsE2e {
 protected:
  void CheckAk(const TpmPublic& ak, const std::string& reason) {
    auto victim = SoftwareDevice::Create(
        SoftwareDeviceOptions{UniqueId("e5"), EkType::kEccP256, KeyAlgorithm::kEccP256, nullptr});
    ASSERT_TRUE(victim.has_value());
    ASSERT_TRUE(RegisterIndividual(victim->registration_id(), victim->ek_public()));
    api::ChallengeRequest request = victim->BuildChallengeRequest();
    request.ak_public = ak.Marshal();
    CheckRejected(kChallenge, api::ToJson(request), 403, reason, victim->registration_id(),
                  "challenge");
  }
  static TpmPublic Forged(TPM2B_PUBLIC tmpl) {
    return *TpmPublic::FromStruct(attestation::testing::GenerateKey(tmpl).pub);
  }
};

TEST_F(E5, E5_AkNotRestricted_TpmIdentityKeySentAsAk) {
  auto device = NewDevice("e5-tpm");
  ASSERT_NE(device, nullptr);
  ASSERT_TRUE(RegisterIndividual(device->id(), device->ek_public()));
  auto request = device->ChallengeRequest();
  ASSERT_TRUE(request.has_value());
  request->ak_public = device->identity_public().Marshal();  // a real TPM key, not restricted
  CheckRejected(kChallenge, api::ToJson(*request), 403, "ak.not_restricted", device->id(),
                "challenge");
}

TEST_F(E5, E5_AkNotFixedTpm) {
  CheckAk(Forged(WithoutAttribute(attestation::AttestationKeyTemplate(KeyAlgorithm::kEccP256),
                                  TPMA_OBJECT_FIXEDTPM)),
          "ak.not_fixed_tpm");
}

TEST_F(E5, E5_AkNotFixedParent) {
  CheckAk(Forged(WithoutAttribute(attestation::AttestationKeyTemplate(KeyAlgorithm::kEccP256),
                                  TPMA_OBJECT_FIXEDPARENT)),
          "ak.not_fixed_parent");
}

TEST_F(E5, E5_AkNotSensitiveDataOrigin) {
  CheckAk(Forged(WithoutAttribute(attestation::AttestationKeyTemplate(KeyAlgorithm::kEccP256),
                                  TPMA_OBJECT_SENSITIVEDATAORIGIN)),
          "ak.not_sensitive_data_origin");
}

TEST_F(E5, E5_AkWeakAlgorithmRsa1024) {
  TPM2B_PUBLIC tmpl = attestation::AttestationKeyTemplate(KeyAlgorithm::kRsa2048);
  tmpl.publicArea.parameters.rsaDetail.keyBits = 1024;
  CheckAk(Forged(tmpl), "ak.weak_algorithm");
}

}  // namespace
}  // namespace edgetrust::e2e
