// THREATS E1-E17 against the real edgetrust-enrolld over TLS. Each test mounts one attack and
// asserts the HTTP status, the reason code, that nothing was issued (registry read with
// sqlite3 and the operator API) and the audit record. The swtpm device mounts every attack a
// TPM can produce; simulated keys (attestation/testing, enrollment/client/testing) forge what a
// TPM never makes (wrong magic, AK/identity attributes) and play a second TPM.
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
#include "enrollment/client/evidence.h"
#include "enrollment/client/protocol_crypto.h"
#include "enrollment/client/testing/manufacturer_ca.h"
#include "enrollment/client/testing/software_device.h"
#include "tests/enrollment_e2e_fixture.h"

namespace edgetrust::e2e {
namespace {

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

constexpr const char* kChallenge = "/v1/attestation/challenge";
constexpr const char* kComplete = "/v1/attestation/complete";

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

TPM2B_PUBLIC WithoutAttribute(TPM2B_PUBLIC tmpl, TPMA_OBJECT bits) {
  tmpl.publicArea.objectAttributes &= ~bits;
  return tmpl;
}

attestation::PcrValues ZeroPcr0() {
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
  auto nv_request = client::BuildChallengeRequest(tpm(), "x", EkType::kRsa2048,
                                                  provisioned->public_area,
                                                  provisioned->public_area);
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
  auto made = RunCommand("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
                         "-subj /CN=self -days 30 -keyout " + ShellQuote(Path("self.key")) +
                         " -outform DER -out " + ShellQuote(Path("self.der")));
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
                "enrollment.registration_id_taken", owner->id(), "challenge", 1,
                enrolled->serial);
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
    auto victim = SoftwareDevice::Create(SoftwareDeviceOptions{UniqueId("e5"), EkType::kEccP256,
                                                               KeyAlgorithm::kEccP256, nullptr});
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

// ---------------------------------------------------------------- E6: wrong secret proof

TEST_F(ThreatsE2e, E6_GuessedProofBurnsTheChallenge) {
  auto device = RegisteredDevice("e6-guess");
  ASSERT_NE(device, nullptr);
  auto challenge = ChallengeFor(*device);
  ASSERT_TRUE(challenge.has_value());
  auto complete = device->CompleteRequest(*challenge);
  ASSERT_TRUE(complete.has_value());
  api::CompleteRequest guessed = *complete;
  guessed.proof = *RandomBytes(32);
  CheckRejected(kComplete, api::ToJson(guessed), 403, "credential.bad_proof", device->id(),
                "complete");
  // The challenge is burned: even the right answer is refused now.
  CheckRejected(kComplete, api::ToJson(*complete), 410, "challenge.used", device->id(),
                "complete", 0, std::nullopt, "");
}

TEST_F(ThreatsE2e, E6_ActivationOnAnotherTpm) {
  // Victim: a registered device (simulated). Attacker: this TPM, with the victim's EK public
  // and its own AK: the credential is bound to the victim's EK.
  auto victim = SoftwareDevice::Create(SoftwareDeviceOptions{UniqueId("e6-victim"),
                                                             EkType::kEccP256,
                                                             KeyAlgorithm::kEccP256, nullptr});
  ASSERT_TRUE(victim.has_value());
  ASSERT_TRUE(RegisterIndividual(victim->registration_id(), victim->ek_public()));
  TpmDeviceOptions options;
  options.registration_id = victim->registration_id();
  auto attacker = TpmDevice::Create(tpm(), srk(), options);
  ASSERT_TRUE(attacker.has_value());
  api::ChallengeRequest request = victim->BuildChallengeRequest();
  request.ak_public = (*attacker)->ak_public().Marshal();
  auto challenge = Challenge(request);
  ASSERT_TRUE(challenge.has_value()) << challenge.error().ToString();
  // The attacker's TPM refuses to activate a credential made for another EK.
  auto complete = (*attacker)->CompleteRequest(*challenge);
  ASSERT_FALSE(complete.has_value());
  EXPECT_EQ(complete.error().reason, "tpm.integrity");
  // So it can only send evidence with a made-up secret.
  api::CompleteRequest forged;
  forged.challenge_id = challenge->challenge_id;
  forged.proof = *RandomBytes(32);
  {
    auto keys = (*attacker)->Load();
    ASSERT_TRUE(keys.has_value());
    auto evidence = client::BuildEvidence(tpm(), keys->ak, keys->identity,
                                          (*attacker)->identity_public(), *RandomBytes(32), "",
                                          victim->registration_id());
    ASSERT_TRUE(evidence.has_value()) << evidence.error().ToString();
    forged.evidence = *evidence;
  }
  CheckRejected(kComplete, api::ToJson(forged), 403, "credential.bad_proof",
                victim->registration_id(), "complete");
}

// ---------------------------------------------------------------- E7: challenge reuse

TEST_F(ThreatsE2e, E7_ReplayedCompleteAfterSuccess) {
  auto device = RegisteredDevice("e7-replay");
  ASSERT_NE(device, nullptr);
  auto challenge = ChallengeFor(*device);
  ASSERT_TRUE(challenge.has_value());
  auto complete = device->CompleteRequest(*challenge);
  ASSERT_TRUE(complete.has_value());
  Answer first = Post(kComplete, api::ToJson(*complete));
  ASSERT_EQ(first.status, 200) << first.body;
  auto issued = api::ParseEnrollmentResponse(first.body);
  ASSERT_TRUE(issued.has_value());
  CheckRejected(kComplete, api::ToJson(*complete), 410, "challenge.used", device->id(),
                "complete", 1, issued->serial, "");
  EXPECT_EQ(CertificateCount(device->id()), 1);
}

TEST_F(ThreatsE2e, E7_UnknownChallenge) {
  auto device = RegisteredDevice("e7-unknown");
  ASSERT_NE(device, nullptr);
  auto challenge = ChallengeFor(*device);
  ASSERT_TRUE(challenge.has_value());
  auto complete = device->CompleteRequest(*challenge);
  ASSERT_TRUE(complete.has_value());
  complete->challenge_id = *RandomBytes(16);
  CheckRejected(kComplete, api::ToJson(*complete), 404, "challenge.unknown", device->id(),
                "complete", 0, std::nullopt, "");
}

TEST_F(ThreatsE2e, E7_ExpiredChallenge) {
  EnrolldOptions options;
  options.options_toml = "challenge_ttl = \"1s\"\n";
  auto short_lived = EnrolldProcess::Start(options);
  ASSERT_TRUE(short_lived.has_value()) << short_lived.error().ToString();
  EnrolldProcess* service = short_lived->get();
  auto device = NewDevice("e7-expired");
  ASSERT_NE(device, nullptr);
  ASSERT_TRUE(RegisterIndividual(device->id(), device->ek_public(), "", service));
  auto request = device->ChallengeRequest();
  ASSERT_TRUE(request.has_value());
  auto challenge = Challenge(*request, service);
  ASSERT_TRUE(challenge.has_value()) << challenge.error().ToString();
  EXPECT_EQ(challenge->expires_in, 1);
  auto complete = device->CompleteRequest(*challenge);
  ASSERT_TRUE(complete.has_value());
  std::this_thread::sleep_for(std::chrono::milliseconds(2200));
  Answer answer = Post(kComplete, api::ToJson(*complete), service);
  EXPECT_TRUE(Rejected(answer, 410, "challenge.expired"));
  EXPECT_TRUE(NothingIssued(device->id(), 0, std::nullopt, service));
  EXPECT_TRUE(AuditHas("", "complete", "challenge.expired", "rejected", 0, service));
}

// ---------------------------------------------------------------- E8: quote forgeries

TEST_F(ThreatsE2e, E8_QuoteSignedByASecondAk) {
  CheckTamperedComplete(
      "e8-otherak",
      [&](TpmDevice& device, const api::ChallengeResponse& challenge, api::CompleteRequest& c) {
        auto secret = Activate(device, challenge);
        ASSERT_TRUE(secret.has_value());
        auto qualifying = client::EnrollmentQualifyingData(*secret, challenge.nonce);
        auto other = device.CreateAndLoad(attestation::AttestationKeyTemplate(KeyAlgorithm::kEccP256));
        ASSERT_TRUE(other.has_value()) << other.error().ToString();
        auto quote = attestation::Quote(tpm(), other->second, *qualifying,
                                        *client::QuoteSelection(challenge.pcr_selection));
        ASSERT_TRUE(quote.has_value()) << quote.error().ToString();
        c.evidence.quote.attest = quote->attest;
        c.evidence.quote.signature = quote->signature;
        c.evidence.quote.pcrs = client::ToPcrMap(quote->pcr_values);
      },
      403, "quote.bad_signature");
}

TEST_F(ThreatsE2e, E8_QuoteSignedByTheIdentityKey) {
  CheckTamperedComplete(
      "e8-idkey",
      [&](TpmDevice& device, const api::ChallengeResponse& challenge, api::CompleteRequest& c) {
        auto secret = Activate(device, challenge);
        ASSERT_TRUE(secret.has_value());
        auto qualifying = client::EnrollmentQualifyingData(*secret, challenge.nonce);
        auto keys = device.Load();
        ASSERT_TRUE(keys.has_value());
        auto quote = attestation::Quote(tpm(), keys->identity, *qualifying,
                                        *client::QuoteSelection(challenge.pcr_selection));
        ASSERT_TRUE(quote.has_value()) << quote.error().ToString();
        c.evidence.quote.attest = quote->attest;
        c.evidence.quote.signature = quote->signature;
      },
      403, "quote.bad_signature");
}

TEST_F(ThreatsE2e, E8_CertifyAttestSentAsQuote) {
  CheckTamperedComplete(
      "e8-type",
      [](TpmDevice&, const api::ChallengeResponse&, api::CompleteRequest& c) {
        c.evidence.quote.attest = c.evidence.certify.attest;  // same AK, same extraData
        c.evidence.quote.signature = c.evidence.certify.signature;
      },
      403, "quote.wrong_type");
}

TEST_F(ThreatsE2e, E8_QuoteWithWrongExtraData) {
  CheckTamperedComplete(
      "e8-nonce",
      [&](TpmDevice& device, const api::ChallengeResponse& challenge, api::CompleteRequest& c) {
        auto keys = device.Load();
        ASSERT_TRUE(keys.has_value());
        auto quote = attestation::Quote(tpm(), keys->ak, *RandomBytes(32),
                                        *client::QuoteSelection(challenge.pcr_selection));
        ASSERT_TRUE(quote.has_value()) << quote.error().ToString();
        c.evidence.quote.attest = quote->attest;
        c.evidence.quote.signature = quote->signature;
        c.evidence.quote.pcrs = client::ToPcrMap(quote->pcr_values);
      },
      403, "quote.nonce_mismatch");
}

TEST_F(ThreatsE2e, E8_QuoteWithWrongMagic) {
  auto forged = ForgedDevice::Create();
  ASSERT_TRUE(forged.has_value()) << forged.error().ToString();
  const std::string id = UniqueId("e8-magic");
  ASSERT_TRUE(RegisterIndividual(id, forged->ek_public));
  auto challenge = Challenge(forged->ChallengeRequest(id));
  ASSERT_TRUE(challenge.has_value()) << challenge.error().ToString();
  auto secret = forged->Activate(*challenge);
  ASSERT_TRUE(secret.has_value()) << secret.error().ToString();
  auto qualifying = client::EnrollmentQualifyingData(*secret, challenge->nonce);
  auto attest = attestation::testing::QuoteAttest(*qualifying, ZeroPcr0());
  ASSERT_TRUE(attest.has_value());
  attest->magic = 0x12345678;  // not TPM_GENERATED_VALUE
  auto quote = forged->ak.Sign(*attest);
  ASSERT_TRUE(quote.has_value());
  auto certify = forged->ak.Sign(
      attestation::testing::CertifyAttest(*qualifying, *forged->identity_public.Name()));
  ASSERT_TRUE(certify.has_value());
  api::CompleteRequest complete;
  complete.challenge_id = challenge->challenge_id;
  complete.proof = *client::EnrollmentProof(*secret, challenge->challenge_id);
  complete.evidence.quote = {quote->attest, quote->signature, client::ToPcrMap(ZeroPcr0())};
  complete.evidence.certify = {certify->attest, certify->signature,
                               forged->identity_public.Marshal()};
  complete.evidence.csr = Bytes{0x30, 0x00};
  CheckRejected(kComplete, api::ToJson(complete), 403, "quote.bad_magic", id, "complete");
}

// ---------------------------------------------------------------- E9: PCR values

TEST_F(ThreatsE2e, E9_PcrValueDoesNotMatchTheQuotedDigest) {
  CheckTamperedComplete(
      "e9-digest",
      [](TpmDevice&, const api::ChallengeResponse&, api::CompleteRequest& c) {
        ASSERT_FALSE(c.evidence.quote.pcrs["sha256"].empty());
        c.evidence.quote.pcrs["sha256"].begin()->second[0] ^= 0x01;
      },
      403, "quote.pcr_digest_mismatch");
}

TEST_F(ThreatsE2e, E9_PcrOutsideTheSignedSelection) {
  CheckTamperedComplete(
      "e9-extra",
      [](TpmDevice&, const api::ChallengeResponse&, api::CompleteRequest& c) {
        c.evidence.quote.pcrs["sha256"][9] = Bytes(32, 0);
      },
      403, "quote.pcr_values_mismatch");
}

TEST_F(ThreatsE2e, E9_SelectionNarrowerThanThePolicy) {
  const std::string policy = UniqueId("e9-policy");
  ASSERT_TRUE(CreatePcrPolicy(policy, "sha256:0,1,2,3", nlohmann::json::array()));
  CheckTamperedComplete(
      "e9-narrow",
      [&](TpmDevice& device, const api::ChallengeResponse& challenge, api::CompleteRequest& c) {
        EXPECT_EQ(challenge.pcr_selection, "sha256:0,1,2,3");
        auto secret = Activate(device, challenge);
        ASSERT_TRUE(secret.has_value());
        auto qualifying = client::EnrollmentQualifyingData(*secret, challenge.nonce);
        auto keys = device.Load();
        ASSERT_TRUE(keys.has_value());
        auto evidence = client::BuildEvidence(tpm(), keys->ak, keys->identity,
                                              device.identity_public(), *qualifying, "sha256:0",
                                              device.id());
        ASSERT_TRUE(evidence.has_value()) << evidence.error().ToString();
        c.evidence = *evidence;
      },
      403, "quote.pcr_selection_narrow", policy);
}

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
        nlohmann::json::array({{{"bank", "sha256"}, {"index", 23}, {"digest", std::string(64, '0')}}})));
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
        auto secret = Activate(device, challenge);
        ASSERT_TRUE(secret.has_value());
        auto qualifying = client::EnrollmentQualifyingData(*secret, challenge.nonce);
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
        auto secret = Activate(device, challenge);
        ASSERT_TRUE(secret.has_value());
        auto qualifying = client::EnrollmentQualifyingData(*secret, challenge.nonce);
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
        auto other = attestation::CreateKey(tpm(), srk().handle,
                                            attestation::IdentityKeyTemplate(KeyAlgorithm::kEccP256));
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
        auto signer = attestation::TpmSigner::Create(tpm(), keys->identity, device.identity_public());
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

