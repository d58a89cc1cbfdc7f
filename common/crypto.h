// Hashes, MACs, randomness and constant-time comparison on OpenSSL 3.
//
// All functions are thread-safe. They fail only on an OpenSSL failure (kInternal, reason
// "crypto.openssl") or on a bad argument (kInvalidArgument).
#ifndef EDGETRUST_COMMON_CRYPTO_H_
#define EDGETRUST_COMMON_CRYPTO_H_

#include <cstddef>
#include <string_view>

#include "common/bytes.h"
#include "common/error.h"
#include "common/secret_bytes.h"

namespace edgetrust {

enum class HashAlgorithm { kSha1, kSha256, kSha384, kSha512 };

// DigestSize returns the output length of `alg` in bytes.
size_t DigestSize(HashAlgorithm alg);

// HashAlgorithmName returns "sha1", "sha256", "sha384" or "sha512".
std::string_view HashAlgorithmName(HashAlgorithm alg);

// ParseHashAlgorithm is the inverse of HashAlgorithmName; anything else is kInvalidArgument.
Result<HashAlgorithm> ParseHashAlgorithm(std::string_view name);

// Digest hashes `data` with `alg`.
Result<Bytes> Digest(HashAlgorithm alg, ByteView data);

// Hmac computes HMAC-`alg` of `data` under `key`.
Result<Bytes> Hmac(HashAlgorithm alg, ByteView key, ByteView data);

// RandomBytes returns `size` bytes from OpenSSL's CSPRNG.
Result<Bytes> RandomBytes(size_t size);

// RandomSecret is RandomBytes for material that must stay secret.
Result<SecretBytes> RandomSecret(size_t size);

// ConstantTimeEquals compares in time that depends only on the lengths; use it for secrets,
// MACs, nonces and digests received from outside.
bool ConstantTimeEquals(ByteView a, ByteView b);

}  // namespace edgetrust

#endif  // EDGETRUST_COMMON_CRYPTO_H_
