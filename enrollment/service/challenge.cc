// Round trip 1: decide the enrollment (E1-E4, E14), admit the AK (E5), then MakeCredential.
#include "attestation/key_policy.h"
#include "attestation/make_credential.h"
#include "common/crypto.h"
#include "enrollment/service/device_jws.h"
#include "enrollment/service/service_impl.h"

namespace edgetrust::enrollment::service {

Result<api::ChallengeResponse> EnrollmentService::Impl::Challenge(
    const api::ChallengeRequest& request) {
  constexpr const char* kAction = "challenge";
  const std::string& id = request.registration_id;
  AuditDetails details;
  if (!api::ValidRegistrationId(id)) {
    Error e{ErrorCode::kInvalidArgument, "request.bad_registration_id", "invalid registration id",
            0};
    return Reject(kAction, "", e, details);
  }
  auto ek = attestation::TpmPublic::Parse(request.ek_public);
  if (!ek) return Reject(kAction, id, ek.error(), details);
  auto ek_digest = attestation::EkDigestHex(*ek);
  if (!ek_digest) return Reject(kAction, id, ek_digest.error(), details);
  details["ek_digest"] = *ek_digest;

  const std::time_t now = Now();
  auto decision = DecideEnrollment(*deps_.store, id, *ek, request.ek_certificate, now);
  if (!decision) return Reject(kAction, id, decision.error(), details);
  details["enrollment"] = decision->enrollment;

  // E4: the id is pinned to the first EK that enrolled with it; E14: blocked devices stay out.
  auto device = KnownDevice(id);
  if (!device) return Reject(kAction, id, device.error(), details);
  if (*device) {
    if ((*device)->ek_digest_hex != *ek_digest) {
      Error e{ErrorCode::kFailedPrecondition, "enrollment.registration_id_taken",
              "registration id is pinned to another EK", 0};
      return Reject(kAction, id, e, details);
    }
    if (auto blocked = DeviceStatusError(**device)) return Reject(kAction, id, *blocked, details);
  } else {
    // One TPM, one device: an EK already pinned to another id cannot claim a second one.
    auto other = deps_.store->FindDeviceByEk(*ek_digest);
    if (other) {
      Error e{ErrorCode::kPermissionDenied, "enrollment.ek_bound_elsewhere",
              "EK is pinned to another registration id", 0};
      return Reject(kAction, id, e, details);
    }
    if (other.error().code != ErrorCode::kNotFound)
      return Reject(kAction, id, other.error(), details);
  }

  // E5 before MakeCredential: never bind a secret to a key that is not a proper AK.
  auto ak = attestation::TpmPublic::Parse(request.ak_public);
  if (!ak) return Reject(kAction, id, ak.error(), details);
  if (auto admitted = attestation::CheckAttestationKeyPublic(*ak); !admitted) {
    return Reject(kAction, id, admitted.error(), details);
  }
  auto ak_name = ak->Name();
  if (!ak_name) return Reject(kAction, id, ak_name.error(), details);
  auto required = RequiredSelection(*decision);
  if (!required) return Reject(kAction, id, required.error(), details);

  auto secret = RandomSecret(32);
  if (!secret) return Reject(kAction, id, secret.error(), details);
  auto blob = attestation::MakeCredential(*ek, *ak_name, *secret);
  if (!blob) return Reject(kAction, id, blob.error(), details);
  auto nonce = RandomBytes(32);
  if (!nonce) return Reject(kAction, id, nonce.error(), details);
  auto challenge_id = RandomBytes(16);
  if (!challenge_id) return Reject(kAction, id, challenge_id.error(), details);

  PendingChallenge pending;
  pending.secret = std::move(*secret);
  pending.nonce = *nonce;
  pending.ak_public = request.ak_public;
  pending.ek_digest_hex = *ek_digest;
  pending.registration_id = id;
  pending.decision = *decision;
  pending.expires_at = now + static_cast<std::time_t>(options_.challenge_ttl.count());
  if (auto put = deps_.challenges->Put(*challenge_id, std::move(pending), now); !put) {
    return Reject(kAction, id, put.error(), details);
  }

  details["challenge_id"] = HexEncode(*challenge_id);
  const store::AuditRecord audit = MakeAudit(kAction, id, "ok", "ok", details);
  if (auto stored = deps_.store->AppendAudit(audit); !stored) return Fail(stored.error());
  (void)deps_.audit->Write(audit);
  deps_.metrics->CountDecision(kAction, "ok", "ok");

  api::ChallengeResponse response;
  response.challenge_id = std::move(*challenge_id);
  response.id_object = std::move(blob->id_object);
  response.encrypted_secret = std::move(blob->encrypted_secret);
  response.nonce = std::move(*nonce);
  response.pcr_selection = attestation::FormatPcrSelection(*required);
  response.expires_in = static_cast<int>(options_.challenge_ttl.count());
  return response;
}

}  // namespace edgetrust::enrollment::service
