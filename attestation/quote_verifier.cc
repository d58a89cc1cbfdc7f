#include "attestation/quote_verifier.h"

#include "attestation/attest_verifier.h"
#include "common/crypto.h"

namespace edgetrust::attestation {
namespace {

std::unexpected<Error> Reject(std::string reason, std::string message) {
  return Fail(ErrorCode::kPermissionDenied, std::move(reason), std::move(message));
}

bool SameSelection(const PcrSelection& a, const PcrSelection& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].alg != b[i].alg || a[i].indices != b[i].indices) return false;
  }
  return true;
}

}  // namespace

Result<VerifiedQuote> VerifyQuote(const TpmPublic& ak, ByteView attest, ByteView signature,
                                  const PcrValues& pcr_values, const QuoteExpectations& expected) {
  auto parsed =
      VerifyAttest("quote", ak, attest, signature, TPM2_ST_ATTEST_QUOTE, expected.qualifying_data);
  if (!parsed) return Fail(parsed.error());
  const TPMS_QUOTE_INFO& info = parsed->attested.quote;

  auto signed_selection = FromTpml(info.pcrSelect);
  if (!signed_selection) {
    return Reject("quote.pcr_values_mismatch",
                  "signed PCR selection: " + signed_selection.error().message);
  }
  // Drop banks the TPM selected with no PCR in them: they contribute nothing to the digest.
  std::erase_if(*signed_selection, [](const PcrBank& b) { return b.indices.empty(); });
  if (!SameSelection(SelectionOf(pcr_values), *signed_selection)) {
    return Reject("quote.pcr_values_mismatch", "PCR values sent (" +
                                                   FormatPcrSelection(SelectionOf(pcr_values)) +
                                                   ") are not the signed selection (" +
                                                   FormatPcrSelection(*signed_selection) + ")");
  }
  for (const PcrValue& v : pcr_values) {
    if (v.digest.size() != DigestSize(v.alg)) {
      return Reject("quote.pcr_values_mismatch", "PCR value of the wrong size");
    }
  }
  // The PCR digest uses the signing scheme's hash, which VerifyAttest pinned to the AK's.
  const TPM2_ALG_ID scheme_hash =
      ak.area().type == TPM2_ALG_ECC ? ak.area().parameters.eccDetail.scheme.details.anySig.hashAlg
                                     : ak.area().parameters.rsaDetail.scheme.details.anySig.hashAlg;
  auto hash = HashFromTpmAlg(scheme_hash);
  if (!hash) return Fail(hash.error());
  auto digest = ComputePcrDigest(*hash, pcr_values);
  if (!digest) return Fail(digest.error());
  if (!ConstantTimeEquals(*digest, ByteView(info.pcrDigest.buffer, info.pcrDigest.size))) {
    return Reject("quote.pcr_digest_mismatch", "PCR values do not match the signed PCR digest");
  }
  if (!Covers(*signed_selection, expected.required_selection)) {
    return Reject("quote.pcr_selection_narrow",
                  "quote covers " + FormatPcrSelection(*signed_selection) + ", policy needs " +
                      FormatPcrSelection(expected.required_selection));
  }
  VerifiedQuote out;
  out.pcr_values_ = pcr_values;
  out.clock_ = TpmClock{parsed->clockInfo.clock, parsed->clockInfo.resetCount,
                        parsed->clockInfo.restartCount, parsed->clockInfo.safe == TPM2_YES};
  out.firmware_version_ = parsed->firmwareVersion;
  return out;
}

}  // namespace edgetrust::attestation
