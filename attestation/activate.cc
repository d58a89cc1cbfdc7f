#include "attestation/activate.h"

#include <tss2/tss2_mu.h>

#include <algorithm>

#include "attestation/esys_ptr.h"
#include "attestation/marshal.h"
#include "attestation/tpm_error.h"

namespace edgetrust::attestation {
namespace {

TPM2B_DIGEST ToDigest(ByteView bytes) {
  TPM2B_DIGEST d{};
  d.size = static_cast<UINT16>(bytes.size());
  std::copy(bytes.begin(), bytes.end(), d.buffer);
  return d;
}

// StartEkPolicySession returns a policy session that satisfies the EK's authPolicy.
Result<TransientHandle> StartEkPolicySession(Tpm& tpm, const EkProfile& profile) {
  static const TPMT_SYM_DEF kNoSymmetric = {.algorithm = TPM2_ALG_NULL, .keyBits = {}, .mode = {}};
  const TPMI_ALG_HASH hash = profile.high_range ? TPM2_ALG_SHA384 : TPM2_ALG_SHA256;
  ESYS_TR session = ESYS_TR_NONE;
  TSS2_RC rc =
      Esys_StartAuthSession(tpm.esys(), ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                            ESYS_TR_NONE, nullptr, TPM2_SE_POLICY, &kNoSymmetric, hash, &session);
  TransientHandle owned(tpm, session);
  if (auto err = TpmError(rc, "Esys_StartAuthSession")) return std::unexpected(*err);
  // Keep the session after use so that ownership (and the flush) stays with us.
  rc = Esys_TRSess_SetAttributes(tpm.esys(), session, TPMA_SESSION_CONTINUESESSION, 0xff);
  if (auto err = TpmError(rc, "Esys_TRSess_SetAttributes")) return std::unexpected(*err);
  rc =
      Esys_PolicySecret(tpm.esys(), ESYS_TR_RH_ENDORSEMENT, session, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                        ESYS_TR_NONE, nullptr, nullptr, nullptr, 0, nullptr, nullptr);
  if (auto err = TpmError(rc, "Esys_PolicySecret")) return std::unexpected(*err);
  if (profile.high_range) {
    TPML_DIGEST branches{};
    branches.count = 2;
    branches.digests[0] = ToDigest(EkPolicyASha384());
    branches.digests[1] = ToDigest(EkPolicyCSha384());
    rc = Esys_PolicyOR(tpm.esys(), session, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &branches);
    if (auto err = TpmError(rc, "Esys_PolicyOR")) return std::unexpected(*err);
  }
  return owned;
}

}  // namespace

Result<SecretBytes> ActivateCredential(Tpm& tpm, const TransientHandle& ak, const PersistentKey& ek,
                                       EkType ek_type, const CredentialBlob& blob) {
  auto id_object = Unmarshal<TPM2B_ID_OBJECT>(blob.id_object, Tss2_MU_TPM2B_ID_OBJECT_Unmarshal,
                                              "credential blob");
  if (!id_object) return Fail(id_object.error());
  auto secret = Unmarshal<TPM2B_ENCRYPTED_SECRET>(
      blob.encrypted_secret, Tss2_MU_TPM2B_ENCRYPTED_SECRET_Unmarshal, "encrypted secret");
  if (!secret) return Fail(secret.error());
  auto session = StartEkPolicySession(tpm, GetEkProfile(ek_type));
  if (!session) return Fail(session.error());
  TPM2B_DIGEST* out = nullptr;
  TSS2_RC rc = Esys_ActivateCredential(tpm.esys(), ak.get(), ek.handle.get(), ESYS_TR_PASSWORD,
                                       session->get(), ESYS_TR_NONE, &*id_object, &*secret, &out);
  EsysPtr<TPM2B_DIGEST> recovered(out);
  if (auto err = TpmError(rc, "Esys_ActivateCredential")) return std::unexpected(*err);
  SecretBytes result = SecretBytes::CopyFrom(ByteView(recovered->buffer, recovered->size));
  WipeMemory(recovered->buffer, recovered->size);
  return result;
}

}  // namespace edgetrust::attestation
