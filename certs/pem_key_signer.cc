#include "certs/pem_key_signer.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <string_view>

#include "certs/evp_sign.h"
#include "common/file.h"
#include "common/openssl.h"

namespace edgetrust::certs {
namespace {

constexpr size_t kMaxKeyFileSize = 64 * 1024;

Error Ossl(std::string_view call) {
  return OpenSslError(ErrorCode::kInternal, "crypto.openssl", call);
}

// NoPassphrase refuses to decrypt: OpenSSL's default callback would prompt on the terminal.
int NoPassphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*userdata*/) { return -1; }

Result<PublicKey> PublicPart(EVP_PKEY* pkey) {
  auto key = PublicKeyOf(pkey);
  if (!key) {
    return Fail(ErrorCode::kInvalidArgument, "signer.unsupported_key",
                "the key is not RSA, P-256 or P-384: " + key.error().message);
  }
  return key;
}

class PemKeySigner : public Signer {
 public:
  PemKeySigner(OpenSslPtr<EVP_PKEY> key, PublicKey pub, SignatureAlgorithm alg)
      : key_(std::move(key)), public_key_(std::move(pub)), alg_(alg) {}

  SignatureAlgorithm algorithm() const override { return alg_; }
  const PublicKey& public_key() const override { return public_key_; }

  Result<Bytes> Sign(ByteView digest) const override {
    return SignDigestWithEvpKey(key_.get(), alg_, digest);
  }

 private:
  OpenSslPtr<EVP_PKEY> key_;
  PublicKey public_key_;
  SignatureAlgorithm alg_;
};

}  // namespace

Result<std::unique_ptr<Signer>> PemKeySignerFromPem(const SecretBytes& pem,
                                                    std::optional<SignatureAlgorithm> algorithm) {
  const ByteView bytes = pem.RevealForCrypto();
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (text.find("ENCRYPTED") != std::string_view::npos) {
    return Fail(ErrorCode::kInvalidArgument, "pemkey.encrypted",
                "the key file is encrypted; give an unencrypted development key");
  }
  OpenSslPtr<BIO> bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
  if (!bio) return std::unexpected(Ossl("BIO_new_mem_buf"));
  OpenSslPtr<EVP_PKEY> key(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
  ERR_clear_error();  // the reason is ours to give; OpenSSL's text never leaves the process
  if (!key) {
    return Fail(ErrorCode::kInvalidArgument, "pemkey.malformed", "not a PEM private key");
  }
  auto pub = PublicPart(key.get());
  if (!pub) return Fail(pub.error());
  auto alg =
      algorithm ? Result<SignatureAlgorithm>(*algorithm) : DefaultSignatureAlgorithm(pub->type());
  if (!alg) return Fail(alg.error());
  if (auto fits = CheckAlgorithmFitsKey(*alg, pub->type()); !fits) return Fail(fits.error());
  return std::make_unique<PemKeySigner>(std::move(key), std::move(*pub), *alg);
}

Result<std::unique_ptr<Signer>> OpenPemKeySigner(const std::string& path,
                                                 std::optional<SignatureAlgorithm> algorithm) {
  auto file = ReadFile(path, kMaxKeyFileSize);
  if (!file) {
    if (file.error().code == ErrorCode::kNotFound) {
      return Fail(ErrorCode::kNotFound, "pemkey.missing", "no key file " + path);
    }
    return Fail(file.error());
  }
  SecretBytes pem = SecretBytes::CopyFrom(*file);
  WipeBytes(*file);
  return PemKeySignerFromPem(pem, algorithm);
}

}  // namespace edgetrust::certs
