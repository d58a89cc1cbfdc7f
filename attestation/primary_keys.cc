#include "attestation/primary_keys.h"

#include <tss2/tss2_mu.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>

#include "attestation/esys_ptr.h"
#include "attestation/tpm_error.h"

namespace edgetrust::attestation {
namespace {

// The resource type Esys_TR_Serialize writes for an object with a public area (IESYSC_KEY_RSRC
// in ESAPI's esys_types.h, which is not installed).
constexpr uint32_t kIesysKeyResource = 1;

// CachedPublic returns the public area that Esys_TR_FromTPMPublic (OpenPersistent) read from
// the TPM with its TPM2_ReadPublic and keeps in the handle's metadata, saving a second
// ReadPublic. ESAPI 3.2 has no getter for it, but Esys_TR_Serialize writes the metadata in a
// fixed wire form that tpm2-tools persists in its files and that ESAPI must keep reading:
// TPM2_HANDLE, TPM2B_NAME, UINT32 resource type, TPM2B_PUBLIC. It is the TPM's answer, exactly
// as a second ReadPublic would return it; in addition the name ESAPI will use for the handle
// must be that public area's name, else kInternal "tpm.name_mismatch".
Result<TpmPublic> CachedPublic(Tpm& tpm, const PersistentHandle& opened) {
  uint8_t* raw = nullptr;
  size_t size = 0;
  TSS2_RC rc = Esys_TR_Serialize(tpm.esys(), opened.get(), &raw, &size);
  EsysPtr<uint8_t> buffer(raw);  // ESAPI's allocation (plain malloc in 3.2)
  if (auto err = TpmError(rc, "Esys_TR_Serialize")) return std::unexpected(*err);
  size_t offset = 0;
  TPM2_HANDLE handle = 0;
  TPM2B_NAME name{};
  uint32_t type = 0;
  TPM2B_PUBLIC area{};
  constexpr TSS2_RC kOk = TSS2_RC_SUCCESS;
  const bool parsed = Tss2_MU_TPM2_HANDLE_Unmarshal(raw, size, &offset, &handle) == kOk &&
                      Tss2_MU_TPM2B_NAME_Unmarshal(raw, size, &offset, &name) == kOk &&
                      Tss2_MU_UINT32_Unmarshal(raw, size, &offset, &type) == kOk &&
                      type == kIesysKeyResource &&
                      Tss2_MU_TPM2B_PUBLIC_Unmarshal(raw, size, &offset, &area) == kOk;
  if (!parsed || offset != size || handle != opened.tpm_handle()) {
    return Fail(ErrorCode::kInternal, "tpm.esys_metadata",
                "unexpected ESAPI metadata for a persistent object");
  }
  auto pub = TpmPublic::FromStruct(area);
  if (!pub) return Fail(pub.error());
  auto expected_name = pub->Name();
  if (!expected_name) return Fail(expected_name.error());
  if (!std::equal(expected_name->begin(), expected_name->end(), name.name, name.name + name.size)) {
    return Fail(ErrorCode::kInternal, "tpm.name_mismatch",
                "the TPM returned a name that is not its public area's name");
  }
  return pub;
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
  auto pub = CachedPublic(tpm, *opened);
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
