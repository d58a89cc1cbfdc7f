#include "attestation/testing/generated_key.h"

#include <openssl/core_names.h>
#include <openssl/pem.h>

#include <cstdio>
#include <cstdlib>

#include "common/openssl.h"
#include "common/public_key.h"

namespace edgetrust::attestation::testing {
namespace {

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "GenerateKey: %s failed\n", what);
  std::abort();
}

std::string Pem(EVP_PKEY* pkey, bool private_key) {
  OpenSslPtr<BIO> bio(BIO_new(BIO_s_mem()));
  if (!bio) Die("BIO_new");
  int rc = private_key
               ? PEM_write_bio_PrivateKey(bio.get(), pkey, nullptr, nullptr, 0, nullptr, nullptr)
               : PEM_write_bio_PUBKEY(bio.get(), pkey);
  if (rc != 1) Die("PEM_write");
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

UINT16 CopyBn(EVP_PKEY* pkey, const char* param, uint8_t* out, size_t size) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, param, &raw) != 1) Die("EVP_PKEY_get_bn_param");
  OpenSslPtr<BIGNUM> bn(raw);
  if (BN_bn2binpad(bn.get(), out, static_cast<int>(size)) != static_cast<int>(size)) {
    Die("BN_bn2binpad");
  }
  return static_cast<UINT16>(size);
}

}  // namespace

GeneratedKey GenerateKey(TPM2B_PUBLIC tmpl) {
  TPMT_PUBLIC& area = tmpl.publicArea;
  OpenSslPtr<EVP_PKEY> pkey;
  if (area.type == TPM2_ALG_RSA) {
    pkey.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA",
                                 static_cast<size_t>(area.parameters.rsaDetail.keyBits)));
    if (!pkey) Die("RSA keygen");
    area.unique.rsa.size = CopyBn(pkey.get(), OSSL_PKEY_PARAM_RSA_N, area.unique.rsa.buffer,
                                  area.parameters.rsaDetail.keyBits / 8u);
  } else {
    const TPMI_ECC_CURVE id = area.parameters.eccDetail.curveID;
    if (id != TPM2_ECC_NIST_P256 && id != TPM2_ECC_NIST_P384 && id != TPM2_ECC_NIST_P521) {
      Die("unsupported curve");
    }
    const KeyType curve = id == TPM2_ECC_NIST_P256   ? KeyType::kEcP256
                          : id == TPM2_ECC_NIST_P384 ? KeyType::kEcP384
                                                     : KeyType::kEcP521;
    pkey.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", CurveName(curve)));
    if (!pkey) Die("EC keygen");
    const size_t field = (static_cast<size_t>(EVP_PKEY_get_bits(pkey.get())) + 7) / 8;
    area.unique.ecc.x.size =
        CopyBn(pkey.get(), OSSL_PKEY_PARAM_EC_PUB_X, area.unique.ecc.x.buffer, field);
    area.unique.ecc.y.size =
        CopyBn(pkey.get(), OSSL_PKEY_PARAM_EC_PUB_Y, area.unique.ecc.y.buffer, field);
  }
  return GeneratedKey{Pem(pkey.get(), true), Pem(pkey.get(), false), tmpl};
}

}  // namespace edgetrust::attestation::testing