// ---------------------------------------------------------------- E14: blocked devices

class E14 : public ThreatsE2e {
 protected:
  void CheckBlocked(const std::string& action, const std::string& reason) {
    auto device = EnrolledDevice("e14-" + action);
    ASSERT_NE(device, nullptr);
    ASSERT_TRUE(DeviceAction(device->id(), action));
    CheckChallengeRejected(*device, 403, reason, 1, device->enrollment().serial);
  }
};

TEST_F(E14, E14_DisabledDeviceCannotReEnroll) { CheckBlocked("disable", "device.disabled"); }
TEST_F(E14, E14_RevokedDeviceCannotReEnroll) { CheckBlocked("revoke", "device.revoked"); }
TEST_F(E14, E14_RetiredDeviceCannotReEnroll) { CheckBlocked("retire", "device.retired"); }

TEST_F(E14, E14_DisabledIndividualEnrollment) {
  auto device = RegisteredDevice("e14-enrollment");
  ASSERT_NE(device, nullptr);
  nlohmann::json body{{"registration_id", device->id()},
                      {"ek_public", api::Base64UrlEncode(device->ek_public().Marshal())},
                      {"enabled", false}};
  OperatorAnswer put =
      Operator("PUT", "/v1/operator/enrollments/individual/" + device->id(), body.dump());
  ASSERT_EQ(put.status, 200) << put.body;
  CheckChallengeRejected(*device, 403, "enrollment.disabled");
}

