// PublicKey is an immutable, shareable public key (RSA or EC) backed by an OpenSSL EVP_PKEY.
//
// It never holds private key material: factories reject input that carries a private key.
// Copies share the same underlying key (reference counted); all methods are const and
// thread-safe. The raw EVP_PKEY is reachable only through get0_evp() for OpenSSL glue in .cc
// files; it stays owned by this object.
#ifndef EDGETRUST_COMMON_PUBLIC_KEY_H_
#define EDGETRUST_COMMON_PUBLIC_KEY_H_

#include <memory>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/crypto.h"
#include "common/error.h"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY

namespace edgetrust {

enum class KeyType { kRsa, kEcP256, kEcP384, kEcP521 };

// CurveName returns the OpenSSL group name of an EC key type ("P-256", "P-384", "P-521"), a
// static string, or nullptr for kRsa, which has no curve.
const char* CurveName(KeyType type);

// SignatureScheme names how a signature is encoded and padded; the hash is separate.
enum class SignatureScheme {
  kEcdsaDer,  // ECDSA, signature is a DER ECDSA-Sig-Value
  kRsaPkcs1,  // RSASSA-PKCS1-v1_5
  kRsaPss,    // RSASSA-PSS, MGF1 with the same hash; Verify accepts any salt length, since
              // TPMs sign with a digest-length salt (library >= 1.38) or the maximum salt
};

class PublicKey {
 public:
  // FromSpkiDer parses a DER SubjectPublicKeyInfo. Reasons: "key.malformed",
  // "key.unsupported" (not RSA or P-256/P-384/P-521).
  static Result<PublicKey> FromSpkiDer(ByteView der);
  // FromPem parses a PEM "PUBLIC KEY" block (same reasons).
  static Result<PublicKey> FromPem(std::string_view pem);
  // FromRsa builds a key from big-endian modulus and exponent (odd, > 1). Moduli outside
  // 1024..16384 bits are "key.unsupported" (also for the other factories).
  static Result<PublicKey> FromRsa(ByteView modulus, ByteView exponent);
  // FromEcPoint builds a key from the affine coordinates (big-endian, any leading zeros).
  // An off-curve point is kInvalidArgument "key.malformed".
  static Result<PublicKey> FromEcPoint(KeyType curve, ByteView x, ByteView y);
  // Adopt takes ownership of one reference to `pkey` (must be a public RSA or EC key; a key
  // that carries private material is "key.malformed"), also when it fails.
  static Result<PublicKey> Adopt(evp_pkey_st* pkey);

  KeyType type() const { return type_; }
  // bits is the modulus size for RSA and the field size for EC.
  int bits() const;

  Result<Bytes> ToSpkiDer() const;
  Result<std::string> ToPem() const;
  // Fingerprint is SHA-256 over the SPKI DER, lower-case hex: the id logs may carry.
  std::string Fingerprint() const;
  // Equals compares the public values (not the encodings).
  bool Equals(const PublicKey& other) const;

  // Verify checks `signature` over `message` (hashed here with `hash`). Errors are values:
  // kPermissionDenied "signature.invalid" for a signature that does not verify (including
  // malformed encodings), kInvalidArgument "signature.scheme_mismatch" when `scheme` does
  // not fit the key type.
  Status Verify(SignatureScheme scheme, HashAlgorithm hash, ByteView message,
                ByteView signature) const;

  // get0_evp borrows the EVP_PKEY; valid while this PublicKey (or a copy) lives.
  evp_pkey_st* get0_evp() const { return pkey_.get(); }

 private:
  PublicKey(std::shared_ptr<evp_pkey_st> pkey, KeyType type)
      : pkey_(std::move(pkey)), type_(type) {}

  std::shared_ptr<evp_pkey_st> pkey_;
  KeyType type_;
};

}  // namespace edgetrust

#endif  // EDGETRUST_COMMON_PUBLIC_KEY_H_
