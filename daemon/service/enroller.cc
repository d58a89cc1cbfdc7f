#include "daemon/service/enroller.h"

#include "certs/certificate.h"
#include "common/crypto.h"
#include "enrollment/client/evidence.h"

namespace edgetrust::daemon::service {

namespace client = enrollment::client;

Result<Enrollment> EnrollDevice(const client::EnrollmentClient& service, DeviceTpm& device,
                                const attestation::PersistentKey& ek,
                                std::string_view registration_id) {
  auto request = client::BuildChallengeRequest(device.tpm(), registration_id, device.ek_type(),
                                               ek.public_area, device.ak_public());
  if (!request) return Fail(request.error());
  auto challenge = service.Challenge(*request);
  if (!challenge) return Fail(challenge.error());

  auto ak = device.LoadAk();
  if (!ak) return Fail(ak.error());
  client::TpmDeviceKeys keys{device.tpm(),      device.ek_type(),        ek, *ak,
                             device.identity(), device.identity_public()};
  auto complete = client::BuildCompleteRequest(keys, registration_id, *challenge);
  if (!complete) return Fail(complete.error());
  ak->Reset();  // the service's answer may take a while; free the slot now
  auto enrolled = service.Complete(*complete);
  if (!enrolled) return Fail(enrolled.error());
  return Enrollment{std::move(*enrolled), challenge->pcr_selection};
}

Result<enrollment::api::EnrollmentResponse> RenewDevice(const client::EnrollmentClient& service,
                                                        DeviceTpm& device,
                                                        std::string_view device_id,
                                                        std::string_view pcr_selection,
                                                        std::string_view chain_pem) {
  auto chain = certs::Certificate::ChainFromPem(chain_pem);
  if (!chain) return Fail(chain.error());
  std::vector<Bytes> chain_der;
  for (const certs::Certificate& cert : *chain) chain_der.push_back(cert.der());

  auto nonce = service.NewNonce();
  if (!nonce) return Fail(nonce.error());
  auto nonce_bytes = enrollment::api::Base64UrlDecode(*nonce);
  if (!nonce_bytes) return Fail(nonce_bytes.error());
  auto ak = device.LoadAk();
  if (!ak) return Fail(ak.error());
  auto payload =
      client::BuildRenewPayload(device.tpm(), *ak, device.identity(), device.identity_public(),
                                device_id, *nonce_bytes, pcr_selection);
  if (!payload) return Fail(payload.error());
  ak->Reset();
  return service.Renew(device_id, *payload, *nonce, device.signer(), chain_der);
}

Result<std::string> RegistrationIdFromEk(const attestation::TpmPublic& ek_public) {
  auto digest = Digest(HashAlgorithm::kSha256, ek_public.Marshal());
  if (!digest) return Fail(digest.error());
  return HexEncode(*digest);
}

}  // namespace edgetrust::daemon::service