// ---------------------------------------------------------------- E15: signed requests

class E15 : public ThreatsE2e {
 protected:
  void CheckRenewRejected(const TpmDevice& device, const std::string& body, int status,
                          const std::string& reason, const std::string& path = "") {
    CheckRejected(path.empty() ? "/v1/devices/" + device.id() + "/renew" : path, body, status,
                  reason, device.id(), "renew", 1, device.enrollment().serial);
  }
};

TEST_F(E15, E15_NonceNeverIssued) {
  auto device = EnrolledDevice("e15-bad");
  ASSERT_NE(device, nullptr);
  auto body = device->RenewBody(api::Base64UrlEncode(*RandomBytes(16)));
  ASSERT_TRUE(body.has_value());
  CheckRenewRejected(*device, *body, 403, "jws.bad_nonce");
}

TEST_F(E15, E15_NonceReused) {
  auto device = EnrolledDevice("e15-reuse");
  ASSERT_NE(device, nullptr);
  auto nonce = client().NewNonce();
  ASSERT_TRUE(nonce.has_value());
  auto body = device->RenewBody(*nonce);
  ASSERT_TRUE(body.has_value());
  Answer first = Post("/v1/devices/" + device->id() + "/renew", *body);
  ASSERT_EQ(first.status, 200) << first.body;
  auto renewed = api::ParseEnrollmentResponse(first.body);
  ASSERT_TRUE(renewed.has_value());
  device->set_enrollment(*renewed);
  CheckRejected("/v1/devices/" + device->id() + "/renew", *body, 403, "jws.bad_nonce",
                device->id(), "renew", 2, renewed->serial);
}

