#include "attestation/keys.h"

#include "attestation/esys_ptr.h"
#include "attestation/tpm_error.h"

namespace edgetrust::attestation {

Result<KeyBlob> CreateKey(Tpm& tpm, const PersistentHandle& parent, const TPM2B_PUBLIC& tmpl) {
  static const TPM2B_SENSITIVE_CREATE kEmptySensitive{};
  static const TPM2B_DATA kNoOutsideInfo{};
  static const TPML_PCR_SELECTION kNoPcrs{};
  TPM2B_PRIVATE* out_private = nullptr;
  TPM2B_PUBLIC* out_public = nullptr;
  TSS2_RC rc = Esys_Create(tpm.esys(), parent.get(), ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
                           &kEmptySensitive, &tmpl, &kNoOutsideInfo, &kNoPcrs, &out_private,
                           &out_public, nullptr, nullptr, nullptr);
  EsysPtr<TPM2B_PRIVATE> priv(out_private);
  EsysPtr<TPM2B_PUBLIC> pub(out_public);
  if (auto err = TpmError(rc, "Esys_Create")) return std::unexpected(*err);
  return KeyBlob{*pub, *priv};
}

Result<TransientHandle> LoadKey(Tpm& tpm, const PersistentHandle& parent, const KeyBlob& blob) {
  ESYS_TR handle = ESYS_TR_NONE;
  TSS2_RC rc = Esys_Load(tpm.esys(), parent.get(), ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
                         &blob.private_area, &blob.public_area, &handle);
  TransientHandle owned(tpm, handle);
  if (auto err = TpmError(rc, "Esys_Load")) return std::unexpected(*err);
  return owned;
}

Result<KeyBlob> LoadOrCreateKeyBlob(Tpm& tpm, const PersistentHandle& parent,
                                    const std::string& path, const TPM2B_PUBLIC& tmpl) {
  auto existing = LoadKeyBlob(path);
  if (existing || existing.error().code != ErrorCode::kNotFound) return existing;
  auto blob = CreateKey(tpm, parent, tmpl);
  if (!blob) return Fail(blob.error());
  if (auto saved = SaveKeyBlob(path, *blob); !saved) return Fail(saved.error());
  return blob;
}

}  // namespace edgetrust::attestation
