#include "common/crypto.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "common/openssl.h"

namespace edgetrust {

size_t DigestSize(HashAlgorithm alg) {
  switch (alg) {
    case HashAlgorithm::kSha1:
      return 20;
    case HashAlgorithm::kSha256:
      return 32;
    case HashAlgorithm::kSha384:
      return 48;
    case HashAlgorithm::kSha512:
      return 64;
  }
  return 0;
}

std::string_view HashAlgorithmName(HashAlgorithm alg) {
  switch (alg) {
    case HashAlgorithm::kSha1:
      return "sha1";
    case HashAlgorithm::kSha256:
      return "sha256";
    case HashAlgorithm::kSha384:
      return "sha384";
    case HashAlgorithm::kSha512:
      return "sha512";
  }
  return "unknown";
}

Result<HashAlgorithm> ParseHashAlgorithm(std::string_view name) {
  for (HashAlgorithm alg : {HashAlgorithm::kSha1, HashAlgorithm::kSha256, HashAlgorithm::kSha384,
                            HashAlgorithm::kSha512}) {
    if (name == HashAlgorithmName(alg)) return alg;
  }
  return Fail(ErrorCode::kInvalidArgument, "hash.unknown_algorithm",
              "unknown hash algorithm '" + std::string(name) + "'");
}

Result<Bytes> Digest(HashAlgorithm alg, ByteView data) {
  Bytes out(DigestSize(alg));
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, EvpMd(alg), nullptr) != 1 ||
      len != out.size()) {
    return std::unexpected(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "EVP_Digest"));
  }
  return out;
}

Result<Bytes> Hmac(HashAlgorithm alg, ByteView key, ByteView data) {
  OpenSslPtr<EVP_MAC> mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  if (!mac) {
    return std::unexpected(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "EVP_MAC_fetch"));
  }
  OpenSslPtr<EVP_MAC_CTX> ctx(EVP_MAC_CTX_new(mac.get()));
  if (!ctx) {
    return std::unexpected(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "EVP_MAC_CTX_new"));
  }
  std::string digest_name(HashAlgorithmName(alg));
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name.data(), 0),
      OSSL_PARAM_construct_end()};
  // HMAC with an empty key is legal (TPM KDFs use it); OpenSSL needs a non-null pointer.
  static const uint8_t kEmpty = 0;
  const uint8_t* key_data = key.empty() ? &kEmpty : key.data();
  Bytes out(DigestSize(alg));
  size_t len = 0;
  if (EVP_MAC_init(ctx.get(), key_data, key.size(), params) != 1 ||
      EVP_MAC_update(ctx.get(), data.data(), data.size()) != 1 ||
      EVP_MAC_final(ctx.get(), out.data(), &len, out.size()) != 1 || len != out.size()) {
    return std::unexpected(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "HMAC"));
  }
  return out;
}

Result<Bytes> RandomBytes(size_t size) {
  Bytes out(size);
  if (size > 0 && RAND_bytes(out.data(), static_cast<int>(size)) != 1) {
    return std::unexpected(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "RAND_bytes"));
  }
  return out;
}

Result<SecretBytes> RandomSecret(size_t size) {
  SecretBytes out(size);
  if (size > 0 && RAND_priv_bytes(out.mutable_data(), static_cast<int>(size)) != 1) {
    return std::unexpected(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "RAND_priv_bytes"));
  }
  return out;
}

bool ConstantTimeEquals(ByteView a, ByteView b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace edgetrust