TEST_F(E15, E15_NonceMissing) {
  auto device = EnrolledDevice("e15-missing");
  ASSERT_NE(device, nullptr);
  auto nonce = client().NewNonce();
  ASSERT_TRUE(nonce.has_value());
  auto body = device->RenewBody(*nonce);
  ASSERT_TRUE(body.has_value());
  // Re-sign a header without "nonce" with the TPM identity key.
  auto jws = api::ParseFlattenedJws(*body);
  ASSERT_TRUE(jws.has_value());
  Bytes header_bytes = *api::Base64UrlDecode(jws->protected_b64);
  auto header = nlohmann::json::parse(std::string(header_bytes.begin(), header_bytes.end()));
  header.erase("nonce");
  jws->protected_b64 = api::Base64UrlEncode(AsBytes(header.dump()));
  {
    auto keys = device->Load();
    ASSERT_TRUE(keys.has_value());
    auto signer = attestation::TpmSigner::Create(tpm(), keys->identity, device->identity_public());
    ASSERT_TRUE(signer.has_value());
    auto digest = Digest(HashAlgorithm::kSha256, AsBytes(api::SigningInput(*jws)));
    auto der = (*signer)->Sign(*digest);
    ASSERT_TRUE(der.has_value());
    jws->signature_b64 = api::Base64UrlEncode(*api::EcdsaDerToRaw(*der, 32));
  }
  Answer answer = Post("/v1/devices/" + device->id() + "/renew", api::ToJson(*jws));
  EXPECT_EQ(answer.status, 400) << answer.body;
  EXPECT_EQ(answer.reason, "jws.malformed") << answer.body;
  EXPECT_TRUE(NothingIssued(device->id(), 1, device->enrollment().serial));
  EXPECT_TRUE(AuditHas(device->id(), "renew", "jws.malformed"));
}

