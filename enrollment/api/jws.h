// The flattened JWS (RFC 7515 §7.2.2) that signs device requests after enrollment
// (docs/enrollment-protocol.md, "Signed device requests"): the shared encoding, used by the
// device client to sign and by the service to take a request apart. No verification here:
// the service's DeviceJwsVerifier (enrollment/service/device_jws.h) decides trust.
//
// Only ES256 (P-256), ES384 (P-384) and PS256 (RSA) exist; "none", HS*, RS* and anything else
// are kPermissionDenied "jws.bad_alg". A header with "crit" is kPermissionDenied
// "jws.unknown_crit" (we understand no extension). A body or header of the wrong shape is
// kInvalidArgument "jws.malformed" (a body over kMaxBodySize: "request.too_large").
// Pure functions, thread-safe.
#ifndef EDGETRUST_ENROLLMENT_API_JWS_H_
#define EDGETRUST_ENROLLMENT_API_JWS_H_

#include <string>
#include <string_view>
#include <vector>

#include "certs/signer.h"
#include "common/bytes.h"
#include "common/error.h"
#include "common/public_key.h"

namespace edgetrust::enrollment::api {

enum class JwsAlg { kEs256, kEs384, kPs256 };

// JwsAlgName is "ES256", "ES384" or "PS256"; ParseJwsAlg is its inverse ("jws.bad_alg").
std::string_view JwsAlgName(JwsAlg alg);
Result<JwsAlg> ParseJwsAlg(std::string_view name);
// JwsAlgForKey is the one algorithm a key may sign with: P-256 → ES256, P-384 → ES384,
// RSA → PS256; other keys are "jws.bad_alg".
Result<JwsAlg> JwsAlgForKey(const PublicKey& key);

// FlattenedJws holds the three base64url members as sent.
struct FlattenedJws {
  std::string protected_b64;
  std::string payload_b64;
  std::string signature_b64;
};

struct JwsProtectedHeader {
  JwsAlg alg = JwsAlg::kEs256;
  std::string nonce;       // the Replay-Nonce, base64url text as issued
  std::string url;         // request path
  std::vector<Bytes> x5c;  // DER certificates, leaf first (1 to 4 entries)
};

// ParseFlattenedJws reads {"protected","payload","signature"} and nothing else.
Result<FlattenedJws> ParseFlattenedJws(std::string_view body);
std::string ToJson(const FlattenedJws& jws);
// ParseProtectedHeader decodes and strictly parses the protected header (members alg, nonce,
// url, x5c; x5c entries are standard base64 with padding, per RFC 7515 §4.1.6).
Result<JwsProtectedHeader> ParseProtectedHeader(const FlattenedJws& jws);
// SigningInput is ASCII(protected || '.' || payload), the bytes the signature covers.
std::string SigningInput(const FlattenedJws& jws);
// DecodePayload base64url-decodes the payload ("jws.malformed").
Result<std::string> DecodePayload(const FlattenedJws& jws);

// EcdsaDerToRaw converts a DER ECDSA-Sig-Value to r||s with `coordinate_size` bytes each;
// EcdsaRawToDer is the inverse (kPermissionDenied "jws.bad_signature" for a raw value of the
// wrong length).
Result<Bytes> EcdsaDerToRaw(ByteView der, size_t coordinate_size);
Result<Bytes> EcdsaRawToDer(ByteView raw, size_t coordinate_size);

// SignJws builds the request body: the protected header {alg, nonce, url, x5c} with the alg
// from signer.algorithm() (kEcdsaSha256 on P-256, kEcdsaSha384 on P-384, kRsaPssSha256; else
// "jws.bad_alg"), the payload bytes as given, and the signature in JWS form (ES*: r||s).
// `x5c_der` is the device certificate first.
Result<std::string> SignJws(const certs::Signer& signer, std::string_view nonce,
                            std::string_view url, const std::vector<Bytes>& x5c_der,
                            std::string_view payload);

}  // namespace edgetrust::enrollment::api

#endif  // EDGETRUST_ENROLLMENT_API_JWS_H_
