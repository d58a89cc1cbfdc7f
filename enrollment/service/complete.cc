// Round trip 2: challenge (E7), proof (E6), device state (E4, E14), evidence (E8-E13), issue.
#include "common/crypto.h"
#include "enrollment/api/protocol_crypto.h"
#include "enrollment/service/device_jws.h"
#include "enrollment/service/evidence.h"
#include "enrollment/service/service_impl.h"

namespace edgetrust::enrollment::service {

Result<api::EnrollmentResponse> EnrollmentService::Impl::Complete(
    const api::CompleteRequest& request) {
  constexpr const char* kAction = "complete";
  AuditDetails details{{"challenge_id", HexEncode(request.challenge_id)}};
  const std::time_t now = Now();

  // Taking the challenge burns it, whatever happens below (E6, E7).
  auto pending = deps_.challenges->Take(request.challenge_id, now);
  if (!pending) return Reject(kAction, "", pending.error(), details);
  const std::string id = pending->registration_id;
  details["ek_digest"] = pending->ek_digest_hex;
  details["enrollment"] = pending->decision.enrollment;

  auto expected_proof = api::EnrollmentProof(pending->secret, request.challenge_id);
  if (!expected_proof) return Reject(kAction, id, expected_proof.error(), details);
  if (!ConstantTimeEquals(*expected_proof, request.proof)) {
    Error e{ErrorCode::kPermissionDenied, "credential.bad_proof",
            "secret proof does not match: credential not activated by this TPM", 0};
    return Reject(kAction, id, e, details);
  }

  // The device may have been blocked, or the id taken, since round trip 1.
  auto device = KnownDevice(id);
  if (!device) return Reject(kAction, id, device.error(), details);
  std::optional<attestation::TpmClock> last_clock;
  if (*device) {
    if ((*device)->ek_digest_hex != pending->ek_digest_hex) {
      Error e{ErrorCode::kFailedPrecondition, "enrollment.registration_id_taken",
              "registration id is pinned to another EK", 0};
      return Reject(kAction, id, e, details);
    }
    if (auto blocked = DeviceStatusError(**device)) return Reject(kAction, id, *blocked, details);
    last_clock = attestation::TpmClock{(*device)->tpm_clock, (*device)->tpm_reset_count,
                                       (*device)->tpm_restart_count, false};
  }

  auto qualifying = api::EnrollmentQualifyingData(pending->secret, pending->nonce);
  if (!qualifying) return Reject(kAction, id, qualifying.error(), details);
  auto ak = attestation::TpmPublic::Parse(pending->ak_public);
  if (!ak) return Reject(kAction, id, ak.error(), details);
  auto verified = VerifyEvidence(
      request.evidence, EvidenceExpectations{&*ak, *qualifying, &pending->decision, last_clock});
  if (!verified) {
    const bool golden_failed = verified.error().reason == "pcr.policy_mismatch";
    return Reject(kAction, id, verified.error(), details, golden_failed);
  }

  store::Device record = device->value_or(store::Device{});
  record.device_id = id;
  record.ek_digest_hex = pending->ek_digest_hex;
  record.ak_public_b64 = api::Base64UrlEncode(pending->ak_public);
  record.enrollment = pending->decision.enrollment;
  return IssueAndRecord(kAction, std::move(record), verified->identity_key(), verified->clock(),
                        std::move(details));
}

}  // namespace edgetrust::enrollment::service
