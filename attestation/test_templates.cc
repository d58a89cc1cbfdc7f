#include "attestation/test_templates.h"

#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <tss2/tss2_mu.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "common/openssl.h"

namespace edgetrust::attestation::testing {
namespace {

constexpr uint8_t kPolicyASha256[] = {
    0x83, 0x71, 0x97, 0x67, 0x44, 0x84, 0xb3, 0xf8, 0x1a, 0x90, 0xcc, 0x8d, 0x46, 0xa5, 0xd7, 0x24,
    0xfd, 0x52, 0xd7, 0x6e, 0x06, 0x52, 0x0b, 0x64, 0xf2, 0xa1, 0xda, 0x1b, 0x33, 0x14, 0x69, 0xaa};
constexpr uint8_t kPolicyBSha384[] = {
    0xb2, 0x6e, 0x7d, 0x28, 0xd1, 0x1a, 0x50, 0xbc, 0x53, 0xd8, 0x82, 0xbc, 0xf5, 0xfd, 0x3a, 0x1a,
    0x07, 0x41, 0x48, 0xbb, 0x35, 0xd3, 0xb4, 0xe4, 0xcb, 0x1c, 0x0a, 0xd9, 0xbd, 0xe4, 0x19, 0xca,
    0xcb, 0x47, 0xba, 0x09, 0x69, 0x96, 0x46, 0x15, 0x0f, 0x9f, 0xc0, 0x00, 0xf3, 0xf8, 0x0e, 0x12};

constexpr TPMA_OBJECT kEkAttributes =
    TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN |
    TPMA_OBJECT_ADMINWITHPOLICY | TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT;
constexpr TPMA_OBJECT kInTpmSigner = TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_FIXEDTPM |
                                     TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN |
                                     TPMA_OBJECT_USERWITHAUTH;

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "test_templates: %s failed\n", what);
  std::abort();
}

void SetPolicy(TPMT_PUBLIC& area, const uint8_t* policy, size_t size) {
  area.authPolicy.size = static_cast<UINT16>(size);
  std::copy_n(policy, size, area.authPolicy.buffer);
}

TPM2B_PUBLIC Ecc(TPMI_ECC_CURVE curve, TPMI_ALG_HASH name_alg, TPMA_OBJECT attributes) {
  TPM2B_PUBLIC pub{};
  pub.publicArea.type = TPM2_ALG_ECC;
  pub.publicArea.nameAlg = name_alg;
  pub.publicArea.objectAttributes = attributes;
  pub.publicArea.parameters.eccDetail.symmetric.algorithm = TPM2_ALG_NULL;
  pub.publicArea.parameters.eccDetail.scheme.scheme = TPM2_ALG_NULL;
  pub.publicArea.parameters.eccDetail.curveID = curve;
  pub.publicArea.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
  return pub;
}

TPM2B_PUBLIC Rsa(TPMI_RSA_KEY_BITS bits, TPMA_OBJECT attributes) {
  TPM2B_PUBLIC pub{};
  pub.publicArea.type = TPM2_ALG_RSA;
  pub.publicArea.nameAlg = TPM2_ALG_SHA256;
  pub.publicArea.objectAttributes = attributes;
  pub.publicArea.parameters.rsaDetail.symmetric.algorithm = TPM2_ALG_NULL;
  pub.publicArea.parameters.rsaDetail.scheme.scheme = TPM2_ALG_NULL;
  pub.publicArea.parameters.rsaDetail.keyBits = bits;
  return pub;
}

void SetAes(TPMT_SYM_DEF_OBJECT& sym, uint16_t bits) {
  sym.algorithm = TPM2_ALG_AES;
  sym.keyBits.aes = bits;
  sym.mode.aes = TPM2_ALG_CFB;
}

