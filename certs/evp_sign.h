// Signing with a private key held in this process (an OpenSSL EVP_PKEY): the one place where
// that happens, shared by PemKeySigner (the development path of `edgetrust manifest sign`) and
// the test-only SoftwareSigner. Production keys live in a TPM or a PKCS#11 token instead.
//
// SignDigestWithEvpKey checks the digest size ("signer.digest_size"), then signs with `alg`'s
// padding (PKCS#1 v1.5; PSS with MGF1-SHA-256 and a 32-byte salt; ECDSA as DER). PublicKeyOf
// returns the public half. OpenSSL failures are kInternal "crypto.openssl". Thread-safe for
// distinct calls on one key (OpenSSL keys are safe to share for signing).
#ifndef EDGETRUST_CERTS_EVP_SIGN_H_
#define EDGETRUST_CERTS_EVP_SIGN_H_

#include "certs/signer.h"
#include "common/bytes.h"
#include "common/error.h"
#include "common/public_key.h"

struct evp_pkey_st;

namespace edgetrust::certs {

Result<Bytes> SignDigestWithEvpKey(evp_pkey_st* key, SignatureAlgorithm alg, ByteView digest);

Result<PublicKey> PublicKeyOf(evp_pkey_st* key);

}  // namespace edgetrust::certs

#endif  // EDGETRUST_CERTS_EVP_SIGN_H_
