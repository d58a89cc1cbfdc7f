// Signed renewal (E15): JWS first, then fresh evidence against the AK recorded at enrollment.
#include "common/crypto.h"
#include "enrollment/api/protocol_crypto.h"
#include "enrollment/service/device_jws.h"
#include "enrollment/service/evidence.h"
#include "enrollment/service/service_impl.h"

namespace edgetrust::enrollment::service {

Result<api::EnrollmentResponse> EnrollmentService::Impl::Renew(const std::string& device_id,
                                                               std::string_view path,
                                                               std::string_view jws_body) {
  constexpr const char* kAction = "renew";
  AuditDetails details;
  const std::time_t now = Now();
  auto request = VerifyDeviceJws(jws_body, path, device_id, *deps_.nonces, *deps_.store,
                                 deps_.ca->chain(), now);
  if (!request) return Reject(kAction, device_id, request.error(), details);
  const store::Device& device = request->device();
  details["old_serial"] = device.current_serial;

  auto payload = api::ParseRenewPayload(request->payload());
  if (!payload) return Reject(kAction, device_id, payload.error(), details);
  auto decision = CurrentEnrollment(*deps_.store, device);
  if (!decision) return Reject(kAction, device_id, decision.error(), details);

  auto ak_bytes = api::Base64UrlDecode(device.ak_public_b64);
  if (!ak_bytes) {
    Error e{ErrorCode::kInternal, "store.corrupt", "recorded AK does not decode", 0};
    return Reject(kAction, device_id, e, details);
  }
  auto ak = attestation::TpmPublic::Parse(*ak_bytes);
  if (!ak) return Reject(kAction, device_id, ak.error(), details);
  auto qualifying = api::RenewQualifyingData(request->nonce_bytes());
  if (!qualifying) return Reject(kAction, device_id, qualifying.error(), details);
  const attestation::TpmClock last{device.tpm_clock, device.tpm_reset_count,
                                   device.tpm_restart_count, false};
  auto verified =
      VerifyEvidence(payload->evidence, EvidenceExpectations{&*ak, *qualifying, &*decision, last});
  if (!verified) {
    const bool golden_failed = verified.error().reason == "pcr.policy_mismatch";
    return Reject(kAction, device_id, verified.error(), details, golden_failed);
  }
  return IssueAndRecord(kAction, device, verified->identity_key(), verified->clock(),
                        std::move(details));
}

}  // namespace edgetrust::enrollment::service
