// TpmSigner is a certs::Signer whose private key is a loaded, non-restricted TPM signing key
// (the device's identity key): it signs digests with attestation::SignDigest, so the key never
// leaves the TPM. It is what certs::BuildCsr and the JWS encoder sign with on a device.
//
// The algorithm comes from the key's own scheme: ECDSA-SHA256 on P-256 (kEcdsaSha256),
// ECDSA-SHA384 on P-384 (kEcdsaSha384), RSASSA-SHA256 (kRsaPkcs1Sha256), RSAPSS-SHA256
// (kRsaPssSha256). A key without a signing scheme, a restricted key, or another hash is
// kInvalidArgument "signer.unsupported_key" at Create.
//
// Lifetime: a TpmSigner borrows the Tpm and the TransientHandle; both must outlive it, and the
// key must stay loaded while it is used. NOT thread-safe, like Tpm: one thread uses the Tpm
// (and so this signer) at a time. This overrides the certs::Signer default.
//
// Sign errors: kInvalidArgument "signer.digest_size" when the digest does not have the
// scheme's hash size; TPM failures as attestation reports them ("tpm.*"; a TPM that cannot
// be reached is kUnavailable).
#ifndef EDGETRUST_ATTESTATION_TPM_SIGNER_H_
#define EDGETRUST_ATTESTATION_TPM_SIGNER_H_

#include <memory>

#include "attestation/handles.h"
#include "attestation/tpm.h"
#include "attestation/tpm_public.h"
#include "certs/signer.h"
#include "common/bytes.h"
#include "common/error.h"
#include "common/public_key.h"

namespace edgetrust::attestation {

class TpmSigner final : public certs::Signer {
 public:
  // Create checks `key_public` (the public area of the key loaded at `key`) and derives the
  // signature algorithm from its scheme.
  static Result<std::unique_ptr<TpmSigner>> Create(Tpm& tpm, const TransientHandle& key,
                                                   const TpmPublic& key_public);

  certs::SignatureAlgorithm algorithm() const override { return algorithm_; }
  const PublicKey& public_key() const override { return public_key_; }
  Result<Bytes> Sign(ByteView digest) const override;

 private:
  TpmSigner(Tpm& tpm, const TransientHandle& key, certs::SignatureAlgorithm algorithm,
            PublicKey public_key)
      : tpm_(&tpm), key_(&key), algorithm_(algorithm), public_key_(std::move(public_key)) {}

  Tpm* tpm_;
  const TransientHandle* key_;
  certs::SignatureAlgorithm algorithm_;
  PublicKey public_key_;
};

// SignatureAlgorithmOf maps a signing key's public area to the Signer algorithm described
// above (same errors as TpmSigner::Create). Pure, thread-safe.
Result<certs::SignatureAlgorithm> SignatureAlgorithmOf(const TpmPublic& key_public);

}  // namespace edgetrust::attestation

#endif  // EDGETRUST_ATTESTATION_TPM_SIGNER_H_
