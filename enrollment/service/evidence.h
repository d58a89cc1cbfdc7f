// VerifyEvidence checks what both the complete and the renew requests carry (THREATS E8-E13):
// the quote, the PCR policy, the TPM clock, the certify of the identity key and the CSR, in
// that order, failing closed. It is the only producer of VerifiedEvidence.
//
// Reasons, besides those of attestation::VerifyQuote / VerifyCertify and certs::Csr:
//   request.bad_value (kInvalidArgument)  a PCR bank name the verifier does not know
//   pcr.policy_mismatch                   golden values not met (E10; the caller records the
//                                         device as failed attestation)
//   quote.clock_regressed                 TPM clock older than the device's last quote: a
//                                         lower reset count, or the same one with a lower clock
//   csr.key_mismatch                      CSR key != the certified identity key (E12)
//   csr.ca_requested                      the CSR asks for basicConstraints CA:TRUE (E13: we
//                                         refuse rather than silently ignore; other requested
//                                         names and EKUs are ignored, since the certificate's
//                                         subject and SANs come from the enrollment only)
// Thread-safe, no state.
#ifndef EDGETRUST_ENROLLMENT_SERVICE_EVIDENCE_H_
#define EDGETRUST_ENROLLMENT_SERVICE_EVIDENCE_H_

#include <optional>

#include "attestation/quote_verifier.h"
#include "attestation/tpm_public.h"
#include "common/bytes.h"
#include "common/error.h"
#include "common/public_key.h"
#include "enrollment/api/wire.h"
#include "enrollment/service/policy.h"
#include "enrollment/store/records.h"

namespace edgetrust::enrollment::service {

struct EvidenceExpectations {
  const attestation::TpmPublic* ak = nullptr;
  ByteView qualifying_data;
  const EnrollmentDecision* decision = nullptr;
  // The device's last recorded clock, when the device is known.
  std::optional<attestation::TpmClock> last_clock;
};

class VerifiedEvidence {
 public:
  // identity_key: TPM-resident (certified) and equal to the CSR's key.
  const PublicKey& identity_key() const { return identity_key_; }
  const attestation::TpmClock& clock() const { return clock_; }

 private:
  friend Result<VerifiedEvidence> VerifyEvidence(const api::Evidence&, const EvidenceExpectations&);
  VerifiedEvidence(PublicKey key, attestation::TpmClock clock)
      : identity_key_(std::move(key)), clock_(clock) {}
  PublicKey identity_key_;
  attestation::TpmClock clock_;
};

Result<VerifiedEvidence> VerifyEvidence(const api::Evidence& evidence,
                                        const EvidenceExpectations& expected);

// ToPcrValues converts the wire map into TPM order: banks in the order of `required` first,
// then the remaining banks in TPM algorithm-id order (sha1, sha256, sha384, sha512), indices
// ascending. A device quotes its banks in that order (the service's pcr_selection string).
Result<attestation::PcrValues> ToPcrValues(const api::PcrMap& pcrs,
                                           const attestation::PcrSelection& required);

}  // namespace edgetrust::enrollment::service

#endif  // EDGETRUST_ENROLLMENT_SERVICE_EVIDENCE_H_