TEST_F(E15, E15_AnotherDevicesCertificate) {
  auto victim = EnrolledDevice("e15-victim");
  ASSERT_NE(victim, nullptr);
  auto attacker = EnrolledDevice("e15-attacker");
  ASSERT_NE(attacker, nullptr);
  auto nonce = client().NewNonce();
  ASSERT_TRUE(nonce.has_value());
  const std::string path = "/v1/devices/" + victim->id() + "/renew";
  auto body = attacker->RenewBody(*nonce, "", path);
  ASSERT_TRUE(body.has_value());
  CheckRenewRejected(*victim, *body, 403, "jws.not_current_cert", path);
}

TEST_F(E15, E15_RevokedCertificate) {
  auto device = EnrolledDevice("e15-revoked");
  ASSERT_NE(device, nullptr);
  ASSERT_TRUE(DeviceAction(device->id(), "revoke"));
  auto nonce = client().NewNonce();
  ASSERT_TRUE(nonce.has_value());
  auto body = device->RenewBody(*nonce);
  ASSERT_TRUE(body.has_value());
  CheckRenewRejected(*device, *body, 403, "jws.revoked");
}

// ---------------------------------------------------------------- E16: malformed input

class E16 : public ThreatsE2e {
 protected:
  void TearDown() override {
    Answer health = Get("/healthz");
    EXPECT_EQ(health.status, 200) << "service no longer healthy: " << health.body;
    EXPECT_NE(health.body.find("ok"), std::string::npos);
    ThreatsE2e::TearDown();
  }
  // A valid challenge request (registered device) whose EK public `mangle` damages.
  template <typename Mangle>
  void CheckBadEk(std::string_view prefix, Mangle mangle, const std::string& reason) {
    auto device = RegisteredDevice(prefix);
    ASSERT_NE(device, nullptr);
    auto request = device->ChallengeRequest();
    ASSERT_TRUE(request.has_value());
    mangle(request->ek_public);
    CheckRejected(kChallenge, api::ToJson(*request), 400, reason, device->id(), "challenge");
  }
  void CheckBadBody(const std::string& body, int status, const std::string& reason) {
    const int64_t before = CertificateCount();
    Answer answer = Post(kChallenge, body);
    EXPECT_TRUE(Rejected(answer, status, reason));
    EXPECT_EQ(CertificateCount(), before);
  }
};

