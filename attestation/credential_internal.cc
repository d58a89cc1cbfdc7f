#include "attestation/credential_internal.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <climits>
#include <iterator>
#include <string>

#include "attestation/kdf.h"
#include "common/openssl.h"

namespace edgetrust::attestation::credential_internal {
namespace {

constexpr uint8_t kIdentityLabelWithNul[] = {'I', 'D', 'E', 'N', 'T', 'I', 'T', 'Y', 0};

Error UnsupportedEk(std::string message) {
  return Error{ErrorCode::kInvalidArgument, "credential.unsupported_ek", std::move(message), 0};
}

Error Integrity() {
  ERR_clear_error();
  return Error{ErrorCode::kPermissionDenied, "credential.integrity",
               "the credential was not made for this EK and object", 0};
}

const EVP_CIPHER* AesCfb(size_t key_bytes) {
  switch (key_bytes) {
    case 16:
      return EVP_aes_128_cfb128();
    case 24:
      return EVP_aes_192_cfb128();
    case 32:
      return EVP_aes_256_cfb128();
    default:
      return nullptr;
  }
}

// Cfb runs AES-CFB over `in` into `out` (same size); `encrypt` selects the direction.
Status Cfb(const SecretBytes& key, ByteView in, uint8_t* out, bool encrypt) {
  const EVP_CIPHER* cipher = AesCfb(key.size());
  if (cipher == nullptr || in.size() > INT_MAX) {
    return Fail(ErrorCode::kInvalidArgument, "credential.unsupported_ek", "bad AES key size");
  }
  static const uint8_t kZeroIv[16] = {};
  OpenSslPtr<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  int final_len = 0;
  if (!ctx ||
      EVP_CipherInit_ex(ctx.get(), cipher, nullptr, key.RevealForCrypto().data(), kZeroIv,
                        encrypt ? 1 : 0) != 1 ||
      EVP_CipherUpdate(ctx.get(), out, &len, in.data(), static_cast<int>(in.size())) != 1 ||
      EVP_CipherFinal_ex(ctx.get(), out + len, &final_len) != 1 ||
      static_cast<size_t>(len + final_len) != in.size()) {
    return std::unexpected(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "AES-CFB"));
  }
  return Ok();
}

// OaepContext prepares `pkey` for OAEP with `hash` and the IDENTITY label.
Result<OpenSslPtr<EVP_PKEY_CTX>> OaepContext(evp_pkey_st* pkey, HashAlgorithm hash, bool encrypt) {
  OpenSslPtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  if (!ctx ||
      (encrypt ? EVP_PKEY_encrypt_init(ctx.get()) : EVP_PKEY_decrypt_init(ctx.get())) != 1) {
    return std::unexpected(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "OAEP init"));
  }
  std::string pad(OSSL_PKEY_RSA_PAD_MODE_OAEP);
  std::string md(HashAlgorithmName(hash));
  uint8_t label[sizeof(kIdentityLabelWithNul)];
  std::copy(std::begin(kIdentityLabelWithNul), std::end(kIdentityLabelWithNul), label);
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_ASYM_CIPHER_PARAM_PAD_MODE, pad.data(), 0),
      OSSL_PARAM_construct_utf8_string(OSSL_ASYM_CIPHER_PARAM_OAEP_DIGEST, md.data(), 0),
      OSSL_PARAM_construct_utf8_string(OSSL_ASYM_CIPHER_PARAM_MGF1_DIGEST, md.data(), 0),
      OSSL_PARAM_construct_octet_string(OSSL_ASYM_CIPHER_PARAM_OAEP_LABEL, label, sizeof(label)),
      OSSL_PARAM_construct_end()};
  if (EVP_PKEY_CTX_set_params(ctx.get(), params) != 1) {
    return std::unexpected(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "OAEP params"));
  }
  return ctx;
}

}  // namespace

Result<EkParams> CheckEk(const TpmPublic& ek) {
  const TPMA_OBJECT needed = TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT;
  if (!ek.HasAttribute(needed) || ek.HasAttribute(TPMA_OBJECT_SIGN_ENCRYPT)) {
    return Fail(UnsupportedEk("EK is not a restricted decryption key"));
  }
  auto name_alg = ek.name_alg();
  if (!name_alg) return Fail(UnsupportedEk("EK nameAlg: " + name_alg.error().message));
  // rsaDetail and eccDetail both begin with the TPMT_SYM_DEF_OBJECT, but read the right one.
  const TPMT_SYM_DEF_OBJECT& sym = ek.area().type == TPM2_ALG_RSA
                                       ? ek.area().parameters.rsaDetail.symmetric
                                       : ek.area().parameters.eccDetail.symmetric;
  if (sym.algorithm != TPM2_ALG_AES || sym.mode.aes != TPM2_ALG_CFB ||
      AesCfb(sym.keyBits.aes / 8u) == nullptr || sym.keyBits.aes % 8 != 0) {
    return Fail(UnsupportedEk("EK symmetric definition is not AES-128/192/256-CFB"));
  }
  auto key = ek.ToPublicKey();
  if (!key) return Fail(UnsupportedEk("EK key: " + key.error().message));
  return EkParams{*name_alg, sym.keyBits.aes, std::move(*key)};
}

