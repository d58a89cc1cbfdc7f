// Enrollment policy: which enrollment admits an EK (THREATS E1-E4), and whether a verified
// quote satisfies that enrollment's PCR policy (E9, E10).
//
// DecideEnrollment, in order:
//   1. an individual enrollment whose ek_digest_hex is SHA-256(marshalled EK TPM2B_PUBLIC):
//      disabled → kPermissionDenied "enrollment.disabled" (overrides any group); its
//      registration id differs from the one asked for → "enrollment.registration_id_mismatch";
//   2. otherwise the registration id must not belong to an individual enrollment of another
//      EK (kFailedPrecondition "enrollment.registration_id_taken"), and the EK certificate
//      must chain (certs::VerifyChain, ChainProfile::kEkCredential) to the manufacturer CA
//      bundle of an enabled group and certify exactly the EK sent
//      (attestation::CheckEkCertificateKey, "ek.cert_key_mismatch"). Self-signed bundle
//      entries are the roots, the others intermediates. No certificate and no individual
//      enrollment: "enrollment.unknown_ek"; a certificate no group trusts: "ek.cert_untrusted";
//      a certificate that a group's CA signed but that fails the profile: "ek.cert_expired",
//      "ek.cert_not_yet_valid", "ek.cert_bad_key_usage", "ek.cert_bad_extension",
//      "ek.cert_invalid"; an unparsable certificate: kInvalidArgument "cert.malformed".
//   Then the PCR policy named by the enrollment is loaded ("" = none).
// Store failures pass through. Thread-safe (the Store is).
#ifndef EDGETRUST_ENROLLMENT_SERVICE_POLICY_H_
#define EDGETRUST_ENROLLMENT_SERVICE_POLICY_H_

#include <ctime>
#include <optional>
#include <string>

#include "attestation/pcr_selection.h"
#include "attestation/quote_verifier.h"
#include "attestation/tpm_public.h"
#include "common/bytes.h"
#include "common/error.h"
#include "enrollment/store/records.h"
#include "enrollment/store/store.h"

namespace edgetrust::enrollment::service {

struct EnrollmentDecision {
  std::string enrollment;  // "individual" or "group:<group_id>" (store::Device::enrollment)
  std::optional<store::PcrPolicy> pcr_policy;
};

Result<EnrollmentDecision> DecideEnrollment(store::Store& store, const std::string& registration_id,
                                            const attestation::TpmPublic& ek,
                                            const std::optional<Bytes>& ek_certificate_der,
                                            std::time_t now);

// CurrentEnrollment re-reads the enrollment a device was admitted by (for renewals): it must
// still exist and be enabled ("enrollment.disabled"), and its PCR policy is reloaded.
Result<EnrollmentDecision> CurrentEnrollment(store::Store& store, const store::Device& device);

// RequiredSelection is the policy's PCR selection (empty without a policy). A policy whose
// selection does not parse is kInternal "pcr.policy_invalid" (the operator API validates).
Result<attestation::PcrSelection> RequiredSelection(const EnrollmentDecision& decision);

// CheckPcrPolicy compares the quote's values with the golden values: a golden PCR that the
// quote lacks or whose digest differs is kPermissionDenied "pcr.policy_mismatch" (E10).
// Coverage of the selection is VerifyQuote's job ("quote.pcr_selection_narrow").
Status CheckPcrPolicy(const EnrollmentDecision& decision, const attestation::VerifiedQuote& quote);

}  // namespace edgetrust::enrollment::service

#endif  // EDGETRUST_ENROLLMENT_SERVICE_POLICY_H_
