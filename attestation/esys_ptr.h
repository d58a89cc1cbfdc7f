// EsysPtr<T> owns memory that ESAPI allocated for an output parameter and frees it with
// Esys_Free (never free(): ESAPI may use its own allocator). Wrap every output on the line
// after the call, before looking at the response code:
//
//   TPM2B_PUBLIC* out = nullptr;
//   TSS2_RC rc = Esys_ReadPublic(..., &out, nullptr, nullptr);
//   EsysPtr<TPM2B_PUBLIC> pub(out);
//   if (auto err = TpmError(rc, "Esys_ReadPublic")) return std::unexpected(*err);
#ifndef EDGETRUST_ATTESTATION_ESYS_PTR_H_
#define EDGETRUST_ATTESTATION_ESYS_PTR_H_

#include <tss2/tss2_esys.h>

#include <memory>

namespace edgetrust::attestation {

struct EsysDeleter {
  void operator()(void* p) const noexcept { Esys_Free(p); }
};

template <typename T>
using EsysPtr = std::unique_ptr<T, EsysDeleter>;

}  // namespace edgetrust::attestation

#endif  // EDGETRUST_ATTESTATION_ESYS_PTR_H_
