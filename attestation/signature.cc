#include "attestation/signature.h"

#include <tss2/tss2_mu.h>

#include "attestation/marshal.h"
#include "common/openssl.h"

namespace edgetrust::attestation {
namespace {

struct KeyScheme {
  TPM2_ALG_ID scheme = TPM2_ALG_NULL;
  TPM2_ALG_ID hash = TPM2_ALG_NULL;
};

KeyScheme SchemeOf(const TpmPublic& key) {
  const TPMT_PUBLIC& a = key.area();
  if (a.type == TPM2_ALG_ECC) {
    return {a.parameters.eccDetail.scheme.scheme,
            a.parameters.eccDetail.scheme.details.anySig.hashAlg};
  }
  if (a.type == TPM2_ALG_RSA) {
    return {a.parameters.rsaDetail.scheme.scheme,
            a.parameters.rsaDetail.scheme.details.anySig.hashAlg};
  }
  return {};
}

}  // namespace

Result<TPMT_SIGNATURE> ParseTpmSignature(ByteView marshalled) {
  return Unmarshal<TPMT_SIGNATURE>(marshalled, Tss2_MU_TPMT_SIGNATURE_Unmarshal, "TPMT_SIGNATURE");
}

Result<Bytes> SignatureToDer(const TPMT_SIGNATURE& sig) {
  switch (sig.sigAlg) {
    case TPM2_ALG_ECDSA: {
      const TPMS_SIGNATURE_ECC& ecc = sig.signature.ecdsa;
      OpenSslPtr<BIGNUM> r(BN_bin2bn(ecc.signatureR.buffer, ecc.signatureR.size, nullptr));
      OpenSslPtr<BIGNUM> s(BN_bin2bn(ecc.signatureS.buffer, ecc.signatureS.size, nullptr));
      OpenSslPtr<ECDSA_SIG> der_sig(ECDSA_SIG_new());
      if (!r || !s || !der_sig || ECDSA_SIG_set0(der_sig.get(), r.get(), s.get()) != 1) {
        return std::unexpected(
            OpenSslError(ErrorCode::kInternal, "crypto.openssl", "ECDSA_SIG_set0"));
      }
      r.release();  // now owned by der_sig
      s.release();
      int len = i2d_ECDSA_SIG(der_sig.get(), nullptr);
      if (len <= 0) {
        return std::unexpected(
            OpenSslError(ErrorCode::kInternal, "crypto.openssl", "i2d_ECDSA_SIG"));
      }
      Bytes out(static_cast<size_t>(len));
      uint8_t* p = out.data();
      if (i2d_ECDSA_SIG(der_sig.get(), &p) != len) {
        return std::unexpected(
            OpenSslError(ErrorCode::kInternal, "crypto.openssl", "i2d_ECDSA_SIG"));
      }
      return out;
    }
    case TPM2_ALG_RSASSA:
    case TPM2_ALG_RSAPSS: {
      const TPM2B_PUBLIC_KEY_RSA& rsa = sig.signature.rsassa.sig;
      return Bytes(rsa.buffer, rsa.buffer + rsa.size);
    }
    default:
      return Fail(ErrorCode::kInvalidArgument, "signature.unsupported",
                  "unsupported TPM signature algorithm " + std::to_string(sig.sigAlg));
  }
}

Status VerifyTpmSignature(const TpmPublic& signer, ByteView message, ByteView marshalled_sig) {
  auto sig = ParseTpmSignature(marshalled_sig);
  if (!sig) return Fail(sig.error());
  const KeyScheme expected = SchemeOf(signer);
  // Every TPMS_SIGNATURE_* variant starts with its hash algorithm.
  const TPM2_ALG_ID sig_hash = sig->signature.any.hashAlg;
  if (expected.scheme == TPM2_ALG_NULL || sig->sigAlg != expected.scheme ||
      sig_hash != expected.hash) {
    return Fail(ErrorCode::kPermissionDenied, "signature.scheme_mismatch",
                "signature algorithm does not match the signing key's scheme");
  }
  auto hash = HashFromTpmAlg(expected.hash);
  if (!hash) return Fail(hash.error());
  auto der = SignatureToDer(*sig);
  if (!der) return Fail(der.error());
  auto key = signer.ToPublicKey();
  if (!key) return Fail(key.error());
  SignatureScheme scheme = SignatureScheme::kEcdsaDer;
  if (expected.scheme == TPM2_ALG_RSASSA) scheme = SignatureScheme::kRsaPkcs1;
  if (expected.scheme == TPM2_ALG_RSAPSS) scheme = SignatureScheme::kRsaPss;
  return key->Verify(scheme, *hash, message, *der);
}

}  // namespace edgetrust::attestation
