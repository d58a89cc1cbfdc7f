#include "certs/testing/software_signer.h"

#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "certs/evp_sign.h"
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
  auto pub = PublicKeyOf(raw);
  if (!pub) return Fail(pub.error());
  return std::make_unique<SoftwareSigner>(std::move(key), std::move(*pub), *alg);
}

Result<Bytes> SoftwareSigner::Sign(ByteView digest) const {
  return SignDigestWithEvpKey(key_.get(), algorithm_, digest);
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
