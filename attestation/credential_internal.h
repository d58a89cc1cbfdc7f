// Internal to attestation/: the pieces of the TPM 2.0 credential protocol (TPM 2.0 Part 1 §24)
// shared by MakeCredential (make_credential.cc) and ActivateCredentialInSoftware
// (software_activate.cc), so that both directions run the same key schedule. Not for other
// callers; the public contracts are in make_credential.h and software_activate.h.
//
// evp_pkey_st is OpenSSL's EVP_PKEY; pointers are borrowed for the duration of the call.
// All functions are thread-safe. Reasons: "credential.unsupported_ek", "credential.bad_name",
// "crypto.openssl" (kInternal).
#ifndef EDGETRUST_ATTESTATION_CREDENTIAL_INTERNAL_H_
#define EDGETRUST_ATTESTATION_CREDENTIAL_INTERNAL_H_

#include <cstddef>
#include <string_view>

#include "attestation/tpm_public.h"
#include "common/bytes.h"
#include "common/crypto.h"
#include "common/error.h"
#include "common/public_key.h"
#include "common/secret_bytes.h"

struct evp_pkey_st;

namespace edgetrust::attestation::credential_internal {

// kIdentityLabel labels the seed (OAEP label, KDFe label); its NUL is added where it is used.
inline constexpr std::string_view kIdentityLabel = "IDENTITY";

// EkParams are the parts of an EK public area the protocol depends on.
struct EkParams {
  HashAlgorithm name_alg;  // seed size, KDF hash, HMAC hash, OAEP hash
  size_t aes_bits;         // symmetric.keyBits.aes: 128 (low range) or 256 (high range)
  PublicKey key;           // the EK public key
};

// CheckEk accepts a restricted, decrypting, non-signing RSA or ECC key whose symmetric
// definition is AES-CFB and whose nameAlg is supported; else "credential.unsupported_ek".
Result<EkParams> CheckEk(const TpmPublic& ek);

// CheckObjectName accepts a Name of a key: a supported nameAlg followed by a digest of its size.
Status CheckObjectName(ByteView name);

// DeriveSymKey is KDFa(nameAlg, seed, "STORAGE", name, "", aes_bits).
Result<SecretBytes> DeriveSymKey(const EkParams& ek, const SecretBytes& seed, ByteView name);
// DeriveHmacKey is KDFa(nameAlg, seed, "INTEGRITY", "", "", digest bits).
Result<SecretBytes> DeriveHmacKey(const EkParams& ek, const SecretBytes& seed);

// OuterHmac is HMAC_nameAlg(hmac_key, enc_identity || name).
Result<Bytes> OuterHmac(const EkParams& ek, const SecretBytes& hmac_key, ByteView enc_identity,
                        ByteView name);

// AesCfbEncrypt / AesCfbDecrypt run AES-CFB128 with a zero IV (TPM 2.0 Part 1 §24.4); the key
// size selects AES-128/192/256.
Result<Bytes> AesCfbEncrypt(const SecretBytes& key, ByteView plaintext);
Result<SecretBytes> AesCfbDecrypt(const SecretBytes& key, ByteView ciphertext);

// RsaOaepEncrypt / RsaOaepDecrypt use OAEP with `hash` for both OAEP and MGF1 and the label
// "IDENTITY\0". A decryption failure is kPermissionDenied "credential.integrity" (one reason
// for every failure, so it reveals nothing about the padding).
Result<Bytes> RsaOaepEncrypt(evp_pkey_st* public_key, HashAlgorithm hash, ByteView seed);
Result<SecretBytes> RsaOaepDecrypt(evp_pkey_st* private_key, HashAlgorithm hash,
                                   ByteView encrypted);

// EcdhX returns the x-coordinate of own * peer, left-padded to the field size (TPM's Z).
Result<SecretBytes> EcdhX(evp_pkey_st* own_private, evp_pkey_st* peer_public);

// EccSeed is KDFe(nameAlg, z, "IDENTITY", party_u = ephemeral x, party_v = EK x, digest bits).
Result<SecretBytes> EccSeed(const EkParams& ek, const SecretBytes& z, ByteView ephemeral_x,
                            ByteView ek_x);

}  // namespace edgetrust::attestation::credential_internal

#endif  // EDGETRUST_ATTESTATION_CREDENTIAL_INTERNAL_H_
