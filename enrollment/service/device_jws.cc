#include "enrollment/service/device_jws.h"

#include "certs/chain.h"
#include "enrollment/api/jws.h"
#include "enrollment/api/wire.h"

namespace edgetrust::enrollment::service {
namespace {

std::unexpected<Error> Deny(std::string reason, std::string message) {
  return Fail(ErrorCode::kPermissionDenied, std::move(reason), std::move(message));
}

Status CheckSignature(const api::FlattenedJws& jws, api::JwsAlg alg, const PublicKey& key) {
  auto signature = api::Base64UrlDecode(jws.signature_b64);
  if (!signature) return Deny("jws.bad_signature", "signature is not base64url");
  const std::string input = api::SigningInput(jws);
  Status verified;
  switch (alg) {
    case api::JwsAlg::kEs256:
    case api::JwsAlg::kEs384: {
      const bool p256 = alg == api::JwsAlg::kEs256;
      auto der = api::EcdsaRawToDer(*signature, p256 ? 32 : 48);
      if (!der) return Fail(der.error());
      verified =
          key.Verify(SignatureScheme::kEcdsaDer,
                     p256 ? HashAlgorithm::kSha256 : HashAlgorithm::kSha384, AsBytes(input), *der);
      break;
    }
    case api::JwsAlg::kPs256:
      verified =
          key.Verify(SignatureScheme::kRsaPss, HashAlgorithm::kSha256, AsBytes(input), *signature);
      break;
  }
  if (!verified) return Deny("jws.bad_signature", "signature does not verify");
  return Ok();
}

}  // namespace

std::optional<Error> DeviceStatusError(const store::Device& device) {
  switch (device.status) {
    case store::DeviceStatus::kActive:
    case store::DeviceStatus::kFailedAttestation:  // a new, passing attestation recovers it
      return std::nullopt;
    case store::DeviceStatus::kDisabled:
      return Error{ErrorCode::kPermissionDenied, "device.disabled", "device is disabled", 0};
    case store::DeviceStatus::kRevoked:
      return Error{ErrorCode::kPermissionDenied, "device.revoked", "device is revoked", 0};
    case store::DeviceStatus::kRetired:
      return Error{ErrorCode::kPermissionDenied, "device.retired", "device is retired", 0};
  }
  return Error{ErrorCode::kInternal, "store.corrupt", "unknown device status", 0};
}

Result<VerifiedDeviceRequest> VerifyDeviceJws(std::string_view body, std::string_view path,
                                              const std::string& device_id, NonceStore& nonces,
                                              store::Store& store,
                                              std::span<const certs::Certificate> ca_chain,
                                              std::time_t now) {
  auto jws = api::ParseFlattenedJws(body);
  if (!jws) return Fail(jws.error());
  auto header = api::ParseProtectedHeader(*jws);
  if (!header) return Fail(header.error());
  auto leaf = certs::Certificate::FromDer(header->x5c.front());
  if (!leaf) return Deny("jws.untrusted_cert", "x5c leaf is not a certificate");
  auto leaf_key = leaf->public_key();
  if (!leaf_key) return Deny("jws.untrusted_cert", "x5c leaf key is unusable");
  auto key_alg = api::JwsAlgForKey(*leaf_key);
  if (!key_alg) return Fail(key_alg.error());
  if (*key_alg != header->alg) return Deny("jws.bad_alg", "alg does not fit the certificate key");
  if (header->url != path) return Deny("jws.url_mismatch", "url does not match the request path");
  auto nonce_bytes = api::Base64UrlDecode(header->nonce);
  if (!nonce_bytes) return Deny("jws.bad_nonce", "nonce is not base64url");
  if (auto consumed = nonces.Consume(header->nonce, now); !consumed) return Fail(consumed.error());

  if (ca_chain.empty()) return Fail(ErrorCode::kInternal, "ca.no_chain", "no CA chain");
  auto chained = certs::VerifyChain(*leaf, ca_chain.first(ca_chain.size() - 1), ca_chain.last(1),
                                    certs::ChainProfile::kDeviceIdentity, now);
  if (!chained) return Deny("jws.untrusted_cert", "device certificate: " + chained.error().message);

  auto device = store.GetDevice(device_id);
  if (!device) {
    if (device.error().code == ErrorCode::kNotFound) {
      return Fail(ErrorCode::kNotFound, "device.unknown", "no such device");
    }
    return Fail(device.error());
  }
  const std::string serial = leaf->SerialHex();
  if (device->current_serial.empty() || serial != device->current_serial) {
    return Deny("jws.not_current_cert", "certificate is not the device's current certificate");
  }
  auto issued = store.GetCertificate(serial);
  if (!issued) {
    if (issued.error().code == ErrorCode::kNotFound) {
      return Deny("jws.not_current_cert", "certificate not in the registry");
    }
    return Fail(issued.error());
  }
  if (issued->device_id != device_id) {
    return Deny("jws.not_current_cert", "certificate belongs to another device");
  }
  if (issued->revoked_at) return Deny("jws.revoked", "certificate is revoked");
  if (auto status = DeviceStatusError(*device)) return Fail(*status);
  if (auto sig = CheckSignature(*jws, header->alg, *leaf_key); !sig) return Fail(sig.error());
  auto payload = api::DecodePayload(*jws);
  if (!payload) return Fail(payload.error());
  return VerifiedDeviceRequest(std::move(*device), std::move(*leaf), std::move(*nonce_bytes),
                               std::move(*payload));
}

}  // namespace edgetrust::enrollment::service
