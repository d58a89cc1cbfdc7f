// Device-side evidence: TPM2_Quote over PCRs and TPM2_Certify of a key, both signed by the AK.
//
// The caller loads the keys (LoadKey) and keeps their TransientHandles only for the call.
// Evidence fields are wire-ready: `attest` is the marshalled TPMS_ATTEST (the bytes the
// signature covers, as tpm2_quote -m writes them), `signature` the marshalled TPMT_SIGNATURE
// (as tpm2_quote -s writes it). Not thread-safe (like Tpm).
#ifndef EDGETRUST_ATTESTATION_QUOTE_H_
#define EDGETRUST_ATTESTATION_QUOTE_H_

#include "attestation/handles.h"
#include "attestation/pcr_selection.h"
#include "attestation/tpm.h"
#include "common/bytes.h"
#include "common/error.h"

namespace edgetrust::attestation {

struct QuoteEvidence {
  Bytes attest;
  Bytes signature;
  PcrValues pcr_values;  // the quoted PCRs, in TPM order
};

struct CertifyEvidence {
  Bytes attest;
  Bytes signature;
};

// Quote signs the PCRs in `selection` and `qualifying_data` (at most 64 bytes, typically a
// nonce or a hash binding the quote to a challenge) with the AK's own scheme, and reads the
// quoted PCR values. If a PCR changes between the quote and the read, it quotes again (up to
// three times) so that the values always match the signed digest; failing that,
// kUnavailable "quote.pcr_unstable".
Result<QuoteEvidence> Quote(Tpm& tpm, const TransientHandle& ak, ByteView qualifying_data,
                            const PcrSelection& selection);

// Certify has the AK attest that `object` is loaded in this TPM (its Name and qualified
// name), binding `qualifying_data`.
Result<CertifyEvidence> Certify(Tpm& tpm, const TransientHandle& object, const TransientHandle& ak,
                                ByteView qualifying_data);

}  // namespace edgetrust::attestation

#endif  // EDGETRUST_ATTESTATION_QUOTE_H_
