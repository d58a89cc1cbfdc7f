#include "daemon/service/enroller.h"

#include "certs/certificate.h"
#include "common/crypto.h"
#include "enrollment/client/evidence.h"

namespace edgetrust::daemon::service {
namespace {

namespace api = enrollment::api;
namespace client = enrollment::client;

// LockedSigner signs with the identity key, taking the TPM lock for each signature only (the
// JWS of a renewal is signed while the request is being built, not while it travels).
class LockedSigner final : public certs::Signer {
 public:
  LockedSigner(const WithTpm& with_tpm, certs::SignatureAlgorithm algorithm, PublicKey key)
      : with_tpm_(with_tpm), algorithm_(algorithm), key_(std::move(key)) {}
  certs::SignatureAlgorithm algorithm() const override { return algorithm_; }
  const PublicKey& public_key() const override { return key_; }
  Result<Bytes> Sign(ByteView digest) const override {
    Result<Bytes> signature = Fail(ErrorCode::kInternal, "signer.not_run", "no signature");
    auto done = with_tpm_([&](DeviceTpm& device) -> Status {
      signature = device.signer().Sign(digest);
      return signature ? Ok() : Status(Fail(signature.error()));
    });
    if (!done) return Fail(done.error());
    return signature;
  }

 private:
  const WithTpm& with_tpm_;
  certs::SignatureAlgorithm algorithm_;
  PublicKey key_;
};

}  // namespace

Result<Enrollment> EnrollDevice(const client::EnrollmentClient& service, const WithTpm& with_tpm,
                                const RecordOwned& record_owned, std::string_view registration_id) {
  Result<api::ChallengeRequest> request = Fail(ErrorCode::kInternal, "daemon.not_run", "");
  auto built = with_tpm([&](DeviceTpm& device) -> Status {
    auto ek = device.EnsureEk(record_owned);
    if (!ek) return Fail(ek.error());
    request = client::BuildChallengeRequest(device.tpm(), registration_id, device.ek_type(),
                                            (*ek)->public_area, device.ak_public());
    return request ? Ok() : Status(Fail(request.error()));
  });
  if (!built) return Fail(built.error());

  auto challenge = service.Challenge(*request);
  if (!challenge) return Fail(challenge.error());

  Result<api::CompleteRequest> complete = Fail(ErrorCode::kInternal, "daemon.not_run", "");
  auto answered = with_tpm([&](DeviceTpm& device) -> Status {
    auto ek = device.EnsureEk(record_owned);  // cached: no TPM command
    if (!ek) return Fail(ek.error());
    auto ak = device.LoadAk();
    if (!ak) return Fail(ak.error());
    client::TpmDeviceKeys keys{device.tpm(), device.ek_type(),  **ek,
                               *ak,          device.identity(), device.identity_public()};
    complete = client::BuildCompleteRequest(keys, registration_id, *challenge);
    return complete ? Ok() : Status(Fail(complete.error()));
  });
  if (!answered) return Fail(answered.error());

  auto enrolled = service.Complete(*complete);
  if (!enrolled) return Fail(enrolled.error());
  return Enrollment{std::move(*enrolled), challenge->pcr_selection};
}

Result<api::EnrollmentResponse> RenewDevice(const client::EnrollmentClient& service,
                                            const WithTpm& with_tpm, std::string_view device_id,
                                            std::string_view pcr_selection,
                                            std::string_view chain_pem) {
  auto chain = certs::Certificate::ChainFromPem(chain_pem);
  if (!chain) return Fail(chain.error());
  std::vector<Bytes> chain_der;
  for (const certs::Certificate& cert : *chain) chain_der.push_back(cert.der());

  auto nonce = service.NewNonce();
  if (!nonce) return Fail(nonce.error());
  auto nonce_bytes = api::Base64UrlDecode(*nonce);
  if (!nonce_bytes) return Fail(nonce_bytes.error());

  Result<api::RenewPayload> payload = Fail(ErrorCode::kInternal, "daemon.not_run", "");
  std::optional<certs::SignatureAlgorithm> algorithm;
  std::optional<PublicKey> key;
  auto built = with_tpm([&](DeviceTpm& device) -> Status {
    auto ak = device.LoadAk();
    if (!ak) return Fail(ak.error());
    payload =
        client::BuildRenewPayload(device.tpm(), *ak, device.identity(), device.identity_public(),
                                  device_id, *nonce_bytes, pcr_selection);
    algorithm = device.signer().algorithm();
    key = device.signer().public_key();
    return payload ? Ok() : Status(Fail(payload.error()));
  });
  if (!built) return Fail(built.error());
  LockedSigner signer(with_tpm, *algorithm, *key);
  return service.Renew(device_id, *payload, *nonce, signer, chain_der);
}

}  // namespace edgetrust::daemon::service
