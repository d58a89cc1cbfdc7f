// VerifyDeviceJws checks a signed device request (docs/enrollment-protocol.md, "Signed device
// requests"; THREATS E15) and is the only producer of VerifiedDeviceRequest.
//
// Checks, in order, failing closed (kPermissionDenied unless noted):
//   jws.malformed (kInvalidArgument)  body or protected header of the wrong shape
//   jws.bad_alg                       alg not ES256/ES384/PS256, or not the one the leaf
//                                     certificate's key type dictates (never taken on trust)
//   jws.unknown_crit                  a "crit" header
//   jws.url_mismatch                  header url != request path
//   jws.bad_nonce                     nonce not issued here, already used or expired (it is
//                                     burned by this check whatever follows)
//   jws.untrusted_cert                the x5c leaf does not chain to the device CA
//                                     (ChainProfile::kDeviceIdentity) or is outside its validity
//   device.unknown (kNotFound)        no device with the id of the path
//   jws.not_current_cert              the leaf's serial is not the device's current serial
//                                     (another device's certificate, or an old one)
//   jws.revoked                       the serial is revoked
//   device.disabled / device.revoked / device.retired
//                                     the device is blocked (a device marked
//                                     failed_attestation passes: the request's own fresh
//                                     evidence decides, and a passing one recovers it)
//   jws.bad_signature                 the signature does not verify with the leaf's key
// Only the leaf of x5c is used: the chain is built from the CA's own chain, never from
// certificates the caller sends. Thread-safe (the stores are).
#ifndef EDGETRUST_ENROLLMENT_SERVICE_DEVICE_JWS_H_
#define EDGETRUST_ENROLLMENT_SERVICE_DEVICE_JWS_H_

#include <ctime>
#include <span>
#include <string>
#include <string_view>

#include "certs/certificate.h"
#include "common/bytes.h"
#include "common/error.h"
#include "enrollment/service/nonce_store.h"
#include "enrollment/store/records.h"
#include "enrollment/store/store.h"

namespace edgetrust::enrollment::service {

class VerifiedDeviceRequest {
 public:
  const store::Device& device() const { return device_; }
  const certs::Certificate& certificate() const { return certificate_; }
  // nonce_bytes is the base64url-decoded Replay-Nonce of the protected header.
  const Bytes& nonce_bytes() const { return nonce_bytes_; }
  // payload is the decoded payload (JSON text, not yet parsed).
  const std::string& payload() const { return payload_; }

 private:
  friend Result<VerifiedDeviceRequest> VerifyDeviceJws(std::string_view, std::string_view,
                                                       const std::string&, NonceStore&,
                                                       store::Store&,
                                                       std::span<const certs::Certificate>,
                                                       std::time_t);
  VerifiedDeviceRequest(store::Device device, certs::Certificate certificate, Bytes nonce,
                        std::string payload)
      : device_(std::move(device)),
        certificate_(std::move(certificate)),
        nonce_bytes_(std::move(nonce)),
        payload_(std::move(payload)) {}
  store::Device device_;
  certs::Certificate certificate_;
  Bytes nonce_bytes_;
  std::string payload_;
};

// `ca_chain` is the issuing CA certificate followed by its issuers (CertificateAuthority::
// chain()); its last certificate is the trust anchor.
Result<VerifiedDeviceRequest> VerifyDeviceJws(std::string_view body, std::string_view path,
                                              const std::string& device_id, NonceStore& nonces,
                                              store::Store& store,
                                              std::span<const certs::Certificate> ca_chain,
                                              std::time_t now);

// DeviceStatusError maps a blocking status to its rejection (THREATS E14: "device.disabled",
// "device.revoked", "device.retired"); std::nullopt for kActive and kFailedAttestation.
std::optional<Error> DeviceStatusError(const store::Device& device);

}  // namespace edgetrust::enrollment::service

#endif  // EDGETRUST_ENROLLMENT_SERVICE_DEVICE_JWS_H_
