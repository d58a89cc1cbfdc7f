// Certificate chain validation on OpenSSL 3 (X509_verify_cert), with one profile per use.
//
//   kEkCredential    TCG EK Credential Profile 2.0: the leaf may lack SKI/AKI, carries a
//                    critical SAN with TPM manufacturer attributes (directoryName), keyUsage
//                    keyEncipherment (RSA) or keyAgreement (ECC), an EKU of
//                    tcg-kp-EKCertificate (2.23.133.8.1) if any; its subject may be empty.
//                    Unhandled critical extensions other than SAN are refused. A self-signed
//                    leaf is refused.
//   kDeviceIdentity  a certificate this service issued: EKU clientAuth, not a CA.
//   kTlsClient       an operator's client certificate: EKU clientAuth, not a CA.
//
// VerifyChain checks signatures up to one of `roots`, validity at `at` for every certificate,
// CA flags and key usage of the issuers, and the leaf profile. Errors (kPermissionDenied):
// "chain.untrusted" (no path to a root, self-signed leaf), "chain.expired",
// "chain.not_yet_valid", "chain.bad_key_usage", "chain.bad_extension", "chain.invalid"
// (anything else X509_verify_cert refuses). Thread-safe.
#ifndef EDGETRUST_CERTS_CHAIN_H_
#define EDGETRUST_CERTS_CHAIN_H_

#include <ctime>
#include <span>

#include "certs/certificate.h"
#include "common/error.h"

namespace edgetrust::certs {

enum class ChainProfile { kEkCredential, kDeviceIdentity, kTlsClient };

Status VerifyChain(const Certificate& leaf, std::span<const Certificate> intermediates,
                   std::span<const Certificate> roots, ChainProfile profile, std::time_t at);

}  // namespace edgetrust::certs

#endif  // EDGETRUST_CERTS_CHAIN_H_
