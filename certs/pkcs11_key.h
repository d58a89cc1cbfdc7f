// Pkcs11PrivateKey: a token private key as an OpenSSL EVP_PKEY (libp11), for OpenSSL APIs
// that want a key rather than a Signer, e.g. SSL_CTX_use_PrivateKey for a TLS server. Signing
// runs inside the token; the process never holds key bytes.
//
// It shares the process's one libp11 context per module with every Pkcs11Signer
// (certs/pkcs11_module.h): opening the device-CA signer and a TLS key from the same token
// loads, initialises and logs in to the module once. Never open a second libp11 context on a
// module certs uses: its C_Finalize/C_CloseAllSessions would end this context's sessions.
//
// Lifetime contract: the EVP_PKEY is libp11's, and it points at libp11 objects that live only
// while the module is loaded. The owner keeps the module loaded. OpenSSL objects that took
// their own reference (every SSL_CTX/SSL using the key, X509_sign in flight) must be freed
// before the owner, OR the process must call RetainModuleUntilExit() once, after which the
// module is never finalized or unloaded (the OS reclaims it at exit) and any EVP_PKEY
// reference stays valid for the rest of the process. Use the latter when the OpenSSL users
// free their objects at times you do not control (cpprestsdk, see enrollment/server/enrolld.h).
//
// Thread-safety: get0_pkey()/public_key() are const and safe from any thread. OpenSSL may sign
// with the EVP_PKEY from several threads at once: libp11 0.4.12 gives each operation its own
// session from the slot's pool under the slot's mutex (C_Initialize with CKF_OS_LOCKING_OK);
// this does not take certs' ModuleMutex. Open and destruction take ModuleMutex.
// Errors of OpenPkcs11PrivateKey: as OpenPkcs11Signer (certs/pkcs11_signer.h).
#ifndef EDGETRUST_CERTS_PKCS11_KEY_H_
#define EDGETRUST_CERTS_PKCS11_KEY_H_

#include <memory>

#include "certs/pkcs11_signer.h"
#include "common/error.h"
#include "common/public_key.h"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY

namespace edgetrust::certs {

namespace internal {
class Pkcs11Module;
}

class Pkcs11PrivateKey {
 public:
  ~Pkcs11PrivateKey();  // drops the EVP_PKEY reference, then the module (ModuleMutex held)
  Pkcs11PrivateKey(const Pkcs11PrivateKey&) = delete;
  Pkcs11PrivateKey& operator=(const Pkcs11PrivateKey&) = delete;

  // get0_pkey borrows the key; callers such as SSL_CTX_use_PrivateKey take their own
  // reference (see the lifetime contract above).
  evp_pkey_st* get0_pkey() const { return pkey_; }
  // public_key is read from the token's public key object with the same label and id.
  const PublicKey& public_key() const { return public_key_; }

  // RetainModuleUntilExit keeps this key's module loaded until the process exits, so no
  // EVP_PKEY reference can outlive it. Idempotent; affects every user of the module.
  void RetainModuleUntilExit() const;

 private:
  friend Result<std::unique_ptr<Pkcs11PrivateKey>> OpenPkcs11PrivateKey(const Pkcs11Config&);
  Pkcs11PrivateKey(std::shared_ptr<internal::Pkcs11Module> module, evp_pkey_st* pkey,
                   PublicKey public_key);
  std::shared_ptr<internal::Pkcs11Module> module_;
  evp_pkey_st* pkey_;  // one reference, owned; freed before module_ is released
  PublicKey public_key_;
};

// OpenPkcs11PrivateKey logs in (once per token and process) and finds the private key named
// by config.key_uri and its public key object.
Result<std::unique_ptr<Pkcs11PrivateKey>> OpenPkcs11PrivateKey(const Pkcs11Config& config);

}  // namespace edgetrust::certs

#endif  // EDGETRUST_CERTS_PKCS11_KEY_H_
