#include "attestation/certify_verifier.h"

#include "attestation/attest_verifier.h"
#include "attestation/key_policy.h"
#include "common/crypto.h"

namespace edgetrust::attestation {

Result<VerifiedCertify> VerifyCertify(const TpmPublic& ak, ByteView attest, ByteView signature,
                                      const TpmPublic& certified, ByteView qualifying_data) {
  auto parsed =
      VerifyAttest("certify", ak, attest, signature, TPM2_ST_ATTEST_CERTIFY, qualifying_data);
  if (!parsed) return Fail(parsed.error());
  auto name = certified.Name();
  if (!name) return Fail(name.error());
  const TPM2B_NAME& signed_name = parsed->attested.certify.name;
  if (!ConstantTimeEquals(*name, ByteView(signed_name.name, signed_name.size))) {
    return Fail(ErrorCode::kPermissionDenied, "certify.name_mismatch",
                "the certified key is not the key sent");
  }
  if (auto ok = CheckIdentityKeyPublic(certified); !ok) return Fail(ok.error());
  auto key = certified.ToPublicKey();
  if (!key) return Fail(key.error());
  return VerifiedCertify(std::move(*key), std::move(*name));
}

}  // namespace edgetrust::attestation
