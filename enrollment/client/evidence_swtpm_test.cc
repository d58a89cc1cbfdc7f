// Evidence from a real (software) TPM, checked by the service's verifiers in process without
// the service library: MakeCredential to the TPM's EK, then proof, quote, certify and CSR.
#include "enrollment/client/evidence.h"

#include <gtest/gtest.h>

#include "attestation/ek_certificate.h"
#include "attestation/keys.h"
#include "attestation/primary_keys.h"
#include "certs/csr.h"
#include "common/crypto.h"
#include "enrollment/api/protocol_crypto.h"
#include "enrollment/client/testing/reference_verifier.h"
#include "swtpm/tpm_test.h"

namespace edgetrust::enrollment::client {
namespace {

using attestation::EkType;
using attestation::KeyAlgorithm;
using attestation::KeyBlob;
using attestation::TpmPublic;

class EvidenceTest : public swtpm::TpmTest {
 protected:
  KeyBlob NewKey(const TPM2B_PUBLIC& tmpl) {
    auto blob = attestation::CreateKey(tpm(), srk().handle, tmpl);
    EXPECT_TRUE(blob.has_value()) << blob.error().ToString();
    return blob ? *blob : KeyBlob{};
  }
  static TpmPublic Public(const KeyBlob& blob) { return *TpmPublic::FromStruct(blob.public_area); }
};

TEST_F(EvidenceTest, CompleteRequestPassesTheServiceChecks) {
  struct Case {
    EkType ek;
    KeyAlgorithm identity;
    bool has_cert;  // swtpm_setup certifies the RSA-2048 and P-384 EKs only
  };
  for (Case c : {Case{EkType::kRsa2048, KeyAlgorithm::kEccP256, true},
                 Case{EkType::kEccP384, KeyAlgorithm::kRsa2048, true},
                 Case{EkType::kEccP256, KeyAlgorithm::kEccP256, false}}) {
    SCOPED_TRACE(std::string(attestation::GetEkProfile(c.ek).name));
    auto ek = attestation::EnsureEk(tpm(), c.ek);
    ASSERT_TRUE(ek.has_value()) << ek.error().ToString();
    KeyBlob ak_blob = NewKey(attestation::AttestationKeyTemplate(KeyAlgorithm::kEccP256));
    KeyBlob id_blob = NewKey(attestation::IdentityKeyTemplate(c.identity));

    auto request =
        BuildChallengeRequest(tpm(), "device-0001", c.ek, ek->public_area, Public(ak_blob));
    ASSERT_TRUE(request.has_value()) << request.error().ToString();
    EXPECT_EQ(request->ek_public, ek->public_area.Marshal());
    ASSERT_EQ(request->ek_certificate.has_value(), c.has_cert);
    if (c.has_cert) {
      auto cert = certs::Certificate::FromDer(*request->ek_certificate);
      ASSERT_TRUE(cert.has_value());
      EXPECT_TRUE(attestation::CheckEkCertificateKey(*cert, ek->public_area));
    }

    auto challenge = testing::MakeReferenceChallenge(*request, "sha256:0,1,2,3,4,5,6,7");
    ASSERT_TRUE(challenge.has_value()) << challenge.error().ToString();
    Result<api::CompleteRequest> complete;
    {
      auto ak = attestation::LoadKey(tpm(), srk().handle, ak_blob);
      auto identity = attestation::LoadKey(tpm(), srk().handle, id_blob);
      ASSERT_TRUE(ak.has_value() && identity.has_value());
      TpmPublic identity_public = Public(id_blob);
      TpmDeviceKeys keys{tpm(), c.ek, *ek, *ak, *identity, identity_public};
      complete = BuildCompleteRequest(keys, "device-0001", challenge->response);
    }
    ASSERT_TRUE(complete.has_value()) << complete.error().ToString();
    EXPECT_EQ(complete->challenge_id, challenge->response.challenge_id);
    EXPECT_EQ(complete->evidence.quote.pcrs.at("sha256").size(), 8u);
    auto key = testing::VerifyReferenceComplete(*request, *challenge, *complete);
    ASSERT_TRUE(key.has_value()) << key.error().ToString();
    EXPECT_TRUE(key->Equals(*Public(id_blob).ToPublicKey()));
    auto csr = certs::Csr::FromDer(complete->evidence.csr);
    ASSERT_TRUE(csr.has_value());
    EXPECT_EQ(csr->requested_common_name(), "device-0001");

    // The same evidence is worthless for another challenge (E7/E8).
    auto other = testing::MakeReferenceChallenge(*request, "sha256:0,1,2,3,4,5,6,7");
    ASSERT_TRUE(other.has_value());
    complete->challenge_id = other->response.challenge_id;
    auto replay = testing::VerifyReferenceComplete(*request, *other, *complete);
    ASSERT_FALSE(replay.has_value());
    EXPECT_EQ(replay.error().reason, "credential.bad_proof");
  }
}

TEST_F(EvidenceTest, CredentialForAnotherAkIsRefusedByTheTpm) {
  auto ek = attestation::EnsureEk(tpm(), EkType::kRsa2048);
  ASSERT_TRUE(ek.has_value());
  KeyBlob ak_blob = NewKey(attestation::AttestationKeyTemplate(KeyAlgorithm::kEccP256));
  KeyBlob other_ak = NewKey(attestation::AttestationKeyTemplate(KeyAlgorithm::kEccP256));
  KeyBlob id_blob = NewKey(attestation::IdentityKeyTemplate(KeyAlgorithm::kEccP256));
  auto request = BuildChallengeRequest(tpm(), "device-0002", EkType::kRsa2048, ek->public_area,
                                       Public(other_ak));
  ASSERT_TRUE(request.has_value());
  auto challenge = testing::MakeReferenceChallenge(*request, "");
  ASSERT_TRUE(challenge.has_value());
  auto ak = attestation::LoadKey(tpm(), srk().handle, ak_blob);
  auto identity = attestation::LoadKey(tpm(), srk().handle, id_blob);
  ASSERT_TRUE(ak.has_value() && identity.has_value());
  TpmPublic identity_public = Public(id_blob);
  TpmDeviceKeys keys{tpm(), EkType::kRsa2048, *ek, *ak, *identity, identity_public};
  auto complete = BuildCompleteRequest(keys, "device-0002", challenge->response);
  ASSERT_FALSE(complete.has_value());
  EXPECT_EQ(complete.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(complete.error().reason, "tpm.integrity");
}

TEST_F(EvidenceTest, RenewPayloadIsBoundToTheNonce) {
  KeyBlob ak_blob = NewKey(attestation::AttestationKeyTemplate(KeyAlgorithm::kEccP256));
  KeyBlob id_blob = NewKey(attestation::IdentityKeyTemplate(KeyAlgorithm::kEccP256));
  Bytes nonce = *RandomBytes(16);
  Result<api::RenewPayload> payload;
  {
    auto ak = attestation::LoadKey(tpm(), srk().handle, ak_blob);
    auto identity = attestation::LoadKey(tpm(), srk().handle, id_blob);
    ASSERT_TRUE(ak.has_value() && identity.has_value());
    payload = BuildRenewPayload(tpm(), *ak, *identity, Public(id_blob), "device-0003", nonce, "");
  }
  ASSERT_TRUE(payload.has_value()) << payload.error().ToString();
  auto ok = testing::VerifyReferenceEvidence(payload->evidence, Public(ak_blob).Marshal(),
                                             *api::RenewQualifyingData(nonce), "");
  ASSERT_TRUE(ok.has_value()) << ok.error().ToString();
  Bytes other = nonce;
  other[0] ^= 1;
  auto wrong = testing::VerifyReferenceEvidence(payload->evidence, Public(ak_blob).Marshal(),
                                                *api::RenewQualifyingData(other), "");
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error().reason, "quote.nonce_mismatch");
}

TEST_F(EvidenceTest, InvalidRegistrationIdIsRefused) {
  auto ek = attestation::EnsureEk(tpm(), EkType::kRsa2048);
  ASSERT_TRUE(ek.has_value());
  auto request =
      BuildChallengeRequest(tpm(), "-bad", EkType::kRsa2048, ek->public_area, ek->public_area);
  ASSERT_FALSE(request.has_value());
  EXPECT_EQ(request.error().reason, "request.bad_registration_id");
}

}  // namespace
}  // namespace edgetrust::enrollment::client
