// The JWS envelope of a signed deployment manifest: RFC 7515 JSON serialization, general
// ({"payload","signatures":[{"protected","header"?,"signature"}]}) or flattened
// ({"payload","protected","header"?,"signature"}), taken apart strictly and with bounded work
// before any cryptography (THREATS M4, M9, M13). No trust decision here: that is
// ManifestVerifier's (verifier.h).
//
// What ParseJwsEnvelope accepts, in the order it checks:
//   - at most kMaxJwsSize bytes ("jws.too_large"), one JSON object, valid UTF-8, nesting at most
//     8, no duplicate member name anywhere, no member outside the two serializations (mixing
//     "signatures" with "signature"/"protected" is refused) ("jws.malformed");
//   - an attached "payload" (detached payloads and RFC 7797 "b64":false are not supported);
//   - 1 to kMaxSignatures signatures: none is "jws.no_signatures", more is
//     "jws.too_many_signatures" (counted before anything is decoded);
//   - per signature: "protected" and "signature" strings; the unprotected "header", if present,
//     must be the empty object: every parameter we act on must be integrity protected, so a
//     non-empty unprotected header is refused rather than half-trusted ("jws.malformed");
//   - base64url without padding everywhere (strict, canonical), a payload of at most
//     manifest::kMaxManifestSize bytes ("jws.too_large");
//   - the protected header: a strict JSON object with "alg" (ParseJwsAlg: anything but ES256,
//     ES384, PS256, RS256 is kPermissionDenied "jws.bad_alg") and "x5c" (1 to kMaxX5c standard
//     base64 DER certificates, leaf first); optional "typ", "cty", "kid" strings (informational,
//     never acted upon); any "crit" is kPermissionDenied "jws.unknown_crit" (we implement no
//     extension, so every critical one is unknown); any other member is "jws.malformed".
// Other errors are kInvalidArgument. Pure, thread-safe.
#ifndef EDGETRUST_MANIFEST_JWS_ENVELOPE_H_
#define EDGETRUST_MANIFEST_JWS_ENVELOPE_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "manifest/jws/jws_alg.h"

namespace edgetrust::manifest::jws {

inline constexpr size_t kMaxJwsSize = 1024 * 1024;
inline constexpr size_t kMaxSignatures = 8;
inline constexpr size_t kMaxX5c = 4;
inline constexpr size_t kMaxProtectedHeaderSize = 64 * 1024;  // base64url text
inline constexpr size_t kMaxCertificateSize = 16 * 1024;      // DER, per x5c entry

struct JwsProtectedHeader {
  JwsAlg alg = JwsAlg::kEs256;
  std::vector<Bytes> x5c;  // DER certificates, leaf first, not yet parsed or trusted
};

struct JwsSignature {
  std::string protected_b64;  // exactly as received: part of the signing input
  std::string signature_b64;
  JwsProtectedHeader header;
  Bytes signature;  // decoded; r||s for ES*
};

struct JwsEnvelope {
  std::string payload_b64;  // exactly as received
  Bytes payload;            // decoded: the bytes the signatures cover and the parser reads
  std::vector<JwsSignature> signatures;
};

Result<JwsEnvelope> ParseJwsEnvelope(std::string_view json);

// SigningInput is ASCII(BASE64URL(protected) || '.' || BASE64URL(payload)) (RFC 7515 §5.1).
std::string SigningInput(const JwsEnvelope& envelope, const JwsSignature& signature);

// ToGeneralJson writes the general JSON serialization from the base64url members as they are
// (so re-serializing never changes what a signature covers).
std::string ToGeneralJson(const JwsEnvelope& envelope);

}  // namespace edgetrust::manifest::jws

#endif  // EDGETRUST_MANIFEST_JWS_ENVELOPE_H_
