#include "attestation/software_activate.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <tss2/tss2_mu.h>

#include <algorithm>
#include <climits>
#include <string>

#include "attestation/credential_internal.h"
#include "attestation/marshal.h"
#include "common/openssl.h"

namespace edgetrust::attestation {
namespace {

namespace ci = credential_internal;

Error Malformed(std::string message) {
  return Error{ErrorCode::kInvalidArgument, "tpm.malformed", std::move(message), 0};
}

Error Integrity() {
  return Error{ErrorCode::kPermissionDenied, "credential.integrity",
               "the credential was not made for this EK and object", 0};
}

// NoPassword refuses encrypted PEM instead of letting OpenSSL prompt on the terminal.
int NoPassword(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*u*/) { return 0; }

Result<OpenSslPtr<EVP_PKEY>> LoadPrivateKey(std::string_view pem) {
  OpenSslPtr<BIO> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(std::min<size_t>(pem.size(), INT_MAX))));
  OpenSslPtr<EVP_PKEY> pkey(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassword, nullptr)
                                : nullptr);
  ERR_clear_error();
  if (!pkey) {
    return Fail(ErrorCode::kInvalidArgument, "key.malformed", "no unencrypted PEM private key");
  }
  return pkey;
}

// DecryptSeed recovers the seed from the TPM2B_ENCRYPTED_SECRET contents with the EK private key.
Result<SecretBytes> DecryptSeed(const ci::EkParams& ek, const TPMT_PUBLIC& area,
                                EVP_PKEY* ek_private, ByteView encrypted) {
  if (area.type == TPM2_ALG_RSA) {
    auto seed = ci::RsaOaepDecrypt(ek_private, ek.name_alg, encrypted);
    if (!seed) return Fail(seed.error());
    if (seed->size() != DigestSize(ek.name_alg)) return Fail(Integrity());
    return seed;
  }
  auto point = Unmarshal<TPMS_ECC_POINT>(encrypted, Tss2_MU_TPMS_ECC_POINT_Unmarshal,
                                         "ephemeral TPMS_ECC_POINT");
  if (!point) return Fail(point.error());
  ByteView x(point->x.buffer, point->x.size);
  auto ephemeral = PublicKey::FromEcPoint(ek.key.type(), x, {point->y.buffer, point->y.size});
  if (!ephemeral) return Fail(ephemeral.error());
  auto z = ci::EcdhX(ek_private, ephemeral->get0_evp());
  if (!z) return Fail(z.error());
  // As the TPM does: party U is the x-coordinate exactly as transmitted.
  return ci::EccSeed(ek, *z, x, {area.unique.ecc.x.buffer, area.unique.ecc.x.size});
}

}  // namespace

Result<SecretBytes> ActivateCredentialInSoftware(std::string_view ek_private_pem,
                                                 const TpmPublic& ek_public, ByteView object_name,
                                                 const CredentialBlob& blob) {
  auto ek = ci::CheckEk(ek_public);
  if (!ek) return Fail(ek.error());
  if (auto ok = ci::CheckObjectName(object_name); !ok) return Fail(ok.error());
  auto ek_private = LoadPrivateKey(ek_private_pem);
  if (!ek_private) return Fail(ek_private.error());
  if (EVP_PKEY_eq(ek_private->get(), ek->key.get0_evp()) != 1) {
    ERR_clear_error();
    return Fail(ErrorCode::kInvalidArgument, "credential.key_mismatch",
                "the private key does not belong to the EK public");
  }

  auto id_object = Unmarshal<TPM2B_ID_OBJECT>(blob.id_object, Tss2_MU_TPM2B_ID_OBJECT_Unmarshal,
                                              "TPM2B_ID_OBJECT");
  if (!id_object) return Fail(id_object.error());
  auto secret = Unmarshal<TPM2B_ENCRYPTED_SECRET>(
      blob.encrypted_secret, Tss2_MU_TPM2B_ENCRYPTED_SECRET_Unmarshal, "TPM2B_ENCRYPTED_SECRET");
  if (!secret) return Fail(secret.error());

  // credential = TPM2B_DIGEST(outerHMAC) || encIdentity
  ByteView credential(id_object->credential, id_object->size);
  TPM2B_DIGEST integrity{};
  size_t offset = 0;
  if (Tss2_MU_TPM2B_DIGEST_Unmarshal(credential.data(), credential.size(), &offset, &integrity) !=
          TSS2_RC_SUCCESS ||
      integrity.size != DigestSize(ek->name_alg) || credential.size() - offset < 2) {
    return Fail(Malformed("TPM2B_ID_OBJECT does not hold an HMAC and an encIdentity"));
  }
  ByteView enc_identity = credential.subspan(offset);

  auto seed =
      DecryptSeed(*ek, ek_public.area(), ek_private->get(), ByteView(secret->secret, secret->size));
  if (!seed) return Fail(seed.error());
  auto hmac_key = ci::DeriveHmacKey(*ek, *seed);
  if (!hmac_key) return Fail(hmac_key.error());
  auto expected = ci::OuterHmac(*ek, *hmac_key, enc_identity, object_name);
  if (!expected) return Fail(expected.error());
  if (!ConstantTimeEquals(*expected, ByteView(integrity.buffer, integrity.size))) {
    return Fail(Integrity());  // checked before anything is decrypted, as TPM_RC_INTEGRITY
  }

  auto sym_key = ci::DeriveSymKey(*ek, *seed, object_name);
  if (!sym_key) return Fail(sym_key.error());
  auto plain = ci::AesCfbDecrypt(*sym_key, enc_identity);
  if (!plain) return Fail(plain.error());
  ByteView inner = plain->RevealForCrypto();
  const size_t size = (static_cast<size_t>(inner[0]) << 8) | inner[1];
  if (size == 0 || size != inner.size() - 2 || size > DigestSize(ek->name_alg)) {
    return Fail(Malformed("encIdentity does not hold one TPM2B_DIGEST"));
  }
  return SecretBytes::CopyFrom(inner.subspan(2));
}

}  // namespace edgetrust::attestation
