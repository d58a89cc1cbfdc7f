// Ownership and glue for OpenSSL 3, the one header that may include OpenSSL headers; include
// it from .cc files only, never from another header.
//
// OpenSslPtr<T> owns an OpenSSL object with that type's own free function. Only the types
// listed below have a deleter, so owning an unlisted type fails to compile instead of leaking.
// Remember that many OpenSSL calls return -1 on error: compare results with `== 1`.
#ifndef EDGETRUST_COMMON_OPENSSL_H_
#define EDGETRUST_COMMON_OPENSSL_H_

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string_view>

#include "common/crypto.h"
#include "common/error.h"

namespace edgetrust {

template <typename T>
struct OpenSslDeleter;  // deliberately undefined for unlisted types

#define EDGETRUST_OPENSSL_DELETER(type, fn)            \
  template <>                                          \
  struct OpenSslDeleter<type> {                        \
    void operator()(type* p) const noexcept { fn(p); } \
  }

EDGETRUST_OPENSSL_DELETER(EVP_PKEY, EVP_PKEY_free);
EDGETRUST_OPENSSL_DELETER(EVP_PKEY_CTX, EVP_PKEY_CTX_free);
EDGETRUST_OPENSSL_DELETER(EVP_MD_CTX, EVP_MD_CTX_free);
EDGETRUST_OPENSSL_DELETER(EVP_CIPHER_CTX, EVP_CIPHER_CTX_free);
EDGETRUST_OPENSSL_DELETER(EVP_MAC, EVP_MAC_free);
EDGETRUST_OPENSSL_DELETER(EVP_MAC_CTX, EVP_MAC_CTX_free);
EDGETRUST_OPENSSL_DELETER(BIO, BIO_free_all);
EDGETRUST_OPENSSL_DELETER(BIGNUM, BN_clear_free);
EDGETRUST_OPENSSL_DELETER(BN_CTX, BN_CTX_free);
EDGETRUST_OPENSSL_DELETER(EC_GROUP, EC_GROUP_free);
EDGETRUST_OPENSSL_DELETER(EC_POINT, EC_POINT_clear_free);
EDGETRUST_OPENSSL_DELETER(ECDSA_SIG, ECDSA_SIG_free);
EDGETRUST_OPENSSL_DELETER(OSSL_PARAM_BLD, OSSL_PARAM_BLD_free);
EDGETRUST_OPENSSL_DELETER(OSSL_PARAM, OSSL_PARAM_free);
EDGETRUST_OPENSSL_DELETER(X509, X509_free);
EDGETRUST_OPENSSL_DELETER(X509_NAME, X509_NAME_free);
// ASN1_INTEGER, ASN1_TIME, ASN1_OCTET_STRING, ASN1_BIT_STRING are all ASN1_STRING.
EDGETRUST_OPENSSL_DELETER(ASN1_STRING, ASN1_STRING_free);
EDGETRUST_OPENSSL_DELETER(ASN1_OBJECT, ASN1_OBJECT_free);
EDGETRUST_OPENSSL_DELETER(X509_ALGOR, X509_ALGOR_free);
EDGETRUST_OPENSSL_DELETER(X509_EXTENSION, X509_EXTENSION_free);
EDGETRUST_OPENSSL_DELETER(X509_REQ, X509_REQ_free);
EDGETRUST_OPENSSL_DELETER(X509_CRL, X509_CRL_free);
EDGETRUST_OPENSSL_DELETER(X509_REVOKED, X509_REVOKED_free);
EDGETRUST_OPENSSL_DELETER(X509_STORE, X509_STORE_free);
EDGETRUST_OPENSSL_DELETER(X509_STORE_CTX, X509_STORE_CTX_free);
EDGETRUST_OPENSSL_DELETER(BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free);
EDGETRUST_OPENSSL_DELETER(AUTHORITY_KEYID, AUTHORITY_KEYID_free);
EDGETRUST_OPENSSL_DELETER(GENERAL_NAME, GENERAL_NAME_free);
// Stacks: GENERAL_NAMES and EXTENDED_KEY_USAGE free their elements; STACK_OF(X509) and
// STACK_OF(X509_EXTENSION) owners below free the elements too (pop_free).
EDGETRUST_OPENSSL_DELETER(GENERAL_NAMES, GENERAL_NAMES_free);
EDGETRUST_OPENSSL_DELETER(EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free);
inline void FreeX509Stack(STACK_OF(X509) * s) { sk_X509_pop_free(s, X509_free); }
inline void FreeExtensionStack(STACK_OF(X509_EXTENSION) * s) {
  sk_X509_EXTENSION_pop_free(s, X509_EXTENSION_free);
}
EDGETRUST_OPENSSL_DELETER(STACK_OF(X509), FreeX509Stack);
EDGETRUST_OPENSSL_DELETER(STACK_OF(X509_EXTENSION), FreeExtensionStack);

#undef EDGETRUST_OPENSSL_DELETER

template <typename T>
using OpenSslPtr = std::unique_ptr<T, OpenSslDeleter<T>>;

// OpenSslError drains OpenSSL's thread-local error queue into an Error naming `call`; the
// queue's newest code is kept in Error::native. Use it right after the failing call.
Error OpenSslError(ErrorCode code, std::string_view reason, std::string_view call);

// EvpMd returns the (static, never freed) OpenSSL digest for `alg`.
const EVP_MD* EvpMd(HashAlgorithm alg);

}  // namespace edgetrust

#endif  // EDGETRUST_COMMON_OPENSSL_H_
