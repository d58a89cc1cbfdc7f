#include "attestation/templates.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace edgetrust::attestation {
namespace {

constexpr std::array<uint8_t, 32> kPolicyASha256 = {
    0x83, 0x71, 0x97, 0x67, 0x44, 0x84, 0xb3, 0xf8, 0x1a, 0x90, 0xcc, 0x8d, 0x46, 0xa5, 0xd7, 0x24,
    0xfd, 0x52, 0xd7, 0x6e, 0x06, 0x52, 0x0b, 0x64, 0xf2, 0xa1, 0xda, 0x1b, 0x33, 0x14, 0x69, 0xaa};
constexpr std::array<uint8_t, 48> kPolicyASha384 = {
    0x8b, 0xbf, 0x22, 0x66, 0x53, 0x7c, 0x17, 0x1c, 0xb5, 0x6e, 0x40, 0x3c, 0x4d, 0xc1, 0xd4, 0xb6,
    0x4f, 0x43, 0x26, 0x11, 0xdc, 0x38, 0x6e, 0x6f, 0x53, 0x20, 0x50, 0xc3, 0x27, 0x8c, 0x93, 0x0e,
    0x14, 0x3e, 0x8b, 0xb1, 0x13, 0x38, 0x24, 0xcc, 0xb4, 0x31, 0x05, 0x38, 0x71, 0xc6, 0xdb, 0x53};
constexpr std::array<uint8_t, 48> kPolicyCSha384 = {
    0xd6, 0x03, 0x2c, 0xe6, 0x1f, 0x2f, 0xb3, 0xc2, 0x40, 0xeb, 0x3c, 0xf6, 0xa3, 0x32, 0x37, 0xef,
    0x2b, 0x6a, 0x16, 0xf4, 0x29, 0x3c, 0x22, 0xb4, 0x55, 0xe2, 0x61, 0xcf, 0xfd, 0x21, 0x7a, 0xd5,
    0xb4, 0x94, 0x7c, 0x2d, 0x73, 0xe6, 0x30, 0x05, 0xee, 0xd2, 0xdc, 0x2b, 0x35, 0x93, 0xd1, 0x65};
constexpr std::array<uint8_t, 48> kPolicyOrSha384 = {
    0xb2, 0x6e, 0x7d, 0x28, 0xd1, 0x1a, 0x50, 0xbc, 0x53, 0xd8, 0x82, 0xbc, 0xf5, 0xfd, 0x3a, 0x1a,
    0x07, 0x41, 0x48, 0xbb, 0x35, 0xd3, 0xb4, 0xe4, 0xcb, 0x1c, 0x0a, 0xd9, 0xbd, 0xe4, 0x19, 0xca,
    0xcb, 0x47, 0xba, 0x09, 0x69, 0x96, 0x46, 0x15, 0x0f, 0x9f, 0xc0, 0x00, 0xf3, 0xf8, 0x0e, 0x12};

constexpr EkProfile kProfiles[] = {
    {EkType::kRsa2048, "rsa2048", 0x81010001, 0x01c00002, false},
    {EkType::kEccP256, "ecc256", 0x81010002, 0x01c0000a, false},
    {EkType::kEccP384, "ecc384", 0x81010016, 0x01c00016, true},
};
constexpr EkType kEkTypes[] = {EkType::kRsa2048, EkType::kEccP256, EkType::kEccP384};

constexpr TPMA_OBJECT kEkAttributes =
    TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN |
    TPMA_OBJECT_ADMINWITHPOLICY | TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT;
constexpr TPMA_OBJECT kFixedKeyAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                                            TPMA_OBJECT_SENSITIVEDATAORIGIN |
                                            TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_NODA;

void SetPolicy(TPMT_PUBLIC& area, ByteView digest) {
  area.authPolicy.size = static_cast<UINT16>(digest.size());
  std::copy(digest.begin(), digest.end(), area.authPolicy.buffer);
}

TPM2B_PUBLIC EccKey(TPMI_ECC_CURVE curve, TPMI_ALG_HASH name_alg, TPMA_OBJECT attrs) {
  TPM2B_PUBLIC pub{};
  TPMT_PUBLIC& a = pub.publicArea;
  a.type = TPM2_ALG_ECC;
  a.nameAlg = name_alg;
  a.objectAttributes = attrs;
  a.parameters.eccDetail.symmetric.algorithm = TPM2_ALG_NULL;
  a.parameters.eccDetail.scheme.scheme = TPM2_ALG_NULL;
  a.parameters.eccDetail.curveID = curve;
  a.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
  return pub;
}

TPM2B_PUBLIC RsaKey(TPMI_ALG_HASH name_alg, TPMA_OBJECT attrs) {
  TPM2B_PUBLIC pub{};
  TPMT_PUBLIC& a = pub.publicArea;
  a.type = TPM2_ALG_RSA;
  a.nameAlg = name_alg;
  a.objectAttributes = attrs;
  a.parameters.rsaDetail.symmetric.algorithm = TPM2_ALG_NULL;
  a.parameters.rsaDetail.scheme.scheme = TPM2_ALG_NULL;
  a.parameters.rsaDetail.keyBits = 2048;
  a.parameters.rsaDetail.exponent = 0;
  return pub;
}

void SetAes(TPMT_SYM_DEF_OBJECT& sym, UINT16 bits) {
  sym.algorithm = TPM2_ALG_AES;
  sym.keyBits.aes = bits;
  sym.mode.aes = TPM2_ALG_CFB;
}

TPM2B_PUBLIC SigningKey(KeyAlgorithm alg, TPMA_OBJECT extra) {
  TPMA_OBJECT attrs = kFixedKeyAttributes | TPMA_OBJECT_SIGN_ENCRYPT | extra;
  if (alg == KeyAlgorithm::kRsa2048) {
    TPM2B_PUBLIC pub = RsaKey(TPM2_ALG_SHA256, attrs);
    pub.publicArea.parameters.rsaDetail.scheme.scheme = TPM2_ALG_RSASSA;
    pub.publicArea.parameters.rsaDetail.scheme.details.rsassa.hashAlg = TPM2_ALG_SHA256;
    return pub;
  }
  TPM2B_PUBLIC pub = EccKey(TPM2_ECC_NIST_P256, TPM2_ALG_SHA256, attrs);
  pub.publicArea.parameters.eccDetail.scheme.scheme = TPM2_ALG_ECDSA;
  pub.publicArea.parameters.eccDetail.scheme.details.ecdsa.hashAlg = TPM2_ALG_SHA256;
  return pub;
}

}  // namespace

