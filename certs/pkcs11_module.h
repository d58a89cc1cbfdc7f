// Pkcs11Module (internal to edgetrust_certs): one libp11 context per PKCS#11 module path,
// shared by every Pkcs11Signer of the process.
//
// Why shared: C_Initialize/C_Finalize and C_CloseAllSessions act on the whole module, not on
// one libp11 context, so two contexts on the same module would tear down each other's sessions.
// The process therefore loads a module once (Acquire), enumerates its slots once, logs in to a
// token once, and unloads when the last user releases it. ModuleMutex() also serialises every
// use of the libp11 context (its sessions are not thread-safe) and GeneratePkcs11EcKey's raw
// use of the same module.
#ifndef EDGETRUST_CERTS_PKCS11_MODULE_H_
#define EDGETRUST_CERTS_PKCS11_MODULE_H_

#include <libp11.h>

#include <memory>
#include <mutex>
#include <string>

#include "common/error.h"
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

 private:
  Pkcs11Module(PKCS11_CTX* ctx, std::string path) : ctx_(ctx), path_(std::move(path)) {}
  PKCS11_CTX* ctx_;
  std::string path_;
  PKCS11_SLOT* slots_ = nullptr;
  unsigned int slot_count_ = 0;
};

}  // namespace edgetrust::certs::internal

#endif  // EDGETRUST_CERTS_PKCS11_MODULE_H_