TEST_F(E16, E16_TruncatedTpm2bPublic) {
  CheckBadEk("e16-truncated", [](Bytes& ek) { ek.resize(ek.size() / 2); }, "tpm.malformed");
}

TEST_F(E16, E16_SizeFieldPastTheBuffer) {
  CheckBadEk("e16-length", [](Bytes& ek) { ek[0] = 0xff; ek[1] = 0xff; }, "tpm.malformed");
}

TEST_F(E16, E16_InvalidBase64) {
  CheckBadBody(R"({"registration_id":"e16-b64","ek_public":"!!not base64!!","ak_public":"AAAA"})",
               400, "request.bad_base64");
}

TEST_F(E16, E16_JsonOfTheWrongShape) {
  CheckBadBody(R"(["registration_id","e16"])", 400, "request.wrong_type");
  CheckBadBody(R"({"registration_id":42,"ek_public":"AAAA","ak_public":"AAAA"})", 400,
               "request.wrong_type");
  CheckBadBody(R"({"registration_id":"e16-x","ek_public":"AAAA","ak_public":"AAAA","x":1})", 400,
               "request.unknown_field");
  CheckBadBody(R"({"registration_id":"e16-x")", 400, "request.malformed_json");
}

TEST_F(E16, E16_DuplicateKeys) {
  CheckBadBody(
      R"({"registration_id":"e16-a","registration_id":"e16-b","ek_public":"AAAA","ak_public":"AAAA"})",
      400, "request.malformed_json");
}

