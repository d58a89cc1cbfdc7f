#include "attestation/nv.h"

#include <algorithm>

#include "attestation/capabilities.h"
#include "attestation/esys_ptr.h"
#include "attestation/handles.h"
#include "attestation/tpm_error.h"

namespace edgetrust::attestation {
namespace {

Result<EsysPtr<TPM2B_NV_PUBLIC>> ReadNvPublic(Tpm& tpm, ESYS_TR index) {
  TPM2B_NV_PUBLIC* out = nullptr;
  TSS2_RC rc = Esys_NV_ReadPublic(tpm.esys(), index, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &out,
                                  nullptr);
  EsysPtr<TPM2B_NV_PUBLIC> pub(out);
  if (auto err = TpmError(rc, "Esys_NV_ReadPublic")) return std::unexpected(*err);
  return pub;
}

Result<Bytes> ReadRange(Tpm& tpm, ESYS_TR auth, ESYS_TR index, uint16_t size, uint16_t offset) {
  TPM2B_MAX_NV_BUFFER* out = nullptr;
  TSS2_RC rc = Esys_NV_Read(tpm.esys(), auth, index, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
                            size, offset, &out);
  EsysPtr<TPM2B_MAX_NV_BUFFER> data(out);
  if (auto err = TpmError(rc, "Esys_NV_Read")) return std::unexpected(*err);
  return Bytes(data->buffer, data->buffer + data->size);
}

Status WriteRange(Tpm& tpm, ESYS_TR index, ByteView data, uint16_t offset) {
  TPM2B_MAX_NV_BUFFER buffer{};
  buffer.size = static_cast<UINT16>(data.size());
  std::copy(data.begin(), data.end(), buffer.buffer);
  TSS2_RC rc = Esys_NV_Write(tpm.esys(), ESYS_TR_RH_OWNER, index, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                             ESYS_TR_NONE, &buffer, offset);
  if (auto err = TpmError(rc, "Esys_NV_Write")) return std::unexpected(*err);
  return Ok();
}

// ChunkSize is how many bytes one TPM2_NV_Read or TPM2_NV_Write may carry on this TPM.
Result<uint16_t> ChunkSize(Tpm& tpm) {
  auto max_chunk = GetTpmProperty(tpm, TPM2_PT_NV_BUFFER_MAX);
  if (!max_chunk) return Fail(max_chunk.error());
  return static_cast<uint16_t>(std::clamp<uint32_t>(*max_chunk, 64, 1024));
}

Result<uint64_t> DecodeCounter(const Bytes& raw) {
  if (raw.size() != 8) {
    return Fail(ErrorCode::kInternal, "tpm.nv_counter", "NV counter is not 8 bytes");
  }
  uint64_t value = 0;
  for (uint8_t b : raw) value = (value << 8) | b;
  return value;
}

}  // namespace

bool NvIndexInfo::IsOwnerCounter() const {
  const TPMA_NV type = (attributes & TPMA_NV_TPM2_NT_MASK) >> TPMA_NV_TPM2_NT_SHIFT;
  const TPMA_NV required = TPMA_NV_OWNERWRITE | TPMA_NV_OWNERREAD | TPMA_NV_NO_DA;
  return type == TPM2_NT_COUNTER && (attributes & required) == required && data_size == 8;
}

Result<NvIndexInfo> ReadNvIndexInfo(Tpm& tpm, TPM2_HANDLE index) {
  auto handle = OpenPersistent(tpm, index);
  if (!handle) return Fail(handle.error());
  auto pub = ReadNvPublic(tpm, handle->get());
  if (!pub) return Fail(pub.error());
  return NvIndexInfo{(*pub)->nvPublic.attributes, (*pub)->nvPublic.dataSize};
}

Result<Bytes> ReadNvIndex(Tpm& tpm, TPM2_HANDLE index) {
  auto handle = OpenPersistent(tpm, index);
  if (!handle) return Fail(handle.error());
  auto pub = ReadNvPublic(tpm, handle->get());
  if (!pub) return Fail(pub.error());
  const TPMA_NV attrs = (*pub)->nvPublic.attributes;
  ESYS_TR auth = ESYS_TR_NONE;
  if ((attrs & TPMA_NV_AUTHREAD) != 0) {
    auth = handle->get();
  } else if ((attrs & TPMA_NV_OWNERREAD) != 0) {
    auth = ESYS_TR_RH_OWNER;
  } else {
    return Fail(ErrorCode::kPermissionDenied, "tpm.nv_not_readable",
                "NV index allows neither authread nor ownerread");
  }
  const uint16_t size = (*pub)->nvPublic.dataSize;
  auto chunk = ChunkSize(tpm);
  if (!chunk) return Fail(chunk.error());
  Bytes out;
  out.reserve(size);
  while (out.size() < size) {
    uint16_t offset = static_cast<uint16_t>(out.size());
    uint16_t n = std::min<uint16_t>(*chunk, static_cast<uint16_t>(size - offset));
    auto part = ReadRange(tpm, auth, handle->get(), n, offset);
    if (!part) return Fail(part.error());
    if (part->empty()) {
      return Fail(ErrorCode::kInternal, "tpm.nv_read", "NV read returned no data");
    }
    out.insert(out.end(), part->begin(), part->end());
  }
  return out;
}

Status DefineNvIndex(Tpm& tpm, TPM2_HANDLE index, TPMA_NV attributes, uint16_t size) {
  if (auto existing = OpenPersistent(tpm, index)) {
    return Fail(ErrorCode::kAlreadyExists, "tpm.nv_defined", "NV index is already defined");
  }
  TPM2B_NV_PUBLIC pub{};
  pub.nvPublic.nvIndex = index;
  pub.nvPublic.nameAlg = TPM2_ALG_SHA256;
  pub.nvPublic.attributes = attributes;
  pub.nvPublic.dataSize = size;
  static const TPM2B_AUTH kNoAuth{};
  ESYS_TR handle = ESYS_TR_NONE;
  TSS2_RC rc = Esys_NV_DefineSpace(tpm.esys(), ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                                   ESYS_TR_NONE, &kNoAuth, &pub, &handle);
  PersistentHandle owned(tpm, handle, index);
  if (auto err = TpmError(rc, "Esys_NV_DefineSpace")) return std::unexpected(*err);
  return Ok();
}

Status WriteNvIndex(Tpm& tpm, TPM2_HANDLE index, ByteView data) {
  if (data.size() > UINT16_MAX) {
    return Fail(ErrorCode::kInvalidArgument, "tpm.nv_size", "data too large for an NV index");
  }
  auto handle = OpenPersistent(tpm, index);
  if (!handle) return Fail(handle.error());
  auto chunk = ChunkSize(tpm);
  if (!chunk) return Fail(chunk.error());
  for (size_t offset = 0; offset < data.size(); offset += *chunk) {
    size_t n = std::min<size_t>(*chunk, data.size() - offset);
    if (auto st =
            WriteRange(tpm, handle->get(), data.subspan(offset, n), static_cast<uint16_t>(offset));
        !st) {
      return st;
    }
  }
  return Ok();
}

Status WriteLockNvIndex(Tpm& tpm, TPM2_HANDLE index) {
  auto handle = OpenPersistent(tpm, index);
  if (!handle) return Fail(handle.error());
  TSS2_RC rc = Esys_NV_WriteLock(tpm.esys(), ESYS_TR_RH_OWNER, handle->get(), ESYS_TR_PASSWORD,
                                 ESYS_TR_NONE, ESYS_TR_NONE);
  if (auto err = TpmError(rc, "Esys_NV_WriteLock")) return std::unexpected(*err);
  return Ok();
}

Status DefineNvCounter(Tpm& tpm, TPM2_HANDLE index) {
  return DefineNvIndex(tpm, index,
                       TPMA_NV_OWNERWRITE | TPMA_NV_OWNERREAD | TPMA_NV_NO_DA |
                           (TPM2_NT_COUNTER << TPMA_NV_TPM2_NT_SHIFT),
                       8);
}

Result<uint64_t> IncrementNvCounter(Tpm& tpm, TPM2_HANDLE index) {
  auto handle = OpenPersistent(tpm, index);
  if (!handle) return Fail(handle.error());
  TSS2_RC rc = Esys_NV_Increment(tpm.esys(), ESYS_TR_RH_OWNER, handle->get(), ESYS_TR_PASSWORD,
                                 ESYS_TR_NONE, ESYS_TR_NONE);
  if (auto err = TpmError(rc, "Esys_NV_Increment")) return std::unexpected(*err);
  auto raw = ReadRange(tpm, ESYS_TR_RH_OWNER, handle->get(), 8, 0);
  if (!raw) return Fail(raw.error());
  return DecodeCounter(*raw);
}

Result<uint64_t> ReadNvCounter(Tpm& tpm, TPM2_HANDLE index) {
  auto handle = OpenPersistent(tpm, index);
  if (!handle) return Fail(handle.error());
  auto raw = ReadRange(tpm, ESYS_TR_RH_OWNER, handle->get(), 8, 0);
  if (!raw) return Fail(raw.error());
  return DecodeCounter(*raw);
}

Status UndefineNvIndex(Tpm& tpm, TPM2_HANDLE index) {
  auto handle = OpenPersistent(tpm, index);
  if (!handle) {
    if (handle.error().reason == "tpm.handle") return Ok();
    return Fail(handle.error());
  }
  TSS2_RC rc = Esys_NV_UndefineSpace(tpm.esys(), ESYS_TR_RH_OWNER, handle->get(), ESYS_TR_PASSWORD,
                                     ESYS_TR_NONE, ESYS_TR_NONE);
  if (auto err = TpmError(rc, "Esys_NV_UndefineSpace")) return std::unexpected(*err);
  return Ok();
}

}  // namespace edgetrust::attestation
