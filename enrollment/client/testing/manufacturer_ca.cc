#include "enrollment/client/testing/manufacturer_ca.h"

#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "common/file.h"
#include "common/openssl.h"

namespace edgetrust::enrollment::client::testing {
namespace {

Error Ossl(std::string_view call) {
  return OpenSslError(ErrorCode::kInternal, "crypto.openssl", call);
}

template <typename T, void (*F)(T*)>
struct Free {
  void operator()(T* p) const noexcept { F(p); }
};
using GeneralNames = std::unique_ptr<GENERAL_NAMES, Free<GENERAL_NAMES, GENERAL_NAMES_free>>;
using X509Ext = std::unique_ptr<X509_EXTENSION, Free<X509_EXTENSION, X509_EXTENSION_free>>;
using Asn1Object = std::unique_ptr<ASN1_OBJECT, Free<ASN1_OBJECT, ASN1_OBJECT_free>>;

Result<certs::Certificate> ToCertificate(X509* x509) {
  int len = i2d_X509(x509, nullptr);
  if (len <= 0) return std::unexpected(Ossl("i2d_X509"));
  Bytes der(static_cast<size_t>(len));
  unsigned char* p = der.data();
  if (i2d_X509(x509, &p) != len) return std::unexpected(Ossl("i2d_X509"));
  return certs::Certificate::FromDer(der);
}

// AddExt adds an extension written in openssl.cnf syntax; `issuer` may be the subject itself.
Status AddExt(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509Ext ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) return std::unexpected(Ossl("X509_add_ext"));
  return Ok();
}

// NewCertificate starts a v3 certificate with a random positive serial and a validity window.
Result<OpenSslPtr<X509>> NewCertificate(EVP_PKEY* subject_key, std::time_t now,
                                        long lifetime_seconds) {
  OpenSslPtr<X509> x509(X509_new());
  unsigned char serial[16];
  if (!x509 || RAND_bytes(serial, sizeof(serial)) != 1) return std::unexpected(Ossl("X509_new"));
  serial[0] &= 0x7f;
  serial[0] |= 0x01;
  OpenSslPtr<BIGNUM> bn(BN_bin2bn(serial, sizeof(serial), nullptr));
  if (!bn || X509_set_version(x509.get(), 2) != 1 ||
      BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(x509.get())) == nullptr ||
      X509_time_adj_ex(X509_getm_notBefore(x509.get()), 0, -300, &now) == nullptr ||
      X509_time_adj_ex(X509_getm_notAfter(x509.get()), 0, lifetime_seconds, &now) == nullptr ||
      X509_set_pubkey(x509.get(), subject_key) != 1) {
    return std::unexpected(Ossl("X509 fields"));
  }
  return x509;
}

Status AddTpmSan(X509* cert) {
  OpenSslPtr<X509_NAME> dir(X509_NAME_new());
  if (!dir) return std::unexpected(Ossl("X509_NAME_new"));
  const char* attrs[][2] = {{"2.23.133.2.1", "id:45444745"},  // manufacturer "EDGE"
                            {"2.23.133.2.2", "software-tpm"},
                            {"2.23.133.2.3", "id:00010000"}};
  for (const auto& [oid, value] : attrs) {
    Asn1Object obj(OBJ_txt2obj(oid, 1));
    if (!obj ||
        X509_NAME_add_entry_by_OBJ(dir.get(), obj.get(), MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(value), -1, -1, 0) != 1) {
      return std::unexpected(Ossl("X509_NAME_add_entry_by_OBJ"));
    }
  }
  GeneralNames names(GENERAL_NAMES_new());
  GENERAL_NAME* name = GENERAL_NAME_new();
  if (!names || name == nullptr) {
    GENERAL_NAME_free(name);
    return std::unexpected(Ossl("GENERAL_NAME_new"));
  }
  GENERAL_NAME_set0_value(name, GEN_DIRNAME, dir.release());
  if (sk_GENERAL_NAME_push(names.get(), name) <= 0) {
    GENERAL_NAME_free(name);
    return std::unexpected(Ossl("sk_GENERAL_NAME_push"));
  }
  if (X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 1, X509V3_ADD_DEFAULT) != 1) {
    return std::unexpected(Ossl("X509_add1_ext_i2d"));
  }
  return Ok();
}

}  // namespace

