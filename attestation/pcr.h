// Reading and extending PCRs in a TPM. Not thread-safe (like Tpm).
#ifndef EDGETRUST_ATTESTATION_PCR_H_
#define EDGETRUST_ATTESTATION_PCR_H_

#include <cstdint>

#include "attestation/pcr_selection.h"
#include "attestation/tpm.h"
#include "common/bytes.h"
#include "common/error.h"

namespace edgetrust::attestation {

// ReadPcrs returns the values of every selected PCR in TPM order (see pcr_selection.h), in as
// many TPM2_PCR_Read commands as needed (the TPM returns at most eight digests per call). A
// bank the TPM has not allocated is kFailedPrecondition "pcr.bank_unavailable".
Result<PcrValues> ReadPcrs(Tpm& tpm, const PcrSelection& selection);

// ExtendPcr extends PCR `index` of bank `alg` with `digest` (DigestSize(alg) bytes).
Status ExtendPcr(Tpm& tpm, uint32_t index, HashAlgorithm alg, ByteView digest);

}  // namespace edgetrust::attestation

#endif  // EDGETRUST_ATTESTATION_PCR_H_
