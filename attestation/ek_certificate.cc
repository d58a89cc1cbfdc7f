#include "attestation/ek_certificate.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>

#include "attestation/capabilities.h"
#include "attestation/nv.h"

namespace edgetrust::attestation {
namespace {

// DerLength returns the length of the leading DER SEQUENCE (header included), or 0.
size_t DerLength(ByteView der) {
  if (der.size() < 2 || der[0] != 0x30) return 0;
  if (der[1] < 0x80) return 2 + der[1];
  size_t n = der[1] & 0x7f;
  if (n == 0 || n > 3 || der.size() < 2 + n) return 0;
  size_t len = 0;
  for (size_t i = 0; i < n; ++i) len = (len << 8) | der[2 + i];
  return 2 + n + len;
}

std::string HexId(uint32_t value) {
  char text[12];
  (void)std::snprintf(text, sizeof(text), "id:%08X", value);
  return text;
}

// HoldsExactly: `raw` is `der` followed by nothing but zero padding.
bool HoldsExactly(const Bytes& raw, ByteView der) {
  return raw.size() >= der.size() && std::equal(der.begin(), der.end(), raw.begin()) &&
         std::all_of(raw.begin() + static_cast<std::ptrdiff_t>(der.size()), raw.end(),
                     [](uint8_t b) { return b == 0; });
}

// HoldsACertificate: `raw` starts with a whole X.509 certificate (padding after it allowed).
bool HoldsACertificate(const Bytes& raw) {
  const size_t len = DerLength(raw);
  return len != 0 && len <= raw.size() && certs::Certificate::FromDer(ByteView(raw.data(), len));
}

Status WriteAndLock(Tpm& tpm, TPM2_HANDLE index, ByteView der) {
  if (auto st = WriteNvIndex(tpm, index, der); !st) return st;
  return WriteLockNvIndex(tpm, index);
}

Status DefineWriteAndLock(Tpm& tpm, TPM2_HANDLE index, ByteView der) {
  if (auto st = DefineNvIndex(tpm, index, kFactoryEkCertificateNvAttributes,
                              static_cast<uint16_t>(der.size()));
      !st) {
    return st;
  }
  return WriteAndLock(tpm, index, der);
}

// kNvStateBits change as an index is used; the rest of the attributes say who defined it how.
constexpr TPMA_NV kNvStateBits = TPMA_NV_WRITTEN | TPMA_NV_WRITELOCKED | TPMA_NV_READLOCKED;

bool IsOurs(const NvIndexInfo& info) {
  return (info.attributes & ~kNvStateBits) == kFactoryEkCertificateNvAttributes;
}

// FinishUnwritten completes a write that a crash interrupted before its first byte. Only an
// index defined the way we define it is reused or redefined; anyone else's is left alone.
Status FinishUnwritten(Tpm& tpm, TPM2_HANDLE index, const NvIndexInfo& info, ByteView der) {
  if (!IsOurs(info)) {
    return Fail(ErrorCode::kFailedPrecondition, "ek.nv_index_mismatch",
                "the EK certificate NV index is defined, empty, with attributes the station "
                "does not use: someone else's; undefine it to let the station write it");
  }
  if (info.data_size == der.size()) return WriteAndLock(tpm, index, der);
  if (auto st = UndefineNvIndex(tpm, index); !st) return st;
  return DefineWriteAndLock(tpm, index, der);
}

// FinishWritten accepts an index that already holds `der`, locking it if that never happened.
Status FinishWritten(Tpm& tpm, TPM2_HANDLE index, const NvIndexInfo& info, ByteView der) {
  auto raw = ReadNvIndex(tpm, index);
  if (!raw) return Fail(raw.error());
  if (!HoldsExactly(*raw, der)) {
    // Ours, never locked, and not a whole certificate: a station crashed while writing it.
    // Anything else — locked, foreign, or a whole certificate — is never overwritten.
    if (IsOurs(info) && !info.WriteLocked() && !HoldsACertificate(*raw)) {
      if (auto st = UndefineNvIndex(tpm, index); !st) return st;
      return DefineWriteAndLock(tpm, index, der);
    }
    return Fail(ErrorCode::kAlreadyExists, "ek.certificate_present",
                "the EK certificate NV index already holds another certificate");
  }
  if (!info.WriteLocked() && (info.attributes & TPMA_NV_WRITEDEFINE) != 0) {
    return WriteLockNvIndex(tpm, index);
  }
  return Ok();
}

}  // namespace

Result<certs::Certificate> ReadEkCertificate(Tpm& tpm, EkType type) {
  auto raw = ReadNvIndex(tpm, GetEkProfile(type).cert_nv_index);
  if (!raw) {
    // Absent, or defined but never written (a station that crashed before writing it).
    if (raw.error().reason == "tpm.handle" || raw.error().reason == "tpm.nv_uninitialized") {
      return Fail(ErrorCode::kNotFound, "ek.no_certificate",
                  "the TPM holds no " + std::string(GetEkProfile(type).name) + " EK certificate");
    }
    return Fail(raw.error());
  }
  size_t len = DerLength(*raw);
  if (len == 0 || len > raw->size()) {
    return Fail(ErrorCode::kInvalidArgument, "cert.malformed", "EK certificate is not DER");
  }
  for (size_t i = len; i < raw->size(); ++i) {
    if ((*raw)[i] != 0) {
      return Fail(ErrorCode::kInvalidArgument, "cert.malformed",
                  "EK certificate NV index has data after the certificate");
    }
  }
  return certs::Certificate::FromDer(ByteView(raw->data(), len));
}

Status CheckEkCertificateKey(const certs::Certificate& cert, const TpmPublic& ek) {
  auto cert_key = cert.public_key();
  if (!cert_key) return Fail(cert_key.error());
  auto ek_key = ek.ToPublicKey();
  if (!ek_key) return Fail(ek_key.error());
  if (!cert_key->Equals(*ek_key)) {
    return Fail(ErrorCode::kPermissionDenied, "ek.cert_key_mismatch",
                "EK certificate public key differs from the EK");
  }
  return Ok();
}

Result<certs::TpmDescription> DescribeTpm(Tpm& tpm) {
  auto manufacturer = GetTpmProperty(tpm, TPM2_PT_MANUFACTURER);
  if (!manufacturer) return Fail(manufacturer.error());
  auto info = GetTpmInfo(tpm);
  if (!info) return Fail(info.error());
  return certs::TpmDescription{HexId(*manufacturer), info->vendor_string,
                               HexId(static_cast<uint32_t>(info->firmware_version >> 32))};
}

Status WriteEkCertificate(Tpm& tpm, EkType type, ByteView der) {
  if (auto cert = certs::Certificate::FromDer(der); !cert) return Fail(cert.error());
  auto max_size = GetTpmProperty(tpm, TPM2_PT_NV_INDEX_MAX);
  if (!max_size) return Fail(max_size.error());
  if (der.size() > std::min<uint32_t>(*max_size, UINT16_MAX)) {
    return Fail(ErrorCode::kInvalidArgument, "ek.certificate_too_large",
                "the EK certificate has " + std::to_string(der.size()) +
                    " bytes; this TPM's NV indices hold at most " + std::to_string(*max_size));
  }
  const TPM2_HANDLE index = GetEkProfile(type).cert_nv_index;
  auto info = ReadNvIndexInfo(tpm, index);
  if (!info) {
    if (info.error().reason != "tpm.handle") return Fail(info.error());
    return DefineWriteAndLock(tpm, index, der);
  }
  if (info->Written()) return FinishWritten(tpm, index, *info, der);
  return FinishUnwritten(tpm, index, *info, der);
}

}  // namespace edgetrust::attestation
