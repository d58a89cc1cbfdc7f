#include "certs/testing/software_signer.h"

#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "common/openssl.h"

namespace edgetrust::certs::testing {
namespace {

Error Ossl(std::string_view call) {
  return OpenSslError(ErrorCode::kInternal, "crypto.openssl", call);
}

}  // namespace

Result<std::unique_ptr<SoftwareSigner>> SoftwareSigner::Create(
    KeyType type, std::optional<SignatureAlgorithm> algorithm) {
  auto alg = algorithm ? Result<SignatureAlgorithm>(*algorithm) : DefaultSignatureAlgorithm(type);
  if (!alg) return Fail(alg.error());
  if (auto fits = CheckAlgorithmFitsKey(*alg, type); !fits) return Fail(fits.error());
  EVP_PKEY* raw = type == KeyType::kRsa ? EVP_RSA_gen(2048) : EVP_EC_gen(CurveName(type));
  std::shared_ptr<evp_pkey_st> key(raw, EVP_PKEY_free);
  if (raw == nullptr) return std::unexpected(Ossl("EVP_PKEY generation"));
  int len = i2d_PUBKEY(raw, nullptr);
  if (len <= 0) return std::unexpected(Ossl("i2d_PUBKEY"));
  Bytes spki(static_cast<size_t>(len));
  unsigned char* p = spki.data();
  if (i2d_PUBKEY(raw, &p) != len) return std::unexpected(Ossl("i2d_PUBKEY"));
  auto pub = PublicKey::FromSpkiDer(spki);
  if (!pub) return Fail(pub.error());
  return std::make_unique<SoftwareSigner>(std::move(key), std::move(*pub), *alg);
}

Result<Bytes> SoftwareSigner::Sign(ByteView digest) const {
  if (auto size = CheckDigestSize(algorithm_, digest); !size) return Fail(size.error());
  OpenSslPtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key_.get(), nullptr));
  if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_signature_md(ctx.get(), EvpMd(SignatureHash(algorithm_))) != 1) {
    return std::unexpected(Ossl("EVP_PKEY_sign_init"));
  }
  if (algorithm_ == SignatureAlgorithm::kRsaPkcs1Sha256 &&
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1) {
    return std::unexpected(Ossl("EVP_PKEY_CTX_set_rsa_padding"));
  }
  if (algorithm_ == SignatureAlgorithm::kRsaPssSha256 &&
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

Result<Bytes> SoftwareSigner::SignMessage(ByteView message) const {
  auto digest = Digest(SignatureHash(algorithm_), message);
  if (!digest) return Fail(digest.error());
  return Sign(*digest);
}

Result<std::string> SoftwareSigner::PrivateKeyPemForTests() const {
  OpenSslPtr<BIO> bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return std::unexpected(Ossl("PEM_write_bio_PrivateKey"));
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

}  // namespace edgetrust::certs::testing
