// VerifyAttest holds the checks every TPM attestation structure gets, whatever it attests.
// Internal to the quote and certify verifiers; callers use VerifyQuote / VerifyCertify.
//
// In this order, failing closed, each failure kPermissionDenied unless noted, with reasons
// prefixed by `area` ("quote" or "certify"):
//   <area>.malformed        kInvalidArgument: attest is not exactly one TPMS_ATTEST
//   <area>.bad_signature    signature scheme differs from the AK's, or it does not verify
//   <area>.bad_magic        magic is not TPM_GENERATED_VALUE (not made by a TPM command)
//   <area>.wrong_type       not the expected TPM_ST_ATTEST_* type
//   <area>.nonce_mismatch   extraData differs from the expected qualifying data
// The AK itself must pass CheckAttestationKeyPublic first (reasons "ak.*").
#ifndef EDGETRUST_ATTESTATION_ATTEST_VERIFIER_H_
#define EDGETRUST_ATTESTATION_ATTEST_VERIFIER_H_

#include <tss2/tss2_tpm2_types.h>

#include <string_view>

#include "attestation/tpm_public.h"
#include "common/bytes.h"
#include "common/error.h"

namespace edgetrust::attestation {

Result<TPMS_ATTEST> VerifyAttest(std::string_view area, const TpmPublic& ak, ByteView attest,
                                 ByteView signature, TPMI_ST_ATTEST expected_type,
                                 ByteView qualifying_data);

}  // namespace edgetrust::attestation

#endif  // EDGETRUST_ATTESTATION_ATTEST_VERIFIER_H_
