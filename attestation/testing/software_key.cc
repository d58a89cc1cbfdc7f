#include "attestation/testing/software_key.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>

#include <algorithm>

#include "attestation/marshal.h"
#include "common/openssl.h"

namespace edgetrust::attestation::testing {
namespace {

Error Ossl(std::string_view call) {
  return OpenSslError(ErrorCode::kInternal, "crypto.openssl", call);
}

template <typename B>
void Put(B& out, ByteView data) {
  out.size = static_cast<UINT16>(data.size());
  std::copy(data.begin(), data.end(), out.buffer);
}

}  // namespace

Result<SoftwareKey> SoftwareKey::Create(const TPM2B_PUBLIC& tmpl) {
  if (tmpl.publicArea.type != TPM2_ALG_ECC ||
      tmpl.publicArea.parameters.eccDetail.curveID != TPM2_ECC_NIST_P256) {
    return Fail(ErrorCode::kInvalidArgument, "key.unsupported", "SoftwareKey is ECC P-256 only");
  }
  EVP_PKEY* raw = EVP_EC_gen("P-256");
  std::shared_ptr<evp_pkey_st> key(raw, EVP_PKEY_free);
  if (raw == nullptr) return std::unexpected(Ossl("EVP_EC_gen"));
  BIGNUM* x = nullptr;
  BIGNUM* y = nullptr;
  int got_x = EVP_PKEY_get_bn_param(raw, OSSL_PKEY_PARAM_EC_PUB_X, &x);
  OpenSslPtr<BIGNUM> owned_x(x);
  int got_y = EVP_PKEY_get_bn_param(raw, OSSL_PKEY_PARAM_EC_PUB_Y, &y);
  OpenSslPtr<BIGNUM> owned_y(y);
  if (got_x != 1 || got_y != 1) return std::unexpected(Ossl("EVP_PKEY_get_bn_param"));
  TPM2B_PUBLIC pub = tmpl;
  TPMS_ECC_POINT& point = pub.publicArea.unique.ecc;
  if (BN_bn2binpad(x, point.x.buffer, 32) != 32 || BN_bn2binpad(y, point.y.buffer, 32) != 32) {
    return std::unexpected(Ossl("BN_bn2binpad"));
  }
  point.x.size = 32;
  point.y.size = 32;
  auto parsed = TpmPublic::FromStruct(pub);
  if (!parsed) return Fail(parsed.error());
  return SoftwareKey(std::move(key), std::move(*parsed));
}

Result<Bytes> SoftwareKey::SignRaw(ByteView message) const {
  OpenSslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, message.data(), message.size()) != 1) {
    return std::unexpected(Ossl("EVP_DigestSign"));
  }
  Bytes der(len);
  if (EVP_DigestSign(ctx.get(), der.data(), &len, message.data(), message.size()) != 1) {
    return std::unexpected(Ossl("EVP_DigestSign"));
  }
  const unsigned char* p = der.data();
  OpenSslPtr<ECDSA_SIG> sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(len)));
  if (!sig) return std::unexpected(Ossl("d2i_ECDSA_SIG"));
  TPMT_SIGNATURE tpm_sig{};
  tpm_sig.sigAlg = TPM2_ALG_ECDSA;
  tpm_sig.signature.ecdsa.hash = TPM2_ALG_SHA256;
  TPMS_SIGNATURE_ECC& ecc = tpm_sig.signature.ecdsa;
  if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), ecc.signatureR.buffer, 32) != 32 ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), ecc.signatureS.buffer, 32) != 32) {
    return std::unexpected(Ossl("BN_bn2binpad"));
  }
  ecc.signatureR.size = 32;
  ecc.signatureS.size = 32;
  return Marshal(tpm_sig, Tss2_MU_TPMT_SIGNATURE_Marshal, "TPMT_SIGNATURE");
}

Result<SignedAttest> SoftwareKey::Sign(const TPMS_ATTEST& attest) const {
  auto bytes = Marshal(attest, Tss2_MU_TPMS_ATTEST_Marshal, "TPMS_ATTEST");
  if (!bytes) return Fail(bytes.error());
  auto sig = SignRaw(*bytes);
  if (!sig) return Fail(sig.error());
  return SignedAttest{std::move(*bytes), std::move(*sig)};
}

Result<TPMS_ATTEST> QuoteAttest(ByteView qualifying_data, const PcrValues& values,
                                HashAlgorithm hash) {
  TPMS_ATTEST attest{};
  attest.magic = TPM2_GENERATED_VALUE;
  attest.type = TPM2_ST_ATTEST_QUOTE;
  Put(attest.extraData, qualifying_data);
  attest.clockInfo.clock = 123456;
  attest.clockInfo.safe = TPM2_YES;
  auto selection = ToTpml(SelectionOf(values));
  if (!selection) return Fail(selection.error());
  attest.attested.quote.pcrSelect = *selection;
  auto digest = ComputePcrDigest(hash, values);
  if (!digest) return Fail(digest.error());
  Put(attest.attested.quote.pcrDigest, *digest);
  return attest;
}

TPMS_ATTEST CertifyAttest(ByteView qualifying_data, ByteView name) {
  TPMS_ATTEST attest{};
  attest.magic = TPM2_GENERATED_VALUE;
  attest.type = TPM2_ST_ATTEST_CERTIFY;
  Put(attest.extraData, qualifying_data);
  attest.attested.certify.name.size = static_cast<UINT16>(name.size());
  std::copy(name.begin(), name.end(), attest.attested.certify.name.name);
  return attest;
}

}  // namespace edgetrust::attestation::testing
