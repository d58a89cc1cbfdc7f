#include "attestation/handles.h"

#include <utility>

#include "attestation/capabilities.h"
#include "attestation/tpm_error.h"

namespace edgetrust::attestation {

TransientHandle::TransientHandle(TransientHandle&& other) noexcept
    : tpm_(other.tpm_), handle_(std::exchange(other.handle_, ESYS_TR_NONE)) {}

TransientHandle& TransientHandle::operator=(TransientHandle&& other) noexcept {
  if (this != &other) {
    Reset();
    tpm_ = other.tpm_;
    handle_ = std::exchange(other.handle_, ESYS_TR_NONE);
  }
  return *this;
}

void TransientHandle::Reset() {
  if (tpm_ != nullptr && handle_ != ESYS_TR_NONE) {
    Esys_FlushContext(tpm_->esys(), handle_);
  }
  handle_ = ESYS_TR_NONE;
}

PersistentHandle::PersistentHandle(PersistentHandle&& other) noexcept
    : tpm_(other.tpm_),
      handle_(std::exchange(other.handle_, ESYS_TR_NONE)),
      tpm_handle_(other.tpm_handle_) {}

PersistentHandle& PersistentHandle::operator=(PersistentHandle&& other) noexcept {
  if (this != &other) {
    Reset();
    tpm_ = other.tpm_;
    handle_ = std::exchange(other.handle_, ESYS_TR_NONE);
    tpm_handle_ = other.tpm_handle_;
  }
  return *this;
}

void PersistentHandle::Reset() {
  if (tpm_ != nullptr && handle_ != ESYS_TR_NONE) {
    Esys_TR_Close(tpm_->esys(), &handle_);
  }
  handle_ = ESYS_TR_NONE;
}

Result<PersistentHandle> OpenPersistent(Tpm& tpm, TPM2_HANDLE tpm_handle) {
  ESYS_TR handle = ESYS_TR_NONE;
  TSS2_RC rc = Esys_TR_FromTPMPublic(tpm.esys(), tpm_handle, ESYS_TR_NONE, ESYS_TR_NONE,
                                     ESYS_TR_NONE, &handle);
  PersistentHandle owned(tpm, handle, tpm_handle);
  if (auto err = TpmError(rc, "Esys_TR_FromTPMPublic")) return std::unexpected(*err);
  return owned;
}

Status FlushLeftovers(Tpm& tpm) {
  for (HandleKind kind : {HandleKind::kTransient, HandleKind::kLoadedSession}) {
    auto handles = ListHandles(tpm, kind);
    if (!handles) return Fail(handles.error());
    for (TPM2_HANDLE tpm_handle : *handles) {
      ESYS_TR handle = ESYS_TR_NONE;
      TSS2_RC rc = Esys_TR_FromTPMPublic(tpm.esys(), tpm_handle, ESYS_TR_NONE, ESYS_TR_NONE,
                                         ESYS_TR_NONE, &handle);
      if (auto err = TpmError(rc, "Esys_TR_FromTPMPublic")) return std::unexpected(*err);
      rc = Esys_FlushContext(tpm.esys(), handle);
      if (auto err = TpmError(rc, "Esys_FlushContext")) {
        Esys_TR_Close(tpm.esys(), &handle);
        return std::unexpected(*err);
      }
    }
  }
  return Ok();
}

}  // namespace edgetrust::attestation
