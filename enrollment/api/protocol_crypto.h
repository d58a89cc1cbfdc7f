// The enrollment protocol's small computations (docs/enrollment-protocol.md), shared by the
// service that checks them and by the devices that make them (the TPM path, client/evidence.h,
// and the simulated device), so both sides compute byte-identical values. Pure functions,
// thread-safe.
#ifndef EDGETRUST_ENROLLMENT_API_PROTOCOL_CRYPTO_H_
#define EDGETRUST_ENROLLMENT_API_PROTOCOL_CRYPTO_H_

#include <string_view>

#include "attestation/pcr_selection.h"
#include "common/bytes.h"
#include "common/error.h"
#include "common/secret_bytes.h"
#include "enrollment/api/wire.h"

namespace edgetrust::enrollment::api {

inline constexpr std::string_view kProofLabel = "edgetrust-enrollment-proof-v1";
inline constexpr std::string_view kRenewLabel = "edgetrust-renew-v1";
// kDefaultQuoteSelection is what a device quotes when the challenge names no PCRs.
inline constexpr std::string_view kDefaultQuoteSelection = "sha256:0";

// EnrollmentQualifyingData is SHA-256(secret ‖ nonce): the extraData of the enrollment quote
// and certify. The concatenation is wiped after hashing.
Result<Bytes> EnrollmentQualifyingData(const SecretBytes& secret, ByteView nonce);

// EnrollmentProof is HMAC-SHA256(key = secret, kProofLabel ‖ challenge_id).
Result<Bytes> EnrollmentProof(const SecretBytes& secret, ByteView challenge_id);

// RenewQualifyingData is SHA-256(kRenewLabel ‖ nonce), `nonce` being the decoded bytes of the
// Replay-Nonce the renew request's JWS carries.
Result<Bytes> RenewQualifyingData(ByteView nonce);

// QuoteSelection parses a challenge's pcr_selection; "" means kDefaultQuoteSelection.
// Errors: kInvalidArgument "pcr.selection".
Result<attestation::PcrSelection> QuoteSelection(std::string_view pcr_selection);

// ToPcrMap converts quoted PCR values into the wire's bank → index → digest map.
PcrMap ToPcrMap(const attestation::PcrValues& values);

}  // namespace edgetrust::enrollment::api

#endif  // EDGETRUST_ENROLLMENT_API_PROTOCOL_CRYPTO_H_
