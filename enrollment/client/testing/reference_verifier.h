// The service's cryptographic checks of the enrollment protocol, done in process WITHOUT the
// enrollment service library: MakeCredential for round trip 1, and for round trip 2 the proof,
// VerifyQuote, VerifyCertify and the CSR (signature, key = certified identity key). Tests use
// it as an independent oracle for what the device side produces; the load generator uses it
// to measure the crypto-only cost of an enrollment.
//
// FOR TESTS AND BENCHMARKS ONLY. Thread-safe.
#ifndef EDGETRUST_ENROLLMENT_CLIENT_TESTING_REFERENCE_VERIFIER_H_
#define EDGETRUST_ENROLLMENT_CLIENT_TESTING_REFERENCE_VERIFIER_H_

#include <string>

#include "common/error.h"
#include "common/public_key.h"
#include "common/secret_bytes.h"
#include "enrollment/api/wire.h"

namespace edgetrust::enrollment::client::testing {

struct ReferenceChallenge {
  api::ChallengeResponse response;
  SecretBytes secret;
};

// MakeReferenceChallenge answers `request` like the service: a 32-byte secret bound to
// Name(AK) and the EK, a 16-byte challenge id, a 32-byte nonce, `pcr_selection`.
Result<ReferenceChallenge> MakeReferenceChallenge(const api::ChallengeRequest& request,
                                                  const std::string& pcr_selection);

// VerifyReferenceComplete checks `complete` against the challenge: challenge id, proof
// (kPermissionDenied "credential.bad_proof"), quote (quote.*; the selection must cover the
// challenge's, default "sha256:0"), certify (certify.*, identity.*), CSR signature
// (csr.bad_signature) and CSR key = certified key (kPermissionDenied "csr.key_mismatch").
// Returns the certified identity key.
Result<PublicKey> VerifyReferenceComplete(const api::ChallengeRequest& request,
                                          const ReferenceChallenge& challenge,
                                          const api::CompleteRequest& complete);

// VerifyReferenceEvidence checks the evidence part alone, bound to `qualifying_data`.
Result<PublicKey> VerifyReferenceEvidence(const api::Evidence& evidence, ByteView ak_public,
                                          ByteView qualifying_data,
                                          const std::string& pcr_selection);

}  // namespace edgetrust::enrollment::client::testing

#endif  // EDGETRUST_ENROLLMENT_CLIENT_TESTING_REFERENCE_VERIFIER_H_