std::string Pem(EVP_PKEY* pkey, bool private_key) {
  OpenSslPtr<BIO> bio(BIO_new(BIO_s_mem()));
  int rc = private_key
               ? PEM_write_bio_PrivateKey(bio.get(), pkey, nullptr, nullptr, 0, nullptr, nullptr)
               : PEM_write_bio_PUBKEY(bio.get(), pkey);
  if (!bio || rc != 1) Die("PEM_write");
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

TPM2B_PUBLIC EkTemplateRsa2048L1() {
  TPM2B_PUBLIC pub = Rsa(2048, kEkAttributes);
  SetPolicy(pub.publicArea, kPolicyASha256, sizeof(kPolicyASha256));
  SetAes(pub.publicArea.parameters.rsaDetail.symmetric, 128);
  return pub;
}

TPM2B_PUBLIC EkTemplateEccP256L2() {
  TPM2B_PUBLIC pub = Ecc(TPM2_ECC_NIST_P256, TPM2_ALG_SHA256, kEkAttributes);
  SetPolicy(pub.publicArea, kPolicyASha256, sizeof(kPolicyASha256));
  SetAes(pub.publicArea.parameters.eccDetail.symmetric, 128);
  return pub;
}

TPM2B_PUBLIC EkTemplateEccP384H3() {
  TPM2B_PUBLIC pub =
      Ecc(TPM2_ECC_NIST_P384, TPM2_ALG_SHA384, kEkAttributes | TPMA_OBJECT_USERWITHAUTH);
  SetPolicy(pub.publicArea, kPolicyBSha384, sizeof(kPolicyBSha384));
  SetAes(pub.publicArea.parameters.eccDetail.symmetric, 256);
  return pub;
}

TPM2B_PUBLIC AkTemplate(bool ecc) {
  const TPMA_OBJECT attributes = kInTpmSigner | TPMA_OBJECT_RESTRICTED;
  if (ecc) {
    TPM2B_PUBLIC pub = Ecc(TPM2_ECC_NIST_P256, TPM2_ALG_SHA256, attributes);
    pub.publicArea.parameters.eccDetail.scheme.scheme = TPM2_ALG_ECDSA;
    pub.publicArea.parameters.eccDetail.scheme.details.ecdsa.hashAlg = TPM2_ALG_SHA256;
    return pub;
  }
  TPM2B_PUBLIC pub = Rsa(2048, attributes);
  pub.publicArea.parameters.rsaDetail.scheme.scheme = TPM2_ALG_RSASSA;
  pub.publicArea.parameters.rsaDetail.scheme.details.rsassa.hashAlg = TPM2_ALG_SHA256;
  return pub;
}

TPM2B_PUBLIC IdentityTemplate(bool ecc) {
  return ecc ? Ecc(TPM2_ECC_NIST_P256, TPM2_ALG_SHA256, kInTpmSigner) : Rsa(2048, kInTpmSigner);
}

SoftwareKey GenerateKey(TPM2B_PUBLIC tmpl) {
  TPMT_PUBLIC& area = tmpl.publicArea;
  OpenSslPtr<EVP_PKEY> pkey;
  if (area.type == TPM2_ALG_RSA) {
    pkey.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA",
                                 static_cast<size_t>(area.parameters.rsaDetail.keyBits)));
    if (!pkey) Die("RSA keygen");
    area.unique.rsa.size = CopyBn(pkey.get(), OSSL_PKEY_PARAM_RSA_N, area.unique.rsa.buffer,
                                  area.parameters.rsaDetail.keyBits / 8u);
  } else {
    const TPMI_ECC_CURVE curve = area.parameters.eccDetail.curveID;
    const char* name = curve == TPM2_ECC_NIST_P256   ? "P-256"
                       : curve == TPM2_ECC_NIST_P384 ? "P-384"
                                                     : "P-521";
    const size_t field = curve == TPM2_ECC_NIST_P256 ? 32 : curve == TPM2_ECC_NIST_P384 ? 48 : 66;
    pkey.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", name));
    if (!pkey) Die("EC keygen");
    area.unique.ecc.x.size =
        CopyBn(pkey.get(), OSSL_PKEY_PARAM_EC_PUB_X, area.unique.ecc.x.buffer, field);
    area.unique.ecc.y.size =
        CopyBn(pkey.get(), OSSL_PKEY_PARAM_EC_PUB_Y, area.unique.ecc.y.buffer, field);
  }
  return SoftwareKey{Pem(pkey.get(), true), Pem(pkey.get(), false), tmpl};
}

Bytes MarshalPublic(const TPM2B_PUBLIC& pub) {
  Bytes out(sizeof(TPM2B_PUBLIC) + 2);
  size_t offset = 0;
  TPM2B_PUBLIC copy = pub;
  copy.size = 0;  // tss2-mu computes the size of a TPM2B with a structured payload
  if (Tss2_MU_TPM2B_PUBLIC_Marshal(&copy, out.data(), out.size(), &offset) != TSS2_RC_SUCCESS) {
    Die("Tss2_MU_TPM2B_PUBLIC_Marshal");
  }
  out.resize(offset);
  return out;
}

}  // namespace edgetrust::attestation::testing
