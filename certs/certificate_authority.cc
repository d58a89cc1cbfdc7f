#include "certs/certificate_authority.h"

#include <openssl/err.h>

#include <algorithm>
#include <cctype>

#include "certs/leaf_issuance.h"
#include "certs/x509_sign.h"
#include "certs/x509_util.h"
#include "common/openssl.h"

namespace edgetrust::certs {
namespace {

Error Ossl(std::string_view call) {
  return OpenSslError(ErrorCode::kInternal, "crypto.openssl", call);
}

std::unexpected<Error> BadProfile(std::string message) {
  return Fail(ErrorCode::kInvalidArgument, "ca.bad_profile", std::move(message));
}

bool ValidUri(const std::string& uri) {
  size_t colon = uri.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == uri.size()) return false;
  if (std::isalpha(static_cast<unsigned char>(uri[0])) == 0) return false;
  for (size_t i = 0; i < colon; ++i) {
    char c = uri[i];
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '+' && c != '-' && c != '.') {
      return false;
    }
  }
  return std::all_of(uri.begin(), uri.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f && c != '"' && c != '<' && c != '>' && c != '\\';
  });
}

bool ValidDnsName(const std::string& name) {
  if (name.empty() || name.size() > 253) return false;
  size_t start = 0;
  while (start <= name.size()) {
    size_t dot = name.find('.', start);
    size_t end = dot == std::string::npos ? name.size() : dot;
    std::string_view label(name.data() + start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '-') return false;
    }
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return true;
}

Status CheckProfile(const LeafProfile& profile) {
  if (profile.common_name.empty() || profile.common_name.size() > 64) {
    return BadProfile("common name must have 1..64 characters");
  }
  for (const auto& uri : profile.uri_sans) {
    if (!ValidUri(uri)) return BadProfile("not a valid URI SAN: " + uri);
  }
  for (const auto& dns : profile.dns_sans) {
    if (!ValidDnsName(dns)) return BadProfile("not a valid DNS SAN: " + dns);
  }
  if (profile.lifetime.count() <= 0) return BadProfile("lifetime must be positive");
  return Ok();
}

Status AddSubjectAltNames(X509* x, const LeafProfile& profile) {
  if (profile.uri_sans.empty() && profile.dns_sans.empty()) return Ok();
  OpenSslPtr<GENERAL_NAMES> names(sk_GENERAL_NAME_new_null());
  if (!names) return std::unexpected(Ossl("sk_GENERAL_NAME_new_null"));
  auto add = [&](int type, const std::string& value) -> Status {
    OpenSslPtr<GENERAL_NAME> gn(GENERAL_NAME_new());
    OpenSslPtr<ASN1_STRING> text(ASN1_IA5STRING_new());
    if (!gn || !text ||
        ASN1_STRING_set(text.get(), value.data(), static_cast<int>(value.size())) != 1) {
      return std::unexpected(Ossl("GENERAL_NAME"));
    }
    GENERAL_NAME_set0_value(gn.get(), type, text.release());
    if (sk_GENERAL_NAME_push(names.get(), gn.get()) <= 0) {
      return std::unexpected(Ossl("sk_GENERAL_NAME_push"));
    }
    gn.release();
    return Ok();
  };
  for (const auto& uri : profile.uri_sans) {
    if (auto st = add(GEN_URI, uri); !st) return st;
  }
  for (const auto& dns : profile.dns_sans) {
    if (auto st = add(GEN_DNS, dns); !st) return st;
  }
  if (X509_add1_ext_i2d(x, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) != 1) {
    return std::unexpected(Ossl("X509_add1_ext_i2d"));
  }
  return Ok();
}

}  // namespace

Result<CertificateAuthority> CertificateAuthority::Create(std::shared_ptr<const Signer> signer,
                                                          std::vector<Certificate> chain) {
  if (!signer || chain.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "ca.not_a_ca", "no signer or no CA certificate");
  }
  if (auto st = internal::CheckIssuingCa(chain.front(), signer->public_key()); !st) {
    return Fail(st.error());
  }
  return CertificateAuthority(std::move(signer), std::move(chain));
}

Result<Certificate> CertificateAuthority::Issue(const PublicKey& subject_key,
                                                const LeafProfile& profile, std::time_t now) const {
  if (auto st = CheckProfile(profile); !st) return Fail(st.error());
  const Certificate& ca = certificate();
  auto subject = internal::MakeName(profile.common_name);
  if (!subject) return Fail(subject.error());
  auto x = internal::NewLeafCertificate(subject_key, subject->get(), ca, now, profile.lifetime);
  if (!x) return Fail(x.error());
  if (auto st = internal::AddExtensions(x->get(), ca.get0_x509(),
                                        {{NID_basic_constraints, "critical,CA:FALSE"},
                                         {NID_key_usage, "critical,digitalSignature"},
                                         {NID_ext_key_usage, "clientAuth"},
                                         {NID_subject_key_identifier, "hash"},
                                         {NID_authority_key_identifier, "keyid:always"}});
      !st) {
    return Fail(st.error());
  }
  if (auto st = AddSubjectAltNames(x->get(), profile); !st) return Fail(st.error());
  return internal::SignCertificate(*signer_, x->get());
}

