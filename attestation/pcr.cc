#include "attestation/pcr.h"

#include <algorithm>

#include "attestation/esys_ptr.h"
#include "attestation/tpm_error.h"
#include "attestation/tpm_public.h"

namespace edgetrust::attestation {

Result<PcrValues> ReadPcrs(Tpm& tpm, const PcrSelection& selection) {
  // Ask for what is still missing until the TPM has returned every selected PCR.
  PcrSelection remaining = selection;
  PcrValues got;
  auto empty = [](const PcrSelection& s) {
    return std::all_of(s.begin(), s.end(), [](const PcrBank& b) { return b.indices.empty(); });
  };
  while (!empty(remaining)) {
    auto tpml = ToTpml(remaining);
    if (!tpml) return Fail(tpml.error());
    TPML_PCR_SELECTION* out_sel = nullptr;
    TPML_DIGEST* out_values = nullptr;
    TSS2_RC rc = Esys_PCR_Read(tpm.esys(), ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &*tpml,
                               nullptr, &out_sel, &out_values);
    EsysPtr<TPML_PCR_SELECTION> read_sel(out_sel);
    EsysPtr<TPML_DIGEST> values(out_values);
    if (auto err = TpmError(rc, "Esys_PCR_Read")) return std::unexpected(*err);
    auto read = FromTpml(*read_sel);
    if (!read) return Fail(read.error());
    size_t v = 0;
    size_t progress = 0;
    for (const PcrBank& bank : *read) {
      auto target = std::find_if(remaining.begin(), remaining.end(),
                                 [&](const PcrBank& b) { return b.alg == bank.alg; });
      for (uint32_t index : bank.indices) {
        if (v >= values->count || target == remaining.end()) {
          return Fail(ErrorCode::kInternal, "pcr.read", "TPM returned an inconsistent PCR list");
        }
        const TPM2B_DIGEST& d = values->digests[v++];
        got.push_back(PcrValue{bank.alg, index, Bytes(d.buffer, d.buffer + d.size)});
        progress += std::erase(target->indices, index);
      }
    }
    if (progress == 0) {
      return Fail(
          ErrorCode::kFailedPrecondition, "pcr.bank_unavailable",
          "TPM returned no values for " + FormatPcrSelection(remaining) + " (bank not allocated?)");
    }
  }
  // Restore TPM order: banks as selected, indices ascending.
  PcrValues ordered;
  ordered.reserve(got.size());
  for (const PcrBank& bank : selection) {
    for (uint32_t index : bank.indices) {
      auto it = std::find_if(got.begin(), got.end(), [&](const PcrValue& p) {
        return p.alg == bank.alg && p.index == index;
      });
      if (it == got.end()) {
        return Fail(ErrorCode::kInternal, "pcr.read", "TPM skipped a selected PCR");
      }
      ordered.push_back(std::move(*it));
    }
  }
  return ordered;
}

Status ExtendPcr(Tpm& tpm, uint32_t index, HashAlgorithm alg, ByteView digest) {
  if (index >= kPcrCount) {
    return Fail(ErrorCode::kInvalidArgument, "pcr.index", "PCR index out of range");
  }
  if (digest.size() != DigestSize(alg)) {
    return Fail(ErrorCode::kInvalidArgument, "pcr.digest_size",
                "digest size does not match the PCR bank");
  }
  TPML_DIGEST_VALUES values{};
  values.count = 1;
  values.digests[0].hashAlg = TpmAlgFromHash(alg);
  std::copy(digest.begin(), digest.end(), reinterpret_cast<uint8_t*>(&values.digests[0].digest));
  TSS2_RC rc = Esys_PCR_Extend(tpm.esys(), ESYS_TR_PCR0 + index, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                               ESYS_TR_NONE, &values);
  if (auto err = TpmError(rc, "Esys_PCR_Extend")) return std::unexpected(*err);
  return Ok();
}

}  // namespace edgetrust::attestation
