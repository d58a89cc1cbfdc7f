// Pkcs11Module (internal to edgetrust_certs): one libp11 context per PKCS#11 module path,
// shared by every Pkcs11Signer of the process.
//
// Why shared: C_Initialize/C_Finalize and C_CloseAllSessions act on the whole module, not on
// one libp11 context, so two contexts on the same module would tear down each other's sessions.
// The process therefore loads a module once (Acquire), enumerates its slots once, logs in to a
// token once, and unloads when the last user releases it (or never, after RetainUntilExit).
// ModuleMutex() serialises every use of the libp11 context by this library (slot and key
// enumeration, login, Pkcs11Signer::Sign) and GeneratePkcs11EcKey's raw use of the module.
//
// OpenSSL users of a lent EVP_PKEY (Pkcs11PrivateKey, e.g. TLS handshakes) sign WITHOUT
// ModuleMutex: libp11 0.4.12 takes a session from the slot's pool under the slot's own
// pthread mutex (pkcs11_get_session/pkcs11_put_session, up to 16 sessions per slot, waiting on
// a condition variable when all are busy) and C_Initialize is called with CKF_OS_LOCKING_OK,
// so concurrent signing on one slot is serialised per session by libp11 and the module.
//
// Lifetime hazard this type exists for: libp11 0.4.12 hands out its cached EVP_PKEY (an
// up-reference, not a copy) whose EC_KEY/RSA ex_data points at libp11's key object WITHOUT a
// reference; the key object, the slot and the module's function list die when the module is
// released (PKCS11_release_all_slots, C_Finalize, dlclose). Any EVP_PKEY reference that
// outlives its Pkcs11Module signs through freed memory. A second libp11 context on the same
// module is worse: its C_Finalize/C_CloseAllSessions invalidate this context's sessions, and
// libp11 then wipes its key cache (frees the key objects) while EVP_PKEYs still point at them.
#ifndef EDGETRUST_CERTS_PKCS11_MODULE_H_
#define EDGETRUST_CERTS_PKCS11_MODULE_H_

#include <libp11.h>

#include <memory>
#include <mutex>
#include <string>

#include "certs/pkcs11_signer.h"
#include "common/error.h"
#include "common/openssl.h"
#include "common/public_key.h"
#include "common/secret_bytes.h"

namespace edgetrust::certs::internal {

// ModuleMutex guards the module registry and every libp11/PKCS#11 call in this process. It is
// recursive because a module may be released (destroyed) while the mutex is held.
std::recursive_mutex& ModuleMutex();

class Pkcs11Module {
 public:
  // Acquire returns the process's context for `path`, loading it if needed. Call with
  // ModuleMutex() held. Errors: kUnavailable "pkcs11.module".
  static Result<std::shared_ptr<Pkcs11Module>> Acquire(const std::string& path);
  ~Pkcs11Module();  // takes ModuleMutex()
  Pkcs11Module(const Pkcs11Module&) = delete;
  Pkcs11Module& operator=(const Pkcs11Module&) = delete;

  // FindToken returns the slot holding the token labelled `label` (and serial `serial` when
  // not empty). Call with ModuleMutex() held. Errors: kNotFound "pkcs11.no_token".
  Result<PKCS11_SLOT*> FindToken(const std::string& label, const std::string& serial);
  // Login logs in as user unless already logged in. Errors: kPermissionDenied "pkcs11.login".
  Status Login(PKCS11_SLOT* slot, const SecretBytes& pin);

  // RetainUntilExit keeps this module loaded, initialised and logged in until the process
  // exits: it is never finalized or unloaded, not even when its last user releases it. For
  // processes that lend token keys to OpenSSL objects freed at unknown times (cpprestsdk frees
  // SSL_CTXs on its I/O threads until its thread pool is joined during static destruction).
  // Idempotent. Call with ModuleMutex() held.
  void RetainUntilExit();

 private:
  Pkcs11Module(PKCS11_CTX* ctx, std::string path) : ctx_(ctx), path_(std::move(path)) {}
  PKCS11_CTX* ctx_;
  std::string path_;
  PKCS11_SLOT* slots_ = nullptr;
  unsigned int slot_count_ = 0;
};

// OpenedKey is a private key found in a token: the module (shared), libp11's EVP_PKEY for the
// private key (one reference), and the public key read from the token's public key object.
struct OpenedKey {
  std::shared_ptr<Pkcs11Module> module;
  OpenSslPtr<EVP_PKEY> private_key;
  PublicKey public_key;
};

// OpenKey parses config.key_uri, reads the PIN, loads/finds the module, token and key, and
// logs in. Takes ModuleMutex() itself. Errors: see certs/pkcs11_signer.h.
// The caller must release `private_key` with ModuleMutex() held and before `module`.
Result<OpenedKey> OpenKey(const std::string& module_path, const std::string& key_uri,
                          const PinSource& pin);

}  // namespace edgetrust::certs::internal

#endif  // EDGETRUST_CERTS_PKCS11_MODULE_H_
