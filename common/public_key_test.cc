#include "common/public_key.h"

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <string>

#include "common/openssl.h"

namespace edgetrust {
namespace {

OpenSslPtr<EVP_PKEY> GenerateEc(const char* curve) {
  return OpenSslPtr<EVP_PKEY>(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve));
}

OpenSslPtr<EVP_PKEY> GenerateRsa(size_t bits) {
  return OpenSslPtr<EVP_PKEY>(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", bits));
}

std::string PublicPem(EVP_PKEY* pkey) {
  OpenSslPtr<BIO> bio(BIO_new(BIO_s_mem()));
  EXPECT_EQ(PEM_write_bio_PUBKEY(bio.get(), pkey), 1);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

Bytes BnParam(EVP_PKEY* pkey, const char* name, size_t pad) {
  BIGNUM* raw = nullptr;
  EXPECT_EQ(EVP_PKEY_get_bn_param(pkey, name, &raw), 1);
  OpenSslPtr<BIGNUM> bn(raw);
  Bytes out(pad == 0 ? static_cast<size_t>(BN_num_bytes(bn.get())) : pad);
  EXPECT_GT(BN_bn2binpad(bn.get(), out.data(), static_cast<int>(out.size())), 0);
  return out;
}

// Sign signs `message` with `pkey`; pss_salt < -1 selects PKCS#1 v1.5 for RSA keys.
Bytes Sign(EVP_PKEY* pkey, HashAlgorithm hash, ByteView message, int pss_salt = -100) {
  OpenSslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  EXPECT_EQ(EVP_DigestSignInit(ctx.get(), &pctx, EvpMd(hash), nullptr, pkey), 1);
  if (pss_salt >= -3) {
    EXPECT_EQ(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING), 1);
    EXPECT_EQ(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, pss_salt), 1);
  }
  size_t len = 0;
  EXPECT_EQ(EVP_DigestSign(ctx.get(), nullptr, &len, message.data(), message.size()), 1);
  Bytes sig(len);
  EXPECT_EQ(EVP_DigestSign(ctx.get(), sig.data(), &len, message.data(), message.size()), 1);
  sig.resize(len);
  return sig;
}

TEST(PublicKeyTest, PemAndDerRoundTrip) {
  auto ec = GenerateEc("P-384");
  ASSERT_TRUE(ec);
  auto key = PublicKey::FromPem(PublicPem(ec.get()));
  ASSERT_TRUE(key.has_value()) << key.error().ToString();
  EXPECT_EQ(key->type(), KeyType::kEcP384);
  EXPECT_EQ(key->bits(), 384);
  auto der = key->ToSpkiDer();
  ASSERT_TRUE(der.has_value());
  auto again = PublicKey::FromSpkiDer(*der);
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(again->Equals(*key));
  EXPECT_EQ(again->Fingerprint(), key->Fingerprint());
  EXPECT_EQ(key->Fingerprint(), HexEncode(*Digest(HashAlgorithm::kSha256, *der)));
  EXPECT_EQ(*again->ToPem(), PublicPem(ec.get()));
}

TEST(PublicKeyTest, RejectsTrailingBytesAndGarbage) {
  auto ec = GenerateEc("P-256");
  auto der = PublicKey::FromPem(PublicPem(ec.get()))->ToSpkiDer();
  ASSERT_TRUE(der.has_value());
  der->push_back(0);
  auto trailing = PublicKey::FromSpkiDer(*der);
  ASSERT_FALSE(trailing.has_value());
  EXPECT_EQ(trailing.error().reason, "key.malformed");
  EXPECT_EQ(PublicKey::FromSpkiDer(Bytes{0x30, 0x03, 0x01}).error().reason, "key.malformed");
  EXPECT_EQ(PublicKey::FromPem("not pem").error().reason, "key.malformed");
}

TEST(PublicKeyTest, RejectsPrivateKeys) {
  auto ec = GenerateEc("P-256");
  OpenSslPtr<BIO> bio(BIO_new(BIO_s_mem()));
  ASSERT_EQ(PEM_write_bio_PrivateKey(bio.get(), ec.get(), nullptr, nullptr, 0, nullptr, nullptr),
            1);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  EXPECT_EQ(PublicKey::FromPem(std::string(data, static_cast<size_t>(len))).error().reason,
            "key.malformed");
  auto adopted = PublicKey::Adopt(ec.release());  // ownership passes even on failure
  ASSERT_FALSE(adopted.has_value());
  EXPECT_EQ(adopted.error().reason, "key.malformed");
}

TEST(PublicKeyTest, RejectsUnsupportedKeys) {
  OpenSslPtr<EVP_PKEY> k1(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "secp256k1"));
  EXPECT_EQ(PublicKey::FromPem(PublicPem(k1.get())).error().reason, "key.unsupported");
  OpenSslPtr<EVP_PKEY> ed(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  EXPECT_EQ(PublicKey::FromPem(PublicPem(ed.get())).error().reason, "key.unsupported");
  EXPECT_EQ(PublicKey::Adopt(nullptr).error().reason, "key.malformed");
}

TEST(PublicKeyTest, FromRsaMatchesTheKey) {
  auto rsa = GenerateRsa(2048);
  Bytes n = BnParam(rsa.get(), OSSL_PKEY_PARAM_RSA_N, 0);
  Bytes e = BnParam(rsa.get(), OSSL_PKEY_PARAM_RSA_E, 0);
  auto key = PublicKey::FromRsa(n, e);
  ASSERT_TRUE(key.has_value()) << key.error().ToString();
  EXPECT_EQ(key->type(), KeyType::kRsa);
  EXPECT_EQ(key->bits(), 2048);
  EXPECT_TRUE(key->Equals(*PublicKey::FromPem(PublicPem(rsa.get()))));
  Bytes even = n;
  even.back() &= 0xfe;
  EXPECT_EQ(PublicKey::FromRsa(even, e).error().reason, "key.malformed");
  EXPECT_EQ(PublicKey::FromRsa(n, Bytes{0x01}).error().reason, "key.malformed");
  EXPECT_EQ(PublicKey::FromRsa(Bytes(64, 0xff), e).error().reason, "key.unsupported");
}

TEST(PublicKeyTest, FromEcPointMatchesAndChecksTheCurve) {
  auto ec = GenerateEc("P-256");
  Bytes x = BnParam(ec.get(), OSSL_PKEY_PARAM_EC_PUB_X, 32);
  Bytes y = BnParam(ec.get(), OSSL_PKEY_PARAM_EC_PUB_Y, 32);
  auto key = PublicKey::FromEcPoint(KeyType::kEcP256, x, y);
  ASSERT_TRUE(key.has_value()) << key.error().ToString();
  EXPECT_TRUE(key->Equals(*PublicKey::FromPem(PublicPem(ec.get()))));
  Bytes padded_x = Concat({Bytes{0, 0}, x});  // extra leading zeros are fine
  EXPECT_TRUE(PublicKey::FromEcPoint(KeyType::kEcP256, padded_x, y).has_value());
  Bytes off = y;
  off.back() ^= 1;
  EXPECT_EQ(PublicKey::FromEcPoint(KeyType::kEcP256, x, off).error().reason, "key.malformed");
  EXPECT_EQ(PublicKey::FromEcPoint(KeyType::kEcP256, Bytes(33, 0x11), y).error().reason,
            "key.malformed");
  EXPECT_EQ(PublicKey::FromEcPoint(KeyType::kRsa, x, y).error().reason, "key.unsupported");
}

TEST(PublicKeyTest, VerifiesEcdsa) {
  auto ec = GenerateEc("P-256");
  auto key = *PublicKey::FromPem(PublicPem(ec.get()));
  Bytes message = ToBytes("quote");
  Bytes sig = Sign(ec.get(), HashAlgorithm::kSha256, message);
  EXPECT_TRUE(key.Verify(SignatureScheme::kEcdsaDer, HashAlgorithm::kSha256, message, sig));
  auto tampered =
      key.Verify(SignatureScheme::kEcdsaDer, HashAlgorithm::kSha256, ToBytes("quotf"), sig);
  ASSERT_FALSE(tampered.has_value());
  EXPECT_EQ(tampered.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(tampered.error().reason, "signature.invalid");
  Bytes trailing = sig;
  trailing.push_back(0);
  EXPECT_EQ(key.Verify(SignatureScheme::kEcdsaDer, HashAlgorithm::kSha256, message, trailing)
                .error()
                .reason,
            "signature.invalid");
  EXPECT_EQ(
      key.Verify(SignatureScheme::kRsaPkcs1, HashAlgorithm::kSha256, message, sig).error().reason,
      "signature.scheme_mismatch");
}

TEST(PublicKeyTest, VerifiesRsaPkcs1AndPssWithAnySalt) {
  auto rsa = GenerateRsa(2048);
  auto key = *PublicKey::FromPem(PublicPem(rsa.get()));
  Bytes message = ToBytes("certify");
  Bytes pkcs1 = Sign(rsa.get(), HashAlgorithm::kSha256, message);
  Bytes pss_digest_salt = Sign(rsa.get(), HashAlgorithm::kSha256, message, RSA_PSS_SALTLEN_DIGEST);
  Bytes pss_max_salt = Sign(rsa.get(), HashAlgorithm::kSha256, message, RSA_PSS_SALTLEN_MAX);
  EXPECT_TRUE(key.Verify(SignatureScheme::kRsaPkcs1, HashAlgorithm::kSha256, message, pkcs1));
  EXPECT_TRUE(
      key.Verify(SignatureScheme::kRsaPss, HashAlgorithm::kSha256, message, pss_digest_salt));
  EXPECT_TRUE(key.Verify(SignatureScheme::kRsaPss, HashAlgorithm::kSha256, message, pss_max_salt));
  EXPECT_EQ(
      key.Verify(SignatureScheme::kRsaPss, HashAlgorithm::kSha256, message, pkcs1).error().reason,
      "signature.invalid");
  EXPECT_EQ(key.Verify(SignatureScheme::kRsaPkcs1, HashAlgorithm::kSha256, message, pss_max_salt)
                .error()
                .reason,
            "signature.invalid");
  EXPECT_EQ(
      key.Verify(SignatureScheme::kRsaPkcs1, HashAlgorithm::kSha384, message, pkcs1).error().reason,
      "signature.invalid");
  EXPECT_EQ(
      key.Verify(SignatureScheme::kEcdsaDer, HashAlgorithm::kSha256, message, pkcs1).error().reason,
      "signature.scheme_mismatch");
}

TEST(PublicKeyTest, EmptyOrGarbageSignaturesAreInvalid) {
  auto ec = GenerateEc("P-256");
  auto rsa = GenerateRsa(2048);
  auto ec_key = *PublicKey::FromPem(PublicPem(ec.get()));
  auto rsa_key = *PublicKey::FromPem(PublicPem(rsa.get()));
  const Bytes message = ToBytes("m");
  const Bytes garbage(64, 0x30);
  for (ByteView sig : {ByteView(), ByteView(garbage)}) {
    EXPECT_EQ(ec_key.Verify(SignatureScheme::kEcdsaDer, HashAlgorithm::kSha256, message, sig)
                  .error()
                  .reason,
              "signature.invalid");
    EXPECT_EQ(rsa_key.Verify(SignatureScheme::kRsaPss, HashAlgorithm::kSha256, message, sig)
                  .error()
                  .reason,
              "signature.invalid");
    EXPECT_EQ(rsa_key.Verify(SignatureScheme::kRsaPkcs1, HashAlgorithm::kSha256, message, sig)
                  .error()
                  .reason,
              "signature.invalid");
  }
}

TEST(PublicKeyTest, CopiesShareTheKey) {
  auto ec = GenerateEc("P-256");
  auto key = *PublicKey::FromPem(PublicPem(ec.get()));
  PublicKey copy = key;
  EXPECT_EQ(copy.get0_evp(), key.get0_evp());
  EXPECT_FALSE(copy.Equals(*PublicKey::FromPem(PublicPem(GenerateEc("P-256").get()))));
}

}  // namespace
}  // namespace edgetrust
