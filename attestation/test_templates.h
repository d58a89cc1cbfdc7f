// Test-only helpers: TPM2B_PUBLIC templates shaped like the TCG EK Credential Profile templates
// and typical AK / identity keys, filled with key pairs generated in process (OpenSSL), so the
// verifier side can be tested without a TPM. Never link this into a production target.
#ifndef EDGETRUST_ATTESTATION_TEST_TEMPLATES_H_
#define EDGETRUST_ATTESTATION_TEST_TEMPLATES_H_

#include <tss2/tss2_tpm2_types.h>

#include <string>

#include "common/bytes.h"

namespace edgetrust::attestation::testing {

// The TCG EK templates (EK Credential Profile 2.x): L-1 RSA-2048 and L-2 ECC P-256 (sha256,
// AES-128-CFB, PolicyA), H-3 ECC P-384 (sha384, AES-256-CFB, PolicyB-SHA384, userWithAuth).
TPM2B_PUBLIC EkTemplateRsa2048L1();
TPM2B_PUBLIC EkTemplateEccP256L2();
TPM2B_PUBLIC EkTemplateEccP384H3();
// An AK: restricted|sign|fixedTPM|fixedParent|sensitiveDataOrigin|userWithAuth, sha256,
// ECDSA-SHA256 on P-256 or RSASSA-SHA256 on RSA-2048.
TPM2B_PUBLIC AkTemplate(bool ecc);
// An identity key: sign|fixedTPM|fixedParent|sensitiveDataOrigin|userWithAuth, not
// restricted, sha256, NULL scheme, P-256 or RSA-2048.
TPM2B_PUBLIC IdentityTemplate(bool ecc);

// SoftwareKey is a generated key pair and the template with its unique field filled in.
struct SoftwareKey {
  std::string private_pem;  // PKCS#8
  std::string public_pem;   // SubjectPublicKeyInfo
  TPM2B_PUBLIC pub;
};

// GenerateKey makes a key pair of the template's type, RSA keyBits or ECC curve (P-256/384/521)
// and copies its public value into `tmpl.publicArea.unique` (RSA exponent 65537 stays 0).
// Aborts the test binary on an OpenSSL failure.
SoftwareKey GenerateKey(TPM2B_PUBLIC tmpl);

// MarshalPublic returns the TPM2B_PUBLIC wire form, with the size field computed.
Bytes MarshalPublic(const TPM2B_PUBLIC& pub);

}  // namespace edgetrust::attestation::testing

#endif  // EDGETRUST_ATTESTATION_TEST_TEMPLATES_H_
