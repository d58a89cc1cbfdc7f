#include "certs/x509_util.h"

#include <openssl/err.h>

namespace edgetrust::certs::internal {

std::string BioText(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return len > 0 ? std::string(data, static_cast<size_t>(len)) : std::string();
}

std::string NameText(const X509_NAME* name) {
  OpenSslPtr<BIO> bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) return "";
  return BioText(bio.get());
}

std::string CommonName(const X509_NAME* name) {
  int index = -1;
  for (int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1); i >= 0;
       i = X509_NAME_get_index_by_NID(name, NID_commonName, i)) {
    index = i;
  }
  if (index < 0) return "";
  const ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  unsigned char* utf8 = nullptr;
  int len = ASN1_STRING_to_UTF8(&utf8, value);
  if (len < 0) return "";
  std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
  OPENSSL_free(utf8);
  return out;
}

std::time_t AsnTime(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return timegm(&tm);
}

Result<OpenSslPtr<X509_NAME>> MakeName(const std::string& common_name) {
  OpenSslPtr<X509_NAME> name(X509_NAME_new());
  if (!name || X509_NAME_add_entry_by_NID(
                   name.get(), NID_commonName, MBSTRING_UTF8,
                   reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0) != 1) {
    return std::unexpected(
        OpenSslError(ErrorCode::kInvalidArgument, "cert.bad_name", "X509_NAME_add_entry_by_NID"));
  }
  return name;
}

std::vector<std::string> NamesOfType(const GENERAL_NAMES* names, int type) {
  std::vector<std::string> out;
  for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
    int gtype = 0;
    const auto* value = static_cast<const ASN1_STRING*>(GENERAL_NAME_get0_value(gn, &gtype));
    if (gtype != type || value == nullptr) continue;
    out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                     static_cast<size_t>(ASN1_STRING_length(value)));
  }
  return out;
}

Result<OpenSslPtr<X509_EXTENSION>> MakeExtension(int nid, const std::string& value,
                                                 X509V3_CTX* ctx) {
  OpenSslPtr<X509_EXTENSION> ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value.c_str()));
  if (!ext) {
    return std::unexpected(
        OpenSslError(ErrorCode::kInternal, "crypto.openssl", "X509V3_EXT_conf_nid " + value));
  }
  return ext;
}

}  // namespace edgetrust::certs::internal
