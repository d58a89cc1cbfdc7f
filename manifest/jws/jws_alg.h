// The JWS algorithms a deployment manifest may be signed with (RFC 7518 §3), and the raw ECDSA
// signature form JWS uses.
//
// The algorithm is a function of the signer's key, never a choice of the document: a header
// whose "alg" does not name the one algorithm family the key allows is refused. Pure
// functions, thread-safe.
#ifndef EDGETRUST_MANIFEST_JWS_JWS_ALG_H_
#define EDGETRUST_MANIFEST_JWS_JWS_ALG_H_

#include <string_view>

#include "certs/signer.h"
#include "common/bytes.h"
#include "common/crypto.h"
#include "common/error.h"
#include "common/public_key.h"

namespace edgetrust::manifest::jws {

enum class JwsAlg {
  kEs256,  // ECDSA P-256 + SHA-256, signature r||s (2 x 32 bytes)
  kEs384,  // ECDSA P-384 + SHA-384, signature r||s (2 x 48 bytes)
  kPs256,  // RSASSA-PSS + SHA-256, MGF1-SHA-256, RSA >= 2048 bits
  kRs256,  // RSASSA-PKCS1-v1_5 + SHA-256, RSA >= 2048 bits
};

// JwsAlgName is "ES256", "ES384", "PS256" or "RS256".
std::string_view JwsAlgName(JwsAlg alg);
// ParseJwsAlg is the inverse of JwsAlgName. Anything else ("none", "HS256", "ES512", "es256",
// ...) is kPermissionDenied "jws.bad_alg".
Result<JwsAlg> ParseJwsAlg(std::string_view name);
// JwsAlgHash is the digest of `alg` (SHA-256, or SHA-384 for ES384).
HashAlgorithm JwsAlgHash(JwsAlg alg);

// CheckJwsAlgFitsKey: P-256 needs ES256, P-384 ES384, RSA PS256 or RS256; any other pairing
// (and P-521) is kPermissionDenied "jws.bad_alg". Key strength is the trust policy's business
// (RSA < 2048 is "jws.signer_profile" there).
Status CheckJwsAlgFitsKey(JwsAlg alg, const PublicKey& key);

// JwsAlgForSigner maps signer.algorithm() to its JWS name (kEcdsaSha256 → ES256, kEcdsaSha384 →
// ES384, kRsaPssSha256 → PS256, kRsaPkcs1Sha256 → RS256) and checks it fits the signer's key.
Result<JwsAlg> JwsAlgForSigner(const certs::Signer& signer);

namespace internal {

// EcdsaJoseToDer converts a JWS ECDSA signature (r||s, each exactly the curve's size) into a
// DER ECDSA-Sig-Value for OpenSSL. A wrong length, r or s zero, or r or s >= the group order
// is kPermissionDenied "jws.bad_signature" (THREATS M5): such values never reach OpenSSL.
Result<Bytes> EcdsaJoseToDer(ByteView raw, JwsAlg alg);
// EcdsaDerToJose is the inverse, for signers that return DER (kInvalidArgument
// "jws.bad_signature" for anything that is not one DER ECDSA-Sig-Value of the curve's size).
Result<Bytes> EcdsaDerToJose(ByteView der, JwsAlg alg);

}  // namespace internal
}  // namespace edgetrust::manifest::jws

#endif  // EDGETRUST_MANIFEST_JWS_JWS_ALG_H_
