// Csr is an immutable, parsed PKCS#10 certification request, and BuildCsr makes one with a
// Signer (the device's TPM-resident identity key).
//
// Parsing is strict (exactly one DER request, no trailing bytes) and does not check the
// signature: call VerifySignature. The requested names and extensions are exposed so that an
// issuer can refuse or ignore them (THREATS E13); an issuer never copies extensions from a CSR.
// Errors: kInvalidArgument "csr.malformed"; VerifySignature: kPermissionDenied
// "csr.bad_signature". Copies share the parsed object; thread-safe.
#ifndef EDGETRUST_CERTS_CSR_H_
#define EDGETRUST_CERTS_CSR_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "certs/signer.h"
#include "common/bytes.h"
#include "common/error.h"
#include "common/public_key.h"

struct X509_req_st;  // OpenSSL's X509_REQ

namespace edgetrust::certs {

class Csr {
 public:
  static Result<Csr> FromDer(ByteView der);
  static Result<Csr> FromPem(std::string_view pem);

  const Bytes& der() const { return der_; }
  Result<std::string> ToPem() const;
  Result<PublicKey> public_key() const;
  // subject in RFC 2253 form; requested_common_name is "" when absent.
  std::string subject() const;
  std::string requested_common_name() const;
  // Requested subjectAltName entries (URI and DNS), and whether the request carries any
  // extension at all (basicConstraints, EKU, ...): used to detect over-asking.
  std::vector<std::string> requested_uri_sans() const;
  std::vector<std::string> requested_dns_sans() const;
  bool requests_ca() const;
  bool has_extensions() const;

  // VerifySignature checks the self-signature with the request's own key. Only ECDSA
  // (SHA-256/384), RSA PKCS#1 v1.5 and RSA-PSS with SHA-256 or stronger are accepted; others
  // are kPermissionDenied "csr.weak_algorithm".
  Status VerifySignature() const;

 private:
  Csr(std::shared_ptr<X509_req_st> req, Bytes der) : req_(std::move(req)), der_(std::move(der)) {}
  std::shared_ptr<X509_req_st> req_;
  Bytes der_;
};

// BuildCsr makes a DER CSR with subject CN=`common_name` for signer.public_key(), signed by
// `signer` (only the digest of the to-be-signed part crosses the Signer seam).
Result<Bytes> BuildCsr(const Signer& signer, std::string_view common_name);

}  // namespace edgetrust::certs

#endif  // EDGETRUST_CERTS_CSR_H_