Result<Bytes> CertificateAuthority::IssueCrl(const std::vector<RevokedCertificate>& revoked,
                                             uint64_t crl_number, std::time_t now,
                                             std::chrono::seconds validity) const {
  if (validity.count() <= 0) {
    return Fail(ErrorCode::kInvalidArgument, "ca.bad_crl", "CRL validity must be positive");
  }
  auto crl = internal::NewCrlFor(signer_->algorithm());
  if (!crl) return Fail(crl.error());
  X509* ca = certificate().get0_x509();
  std::time_t next = now + validity.count();
  OpenSslPtr<ASN1_STRING> this_update(ASN1_TIME_set(nullptr, now));
  OpenSslPtr<ASN1_STRING> next_update(ASN1_TIME_set(nullptr, next));
  if (!this_update || !next_update ||
      X509_CRL_set_issuer_name(crl->get(), X509_get_subject_name(ca)) != 1 ||
      X509_CRL_set1_lastUpdate(crl->get(), this_update.get()) != 1 ||
      X509_CRL_set1_nextUpdate(crl->get(), next_update.get()) != 1) {
    return std::unexpected(Ossl("X509_CRL setters"));
  }
  for (const RevokedCertificate& entry : revoked) {
    BIGNUM* raw = nullptr;
    if (entry.serial_hex.empty() || entry.serial_hex.size() > 40 ||
        BN_hex2bn(&raw, entry.serial_hex.c_str()) != static_cast<int>(entry.serial_hex.size())) {
      BN_free(raw);
      ERR_clear_error();
      return Fail(ErrorCode::kInvalidArgument, "ca.bad_serial",
                  "not a hex serial: " + entry.serial_hex);
    }
    OpenSslPtr<BIGNUM> bn(raw);
    OpenSslPtr<ASN1_INTEGER> serial(BN_to_ASN1_INTEGER(bn.get(), nullptr));
    OpenSslPtr<ASN1_STRING> when(ASN1_TIME_set(nullptr, entry.revoked_at));
    OpenSslPtr<X509_REVOKED> item(X509_REVOKED_new());
    if (!serial || !when || !item || X509_REVOKED_set_serialNumber(item.get(), serial.get()) != 1 ||
        X509_REVOKED_set_revocationDate(item.get(), when.get()) != 1 ||
        X509_CRL_add0_revoked(crl->get(), item.get()) != 1) {
      return std::unexpected(Ossl("X509_REVOKED"));
    }
    item.release();
  }
  OpenSslPtr<ASN1_INTEGER> number(ASN1_INTEGER_new());
  if (!number || ASN1_INTEGER_set_uint64(number.get(), crl_number) != 1 ||
      X509_CRL_add1_ext_i2d(crl->get(), NID_crl_number, number.get(), 0, 0) != 1) {
    return std::unexpected(Ossl("crlNumber"));
  }
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, ca, nullptr, nullptr, crl->get(), 0);
  auto aki = internal::MakeExtension(NID_authority_key_identifier, "keyid:always", &ctx);
  if (!aki) return Fail(aki.error());
  if (X509_CRL_add_ext(crl->get(), aki->get(), -1) != 1 || X509_CRL_sort(crl->get()) != 1) {
    return std::unexpected(Ossl("X509_CRL_add_ext"));
  }
  return internal::SignCrl(*signer_, crl->get());
}

Result<Certificate> MakeSelfSignedCa(const Signer& signer, const std::string& common_name,
                                     std::chrono::seconds lifetime, std::time_t now) {
  if (common_name.empty() || common_name.size() > 64) {
    return BadProfile("common name must have 1..64 characters");
  }
  if (lifetime.count() <= 0) return BadProfile("lifetime must be positive");
  auto name = internal::MakeName(common_name);
  if (!name) return Fail(name.error());
  auto x = internal::NewCertificate(signer.public_key(), name->get(), name->get(),
                                    now - internal::kBackdate, now + lifetime.count());
  if (!x) return Fail(x.error());
  if (auto st = internal::AddExtensions(x->get(), x->get(),
                                        {{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
                                         {NID_key_usage, "critical,keyCertSign,cRLSign"},
                                         {NID_subject_key_identifier, "hash"}});
      !st) {
    return Fail(st.error());
  }
  return internal::SignCertificate(signer, x->get());
}

}  // namespace edgetrust::certs
