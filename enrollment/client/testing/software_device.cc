#include "enrollment/client/testing/software_device.h"

#include <openssl/pem.h>

#include <ctime>

#include "attestation/software_activate.h"
#include "attestation/testing/generated_key.h"
#include "attestation/tpm_signer.h"
#include "certs/csr.h"
#include "certs/testing/software_signer.h"
#include "common/openssl.h"
#include "enrollment/api/protocol_crypto.h"

namespace edgetrust::enrollment::client::testing {
namespace {

using attestation::testing::GenerateKey;

// IdentitySigner wraps a generated identity key in a software Signer with the algorithm the
// key's TPM scheme names (as TpmSigner would).
Result<std::shared_ptr<const certs::Signer>> IdentitySigner(
    const attestation::testing::GeneratedKey& key, const attestation::TpmPublic& pub) {
  auto algorithm = attestation::SignatureAlgorithmOf(pub);
  if (!algorithm) return Fail(algorithm.error());
  auto public_key = pub.ToPublicKey();
  if (!public_key) return Fail(public_key.error());
  OpenSslPtr<BIO> bio(
      BIO_new_mem_buf(key.private_pem.data(), static_cast<int>(key.private_pem.size())));
  std::shared_ptr<evp_pkey_st> pkey(
      bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr, EVP_PKEY_free);
  if (!pkey) {
    return std::unexpected(
        OpenSslError(ErrorCode::kInternal, "crypto.openssl", "PEM_read_bio_PrivateKey"));
  }
  return std::make_shared<certs::testing::SoftwareSigner>(std::move(pkey), std::move(*public_key),
                                                          *algorithm);
}

}  // namespace

Result<SoftwareDevice> SoftwareDevice::Create(const SoftwareDeviceOptions& options) {
  if (!api::ValidRegistrationId(options.registration_id)) {
    return Fail(ErrorCode::kInvalidArgument, "request.bad_registration_id",
                "invalid registration id");
  }
  auto ek = GenerateKey(attestation::EkTemplate(options.ek_type));
  auto ek_public = attestation::TpmPublic::FromStruct(ek.pub);
  if (!ek_public) return Fail(ek_public.error());
  auto ak = attestation::testing::SoftwareKey::Create(
      attestation::AttestationKeyTemplate(attestation::KeyAlgorithm::kEccP256));
  if (!ak) return Fail(ak.error());
  auto identity = GenerateKey(attestation::IdentityKeyTemplate(options.identity_algorithm));
  auto identity_public = attestation::TpmPublic::FromStruct(identity.pub);
  if (!identity_public) return Fail(identity_public.error());
  auto signer = IdentitySigner(identity, *identity_public);
  if (!signer) return Fail(signer.error());

  SoftwareDevice device(options.registration_id, options.ek_type,
                        std::make_shared<const std::string>(std::move(ek.private_pem)),
                        std::move(*ek_public), std::move(*ak), std::move(*identity_public),
                        std::move(*signer));
  if (options.ek_issuer != nullptr) {
    auto key = device.ek_public_.ToPublicKey();
    if (!key) return Fail(key.error());
    auto cert = options.ek_issuer->IssueEkCertificate(*key, std::time(nullptr));
    if (!cert) return Fail(cert.error());
    device.ek_certificate_ = std::move(*cert);
  }
  auto csr = certs::BuildCsr(*device.identity_signer_, device.registration_id_);
  if (!csr) return Fail(csr.error());
  device.csr_ = std::move(*csr);
  return device;
}

void SoftwareDevice::SetPcr(HashAlgorithm bank, uint32_t index, Bytes digest) {
  pcrs_[{bank, index}] = std::move(digest);
}

api::ChallengeRequest SoftwareDevice::BuildChallengeRequest() const {
  api::ChallengeRequest request;
  request.registration_id = registration_id_;
  request.ek_public = ek_public_.Marshal();
  if (ek_certificate_) request.ek_certificate = ek_certificate_->der();
  request.ak_public = ak_.public_area().Marshal();
  return request;
}

Result<SecretBytes> SoftwareDevice::ActivateCredential(
    const api::ChallengeResponse& challenge) const {
  auto ak_name = ak_.public_area().Name();
  if (!ak_name) return Fail(ak_name.error());
  attestation::CredentialBlob blob{challenge.id_object, challenge.encrypted_secret};
  return attestation::ActivateCredentialInSoftware(*ek_private_pem_, ek_public_, *ak_name, blob);
}

Result<api::Evidence> SoftwareDevice::BuildEvidence(ByteView qualifying_data,
                                                    std::string_view pcr_selection,
                                                    std::string_view common_name) const {
  auto selection = api::QuoteSelection(pcr_selection);
  if (!selection) return Fail(selection.error());
  attestation::PcrValues values;
  for (const attestation::PcrBank& bank : *selection) {
    for (uint32_t index : bank.indices) {
      auto it = pcrs_.find({bank.alg, index});
      values.push_back(
          {bank.alg, index, it != pcrs_.end() ? it->second : Bytes(DigestSize(bank.alg), 0)});
    }
  }
  auto quote_attest = attestation::testing::QuoteAttest(qualifying_data, values);
  if (!quote_attest) return Fail(quote_attest.error());
  auto quote = ak_.Sign(*quote_attest);
  if (!quote) return Fail(quote.error());
  auto identity_name = identity_public_.Name();
  if (!identity_name) return Fail(identity_name.error());
  auto certify = ak_.Sign(attestation::testing::CertifyAttest(qualifying_data, *identity_name));
  if (!certify) return Fail(certify.error());

  api::Evidence evidence;
  if (common_name == registration_id_) {
    evidence.csr = csr_;
  } else {
    auto csr = certs::BuildCsr(*identity_signer_, common_name);
    if (!csr) return Fail(csr.error());
    evidence.csr = std::move(*csr);
  }
  evidence.quote.attest = std::move(quote->attest);
  evidence.quote.signature = std::move(quote->signature);
  evidence.quote.pcrs = api::ToPcrMap(values);
  evidence.certify.attest = std::move(certify->attest);
  evidence.certify.signature = std::move(certify->signature);
  evidence.certify.identity_public = identity_public_.Marshal();
  return evidence;
}

Result<api::CompleteRequest> SoftwareDevice::BuildCompleteRequest(
    const api::ChallengeResponse& challenge) const {
  auto secret = ActivateCredential(challenge);
  if (!secret) return Fail(secret.error());
  auto qualifying = api::EnrollmentQualifyingData(*secret, challenge.nonce);
  if (!qualifying) return Fail(qualifying.error());
  auto proof = api::EnrollmentProof(*secret, challenge.challenge_id);
  if (!proof) return Fail(proof.error());
  auto evidence = BuildEvidence(*qualifying, challenge.pcr_selection, registration_id_);
  if (!evidence) return Fail(evidence.error());
  return api::CompleteRequest{challenge.challenge_id, std::move(*proof), std::move(*evidence)};
}

Result<api::RenewPayload> SoftwareDevice::BuildRenewPayload(ByteView nonce,
                                                            std::string_view pcr_selection) const {
  auto qualifying = api::RenewQualifyingData(nonce);
  if (!qualifying) return Fail(qualifying.error());
  auto evidence = BuildEvidence(*qualifying, pcr_selection, registration_id_);
  if (!evidence) return Fail(evidence.error());
  return api::RenewPayload{std::move(*evidence)};
}

}  // namespace edgetrust::enrollment::client::testing