Status CheckObjectName(ByteView name) {
  if (name.size() >= 2) {
    auto alg = HashFromTpmAlg(static_cast<TPM2_ALG_ID>((name[0] << 8) | name[1]));
    if (alg && name.size() == 2 + DigestSize(*alg)) return Ok();
  }
  return Fail(ErrorCode::kInvalidArgument, "credential.bad_name",
              "object name is not nameAlg || digest");
}

Result<SecretBytes> DeriveSymKey(const EkParams& ek, const SecretBytes& seed, ByteView name) {
  return KdfA(ek.name_alg, seed.RevealForCrypto(), "STORAGE", name, {}, ek.aes_bits);
}

Result<SecretBytes> DeriveHmacKey(const EkParams& ek, const SecretBytes& seed) {
  return KdfA(ek.name_alg, seed.RevealForCrypto(), "INTEGRITY", {}, {},
              8 * DigestSize(ek.name_alg));
}

Result<Bytes> OuterHmac(const EkParams& ek, const SecretBytes& hmac_key, ByteView enc_identity,
                        ByteView name) {
  return Hmac(ek.name_alg, hmac_key.RevealForCrypto(), Concat({enc_identity, name}));
}

Result<Bytes> AesCfbEncrypt(const SecretBytes& key, ByteView plaintext) {
  Bytes out(plaintext.size());
  if (auto ok = Cfb(key, plaintext, out.data(), /*encrypt=*/true); !ok) return Fail(ok.error());
  return out;
}

Result<SecretBytes> AesCfbDecrypt(const SecretBytes& key, ByteView ciphertext) {
  SecretBytes out(ciphertext.size());
  if (auto ok = Cfb(key, ciphertext, out.mutable_data(), /*encrypt=*/false); !ok) {
    return Fail(ok.error());
  }
  return out;
}

Result<Bytes> RsaOaepEncrypt(evp_pkey_st* public_key, HashAlgorithm hash, ByteView seed) {
  auto ctx = OaepContext(public_key, hash, /*encrypt=*/true);
  if (!ctx) return Fail(ctx.error());
  size_t len = 0;
  if (EVP_PKEY_encrypt(ctx->get(), nullptr, &len, seed.data(), seed.size()) != 1) {
    return std::unexpected(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "OAEP encrypt"));
  }
  Bytes out(len);
  if (EVP_PKEY_encrypt(ctx->get(), out.data(), &len, seed.data(), seed.size()) != 1) {
    return std::unexpected(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "OAEP encrypt"));
  }
  out.resize(len);
  return out;
}

Result<SecretBytes> RsaOaepDecrypt(evp_pkey_st* private_key, HashAlgorithm hash,
                                   ByteView encrypted) {
  auto ctx = OaepContext(private_key, hash, /*encrypt=*/false);
  if (!ctx) return Fail(ctx.error());
  size_t len = 0;
  if (EVP_PKEY_decrypt(ctx->get(), nullptr, &len, encrypted.data(), encrypted.size()) != 1) {
    return Fail(Integrity());
  }
  SecretBytes buffer(len);
  if (EVP_PKEY_decrypt(ctx->get(), buffer.mutable_data(), &len, encrypted.data(),
                       encrypted.size()) != 1) {
    return Fail(Integrity());
  }
  return SecretBytes::CopyFrom(buffer.RevealForCrypto().first(len));
}

Result<SecretBytes> EcdhX(evp_pkey_st* own_private, evp_pkey_st* peer_public) {
  OpenSslPtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, own_private, nullptr));
  size_t len = 0;
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
      EVP_PKEY_derive_set_peer(ctx.get(), peer_public) != 1 ||
      EVP_PKEY_derive(ctx.get(), nullptr, &len) != 1) {
    return std::unexpected(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "ECDH"));
  }
  SecretBytes z(len);
  if (EVP_PKEY_derive(ctx.get(), z.mutable_data(), &len) != 1 || len != z.size()) {
    return std::unexpected(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "ECDH"));
  }
  return z;
}

Result<SecretBytes> EccSeed(const EkParams& ek, const SecretBytes& z, ByteView ephemeral_x,
                            ByteView ek_x) {
  return KdfE(ek.name_alg, z.RevealForCrypto(), kIdentityLabel, ephemeral_x, ek_x,
              8 * DigestSize(ek.name_alg));
}

}  // namespace edgetrust::attestation::credential_internal
