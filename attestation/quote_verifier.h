// VerifyQuote checks a TPM2_Quote made by an attestation key and is the only producer of
// VerifiedQuote: PCR values are read from a VerifiedQuote, never from raw evidence.
//
// Checks, in order, failing closed (reasons; kPermissionDenied unless noted):
//   ak.*                         the AK public is not a proper attestation key
//   quote.malformed              kInvalidArgument: attest or signature does not parse
//   quote.bad_signature          not signed by this AK with its own scheme
//   quote.bad_magic              not TPM-generated
//   quote.wrong_type             not TPM_ST_ATTEST_QUOTE
//   quote.nonce_mismatch         extraData != expected qualifying data
//   quote.pcr_values_mismatch    the PCR values sent are not exactly the signed selection
//                                (extra PCRs, missing PCRs, other order, wrong digest size)
//   quote.pcr_digest_mismatch    the values do not hash to the signed pcrDigest
//   quote.pcr_selection_narrow   the signed selection does not cover `required_selection`
// Comparing the values against golden values, and the clock against the last quote of the
// same device, is policy and belongs to the caller (the VerifiedQuote exposes both).
// Pure function, thread-safe.
#ifndef EDGETRUST_ATTESTATION_QUOTE_VERIFIER_H_
#define EDGETRUST_ATTESTATION_QUOTE_VERIFIER_H_

#include <cstdint>

#include "attestation/pcr_selection.h"
#include "attestation/tpm_public.h"
#include "common/bytes.h"
#include "common/error.h"

namespace edgetrust::attestation {

struct QuoteExpectations {
  ByteView qualifying_data;         // the nonce (or challenge binding) the quote must carry
  PcrSelection required_selection;  // PCRs the policy needs; empty: any selection
};

struct TpmClock {
  uint64_t clock = 0;          // milliseconds the TPM has been powered, never goes back
  uint32_t reset_count = 0;    // TPM resets (reboots)
  uint32_t restart_count = 0;  // restarts since the last reset
  bool safe = false;           // clock was not lost since last recorded
};

class VerifiedQuote {
 public:
  const PcrValues& pcr_values() const { return pcr_values_; }
  const TpmClock& clock() const { return clock_; }
  uint64_t firmware_version() const { return firmware_version_; }

 private:
  friend Result<VerifiedQuote> VerifyQuote(const TpmPublic&, ByteView, ByteView, const PcrValues&,
                                           const QuoteExpectations&);
  VerifiedQuote() = default;

  PcrValues pcr_values_;
  TpmClock clock_;
  uint64_t firmware_version_ = 0;
};

Result<VerifiedQuote> VerifyQuote(const TpmPublic& ak, ByteView attest, ByteView signature,
                                  const PcrValues& pcr_values, const QuoteExpectations& expected);

}  // namespace edgetrust::attestation

#endif  // EDGETRUST_ATTESTATION_QUOTE_VERIFIER_H_
