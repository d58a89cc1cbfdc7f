#include "enrollment/client/evidence.h"

#include <string>

#include "attestation/activate.h"
#include "attestation/ek_certificate.h"
#include "attestation/make_credential.h"
#include "attestation/quote.h"
#include "attestation/tpm_signer.h"
#include "certs/csr.h"
#include "enrollment/api/protocol_crypto.h"

namespace edgetrust::enrollment::client {

Result<api::ChallengeRequest> BuildChallengeRequest(attestation::Tpm& tpm,
                                                    std::string_view registration_id,
                                                    attestation::EkType ek_type,
                                                    const attestation::TpmPublic& ek_public,
                                                    const attestation::TpmPublic& ak_public) {
  if (!api::ValidRegistrationId(registration_id)) {
    return Fail(ErrorCode::kInvalidArgument, "request.bad_registration_id",
                "registration id must be 1-128 of [A-Za-z0-9._:-]");
  }
  api::ChallengeRequest request;
  request.registration_id = std::string(registration_id);
  request.ek_public = ek_public.Marshal();
  request.ak_public = ak_public.Marshal();
  auto cert = attestation::ReadEkCertificate(tpm, ek_type);
  if (cert) {
    request.ek_certificate = cert->der();
  } else if (cert.error().code != ErrorCode::kNotFound) {
    return Fail(cert.error());
  }
  return request;
}

Result<api::Evidence> BuildEvidence(attestation::Tpm& tpm, const attestation::TransientHandle& ak,
                                    const attestation::TransientHandle& identity,
                                    const attestation::TpmPublic& identity_public,
                                    ByteView qualifying_data, std::string_view pcr_selection,
                                    std::string_view common_name) {
  auto selection = api::QuoteSelection(pcr_selection);
  if (!selection) return Fail(selection.error());
  auto quote = attestation::Quote(tpm, ak, qualifying_data, *selection);
  if (!quote) return Fail(quote.error());
  auto certify = attestation::Certify(tpm, identity, ak, qualifying_data);
  if (!certify) return Fail(certify.error());
  auto signer = attestation::TpmSigner::Create(tpm, identity, identity_public);
  if (!signer) return Fail(signer.error());
  auto csr = certs::BuildCsr(**signer, common_name);
  if (!csr) return Fail(csr.error());

  api::Evidence evidence;
  evidence.quote.attest = std::move(quote->attest);
  evidence.quote.signature = std::move(quote->signature);
  evidence.quote.pcrs = api::ToPcrMap(quote->pcr_values);
  evidence.certify.attest = std::move(certify->attest);
  evidence.certify.signature = std::move(certify->signature);
  evidence.certify.identity_public = identity_public.Marshal();
  evidence.csr = std::move(*csr);
  return evidence;
}

Result<api::CompleteRequest> BuildCompleteRequest(const TpmDeviceKeys& keys,
                                                  std::string_view registration_id,
                                                  const api::ChallengeResponse& challenge) {
  attestation::CredentialBlob blob{challenge.id_object, challenge.encrypted_secret};
  auto secret = attestation::ActivateCredential(keys.tpm, keys.ak, keys.ek, keys.ek_type, blob);
  if (!secret) return Fail(secret.error());
  auto qualifying = api::EnrollmentQualifyingData(*secret, challenge.nonce);
  if (!qualifying) return Fail(qualifying.error());
  auto proof = api::EnrollmentProof(*secret, challenge.challenge_id);
  if (!proof) return Fail(proof.error());
  auto evidence = BuildEvidence(keys.tpm, keys.ak, keys.identity, keys.identity_public, *qualifying,
                                challenge.pcr_selection, registration_id);
  if (!evidence) return Fail(evidence.error());
  return api::CompleteRequest{challenge.challenge_id, std::move(*proof), std::move(*evidence)};
}

Result<api::RenewPayload> BuildRenewPayload(attestation::Tpm& tpm,
                                            const attestation::TransientHandle& ak,
                                            const attestation::TransientHandle& identity,
                                            const attestation::TpmPublic& identity_public,
                                            std::string_view device_id, ByteView nonce,
                                            std::string_view pcr_selection) {
  auto qualifying = api::RenewQualifyingData(nonce);
  if (!qualifying) return Fail(qualifying.error());
  auto evidence =
      BuildEvidence(tpm, ak, identity, identity_public, *qualifying, pcr_selection, device_id);
  if (!evidence) return Fail(evidence.error());
  return api::RenewPayload{std::move(*evidence)};
}

}  // namespace edgetrust::enrollment::client
