#include "attestation/tpm_signer.h"

#include "attestation/sign.h"

namespace edgetrust::attestation {
namespace {

std::unexpected<Error> Unsupported(std::string message) {
  return Fail(ErrorCode::kInvalidArgument, "signer.unsupported_key", std::move(message));
}

}  // namespace

Result<certs::SignatureAlgorithm> SignatureAlgorithmOf(const TpmPublic& key_public) {
  const TPMT_PUBLIC& area = key_public.area();
  if (!key_public.HasAttribute(TPMA_OBJECT_SIGN_ENCRYPT) ||
      key_public.HasAttribute(TPMA_OBJECT_RESTRICTED)) {
    return Unsupported("not a non-restricted signing key");
  }
  if (area.type == TPM2_ALG_ECC) {
    const TPMT_ECC_SCHEME& scheme = area.parameters.eccDetail.scheme;
    if (scheme.scheme != TPM2_ALG_ECDSA) return Unsupported("ECC key without an ECDSA scheme");
    TPM2_ECC_CURVE curve = area.parameters.eccDetail.curveID;
    TPM2_ALG_ID hash = scheme.details.ecdsa.hashAlg;
    if (curve == TPM2_ECC_NIST_P256 && hash == TPM2_ALG_SHA256) {
      return certs::SignatureAlgorithm::kEcdsaSha256;
    }
    if (curve == TPM2_ECC_NIST_P384 && hash == TPM2_ALG_SHA384) {
      return certs::SignatureAlgorithm::kEcdsaSha384;
    }
    return Unsupported("ECDSA curve/hash pair not supported");
  }
  if (area.type == TPM2_ALG_RSA) {
    const TPMT_RSA_SCHEME& scheme = area.parameters.rsaDetail.scheme;
    if (scheme.details.anySig.hashAlg != TPM2_ALG_SHA256) {
      return Unsupported("RSA scheme hash is not SHA-256");
    }
    if (scheme.scheme == TPM2_ALG_RSASSA) return certs::SignatureAlgorithm::kRsaPkcs1Sha256;
    if (scheme.scheme == TPM2_ALG_RSAPSS) return certs::SignatureAlgorithm::kRsaPssSha256;
    return Unsupported("RSA key without an RSASSA or RSAPSS scheme");
  }
  return Unsupported("key type not supported");
}

Result<std::unique_ptr<TpmSigner>> TpmSigner::Create(Tpm& tpm, const TransientHandle& key,
                                                     const TpmPublic& key_public) {
  auto algorithm = SignatureAlgorithmOf(key_public);
  if (!algorithm) return Fail(algorithm.error());
  auto public_key = key_public.ToPublicKey();
  if (!public_key) return Fail(public_key.error());
  return std::unique_ptr<TpmSigner>(new TpmSigner(tpm, key, *algorithm, std::move(*public_key)));
}

Result<Bytes> TpmSigner::Sign(ByteView digest) const {
  if (auto ok = certs::CheckDigestSize(algorithm_, digest); !ok) return Fail(ok.error());
  return SignDigest(*tpm_, *key_, digest);
}

}  // namespace edgetrust::attestation
