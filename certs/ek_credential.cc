#include "certs/ek_credential.h"

#include <algorithm>
#include <cctype>

#include "certs/leaf_issuance.h"
#include "common/openssl.h"

namespace edgetrust::certs {
namespace {

constexpr char kTpmManufacturerOid[] = "2.23.133.2.1";
constexpr char kTpmModelOid[] = "2.23.133.2.2";
constexpr char kTpmVersionOid[] = "2.23.133.2.3";
constexpr char kEkCertificateEku[] = "2.23.133.8.1";  // tcg-kp-EKCertificate

Error Ossl(std::string_view call) {
  return OpenSslError(ErrorCode::kInternal, "crypto.openssl", call);
}

// IsHexId accepts "id:" followed by exactly 8 hex digits.
bool IsHexId(const std::string& value) {
  return value.size() == 11 && value.starts_with("id:") &&
         std::all_of(value.begin() + 3, value.end(),
                     [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
}

Status CheckRequest(const EkCertificateRequest& request) {
  const TpmDescription& tpm = request.tpm;
  auto bad = [](std::string message) {
    return Fail(ErrorCode::kInvalidArgument, "ca.bad_profile", std::move(message));
  };
  if (!IsHexId(tpm.manufacturer_id)) return bad("tpmManufacturer must be id:XXXXXXXX (hex)");
  if (!IsHexId(tpm.version_id)) return bad("tpmVersion must be id:XXXXXXXX (hex)");
  bool printable = std::all_of(tpm.model.begin(), tpm.model.end(), [](char c) {
    return static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f;
  });
  if (tpm.model.empty() || tpm.model.size() > 64 || !printable) {
    return bad("tpmModel must have 1..64 printable ASCII characters");
  }
  return Ok();
}

// AddUtf8Attribute appends the RDN `oid`=UTF8String(value) to `name`.
Status AddUtf8Attribute(X509_NAME* name, const char* oid, const std::string& value) {
  OpenSslPtr<ASN1_OBJECT> obj(OBJ_txt2obj(oid, 1));
  if (!obj || X509_NAME_add_entry_by_OBJ(name, obj.get(), V_ASN1_UTF8STRING,
                                         reinterpret_cast<const unsigned char*>(value.data()),
                                         static_cast<int>(value.size()), -1, 0) != 1) {
    return std::unexpected(Ossl("X509_NAME_add_entry_by_OBJ"));
  }
  return Ok();
}

// AddTpmSubjectAltName adds the critical SAN: one directoryName with the TCG TPM attributes.
Status AddTpmSubjectAltName(X509* x, const TpmDescription& tpm) {
  OpenSslPtr<X509_NAME> dir(X509_NAME_new());
  if (!dir) return std::unexpected(Ossl("X509_NAME_new"));
  for (auto [oid, value] :
       {std::pair{kTpmManufacturerOid, &tpm.manufacturer_id}, std::pair{kTpmModelOid, &tpm.model},
        std::pair{kTpmVersionOid, &tpm.version_id}}) {
    if (auto st = AddUtf8Attribute(dir.get(), oid, *value); !st) return st;
  }
  OpenSslPtr<GENERAL_NAMES> names(sk_GENERAL_NAME_new_null());
  OpenSslPtr<GENERAL_NAME> gn(GENERAL_NAME_new());
  if (!names || !gn) return std::unexpected(Ossl("GENERAL_NAME_new"));
  GENERAL_NAME_set0_value(gn.get(), GEN_DIRNAME, dir.release());
  if (sk_GENERAL_NAME_push(names.get(), gn.get()) <= 0) {
    return std::unexpected(Ossl("sk_GENERAL_NAME_push"));
  }
  gn.release();
  if (X509_add1_ext_i2d(x, NID_subject_alt_name, names.get(), 1, X509V3_ADD_DEFAULT) != 1) {
    return std::unexpected(Ossl("X509_add1_ext_i2d"));
  }
  return Ok();
}

}  // namespace

Result<Certificate> IssueEkCertificate(const Signer& ca_signer, const Certificate& ca_certificate,
                                       const EkCertificateRequest& request, std::time_t now) {
  if (auto st = internal::CheckIssuingCa(ca_certificate, ca_signer.public_key()); !st) {
    return Fail(st.error());
  }
  if (auto st = CheckRequest(request); !st) return Fail(st.error());
  OpenSslPtr<X509_NAME> empty_subject(X509_NAME_new());
  if (!empty_subject) return std::unexpected(Ossl("X509_NAME_new"));
  auto x = internal::NewLeafCertificate(request.ek_key, empty_subject.get(), ca_certificate, now,
                                        request.lifetime);
  if (!x) return Fail(x.error());
  const char* key_usage =
      request.ek_key.type() == KeyType::kRsa ? "critical,keyEncipherment" : "critical,keyAgreement";
  if (auto st = internal::AddExtensions(x->get(), ca_certificate.get0_x509(),
                                        {{NID_basic_constraints, "critical,CA:FALSE"},
                                         {NID_key_usage, key_usage},
                                         {NID_ext_key_usage, kEkCertificateEku},
                                         {NID_authority_key_identifier, "keyid:always"}});
      !st) {
    return Fail(st.error());
  }
  if (auto st = AddTpmSubjectAltName(x->get(), request.tpm); !st) return Fail(st.error());
  return internal::SignCertificate(ca_signer, x->get());
}

}  // namespace edgetrust::certs
