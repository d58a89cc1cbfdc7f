#include "attestation/tpm_public.h"

#include <tss2/tss2_mu.h>

#include <string>

#include "attestation/marshal.h"

namespace edgetrust::attestation {
namespace {

Error Malformed(std::string message) {
  return Error{ErrorCode::kInvalidArgument, "tpm.malformed", std::move(message), 0};
}

Status CheckType(TPMI_ALG_PUBLIC type) {
  if (type != TPM2_ALG_RSA && type != TPM2_ALG_ECC) {
    return Fail(ErrorCode::kInvalidArgument, "key.unsupported",
                "TPM object type " + std::to_string(type) + " is neither RSA nor ECC");
  }
  return Ok();
}

Result<KeyType> CurveFromTpm(TPMI_ECC_CURVE curve) {
  switch (curve) {
    case TPM2_ECC_NIST_P256:
      return KeyType::kEcP256;
    case TPM2_ECC_NIST_P384:
      return KeyType::kEcP384;
    case TPM2_ECC_NIST_P521:
      return KeyType::kEcP521;
    default:
      return Fail(ErrorCode::kInvalidArgument, "key.unsupported",
                  "ECC curve " + std::to_string(curve) + " is not supported");
  }
}

}  // namespace

Result<TpmPublic> TpmPublic::Parse(ByteView marshalled) {
  if (marshalled.size() < 2) return Fail(Malformed("TPM2B_PUBLIC shorter than its size field"));
  auto pub = Unmarshal<TPM2B_PUBLIC>(marshalled, Tss2_MU_TPM2B_PUBLIC_Unmarshal, "TPM2B_PUBLIC");
  if (!pub) return Fail(pub.error());
  // The size field must cover exactly the marshalled TPMT_PUBLIC that follows it: a verifier
  // hashes these bytes for the Name, so no slack is allowed on either side.
  const size_t declared = (static_cast<size_t>(marshalled[0]) << 8) | marshalled[1];
  if (declared != marshalled.size() - 2 || pub->size != declared) {
    return Fail(Malformed("TPM2B_PUBLIC size field " + std::to_string(declared) +
                          " does not match its " + std::to_string(marshalled.size() - 2) +
                          "-byte public area"));
  }
  if (auto ok = CheckType(pub->publicArea.type); !ok) return Fail(ok.error());
  return TpmPublic(*pub, Bytes(marshalled.begin(), marshalled.end()));
}

Result<TpmPublic> TpmPublic::FromStruct(const TPM2B_PUBLIC& pub) {
  if (auto ok = CheckType(pub.publicArea.type); !ok) return Fail(ok.error());
  auto area =
      edgetrust::attestation::Marshal(pub.publicArea, Tss2_MU_TPMT_PUBLIC_Marshal, "TPMT_PUBLIC");
  if (!area) return Fail(area.error());
  if (pub.size != 0 && pub.size != area->size()) {
    return Fail(Malformed("TPM2B_PUBLIC size " + std::to_string(pub.size) + " but the area has " +
                          std::to_string(area->size()) + " bytes"));
  }
  Bytes wire = {static_cast<uint8_t>(area->size() >> 8), static_cast<uint8_t>(area->size())};
  wire.insert(wire.end(), area->begin(), area->end());
  return Parse(wire);  // the same checks as bytes from the wire, and a canonical copy
}

Result<HashAlgorithm> TpmPublic::name_alg() const { return HashFromTpmAlg(area().nameAlg); }

Bytes TpmPublic::Marshal() const { return marshalled_; }

Result<std::string> EkDigestHex(const TpmPublic& ek) {
  auto digest = Digest(HashAlgorithm::kSha256, ek.Marshal());
  if (!digest) return Fail(digest.error());
  return HexEncode(*digest);
}

Result<Bytes> TpmPublic::Name() const {
  auto alg = name_alg();
  if (!alg) return Fail(alg.error());
  auto digest = Digest(*alg, ByteView(marshalled_).subspan(2));
  if (!digest) return Fail(digest.error());
  const TPM2_ALG_ID id = area().nameAlg;
  Bytes name = {static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id)};
  name.insert(name.end(), digest->begin(), digest->end());
  return name;
}

Result<PublicKey> TpmPublic::ToPublicKey() const {
  const TPMT_PUBLIC& a = area();
  if (a.type == TPM2_ALG_RSA) {
    const TPM2B_PUBLIC_KEY_RSA& n = a.unique.rsa;
    if (n.size * 8u != a.parameters.rsaDetail.keyBits) {
      return Fail(ErrorCode::kInvalidArgument, "key.malformed",
                  "RSA modulus of " + std::to_string(n.size) + " bytes but keyBits " +
                      std::to_string(a.parameters.rsaDetail.keyBits));
    }
    uint32_t e = a.parameters.rsaDetail.exponent == 0 ? 65537 : a.parameters.rsaDetail.exponent;
    const Bytes exponent = {static_cast<uint8_t>(e >> 24), static_cast<uint8_t>(e >> 16),
                            static_cast<uint8_t>(e >> 8), static_cast<uint8_t>(e)};
    return PublicKey::FromRsa(ByteView(n.buffer, n.size), exponent);
  }
  auto curve = CurveFromTpm(a.parameters.eccDetail.curveID);
  if (!curve) return Fail(curve.error());
  const TPMS_ECC_POINT& p = a.unique.ecc;
  return PublicKey::FromEcPoint(*curve, ByteView(p.x.buffer, p.x.size),
                                ByteView(p.y.buffer, p.y.size));
}

Result<HashAlgorithm> HashFromTpmAlg(TPM2_ALG_ID alg) {
  switch (alg) {
    case TPM2_ALG_SHA1:
      return HashAlgorithm::kSha1;
    case TPM2_ALG_SHA256:
      return HashAlgorithm::kSha256;
    case TPM2_ALG_SHA384:
      return HashAlgorithm::kSha384;
    case TPM2_ALG_SHA512:
      return HashAlgorithm::kSha512;
    default:
      return Fail(ErrorCode::kInvalidArgument, "tpm.unsupported_hash",
                  "TPM hash algorithm " + std::to_string(alg) + " is not supported");
  }
}

TPM2_ALG_ID TpmAlgFromHash(HashAlgorithm alg) {
  switch (alg) {
    case HashAlgorithm::kSha1:
      return TPM2_ALG_SHA1;
    case HashAlgorithm::kSha256:
      return TPM2_ALG_SHA256;
    case HashAlgorithm::kSha384:
      return TPM2_ALG_SHA384;
    case HashAlgorithm::kSha512:
      return TPM2_ALG_SHA512;
  }
  return TPM2_ALG_NULL;
}

}  // namespace edgetrust::attestation
