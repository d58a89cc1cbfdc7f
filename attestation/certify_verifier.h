// VerifyCertify checks a TPM2_Certify in which an attestation key vouches that another key
// (the identity key) lives in the same TPM, and is the only producer of VerifiedCertify.
//
// Checks, in order, failing closed (kPermissionDenied unless noted):
//   ak.*                       the AK public is not a proper attestation key
//   certify.malformed          kInvalidArgument: attest or signature does not parse
//   certify.bad_signature      not signed by this AK with its own scheme
//   certify.bad_magic          not TPM-generated
//   certify.wrong_type         not TPM_ST_ATTEST_CERTIFY
//   certify.nonce_mismatch     extraData != expected qualifying data
//   certify.name_mismatch      certified Name != Name(certified public sent)
//   identity.*                 the certified key is not a non-restricted, fixedTPM,
//                              fixedParent, sensitiveDataOrigin signing key (key_policy.h)
// Pure function, thread-safe.
#ifndef EDGETRUST_ATTESTATION_CERTIFY_VERIFIER_H_
#define EDGETRUST_ATTESTATION_CERTIFY_VERIFIER_H_

#include "attestation/tpm_public.h"
#include "common/bytes.h"
#include "common/error.h"
#include "common/public_key.h"

namespace edgetrust::attestation {

class VerifiedCertify {
 public:
  // certified_key is the TPM-resident key, proven non-exportable.
  const PublicKey& certified_key() const { return key_; }
  const Bytes& certified_name() const { return name_; }

 private:
  friend Result<VerifiedCertify> VerifyCertify(const TpmPublic&, ByteView, ByteView,
                                               const TpmPublic&, ByteView);
  VerifiedCertify(PublicKey key, Bytes name) : key_(std::move(key)), name_(std::move(name)) {}

  PublicKey key_;
  Bytes name_;
};

Result<VerifiedCertify> VerifyCertify(const TpmPublic& ak, ByteView attest, ByteView signature,
                                      const TpmPublic& certified, ByteView qualifying_data);

}  // namespace edgetrust::attestation

#endif  // EDGETRUST_ATTESTATION_CERTIFY_VERIFIER_H_
