#include "enrollment/client/testing/reference_verifier.h"

#include "attestation/certify_verifier.h"
#include "attestation/make_credential.h"
#include "attestation/quote_verifier.h"
#include "attestation/tpm_public.h"
#include "certs/csr.h"
#include "common/crypto.h"
#include "enrollment/api/protocol_crypto.h"

namespace edgetrust::enrollment::client::testing {
namespace {

Result<attestation::PcrValues> FromPcrMap(const api::PcrMap& map) {
  attestation::PcrValues values;
  for (const auto& [bank, entries] : map) {
    auto alg = ParseHashAlgorithm(bank);
    if (!alg) return Fail(alg.error());
    for (const auto& [index, digest] : entries) values.push_back({*alg, index, digest});
  }
  return values;
}

}  // namespace

Result<ReferenceChallenge> MakeReferenceChallenge(const api::ChallengeRequest& request,
                                                  const std::string& pcr_selection) {
  auto ek = attestation::TpmPublic::Parse(request.ek_public);
  if (!ek) return Fail(ek.error());
  auto ak = attestation::TpmPublic::Parse(request.ak_public);
  if (!ak) return Fail(ak.error());
  auto name = ak->Name();
  if (!name) return Fail(name.error());
  auto secret = RandomSecret(32);
  if (!secret) return Fail(secret.error());
  auto blob = attestation::MakeCredential(*ek, *name, *secret);
  if (!blob) return Fail(blob.error());
  auto challenge_id = RandomBytes(16);
  auto nonce = RandomBytes(32);
  if (!challenge_id || !nonce) return Fail(ErrorCode::kInternal, "crypto.openssl", "random");
  ReferenceChallenge out;
  out.response.challenge_id = std::move(*challenge_id);
  out.response.id_object = std::move(blob->id_object);
  out.response.encrypted_secret = std::move(blob->encrypted_secret);
  out.response.nonce = std::move(*nonce);
  out.response.pcr_selection = pcr_selection;
  out.response.expires_in = 60;
  out.secret = std::move(*secret);
  return out;
}

Result<PublicKey> VerifyReferenceEvidence(const api::Evidence& evidence, ByteView ak_public,
                                          ByteView qualifying_data,
                                          const std::string& pcr_selection) {
  auto ak = attestation::TpmPublic::Parse(ak_public);
  if (!ak) return Fail(ak.error());
  auto required = api::QuoteSelection(pcr_selection);
  if (!required) return Fail(required.error());
  auto values = FromPcrMap(evidence.quote.pcrs);
  if (!values) return Fail(values.error());
  auto quote = attestation::VerifyQuote(*ak, evidence.quote.attest, evidence.quote.signature,
                                        *values, {qualifying_data, *required});
  if (!quote) return Fail(quote.error());
  auto identity = attestation::TpmPublic::Parse(evidence.certify.identity_public);
  if (!identity) return Fail(identity.error());
  auto certify = attestation::VerifyCertify(*ak, evidence.certify.attest,
                                            evidence.certify.signature, *identity, qualifying_data);
  if (!certify) return Fail(certify.error());
  auto csr = certs::Csr::FromDer(evidence.csr);
  if (!csr) return Fail(csr.error());
  if (auto ok = csr->VerifySignature(); !ok) return Fail(ok.error());
  auto csr_key = csr->public_key();
  if (!csr_key) return Fail(csr_key.error());
  if (!csr_key->Equals(certify->certified_key())) {
    return Fail(ErrorCode::kPermissionDenied, "csr.key_mismatch",
                "CSR key is not the certified identity key");
  }
  return certify->certified_key();
}

Result<PublicKey> VerifyReferenceComplete(const api::ChallengeRequest& request,
                                          const ReferenceChallenge& challenge,
                                          const api::CompleteRequest& complete) {
  if (!ConstantTimeEquals(complete.challenge_id, challenge.response.challenge_id)) {
    return Fail(ErrorCode::kNotFound, "challenge.unknown", "another challenge id");
  }
  auto proof = api::EnrollmentProof(challenge.secret, challenge.response.challenge_id);
  if (!proof) return Fail(proof.error());
  if (!ConstantTimeEquals(*proof, complete.proof)) {
    return Fail(ErrorCode::kPermissionDenied, "credential.bad_proof", "wrong proof");
  }
  auto qualifying = api::EnrollmentQualifyingData(challenge.secret, challenge.response.nonce);
  if (!qualifying) return Fail(qualifying.error());
  return VerifyReferenceEvidence(complete.evidence, request.ak_public, *qualifying,
                                 challenge.response.pcr_selection);
}

}  // namespace edgetrust::enrollment::client::testing
