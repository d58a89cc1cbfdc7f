#include "attestation/primary_keys.h"

#include <cstdio>

#include "attestation/esys_ptr.h"
#include "attestation/tpm_error.h"

namespace edgetrust::attestation {
namespace {

Result<TpmPublic> ReadPublic(Tpm& tpm, ESYS_TR handle) {
  TPM2B_PUBLIC* out = nullptr;
  TSS2_RC rc = Esys_ReadPublic(tpm.esys(), handle, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &out,
                               nullptr, nullptr);
  EsysPtr<TPM2B_PUBLIC> pub(out);
  if (auto err = TpmError(rc, "Esys_ReadPublic")) return std::unexpected(*err);
  return TpmPublic::FromStruct(*pub);
}

Result<TransientHandle> CreatePrimary(Tpm& tpm, ESYS_TR hierarchy, const TPM2B_PUBLIC& tmpl,
                                      EsysPtr<TPM2B_PUBLIC>& public_area) {
  static const TPM2B_SENSITIVE_CREATE kEmptySensitive{};
  static const TPM2B_DATA kNoOutsideInfo{};
  static const TPML_PCR_SELECTION kNoPcrs{};
  ESYS_TR handle = ESYS_TR_NONE;
  TPM2B_PUBLIC* out_public = nullptr;
  TSS2_RC rc = Esys_CreatePrimary(tpm.esys(), hierarchy, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                                  ESYS_TR_NONE, &kEmptySensitive, &tmpl, &kNoOutsideInfo, &kNoPcrs,
                                  &handle, &out_public, nullptr, nullptr, nullptr);
  public_area.reset(out_public);
  TransientHandle transient(tpm, handle);
  if (auto err = TpmError(rc, "Esys_CreatePrimary")) return std::unexpected(*err);
  return transient;
}

Result<PersistentKey> EnsurePrimary(Tpm& tpm, ESYS_TR hierarchy, const TPM2B_PUBLIC& tmpl,
                                    TPM2_HANDLE persistent, std::string_view what) {
  auto existing = ReadPersistentKey(tpm, persistent);
  if (existing) {
    if (!SamePublicParameters(existing->public_area.get(), tmpl)) {
      char hex[16];
      std::snprintf(hex, sizeof(hex), "0x%08X", persistent);
      return Fail(ErrorCode::kFailedPrecondition, "tpm.persistent_mismatch",
                  std::string(what) + " handle " + hex +
                      " holds a key made from another template; refusing to replace it");
    }
    return existing;
  }
  if (existing.error().reason != "tpm.handle") return Fail(existing.error());

  EsysPtr<TPM2B_PUBLIC> public_area;
  auto transient = CreatePrimary(tpm, hierarchy, tmpl, public_area);
  if (!transient) return Fail(transient.error());
  ESYS_TR persisted = ESYS_TR_NONE;
  TSS2_RC rc = Esys_EvictControl(tpm.esys(), ESYS_TR_RH_OWNER, transient->get(), ESYS_TR_PASSWORD,
                                 ESYS_TR_NONE, ESYS_TR_NONE, persistent, &persisted);
  PersistentHandle owned(tpm, persisted, persistent);
  if (auto err = TpmError(rc, "Esys_EvictControl")) return std::unexpected(*err);
  auto pub = TpmPublic::FromStruct(*public_area);
  if (!pub) return Fail(pub.error());
  return PersistentKey{std::move(owned), std::move(*pub), true};
}

}  // namespace

Result<PersistentKey> ReadPersistentKey(Tpm& tpm, TPM2_HANDLE handle) {
  auto opened = OpenPersistent(tpm, handle);
  if (!opened) return Fail(opened.error());
  auto pub = ReadPublic(tpm, opened->get());
  if (!pub) return Fail(pub.error());
  return PersistentKey{std::move(*opened), std::move(*pub), false};
}

Result<PersistentKey> EnsureEk(Tpm& tpm, EkType type) {
  const EkProfile& profile = GetEkProfile(type);
  return EnsurePrimary(tpm, ESYS_TR_RH_ENDORSEMENT, EkTemplate(type), profile.persistent,
                       "EK " + std::string(profile.name));
}

Result<TpmPublic> ComputeEkPublic(Tpm& tpm, EkType type) {
  auto existing = ReadPersistentKey(tpm, GetEkProfile(type).persistent);
  if (existing) {
    if (!SamePublicParameters(existing->public_area.get(), EkTemplate(type))) {
      return Fail(ErrorCode::kFailedPrecondition, "tpm.persistent_mismatch",
                  "the persistent EK handle holds a key made from another template");
    }
    return std::move(existing->public_area);
  }
  if (existing.error().reason != "tpm.handle") return Fail(existing.error());
  EsysPtr<TPM2B_PUBLIC> public_area;
  auto transient = CreatePrimary(tpm, ESYS_TR_RH_ENDORSEMENT, EkTemplate(type), public_area);
  if (!transient) return Fail(transient.error());
  return TpmPublic::FromStruct(*public_area);
}

Result<PersistentKey> EnsureSrk(Tpm& tpm) {
  return EnsurePrimary(tpm, ESYS_TR_RH_OWNER, SrkTemplate(), kSrkHandle, "SRK");
}

Status EvictPersistent(Tpm& tpm, TPM2_HANDLE handle) {
  auto opened = OpenPersistent(tpm, handle);
  if (!opened) {
    if (opened.error().reason == "tpm.handle") return Ok();
    return Fail(opened.error());
  }
  ESYS_TR out = ESYS_TR_NONE;
  TSS2_RC rc = Esys_EvictControl(tpm.esys(), ESYS_TR_RH_OWNER, opened->get(), ESYS_TR_PASSWORD,
                                 ESYS_TR_NONE, ESYS_TR_NONE, handle, &out);
  if (auto err = TpmError(rc, "Esys_EvictControl")) return std::unexpected(*err);
  return Ok();
}

}  // namespace edgetrust::attestation
