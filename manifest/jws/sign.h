// Signing deployment manifests (the `edgetrust manifest sign` tool and tests): a JWS in the
// general JSON serialization over the exact payload bytes, one signature per signer, with the
// protected header {"alg": <from the signer's key>, "x5c": [<chain, leaf first>]}.
//
// Neither function parses the payload as a manifest: a caller that signs should run
// ParseManifest (or ManifestVerifier::Verify on the result) itself. Thread-safe when the
// Signer is.
#ifndef EDGETRUST_MANIFEST_JWS_SIGN_H_
#define EDGETRUST_MANIFEST_JWS_SIGN_H_

#include <string>
#include <string_view>
#include <vector>

#include "certs/certificate.h"
#include "certs/signer.h"
#include "common/bytes.h"
#include "common/error.h"

namespace edgetrust::manifest::jws {

// SignManifest signs `payload` with `signer`; `chain` is the signer's certificate followed by
// the intermediates to carry in x5c (1 to kMaxX5c certificates; the root may be left out).
// The JWS alg comes from the signer (JwsAlgForSigner: ES256, ES384, PS256, RS256). Errors:
// kInvalidArgument "jws.too_large" (payload over manifest::kMaxManifestSize), "jws.bad_chain"
// (chain empty or too long), "jws.key_mismatch" (chain.front() is not the signer's key),
// kPermissionDenied "jws.bad_alg" (the signer's algorithm does not fit its key), and the
// Signer's own errors.
Result<std::string> SignManifest(ByteView payload, const certs::Signer& signer,
                                 const std::vector<certs::Certificate>& chain);

// AddSignature appends one signature to an existing JWS (general or flattened; it is parsed
// strictly with ParseJwsEnvelope, not verified) over the same payload, and returns the general
// serialization with the existing members unchanged: k-of-n signing, one signer at a time.
// Errors: ParseJwsEnvelope's, SignManifest's, kInvalidArgument "jws.too_many_signatures"
// (already kMaxSignatures), kAlreadyExists "jws.duplicate_signer" (a signature whose leaf
// certificate has the signer's key is already present).
Result<std::string> AddSignature(std::string_view jws_json, const certs::Signer& signer,
                                 const std::vector<certs::Certificate>& chain);

}  // namespace edgetrust::manifest::jws

#endif  // EDGETRUST_MANIFEST_JWS_SIGN_H_
