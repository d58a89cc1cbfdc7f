// TlsKey is the TLS server private key of a listener, held in a PKCS#11 token: an OpenSSL
// EVP_PKEY whose signing operations run inside the token (certs::Pkcs11PrivateKey). The process
// never holds the key bytes; the key file of a classic TLS server does not exist.
//
// It uses certs' one libp11 context per module (certs/pkcs11_module.h), the same context as the
// device-CA Pkcs11Signer: one token login, no second context that could end the CA's sessions.
//
// Lifetime: the EVP_PKEY stays valid while the TlsKey lives. An SSL_CTX/SSL that uses it holds
// its own reference and may sign until it is freed; if those may outlive the TlsKey (cpprestsdk
// frees connection contexts on its I/O threads, even after a listener reported closed), call
// RetainModuleUntilExit() once, as Enrolld does (see enrollment/server/enrolld.h).
// Thread-safety: OpenSSL may sign from several handshake threads at once; libp11 0.4.12 gives
// each operation its own session from the slot's pool (see certs/pkcs11_key.h).
// Errors: as certs::OpenPkcs11PrivateKey: kInvalidArgument "pkcs11.bad_uri"; kUnavailable
// "pkcs11.module"; kNotFound "pkcs11.no_token" / "pkcs11.no_key" / "pin.missing";
// kPermissionDenied "pkcs11.login"; kInternal "pkcs11.failed".
#ifndef EDGETRUST_ENROLLMENT_SERVER_TLS_KEY_H_
#define EDGETRUST_ENROLLMENT_SERVER_TLS_KEY_H_

#include <memory>

#include "certs/pkcs11_key.h"
#include "certs/pkcs11_signer.h"
#include "common/error.h"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY

namespace edgetrust::enrollment::server {

class TlsKey {
 public:
  // Open finds config.key_uri (RFC 7512, no pin-value) in the token of config.module_path.
  static Result<std::unique_ptr<TlsKey>> Open(const certs::Pkcs11Config& config);
  TlsKey(const TlsKey&) = delete;
  TlsKey& operator=(const TlsKey&) = delete;

  // get0_pkey borrows the private key handle for SSL_CTX_use_PrivateKey.
  evp_pkey_st* get0_pkey() const { return key_->get0_pkey(); }
  // RetainModuleUntilExit: see certs::Pkcs11PrivateKey::RetainModuleUntilExit.
  void RetainModuleUntilExit() const { key_->RetainModuleUntilExit(); }

 private:
  explicit TlsKey(std::unique_ptr<certs::Pkcs11PrivateKey> key) : key_(std::move(key)) {}
  std::unique_ptr<certs::Pkcs11PrivateKey> key_;
};

}  // namespace edgetrust::enrollment::server

#endif  // EDGETRUST_ENROLLMENT_SERVER_TLS_KEY_H_
