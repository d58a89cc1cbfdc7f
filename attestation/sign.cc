#include "attestation/sign.h"

#include <algorithm>

#include "attestation/esys_ptr.h"
#include "attestation/signature.h"
#include "attestation/tpm_error.h"

namespace edgetrust::attestation {

Result<Bytes> SignDigest(Tpm& tpm, const TransientHandle& key, ByteView digest) {
  TPM2B_DIGEST in{};
  if (digest.size() > sizeof(in.buffer)) {
    return Fail(ErrorCode::kInvalidArgument, "sign.digest_size", "digest too long");
  }
  in.size = static_cast<UINT16>(digest.size());
  std::copy(digest.begin(), digest.end(), in.buffer);
  static const TPMT_SIG_SCHEME kKeyScheme = {.scheme = TPM2_ALG_NULL, .details = {}};
  // A null ticket: allowed because the key is not restricted.
  static const TPMT_TK_HASHCHECK kNoTicket = {
      .tag = TPM2_ST_HASHCHECK, .hierarchy = TPM2_RH_NULL, .digest = {}};
  TPMT_SIGNATURE* out_sig = nullptr;
  TSS2_RC rc = Esys_Sign(tpm.esys(), key.get(), ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &in,
                         &kKeyScheme, &kNoTicket, &out_sig);
  EsysPtr<TPMT_SIGNATURE> sig(out_sig);
  if (auto err = TpmError(rc, "Esys_Sign")) return std::unexpected(*err);
  return SignatureToDer(*sig);
}

}  // namespace edgetrust::attestation
