// TestManufacturerCa: a stand-in TPM manufacturer CA that issues EK certificates in the TCG EK
// Credential Profile shape (critical SAN with the TPM manufacturer/model/version attributes,
// keyEncipherment for RSA EKs / keyAgreement for ECC EKs, EKU tcg-kp-EKCertificate), so that
// simulated devices can enroll through group (manufacturer CA) enrollment.
//
// FOR TESTS AND THE LOAD GENERATOR ONLY: the CA private key is in process memory.
// Thread-safe after creation.
#ifndef EDGETRUST_ENROLLMENT_CLIENT_TESTING_MANUFACTURER_CA_H_
#define EDGETRUST_ENROLLMENT_CLIENT_TESTING_MANUFACTURER_CA_H_

#include <ctime>
#include <memory>
#include <string>

#include "certs/certificate.h"
#include "common/error.h"
#include "common/public_key.h"

struct evp_pkey_st;

namespace edgetrust::enrollment::client::testing {

class TestManufacturerCa {
 public:
  // Generate makes a self-signed EC P-256 root CA (CN `common_name`, CA:TRUE, keyCertSign)
  // that signs EK certificates directly.
  static Result<TestManufacturerCa> Generate(const std::string& common_name);
  // Load reads a CA certificate and its private key from PEM files, e.g. the swtpm fixture's
  // issuercert.pem and signkey.pem under $EDGETRUST_MANUFACTURER_CA_DIR.
  static Result<TestManufacturerCa> Load(const std::string& certificate_pem_path,
                                         const std::string& private_key_pem_path);

  const certs::Certificate& certificate() const { return certificate_; }

  // IssueEkCertificate signs an EK certificate for `ek` valid from `now` - 5 min for ten
  // years. kInternal "crypto.openssl" on an OpenSSL failure.
  Result<certs::Certificate> IssueEkCertificate(const PublicKey& ek, std::time_t now) const;

 private:
  TestManufacturerCa(certs::Certificate certificate, std::shared_ptr<evp_pkey_st> key)
      : certificate_(std::move(certificate)), key_(std::move(key)) {}

  certs::Certificate certificate_;
  std::shared_ptr<evp_pkey_st> key_;
};

}  // namespace edgetrust::enrollment::client::testing

#endif  // EDGETRUST_ENROLLMENT_CLIENT_TESTING_MANUFACTURER_CA_H_