TEST_F(E16, E16_HundredKibBody) {
  std::string body = R"({"registration_id":")" + std::string(100 * 1024, 'a') + R"("})";
  CheckBadBody(body, 413, "request.too_large");
  Answer complete = Post(kComplete, body);
  EXPECT_TRUE(Rejected(complete, 413, "request.too_large"));
}

TEST_F(E16, E16_MalformedAttestInComplete) {
  CheckTamperedComplete(
      "e16-attest",
      [](TpmDevice&, const api::ChallengeResponse&, api::CompleteRequest& c) {
        c.evidence.quote.attest.resize(10);
      },
      400, "quote.malformed");
}

// ---------------------------------------------------------------- E17: operator credentials

TEST_F(ThreatsE2e, E17_OperatorApiWithoutClientCertificate) {
  const std::string id = UniqueId("e17-none");
  nlohmann::json body{{"group_id", id}, {"manufacturer_ca_pem", "x"}};
  OperatorAnswer list = Operator("GET", "/v1/operator/devices", "", nullptr, "-");
  EXPECT_TRUE(list.curl_exit != 0 || list.status / 100 != 2)
      << "curl " << list.curl_exit << " HTTP " << list.status << " " << list.body;
  OperatorAnswer write =
      Operator("POST", "/v1/operator/enrollments/groups", body.dump(), nullptr, "-");
  EXPECT_TRUE(write.curl_exit != 0 || write.status / 100 != 2) << write.status << write.body;
  EXPECT_EQ(Operator("GET", "/v1/operator/enrollments/groups/" + id).status, 404);
}

TEST_F(ThreatsE2e, E17_OperatorApiWithAnUntrustedClientCertificate) {
  const std::string id = UniqueId("e17-untrusted");
  nlohmann::json body{{"group_id", id}, {"manufacturer_ca_pem", "x"}};
  OperatorAnswer list = Operator("GET", "/v1/operator/devices", "", nullptr,
                                 enrolld().untrusted_client_cert_path(),
                                 enrolld().untrusted_client_key_path());
  EXPECT_TRUE(list.curl_exit != 0 || list.status / 100 != 2)
      << "curl " << list.curl_exit << " HTTP " << list.status << " " << list.body;
  OperatorAnswer write = Operator("POST", "/v1/operator/enrollments/groups", body.dump(), nullptr,
                                  enrolld().untrusted_client_cert_path(),
                                  enrolld().untrusted_client_key_path());
  EXPECT_TRUE(write.curl_exit != 0 || write.status / 100 != 2) << write.status << write.body;
  EXPECT_EQ(Operator("GET", "/v1/operator/enrollments/groups/" + id).status, 404);
  // The device listener does not serve the operator API either.
  Answer device_side = Get("/v1/operator/devices");
  EXPECT_EQ(device_side.status, 404) << device_side.body;
}

}  // namespace
}  // namespace edgetrust::e2e
