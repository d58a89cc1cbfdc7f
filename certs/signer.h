// Signer signs digests with a private key it never reveals: the key lives in an HSM (PKCS#11)
// or a TPM, and this process holds a handle, never key bytes.
//
// Implementations: Pkcs11Signer (pkcs11_signer.h; any PKCS#11 module, SoftHSM in tests) and, on
// the device, a TPM-backed signer. Implementations are thread-safe unless they say otherwise.
#ifndef EDGETRUST_CERTS_SIGNER_H_
#define EDGETRUST_CERTS_SIGNER_H_

#include <string_view>

#include "common/bytes.h"
#include "common/crypto.h"
#include "common/error.h"
#include "common/public_key.h"

namespace edgetrust::certs {

enum class SignatureAlgorithm {
  kEcdsaSha256,     // ECDSA P-256 with SHA-256
  kEcdsaSha384,     // ECDSA P-384 with SHA-384
  kRsaPkcs1Sha256,  // RSASSA-PKCS1-v1_5 with SHA-256
  kRsaPssSha256,    // RSASSA-PSS, SHA-256, MGF1-SHA-256, salt length 32
};

// SignatureHash is the digest algorithm of `alg`.
HashAlgorithm SignatureHash(SignatureAlgorithm alg);
// SignatureAlgorithmName is "ecdsa-sha256", "ecdsa-sha384", "rsa-pkcs1-sha256", "rsa-pss-sha256".
std::string_view SignatureAlgorithmName(SignatureAlgorithm alg);
// JwsAlgorithmName is the JWS (RFC 7518) name of `alg`: "ES256", "ES384", "RS256", "PS256".
std::string_view JwsAlgorithmName(SignatureAlgorithm alg);
// SignatureSchemeOf is the PublicKey::Verify scheme that checks signatures of `alg`.
SignatureScheme SignatureSchemeOf(SignatureAlgorithm alg);
// CheckAlgorithmFitsKey: ECDSA-SHA256 needs P-256, ECDSA-SHA384 P-384, the RSA ones RSA; else
// kInvalidArgument "signer.algorithm_mismatch".
Status CheckAlgorithmFitsKey(SignatureAlgorithm alg, KeyType key);
// DefaultSignatureAlgorithm: P-256 → kEcdsaSha256, P-384 → kEcdsaSha384, RSA →
// kRsaPkcs1Sha256; P-521 is kInvalidArgument "signer.unsupported_key".
Result<SignatureAlgorithm> DefaultSignatureAlgorithm(KeyType key);
// CheckDigestSize is the "signer.digest_size" check every Signer::Sign starts with.
Status CheckDigestSize(SignatureAlgorithm alg, ByteView digest);

class Signer {
 public:
  virtual ~Signer() = default;
  virtual SignatureAlgorithm algorithm() const = 0;
  virtual const PublicKey& public_key() const = 0;
  // Sign returns a signature over `digest`, which must be SignatureHash(algorithm())'s size
  // (else kInvalidArgument "signer.digest_size"): a DER ECDSA-Sig-Value for ECDSA, the raw
  // signature bytes for RSA. A device that cannot be reached is kUnavailable "signer.unavailable".
  virtual Result<Bytes> Sign(ByteView digest) const = 0;
};

}  // namespace edgetrust::certs

#endif  // EDGETRUST_CERTS_SIGNER_H_