const EkProfile& GetEkProfile(EkType type) {
  for (const EkProfile& p : kProfiles) {
    if (p.type == type) return p;
  }
  return kProfiles[0];
}

Result<EkType> ParseEkType(std::string_view name) {
  for (const EkProfile& p : kProfiles) {
    if (p.name == name) return p.type;
  }
  return Fail(ErrorCode::kInvalidArgument, "tpm.ek_type",
              "unknown EK type '" + std::string(name) + "' (rsa2048, ecc256, ecc384)");
}

std::span<const EkType> AllEkTypes() { return kEkTypes; }

Result<KeyAlgorithm> ParseKeyAlgorithm(std::string_view name) {
  if (name == "ecc256") return KeyAlgorithm::kEccP256;
  if (name == "rsa2048") return KeyAlgorithm::kRsa2048;
  return Fail(ErrorCode::kInvalidArgument, "tpm.key_algorithm",
              "unknown key algorithm '" + std::string(name) + "' (ecc256, rsa2048)");
}

TPM2B_PUBLIC EkTemplate(EkType type) {
  switch (type) {
    case EkType::kRsa2048: {
      TPM2B_PUBLIC pub = RsaKey(TPM2_ALG_SHA256, kEkAttributes);
      SetAes(pub.publicArea.parameters.rsaDetail.symmetric, 128);
      SetPolicy(pub.publicArea, kPolicyASha256);
      pub.publicArea.unique.rsa.size = 256;  // zero-filled, as the profile requires
      return pub;
    }
    case EkType::kEccP256: {
      TPM2B_PUBLIC pub = EccKey(TPM2_ECC_NIST_P256, TPM2_ALG_SHA256, kEkAttributes);
      SetAes(pub.publicArea.parameters.eccDetail.symmetric, 128);
      SetPolicy(pub.publicArea, kPolicyASha256);
      pub.publicArea.unique.ecc.x.size = 32;
      pub.publicArea.unique.ecc.y.size = 32;
      return pub;
    }
    case EkType::kEccP384: {
      TPM2B_PUBLIC pub =
          EccKey(TPM2_ECC_NIST_P384, TPM2_ALG_SHA384, kEkAttributes | TPMA_OBJECT_USERWITHAUTH);
      SetAes(pub.publicArea.parameters.eccDetail.symmetric, 256);
      SetPolicy(pub.publicArea, kPolicyOrSha384);
      return pub;  // high-range templates have an empty unique field
    }
  }
  return {};
}

