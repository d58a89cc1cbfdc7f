#include "attestation/quote.h"

#include <tss2/tss2_mu.h>

#include <algorithm>

#include "attestation/esys_ptr.h"
#include "attestation/marshal.h"
#include "attestation/pcr.h"
#include "attestation/tpm_error.h"
#include "attestation/tpm_public.h"

namespace edgetrust::attestation {
namespace {

Result<TPM2B_DATA> QualifyingData(ByteView data) {
  TPM2B_DATA out{};
  if (data.size() > sizeof(out.buffer)) {
    return Fail(ErrorCode::kInvalidArgument, "quote.qualifying_data",
                "qualifying data longer than " + std::to_string(sizeof(out.buffer)) + " bytes");
  }
  out.size = static_cast<UINT16>(data.size());
  std::copy(data.begin(), data.end(), out.buffer);
  return out;
}

struct Signed {
  Bytes attest;
  Bytes signature;
};

Result<Signed> Wrap(const TPM2B_ATTEST& attest, const TPMT_SIGNATURE& sig) {
  auto sig_bytes = Marshal(sig, Tss2_MU_TPMT_SIGNATURE_Marshal, "TPMT_SIGNATURE");
  if (!sig_bytes) return Fail(sig_bytes.error());
  return Signed{Bytes(attest.attestationData, attest.attestationData + attest.size),
                std::move(*sig_bytes)};
}

// PcrDigestMatches compares the quote's pcrDigest with one recomputed from `values`.
Result<bool> PcrDigestMatches(ByteView attest_bytes, const PcrValues& values) {
  auto attest = Unmarshal<TPMS_ATTEST>(attest_bytes, Tss2_MU_TPMS_ATTEST_Unmarshal, "TPMS_ATTEST");
  if (!attest) return Fail(attest.error());
  const TPM2B_DIGEST& digest = attest->attested.quote.pcrDigest;
  // The digest uses the AK scheme's hash; digest sizes identify it unambiguously.
  for (HashAlgorithm alg : {HashAlgorithm::kSha256, HashAlgorithm::kSha384, HashAlgorithm::kSha512,
                            HashAlgorithm::kSha1}) {
    if (DigestSize(alg) != digest.size) continue;
    auto computed = ComputePcrDigest(alg, values);
    if (!computed) return Fail(computed.error());
    return std::equal(computed->begin(), computed->end(), digest.buffer,
                      digest.buffer + digest.size);
  }
  return false;
}

}  // namespace

Result<QuoteEvidence> Quote(Tpm& tpm, const TransientHandle& ak, ByteView qualifying_data,
                            const PcrSelection& selection) {
  auto qualifying = QualifyingData(qualifying_data);
  if (!qualifying) return Fail(qualifying.error());
  auto tpml = ToTpml(selection);
  if (!tpml) return Fail(tpml.error());
  static const TPMT_SIG_SCHEME kKeyScheme = {.scheme = TPM2_ALG_NULL, .details = {}};
  for (int attempt = 0; attempt < 3; ++attempt) {
    TPM2B_ATTEST* out_attest = nullptr;
    TPMT_SIGNATURE* out_sig = nullptr;
    TSS2_RC rc = Esys_Quote(tpm.esys(), ak.get(), ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
                            &*qualifying, &kKeyScheme, &*tpml, &out_attest, &out_sig);
    EsysPtr<TPM2B_ATTEST> attest(out_attest);
    EsysPtr<TPMT_SIGNATURE> sig(out_sig);
    if (auto err = TpmError(rc, "Esys_Quote")) return std::unexpected(*err);
    auto wrapped = Wrap(*attest, *sig);
    if (!wrapped) return Fail(wrapped.error());
    auto values = ReadPcrs(tpm, selection);
    if (!values) return Fail(values.error());
    auto matches = PcrDigestMatches(wrapped->attest, *values);
    if (!matches) return Fail(matches.error());
    if (*matches) {
      return QuoteEvidence{std::move(wrapped->attest), std::move(wrapped->signature),
                           std::move(*values)};
    }
  }
  return Fail(ErrorCode::kUnavailable, "quote.pcr_unstable",
              "PCRs kept changing between quote and read");
}

Result<CertifyEvidence> Certify(Tpm& tpm, const TransientHandle& object, const TransientHandle& ak,
                                ByteView qualifying_data) {
  auto qualifying = QualifyingData(qualifying_data);
  if (!qualifying) return Fail(qualifying.error());
  static const TPMT_SIG_SCHEME kKeyScheme = {.scheme = TPM2_ALG_NULL, .details = {}};
  TPM2B_ATTEST* out_attest = nullptr;
  TPMT_SIGNATURE* out_sig = nullptr;
  TSS2_RC rc = Esys_Certify(tpm.esys(), object.get(), ak.get(), ESYS_TR_PASSWORD, ESYS_TR_PASSWORD,
                            ESYS_TR_NONE, &*qualifying, &kKeyScheme, &out_attest, &out_sig);
  EsysPtr<TPM2B_ATTEST> attest(out_attest);
  EsysPtr<TPMT_SIGNATURE> sig(out_sig);
  if (auto err = TpmError(rc, "Esys_Certify")) return std::unexpected(*err);
  auto wrapped = Wrap(*attest, *sig);
  if (!wrapped) return Fail(wrapped.error());
  return CertifyEvidence{std::move(wrapped->attest), std::move(wrapped->signature)};
}

}  // namespace edgetrust::attestation
