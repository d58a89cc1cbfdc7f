#include "attestation/key_policy.h"

#include <string>

namespace edgetrust::attestation {
namespace {

constexpr int kMinRsaBits = 2048;

std::unexpected<Error> Deny(const char* reason, std::string message) {
  return Fail(ErrorCode::kPermissionDenied, reason, std::move(message));
}

struct AttributeRule {
  TPMA_OBJECT bits;
  bool required;  // true: must be set; false: must be clear
  const char* reason;
  const char* message;
};

Status CheckAttributes(const TpmPublic& key, std::initializer_list<AttributeRule> rules) {
  for (const AttributeRule& rule : rules) {
    if (key.HasAttribute(rule.bits) != rule.required) return Deny(rule.reason, rule.message);
  }
  return Ok();
}

// CheckStrength admits RSA >= 2048 bits or one of `curves`, judged on the key itself.
Status CheckStrength(const TpmPublic& key, std::initializer_list<KeyType> curves,
                     const char* reason) {
  auto public_key = key.ToPublicKey();
  if (!public_key) {
    if (public_key.error().reason == "key.unsupported") {
      return Deny(reason, public_key.error().message);
    }
    return Fail(public_key.error());
  }
  if (public_key->type() == KeyType::kRsa) {
    if (public_key->bits() < kMinRsaBits) {
      return Deny(reason, "RSA key of " + std::to_string(public_key->bits()) + " bits");
    }
    return Ok();
  }
  for (KeyType curve : curves) {
    if (public_key->type() == curve) return Ok();
  }
  return Deny(reason, "ECC curve not allowed");
}

Status CheckAkScheme(const TPMT_PUBLIC& area) {
  if (area.type == TPM2_ALG_ECC) {
    const TPMT_ECC_SCHEME& scheme = area.parameters.eccDetail.scheme;
    if (scheme.scheme == TPM2_ALG_ECDSA && scheme.details.ecdsa.hashAlg == TPM2_ALG_SHA256) {
      return Ok();
    }
    return Deny("ak.scheme", "ECC AK scheme is not ECDSA-SHA256");
  }
  const TPMT_RSA_SCHEME& scheme = area.parameters.rsaDetail.scheme;
  if ((scheme.scheme == TPM2_ALG_RSASSA && scheme.details.rsassa.hashAlg == TPM2_ALG_SHA256) ||
      (scheme.scheme == TPM2_ALG_RSAPSS && scheme.details.rsapss.hashAlg == TPM2_ALG_SHA256)) {
    return Ok();
  }
  return Deny("ak.scheme", "RSA AK scheme is not RSASSA- or RSAPSS-SHA256");
}

}  // namespace

Status CheckAttestationKeyPublic(const TpmPublic& ak) {
  auto attributes = CheckAttributes(
      ak, {
              {TPMA_OBJECT_RESTRICTED, true, "ak.not_restricted", "AK is not restricted"},
              {TPMA_OBJECT_SIGN_ENCRYPT, true, "ak.not_signing", "AK is not a signing key"},
              {TPMA_OBJECT_FIXEDTPM, true, "ak.not_fixed_tpm", "AK is not fixedTPM"},
              {TPMA_OBJECT_FIXEDPARENT, true, "ak.not_fixed_parent", "AK is not fixedParent"},
              {TPMA_OBJECT_SENSITIVEDATAORIGIN, true, "ak.not_sensitive_data_origin",
               "AK was not generated inside the TPM"},
              {TPMA_OBJECT_USERWITHAUTH, true, "ak.no_user_with_auth", "AK lacks userWithAuth"},
              {TPMA_OBJECT_DECRYPT, false, "ak.decrypt", "AK is also a decryption key"},
          });
  if (!attributes) return attributes;
  if (ak.area().nameAlg != TPM2_ALG_SHA256) {
    return Deny("ak.name_algorithm", "AK nameAlg is not SHA-256");
  }
  if (auto ok = CheckStrength(ak, {KeyType::kEcP256}, "ak.weak_algorithm"); !ok) return ok;
  return CheckAkScheme(ak.area());
}

Status CheckIdentityKeyPublic(const TpmPublic& key) {
  auto attributes = CheckAttributes(
      key,
      {
          {TPMA_OBJECT_RESTRICTED, false, "identity.restricted", "identity key is restricted"},
          {TPMA_OBJECT_SIGN_ENCRYPT, true, "identity.not_signing", "not a signing key"},
          {TPMA_OBJECT_FIXEDTPM, true, "identity.not_fixed_tpm", "identity key is not fixedTPM"},
          {TPMA_OBJECT_FIXEDPARENT, true, "identity.not_fixed_parent",
           "identity key is not fixedParent"},
          {TPMA_OBJECT_SENSITIVEDATAORIGIN, true, "identity.not_sensitive_data_origin",
           "identity key was not generated inside the TPM"},
          {TPMA_OBJECT_DECRYPT, false, "identity.decrypt", "identity key can also decrypt"},
      });
  if (!attributes) return attributes;
  return CheckStrength(key, {KeyType::kEcP256, KeyType::kEcP384}, "identity.weak_algorithm");
}

}  // namespace edgetrust::attestation
