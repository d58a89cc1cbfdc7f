// Small OpenSSL X.509 helpers shared by the certs .cc files (internal to edgetrust_certs).
#ifndef EDGETRUST_CERTS_X509_UTIL_H_
#define EDGETRUST_CERTS_X509_UTIL_H_

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/openssl.h"

namespace edgetrust::certs::internal {

// NameText renders `name` in RFC 2253 form ("" on failure).
std::string NameText(const X509_NAME* name);
// CommonName is the UTF-8 value of the last CN in `name`, "" when absent.
std::string CommonName(const X509_NAME* name);
// AsnTime converts to seconds since the epoch (0 on failure).
std::time_t AsnTime(const ASN1_TIME* t);
// MakeName builds "CN=<common_name>".
Result<OpenSslPtr<X509_NAME>> MakeName(const std::string& common_name);
// NamesOfType lists the GEN_URI or GEN_DNS entries of `names` as text.
std::vector<std::string> NamesOfType(const GENERAL_NAMES* names, int type);
// MakeExtension builds an extension from OpenSSL's config syntax ("critical,CA:TRUE").
Result<OpenSslPtr<X509_EXTENSION>> MakeExtension(int nid, const std::string& value,
                                                 X509V3_CTX* ctx = nullptr);
// BioText returns the contents of a memory BIO.
std::string BioText(BIO* bio);

}  // namespace edgetrust::certs::internal

#endif  // EDGETRUST_CERTS_X509_UTIL_H_
