// THREATS E6-E9 against the running edgetrust-enrolld: the secret proof, challenge reuse,
// quote forgeries and PCR values that do not match the quote.
#include <gtest/gtest.h>

#include "tests/enrollment_threats_e2e.h"

namespace edgetrust::e2e {
namespace {

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
  CheckRejected(kComplete, api::ToJson(*complete), 410, "challenge.used", device->id(), "complete",
                0, std::nullopt, "");
}

TEST_F(ThreatsE2e, E6_ActivationOnAnotherTpm) {
  // Victim: a registered device (simulated). Attacker: this TPM, with the victim's EK public
  // and its own AK: the credential is bound to the victim's EK.
  auto victim = SoftwareDevice::Create(SoftwareDeviceOptions{
      UniqueId("e6-victim"), EkType::kEccP256, KeyAlgorithm::kEccP256, nullptr});
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
    auto evidence =
        client::BuildEvidence(tpm(), keys->ak, keys->identity, (*attacker)->identity_public(),
                              *RandomBytes(32), "", victim->registration_id());
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
  CheckRejected(kComplete, api::ToJson(*complete), 410, "challenge.used", device->id(), "complete",
                1, issued->serial, "");
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
        auto qualifying = Qualifying(device, challenge);
        ASSERT_TRUE(qualifying.has_value());
        auto other =
            device.CreateAndLoad(attestation::AttestationKeyTemplate(KeyAlgorithm::kEccP256));
        ASSERT_TRUE(other.has_value()) << other.error().ToString();
        auto quote = attestation::Quote(tpm(), other->second, *qualifying,
                                        *api::QuoteSelection(challenge.pcr_selection));
        ASSERT_TRUE(quote.has_value()) << quote.error().ToString();
        c.evidence.quote.attest = quote->attest;
        c.evidence.quote.signature = quote->signature;
        c.evidence.quote.pcrs = api::ToPcrMap(quote->pcr_values);
      },
      403, "quote.bad_signature");
}

TEST_F(ThreatsE2e, E8_QuoteSignedByTheIdentityKey) {
  CheckTamperedComplete(
      "e8-idkey",
      [&](TpmDevice& device, const api::ChallengeResponse& challenge, api::CompleteRequest& c) {
        auto qualifying = Qualifying(device, challenge);
        ASSERT_TRUE(qualifying.has_value());
        auto keys = device.Load();
        ASSERT_TRUE(keys.has_value());
        auto quote = attestation::Quote(tpm(), keys->identity, *qualifying,
                                        *api::QuoteSelection(challenge.pcr_selection));
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
                                        *api::QuoteSelection(challenge.pcr_selection));
        ASSERT_TRUE(quote.has_value()) << quote.error().ToString();
        c.evidence.quote.attest = quote->attest;
        c.evidence.quote.signature = quote->signature;
        c.evidence.quote.pcrs = api::ToPcrMap(quote->pcr_values);
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
  auto qualifying = api::EnrollmentQualifyingData(*secret, challenge->nonce);
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
  complete.proof = *api::EnrollmentProof(*secret, challenge->challenge_id);
  complete.evidence.quote = {quote->attest, quote->signature, api::ToPcrMap(ZeroPcr0())};
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
        auto qualifying = Qualifying(device, challenge);
        ASSERT_TRUE(qualifying.has_value());
        auto keys = device.Load();
        ASSERT_TRUE(keys.has_value());
        auto evidence =
            client::BuildEvidence(tpm(), keys->ak, keys->identity, device.identity_public(),
                                  *qualifying, "sha256:0", device.id());
        ASSERT_TRUE(evidence.has_value()) << evidence.error().ToString();
        c.evidence = *evidence;
      },
      403, "quote.pcr_selection_narrow", policy);
}

}  // namespace
}  // namespace edgetrust::e2e