TPM2B_PUBLIC SrkTemplate() {
  TPM2B_PUBLIC pub = EccKey(TPM2_ECC_NIST_P256, TPM2_ALG_SHA256,
                            kFixedKeyAttributes | TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT);
  SetAes(pub.publicArea.parameters.eccDetail.symmetric, 128);
  pub.publicArea.unique.ecc.x.size = 32;
  pub.publicArea.unique.ecc.y.size = 32;
  return pub;
}

TPM2B_PUBLIC AttestationKeyTemplate(KeyAlgorithm alg) {
  return SigningKey(alg, TPMA_OBJECT_RESTRICTED);
}

TPM2B_PUBLIC IdentityKeyTemplate(KeyAlgorithm alg) {
  TPM2B_PUBLIC t = SigningKey(alg, 0);
  // Device requests are JWS signed by this key, and RFC 7518 offers PS256 for RSA; PKCS#1 v1.5
  // stays the AK's scheme, where the TPM's own format is verified.
  if (t.publicArea.type == TPM2_ALG_RSA) {
    t.publicArea.parameters.rsaDetail.scheme.scheme = TPM2_ALG_RSAPSS;
  }
  return t;
}

bool SamePublicParameters(const TPM2B_PUBLIC& a, const TPM2B_PUBLIC& b) {
  const TPMT_PUBLIC& x = a.publicArea;
  const TPMT_PUBLIC& y = b.publicArea;
  if (x.type != y.type || x.nameAlg != y.nameAlg || x.objectAttributes != y.objectAttributes ||
      x.authPolicy.size != y.authPolicy.size ||
      std::memcmp(x.authPolicy.buffer, y.authPolicy.buffer, x.authPolicy.size) != 0) {
    return false;
  }
  if (x.type == TPM2_ALG_RSA) {
    const TPMS_RSA_PARMS& p = x.parameters.rsaDetail;
    const TPMS_RSA_PARMS& q = y.parameters.rsaDetail;
    auto exp = [](UINT32 e) { return e == 0 ? 65537u : e; };
    return p.symmetric.algorithm == q.symmetric.algorithm &&
           (p.symmetric.algorithm == TPM2_ALG_NULL ||
            (p.symmetric.keyBits.sym == q.symmetric.keyBits.sym &&
             p.symmetric.mode.sym == q.symmetric.mode.sym)) &&
           p.scheme.scheme == q.scheme.scheme &&
           (p.scheme.scheme == TPM2_ALG_NULL ||
            p.scheme.details.anySig.hashAlg == q.scheme.details.anySig.hashAlg) &&
           p.keyBits == q.keyBits && exp(p.exponent) == exp(q.exponent);
  }
  if (x.type == TPM2_ALG_ECC) {
    const TPMS_ECC_PARMS& p = x.parameters.eccDetail;
    const TPMS_ECC_PARMS& q = y.parameters.eccDetail;
    return p.symmetric.algorithm == q.symmetric.algorithm &&
           (p.symmetric.algorithm == TPM2_ALG_NULL ||
            (p.symmetric.keyBits.sym == q.symmetric.keyBits.sym &&
             p.symmetric.mode.sym == q.symmetric.mode.sym)) &&
           p.scheme.scheme == q.scheme.scheme &&
           (p.scheme.scheme == TPM2_ALG_NULL ||
            p.scheme.details.anySig.hashAlg == q.scheme.details.anySig.hashAlg) &&
           p.curveID == q.curveID && p.kdf.scheme == q.kdf.scheme;
  }
  return false;
}

ByteView EkPolicyASha256() { return kPolicyASha256; }
ByteView EkPolicyASha384() { return kPolicyASha384; }
ByteView EkPolicyCSha384() { return kPolicyCSha384; }
ByteView EkPolicyOrSha384() { return kPolicyOrSha384; }

}  // namespace edgetrust::attestation