Result<TestManufacturerCa> TestManufacturerCa::Generate(const std::string& common_name) {
  std::shared_ptr<evp_pkey_st> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  if (!key) return std::unexpected(Ossl("EVP_EC_gen"));
  auto x509 = NewCertificate(key.get(), std::time(nullptr), 20L * 365 * 24 * 3600);
  if (!x509) return Fail(x509.error());
  X509* cert = x509->get();
  X509_NAME* name = X509_get_subject_name(cert);
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                                 -1, 0) != 1 ||
      X509_set_issuer_name(cert, name) != 1) {
    return std::unexpected(Ossl("X509_NAME"));
  }
  for (auto [nid, value] : {std::pair{NID_basic_constraints, "critical,CA:TRUE"},
                            std::pair{NID_key_usage, "critical,keyCertSign,cRLSign"},
                            std::pair{NID_subject_key_identifier, "hash"}}) {
    if (auto ok = AddExt(cert, cert, nid, value); !ok) return Fail(ok.error());
  }
  if (X509_sign(cert, key.get(), EVP_sha256()) <= 0) return std::unexpected(Ossl("X509_sign"));
  auto parsed = ToCertificate(cert);
  if (!parsed) return Fail(parsed.error());
  return TestManufacturerCa(std::move(*parsed), std::move(key));
}

Result<TestManufacturerCa> TestManufacturerCa::Load(const std::string& certificate_pem_path,
                                                    const std::string& private_key_pem_path) {
  auto cert_pem = ReadFile(certificate_pem_path);
  if (!cert_pem) return Fail(cert_pem.error());
  auto cert = certs::Certificate::FromPem(
      std::string_view(reinterpret_cast<const char*>(cert_pem->data()), cert_pem->size()));
  if (!cert) return Fail(cert.error());
  auto key_pem = ReadFile(private_key_pem_path);
  if (!key_pem) return Fail(key_pem.error());
  OpenSslPtr<BIO> bio(BIO_new_mem_buf(key_pem->data(), static_cast<int>(key_pem->size())));
  std::shared_ptr<evp_pkey_st> key(
      bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr, EVP_PKEY_free);
  if (!key) return std::unexpected(Ossl("PEM_read_bio_PrivateKey"));
  return TestManufacturerCa(std::move(*cert), std::move(key));
}

Result<certs::Certificate> TestManufacturerCa::IssueEkCertificate(const PublicKey& ek,
                                                                  std::time_t now) const {
  auto x509 = NewCertificate(ek.get0_evp(), now, 10L * 365 * 24 * 3600);
  if (!x509) return Fail(x509.error());
  X509* cert = x509->get();
  X509* issuer = certificate_.get0_x509();
  if (X509_set_issuer_name(cert, X509_get_subject_name(issuer)) != 1) {
    return std::unexpected(Ossl("X509_set_issuer_name"));
  }
  if (auto ok = AddTpmSan(cert); !ok) return Fail(ok.error());
  const char* usage =
      ek.type() == KeyType::kRsa ? "critical,keyEncipherment" : "critical,keyAgreement";
  for (auto [nid, value] :
       {std::pair{NID_basic_constraints, "critical,CA:FALSE"}, std::pair{NID_key_usage, usage},
        std::pair{NID_ext_key_usage, "2.23.133.8.1"},
        std::pair{NID_authority_key_identifier, "keyid"}}) {
    if (auto ok = AddExt(cert, issuer, nid, value); !ok) return Fail(ok.error());
  }
  if (X509_sign(cert, key_.get(), EVP_sha256()) <= 0) return std::unexpected(Ossl("X509_sign"));
  return ToCertificate(cert);
}

}  // namespace edgetrust::enrollment::client::testing
