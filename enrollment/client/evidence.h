// Device-side evidence for the enrollment protocol, produced with a TPM
// (docs/enrollment-protocol.md): the challenge request (round trip 1), the complete request
// built from the service's challenge (round trip 2), and the payload of a signed renewal.
//
// Functions take handles the caller has opened and loaded (attestation::EnsureEk /
// ReadPersistentKey for the EK, LoadKey for the AK and the identity key) and borrow them for
// the call only. With the AK and the identity key loaded, two of swtpm's three transient
// object slots are in use; everything these functions create themselves (the EK policy
// session, nothing else) is flushed before they return. Not thread-safe, like Tpm.
//
// Errors are the attestation layer's ("tpm.*", "pcr.selection", "credential.*") and the
// certs layer's ("csr.*", "signer.*"): a credential that the TPM refuses is kPermissionDenied
// "tpm.integrity" (made for another AK or another TPM).
#ifndef EDGETRUST_ENROLLMENT_CLIENT_EVIDENCE_H_
#define EDGETRUST_ENROLLMENT_CLIENT_EVIDENCE_H_

#include <string_view>

#include "attestation/handles.h"
#include "attestation/primary_keys.h"
#include "attestation/templates.h"
#include "attestation/tpm.h"
#include "attestation/tpm_public.h"
#include "common/bytes.h"
#include "common/error.h"
#include "enrollment/api/wire.h"

namespace edgetrust::enrollment::client {

// TpmDeviceKeys names the device's TPM objects for one call; all are borrowed.
struct TpmDeviceKeys {
  attestation::Tpm& tpm;
  attestation::EkType ek_type;
  const attestation::PersistentKey& ek;           // the persistent EK of `ek_type`
  const attestation::TransientHandle& ak;         // the loaded attestation key
  const attestation::TransientHandle& identity;   // the loaded identity key
  const attestation::TpmPublic& identity_public;  // its public area
};

// BuildChallengeRequest: registration id, EK public, the EK certificate from the profile's NV
// index when there is one (no index: the field is omitted), and the AK public. The
// registration id is checked with api::ValidRegistrationId (kInvalidArgument
// "request.bad_registration_id").
Result<api::ChallengeRequest> BuildChallengeRequest(attestation::Tpm& tpm,
                                                    std::string_view registration_id,
                                                    attestation::EkType ek_type,
                                                    const attestation::TpmPublic& ek_public,
                                                    const attestation::TpmPublic& ak_public);

// BuildCompleteRequest answers `challenge`: ActivateCredential recovers the secret; the quote
// (over challenge.pcr_selection, "sha256:0" when empty) and the certify of the identity key
// carry SHA-256(secret ‖ nonce); the proof is HMAC-SHA256(secret, label ‖ challenge_id); the
// CSR (CN = `registration_id`) is signed by the identity key in the TPM.
Result<api::CompleteRequest> BuildCompleteRequest(const TpmDeviceKeys& keys,
                                                  std::string_view registration_id,
                                                  const api::ChallengeResponse& challenge);

// BuildEvidence is the quote + certify + CSR triple both requests carry, bound to
// `qualifying_data`. Only the AK, the identity key and the Tpm of `keys` are used.
Result<api::Evidence> BuildEvidence(attestation::Tpm& tpm, const attestation::TransientHandle& ak,
                                    const attestation::TransientHandle& identity,
                                    const attestation::TpmPublic& identity_public,
                                    ByteView qualifying_data, std::string_view pcr_selection,
                                    std::string_view common_name);

// BuildRenewPayload is the payload of POST /v1/devices/{id}/renew: evidence bound to
// SHA-256("edgetrust-renew-v1" ‖ nonce), where `nonce` is the decoded Replay-Nonce that the
// JWS header will carry. `pcr_selection` is the selection the enrollment challenge asked for
// (the renew flow does not repeat it); `device_id` becomes the CSR's CN.
Result<api::RenewPayload> BuildRenewPayload(attestation::Tpm& tpm,
                                            const attestation::TransientHandle& ak,
                                            const attestation::TransientHandle& identity,
                                            const attestation::TpmPublic& identity_public,
                                            std::string_view device_id, ByteView nonce,
                                            std::string_view pcr_selection);

}  // namespace edgetrust::enrollment::client

#endif  // EDGETRUST_ENROLLMENT_CLIENT_EVIDENCE_H_
