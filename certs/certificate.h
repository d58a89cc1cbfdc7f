// Certificate is an immutable, parsed X.509 certificate (OpenSSL 3 underneath).
//
// Parsing is strict: the DER must be exactly one certificate (no trailing bytes). Copies share
// the parsed object; all methods are const and thread-safe. Errors: kInvalidArgument
// "cert.malformed".
#ifndef EDGETRUST_CERTS_CERTIFICATE_H_
#define EDGETRUST_CERTS_CERTIFICATE_H_

#include <ctime>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "common/public_key.h"

struct x509_st;  // OpenSSL's X509

namespace edgetrust::certs {

class Certificate {
 public:
  static Result<Certificate> FromDer(ByteView der);
  // FromPem reads the first CERTIFICATE block of `pem`.
  static Result<Certificate> FromPem(std::string_view pem);
  // ChainFromPem reads every CERTIFICATE block, in order; none is an error.
  static Result<std::vector<Certificate>> ChainFromPem(std::string_view pem);

  const Bytes& der() const { return der_; }
  Result<std::string> ToPem() const;
  // Subject and issuer in OpenSSL's one-line RFC 2253 form ("CN=swtpm-localca,O=...").
  std::string subject() const;
  std::string issuer() const;
  std::time_t not_before() const;
  std::time_t not_after() const;
  // SerialHex is the serial number in lower-case hex.
  std::string SerialHex() const;
  Result<PublicKey> public_key() const;

  // get0_x509 borrows the X509 for OpenSSL glue in .cc files.
  x509_st* get0_x509() const { return x509_.get(); }

 private:
  Certificate(std::shared_ptr<x509_st> x509, Bytes der)
      : x509_(std::move(x509)), der_(std::move(der)) {}

  std::shared_ptr<x509_st> x509_;
  Bytes der_;
};

}  // namespace edgetrust::certs

#endif  // EDGETRUST_CERTS_CERTIFICATE_H_
