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
