#include "certs/evp_sign.h"

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <string_view>

#include "common/openssl.h"

namespace edgetrust::certs {
namespace {

Error Ossl(std::string_view call) {
  return OpenSslError(ErrorCode::kInternal, "crypto.openssl", call);
}

}  // namespace

Result<Bytes> SignDigestWithEvpKey(EVP_PKEY* key, SignatureAlgorithm alg, ByteView digest) {
  if (auto size = CheckDigestSize(alg, digest); !size) return Fail(size.error());
  OpenSslPtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_signature_md(ctx.get(), EvpMd(SignatureHash(alg))) != 1) {
    return std::unexpected(Ossl("EVP_PKEY_sign_init"));
  }
  if (alg == SignatureAlgorithm::kRsaPkcs1Sha256 &&
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1) {
    return std::unexpected(Ossl("EVP_PKEY_CTX_set_rsa_padding"));
  }
  if (alg == SignatureAlgorithm::kRsaPssSha256 &&
      (EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PSS_PADDING) != 1 ||
       EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), EVP_sha256()) != 1 ||
       EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx.get(), 32) != 1)) {
    return std::unexpected(Ossl("EVP_PKEY_CTX_set_rsa_pss"));
  }
  size_t len = 0;
  if (EVP_PKEY_sign(ctx.get(), nullptr, &len, digest.data(), digest.size()) != 1) {
    return std::unexpected(Ossl("EVP_PKEY_sign"));
  }
  Bytes sig(len);
  if (EVP_PKEY_sign(ctx.get(), sig.data(), &len, digest.data(), digest.size()) != 1) {
    return std::unexpected(Ossl("EVP_PKEY_sign"));
  }
  sig.resize(len);
  return sig;
}

Result<PublicKey> PublicKeyOf(EVP_PKEY* key) {
  const int len = i2d_PUBKEY(key, nullptr);
  if (len <= 0) return std::unexpected(Ossl("i2d_PUBKEY"));
  Bytes spki(static_cast<size_t>(len));
  unsigned char* p = spki.data();
  if (i2d_PUBKEY(key, &p) != len) return std::unexpected(Ossl("i2d_PUBKEY"));
  return PublicKey::FromSpkiDer(spki);
}

}  // namespace edgetrust::certs
