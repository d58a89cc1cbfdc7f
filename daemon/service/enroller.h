// The daemon's two conversations with the enrollment service (docs/enrollment-protocol.md),
// run with its DeviceTpm: a full enrollment (challenge, ActivateCredential, quote, certify,
// CSR, complete) and a signed renewal (fresh nonce, evidence bound to it, JWS by the identity
// key with the current chain as x5c). The AK is loaded for the call and flushed after.
//
// Errors: the service's refusals as HttpError reasons ("device.revoked", "jws.revoked",
// "enrollment.unknown_ek", ... with codes from the HTTP status), "client.unreachable"
// (kUnavailable) when there is no answer, TPM and CSR errors from the device side. Not
// thread-safe (uses the DeviceTpm).
#ifndef EDGETRUST_DAEMON_SERVICE_ENROLLER_H_
#define EDGETRUST_DAEMON_SERVICE_ENROLLER_H_

#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "daemon/service/device_tpm.h"
#include "enrollment/api/wire.h"
#include "enrollment/client/enrollment_client.h"

namespace edgetrust::daemon::service {

struct Enrollment {
  enrollment::api::EnrollmentResponse response;
  std::string pcr_selection;  // what the challenge asked to quote; renewals quote it again
};

// EnrollDevice: `ek` is the DeviceTpm's persistent EK (DeviceTpm::EnsureEk).
Result<Enrollment> EnrollDevice(const enrollment::client::EnrollmentClient& client,
                                DeviceTpm& device, const attestation::PersistentKey& ek,
                                std::string_view registration_id);

// RenewDevice: `chain_pem` is the current chain (leaf first), sent as the JWS x5c.
Result<enrollment::api::EnrollmentResponse> RenewDevice(
    const enrollment::client::EnrollmentClient& client, DeviceTpm& device,
    std::string_view device_id, std::string_view pcr_selection, std::string_view chain_pem);

// RegistrationIdFromEk is the default registration id: the lower-case hex SHA-256 of the
// marshalled EK public (TPM2B_PUBLIC), the digest the operator API registers individual
// enrollments under and the factory station computes.
Result<std::string> RegistrationIdFromEk(const attestation::TpmPublic& ek_public);

}  // namespace edgetrust::daemon::service

#endif  // EDGETRUST_DAEMON_SERVICE_ENROLLER_H_
