#include "attestation/make_credential.h"

#include <openssl/core_names.h>
#include <tss2/tss2_mu.h>

#include <algorithm>
#include <string>

#include "attestation/credential_internal.h"
#include "attestation/marshal.h"
#include "common/openssl.h"

namespace edgetrust::attestation {
namespace {

namespace ci = credential_internal;

// EncryptedSeed is a fresh seed and its TPM2B_ENCRYPTED_SECRET contents.
struct EncryptedSeed {
  SecretBytes seed;
  Bytes encrypted;
};

Result<EncryptedSeed> RsaSeed(const ci::EkParams& ek) {
  auto seed = RandomSecret(DigestSize(ek.name_alg));
  if (!seed) return Fail(seed.error());
  auto encrypted = ci::RsaOaepEncrypt(ek.key.get0_evp(), ek.name_alg, seed->RevealForCrypto());
  if (!encrypted) return Fail(encrypted.error());
  return EncryptedSeed{std::move(*seed), std::move(*encrypted)};
}

// EccSeed runs one-pass ECDH (TPM 2.0 Part 1 §C.6.4): a fresh ephemeral key on the EK's curve,
// Z = x(ephemeral * EK), seed = KDFe(Z, "IDENTITY", ephemeral.x, EK.x); the ephemeral public
// point, marshalled as TPMS_ECC_POINT, is what travels.
Result<EncryptedSeed> EccSeed(const ci::EkParams& ek, const TPMS_ECC_POINT& ek_point) {
  const char* curve = CurveName(ek.key.type());
  if (curve == nullptr) {
    return Fail(ErrorCode::kInternal, "credential.unsupported_ek", "ECC EK key has no curve");
  }
  OpenSslPtr<EVP_PKEY> ephemeral(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve));
  if (!ephemeral) {
    return std::unexpected(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "EC keygen"));
  }
  uint8_t encoded[1 + 2 * TPM2_MAX_ECC_KEY_BYTES];
  size_t len = 0;
  if (EVP_PKEY_get_octet_string_param(ephemeral.get(), OSSL_PKEY_PARAM_PUB_KEY, encoded,
                                      sizeof(encoded), &len) != 1 ||
      len % 2 != 1 || encoded[0] != 0x04) {
    return std::unexpected(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "EC point"));
  }
  const size_t field = len / 2;
  TPMS_ECC_POINT point{};
  point.x.size = static_cast<UINT16>(field);
  point.y.size = static_cast<UINT16>(field);
  std::copy_n(encoded + 1, field, point.x.buffer);
  std::copy_n(encoded + 1 + field, field, point.y.buffer);

  auto z = ci::EcdhX(ephemeral.get(), ek.key.get0_evp());
  if (!z) return Fail(z.error());
  auto seed = ci::EccSeed(ek, *z, ByteView(point.x.buffer, point.x.size),
                          ByteView(ek_point.x.buffer, ek_point.x.size));
  if (!seed) return Fail(seed.error());
  auto marshalled = Marshal(point, Tss2_MU_TPMS_ECC_POINT_Marshal, "ephemeral point");
  if (!marshalled) return Fail(marshalled.error());
  return EncryptedSeed{std::move(*seed), std::move(*marshalled)};
}

// Tpm2b prefixes `data` with its 16-bit big-endian size.
Bytes Tpm2b(ByteView data) {
  Bytes out = {static_cast<uint8_t>(data.size() >> 8), static_cast<uint8_t>(data.size())};
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

}  // namespace

Result<CredentialBlob> MakeCredential(const TpmPublic& ek_public, ByteView object_name,
                                      const SecretBytes& secret) {
  auto ek = ci::CheckEk(ek_public);
  if (!ek) return Fail(ek.error());
  if (secret.empty() || secret.size() > DigestSize(ek->name_alg)) {
    return Fail(ErrorCode::kInvalidArgument, "credential.bad_secret",
                "secret of " + std::to_string(secret.size()) +
                    " bytes; it must be 1 to nameAlg digest size");
  }
  if (auto ok = ci::CheckObjectName(object_name); !ok) return Fail(ok.error());

  auto seed = ek_public.area().type == TPM2_ALG_RSA ? RsaSeed(*ek)
                                                    : EccSeed(*ek, ek_public.area().unique.ecc);
  if (!seed) return Fail(seed.error());
  if (seed->encrypted.size() > sizeof(TPMU_ENCRYPTED_SECRET)) {
    return Fail(ErrorCode::kInternal, "credential.unsupported_ek", "encrypted seed too large");
  }

  auto sym_key = ci::DeriveSymKey(*ek, seed->seed, object_name);
  auto hmac_key = ci::DeriveHmacKey(*ek, seed->seed);
  if (!sym_key) return Fail(sym_key.error());
  if (!hmac_key) return Fail(hmac_key.error());

  // encIdentity encrypts the marshalled TPM2B_DIGEST of the secret, size field included.
  SecretBytes plain(2 + secret.size());
  plain.mutable_data()[0] = static_cast<uint8_t>(secret.size() >> 8);
  plain.mutable_data()[1] = static_cast<uint8_t>(secret.size());
  std::copy_n(secret.RevealForCrypto().data(), secret.size(), plain.mutable_data() + 2);
  auto enc_identity = ci::AesCfbEncrypt(*sym_key, plain.RevealForCrypto());
  if (!enc_identity) return Fail(enc_identity.error());
  auto outer_hmac = ci::OuterHmac(*ek, *hmac_key, *enc_identity, object_name);
  if (!outer_hmac) return Fail(outer_hmac.error());

  CredentialBlob blob;
  blob.id_object = Tpm2b(Concat({Tpm2b(*outer_hmac), *enc_identity}));
  blob.encrypted_secret = Tpm2b(seed->encrypted);
  return blob;
}

}  // namespace edgetrust::attestation
