#include "attestation/capabilities.h"

#include "attestation/esys_ptr.h"
#include "attestation/tpm_error.h"

namespace edgetrust::attestation {
namespace {

Result<EsysPtr<TPMS_CAPABILITY_DATA>> GetCapability(Tpm& tpm, TPM2_CAP cap, UINT32 property,
                                                    UINT32 count, TPMI_YES_NO* more) {
  TPMS_CAPABILITY_DATA* data = nullptr;
  TSS2_RC rc = Esys_GetCapability(tpm.esys(), ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, cap,
                                  property, count, more, &data);
  EsysPtr<TPMS_CAPABILITY_DATA> owned(data);
  if (auto err = TpmError(rc, "Esys_GetCapability")) return std::unexpected(*err);
  return owned;
}

// Text packs up to four ASCII characters the way TPM2_PT_MANUFACTURER and vendor strings do.
std::string Text(uint32_t packed) {
  std::string out;
  for (int shift = 24; shift >= 0; shift -= 8) {
    char c = static_cast<char>((packed >> shift) & 0xff);
    if (c != '\0') out.push_back(c);
  }
  return out;
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
  return s;
}

}  // namespace

Result<uint32_t> GetTpmProperty(Tpm& tpm, TPM2_PT property) {
  auto data = GetCapability(tpm, TPM2_CAP_TPM_PROPERTIES, property, 1, nullptr);
  if (!data) return Fail(data.error());
  const TPML_TAGGED_TPM_PROPERTY& props = (*data)->data.tpmProperties;
  if (props.count < 1 || props.tpmProperty[0].property != property) {
    return Fail(ErrorCode::kNotFound, "tpm.property",
                "TPM does not report property " + std::to_string(property));
  }
  return props.tpmProperty[0].value;
}

Result<TpmInfo> GetTpmInfo(Tpm& tpm) {
  auto data =
      GetCapability(tpm, TPM2_CAP_TPM_PROPERTIES, TPM2_PT_FIXED, TPM2_MAX_TPM_PROPERTIES, nullptr);
  if (!data) return Fail(data.error());
  TpmInfo info;
  uint32_t fw1 = 0;
  uint32_t fw2 = 0;
  std::string vendor[4];
  const TPML_TAGGED_TPM_PROPERTY& props = (*data)->data.tpmProperties;
  for (UINT32 i = 0; i < props.count; ++i) {
    uint32_t v = props.tpmProperty[i].value;
    switch (props.tpmProperty[i].property) {
      case TPM2_PT_FAMILY_INDICATOR:
        info.spec_family = Text(v);
        break;
      case TPM2_PT_LEVEL:
        info.spec_level = v;
        break;
      case TPM2_PT_REVISION:
        info.spec_revision = v;
        break;
      case TPM2_PT_YEAR:
        info.spec_year = v;
        break;
      case TPM2_PT_MANUFACTURER:
        info.manufacturer = Trim(Text(v));
        break;
      case TPM2_PT_VENDOR_STRING_1:
      case TPM2_PT_VENDOR_STRING_2:
      case TPM2_PT_VENDOR_STRING_3:
      case TPM2_PT_VENDOR_STRING_4:
        vendor[props.tpmProperty[i].property - TPM2_PT_VENDOR_STRING_1] = Text(v);
        break;
      case TPM2_PT_FIRMWARE_VERSION_1:
        fw1 = v;
        break;
      case TPM2_PT_FIRMWARE_VERSION_2:
        fw2 = v;
        break;
      default:
        break;
    }
  }
  info.vendor_string = Trim(vendor[0] + vendor[1] + vendor[2] + vendor[3]);
  info.firmware_version = (static_cast<uint64_t>(fw1) << 32) | fw2;
  return info;
}

Result<std::vector<TPM2_HANDLE>> ListHandles(Tpm& tpm, HandleKind kind) {
  TPM2_HANDLE first = TPM2_TRANSIENT_FIRST;
  switch (kind) {
    case HandleKind::kTransient:
      first = TPM2_TRANSIENT_FIRST;
      break;
    case HandleKind::kPersistent:
      first = TPM2_PERSISTENT_FIRST;
      break;
    case HandleKind::kNvIndex:
      first = TPM2_NV_INDEX_FIRST;
      break;
    case HandleKind::kLoadedSession:
      first = TPM2_LOADED_SESSION_FIRST;
      break;
  }
  const TPM2_HANDLE range_end = (first & 0xFF000000) + 0x01000000;
  std::vector<TPM2_HANDLE> out;
  TPMI_YES_NO more = TPM2_YES;
  TPM2_HANDLE next = first;
  while (more == TPM2_YES) {
    auto data = GetCapability(tpm, TPM2_CAP_HANDLES, next, TPM2_MAX_CAP_HANDLES, &more);
    if (!data) return Fail(data.error());
    const TPML_HANDLE& handles = (*data)->data.handles;
    if (handles.count == 0) break;
    for (UINT32 i = 0; i < handles.count; ++i) {
      if (handles.handle[i] >= range_end) return out;  // the TPM moved on to the next range
      out.push_back(handles.handle[i]);
    }
    next = handles.handle[handles.count - 1] + 1;
  }
  return out;
}

Result<uint64_t> ReadClockMs(Tpm& tpm) {
  TPMS_TIME_INFO* out = nullptr;
  TSS2_RC rc = Esys_ReadClock(tpm.esys(), ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &out);
  EsysPtr<TPMS_TIME_INFO> time_info(out);
  if (auto err = TpmError(rc, "Esys_ReadClock")) return std::unexpected(*err);
  return time_info->clockInfo.clock;
}

Result<TpmBootCounts> ReadBootCounts(Tpm& tpm) {
  TPMS_TIME_INFO* out = nullptr;
  TSS2_RC rc = Esys_ReadClock(tpm.esys(), ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &out);
  EsysPtr<TPMS_TIME_INFO> time_info(out);
  if (auto err = TpmError(rc, "Esys_ReadClock")) return std::unexpected(*err);
  return TpmBootCounts{time_info->clockInfo.resetCount, time_info->clockInfo.restartCount};
}

}  // namespace edgetrust::attestation
