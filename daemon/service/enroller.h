// The daemon's two conversations with the enrollment service (docs/enrollment-protocol.md):
// a full enrollment (challenge, ActivateCredential, quote, certify, CSR, complete) and a signed
// renewal (fresh nonce, evidence bound to it, JWS by the identity key with the current chain
// as x5c).
//
// The TPM is reached only through `with_tpm`, and only for the TPM work itself: no TPM lock is
// held while a request is on the network, so POST /sign and the rest of the local API keep
// answering during an enrollment against a slow or absent service. The AK is loaded for the
// TPM step that needs it and flushed at its end.
//
// Errors: the service's refusals as HttpError reasons ("device.revoked", "jws.revoked",
// "enrollment.unknown_ek", ... with codes from the HTTP status), "client.unreachable"
// (kUnavailable) when there is no answer, TPM and CSR errors from the device side.
#ifndef EDGETRUST_DAEMON_SERVICE_ENROLLER_H_
#define EDGETRUST_DAEMON_SERVICE_ENROLLER_H_

#include <functional>
#include <string>
#include <string_view>

#include "common/error.h"
#include "daemon/service/device_tpm.h"
#include "enrollment/api/wire.h"
#include "enrollment/client/enrollment_client.h"

namespace edgetrust::daemon::service {

// WithTpm runs `use` with the open DeviceTpm under the TPM lock and returns its result
// (kUnavailable "tpm.unavailable" when the TPM is not open).
using TpmUse = std::function<Status(DeviceTpm&)>;
using WithTpm = std::function<Status(const TpmUse& use)>;

struct Enrollment {
  enrollment::api::EnrollmentResponse response;
  std::string pcr_selection;  // what the challenge asked to quote; renewals quote it again
};

Result<Enrollment> EnrollDevice(const enrollment::client::EnrollmentClient& client,
                                const WithTpm& with_tpm, const RecordOwned& record_owned,
                                std::string_view registration_id);

// RenewDevice: `chain_pem` is the current chain (leaf first), sent as the JWS x5c.
Result<enrollment::api::EnrollmentResponse> RenewDevice(
    const enrollment::client::EnrollmentClient& client, const WithTpm& with_tpm,
    std::string_view device_id, std::string_view pcr_selection, std::string_view chain_pem);

}  // namespace edgetrust::daemon::service

#endif  // EDGETRUST_DAEMON_SERVICE_ENROLLER_H_
