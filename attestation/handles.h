// Owners for ESAPI object handles (ESYS_TR).
//
// TransientHandle owns a transient object or a session loaded in the TPM and flushes it
// (Esys_FlushContext) when destroyed: Esys_Finalize flushes nothing, and swtpm has only three
// transient slots. PersistentHandle owns the ESAPI metadata of a persistent object or an NV
// index (Esys_TR_Close): the object itself stays in the TPM. Both borrow the Tpm, which must
// outlive them. Move-only; not thread-safe (like Tpm).
#ifndef EDGETRUST_ATTESTATION_HANDLES_H_
#define EDGETRUST_ATTESTATION_HANDLES_H_

#include <tss2/tss2_esys.h>

#include "attestation/tpm.h"

namespace edgetrust::attestation {

class TransientHandle {
 public:
  TransientHandle() = default;
  TransientHandle(Tpm& tpm, ESYS_TR handle) : tpm_(&tpm), handle_(handle) {}
  TransientHandle(TransientHandle&& other) noexcept;
  TransientHandle& operator=(TransientHandle&& other) noexcept;
  TransientHandle(const TransientHandle&) = delete;
  TransientHandle& operator=(const TransientHandle&) = delete;
  ~TransientHandle() { Reset(); }

  ESYS_TR get() const { return handle_; }
  // Reset flushes the object now (errors are ignored: the handle is gone either way).
  void Reset();

 private:
  Tpm* tpm_ = nullptr;
  ESYS_TR handle_ = ESYS_TR_NONE;
};

class PersistentHandle {
 public:
  PersistentHandle() = default;
  PersistentHandle(Tpm& tpm, ESYS_TR handle, TPM2_HANDLE tpm_handle)
      : tpm_(&tpm), handle_(handle), tpm_handle_(tpm_handle) {}
  PersistentHandle(PersistentHandle&& other) noexcept;
  PersistentHandle& operator=(PersistentHandle&& other) noexcept;
  PersistentHandle(const PersistentHandle&) = delete;
  PersistentHandle& operator=(const PersistentHandle&) = delete;
  ~PersistentHandle() { Reset(); }

  ESYS_TR get() const { return handle_; }
  // tpm_handle is the TPM-side handle (0x81xxxxxx for objects, 0x01xxxxxx for NV).
  TPM2_HANDLE tpm_handle() const { return tpm_handle_; }
  void Reset();

 private:
  Tpm* tpm_ = nullptr;
  ESYS_TR handle_ = ESYS_TR_NONE;
  TPM2_HANDLE tpm_handle_ = 0;
};

// OpenPersistent resolves a persistent object or NV index handle into ESAPI. A handle that does
// not exist is kNotFound "tpm.handle".
Result<PersistentHandle> OpenPersistent(Tpm& tpm, TPM2_HANDLE tpm_handle);

// FlushLeftovers flushes every transient object and loaded session the TPM holds. Without a
// resource manager (swtpm over TCP, a raw /dev/tpm0) the objects of a process that died
// without flushing (kill -9, power loss of the host but not the TPM) stay loaded until the
// TPM is reset, and after three of them nothing can be loaded any more. Call it once when a
// process that is the TPM's only direct user starts; behind a resource manager
// (/dev/tpmrm0, tabrmd) the TPM shows a connection only its own handles, so it finds none.
// Costs two GetCapability commands plus one FlushContext (and one ReadPublic) per leftover.
Status FlushLeftovers(Tpm& tpm);

}  // namespace edgetrust::attestation

#endif  // EDGETRUST_ATTESTATION_HANDLES_H_
